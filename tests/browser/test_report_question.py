"""A question's report page in a browser: the tables with their legend of
markers and the charts with base and source (issue #16), accessible."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from surveys.models import Questionnaire, Region, User
from tests.browser.conftest import assert_accessible, login
from tests.factories import mark_submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_read_a_question_with_its_legend_chart_base_and_source(
    page: Page, live_server: LiveServer, staff_user: User
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    response = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="04")
    )
    save_answers(
        response,
        actor=staff_user,
        channel=Channel.WEB,
        values={"r02_breddinfort": "ja"},
    )
    mark_submitted(response)
    login(page, live_server, staff_user)
    page.goto(
        f"/rapporter/enkat/{questionnaire.pk}/fraga/r02_breddinfort/"
        "?niva=region&avrundning=half_up&svar=inskickade"
    )
    expect(page.get_by_text("Teckenförklaring")).to_be_visible()
    # 20 regions without an answer: «–» in the Bilaga 3 table, explained.
    expect(
        page.get_by_text("Inget att redovisa: organisationen har inte svarat.")
    ).to_be_visible()
    expect(page.get_by_text("svarat «Ja», per region").first).to_be_visible()
    expect(
        page.get_by_text(
            "Bas: de regioner som har svarat på frågan i varje region, 1 totalt.",
            exact=False,
        )
    ).to_be_visible()
    assert_accessible(page)
