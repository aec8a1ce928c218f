"""How the API knows the caller: a personal token (`Authorization: Bearer nv_…`)
or the browser's session (DRF's SessionAuthentication, which enforces CSRF)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import ApiToken
from api.services import digest_of, record_token_use
from surveys.models import User


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Ogiltig Authorization-rad: skriv Bearer och nyckeln, med ett mellanslag."
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Nyckeln är ogiltig.") from None
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest_of(secret))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Nyckeln är ogiltig.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Nyckeln är återkallad.")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                "Nyckeln har gått ut. Skapa en ny under Konto → API-nycklar."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("Kontot är inte aktivt.")
        record_token_use(token, now=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return self.keyword


def token_of(request: Request) -> ApiToken | None:
    auth: Any = request.auth
    return auth if isinstance(auth, ApiToken) else None


def caller(request: Request) -> User:
    """The authenticated user of an API view (IsAuthenticated guarantees one)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user
