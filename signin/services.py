"""Writes of sign-in: matching an OpenID Connect identity to an account, and the
staff's second factor (enrolment, recovery codes)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.models import (
    OidcIdentity,
    RecoveryCode,
    recovery_digest,
)
from surveys.auth import normalise_email, user_by_email
from surveys.errors import DomainError
from surveys.models import User

UNKNOWN_ACCOUNT = (
    "Det finns inget konto i Nära vård-uppföljningen för den du loggade in som "
    "hos din organisation. Be Socialstyrelsen om en inbjudan."
)
INACTIVE_ACCOUNT = (
    "Ditt konto är avstängt. Kontakta Socialstyrelsen om du ska ha tillgång igen."
)
OTHER_SUBJECT = (
    "Kontot är redan kopplat till en annan inloggning hos din organisation. "
    "Kontakta Socialstyrelsen."
)
RECOVERY_CODE_COUNT = 10
# Ten characters of this alphabet: 50 bits per code, no 0/O or 1/l to misread.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def account_for_oidc(*, issuer: str, claims: dict[str, Any]) -> User:
    """The account of a person the provider vouched for (claims of a verified ID
    token and userinfo): by issuer and subject, else by a verified e-mail address
    (then the subject is recorded), else a new account when OIDC_CREATE_USERS.
    Raises DomainError (Swedish) for an unknown person or an inactive account."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise DomainError(UNKNOWN_ACCOUNT)
    identity = (
        OidcIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        user = identity.user
    else:
        found = _user_by_verified_email(claims) or _created_user(claims)
        if found is None:
            raise DomainError(UNKNOWN_ACCOUNT)
        user = found
        if not user.is_active:
            raise DomainError(INACTIVE_ACCOUNT)
        try:
            with transaction.atomic():
                identity = OidcIdentity.objects.create(
                    user=user, issuer=issuer, subject=subject
                )
        except IntegrityError as exc:
            raise DomainError(OTHER_SUBJECT) from exc
    if not user.is_active:
        raise DomainError(INACTIVE_ACCOUNT)
    OidcIdentity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())
    return user


def _user_by_verified_email(claims: dict[str, Any]) -> User | None:
    email = claims.get("email")
    # Only an address the provider says it verified: anyone can type any address
    # into their profile at some providers.
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        return None
    return user_by_email(email)


def _created_user(claims: dict[str, Any]) -> User | None:
    """A new account without any organisation (staff grant roles), only where the
    deployment trusts everyone its provider signs in (OIDC_CREATE_USERS)."""
    email = claims.get("email")
    if not settings.OIDC_CREATE_USERS or not isinstance(email, str):
        return None
    if claims.get("email_verified") is not True:
        return None
    user = User.objects.create_user(email=normalise_email(email), password=None)
    name = claims.get("name")
    if isinstance(name, str) and name:
        first, _, last = name.partition(" ")
        user.first_name, user.last_name = first[:150], last[:150]
        user.save(update_fields=["first_name", "last_name"])
    return user


def pending_totp_device(*, actor: User) -> TOTPDevice:
    """The authenticator app being enrolled: unconfirmed until a code from it is
    entered, and reused on reload so the QR code stays the same."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=actor, name="Autentiseringsapp", confirmed=False
        )
    return device


@transaction.atomic
def confirm_totp_device(*, actor: User, device: TOTPDevice) -> list[str]:
    """Marks the enrolled app confirmed and issues new recovery codes, returned
    once in plain text (only their hashes are stored)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Earlier unconfirmed attempts would only confuse the device list.
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return issue_recovery_codes(actor=actor)


@transaction.atomic
def issue_recovery_codes(*, actor: User) -> list[str]:
    """Ten new recovery codes for `actor`; earlier ones stop working."""
    RecoveryCode.objects.filter(user=actor).delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=actor, digest=recovery_digest(code)) for code in codes
    )
    return codes


def use_recovery_code(*, actor: User, code: str) -> bool:
    """Spends one of `actor`'s unused recovery codes; False when `code` is none
    of them. A single UPDATE, so two tabs cannot spend the same code twice."""
    if not code.strip():
        return False
    spent = RecoveryCode.objects.filter(
        user=actor, digest=recovery_digest(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return spent == 1


def _new_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"
