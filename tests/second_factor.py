"""Staff sessions in tests pass the second factor the way a person would leave it:
a confirmed authenticator app and the session marked verified by it (django-otp).

The rule itself stays on (signin.middleware); tests/signin drive the real steps.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from surveys.models import User

unverified_force_login = Client.force_login


def totp_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Testapp", confirmed=True
    )


def current_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now, or, when that one was
    already used (django-otp accepts each step once), the next step's, which
    django-otp's tolerance of one step accepts."""
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    counter = max(now, device.last_t + 1)
    return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"


def mark_verified(session: SessionBase, user: User) -> None:
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()


def force_login_with_second_factor(
    self: Client, user: Any, backend: str | None = None
) -> None:
    unverified_force_login(self, user, backend)
    if isinstance(user, User) and user.is_staff_member:
        mark_verified(self.session, user)
