"""Autosave in a real browser (issue #3, point 5): work typed but never saved
survives a closed tab, and the timer saves and says so to screen readers."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.conf import LazySettings
from django.urls import reverse
from playwright.sync_api import Page, expect

from intake.models import Answer, AnswerChange, Channel, Response
from intake.services import save_answers
from surveys.models import Questionnaire, Region, User
from tests.browser.conftest import ServerRequests, assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)

AUTOSAVED = re.compile(r"^Utkastet sparades automatiskt kl\. \d\d:\d\d\.$")


@pytest.fixture
def questionnaire(register: None) -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def form_url(questionnaire: Questionnaire) -> str:
    region = Region.objects.get(code="04")
    return reverse("intake:response-edit", args=[questionnaire.pk, region.pk])


def variable(questionnaire: Questionnaire, number: str) -> str:
    return questionnaire.questions.get(number=number).variable


def reopen_until(page: Page, url: str, selector: str, value: str) -> None:
    """Open the form until the field shows `value`: the beacon a closing tab sends
    may reach the server after the new page's request. The browser waits, not the
    test thread, which shares the database connection with the server."""
    deadline = time.monotonic() + 10
    while True:
        page.goto(url)
        if page.locator(selector).input_value() == value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector} never showed {value!r}")
        page.wait_for_timeout(200)


def test_closing_the_tab_keeps_what_was_typed(
    new_context: Any,
    contact: User,
    questionnaire: Questionnaire,
    live_server: Any,
    server_requests: ServerRequests,
) -> None:
    q12 = variable(questionnaire, "12")
    context = new_context()
    sign_in_as(context, contact, live_server)
    page = context.new_page()
    page.goto(form_url(questionnaire))
    page.locator(f"#q-{q12} textarea").fill("Skrivet men aldrig sparat")
    # No "Spara utkast", and long before the 20-second timer: closing the tab sends
    # the form with navigator.sendBeacon.
    page.close(run_before_unload=True)

    again = context.new_page()
    reopen_until(
        again,
        form_url(questionnaire),
        f"#q-{q12} textarea",
        "Skrivet men aldrig sparat",
    )
    server_requests.wait_idle()
    answer = Answer.objects.get(
        question__variable=q12, response__organisation__code="04"
    )
    assert answer.text == "Skrivet men aldrig sparat"
    assert (answer.entered_by, answer.channel) == (contact, Channel.WEB)
    (change,) = AnswerChange.objects.filter(response=answer.response)
    assert (change.old_value, change.new_value["text"]) == (  # type: ignore[index]
        None,
        "Skrivet men aldrig sparat",
    )
    assert (change.changed_by, change.channel) == (contact, Channel.WEB)


def test_the_timer_saves_and_says_so_politely(
    page: Page,
    contact: User,
    questionnaire: Questionnaire,
    live_server: Any,
    settings: LazySettings,
    server_requests: ServerRequests,
) -> None:
    settings.AUTOSAVE_SECONDS = 1
    q12, q2 = variable(questionnaire, "12"), variable(questionnaire, "2")
    sign_in_as(page.context, contact, live_server)
    page.goto(form_url(questionnaire))
    status = page.locator("#autospara-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_be_empty()

    page.locator(f"#q-{q12} textarea").fill("Första versionen")
    expect(status).to_have_text(AUTOSAVED)
    server_requests.wait_idle()
    response = Response.objects.get(organisation__code="04")
    assert response.version == 1
    assert (
        Answer.objects.get(response=response, question__variable=q12).text
        == "Första versionen"
    )
    assert_accessible(page)

    # The page took the new version from the autosave: saving by hand is no conflict.
    page.locator(f"#q-{q12} textarea").fill("Andra versionen")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Utkastet är sparat.")).to_be_visible()
    server_requests.wait_idle()
    texts = [
        (c.new_value or {}).get("text")
        for c in AnswerChange.objects.filter(response=response, question__variable=q12)
    ]
    assert texts == ["Första versionen", "Andra versionen"]

    # A colleague saves another question meanwhile: the next autosave merges
    # (issue #13): this user's text is saved, the colleague's answer kept.
    colleague = User.objects.create_user(email="kollega@sormland.test", password="x")
    response.refresh_from_db()
    save_answers(response, actor=colleague, channel=Channel.WEB, values={q2: "nej"})
    page.locator(f"#q-{q12} textarea").fill("Tredje versionen")
    expect(status).to_contain_text("Någon annan har ändrat frågor du inte rört")
    server_requests.wait_idle()
    assert Answer.objects.get(response=response, question__variable=q12).text == (
        "Tredje versionen"
    )
    assert (
        Answer.objects.get(response=response, question__variable=q2).option.code
        == "nej"
    )  # type: ignore[union-attr]

    # The colleague changes the same question: the next autosave is refused for
    # it, and says why.
    response.refresh_from_db()
    save_answers(
        response, actor=colleague, channel=Channel.WEB, values={q12: "Kollegans text"}
    )
    page.locator(f"#q-{q12} textarea").fill("Fjärde versionen")
    expect(status).to_contain_text("Någon annan har sparat ändringar i samma fråga")
    expect(status).to_contain_text("Klicka på Spara utkast för att se vad som ändrats.")
    server_requests.wait_idle()
    assert Answer.objects.get(response=response, question__variable=q12).text == (
        "Kollegans text"
    )
    assert_accessible(page)
