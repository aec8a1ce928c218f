"""Personal API tokens (issue #18).

Only a SHA-256 digest of the secret is stored: the secret is shown once, when
the token is created, and a copy of the database cannot be used to call the API.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenScope(models.TextChoices):
    READ = "read", "Läsa"
    WRITE = "write", "Läsa och skriva"


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="användare",
    )
    name = models.CharField("namn", max_length=100)
    # The first characters of the secret, to tell tokens apart in lists and logs.
    prefix = models.CharField("början", max_length=16)
    digest = models.CharField("SHA-256 av nyckeln", max_length=64, unique=True)
    scope = models.CharField("behörighet", max_length=10, choices=TokenScope.choices)
    created_at = models.DateTimeField("skapad", default=timezone.now)
    expires_at = models.DateTimeField("gäller till")
    revoked_at = models.DateTimeField("återkallad", null=True, blank=True)
    last_used_at = models.DateTimeField("senast använd", null=True, blank=True)

    class Meta:
        verbose_name = "API-nyckel"
        verbose_name_plural = "API-nycklar"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE
