"""The stored rows of free-text theme coding (docs/themes.md).

- `ThemeScheme`: one per coded free-text question; which coder's coding is
  fastställd (counts in tables and exports).
- `Theme`: a theme of the scheme, ordered; removing one keeps the row (and the
  codings that used it) with `removed_at`, so nothing is lost.
- `Coding`: one coder's coding of one organisation's answer (zero or more themes);
  its existence means "coded", so an answer tagged with no theme is not uncoded.
- `CodingChange` and `ThemeEvent`: the history of every change, with who and when.

Imported by `reports.models` so the migrations stay in the reports app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from intake.models import Response
from surveys.models import Question


class ThemeScheme(models.Model):
    question = models.OneToOneField(
        Question,
        verbose_name="fråga",
        on_delete=models.PROTECT,
        related_name="theme_scheme",
    )
    agreed_coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="fastställd kodare",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)

    class Meta:
        verbose_name = "temaindelning"
        verbose_name_plural = "temaindelningar"

    def __str__(self) -> str:
        return f"Teman för {self.question.variable}"


class Theme(models.Model):
    scheme = models.ForeignKey(
        ThemeScheme,
        verbose_name="temaindelning",
        on_delete=models.PROTECT,
        related_name="themes",
    )
    position = models.PositiveIntegerField("ordning")
    name = models.CharField("namn", max_length=120)
    description = models.TextField("beskrivning", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="skapad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    removed_at = models.DateTimeField("borttagen", null=True, blank=True)

    class Meta:
        verbose_name = "tema"
        verbose_name_plural = "teman"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Coding(models.Model):
    scheme = models.ForeignKey(
        ThemeScheme,
        verbose_name="temaindelning",
        on_delete=models.PROTECT,
        related_name="codings",
    )
    response = models.ForeignKey(
        Response,
        verbose_name="svar",
        on_delete=models.PROTECT,
        related_name="theme_codings",
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="kodare",
        on_delete=models.PROTECT,
        related_name="+",
    )
    themes = models.ManyToManyField(
        Theme, verbose_name="teman", blank=True, related_name="codings"
    )
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)

    class Meta:
        verbose_name = "kodning"
        verbose_name_plural = "kodningar"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "response", "coder"], name="one_coding_per_coder"
            )
        ]

    def __str__(self) -> str:
        return f"Kodning av svar {self.response_id}"


class CodingChange(models.Model):
    """A coder's save of one answer: the theme ids before and after."""

    coding = models.ForeignKey(
        Coding, verbose_name="kodning", on_delete=models.PROTECT, related_name="changes"
    )
    old_themes = models.JSONField("tidigare teman", default=list)
    new_themes = models.JSONField("nya teman", default=list)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ändrad av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField("tidpunkt", auto_now_add=True)

    class Meta:
        verbose_name = "kodningsändring"
        verbose_name_plural = "kodningsändringar"
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.old_themes} → {self.new_themes}"


class ThemeEvent(models.Model):
    """A change of the scheme: a theme added, renamed, moved or removed, or the
    fastställd coder chosen."""

    class Kind(models.TextChoices):
        ADDED = "added", "tillagt"
        CHANGED = "changed", "ändrat"
        MOVED = "moved", "flyttat"
        REMOVED = "removed", "borttaget"
        AGREED = "agreed", "fastställd kodare"

    scheme = models.ForeignKey(
        ThemeScheme,
        verbose_name="temaindelning",
        on_delete=models.PROTECT,
        related_name="events",
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name="tema",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField("händelse", max_length=10, choices=Kind.choices)
    detail = models.JSONField("uppgifter", default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utförd av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("tidpunkt", auto_now_add=True)

    class Meta:
        verbose_name = "temahändelse"
        verbose_name_plural = "temahändelser"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()
