"""The response's version as an ETag, and If-Match on every write (issue #18):
the API's form of the optimistic lock (docs/conventions.md §6). A write without
If-Match answers 428; one naming an older version 412, and nothing is saved."""

from __future__ import annotations

import re

from rest_framework.request import Request

from api.errors import BadIfMatch, PreconditionFailed, PreconditionRequired

_ETAG = re.compile(r'^\s*"(\d{1,9})"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request, *, current: int) -> int:
    """The version If-Match names; raises unless it is the current one."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired()
    match = _ETAG.match(header)
    if match is None:
        raise BadIfMatch(
            'If-Match ska vara svarets version inom citattecken, t.ex. "3", '
            "som ETag när svaret hämtades."
        )
    version = int(match.group(1))
    if version != current:
        raise PreconditionFailed(current)
    return version
