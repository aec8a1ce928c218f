"""Importing raw data (docs/conventions.md §2, §6): `import_responses`, through
`intake.services.save_answers`, and the import jobs that run it in the worker
(issue #13 point 6).

Separate from the export jobs because it writes responses, not files; it shares
their failure message and recovery result (`reports.exports.jobs`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from intake.models import Channel
from intake.services import (
    BulkSaveError,
    Submission,
    get_or_create_response,
    get_or_create_responses,
    save_answers,
    submit_response,
    submit_responses_in_bulk,
    update_contact_details,
)
from intake.services.bulk import save_answers_in_bulk_with_cells
from outbox.services import enqueue
from reports.exports.jobs import Recovery
from reports.imports.importing import ImportPlan, PlannedResponse, plan_import
from reports.imports.reading import RawDataImportError
from reports.models import ExportStatus, ImportJob, ImportStage
from surveys.errors import DomainError
from surveys.models import OrganisationKind, Questionnaire, User

# Said in the history of every answer and submission an import of historical
# data (issue #16 point 8) writes.
HISTORICAL = "historiska uppgifter"


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
    # Historical data (issue #16 point 8): submitted rows may keep required
    # questions unanswered; `incomplete` counts the rows that do.
    historical: bool = False
    incomplete: int = 0

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
            historical=plan.historical,
            incomplete=sum(1 for r in plan.rows if r.incomplete),
        )


@transaction.atomic
def import_responses(
    questionnaire: Questionnaire,
    content: bytes,
    *,
    actor: User,
    file_name: str = "",
    submit: bool = False,
    historical: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Load raw data (the export's layout, CSV or .xlsx) into a questionnaire.

    The whole file is validated first (`reports.imports.importing.plan_import`); if
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

    A row to be submitted with a required answer missing is refused unless
    `historical` (staff's explicit choice: data of an earlier year, submitted
    as it was); the answer history's reason and the submission's event then
    say so, and the summary records the choice.
    """
    plan = plan_import(questionnaire, content, submit=submit, historical=historical)
    if plan.errors:
        raise RawDataImportError(plan.errors)
    if dry_run:
        return ImportSummary.of(plan, dry_run=True)
    reason = f"Import från {file_name}" if file_name else "Import"
    if historical:
        reason += f" ({HISTORICAL})"
    reason = reason[:300]
    try:
        if questionnaire.audience == OrganisationKind.RSS:
            # Kommun counts are checked against the kommun answers and frozen on
            # submit one RSS at a time (at most the 24 RSS of a cycle).
            for row in plan.rows:
                with _refused_at(row):
                    _import_row(questionnaire, row, actor=actor, reason=reason)
        else:
            _import_rows(questionnaire, plan.rows, actor=actor, reason=reason)
    except RawDataImportError:
        raise  # already names the row
    except ValidationError as exc:
        # A rule only the services know, or answers changed since the check:
        # nothing is saved (the transaction rolls back).
        raise RawDataImportError(_messages(exc)) from exc
    except DomainError as exc:
        raise RawDataImportError([exc.message]) from exc
    return ImportSummary.of(plan, dry_run=False)


@contextmanager
def _refused_at(row: PlannedResponse) -> Iterator[None]:
    """A service's refusal of one row, named by its line in the file."""
    try:
        yield
    except ValidationError as exc:
        raise RawDataImportError(
            [f"Rad {row.line}{message}" for message in _messages(exc, prefix=True)]
        ) from exc
    except DomainError as exc:
        raise RawDataImportError([f"Rad {row.line}: {exc.message}"]) from exc


def _messages(exc: ValidationError, *, prefix: bool = False) -> list[str]:
    """`, fråga x: message` (with `prefix`) or `Fråga x: message` per problem."""
    if hasattr(exc, "error_dict"):
        return [
            f", fråga {variable}: {message}"
            if prefix
            else f"Fråga {variable}: {message}"
            for variable, messages in exc.message_dict.items()
            for message in messages
        ]
    return [f": {m}" if prefix else m for m in exc.messages]


def _import_rows(
    questionnaire: Questionnaire,
    rows: Sequence[PlannedResponse],
    *,
    actor: User,
    reason: str,
) -> None:
    """Every row of a region or kommun file through the services' bulk
    variants: the same validation, conditions, history, version lock and
    submission rules as row by row, in a fixed number of queries (issue #20)."""
    responses = get_or_create_responses(
        questionnaire,
        organisations=[row.organisation for row in rows],
        channel=Channel.IMPORT,
    )
    try:
        saved = save_answers_in_bulk_with_cells(
            [
                (response, row.values)
                for response, row in zip(responses, rows, strict=True)
            ],
            actor=actor,
            channel=Channel.IMPORT,
            reason=reason,
        )
    except BulkSaveError as exc:
        with _refused_at(rows[exc.index]):
            raise exc.error from exc
    for response, row in zip(responses, rows, strict=True):
        if row.contacts is not None:
            name, email, phone = row.contacts
            with _refused_at(row):
                update_contact_details(
                    response,
                    actor=actor,
                    name=name,
                    email=email,
                    phone=phone,
                    channel=Channel.IMPORT,
                )
    submit_responses_in_bulk(
        [
            Submission(
                response,
                submitted_at=row.submitted_at,
                require_complete=not row.incomplete,
                reason=_incomplete_reason(reason, row),
            )
            for response, row in zip(responses, rows, strict=True)
            if row.submit
        ],
        actor=actor,
        channel=Channel.IMPORT,
        notify=False,
        # Judged complete on the answers just saved, without reading them back.
        cells=saved.cells,
    )


def _incomplete_reason(reason: str, row: PlannedResponse) -> str:
    """The submission event's reason when historical data keeps required
    questions unanswered; empty otherwise."""
    if not row.incomplete:
        return ""
    return (
        f"{reason}: obligatoriska frågor utan svar godtogs ("
        + ", ".join(f"fråga {n}" for n in row.incomplete)
        + ")"
    )


def _import_row(
    questionnaire: Questionnaire, row: PlannedResponse, *, actor: User, reason: str
) -> None:
    # Staff's import of answers given elsewhere (an earlier cycle, a file), also
    # into a closed questionnaire: not a respondent's write (intake.writable).
    response = get_or_create_response(
        questionnaire, organisation=row.organisation, channel=Channel.IMPORT
    )
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
            response,
            actor=actor,
            name=name,
            email=email,
            phone=phone,
            channel=Channel.IMPORT,
        )
    if row.submit:
        submit_response(
            response,
            actor=actor,
            submitted_at=row.submitted_at,
            notify=False,
            freeze_counts=not row.carries_count_bases,
            # Only historical data keeps required questions unanswered (the
            # plan refused them otherwise); the event says which.
            require_complete=not row.incomplete,
            channel=Channel.IMPORT,
            reason=_incomplete_reason(reason, row),
        )


logger = logging.getLogger(__name__)

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
    historical: bool = False,
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
        # The choice rides in the summary, which the check rewrites with it
        # (ImportSummary.historical) and the import reads again.
        summary={"historical": historical},
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
            historical=job.historical,
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
