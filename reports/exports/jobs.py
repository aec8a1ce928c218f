"""Export jobs (docs/conventions.md §2, §6). `request_export` validates and queues;
the Celery task calls `run_export`, which claims the row with a conditional update
(so a job never runs twice), reports progress on it, and ends it done (file and
manifest stored) or failed (a Swedish message on the row, the exception in the
log). Beat runs `recover_export_jobs` and `delete_expired_export_files`.

Tasks are started through the outbox by name, so nothing here imports
`reports.tasks`.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.services import enqueue, enqueue_many
from reports.exporters import (
    Target,
    clean_export_request,
    cycle_of,
    download_name,
    run_exporter,
)
from reports.models import ExportJob, ExportStatus, ImportJob
from surveys.errors import DomainError
from surveys.models import Questionnaire, User

logger = logging.getLogger(__name__)

RUN_EXPORT_TASK = "reports.tasks.run_export_job"


@transaction.atomic
def request_export(
    target: Target,
    *,
    actor: User,
    kind: str,
    format: str,
    options: Mapping[str, str] | None = None,
) -> ExportJob:
    """Queue an export of a questionnaire or a whole cycle; it runs after commit.

    Raises DomainError unless the actor is staff, and ValidationError keyed by
    field ("kind", "format", "target", "options") with Swedish messages.
    """
    if not actor.is_staff_member:
        raise DomainError("Bara Socialstyrelsen kan beställa exporter.")
    _, cleaned = clean_export_request(
        target, kind=kind, format=format, options=options or {}
    )
    job = ExportJob(
        requested_by=actor,
        cycle=cycle_of(target),
        questionnaire=target if isinstance(target, Questionnaire) else None,
        kind=kind,
        format=format,
        options=cleaned,
    )
    job.full_clean()
    job.save()
    # An outbox row in this transaction: a broker that is down delays the job
    # (beat sends it later) instead of leaving it "I kö" for ever.
    enqueue(RUN_EXPORT_TASK, job.pk)
    return job


class ProgressRecorder:
    """The progress callback given to an exporter: writes to the job's row.

    Throttled, so that an exporter may report as often as it likes: a new message
    is always written; a new percentage under the same message at most once per
    `interval` seconds.
    """

    def __init__(self, job_id: int, *, interval: float, attempt: int = 0) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.interval = interval
        self.last_message: str | None = None
        self.last_percent: int | None = None
        self.last_written = 0.0
        self.writes = 0

    def __call__(self, percent: int, message: str) -> None:
        # 100 means done, which only the runner says, with the file in place.
        percent = max(0, min(99, int(percent)))
        message = message[:200]
        now = time.monotonic()
        if message == self.last_message:
            if percent == self.last_percent:
                return
            if now - self.last_written < self.interval:
                return
        written = timezone.now()
        ExportJob.objects.filter(
            pk=self.job_id, status=ExportStatus.RUNNING, attempts=self.attempt
        ).update(
            progress=percent,
            progress_message=message,
            updated_at=written,
            heartbeat_at=written,
        )
        self.last_message, self.last_percent, self.last_written = message, percent, now
        self.writes += 1


def _target_of(job: ExportJob) -> Target:
    if job.questionnaire_id is not None:
        return Questionnaire.objects.select_related("cycle").get(
            pk=job.questionnaire_id
        )
    return job.cycle


def failure_message(exc: BaseException) -> str:
    """What staff read on the row; the details are in the log."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, SoftTimeLimitExceeded):
        minutes = settings.EXPORT_JOB_TIMEOUT_SECONDS // 60
        return (
            f"Exporten avbröts eftersom den tog längre tid än {minutes} minuter. "
            "Försök igen, eller med ett mindre urval."
        )
    return (
        f"Exporten misslyckades på grund av ett oväntat fel ({type(exc).__name__}). "
        "Felet är loggat; försök igen eller kontakta förvaltningen."
    )


def run_export(job: ExportJob, *, heartbeat: bool = False) -> ExportJob:
    """Run a queued job to the end: done with file and manifest, or failed.

    Not one transaction: progress must be visible to the status page while the
    export runs. The job is claimed with a conditional update, so a second call
    (a redelivered task) changes nothing while the first run is alive; a job
    left running by a dead worker (its heartbeat older than EXPORT_STALE_SECONDS)
    is claimed again and run from the start. Done and failed jobs stay as they
    are. `heartbeat`: write a heartbeat from a thread while the export runs (in
    a worker; an in-process run has no worker to lose).
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    claimable = Q(status=ExportStatus.QUEUED) | Q(
        status=ExportStatus.RUNNING, heartbeat_at__lt=stale
    )
    # Two claims of one stale job cannot both succeed: the first writes a fresh
    # heartbeat, which the second's condition then excludes.
    claimed = ExportJob.objects.filter(claimable, pk=job.pk).update(
        status=ExportStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=0,
        progress_message="Startar",
        error="",
        updated_at=now,
    )
    if not claimed:
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    beat = _Heartbeat(job.pk, job.attempts) if heartbeat else None
    if beat is not None:
        beat.start()
    try:
        return _run_claimed(job)
    finally:
        if beat is not None:
            beat.stop()


class _Heartbeat(threading.Thread):
    """Writes the running job's heartbeat every EXPORT_HEARTBEAT_SECONDS, also
    while the exporter is inside one long query."""

    def __init__(self, job_id: int, attempt: int) -> None:
        super().__init__(name=f"export-heartbeat-{job_id}", daemon=True)
        self.job_id = job_id
        self.attempt = attempt
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.EXPORT_HEARTBEAT_SECONDS):
                ExportJob.objects.filter(
                    pk=self.job_id, status=ExportStatus.RUNNING, attempts=self.attempt
                ).update(heartbeat_at=timezone.now())
        except Exception:
            # A lost heartbeat only makes the job look dead sooner; the export
            # itself reports its own errors.
            logger.exception("Export job %s: heartbeat stopped", self.job_id)
        finally:
            # This thread's own database connection.
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


def _run_claimed(job: ExportJob) -> ExportJob:
    mine = Q(pk=job.pk, status=ExportStatus.RUNNING, attempts=job.attempts)
    recorder = ProgressRecorder(
        job.pk, interval=settings.EXPORT_PROGRESS_INTERVAL_SECONDS, attempt=job.attempts
    )
    stored_name = ""
    try:
        target = _target_of(job)
        kind, options = clean_export_request(
            target, kind=job.kind, format=job.format, options=job.options
        )
        file_name = download_name(target, kind=kind, format=job.format)
        with tempfile.TemporaryDirectory(prefix="export-") as directory:
            path = Path(directory) / file_name
            manifest = run_exporter(
                target,
                kind=kind,
                format=job.format,
                options=options,
                path=path,
                file_name=file_name,
                progress=recorder,
            )
            recorder(99, "Sparar filen")
            with path.open("rb") as stream:
                job.file.save(file_name, File(stream), save=False)
            stored_name = job.file.name or ""
    except Exception as exc:
        logger.exception("Export job %s (%s, %s) failed", job.pk, job.kind, job.format)
        if stored_name:
            job.file.storage.delete(stored_name)
        finished = timezone.now()
        ExportJob.objects.filter(mine).update(
            status=ExportStatus.FAILED,
            error=failure_message(exc),
            progress_message="Misslyckades",
            finished_at=finished,
            updated_at=finished,
        )
        job.refresh_from_db()
        return job
    finished = timezone.now()
    completed = ExportJob.objects.filter(mine).update(
        status=ExportStatus.DONE,
        progress=100,
        progress_message="Klar",
        file=stored_name,
        file_name=file_name,
        manifest=manifest.as_dict(),
        finished_at=finished,
        updated_at=finished,
    )
    if not completed:
        # Marked failed as stale, or re-queued and claimed by another run, while
        # it ran: keep that verdict, drop this run's file.
        job.file.storage.delete(stored_name)
    job.refresh_from_db()
    return job


def fail_stale_export_jobs(*, now: datetime | None = None) -> int:
    """Jobs still running long after the task's hard time limit: a worker died.

    System housekeeping run by beat, so there is no actor; the row says why.
    """
    now = now or timezone.now()
    timeout = settings.EXPORT_JOB_TIMEOUT_SECONDS
    # The task's hard limit is the soft limit plus a minute; allow another minute.
    deadline = now - timedelta(seconds=timeout + 120)
    minutes = timeout // 60
    return ExportJob.objects.filter(
        status=ExportStatus.RUNNING, started_at__lt=deadline
    ).update(
        status=ExportStatus.FAILED,
        error=(
            f"Exporten avbröts: den blev inte klar inom {minutes} minuter "
            "(arbetsprocessen kan ha stoppats). Beställ den igen."
        ),
        progress_message="Misslyckades",
        finished_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class Recovery:
    requeued: int
    failed: int
    redispatched: int


def recover_export_jobs(*, now: datetime | None = None) -> Recovery:
    """Beat's sweep for jobs that lost their worker or never reached one.

    - running, heartbeat older than EXPORT_STALE_SECONDS: the worker died. The
      job is queued again and sent to a worker, or failed with a message once it
      has been started EXPORT_MAX_ATTEMPTS times;
    - queued for longer than EXPORT_QUEUE_TIMEOUT_SECONDS: failed, so that no job
      waits for ever;
    - queued, untouched for EXPORT_STALE_SECONDS: sent to a worker again (the
      run claims the job, so a duplicate changes nothing);
    - running past the task's hard time limit: failed (fail_stale_export_jobs).

    System housekeeping run by beat, so there is no actor; the row says why.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.EXPORT_STALE_SECONDS)
    dead = Q(status=ExportStatus.RUNNING) & (
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at=None, started_at__lt=stale)
    )
    failed = ExportJob.objects.filter(
        dead, attempts__gte=settings.EXPORT_MAX_ATTEMPTS
    ).update(
        status=ExportStatus.FAILED,
        error=(
            "Exporten avbröts eftersom arbetsprocessen som körde den stoppades, "
            "också när den startades om. Beställ den igen."
        ),
        progress_message="Misslyckades",
        finished_at=now,
        updated_at=now,
    )
    queue_deadline = now - timedelta(seconds=settings.EXPORT_QUEUE_TIMEOUT_SECONDS)
    failed += ExportJob.objects.filter(
        status=ExportStatus.QUEUED, created_at__lt=queue_deadline
    ).update(
        status=ExportStatus.FAILED,
        error=(
            "Exporten avbröts eftersom den inte kunde startas "
            "(ingen arbetsprocess var ledig). Beställ den igen."
        ),
        progress_message="Misslyckades",
        finished_at=now,
        updated_at=now,
    )
    failed += fail_stale_export_jobs(now=now)
    with transaction.atomic():
        # Locked, so that two sweeps at once re-queue each job once.
        requeue = list(
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(dead)
            .values_list("pk", flat=True)
        )
        ExportJob.objects.filter(pk__in=requeue).update(
            status=ExportStatus.QUEUED,
            progress=0,
            progress_message="I kö igen efter ett avbrott",
            updated_at=now,
        )
        waiting = list(
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(status=ExportStatus.QUEUED, updated_at__lt=stale)
            .values_list("pk", flat=True)
        )
        # Touched, so the next resend is EXPORT_STALE_SECONDS later.
        ExportJob.objects.filter(pk__in=waiting).update(updated_at=now)
        ids = requeue + waiting
        if ids:
            enqueue_many(RUN_EXPORT_TASK, [[pk] for pk in ids])
    if requeue:
        logger.warning("Export jobs %s lost their worker; queued again", requeue)
    return Recovery(requeued=len(requeue), failed=failed, redispatched=len(waiting))


IMPORT_FILE_RETENTION = timedelta(days=1)


def delete_expired_export_files(*, now: datetime | None = None) -> int:
    """Delete the files of jobs finished more than EXPORT_RETENTION_DAYS ago,
    and uploaded import files left for a day (not counted in the result).

    The rows stay (who asked for what, and the manifest with the file's SHA-256);
    only the file goes. System housekeeping run by beat, so there is no actor.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    deleted = 0
    expired = ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file="")
    for job in expired.only("pk", "file"):
        job.file.storage.delete(job.file.name or "")
        deleted += ExportJob.objects.filter(pk=job.pk).update(
            file="", file_deleted_at=now, updated_at=now
        )
    # An uploaded raw-data file that was checked but never confirmed holds
    # answers (personal data too): kept a day, not a month.
    abandoned = ImportJob.objects.filter(
        updated_at__lt=now - IMPORT_FILE_RETENTION
    ).exclude(file="")
    for import_job in abandoned.only("pk", "file"):
        import_job.file.storage.delete(import_job.file.name or "")
        ImportJob.objects.filter(pk=import_job.pk).update(file="", updated_at=now)
    return deleted
