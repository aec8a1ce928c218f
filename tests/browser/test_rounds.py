"""Staff's yearly cycle in the browser (issue #15): a reminder round written
from its template, previewed and sent, then seen on the rounds page; the
questionnaire closed with confirmation; both pages checked with axe."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surveys.models import Questionnaire, Region
from tests.browser.conftest import assert_accessible, login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_send_a_reminder_round_and_close_the_questionnaire(
    page: Page, live_server: LiveServer
) -> None:
    staff = make_user("staff@socialstyrelsen.test", is_staff=True, is_superuser=True)
    sormland = Region.objects.get(code="04")
    make_user("kontakt@sormland.test", sormland)
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")

    login(page, live_server, staff)
    page.goto("/")
    page.get_by_role("link", name="Enkäternas status").click()
    page.get_by_role("link", name=questionnaire.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(questionnaire.title)
    assert_accessible(page)

    page.get_by_role("link", name="Informationsbrev och påminnelser").click()
    page.get_by_role("link", name="ordinarie påminnelse").click()
    expect(page.get_by_label("Ämnesrad")).to_have_value("Påminnelse: {enkät}")
    assert_accessible(page)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Förhandsgranskning för")).to_be_visible()
    expect(page.get_by_text(f"Påminnelse: {questionnaire.title}")).to_be_visible()
    page.get_by_role("button", name="Skicka eller schemalägg").click()
    expect(page.get_by_role("status")).to_contain_text("Utskicket")
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text("Ordinarie påminnelse")
    expect(row).to_contain_text("Skickad")
    expect(row).to_contain_text("1 / 0 / 0 / 1")
    assert [m.to for m in mail.outbox] == [["kontakt@sormland.test"]]

    page.goto(f"/samordning/enkater/{questionnaire.pk}/")
    page.get_by_role("link", name="Stäng enkäten").click()
    assert_accessible(page)
    page.get_by_label("Anledning").fill("Insamlingen är avslutad.")
    page.get_by_role("button", name="Ja, stäng enkäten").click()
    expect(page.get_by_role("status")).to_contain_text("Enkäten är stängd.")
    expect(page.get_by_role("cell", name="Insamlingen är avslutad.")).to_be_visible()
