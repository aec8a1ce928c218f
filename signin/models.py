"""Who an identity provider's subject is, and the staff's recovery codes."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class OidcIdentity(models.Model):
    """An account's subject at an OpenID Connect provider, recorded at the first
    sign-in matched by verified e-mail. Later sign-ins match on issuer and
    subject, so a changed e-mail address at the provider still finds the account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oidc_identities",
        verbose_name="användare",
    )
    issuer = models.CharField("utfärdare", max_length=500)
    subject = models.CharField("subjekt (sub)", max_length=255)
    created_at = models.DateTimeField("kopplad", default=timezone.now)
    last_used_at = models.DateTimeField("senast använd", null=True, blank=True)

    class Meta:
        verbose_name = "OIDC-identitet"
        verbose_name_plural = "OIDC-identiteter"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="oidc_identity_unique_subject"
            ),
            # One subject per provider and account: a second one would let
            # another person at the provider take the account over.
            models.UniqueConstraint(
                fields=["issuer", "user"], name="oidc_identity_one_per_issuer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


def recovery_digest(code: str) -> str:
    """The stored form of a recovery code. A fast hash suffices: the codes are
    random with 50 bits each, not passwords a person chose."""
    normalised = code.strip().replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(normalised.encode("utf-8", "replace")).hexdigest()


class RecoveryCode(models.Model):
    """One of a staff member's ten recovery codes, stored hashed (django-otp's
    static device would keep them in plain text). Each works once, in place of
    the authenticator app's code; `used_at` records when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recovery_codes",
        verbose_name="användare",
    )
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField("skapad", default=timezone.now)
    used_at = models.DateTimeField("använd", null=True, blank=True)

    class Meta:
        verbose_name = "reservkod"
        verbose_name_plural = "reservkoder"
        indexes = [models.Index(fields=["user", "digest"])]

    def __str__(self) -> str:
        return "använd" if self.used_at else "oanvänd"
