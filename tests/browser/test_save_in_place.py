"""«Spara utkast» without loading the page again (issue #20): a clean save keeps
the page and says so where the reloaded page did; anything else posts the form
as without JavaScript, so the server's page shows the errors and collisions."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import LazySettings
from django.urls import reverse
from playwright.sync_api import Page, expect

from intake.models import Answer, Channel, Response, ResponseStatus
from intake.services import save_answers
from surveys.models import Questionnaire, Region, User
from tests.browser.conftest import ServerRequests, assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)

NAVIGATIONS = "performance.getEntriesByType('navigation').length"


@pytest.fixture(autouse=True)
def no_timed_autosave(settings: LazySettings) -> None:
    # Only the saves the tests make: on SQLite the live server shares the test's
    # connection.
    settings.AUTOSAVE_SECONDS = 3600


def form_url() -> str:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    region = Region.objects.get(code="04")
    return reverse("intake:response-edit", args=[questionnaire.pk, region.pk])


def stored(variable: str) -> Any:
    answer = Answer.objects.get(
        response__organisation__code="04", question__variable=variable
    )
    return answer.text or answer.number


def open_form(page: Page, contact: User, live_server: Any) -> None:
    sign_in_as(page.context, contact, live_server)
    page.goto(form_url())
    # Survives only while no page is loaded.
    page.evaluate("window.samePage = true")


def still_same_page(page: Page) -> bool:
    return bool(page.evaluate("window.samePage === true")) and (
        page.evaluate(NAVIGATIONS) == 1
    )


def test_a_clean_save_keeps_the_page_and_the_next_is_no_collision(
    page: Page, contact: User, live_server: Any, server_requests: ServerRequests
) -> None:
    open_form(page, contact, live_server)
    status = page.locator("#autospara-status")
    page.locator("#q-r01_omstallning textarea").fill("Första texten")
    page.locator("#id_r35_andel").fill("38")
    page.locator("#id_r36_antal").fill("38")
    page.get_by_role("button", name="Spara utkast").click()

    expect(status).to_have_text("Utkastet är sparat.")
    expect(status).to_be_focused()
    expect(page.locator("#svarsstatus")).to_have_text(ResponseStatus.IN_PROGRESS.label)
    # The notice the reloaded page showed beside the number, tied to its field.
    notice = page.locator("#notice-r36_antal")
    expect(notice).to_contain_text("Kontrollera: Antalet är samma tal som andelen")
    expect(page.locator("#id_r36_antal")).to_have_attribute(
        "aria-describedby", "notice-r36_antal"
    )
    assert still_same_page(page)
    server_requests.wait_idle()
    assert stored("r01_omstallning") == "Första texten"
    assert stored("r36_antal") == 38
    version = Response.objects.get(organisation__code="04").version
    expect(page.locator('input[name="version"]')).to_have_value(str(version))
    # The browser's copy of unsaved input goes, as after the reloaded page.
    assert page.evaluate("Object.keys(localStorage).length") == 0
    assert_accessible(page)

    # Saved again on the bases the first save answered: no collision with it.
    page.locator("#q-r01_omstallning textarea").fill("Andra texten")
    page.locator("#id_r36_antal").fill("114525")  # 38 % of the population
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.locator("#notice-r36_antal")).to_have_count(0)
    expect(page.locator("#id_r36_antal")).not_to_have_attribute(
        "aria-describedby", "notice-r36_antal"
    )
    expect(status).to_have_text("Utkastet är sparat.")
    server_requests.wait_idle()
    assert still_same_page(page)
    assert stored("r01_omstallning") == "Andra texten"
    assert stored("r36_antal") == 114525
    assert Response.objects.get(organisation__code="04").version == version + 1
    assert page.locator(".error-summary").count() == 0


def test_a_refused_value_posts_the_form_and_shows_the_servers_error(
    page: Page, contact: User, live_server: Any, server_requests: ServerRequests
) -> None:
    open_form(page, contact, live_server)
    page.locator("#id_r36_antal").fill("12")
    page.locator("#id_r35_andel").fill("150")
    page.get_by_role("button", name="Spara utkast").click()

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Värdet får vara högst 100.")
    expect(summary).to_be_focused()
    assert page.evaluate("window.samePage") is None  # the server's page
    expect(page.locator("#id_r35_andel")).to_have_value("150")
    # All of the save was this one POST, so its message is whole.
    expect(page.locator("#meddelanden")).to_contain_text("Sparat: fråga 36.")
    expect(page.locator("#meddelanden")).to_contain_text("Inte sparat: fråga 35.")
    server_requests.wait_idle()
    assert stored("r36_antal") == 12
    assert_accessible(page)


def test_a_collision_posts_the_form_and_shows_both_answers(
    page: Page, contact: User, live_server: Any, server_requests: ServerRequests
) -> None:
    open_form(page, contact, live_server)
    # A colleague saves the same question after this page was opened.
    colleague = User.objects.create_user(email="kollega@sormland.test", password="x")
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    response = Response.objects.create(
        questionnaire=questionnaire, organisation=Region.objects.get(code="04")
    )
    save_answers(
        response,
        actor=colleague,
        channel=Channel.WEB,
        values={"r01_omstallning": "Kollegans text"},
    )
    page.locator("#q-r01_omstallning textarea").fill("Min text")
    page.locator("#id_r36_antal").fill("7")
    page.get_by_role("button", name="Spara utkast").click()

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Någon annan har sparat ändringar i samma fråga")
    assert page.evaluate("window.samePage") is None
    expect(page.locator("#q-r01_omstallning")).to_contain_text("Ditt svar")
    expect(page.locator("#meddelanden")).to_contain_text("Sparat: fråga 36.")
    server_requests.wait_idle()
    assert stored("r01_omstallning") == "Kollegans text"
    assert stored("r36_antal") == 7
