"""Accounts: users sign in by e-mail, and roles give them organisations to answer for.

Separate from the register: a user is not part of the organisation register's
history, and the sign-in code (surveys.auth) needs only this.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from surveys.models.register import Organisation


class EmailUserManager(UserManager["User"]):
    """Users sign in with their e-mail address; the username mirrors it."""

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email)
        return super().create_superuser(email=email, password=password, **extra)


class User(AbstractUser):
    email = models.EmailField("e-postadress", unique=True)
    phone = models.CharField("telefon", max_length=40, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["username"]

    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        verbose_name = "användare"
        verbose_name_plural = "användare"

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_staff_member(self) -> bool:
        """Socialstyrelsen staff with a working account: the one staff check.
        `is_staff` alone stays true on a deactivated account (issue #14)."""
        return self.is_active and self.is_staff


class OrganisationRole(models.Model):
    """A user's right to answer for one organisation (region contact, RSS
    coordinator or kommun respondent). Socialstyrelsen staff are `is_staff` users
    and need no role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="roles"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "behörighet"
        verbose_name_plural = "behörigheter"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="organisationrole_user_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"
