"""The RSS coordinator's round: the status page (axe), a filter, a reminder, a
kommun's proxy form, the RSS questionnaire with live counts (axe); and staff's
supplementary questionnaire page (axe)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from surveys.models import RSS, Kommun, Questionnaire
from tests.browser.conftest import assert_accessible, login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_follows_up_the_kommuner(
    page: Page, live_server: LiveServer
) -> None:
    rss = RSS.objects.get(code="rss-07")
    vaxjo = Kommun.objects.get(code="0780")
    coordinator = make_user("samordnare@rss-kronoberg.test", rss)
    contact = make_user("kontakt@vaxjo.test", vaxjo)
    make_user("kontakt@ljungby.test", Kommun.objects.get(code="0781"))
    helper = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    save_answers(
        get_or_create_response(helper, organisation=vaxjo),
        actor=contact,
        channel=Channel.WEB,
        values={"k04_breddinfort": "ja"},
    )

    login(page, live_server, coordinator)
    page.goto("/mina-enkater/")
    page.get_by_role("link", name=rss.name).first.click()  # 2024, newest first
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{rss.name}: kommunernas svar"
    )
    expect(page.get_by_text("0 av 8 kommuner har skickat in.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Status").select_option(label="Pågår")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.get_by_text("(filtrerat: 1 av 8)")).to_be_visible()
    rows = page.locator("table.status-board tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("rowheader")).to_have_text("Växjö")

    page.get_by_role("button", name="Påminn Växjö").click()
    expect(page.get_by_role("status")).to_contain_text(
        "En påminnelse till Växjö skickas till 1 kontakt."
    )

    page.get_by_role("link", name=re.compile(r"Fyll i åt kommunen.*Växjö")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(helper.title)
    expect(page.get_by_text("Växjö", exact=True).first).to_be_visible()

    rss_q = Questionnaire.objects.get(cycle__year=2024, key="rss")
    page.goto(f"/svar/{rss_q.pk}/{rss.pk}/")
    expect(page.get_by_role("link", name="Se kommunernas svar")).to_be_visible()
    expect(page.get_by_text("varav").first).to_be_visible()
    assert_accessible(page)


def test_the_staff_supplementary_page_is_accessible(
    page: Page, live_server: LiveServer
) -> None:
    staff = make_user("staff@socialstyrelsen.test", is_staff=True, is_superuser=True)
    extra = Questionnaire.objects.get(cycle__year=2024, key="kommun-extra")
    login(page, live_server, staff)
    page.goto("/kompletterande-enkater/")
    assert_accessible(page)
    page.goto(f"/kompletterande-enkater/{extra.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
