"""What a token may do (issue #18). Which data the caller reaches is the access
gateways' business (intake/permissions.py, reports/permissions.py): these only
add the token's scope and the session-only operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import permissions
from rest_framework.request import Request

if TYPE_CHECKING:
    # Only for the annotation: DRF imports this module while importing its views.
    from rest_framework.views import APIView

from api.authentication import token_of


class TokenScopePermission(permissions.BasePermission):
    """A read token reads; only a write token (or the session) writes."""

    message = "Nyckeln får bara läsa. Skapa en nyckel med behörigheten läsa och skriva."

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = token_of(request)
        if token is None or request.method in permissions.SAFE_METHODS:
            return True
        return token.can_write


class SessionOnly(permissions.BasePermission):
    """Tokens are managed from a signed-in session only: a leaked token cannot
    mint new ones or keep itself alive."""

    message = "API-nycklar hanteras bara inloggad i webbläsaren, inte med en nyckel."

    def has_permission(self, request: Request, view: Any) -> bool:
        return token_of(request) is None
