"""The kvalitetsdeklaration takes the period, the extensions, the closing, the
information letters and the reminder rounds from the lifecycle record and the
message log (issue #15 point 5), not from staff's text."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from reports.kvalitetsdeklaration.figures import compute_kvalitetsdeklaration
from reports.kvalitetsdeklaration.outline import outline
from reports.kvalitetsdeklaration.tables import Table
from surveys.formatting import swedish_date
from surveys.models import Cycle, MailingKind, Questionnaire, Region, User
from surveys.services import close_questionnaire, extend_deadline
from surveys.services.rounds import DEFAULT_TEXTS, schedule_round

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def table(caption: str) -> Table:
    computed = compute_kvalitetsdeklaration(Cycle.objects.get(year=2024))
    return next(
        t
        for chapter in outline(computed)
        for part in chapter.parts
        for t in part.tables
        if t.caption.startswith(caption)
    )


def facts() -> list[str]:
    computed = compute_kvalitetsdeklaration(Cycle.objects.get(year=2024))
    return [f for chapter in outline(computed) for p in chapter.parts for f in p.facts]


def send(questionnaire: Questionnaire, kind: str, staff_user: User) -> None:
    subject, body = DEFAULT_TEXTS[kind]
    schedule_round(
        questionnaire,
        kind=MailingKind(kind),
        subject=subject,
        body=body,
        actor=staff_user,
    )


def test_period_extensions_closing_letters_and_rounds_come_from_the_record(
    staff_user: User,
    region: Region,
    other_region: Region,
    region_user: User,
    other_region_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    for organisation, day in ((region, 20), (other_region, 30)):
        extend_deadline(
            questionnaire,
            organisation=organisation,
            closes_on=datetime.date(2025, 4, day),
            reason="Begärt av regionen.",
            actor=staff_user,
        )
    with django_capture_on_commit_callbacks(execute=True):
        send(questionnaire, MailingKind.INFORMATION, staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        send(questionnaire, MailingKind.REMINDER, staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        send(questionnaire, MailingKind.EXTRA_REMINDER, staff_user)

    today = swedish_date(timezone.localdate())
    reminders = {row[0]: row[1:] for row in table("Påminnelser per enkät").rows}
    assert reminders[questionnaire.title] == ("1", today, "1")

    periods = {row[0]: row[1:] for row in table("Insamlingsperiod").rows}
    assert periods[questionnaire.title][:4] == (
        "29 november 2024",
        "31 mars 2025",
        "2 organisationer, senast till 30 april 2025",
        "ännu inte stängd",
    )
    assert (
        f"Informationsbrev om {questionnaire.title} skickades {today} "
        "till 2 organisationer." in facts()
    )

    close_questionnaire(questionnaire, actor=staff_user, reason="Klar.")
    periods = {row[0]: row[1:] for row in table("Insamlingsperiod").rows}
    assert periods[questionnaire.title][3] == today
    # The other questionnaires of the cycle have no extension, letter or round.
    rss = Questionnaire.objects.get(cycle__year=2024, key="rss")
    assert periods[rss.title][2:4] == ("–", "ännu inte stängd")
    reminders = {row[0]: row[1:] for row in table("Påminnelser per enkät").rows}
    assert reminders[rss.title] == ("0", "–", "0")


def test_a_questionnaire_closed_without_a_staff_record_has_no_invented_date(
    staff_user: User,
) -> None:
    """The earlier cycles closed by the migration that introduced the
    lifecycle: closed, but the day is unknown."""
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="rss")
    Questionnaire.objects.filter(pk=questionnaire.pk).update(closed_at=timezone.now())
    periods = {row[0]: row[1:] for row in table("Insamlingsperiod").rows}
    assert periods[questionnaire.title][3] == "uppgift saknas"
