"""Export jobs: a row per requested export (STYLE.md §9).

Staff request an export; a Celery task runs the registered exporter
(`reports.exporters`), reporting progress on the row, and stores the file and
its manifest here. The row outlives the file: retention deletes old files but
keeps who asked for what, when, and the manifest.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from surveys.models import Cycle, Questionnaire


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "I kö"
    RUNNING = "running", "Pågår"
    DONE = "done", "Klar"
    FAILED = "failed", "Misslyckades"


def export_upload_to(instance: ExportJob, filename: str) -> str:
    """A generated name that carries no user input and cannot be guessed:
    exports/2025/03/<random>-<safe download name>."""
    from django.utils import timezone
    from django.utils.text import get_valid_filename

    now = timezone.now()
    safe = get_valid_filename(filename)[-80:] or "export"
    return f"exports/{now:%Y/%m}/{uuid.uuid4().hex}-{safe}"


class ExportJob(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="beställd av",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name="omgång", on_delete=models.PROTECT, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name="enkät",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField("exporttyp", max_length=50)
    format = models.CharField("filformat", max_length=10)
    options = models.JSONField("inställningar", default=dict, blank=True)
    status = models.CharField(
        "status",
        max_length=10,
        choices=ExportStatus.choices,
        default=ExportStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(
        "förlopp (%)", default=0, validators=[MaxValueValidator(100)]
    )
    progress_message = models.CharField(
        "förloppsmeddelande", max_length=200, blank=True
    )
    error = models.TextField("felmeddelande", blank=True)
    file = models.FileField(
        "fil", upload_to=export_upload_to, max_length=300, blank=True
    )
    file_name = models.CharField("filnamn vid nedladdning", max_length=200, blank=True)
    file_deleted_at = models.DateTimeField("fil rensad", null=True, blank=True)
    manifest = models.JSONField("manifest", null=True, blank=True)
    created_at = models.DateTimeField("beställd", auto_now_add=True)
    started_at = models.DateTimeField("startad", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exporter"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="exportjob_progress_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.format}) #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def has_file(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file)
