"""Writes of the kvalitetsdeklaration's texts (docs/conventions.md §2, §6). History
is one `KvalitetsdeklarationChange` row per changed field, written in the same
transaction, as `intake` does for answers (django-simple-history would snapshot
whole rows through signals; staff read a per-field old/new).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reports.models import (
    NOT_PREFILLED,
    TEXT_FIELDS,
    Kvalitetsdeklaration,
    KvalitetsdeklarationChange,
)
from surveys.errors import DomainError
from surveys.models import Cycle, User


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
