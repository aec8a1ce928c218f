"""Sign-in plumbing named in settings: the e-mail backend and django-axes' hooks.

E-mail addresses are stored in lower case (`EmailUserManager`, the user admin and
`invite_user` all lower-case them), so matching the typed address in lower case
makes sign-in case-insensitive without a case-insensitive index.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from surveys.models import User


def normalise_email(value: str) -> str:
    return value.strip().lower()


def user_by_email(value: str) -> User | None:
    """The one user finder: the account with this address, typed in any case."""
    return User.objects.filter(email=normalise_email(value)).first()


class EmailBackend(ModelBackend):
    """Django's ModelBackend with the e-mail address matched case-insensitively,
    for our login page and the admin's alike."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if isinstance(username, str):
            username = normalise_email(username)
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )


def axes_username(
    request: HttpRequest, credentials: dict[str, Any] | None
) -> str | None:
    """The username django-axes counts failures under: the address as the backend
    matches it, so changing its case does not buy an attacker more attempts.

    Magic-link sign-ins carry no username (None): their failures count per IP.
    """
    username: object
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_email(username) if isinstance(username, str) else None


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address for django-axes.

    Behind TRUSTED_PROXY_COUNT proxies, the address the outermost of them saw: the
    proxies append to X-Forwarded-For, so it is that many entries from the right.
    Entries further left come from the client and could be forged to dodge a lockout.
    """
    count: int = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    address: str | None = request.META.get("REMOTE_ADDR")
    return address


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind `login_required`, typed as our User."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user
