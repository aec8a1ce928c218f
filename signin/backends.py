"""The session backend of OpenID Connect sign-ins."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from surveys.auth import SessionUserBackend


class OidcBackend(SessionUserBackend):
    """Named in the session of a user signed in through OpenID Connect, so that
    Django reloads the user (active only) on later requests. It authenticates
    nothing itself: the callback view matches the provider's verified claims
    (signin.services.account_for_oidc) and logs the user in with this backend."""

    def authenticate(
        self, request: HttpRequest | None, *args: Any, **kwargs: Any
    ) -> None:
        return None
