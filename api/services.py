"""Creating and revoking personal API tokens (docs/conventions.md §2)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken, TokenScope
from surveys.errors import DomainError
from surveys.models import User
from surveys.sheet_text import holdable

# Every secret starts with this, so a leaked one is recognisable (secret scanners).
SECRET_PREFIX = "nv_"  # noqa: S105 - a marker, not a secret


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def create_api_token(*, actor: User, name: str, scope: str, days: int) -> CreatedToken:
    """A new token for the actor. Raises ValidationError keyed by field."""
    if not actor.is_active:
        raise DomainError("Kontot är inte aktivt.")
    errors: dict[str, list[str]] = {}
    name = holdable(name).strip()
    if not name:
        errors["name"] = ["Ge nyckeln ett namn, t.ex. systemet som ska använda den."]
    elif len(name) > 100:
        errors["name"] = [f"Namnet får vara högst 100 tecken (nu {len(name)})."]
    if scope not in TokenScope.values:
        errors["scope"] = ["Välj läsa eller läsa och skriva."]
    max_days = settings.API_TOKEN_MAX_DAYS
    if not 1 <= days <= max_days:
        errors["days"] = [f"En nyckel kan gälla från 1 till {max_days} dagar."]
    if errors:
        raise ValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=actor,
        name=name,
        prefix=secret[:10],
        digest=digest_of(secret),
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return CreatedToken(token, secret)


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking twice changes nothing."""
    if token.user_id != actor.pk:
        raise DomainError("Du kan bara återkalla dina egna nycklar.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# Writing last_used_at on every call would make each read a write; once a minute
# says as much to the user who wonders whether a token is still in use.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def record_token_use(token: ApiToken, *, now: datetime) -> None:
    """Note that the token was used (shown on the token page)."""
    last = token.last_used_at
    if last is None or now - last > LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
