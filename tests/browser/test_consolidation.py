"""The RSS questionnaire with its kommun counts and texts (issue #4) is accessible
and an adjustment without a reason comes back with the typed value kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import assert_accessible, login
from tests.intake.test_consolidation import Lan, build_lan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lan(register: None) -> Lan:
    return build_lan()


def test_the_rss_page_with_counts_is_accessible_and_keeps_an_unreasoned_adjustment(
    page: Page, live_server: LiveServer, lan: Lan
) -> None:
    login(page, live_server, lan.coordinator)
    page.goto(lan.url())
    expect(page.get_by_role("table", name="6 av 7 kommuner har svarat")).to_be_visible()
    page.get_by_text("Kommuner som inte har svarat (1)").click()
    assert_accessible(page)
    field = page.get_by_role("textbox", name="Justerat antal Ja").first
    field.fill("5")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Ange varför antalet kommuner justeras."
    )
    expect(page.get_by_role("textbox", name="Justerat antal Ja").first).to_have_value(
        "5"
    )
    assert_accessible(page)
