"""The OpenID Connect client (Authlib), configured from settings (README "Sign-in").

Authlib fetches the provider's discovery document and JWKS once per client and
keeps them; the client is cached per configuration, so a changed setting (tests
start their own provider) gets a client of its own.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from authlib.integrations.django_client import OAuth
from django.conf import settings


def oidc_enabled() -> bool:
    return bool(settings.OIDC_DISCOVERY_URL and settings.OIDC_CLIENT_ID)


def oidc_client() -> Any:
    return _client(
        settings.OIDC_DISCOVERY_URL,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
        settings.OIDC_TIMEOUT_SECONDS,
    )


@lru_cache(maxsize=4)
def _client(
    discovery_url: str, client_id: str, secret: str, scopes: str, timeout: int
) -> Any:
    registry = OAuth()
    return registry.register(
        name="oidc",
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=discovery_url,
        # PKCE (S256) on every authorization request; Authlib adds and checks
        # the state and, for the openid scope, the nonce.
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "timeout": timeout,
        },
    )
