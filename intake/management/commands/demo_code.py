"""Prints the staff demo account's current second-factor code (`make demo` only).

The demo's staff account has a TOTP device with the key the README gives
(seed_demo); this spares a new user an authenticator app. Refused without
DEBUG=true, like seed_demo, since the key is public.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.management.commands.seed_demo import DEMO_ACCOUNTS, DEMO_TOTP_DEVICE


class Command(BaseCommand):
    help = "Skriver ut demokontots aktuella kod för andra steget (bara med DEBUG=true)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_code körs bara med DEBUG=true (nyckeln är publik)."
            )
        device = TOTPDevice.objects.filter(
            user__email=DEMO_ACCOUNTS[0][0], name=DEMO_TOTP_DEVICE, confirmed=True
        ).first()
        if device is None:
            raise CommandError(
                "Demokontot saknar enhet: kör make demo (seed_demo) först."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
