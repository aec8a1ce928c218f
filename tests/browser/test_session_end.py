"""Typed answers survive the end of a session (issue #13, point 3): signed out in
another tab, the text typed in the form is kept in the browser, comes back after
signing in again and can be saved; autosave says in Swedish that the session
ended and saves again, without a reload, once the user has signed in in a new tab."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import LazySettings
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from intake.models import Answer
from surveys.models import OrganisationRole, Questionnaire, Region, User
from tests.browser.conftest import ServerRequests, assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "ett-bra-losenord"
TEXT = "Skrivet innan sessionen tog slut"


@pytest.fixture
def contact(register: None) -> User:
    user = User.objects.create_user(email="kontakt@sormland.test", password=PASSWORD)
    OrganisationRole.objects.create(
        user=user, organisation=Region.objects.get(code="04")
    )
    return user


def form_url() -> str:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    region = Region.objects.get(code="04")
    return reverse("intake:response-edit", args=[questionnaire.pk, region.pk])


def text_field(page: Page) -> Any:
    return page.locator("#q-r01_omstallning textarea")


def sign_out_in_another_tab(context: BrowserContext) -> None:
    other = context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Logga ut").click()
    expect(other.get_by_role("link", name="Logga in")).to_be_visible()
    other.close()


def sign_in(page: Page, user: User) -> None:
    page.get_by_label("E-postadress").fill(user.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def stored_text() -> str:
    answer = Answer.objects.filter(question__variable="r01_omstallning").first()
    return answer.text if answer else ""


def test_signed_out_elsewhere_the_typed_text_comes_back_after_signing_in(
    new_context: Any,
    contact: User,
    live_server: Any,
    server_requests: ServerRequests,
) -> None:
    context = new_context()
    sign_in_as(context, contact, live_server)
    page = context.new_page()
    page.goto(form_url())
    text_field(page).fill(TEXT)
    sign_out_in_another_tab(context)

    page.get_by_role("button", name="Spara utkast").click()
    expect(page).to_have_url(re.compile(r"/logga-in/"))
    sign_in(page, contact)

    expect(page).to_have_url(re.compile(re.escape(form_url()) + "$"))
    expect(text_field(page)).to_have_value(TEXT)
    expect(page.locator("#autospara-status")).to_contain_text(
        "Osparade svar som du skrev tidigare har lagts tillbaka"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Utkastet är sparat.")).to_be_visible()
    expect(text_field(page)).to_have_value(TEXT)
    # The browser's copy is gone once saved.
    assert page.evaluate("() => Object.keys(localStorage).length") == 0
    server_requests.wait_idle()
    assert stored_text() == TEXT

    # Input not yet saved is kept in the browser, and signing out removes it, so
    # the next person on this computer cannot read it.
    text_field(page).fill("Inte sparat ännu")
    # A function, not an expression: Playwright evals expressions in the page,
    # which the Content-Security-Policy (no unsafe-eval) refuses.
    page.wait_for_function("() => Object.keys(localStorage).length === 1")
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    assert page.evaluate("() => Object.keys(localStorage).length") == 0


def test_autosave_says_the_session_ended_and_saves_after_signing_in_in_a_new_tab(
    new_context: Any,
    contact: User,
    live_server: Any,
    server_requests: ServerRequests,
    settings: LazySettings,
) -> None:
    settings.AUTOSAVE_SECONDS = 1
    context = new_context()
    sign_in_as(context, contact, live_server)
    page = context.new_page()
    page.goto(form_url())
    sign_out_in_another_tab(context)
    text_field(page).fill(TEXT)

    notice = page.locator("#session-slut")
    expect(notice).to_be_visible()
    expect(page.locator("#autospara-status")).to_have_text(
        "Dina svar har inte sparats: du är inte inloggad längre."
    )
    assert_accessible(page)
    # Signing in in a new tab replaces the page's CSRF token: autosave fetches
    # the new one and saves, without the page being reloaded.
    with context.expect_page() as opened:
        notice.get_by_role("link", name="Logga in i en ny flik").click()
    login_tab = opened.value
    sign_in(login_tab, contact)
    expect(login_tab).not_to_have_url(re.compile(r"/logga-in/"))
    login_tab.close()

    expect(page.locator("#autospara-status")).to_have_text(
        re.compile(r"^Utkastet sparades automatiskt kl\. \d\d:\d\d\.$")
    )
    expect(notice).to_be_hidden()
    expect(text_field(page)).to_have_value(TEXT)
    server_requests.wait_idle()
    assert stored_text() == TEXT


def test_signed_in_again_elsewhere_first_spara_utkast_still_saves(
    new_context: Any,
    contact: User,
    live_server: Any,
    server_requests: ServerRequests,
) -> None:
    """Signing in rotates the CSRF token the open form holds; "Spara utkast"
    fetches the current one first instead of ending on a refusal page."""
    context = new_context()
    sign_in_as(context, contact, live_server)
    page = context.new_page()
    page.goto(form_url())
    text_field(page).fill(TEXT)
    sign_out_in_another_tab(context)
    other = context.new_page()
    other.goto(reverse("surveys:login"))
    sign_in(other, contact)
    expect(other).not_to_have_url(re.compile(r"/logga-in/"))
    other.close()

    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Utkastet är sparat.")).to_be_visible()
    server_requests.wait_idle()
    assert stored_text() == TEXT
