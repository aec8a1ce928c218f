"""Creating and editing the kvalitetsdeklaration's texts: prefill, history, lock."""

from __future__ import annotations

import pytest

from reports.kvalitetsdeklaration.services import (
    StaleKvalitetsdeklarationError,
    create_kvalitetsdeklaration,
    update_kvalitetsdeklaration,
)
from reports.models import Kvalitetsdeklaration, KvalitetsdeklarationChange
from surveys.errors import DomainError
from surveys.models import Cycle, User

pytestmark = pytest.mark.django_db


def test_the_first_declaration_starts_with_the_standard_texts(staff_user: User) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2019), actor=staff_user
    )
    assert deklaration.prefilled_from is None
    assert deklaration.created_by == staff_user
    assert deklaration.version == 0
    assert deklaration.documentation_text.startswith(
        "Denna kvalitetsdeklaration utgör en produktbeskrivning"
    )
    assert deklaration.measurement_error_text == ""


def test_it_prefills_from_the_previous_cycle_but_not_the_diarienummer(
    staff_user: User,
) -> None:
    earlier = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2019), actor=staff_user
    )
    update_kvalitetsdeklaration(
        earlier,
        actor=staff_user,
        values={
            "diarienummer": "1234/2019-1",
            "measurement_error_text": "Enkäten testades av statistiker.",
            "documentation_text": "Egen dokumentationstext.",
        },
        expected_version=0,
    )

    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )

    assert deklaration.prefilled_from == earlier
    assert deklaration.measurement_error_text == "Enkäten testades av statistiker."
    assert deklaration.documentation_text == "Egen dokumentationstext."
    assert deklaration.diarienummer == ""
    assert deklaration.changes.count() == 0


def test_a_cycle_has_one_declaration(staff_user: User) -> None:
    cycle = Cycle.objects.get(year=2024)
    create_kvalitetsdeklaration(cycle, actor=staff_user)
    with pytest.raises(DomainError, match="finns redan"):
        create_kvalitetsdeklaration(cycle, actor=staff_user)
    assert Kvalitetsdeklaration.objects.filter(cycle=cycle).count() == 1


def test_respondents_cannot_create_or_edit(staff_user: User, region_user: User) -> None:
    cycle = Cycle.objects.get(year=2024)
    with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
        create_kvalitetsdeklaration(cycle, actor=region_user)
    deklaration = create_kvalitetsdeklaration(cycle, actor=staff_user)
    with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
        update_kvalitetsdeklaration(
            deklaration,
            actor=region_user,
            values={"access_text": "Ändrat"},
            expected_version=0,
        )
    deklaration.refresh_from_db()
    assert deklaration.access_text != "Ändrat"


def test_every_changed_text_is_kept_with_who_and_what(staff_user: User) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )
    first = update_kvalitetsdeklaration(
        deklaration,
        actor=staff_user,
        values={"diarienummer": "95010/2024-4", "measurement_error_text": "A"},
        expected_version=0,
    )
    second = update_kvalitetsdeklaration(
        first,
        actor=staff_user,
        values={"diarienummer": "95010/2024-4", "measurement_error_text": "B "},
        expected_version=1,
    )

    assert (first.version, second.version) == (1, 2)
    assert second.measurement_error_text == "B"
    history = [
        (c.field, c.old_value, c.new_value, c.changed_by, c.version)
        for c in KvalitetsdeklarationChange.objects.filter(deklaration=deklaration)
    ]
    assert history == [
        ("diarienummer", "", "95010/2024-4", staff_user, 1),
        ("measurement_error_text", "", "A", staff_user, 1),
        ("measurement_error_text", "A", "B", staff_user, 2),
    ]


def test_saving_unchanged_texts_changes_nothing(staff_user: User) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )
    same = update_kvalitetsdeklaration(
        deklaration,
        actor=staff_user,
        values={"access_text": deklaration.access_text},
        expected_version=0,
    )
    assert same.version == 0
    assert not KvalitetsdeklarationChange.objects.exists()


def test_a_stale_edit_is_refused_and_saves_nothing(staff_user: User) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )
    update_kvalitetsdeklaration(
        deklaration,
        actor=staff_user,
        values={"measurement_error_text": "Kollegans text"},
        expected_version=0,
    )
    with pytest.raises(StaleKvalitetsdeklarationError) as refused:
        update_kvalitetsdeklaration(
            deklaration,
            actor=staff_user,
            values={"measurement_error_text": "Min text"},
            expected_version=0,
        )
    assert refused.value.current_version == 1
    assert "Någon annan har sparat" in refused.value.message
    deklaration.refresh_from_db()
    assert deklaration.measurement_error_text == "Kollegans text"
    assert deklaration.changes.count() == 1


def test_it_refuses_fields_that_are_not_texts(staff_user: User) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )
    with pytest.raises(DomainError, match="Okända fält: version"):
        update_kvalitetsdeklaration(
            deklaration, actor=staff_user, values={"version": "9"}, expected_version=0
        )


def test_a_too_long_diarienummer_is_refused(staff_user: User) -> None:
    from django.core.exceptions import ValidationError

    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )
    with pytest.raises(ValidationError):
        update_kvalitetsdeklaration(
            deklaration,
            actor=staff_user,
            values={"diarienummer": "x" * 41},
            expected_version=0,
        )
    deklaration.refresh_from_db()
    assert deklaration.version == 0
