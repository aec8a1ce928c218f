"""Plausibility in a browser: the respondent's notice beside a saved count, and
staff correcting it on the review page; both pages pass axe's WCAG 2.1 A and AA
checks."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from intake.models import Answer, ResponseStatus
from intake.services import get_or_create_response, submit_response
from surveys.models import OrganisationRole, Region, User
from tests.browser.conftest import ServerRequests, assert_accessible, login
from tests.factories import count_and_share_questionnaire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_respondent_sees_a_notice_and_staff_correct_the_count(
    page: Page,
    new_context: Any,
    live_server: Any,
    server_requests: ServerRequests,
    register: None,
) -> None:
    questionnaire = count_and_share_questionnaire(2048)
    kalmar = Region.objects.get(code="08")
    contact = User.objects.create_user(email="kontakt@kalmar.test")
    OrganisationRole.objects.create(user=contact, organisation=kalmar)

    login(page, live_server, contact)
    page.goto(f"/svar/{questionnaire.pk}/{kalmar.pk}/")
    page.get_by_label("Hur stor andel", exact=False).fill("73")
    page.get_by_label("Hur många personer", exact=False).fill("179")
    page.get_by_role("button", name="Spara utkast").click()
    count = page.get_by_label("Hur många personer", exact=False)
    expect(count).to_have_accessible_description(
        "Kontrollera: Antalet är mindre än 1 % av befolkningen. Är det angivet i "
        "tusental eller som en andel? Befolkningen var 246 989 invånare den "
        "1 november 2021."
    )
    assert_accessible(page)

    server_requests.wait_idle()
    response = get_or_create_response(questionnaire, organisation=kalmar)
    submit_response(response, actor=contact, notify=False)

    staff = User.objects.create_user(
        email="statistiker@socialstyrelsen.test", is_staff=True
    )
    staff_page = new_context().new_page()
    login(staff_page, live_server, staff)
    staff_page.goto(f"/rapporter/enkat/{questionnaire.pk}/")
    staff_page.get_by_role("link", name="Granskning av tal").click()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text("Granskning")
    assert_accessible(staff_page)

    row = staff_page.locator("tr", has_text="Kalmar")
    row.get_by_label("Rättat värde").fill("179000")
    row.get_by_label("Anledning").fill("Angivet i tusental")
    row.get_by_role("button", name="Rätta Kalmar, fråga 2").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Svaret är rättat")
    expect(
        staff_page.get_by_role("table", name="Socialstyrelsens rättningar", exact=False)
    ).to_contain_text("Angivet i tusental")
    assert_accessible(staff_page)

    server_requests.wait_idle()
    assert Answer.objects.get(response=response, question__variable="antal").number == (
        179_000
    )
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
