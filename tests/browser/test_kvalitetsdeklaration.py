"""The kvalitetsdeklaration page in a browser: staff create it, edit a text, and
the page passes axe's WCAG 2.1 A and AA checks before and after."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from reports.models import Kvalitetsdeklaration
from surveys.models import User
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_create_and_edit_the_declaration(page: Page, live_server: Any) -> None:
    staff = User.objects.create_user(
        email="statistiker@socialstyrelsen.test", is_staff=True
    )
    login(page, live_server, staff)
    page.goto("/")
    page.get_by_role("link", name="Kvalitetsdeklaration 2024").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kvalitetsdeklaration 2024"
    )
    expect(
        page.get_by_role("table", name="Svarsfrekvens per enkät", exact=False)
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Skapa kvalitetsdeklaration för 2024").click()
    expect(page.get_by_role("status")).to_contain_text("standardtexterna")
    page.get_by_label("Mätfel").fill("Enkäten testades av statistiker.")
    page.get_by_role("button", name="Spara texterna").click()
    expect(page.get_by_role("status")).to_contain_text("sparad")
    expect(page.get_by_label("Mätfel")).to_have_value(
        "Enkäten testades av statistiker."
    )
    assert_accessible(page)
    assert (
        Kvalitetsdeklaration.objects.get(cycle__year=2024).measurement_error_text
        == "Enkäten testades av statistiker."
    )
