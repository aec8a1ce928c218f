"""Writes of the reports app (STYLE.md §2): importing raw data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from intake.models import Channel
from intake.services import (
    get_or_create_response,
    save_answers,
    submit_response,
    update_contact_details,
)
from reports.importing import ImportPlan, RawDataImportError, plan_import
from surveys.models import Questionnaire, User


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
    and display conditions apply as for every other channel.

    With `submit`, the rows whose `status` is «Inskickad» are marked submitted
    with the time in `inskickad` (or now), without a receipt e-mail; other rows
    stay in progress. Without it nothing is submitted.
    """
    plan = plan_import(questionnaire, content, submit=submit)
    if plan.errors:
        raise RawDataImportError(plan.errors)
    if dry_run:
        return ImportSummary.of(plan, dry_run=True)
    reason = f"Import från {file_name}" if file_name else "Import"
    for row in plan.rows:
        response = get_or_create_response(questionnaire, organisation=row.organisation)
        response = save_answers(
            response,
            actor=actor,
            channel=Channel.IMPORT,
            values=row.values,
            reason=reason[:300],
        )
        if row.contacts is not None:
            name, email, phone = row.contacts
            response = update_contact_details(
                response, actor=actor, name=name, email=email, phone=phone
            )
        if row.submit:
            submit_response(
                response, actor=actor, submitted_at=row.submitted_at, notify=False
            )
    return ImportSummary.of(plan, dry_run=False)
