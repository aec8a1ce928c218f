"""Writes in the reports app (docs/conventions.md §2, §6):

- the kvalitetsdeklaration's texts. History is one `KvalitetsdeklarationChange`
  row per changed field, written in the same transaction, as `intake` does for
  answers (django-simple-history would snapshot whole rows through signals; staff
  read a per-field old/new);
- importing raw data (`import_responses`), through `intake.services.save_answers`;
- export jobs. `request_export` validates and queues; the Celery task calls
  `run_export`, which claims the row with a conditional update (so a job never
  runs twice), reports progress on it, and ends it done (file and manifest
  stored) or failed (a Swedish message on the row, the exception in the log).
  Beat runs `recover_export_jobs` and `delete_expired_export_files`.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from intake.models import Channel
from intake.services import (
    get_or_create_response,
    save_answers,
    submit_response,
    update_contact_details,
)
from outbox.services import enqueue, enqueue_many
from reports.exporters import (
    Target,
    clean_export_request,
    cycle_of,
    download_name,
    run_exporter,
)
from reports.importing import (
    ImportPlan,
    PlannedResponse,
    RawDataImportError,
    plan_import,
)
from reports.models import (
    NOT_PREFILLED,
    TEXT_FIELDS,
    ExportJob,
    ExportStatus,
    ImportJob,
    ImportStage,
    Kvalitetsdeklaration,
    KvalitetsdeklarationChange,
)
from surveys.errors import DomainError
from surveys.models import Cycle, Questionnaire, User


class StaleKvalitetsdeklarationError(DomainError):
    """Someone else saved the declaration after this user loaded it."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            "Någon annan har sparat ändringar i kvalitetsdeklarationen sedan du "
            "öppnade den. Dina ändringar har inte sparats men finns kvar i formuläret; "
            "se vad som ändrats och spara igen."
        )


def _require_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise DomainError("Bara Socialstyrelsen kan ändra kvalitetsdeklarationen.")


def previous_kvalitetsdeklaration(cycle: Cycle) -> Kvalitetsdeklaration | None:
    """The declaration of the latest earlier cycle that has one."""
    return (
        Kvalitetsdeklaration.objects.filter(cycle__year__lt=cycle.year)
        .order_by("-cycle__year")
        .first()
    )


@transaction.atomic
def create_kvalitetsdeklaration(cycle: Cycle, *, actor: User) -> Kvalitetsdeklaration:
    """Start a cycle's declaration with the previous cycle's texts (all but the
    year-specific diarienummer); without a previous one, with the standard texts."""
    _require_staff(actor)
    if Kvalitetsdeklaration.objects.filter(cycle=cycle).exists():
        raise DomainError(f"Kvalitetsdeklarationen för {cycle.year} finns redan.")
    previous = previous_kvalitetsdeklaration(cycle)
    deklaration = Kvalitetsdeklaration(
        cycle=cycle, created_by=actor, prefilled_from=previous
    )
    if previous is not None:
        for field in TEXT_FIELDS:
            if field not in NOT_PREFILLED:
                setattr(deklaration, field, getattr(previous, field))
    deklaration.full_clean()
    deklaration.save()
    return deklaration


@transaction.atomic
def update_kvalitetsdeklaration(
    deklaration: Kvalitetsdeklaration,
    *,
    actor: User,
    values: Mapping[str, str],
    expected_version: int,
) -> Kvalitetsdeklaration:
    """Change the texts named in `values`; the others stay.

    Refused with `StaleKvalitetsdeklarationError` when the declaration was saved by
    someone else after `expected_version` was read. Each changed field gets a
    history row; saving unchanged texts changes nothing, not even the version.
    """
    _require_staff(actor)
    unknown = set(values) - set(TEXT_FIELDS)
    if unknown:
        raise DomainError(f"Okända fält: {', '.join(sorted(unknown))}.")
    current = Kvalitetsdeklaration.objects.select_for_update().get(pk=deklaration.pk)
    if current.version != expected_version:
        raise StaleKvalitetsdeklarationError(current.version)
    changed = {
        field: value.strip()
        for field, value in values.items()
        if getattr(current, field) != value.strip()
    }
    if not changed:
        return current
    old = {field: getattr(current, field) for field in changed}
    for field, value in changed.items():
        setattr(current, field, value)
    current.full_clean()
    now = timezone.now()
    updated = Kvalitetsdeklaration.objects.filter(
        pk=current.pk, version=expected_version
    ).update(**changed, version=F("version") + 1, updated_at=now)
    if not updated:  # only reachable where select_for_update does not lock (SQLite)
        raise StaleKvalitetsdeklarationError(
            Kvalitetsdeklaration.objects.values_list("version", flat=True).get(
                pk=current.pk
            )
        )
    KvalitetsdeklarationChange.objects.bulk_create(
        KvalitetsdeklarationChange(
            deklaration=current,
            field=field,
            old_value=old[field],
            new_value=value,
            changed_by=actor,
            version=expected_version + 1,
        )
        for field, value in changed.items()
    )
    current.refresh_from_db()
    return current


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, as a dry run, would do)."""

    rows: int
    new_responses: int
    updated_responses: int
    submitted: int
    answered_questions: int
    skipped: int
    dry_run: bool
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(cls, plan: ImportPlan, *, dry_run: bool) -> ImportSummary:
        return cls(
            rows=len(plan.rows),
            new_responses=plan.new_responses,
            updated_responses=plan.updated_responses,
            submitted=plan.to_submit,
            answered_questions=sum(r.answered_questions for r in plan.rows),
            skipped=plan.skipped,
            dry_run=dry_run,
            warnings=tuple(plan.warnings),
        )


@transaction.atomic
def import_responses(
    questionnaire: Questionnaire,
    content: bytes,
    *,
    actor: User,
    file_name: str = "",
    submit: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Load raw data (the export's layout, CSV or .xlsx) into a questionnaire.

    The whole file is validated first (`reports.importing.plan_import`); if
    anything is wrong, RawDataImportError lists every problem by row and column
    and nothing is saved. Otherwise, in one transaction, each row goes through
    `intake.services.save_answers` with channel «Import», so history, validation
    and display conditions apply as for every other channel. A rule only the
    services know, or answers that changed since the check (e.g. a kommun answer
    behind an RSS count), raises RawDataImportError naming the row, and nothing
    is saved.

    With `submit`, the rows whose `status` is «Inskickad» are marked submitted
    with the time in `inskickad` (or now), without a receipt e-mail; other rows
    stay in progress. Without it nothing is submitted. An RSS row whose kommun
    counts come with their bases (`_svarat`, `_ejsvarat`, `_ejaktuell`) is
    submitted with the file's counts; one without them is frozen from the
    kommun answers in the database, as a submission on the web is.
    """
    plan = plan_import(questionnaire, content, submit=submit)
    if plan.errors:
        raise RawDataImportError(plan.errors)
    if dry_run:
        return ImportSummary.of(plan, dry_run=True)
    reason = f"Import från {file_name}" if file_name else "Import"
    for row in plan.rows:
        try:
            _import_row(questionnaire, row, actor=actor, reason=reason[:300])
        except ValidationError as exc:
            # A rule only the services know, or answers changed since the check
            # (a kommun's answer behind an RSS count): nothing is saved.
            raise RawDataImportError(
                [
                    f"Rad {row.line}, fråga {variable}: {message}"
                    for variable, messages in exc.message_dict.items()
                    for message in messages
                ]
                if hasattr(exc, "error_dict")
                else [f"Rad {row.line}: {message}" for message in exc.messages]
            ) from exc
        except DomainError as exc:
            raise RawDataImportError([f"Rad {row.line}: {exc.message}"]) from exc
    return ImportSummary.of(plan, dry_run=False)


def _import_row(
    questionnaire: Questionnaire, row: PlannedResponse, *, actor: User, reason: str
) -> None:
    response = get_or_create_response(questionnaire, organisation=row.organisation)
    response = save_answers(
        response,
        actor=actor,
        channel=Channel.IMPORT,
        values=row.values,
        reason=reason,
    )
    if row.contacts is not None:
        name, email, phone = row.contacts
        response = update_contact_details(
            response, actor=actor, name=name, email=email, phone=phone
        )
    if row.submit:
        submit_response(
            response,
            actor=actor,
            submitted_at=row.submitted_at,
            notify=False,
            freeze_counts=not row.carries_count_bases,
            # The file records what was submitted; the plan warned about
            # required questions left unanswered.
            require_complete=False,
        )


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


# --- raw-data imports in the worker (issue #13 point 6) -----------------------------

IMPORT_FAILED = (
    "Inläsningen kunde inte göras på grund av ett tekniskt fel. Försök igen; "
    "kvarstår felet, kontakta förvaltningen."
)


def imports_in_worker(size: int) -> bool:
    """A file this large is checked and imported by a Celery task, not in the
    web request (settings.IMPORT_IN_WORKER_BYTES)."""
    return size > settings.IMPORT_IN_WORKER_BYTES


def request_import(
    questionnaire: Questionnaire,
    content: bytes,
    *,
    actor: User,
    file_name: str,
    submit: bool,
) -> ImportJob:
    """Keep the file and queue its check; nothing is saved to the responses
    until staff confirm the checked file (`confirm_import`)."""
    if not actor.is_staff_member:
        raise DomainError("Bara Socialstyrelsen kan läsa in rådata.")
    job = ImportJob(
        requested_by=actor,
        questionnaire=questionnaire,
        file_name=file_name[:200],
        submit=submit,
    )
    job.file.save("import", ContentFile(content), save=False)
    job.save()
    _start_import(job)
    return job


def confirm_import(job: ImportJob, *, actor: User) -> ImportJob:
    """Queue the import of a checked file."""
    if not actor.is_staff_member:
        raise DomainError("Bara Socialstyrelsen kan läsa in rådata.")
    updated = ImportJob.objects.filter(
        pk=job.pk, stage=ImportStage.CHECK, status=ExportStatus.DONE
    ).update(stage=ImportStage.APPLY, status=ExportStatus.QUEUED)
    if not updated:
        raise DomainError("Filen är redan inläst eller inte kontrollerad.")
    job.refresh_from_db()
    _start_import(job)
    return job


RUN_IMPORT_TASK = "reports.tasks.run_import_job"


def _start_import(job: ImportJob) -> None:
    # The same start as every task: an outbox row in this transaction, sent
    # after commit and again while pending; run_import claims the job, so a
    # second delivery changes nothing (docs/background-work.md).
    enqueue(RUN_IMPORT_TASK, job.pk)


IMPORT_INTERRUPTED = (
    "Inläsningen avbröts eftersom arbetsprocessen som körde den stoppades. "
    "Kontrollera enkätens svar och läs in filen igen om de saknas."
)


def recover_import_jobs(*, now: datetime | None = None) -> Recovery:
    """Import jobs whose worker died: running past the task's hard time limit
    and EXPORT_STALE_SECONDS more. A check (a dry run) is queued again, which is
    harmless; an interrupted import is failed with a message instead, since its
    transaction may or may not have committed before the worker died. A queued
    job is sent again by the outbox until the broker takes it, and the claim
    makes a second delivery a no-op."""
    now = now or timezone.now()
    limit = now - timedelta(
        seconds=settings.EXPORT_JOB_TIMEOUT_SECONDS + 60 + settings.EXPORT_STALE_SECONDS
    )
    dead = ImportJob.objects.filter(status=ExportStatus.RUNNING, updated_at__lt=limit)
    requeue = list(dead.filter(stage=ImportStage.CHECK).values_list("pk", flat=True))
    ImportJob.objects.filter(pk__in=requeue).update(
        status=ExportStatus.QUEUED, updated_at=now
    )
    for pk in requeue:
        enqueue(RUN_IMPORT_TASK, pk)
    failed = dead.filter(stage=ImportStage.APPLY).update(
        status=ExportStatus.FAILED, errors=[IMPORT_INTERRUPTED], updated_at=now
    )
    if requeue or failed:
        logger.warning("Import jobs lost their worker: %s queued again", requeue)
    return Recovery(requeued=len(requeue), failed=failed, redispatched=0)


def run_import(job: ImportJob) -> ImportJob:
    """The task's work: check (a dry run) or import the job's file; the result
    or the Swedish errors go on the row."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        return job
    job.refresh_from_db()
    try:
        with job.file.open("rb") as handle:
            content = handle.read()
        summary = import_responses(
            job.questionnaire,
            content,
            actor=job.requested_by,
            file_name=job.file_name,
            submit=job.submit,
            dry_run=job.stage == ImportStage.CHECK,
        )
    except RawDataImportError as exc:
        job.errors, job.summary = exc.errors, {"title": exc.message}
        job.status = ExportStatus.FAILED
    except Exception:
        logger.exception("raw-data import job %s failed", job.pk)
        job.errors, job.summary = [IMPORT_FAILED], None
        job.status = ExportStatus.FAILED
    else:
        job.summary, job.errors = asdict(summary), []
        job.status = ExportStatus.DONE
    if job.stage == ImportStage.APPLY or job.status == ExportStatus.FAILED:
        job.file.delete(save=False)  # the data is in the responses, or refused
    job.save(update_fields=["status", "summary", "errors", "file", "updated_at"])
    return job
