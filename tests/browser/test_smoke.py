"""The browser setup works end to end: live server, chromium, sign-in, axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from surveys.models import User
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_home_page_renders_the_questionnaires(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_title("Nära vård-uppföljningen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nära vård-uppföljningen")
    # The reference data reached the live server's thread.
    expect(page.get_by_role("table", name="Enkäter 2024")).to_be_visible()


def test_the_home_page_is_accessible(page: Page) -> None:
    page.goto("/")
    assert_accessible(page)


def test_the_first_tab_focuses_the_skip_link(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when focused, hidden otherwise
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#innehall")


def test_a_signed_in_staff_user_opens_the_admin(
    page: Page, live_server: LiveServer, staff_user: User
) -> None:
    login(page, live_server, staff_user)
    page.goto("/admin/")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")


def test_each_context_is_its_own_person(
    new_context: Callable[[], BrowserContext],
    live_server: LiveServer,
    staff_user: User,
) -> None:
    staff = new_context().new_page()
    anonymous = new_context().new_page()
    login(staff, live_server, staff_user)
    staff.goto("/")
    anonymous.goto("/")
    expect(staff.get_by_role("button", name="Logga ut")).to_be_visible()
    expect(anonymous.get_by_role("link", name="Logga in")).to_be_visible()
