"""When the periodic processes last showed they are alive (issue #18)."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last time a named periodic task ran in a worker.

    Beat sends `health.tasks.heartbeat` every CELERY_HEARTBEAT_SECONDS and a
    worker records it here, so its age says whether beat, the broker and a
    worker all work: /healthz reports it (health/checks.py).
    """

    name = models.SlugField("namn", max_length=40, unique=True)
    at = models.DateTimeField("senast")

    class Meta:
        verbose_name = "livstecken"
        verbose_name_plural = "livstecken"

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
