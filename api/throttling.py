"""Rate limits (issue #18): per token, so one integration cannot use up its
owner's other tokens or the browser session, and per user for the session."""

from __future__ import annotations

from typing import Any, cast

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from api.authentication import token_of


class _RateFromSettings:
    """The rate as settings say now: DRF copies the rates once, at import."""

    scope: str

    def get_rate(self) -> str | None:
        return cast("str | None", api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))


class CallerRateThrottle(_RateFromSettings, SimpleRateThrottle):
    scope = "caller"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None  # AnonymousRateThrottle counts these
        token = token_of(request)
        ident = f"token-{token.pk}" if token else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(_RateFromSettings, AnonRateThrottle):
    scope = "anon"
