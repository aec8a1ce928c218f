"""Session lifetime and caching rules for signed-in users (issue #13 point 9),
and the Content-Security-Policy header.

All apply to every request, so they live here rather than in each view.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

# Session keys: when the user signed in and when the last request came (Unix
# seconds). Set for signed-in sessions only; `logout` flushes them with the rest.
SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVITY = "last_activity"
# The last request is written back at most this often (seconds), so a page that
# polls or autosaves does not rewrite the session row on every request.
ACTIVITY_RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="surveys.session_clocks")
def start_session_clocks(
    sender: Any, request: HttpRequest | None, **kwargs: Any
) -> None:
    """Both clocks start at every sign-in (any view, the admin's too), also when
    login() kept an earlier session's data, and before the session is saved."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_ACTIVITY] = now


def session_expiry(
    signed_in_at: object, last_activity: object, now: float
) -> str | None:
    """Why a signed-in session has ended, in Swedish for the login page, or None:
    SESSION_MAX_HOURS since it signed in, or SESSION_IDLE_MINUTES since its last
    request (times in Unix seconds)."""
    if not isinstance(signed_in_at, int | float) or not isinstance(
        last_activity, int | float
    ):
        return None
    if now - signed_in_at > settings.SESSION_MAX_HOURS * 60 * 60:
        return (
            f"Du har loggats ut eftersom det har gått {settings.SESSION_MAX_HOURS} "
            "timmar sedan du loggade in. Logga in igen för att fortsätta."
        )
    if now - last_activity > settings.SESSION_IDLE_MINUTES * 60:
        return (
            "Du har loggats ut eftersom du inte har använt tjänsten på "
            f"{settings.SESSION_IDLE_MINUTES} minuter. Logga in igen för att fortsätta."
        )
    return None


class SessionLifetimeMiddleware:
    """Signs out a session idle longer than SESSION_IDLE_MINUTES or older than
    SESSION_MAX_HOURS; the request then goes on as anonymous, so a protected page
    sends the user to the login page and back afterwards.

    Every request from the signed-in user counts as activity, the form's
    autosaves included: someone filling in a long questionnaire is not idle.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        session = request.session
        if request.user.is_authenticated:
            reason = session_expiry(
                session.get(SIGNED_IN_AT), session.get(LAST_ACTIVITY), now
            )
            if reason is not None:
                logout(request)
                messages.info(request, reason)
            else:
                # A session signed in before this middleware existed starts now.
                session.setdefault(SIGNED_IN_AT, now)
                last = session.get(LAST_ACTIVITY)
                if (
                    not isinstance(last, int | float)
                    or now - last >= ACTIVITY_RESOLUTION_SECONDS
                ):
                    session[LAST_ACTIVITY] = now
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: no-store` (and private) on every response to a signed-in
    user: their pages hold personal data and answers, which must not stay in a
    shared computer's browser cache or in a proxy. Anonymous pages keep their
    own headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: a sign-in in this request counts, a sign-out does not.
        if request.user.is_authenticated:
            never_cache(response)
        return response


@functools.cache
def _never_cache_control() -> str:
    response = HttpResponse()
    add_never_cache_headers(response)
    return response["Cache-Control"]


def never_cache(response: HttpResponseBase) -> None:
    """Django's `add_never_cache_headers` (no-store, no-cache, must-revalidate,
    private, max-age=0, an Expires in the past): parsing and rebuilding the
    Cache-Control header costs more than the rest of this middleware, so a
    response without one gets the header Django would build, built once. A
    view's own directives are merged by Django as before."""
    if "Cache-Control" in response:
        add_never_cache_headers(response)
        return
    if "Expires" not in response:
        response["Expires"] = http_date(time.time())
    response["Cache-Control"] = _never_cache_control()


# What makes a response's policy its own: django-csp's decorators (csp_update on
# the API's documentation pages) and exemptions, enforced and report-only.
_OWN_POLICY = tuple(
    f"_csp_{kind}{suffix}"
    for kind in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
# (header, policy, excluded path prefixes) per header, built from the settings.
_headers: list[tuple[str, str, tuple[str, ...]]] | None = None


@receiver(setting_changed, dispatch_uid="surveys.csp_headers")
def _forget_csp_headers(setting: str, **kwargs: Any) -> None:
    global _headers
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _headers = None


def _policy_headers() -> list[tuple[str, str, tuple[str, ...]]]:
    global _headers
    if _headers is None:
        _headers = [
            (
                header,
                build_policy(report_only=report_only),
                tuple(
                    (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
                    or ()
                ),
            )
            for header, report_only, name in (
                (HEADER, False, "CONTENT_SECURITY_POLICY"),
                (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
            )
        ]
    return _headers


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy built once: it builds the header
    from CONTENT_SECURITY_POLICY anew for every response (~0,1 ms of CPU),
    though it is the same for every response that no decorator and no nonce
    changes. Those, and DEBUG's error pages, go to django-csp as before."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _OWN_POLICY)
        ):
            response = super().process_response(request, response)
            return response
        for header, policy, excluded in _policy_headers():
            if (
                policy
                and header not in response
                and not (excluded and request.path_info.startswith(excluded))
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(  # type: ignore[attr-defined]
            self._csp_nonce_post_response
        )
        return response
