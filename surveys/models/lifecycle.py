"""The record of a questionnaire's lifecycle (issue #15): staff opening, closing
and reopening it, and the deadlines they extend for one organisation.

Written only by surveys.services.lifecycle; the state itself is derived from the
questionnaire's dates (`Questionnaire.state`).
"""

from __future__ import annotations

from django.db import models

from surveys.models.questionnaires import Questionnaire
from surveys.models.register import Organisation
from surveys.models.users import User


class QuestionnaireEvent(models.Model):
    class Kind(models.TextChoices):
        OPENED = "opened", "Öppnad"
        CLOSED = "closed", "Stängd"
        REOPENED = "reopened", "Öppnad igen"

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("händelse", max_length=20, choices=Kind.choices)
    # Null only for the questionnaires of earlier cycles closed by the migration
    # that introduced the lifecycle (surveys 0005).
    actor = models.ForeignKey(
        User,
        verbose_name="av",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField("anledning", blank=True)
    created_at = models.DateTimeField("tidpunkt", auto_now_add=True)

    class Meta:
        verbose_name = "enkäthändelse"
        verbose_name_plural = "enkäthändelser"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class DeadlineExtension(models.Model):
    """A later deadline for one organisation. Several may be granted; the latest
    applies (staff may also correct an extension by granting another)."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="extensions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="deadline_extensions",
    )
    closes_on = models.DateField("ny sista dag")
    reason = models.TextField("anledning")
    granted_by = models.ForeignKey(
        User, verbose_name="beviljad av", on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("beviljad", auto_now_add=True)

    class Meta:
        verbose_name = "förlängd svarstid"
        verbose_name_plural = "förlängda svarstider"
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["questionnaire", "organisation"])]

    def __str__(self) -> str:
        return f"{self.organisation} till {self.closes_on:%Y-%m-%d}"


class DefinitionChange(models.Model):
    """One change to a questionnaire's definition made in the service rather than
    in its file (issue #19): the copy from the previous cycle, and each edit on
    the staff page, with who, when and what it was before and after. Written
    only by surveys.services.next_cycle."""

    class Kind(models.TextChoices):
        COPIED = "copied", "Kopierad från föregående omgång"
        ADDED = "added", "Fråga tillagd"
        REWORDED = "reworded", "Frågetext ändrad"
        REOPTIONED = "reoptioned", "Svarsalternativ ändrade"
        REMOVED = "removed", "Fråga borttagen"

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="definition_changes"
    )
    kind = models.CharField("ändring", max_length=20, choices=Kind.choices)
    number = models.CharField("frågenummer", max_length=10, blank=True)
    variable = models.CharField("variabelnamn", max_length=24, blank=True)
    # What the change replaced and what it wrote, in the file format's words
    # (text, label, options as {code, label}); empty for an addition or removal.
    before = models.JSONField("före", default=dict, blank=True)
    after = models.JSONField("efter", default=dict, blank=True)
    actor = models.ForeignKey(
        User, verbose_name="av", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("tidpunkt", auto_now_add=True)

    class Meta:
        verbose_name = "ändring av enkätdefinition"
        verbose_name_plural = "ändringar av enkätdefinitioner"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()
