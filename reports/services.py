"""Writes in the reports app (STYLE.md §2, §6): the kvalitetsdeklaration's texts.

History is kept as one `KvalitetsdeklarationChange` row per changed field, written
by the service in the same transaction, as `intake` does for answers. A history
library (django-simple-history) would snapshot whole rows through signals; the
project writes history in services, and a per-field old/new is what staff read.

Writes of the reports app (STYLE.md §2): importing raw data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from intake.models import Channel
from intake.services import (
    get_or_create_response,
    save_answers,
    submit_response,
    update_contact_details,
)
from reports.importing import ImportPlan, RawDataImportError, plan_import
from reports.models import (
    NOT_PREFILLED,
    TEXT_FIELDS,
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
    if not (actor.is_active and actor.is_staff):
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
