"""What /healthz checks: the database, the broker, and the age of beat's heartbeat.

Each check answers in a few seconds at most, so an orchestrator's probe never
hangs on a service that is down; none writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from health.models import Heartbeat
from health.tasks import BEAT


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means: not usable
        return Check("database", False, f"svarar inte: {type(exc).__name__}")
    return Check("database", True, connection.vendor)


def broker() -> Check:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check("broker", True, "ingen (uppgifter körs i webbprocessen)")
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(
                max_retries=1, timeout=settings.HEALTH_TIMEOUT_SECONDS
            )
    except Exception as exc:  # kombu raises many kinds; all mean: unreachable
        return Check("broker", False, f"svarar inte: {type(exc).__name__}")
    return Check("broker", True, "svarar")


def beat() -> Check:
    """Beat's heartbeat is recent: beat sends, the broker carries, a worker runs."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Check("beat", True, "ingen (uppgifter körs i webbprocessen)")
    try:
        last = Heartbeat.objects.filter(name=BEAT).values_list("at", flat=True).first()
    except Exception as exc:  # the database check says why
        return Check("beat", False, f"kan inte läsas: {type(exc).__name__}")
    if last is None:
        return Check("beat", False, "inget livstecken ännu")
    age = (timezone.now() - last).total_seconds()
    limit = settings.HEALTH_BEAT_MAX_AGE_SECONDS
    if age > limit:
        return Check("beat", False, f"senaste för {age:.0f} s sedan (gräns {limit} s)")
    return Check("beat", True, f"senaste för {age:.0f} s sedan")


def all_checks() -> list[Check]:
    return [database(), broker(), beat()]
