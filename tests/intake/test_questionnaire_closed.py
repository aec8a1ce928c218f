"""A closed questionnaire refuses every write path, through the real requests,
in Swedish and without a 500; its answers and receipts stay readable; it moves
to "Tidigare omgångar" in Mina enkäter; nothing is mailed for it (issue #15).
Also: answers after the deadline are accepted until staff close, a questionnaire
in preparation refuses writes, and an extended deadline is shown and mailed."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.demo import demo_values
from intake.models import Channel, Response, ResponseStatus
from intake.outreach import send_sign_in_link
from intake.services import (
    get_or_create_response,
    save_answers,
    submit_response,
    update_contact_details,
)
from intake.writable import CLOSED_MESSAGE
from surveys.errors import DomainError
from surveys.models import (
    Dispatch,
    DispatchStatus,
    Kommun,
    Mailing,
    Questionnaire,
    User,
)
from surveys.services import close_questionnaire, extend_deadline
from tests.intake.test_excel import answer_ref, as_upload, download, upload

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
TEXT = "k06_medarbetare"  # a text question of the 2024 hjälpenkät


@pytest.fixture
def questionnaire() -> Questionnaire:
    return Questionnaire.objects.select_related("cycle").get(
        cycle__year=2024, key="kommun"
    )


@pytest.fixture
def started(
    questionnaire: Questionnaire, kommun: Kommun, kommun_user: User
) -> Response:
    """Växjö has answered one question while the questionnaire was open."""
    response = get_or_create_response(questionnaire, organisation=kommun)
    return save_answers(
        response, actor=kommun_user, channel=Channel.WEB, values={TEXT: "Före"}
    )


def close(questionnaire: Questionnaire, staff_user: User) -> None:
    close_questionnaire(questionnaire, actor=staff_user, reason="Insamlingen är slut.")


def form_url(questionnaire: Questionnaire, kommun: Kommun) -> str:
    return reverse("intake:response-edit", args=[questionnaire.pk, kommun.pk])


def post_form(
    client: Client, questionnaire: Questionnaire, kommun: Kommun, **extra: Any
) -> Any:
    page = client.get(form_url(questionnaire, kommun))
    data = {"version": page.context["form"]["version"].value(), TEXT: "Efter", **extra}
    return client.post(form_url(questionnaire, kommun), data)


def assert_unchanged(started: Response) -> None:
    started.refresh_from_db()
    assert started.version == 1
    assert started.status == ResponseStatus.IN_PROGRESS
    assert started.answers.get().text == "Före"


# --- every write path ------------------------------------------------------------------


def test_the_form_refuses_to_save_and_says_why(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    staff_user: User,
    started: Response,
) -> None:
    close(questionnaire, staff_user)
    client.force_login(kommun_user)
    refused = post_form(client, questionnaire, kommun, action="save")
    assert refused.status_code == 400
    assert CLOSED_MESSAGE in refused.content.decode()
    # What the user typed stays in the form.
    assert "Efter" in refused.content.decode()
    assert_unchanged(started)


def test_the_form_refuses_to_submit(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    staff_user: User,
    started: Response,
) -> None:
    close(questionnaire, staff_user)
    client.force_login(kommun_user)
    refused = post_form(client, questionnaire, kommun, action="submit")
    assert refused.status_code == 400
    assert CLOSED_MESSAGE in refused.content.decode()
    assert_unchanged(started)


def test_autosave_is_refused_in_json(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    staff_user: User,
    started: Response,
) -> None:
    close(questionnaire, staff_user)
    client.force_login(kommun_user)
    refused = client.post(
        reverse("intake:response-autosave", args=[questionnaire.pk, kommun.pk]),
        {"version": 1, TEXT: "Efter"},
    )
    assert refused.status_code == 400
    assert refused.json()["saved"] is False
    assert refused.json()["message"] == CLOSED_MESSAGE
    assert_unchanged(started)


def test_the_rss_cannot_enter_answers_on_the_kommuns_behalf(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    rss_user: User,
    staff_user: User,
    started: Response,
) -> None:
    close(questionnaire, staff_user)
    client.force_login(rss_user)
    refused = post_form(client, questionnaire, kommun, action="save")
    assert refused.status_code == 400
    assert CLOSED_MESSAGE in refused.content.decode()
    assert_unchanged(started)


def test_an_excel_upload_is_refused_before_and_after_the_preview(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    rss_user: User,
    staff_user: User,
    started: Response,
) -> None:
    client.force_login(rss_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "1")] = "Från Excel"
    # Uploaded while open; staff close before the RSS confirms the preview.
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    close(questionnaire, staff_user)
    refused = client.post(preview_url, {"version": 1})
    assert refused.status_code == 409
    assert CLOSED_MESSAGE in refused.content.decode()
    again = upload(client, questionnaire, kommun, as_upload(workbook))
    assert again.status_code == 409
    assert CLOSED_MESSAGE in again.content.decode()
    assert_unchanged(started)


def test_every_service_refuses_a_respondent_channel(
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    staff_user: User,
    started: Response,
) -> None:
    close(questionnaire, staff_user)
    for channel in (Channel.WEB, Channel.PROXY, Channel.EXCEL):
        with pytest.raises(DomainError, match="Enkäten är stängd"):
            save_answers(
                started, actor=kommun_user, channel=channel, values={TEXT: "Efter"}
            )
    with pytest.raises(DomainError, match="Enkäten är stängd"):
        submit_response(started, actor=kommun_user)
    with pytest.raises(DomainError, match="Enkäten är stängd"):
        update_contact_details(
            started, actor=kommun_user, name="Ny", email="", phone=""
        )
    other = Kommun.objects.get(code="0760")  # Uppvidinge: no response yet
    with pytest.raises(DomainError, match="Enkäten är stängd"):
        get_or_create_response(questionnaire, organisation=other)
    assert not Response.objects.filter(
        questionnaire=questionnaire, organisation=other
    ).exists()
    assert_unchanged(started)


def test_staff_may_still_import_into_a_closed_questionnaire(
    questionnaire: Questionnaire, staff_user: User, started: Response
) -> None:
    """A raw-data import of an earlier cycle is not a respondent's write."""
    close(questionnaire, staff_user)
    saved = save_answers(
        started, actor=staff_user, channel=Channel.IMPORT, values={TEXT: "Import"}
    )
    assert saved.answers.get().text == "Import"


# --- what stays readable, and where it is listed ------------------------------------------


def test_the_closed_form_is_read_only_and_says_closed(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    staff_user: User,
    started: Response,
) -> None:
    close(questionnaire, staff_user)
    client.force_login(kommun_user)
    page = client.get(form_url(questionnaire, kommun))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stängd" in html
    assert CLOSED_MESSAGE in html
    assert page.context["read_only"]
    assert "Skicka in</button>" not in html
    assert "data-autosave-url" not in html
    assert "Före" in html


def test_a_receipt_stays_readable(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    staff_user: User,
) -> None:
    supplementary = Questionnaire.objects.get(cycle__year=2024, key="kommun-extra")
    response = get_or_create_response(supplementary, organisation=kommun)
    values = demo_values(
        list(supplementary.questions.order_by("position")), random.Random(1)
    )
    response = save_answers(
        response, actor=kommun_user, channel=Channel.WEB, values=values
    )
    submit_response(response, actor=kommun_user)
    close(supplementary, staff_user)
    client.force_login(kommun_user)
    receipt = client.get(
        reverse("intake:response-receipt", args=[supplementary.pk, kommun.pk])
    )
    assert receipt.status_code == 200


def test_mina_enkater_lists_closed_questionnaires_as_an_archive(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    staff_user: User,
    started: Response,
) -> None:
    earlier = Questionnaire.objects.get(cycle__year=2019, key="kommun")
    close(earlier, staff_user)
    client.force_login(kommun_user)
    page = client.get(reverse("intake:response-list"))
    current = [row["questionnaire"] for row in page.context["rows"]]
    archive = [row["questionnaire"] for row in page.context["archive"]]
    assert questionnaire in current
    assert earlier not in current
    assert archive == [earlier]
    html = page.content.decode()
    assert "Tidigare omgångar" in html
    assert html.index(questionnaire.title) < html.index("Tidigare omgångar")


# --- dates ---------------------------------------------------------------------------------


def test_answers_after_the_deadline_are_accepted_until_staff_close(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    started: Response,
) -> None:
    assert questionnaire.closes_on < timezone.localdate()  # 2024 deadline passed
    client.force_login(kommun_user)
    saved = post_form(client, questionnaire, kommun, action="save")
    assert saved.status_code == 302
    started.refresh_from_db()
    assert started.answers.get().text == "Efter"


def test_a_questionnaire_in_preparation_refuses_answers(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
) -> None:
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        opens_on=datetime.date(2099, 11, 1), closes_on=datetime.date(2099, 12, 31)
    )
    client.force_login(kommun_user)
    refused = post_form(client, questionnaire, kommun, action="save")
    assert refused.status_code == 400
    assert "Enkäten har inte öppnat än. Den öppnar 1 november 2099" in (
        refused.content.decode()
    )
    assert not Response.objects.filter(
        questionnaire=questionnaire, organisation=kommun
    ).exists()


def test_an_extended_deadline_is_shown_to_that_kommun_only(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    kommun_user: User,
    staff_user: User,
) -> None:
    extend_deadline(
        questionnaire,
        organisation=kommun,
        closes_on=datetime.date(2025, 4, 30),
        reason="Ny kontaktperson",
        actor=staff_user,
    )
    client.force_login(kommun_user)
    listed = client.get(reverse("intake:response-list")).content.decode()
    assert "30 april 2025 (förlängd)" in listed
    form = client.get(form_url(questionnaire, kommun)).content.decode()
    assert f"Sista dag: 30 april 2025 (förlängd för {kommun.name})" in form
    other = Kommun.objects.get(code="0760")
    other_user = User.objects.create_user(email="k@uppvidinge.test", password="x")
    other_user.roles.create(organisation=other)
    client.force_login(other_user)
    page = client.get(form_url(questionnaire, other)).content.decode()
    assert "förlängd" not in page


# --- nothing is mailed for a questionnaire that is not open ---------------------------------


def test_no_link_is_queued_for_a_closed_questionnaire(
    questionnaire: Questionnaire, kommun: Kommun, rss_user: User, staff_user: User
) -> None:
    User.objects.create_user(email="k@vaxjo.test").roles.create(organisation=kommun)
    close(questionnaire, staff_user)
    with pytest.raises(DomainError, match="är stängd. Inga inloggningslänkar"):
        send_sign_in_link(questionnaire, kommun=kommun, actor=rss_user)
    assert not Mailing.objects.exists()


def test_remind_all_on_the_status_page_is_refused_for_a_closed_questionnaire(
    client: Client,
    questionnaire: Questionnaire,
    rss_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    kommun = Kommun.objects.get(code="0760")
    User.objects.create_user(email="k@uppvidinge.test").roles.create(
        organisation=kommun
    )
    close(questionnaire, staff_user)
    client.force_login(rss_user)
    rss = rss_user.roles.get().organisation
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("intake:rss-remind-all", args=[rss.pk, questionnaire.pk]),
            follow=True,
        )
    assert answer.status_code == 200
    assert "Inga inloggningslänkar, inbjudningar eller påminnelser skickas" in (
        answer.content.decode()
    )
    assert not Mailing.objects.exists()
    assert mail.outbox == []


def test_an_email_queued_before_closing_is_not_sent(
    questionnaire: Questionnaire,
    kommun: Kommun,
    rss_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    User.objects.create_user(email="k@vaxjo.test").roles.create(organisation=kommun)
    # Queued while open; the worker picks it up only after staff have closed.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_sign_in_link(questionnaire, kommun=kommun, actor=rss_user)
    close(questionnaire, staff_user)
    for callback in callbacks:
        callback()
    dispatch = Dispatch.objects.get()
    assert dispatch.status == DispatchStatus.SKIPPED
    assert dispatch.error == "Enkäten var stängd vid utskicket."
    assert mail.outbox == []


def test_a_reminder_carries_the_extended_deadline(
    questionnaire: Questionnaire,
    kommun: Kommun,
    rss_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    User.objects.create_user(email="k@vaxjo.test").roles.create(organisation=kommun)
    extend_deadline(
        questionnaire,
        organisation=kommun,
        closes_on=datetime.date(2025, 4, 30),
        reason="Sjukdom",
        actor=staff_user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_sign_in_link(questionnaire, kommun=kommun, actor=rss_user)
    (message,) = mail.outbox
    assert "Sista dag att svara: 30 april 2025 (förlängd för er)." in message.body


def test_the_excel_copy_gives_the_extended_deadline(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Kommun,
    rss_user: User,
    staff_user: User,
) -> None:
    extend_deadline(
        questionnaire,
        organisation=kommun,
        closes_on=datetime.date(2025, 4, 30),
        reason="Sjukdom",
        actor=staff_user,
    )
    client.force_login(rss_user)
    sheet = download(client, questionnaire, kommun)["Instruktioner"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any(t.startswith("Enkäten stänger 30 april 2025.") for t in texts)


def list_queries(client: Client, n_kommuner: int) -> int:
    """A respondent for n kommuner, each with an extended deadline and a response
    to the 2024 hjälpenkät; the 2019 questionnaire closed (the archive)."""
    staff = User.objects.get(email="staff@socialstyrelsen.test")
    user = User.objects.create_user(email=f"k{n_kommuner}@kommuner.test")
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    for kommun in Kommun.objects.order_by("code")[:n_kommuner]:
        user.roles.create(organisation=kommun)
        extend_deadline(
            questionnaire,
            organisation=kommun,
            closes_on=datetime.date(2025, 4, 30),
            reason="Test",
            actor=staff,
        )
        save_answers(
            get_or_create_response(questionnaire, organisation=kommun),
            actor=user,
            channel=Channel.WEB,
            values={TEXT: "Svar"},
        )
    client.force_login(user)
    # Once first, so both sizes use the questionnaires' cached structure
    # (intake.selectors.questions_of).
    client.get(reverse("intake:response-list"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("intake:response-list"))
    assert page.status_code == 200
    assert len(page.context["archive"]) == n_kommuner
    return len(queries)


def test_mina_enkater_makes_the_same_number_of_queries_for_1_and_6_kommuner(
    client: Client, staff_user: User
) -> None:
    close(Questionnaire.objects.get(cycle__year=2019, key="kommun"), staff_user)
    assert list_queries(client, 1) == list_queries(client, 6) == LIST_QUERIES


# Pinned so that a new query shows up in review; the kommuner's own deadlines
# are one query whatever their number (surveys.deadlines.deadlines_for).
LIST_QUERIES = 8


def test_the_rss_status_page_of_a_closed_questionnaire_offers_no_sending(
    client: Client, questionnaire: Questionnaire, rss_user: User, staff_user: User
) -> None:
    rss = rss_user.roles.get().organisation
    url = reverse("intake:rss-status", args=[rss.pk, questionnaire.pk])
    client.force_login(rss_user)
    assert "Påminn alla som inte har skickat in" in client.get(url).content.decode()
    close(questionnaire, staff_user)
    html = client.get(url).content.decode()
    assert "<strong>Stängd</strong>: svaren går att läsa" in html
    assert "Påminn alla som inte har skickat in" not in html
    assert "Fyll i åt kommunen" not in html
