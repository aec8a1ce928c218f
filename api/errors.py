"""The API's errors as JSON with Swedish messages (docs/conventions.md §7).

DRF turns its own exceptions, Http404 and PermissionDenied into 4xx answers
(in Swedish: LANGUAGE_CODE is sv); this adds the domain's refusals. Every error
body has `detail` (one Swedish sentence or more) and, for refused values,
`errors` keyed by field or question variable.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from intake.consolidation.limits import CountsAboveBaseError
from intake.services.saving import StaleResponseError
from surveys.errors import DomainError, error_text

INVALID = "Uppgifterna kunde inte sparas. Se felen per fält."


class PreconditionRequired(Exception):
    """A write without If-Match (428)."""


class PreconditionFailed(Exception):
    """If-Match names a version that is not the current one (412)."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version


class BadIfMatch(exceptions.ParseError):
    """If-Match is not a version in quotes (400, with its own message)."""


NOT_JSON = "Innehållet kunde inte läsas: skicka ett JSON-objekt (Content-Type: application/json)."
PRECONDITION_REQUIRED = (
    "Ange svarets version i If-Match (hämta svaret först: versionen står i ETag)."
)
PRECONDITION_FAILED = (
    "Svaret har ändrats sedan du hämtade det. Inget sparades; hämta det igen "
    "och gör om ändringen."
)


def _etag(version: int) -> str:
    return f'"{version}"'


UNKNOWN_ADDRESS = "Adressen finns inte i API:t. Se /api/docs/."


# Exempt: it changes nothing, and a POST to a mistyped address should hear that
# the address is wrong, not that a CSRF token is missing.
@csrf_exempt
def unknown_address(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": UNKNOWN_ADDRESS}, status=404)


def _flat(detail: Any) -> list[Any]:
    if isinstance(detail, list):
        return [m for item in detail for m in _flat(item)]
    return [detail]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PreconditionRequired):
        return Response(
            {"detail": PRECONDITION_REQUIRED},
            status=status.HTTP_428_PRECONDITION_REQUIRED,
        )
    if isinstance(exc, PreconditionFailed | StaleResponseError):
        return Response(
            {"detail": PRECONDITION_FAILED},
            status=status.HTTP_412_PRECONDITION_FAILED,
            headers={"ETag": _etag(exc.current_version)},
        )
    if isinstance(exc, exceptions.Throttled):
        # DRF's Swedish text ends in an untranslated English sentence.
        wait = math.ceil(getattr(exc, "wait", None) or 1)
        return Response(
            {"detail": f"För många anrop. Försök igen om {wait} sekunder."},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, exceptions.ParseError) and not isinstance(exc, BadIfMatch):
        # DRF's text would end in the JSON parser's English message.
        return Response({"detail": NOT_JSON}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        # A serializer's refusal, in the same shape as the services' refusals.
        if isinstance(exc.detail, dict):
            return Response(
                {"detail": INVALID, "errors": exc.detail},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {"detail": " ".join(str(m) for m in _flat(exc.detail))},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, CountsAboveBaseError):
        return Response(
            {"detail": exc.message, "errors": exc.problems},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ValidationError):
        body: dict[str, Any] = {"detail": error_text(exc)}
        if hasattr(exc, "error_dict"):
            body = {"detail": INVALID, "errors": exc.message_dict}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
