"""Staff's information letter and reminder rounds (issue #15): written from
templates with placeholders, previewed, sent now or scheduled; each e-mail
logged with its type and delivery status; idempotent under retries; never to an
organisation that has submitted or for a questionnaire that is not open, checked
when the mail goes; the extended deadline in the letter; staff only."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import ResponseStatus
from intake.services import get_or_create_response, submit_response
from surveys.errors import DomainError
from surveys.models import (
    Dispatch,
    DispatchStatus,
    Mailing,
    MailingKind,
    Questionnaire,
    Region,
    RoundStatus,
    User,
)
from surveys.selectors import reminders_sent
from surveys.services import close_questionnaire, extend_deadline
from surveys.services.rounds import (
    DEFAULT_TEXTS,
    SUBMITTED,
    cancel_round,
    run_round,
    schedule_round,
)
from surveys.tasks import run_due_rounds, send_dispatch
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture
def questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


@pytest.fixture
def submitted(
    questionnaire: Questionnaire, other_region: Region, other_region_user: User
) -> None:
    """Kronoberg has submitted; Sörmland (region_user) has not."""
    response = get_or_create_response(questionnaire, organisation=other_region)
    submit_response(
        response, actor=other_region_user, require_complete=False, notify=False
    )


@pytest.fixture
def staff(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


def rounds_url(questionnaire: Questionnaire) -> str:
    return reverse("surveys:questionnaire-rounds", args=[questionnaire.pk])


def round_data(kind: str = MailingKind.REMINDER, **extra: Any) -> dict[str, Any]:
    subject, body = DEFAULT_TEXTS[kind]
    return {"kind": kind, "subject": subject, "body": body, "when": "now", **extra}


def schedule(
    questionnaire: Questionnaire,
    staff_user: User,
    *,
    kind: MailingKind = MailingKind.REMINDER,
    send_at: datetime.datetime | None = None,
    organisations: list[int] | None = None,
) -> Mailing:
    subject, body = DEFAULT_TEXTS[kind]
    return schedule_round(
        questionnaire,
        kind=kind,
        subject=subject,
        body=body,
        actor=staff_user,
        send_at=send_at,
        organisations=organisations,
    )


def later() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=2)


def make_due(mailing: Mailing) -> None:
    Mailing.objects.filter(pk=mailing.pk).update(
        scheduled_for=timezone.now() - datetime.timedelta(minutes=1)
    )


def test_surveys_names_the_submitted_status_as_intake_does() -> None:
    assert SUBMITTED == ResponseStatus.SUBMITTED


# --- sending now from the page ---------------------------------------------------------------


def test_a_reminder_round_goes_to_those_who_have_not_submitted(
    staff: Client,
    questionnaire: Questionnaire,
    region: Region,
    region_user: User,
    submitted: None,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(rounds_url(questionnaire), round_data(action="send"))
    assert done.status_code == 302
    (message,) = mail.outbox  # Kronoberg has submitted: nothing for it
    assert message.to == [region_user.email]
    assert message.subject == f"Påminnelse: {questionnaire.title}"
    assert f"Enkäten ”{questionnaire.title}” för {region.name}" in message.body
    assert "Sista dag att svara: 31 mars 2025." in message.body
    assert "sesame=" in message.body
    (round_,) = Mailing.objects.all()
    assert (round_.kind, round_.is_bulk, round_.status) == (
        MailingKind.REMINDER,
        True,
        RoundStatus.SENT,
    )
    (dispatch,) = Dispatch.objects.all()
    assert (dispatch.kind, dispatch.status, dispatch.organisation) == (
        MailingKind.REMINDER,
        DispatchStatus.SENT,
        region,
    )
    page = staff.get(rounds_url(questionnaire)).content.decode()
    assert "Ordinarie påminnelse" in page
    assert "1 / 0 / 0 / 1" in page


def test_the_letter_carries_the_extended_deadline(
    questionnaire: Questionnaire,
    region: Region,
    staff_user: User,
    region_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    extend_deadline(
        questionnaire,
        organisation=region,
        closes_on=datetime.date(2025, 4, 30),
        reason="Ny kontaktperson",
        actor=staff_user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        schedule(questionnaire, staff_user, kind=MailingKind.INFORMATION)
    (message,) = mail.outbox
    assert "Sista dag att svara: 30 april 2025 (förlängd för er)." in message.body


def test_preview_shows_the_letter_for_one_recipient_and_sends_nothing(
    staff: Client, questionnaire: Questionnaire, region: Region, region_user: User
) -> None:
    page = staff.post(
        rounds_url(questionnaire),
        round_data(
            MailingKind.EXTRA_REMINDER, action="preview", organisations=[region.pk]
        ),
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Förhandsgranskning för {region.name}" in html
    assert f"Vi saknar fortfarande svaret från {region.name}" in html
    assert "[personlig inloggningslänk, skapas när mejlet skickas]" in html
    assert not Mailing.objects.exists()


def test_an_unknown_placeholder_is_refused_and_the_text_kept(
    staff: Client, questionnaire: Questionnaire, region_user: User
) -> None:
    data = round_data(action="send")
    data["body"] = "Hej {mottagare}! {länk}"
    refused = staff.post(rounds_url(questionnaire), data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Okänd platshållare: {mottagare}" in html
    assert "Hej {mottagare}!" in html
    assert not Mailing.objects.exists()


def test_a_selection_reaches_only_the_chosen(
    questionnaire: Questionnaire,
    region: Region,
    other_region: Region,
    region_user: User,
    other_region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        schedule(questionnaire, staff_user, organisations=[other_region.pk])
    assert [m.to for m in mail.outbox] == [[other_region_user.email]]


# --- scheduled rounds, retries ------------------------------------------------------------


def test_a_scheduled_round_fires_once(
    staff: Client,
    questionnaire: Questionnaire,
    region_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    at = timezone.localtime(later())
    done = staff.post(
        rounds_url(questionnaire),
        round_data(
            action="send",
            when="later",
            send_date=at.date().isoformat(),
            send_time=at.strftime("%H:%M"),
        ),
    )
    assert done.status_code == 302
    (round_,) = Mailing.objects.all()
    assert round_.status == RoundStatus.SCHEDULED
    with django_capture_on_commit_callbacks(execute=True):
        assert run_due_rounds() == 0  # not yet due
    assert mail.outbox == []
    make_due(round_)
    for _ in range(3):  # beat runs again and again
        with django_capture_on_commit_callbacks(execute=True):
            run_due_rounds()
    assert len(mail.outbox) == 1
    assert Dispatch.objects.count() == 1
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SENT


def test_a_retried_round_sends_nothing_twice(
    questionnaire: Questionnaire,
    region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        round_ = schedule(questionnaire, staff_user)
    assert len(mail.outbox) == 1
    # A worker that died after making the e-mails but before recording it, and
    # the task delivered again: the rows exist, so nothing new is made or sent.
    Mailing.objects.filter(pk=round_.pk).update(status=RoundStatus.SCHEDULED)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_round(round_.pk) == 0
    (dispatch,) = Dispatch.objects.all()
    assert send_dispatch.apply(args=[dispatch.pk]).get() == 0  # already sent
    assert len(mail.outbox) == 1


def test_an_organisation_that_submits_before_the_round_goes_gets_nothing(
    questionnaire: Questionnaire,
    other_region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
    request: pytest.FixtureRequest,
) -> None:
    round_ = schedule(questionnaire, staff_user, send_at=later())
    request.getfixturevalue("submitted")  # Kronoberg submits meanwhile
    make_due(round_)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_rounds()
    assert other_region_user.email not in [m.to[0] for m in mail.outbox]


def test_an_email_queued_before_the_organisation_submitted_is_not_sent(
    questionnaire: Questionnaire,
    other_region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
    request: pytest.FixtureRequest,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule(
            questionnaire,
            staff_user,
            organisations=[other_region_user.roles.get().organisation_id],
        )
    with django_capture_on_commit_callbacks(execute=False) as sends:
        for callback in callbacks:
            callback()  # the round runs: its e-mail is queued
    request.getfixturevalue("submitted")
    for send in sends:
        send()
    dispatch = Dispatch.objects.get()
    assert dispatch.status == DispatchStatus.SKIPPED
    assert dispatch.error == "Organisationen hade redan skickat in."
    assert mail.outbox == []


def test_nothing_is_scheduled_for_a_closed_questionnaire(
    questionnaire: Questionnaire, staff_user: User
) -> None:
    close_questionnaire(questionnaire, actor=staff_user)
    with pytest.raises(DomainError, match="är stängd"):
        schedule(questionnaire, staff_user, send_at=later())
    assert not Mailing.objects.exists()


def test_a_scheduled_round_does_not_go_once_the_questionnaire_is_closed(
    questionnaire: Questionnaire,
    region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    round_ = schedule(questionnaire, staff_user, send_at=later())
    close_questionnaire(questionnaire, actor=staff_user)
    make_due(round_)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_rounds()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CANCELLED
    assert round_.note == "Gick inte i väg: enkäten var inte öppen."
    assert not Dispatch.objects.exists()
    assert mail.outbox == []


def test_staff_can_cancel_a_scheduled_round(
    staff: Client,
    questionnaire: Questionnaire,
    region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    round_ = schedule(questionnaire, staff_user, send_at=later())
    cancel_url = reverse(
        "surveys:questionnaire-round-cancel", args=[questionnaire.pk, round_.pk]
    )
    assert staff.post(cancel_url).status_code == 302
    make_due(round_)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_rounds()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CANCELLED
    assert mail.outbox == []
    again = staff.post(cancel_url, follow=True)
    assert "har redan gått i väg eller är redan inställt" in again.content.decode()


def test_beat_runs_the_due_rounds() -> None:
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "surveys.tasks.run_due_rounds" in entries


# --- denials -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_see_or_send_rounds(
    client: Client,
    questionnaire: Questionnaire,
    persona: str,
    staff_user: User,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(rounds_url(questionnaire)).status_code == 403
    assert (
        client.post(rounds_url(questionnaire), round_data(action="send")).status_code
        == 403
    )
    round_ = schedule(questionnaire, staff_user, send_at=later())
    cancel_url = reverse(
        "surveys:questionnaire-round-cancel", args=[questionnaire.pk, round_.pk]
    )
    assert client.post(cancel_url).status_code == 403
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SCHEDULED
    assert Mailing.objects.count() == 1


def test_the_services_refuse_non_staff(
    questionnaire: Questionnaire, region_user: User, staff_user: User
) -> None:
    with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
        schedule(questionnaire, region_user)
    round_ = schedule(questionnaire, staff_user, send_at=later())
    with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
        cancel_round(round_, actor=region_user)


def test_it_requires_login(client: Client, questionnaire: Questionnaire) -> None:
    assert client.get(rounds_url(questionnaire)).status_code == 302


def test_a_round_counts_as_a_reminder_round_only_once_it_has_gone(
    questionnaire: Questionnaire,
    region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    round_ = schedule(questionnaire, staff_user, send_at=later())
    cancelled = schedule(questionnaire, staff_user, send_at=later())
    cancel_round(cancelled, actor=staff_user)
    assert reminders_sent(questionnaire).n_rounds == 0
    make_due(round_)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_rounds()
    sent = reminders_sent(questionnaire)
    assert (sent.n_rounds, sent.n_emails) == (1, 1)


# --- query budgets ---------------------------------------------------------------------------


def page_queries(client: Client, questionnaire: Questionnaire) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(rounds_url(questionnaire)).status_code == 200
    return len(queries)


def contacts(n: int) -> None:
    """n more contacts, each for another region."""
    for region in Region.objects.order_by("code")[:n]:
        make_user(f"kontakt-{region.code}-{n}@region.test", region)


def test_the_page_makes_the_same_number_of_queries_for_2_and_8_rounds(
    staff: Client,
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    contacts(3)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            schedule(questionnaire, staff_user)
    small = page_queries(staff, questionnaire)
    contacts(12)
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            schedule(questionnaire, staff_user)
    assert page_queries(staff, questionnaire) == small == ROUNDS_PAGE_QUERIES


# Session, user, the staff's verified second-factor device, the questionnaire,
# the rounds with their counts, and the organisations that have not submitted
# (the recipients to choose from).
ROUNDS_PAGE_QUERIES = 6


def round_queries(questionnaire: Questionnaire, staff_user: User) -> int:
    round_ = schedule(questionnaire, staff_user, send_at=later())
    make_due(round_)
    with CaptureQueriesContext(connection) as queries:
        run_round(round_.pk)
    return len(queries)


def test_a_round_makes_the_same_number_of_queries_for_few_and_many_recipients(
    questionnaire: Questionnaire, staff_user: User
) -> None:
    contacts(2)
    few = round_queries(questionnaire, staff_user)
    contacts(20)
    many = round_queries(questionnaire, staff_user)
    assert Dispatch.objects.count() > 2 * 2
    assert few == many


def test_a_round_names_the_chosen_organisations_it_reached_no_one_at(
    staff: Client,
    questionnaire: Questionnaire,
    region: Region,
    region_user: User,
    other_region: Region,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """Found in QA of the demo: a round to a region without contacts showed
    "Skickad" with 0 e-mails and nothing more."""
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            rounds_url(questionnaire),
            round_data(action="send", organisations=[region.pk, other_region.pk]),
        )
    assert done.status_code == 302
    (message,) = mail.outbox
    assert message.to == [region_user.email]
    page = staff.get(rounds_url(questionnaire)).content.decode()
    assert f"Ingen aktiv kontakt, inget mejl till: {other_region.name}." in page
    assert f"inget mejl till: {region.name}" not in page
