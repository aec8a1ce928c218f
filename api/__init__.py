"""The REST API under /api/v1/ (issue #18): a thin interface to the same
services, access gateways and selectors as the pages, and personal API tokens."""
