"""Sign-in plumbing named in settings: the e-mail backend and django-axes' hooks.

E-mail addresses are stored in lower case (`EmailUserManager`, the user admin and
`invite_user` all lower-case them), so matching the typed address in lower case
makes sign-in case-insensitive without a case-insensitive index.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from sesame import settings as sesame_settings

from surveys.models import User
from surveys.prepared import Prepared, columns, instance

# What a sign-in link's failures count under in django-axes: this prefix and a
# hash of the token. Not an e-mail address, so it never matches a password sign-in.
LINK_KEY_PREFIX = "inloggningslänk:"


def normalise_email(value: str) -> str:
    return value.strip().lower()


def user_by_email(value: str) -> User | None:
    """The one user finder: the account with this address, typed in any case."""
    return User.objects.filter(email=normalise_email(value)).first()


# The user of every signed-in request, read with a query compiled once (issue
# #20): `ModelBackend.get_user`'s `User.objects.get(pk=…)` built and compiled
# the same query on every request.
_USER = Prepared(
    lambda user_id: User.objects.filter(pk=user_id).values_list(*columns(User))
)


class SessionUserBackend(ModelBackend):
    """`ModelBackend` with its `get_user` (every signed-in request's) read
    compiled once: the user with this id, or None when there is none or it may
    not sign in (inactive), as before."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        rows = _USER.rows(pk) if isinstance(pk, int) else []
        if not rows:
            return None
        user: User = instance(User, rows[0])
        return user if self.user_can_authenticate(user) else None


class EmailBackend(SessionUserBackend):
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


def link_key(token: str) -> str:
    """The name a sign-in link's failures count under. A hash, so neither the
    attempt rows nor the logs hold a token that could still sign someone in."""
    digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
    return f"{LINK_KEY_PREFIX}{digest[:32]}"


def axes_username(
    request: HttpRequest, credentials: dict[str, Any] | None
) -> str | None:
    """The username django-axes counts failures under: the address as the backend
    matches it, so changing its case does not buy an attacker more attempts.

    A sign-in link (django-sesame's credential) counts under the link itself
    (`link_key`): spent or broken links opened from one office then lock out only
    themselves, not every link opened from the office's IP address.
    """
    token: object = (credentials or {}).get(sesame_settings.TOKEN_NAME)
    if isinstance(token, str) and token:
        return link_key(token)
    username: object
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_email(username) if isinstance(username, str) else None


def ip_failures(ip_address: str | None) -> int:
    """Failed sign-ins from `ip_address` within AXES_IP_FAILURE_WINDOW_MINUTES,
    whatever address or link they were for (axes' failure log)."""
    if not ip_address:
        return 0
    since = timezone.now() - timedelta(minutes=settings.AXES_IP_FAILURE_WINDOW_MINUTES)
    failures: int = AccessFailureLog.objects.filter(
        ip_address=ip_address, attempt_time__gte=since
    ).count()
    return failures


def ip_limit_reached(request: HttpRequest) -> bool:
    ip_address: str | None = getattr(request, "axes_ip_address", None)
    limit: int = settings.AXES_IP_FAILURE_LIMIT
    return ip_failures(ip_address) >= limit


class SignInHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """django-axes' database handler plus a limit per IP address across all
    addresses and links (AXES_IP_FAILURE_LIMIT). Axes applies one failure limit
    to all its lockout parameters; a whole office behind one address needs a far
    higher one than a single address or link."""

    def is_locked(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> bool:
        locked: bool = super().is_locked(request, credentials)
        return locked or ip_limit_reached(request)

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # The failure that reaches the IP limit gets the lockout page at once.
        if (
            request is not None
            and not getattr(request, "axes_locked_out", False)
            and ip_limit_reached(request)
        ):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None,
    credentials: dict[str, Any] | None,
) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE), saying which limit was reached:
    the IP address's, a sign-in link's, or an e-mail address's. Axes' own page
    would show a link's hash as the "username"."""
    username = axes_username(request, credentials)
    if ip_limit_reached(request):
        reason, cooloff = (
            "ip",
            timedelta(minutes=settings.AXES_IP_FAILURE_WINDOW_MINUTES),
        )
    else:
        reason = (
            "link" if username and username.startswith(LINK_KEY_PREFIX) else "address"
        )
        cooloff = get_cool_off(request)
    context = {
        "reason": reason,
        "username": username if reason == "address" else "",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": round(cooloff.total_seconds() / 60) if cooloff else None,
    }
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        context,
        status=429,  # Too Many Requests, as axes' own page
    )


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
