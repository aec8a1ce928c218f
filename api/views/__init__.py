"""The API's endpoints, one APIView per operation (docs/conventions.md §4), by
family: questionnaires, responses, reports (tables, exports, status) and tokens."""
