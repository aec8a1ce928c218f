"""The outbox: background work recorded in the same transaction as the change
that needs it (docs/background-work.md)."""

from __future__ import annotations

from django.db import models


class OutboxState(models.TextChoices):
    PENDING = "pending", "Väntar"
    SENT = "sent", "Lämnad till kön"


class OutboxTask(models.Model):
    """One Celery task a committed change asked for.

    Pending until the broker has accepted it; beat re-dispatches pending rows, so
    a broker that was down when the change committed only delays the work.
    """

    task_name = models.CharField("uppgift", max_length=200)
    args = models.JSONField("argument", default=list, blank=True)
    state = models.CharField(
        "läge",
        max_length=10,
        choices=OutboxState.choices,
        default=OutboxState.PENDING,
    )
    attempts = models.PositiveIntegerField("försök", default=0)
    next_attempt_at = models.DateTimeField("nästa försök", null=True, blank=True)
    last_error = models.TextField("senaste fel", blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    dispatched_at = models.DateTimeField("lämnad till kön", null=True, blank=True)

    class Meta:
        verbose_name = "bakgrundsuppgift"
        verbose_name_plural = "bakgrundsuppgifter"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk} ({self.get_state_display()})"
