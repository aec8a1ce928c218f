"""The staff's second factor in the browser (issue #18 point 4): enrolment with
the QR code, the recovery codes shown once, and the step at the next sign-in;
each page accessible (axe) under the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surveys.models import User
from tests.browser.conftest import assert_accessible, sign_in_as
from tests.second_factor import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_enrol_their_app_and_get_recovery_codes(
    page: Page, live_server: LiveServer, staff_user: User
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in_as(page.context, staff_user, live_server)
    page.goto("/rapporter/")
    # No app yet: the step sends staff on to enrolment.
    expect(page).to_have_url(
        f"{live_server.url}/logga-in/tvastegs/aktivera/?next=%2Frapporter%2F"
    )
    expect(
        page.get_by_role("img", name="QR-kod för autentiseringsappen")
    ).to_be_visible()
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    page.get_by_label("Kod från appen").fill(
        "000000" if current_code(device) != "000000" else "111111"
    )
    page.get_by_role("button", name="Aktivera").click()
    expect(page.get_by_role("alert")).to_contain_text("Koden stämmer inte")
    # django-otp's throttle: after one wrong code the next is heard a second later,
    # as when a person reads the app again.
    page.wait_for_timeout(1500)
    page.get_by_label("Kod från appen").fill(current_code(device))
    page.get_by_role("button", name="Aktivera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dina reservkoder")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Fortsätt").click()
    expect(page).to_have_url(f"{live_server.url}/rapporter/")
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_step_at_the_next_sign_in_is_accessible(
    page: Page, live_server: LiveServer, staff_user: User
) -> None:
    device = TOTPDevice.objects.create(user=staff_user, name="App", confirmed=True)
    sign_in_as(page.context, staff_user, live_server)
    page.goto("/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tvåstegsverifiering")
    assert_accessible(page)
    page.get_by_label("Kod", exact=True).fill(current_code(device))
    page.get_by_role("button", name="Fortsätt").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
