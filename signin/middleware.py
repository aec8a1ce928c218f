"""The staff's second factor, enforced on every request (issue #18 point 4)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

SECOND_FACTOR_NEEDED = (
    "Logga in med din andra faktor (kod från autentiseringsappen) innan du "
    "använder personalens sidor."
)
# What a staff session may reach before its second factor: the steps themselves
# and signing out.
OPEN_URL_NAMES = (
    "signin:second-factor",
    "signin:second-factor-enrol",
    "surveys:logout",
)


class StaffSecondFactorMiddleware:
    """A staff session (is_staff_member) that has not passed its second factor
    reaches nothing but the TOTP step: pages redirect there, the API answers 403.
    Staff can read and correct every organisation's answers, so a password (or an
    identity provider's sign-in, or a one-time link) alone is not enough.
    API tokens are not sessions and pass; creating one needs a verified session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            getattr(user, "is_staff_member", False)
            and not user.is_verified()  # type: ignore[union-attr]
            and request.path not in {reverse(name) for name in OPEN_URL_NAMES}
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": SECOND_FACTOR_NEEDED}, status=403)
            target = reverse("signin:second-factor")
            return redirect(f"{target}?next={quote(request.get_full_path())}")
        return self.get_response(request)
