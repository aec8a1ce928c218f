"""Coding free-text answers with themes by keyboard only (issue #19 point 3): the
coder ticks themes with Space and moves on with "Spara och gå till nästa
obesvarade"; every theme page passes axe, reflows at 320 px and shows focus."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from reports.themes.models import Coding
from reports.themes.services import add_theme, code_answer, set_agreed_coder
from surveys.models import OrganisationKind, QuestionKind, Region, User
from tests.browser.audit import Findings, audit
from tests.browser.conftest import ServerRequests, login
from tests.factories import (
    AnswerFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ResponseFactory,
    mark_submitted,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_code_two_answers_by_keyboard(
    page: Page, live_server: Any, server_requests: ServerRequests, register: None
) -> None:
    staff = User.objects.create_user(email="kodare@socialstyrelsen.test", is_staff=True)
    questionnaire = QuestionnaireFactory(audience=OrganisationKind.REGION)
    question = QuestionFactory(
        section__questionnaire=questionnaire, kind=QuestionKind.TEXT, variable="fritext"
    )
    uppsala, sormland = Region.objects.get(code="03"), Region.objects.get(code="04")
    responses = []
    for region, text in (
        (uppsala, "Vi satsar på kompetens."),
        (sormland, "Samverkan."),
    ):
        response = ResponseFactory(questionnaire=questionnaire, organisation=region)
        AnswerFactory(response=response, question=question, text=text)
        responses.append(response)
    mark_submitted(*responses)
    kompetens = add_theme(question, name="Kompetens", description="", actor=staff)
    samverkan = add_theme(question, name="Samverkan", description="", actor=staff)

    login(page, live_server, staff)
    base = f"{live_server.url}/rapporter/enkat/{questionnaire.pk}/teman/fritext/"
    page.goto(base + "koda/")
    page.get_by_role("link", name="Nästa obesvarade").focus()
    page.keyboard.press("Enter")
    # From the first answer: Tab to its first theme, Space ticks it, then on to
    # "Spara och gå till nästa obesvarade" (past the second theme and "Spara").
    page.keyboard.press("Tab")
    expect(page.get_by_label("Kompetens").first).to_be_focused()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Spara och gå till nästa obesvarade")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**?till={responses[1].pk}")
    expect(page.locator(f"#svar-{responses[1].pk}")).to_be_focused()
    # Focus is on the next uncoded answer, the second: Tab, Tab reaches Samverkan.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Samverkan").nth(1)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Spara
    expect(page.get_by_text("Du har kodat alla svar.")).to_be_visible()

    server_requests.wait_idle()
    coded = {
        c.response_id: set(c.themes.all())
        for c in Coding.objects.filter(coder=staff).prefetch_related("themes")
    }
    assert coded == {responses[0].pk: {kompetens}, responses[1].pk: {samverkan}}

    # A second coder and a fastställd coding, so the agreement and count pages
    # are audited with their tables.
    second = User.objects.create_user(email="andra@socialstyrelsen.test", is_staff=True)
    scheme = kompetens.scheme
    code_answer(scheme, response=responses[0], theme_ids=[kompetens.pk], actor=second)
    code_answer(scheme, response=responses[1], theme_ids=[kompetens.pk], actor=second)
    set_agreed_coder(scheme, coder=staff, actor=staff)

    findings = Findings()
    for path in ("", "koda/", "overensstammelse/", "antal/"):
        audit(page, base + path, findings)
    findings.assert_none()
    page.goto(base + "overensstammelse/")
    # They differ on the second answer only (Samverkan against Kompetens).
    expect(page.get_by_text("1 svar", exact=True)).to_be_visible()
