"""The pages work under the Content-Security-Policy in a real browser (issue #13
point 9): signing in on the login page and filling in the form, whose script
autosaves, with no CSP violation reported and the static styles applied."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import LazySettings
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect

from intake.models import Answer
from surveys.models import OrganisationRole, Questionnaire, Region, User
from tests.browser.conftest import ServerRequests

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "ett-bra-losenord"
# Every violation the page sees, reported to the console where the test reads it;
# Chromium also logs "Refused to …" errors of its own.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def contact(register: None) -> User:
    user = User.objects.create_user(email="kontakt@sormland.test", password=PASSWORD)
    OrganisationRole.objects.create(
        user=user, organisation=Region.objects.get(code="04")
    )
    return user


def watch_violations(page: Page) -> list[str]:
    violations: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        text = message.text
        if "CSP violation" in text or "Content Security Policy" in text:
            violations.append(f"{page.url}: {text}")

    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on("console", seen)
    return violations


def test_signing_in_and_the_form_work_under_the_policy(
    page: Page,
    contact: User,
    live_server: Any,
    settings: LazySettings,
    server_requests: ServerRequests,
) -> None:
    settings.AUTOSAVE_SECONDS = 1
    violations = watch_violations(page)
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    region = Region.objects.get(code="04")
    form_url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])

    response = page.goto(reverse("surveys:login") + f"?next={form_url}")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # The styles moved to static files still apply.
    label = page.locator("label[for=id_username]")
    expect(label).to_have_css("font-weight", "600")
    expect(page.locator("header")).to_have_css("display", "flex")
    page.get_by_label("E-postadress").fill(contact.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(re.compile(re.escape(form_url) + "$"))
    # The logout button, a form styled inline before.
    expect(page.locator("header form")).to_have_css("display", "inline")

    # The form's script runs: the timer autosaves what is typed.
    q12 = questionnaire.questions.get(number="12").variable
    page.locator(f"#q-{q12} textarea").fill("Skrivet under CSP")
    expect(page.locator("#autospara-status")).to_have_text(
        re.compile(r"^Utkastet sparades automatiskt")
    )
    server_requests.wait_idle()
    assert Answer.objects.get(question__variable=q12).text == "Skrivet under CSP"

    page.goto(reverse("intake:response-list"))
    expect(page.locator("caption").first).to_have_css("text-align", "left")
    page.goto(reverse("surveys:password-set"))
    expect(page.get_by_label("Nuvarande lösenord")).to_be_visible()
    assert violations == []
