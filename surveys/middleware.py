"""Session lifetime and caching rules for signed-in users (issue #13 point 9).

Both apply to every request, so they live here rather than in each view.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

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
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
