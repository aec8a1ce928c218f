"""A region contact fills in the region questionnaire in a real browser (issue #3)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from intake.demo import demo_values
from intake.models import Channel, Response, ResponseStatus
from intake.selectors import questions_of
from intake.services import save_answers
from surveys.models import OrganisationRole, Questionnaire, Region, User
from tests.browser.conftest import ServerRequests, assert_accessible, sign_in_as

pytestmark = pytest.mark.django_db(transaction=True)


def question(number: str) -> str:
    return (
        Questionnaire.objects.get(cycle__year=2024, key="region")
        .questions.get(number=number)
        .variable
    )


def test_a_region_contact_fills_in_saves_returns_and_submits(
    page: Page, contact: User, live_server: Any, server_requests: ServerRequests
) -> None:
    q2, q2a = question("2"), question("2a")
    page.goto("/logga-in/")
    page.get_by_label("E-postadress").fill("kontakt@sormland.test")
    page.get_by_label("Lösenord").fill("ett-bra-losenord")
    page.get_by_role("button", name="Logga in").click()

    page.goto("/mina-enkater/")
    assert_accessible(page)
    page.get_by_role("link", name="Enkät till regionerna 2024").click()
    expect(
        page.get_by_role("heading", name="Enkät till regionerna 2024")
    ).to_be_visible()
    assert_accessible(page)

    follow_up = page.locator(f"#q-{q2a}")
    expect(follow_up).to_be_hidden()
    page.locator(f"#q-{q2}").get_by_label("Ja").check()
    expect(follow_up).to_be_visible()
    follow_up.locator("textarea").fill("Mobila team i hela länet")
    page.locator(f"#q-{q2}").get_by_label("Nej").check()
    expect(follow_up).to_be_hidden()
    page.locator(f"#q-{q2}").get_by_label("Ja").check()
    expect(follow_up).to_be_visible()
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Utkastet är sparat.")).to_be_visible()

    page.goto("/")
    page.goto("/mina-enkater/")
    expect(page.get_by_role("cell", name="Pågår")).to_be_visible()
    page.get_by_role("link", name="Enkät till regionerna 2024").click()
    expect(page.locator(f"#q-{q2}").get_by_label("Ja")).to_be_checked()
    expect(follow_up.locator("textarea")).to_have_value("Mobila team i hela länet")

    page.get_by_role("button", name="Skicka in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(
        "Enkäten kan inte skickas in förrän de här frågorna är besvarade"
    )
    assert_accessible(page)

    # The remaining answers arrive through the service (typing 60 questions here
    # would test the browser, not the service); then the contact submits.
    server_requests.wait_idle()
    response = Response.objects.get(organisation__code="04")
    questions = questions_of(response.questionnaire_id)
    values = demo_values(questions, random.Random(11))
    values.update({q2: "ja", q2a: "Mobila team i hela länet"})
    save_answers(response, actor=contact, channel=Channel.WEB, values=values)
    page.goto(page.url)  # a fresh GET, not a re-POST of the refused submit
    page.get_by_role("button", name="Skicka in").click()
    expect(
        page.get_by_role("heading", name="Kvitto: Enkät till regionerna 2024")
    ).to_be_visible()
    expect(page.get_by_text("Mobila team i hela länet")).to_be_visible()
    assert_accessible(page)
    server_requests.wait_idle()
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED


def test_two_people_editing_the_same_response_do_not_overwrite_each_other(
    new_context: Any,
    contact: User,
    live_server: Any,
    server_requests: ServerRequests,
) -> None:
    colleague = User.objects.create_user(email="kollega@sormland.test", password="x")
    OrganisationRole.objects.create(
        user=colleague, organisation=Region.objects.get(code="04")
    )
    q2, q12 = question("2"), question("12")
    pages = []
    for user in (contact, colleague):
        context = new_context()
        sign_in_as(context, user, live_server)
        page = context.new_page()
        page.goto("/mina-enkater/")
        page.get_by_role("link", name="Enkät till regionerna 2024").click()
        pages.append(page)
    first, second = pages

    first.locator(f"#q-{q2}").get_by_label("Nej").check()
    first.get_by_role("button", name="Spara utkast").click()
    expect(first.get_by_text("Utkastet är sparat.")).to_be_visible()

    second.locator(f"#q-{q2}").get_by_label("Ja").check()
    second.locator(f"#q-{q12} textarea").fill("Kollegans text")
    second.get_by_role("button", name="Spara utkast").click()
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("Någon annan har sparat ändringar")
    expect(alert).to_contain_text("kontakt@sormland.test")
    expect(second.locator(f"#q-{q12} textarea")).to_have_value("Kollegans text")

    server_requests.wait_idle()
    response = Response.objects.get(organisation__code="04")
    assert response.answers.get(question__variable=q2).option.code == "nej"  # type: ignore[union-attr]
    # Question 12, which only the colleague changed, is saved (issue #13); both
    # answers to question 2 are shown side by side for the colleague to choose.
    assert response.answers.get(question__variable=q12).text == "Kollegans text"
    choice = second.locator(f"#krock-{q2}")
    expect(choice).to_contain_text("Ditt svar (i fältet ovan): Ja")
    expect(choice).to_contain_text("Sparat av kontakt@sormland.test")
    expect(choice).to_contain_text(": Nej")
    assert_accessible(second)
    choice.get_by_label("Ditt svar", exact=False).check()
    second.get_by_role("button", name="Spara utkast").click()
    expect(second.get_by_text("Utkastet är sparat.")).to_be_visible()
    server_requests.wait_idle()
    assert response.answers.get(question__variable=q2).option.code == "ja"  # type: ignore[union-attr]
