"""Beat's heartbeat, recorded by the worker that runs it (health/checks.py reads it)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from health.models import Heartbeat

BEAT = "beat"


@shared_task(name="health.tasks.heartbeat")
def heartbeat() -> str:
    """Records that beat sent this and a worker ran it, through the broker."""
    Heartbeat.objects.update_or_create(name=BEAT, defaults={"at": timezone.now()})
    return "ok"
