"""What /healthz checks: the database, the broker, the age of beat's heartbeat,
and the storage of export and import files.

Each check answers in a few seconds at most, so an orchestrator's probe never
hangs on a service that is down; none writes anything.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
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


def storage() -> Check:
    """Export and import files can be reached: the folder can take files, or the
    bucket answers. Run in a thread of its own and given up after
    HEALTH_TIMEOUT_SECONDS: an S3 endpoint that accepts a connection and never
    answers would otherwise hold the probe for botocore's own timeouts (a minute),
    and STORAGE_OPTIONS, being JSON, cannot set them."""
    found: list[Check] = []
    thread = threading.Thread(
        target=lambda: found.append(_probe_storage(storages["default"])),
        name="healthz-storage",
        daemon=True,  # a hung probe must not keep the process from exiting
    )
    thread.start()
    thread.join(settings.HEALTH_TIMEOUT_SECONDS)
    if not found:
        return Check(
            "storage", False, f"svarar inte inom {settings.HEALTH_TIMEOUT_SECONDS} s"
        )
    return found[0]


def _probe_storage(store: Storage) -> Check:
    try:
        if isinstance(store, FileSystemStorage):
            # The folder is made by the first file written to it; until then its
            # nearest existing parent is what must take it.
            root = Path(store.location)
            existing = next(p for p in (root, *root.parents) if p.exists())
            if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
                return Check("storage", False, f"kan inte skriva i {existing}")
            return Check("storage", True, "mapp")
        bucket = getattr(store, "bucket", None)
        if bucket is not None:
            # django-storages' S3: the bucket exists and the keys may use it. A
            # missing object would not tell, so ask about the bucket itself.
            bucket.meta.client.head_bucket(Bucket=bucket.name)
            return Check("storage", True, "bucket svarar")
        store.exists("healthz")  # any other storage: one read
    except Exception as exc:  # drivers raise many kinds; all mean: unusable
        return Check("storage", False, f"svarar inte: {type(exc).__name__}")
    return Check("storage", True, "svarar")


def all_checks() -> list[Check]:
    return [database(), broker(), beat(), storage()]
