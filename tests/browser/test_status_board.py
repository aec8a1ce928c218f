"""Staff's status board in the browser (issue #15 points 2 and 6): filtered to
the regions, a reminder round to the ticked region, seen on the board; axe on
the board, and the board reflows at 320 px (each row a card, nothing
scrolling sideways)."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surveys.models import Questionnaire, Region
from tests.browser.conftest import assert_accessible, login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_send_a_reminder_round_from_the_board_and_see_it_there(
    page: Page, live_server: LiveServer
) -> None:
    staff = make_user("staff@socialstyrelsen.test", is_staff=True, is_superuser=True)
    sormland = Region.objects.get(code="04")
    make_user("kontakt@sormland.test", sormland)
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")

    login(page, live_server, staff)
    page.goto("/")
    page.get_by_role("link", name="Svarsläget 2024").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Svarsläget 2024")
    page.get_by_label("Målgrupp").select_option(label=questionnaire.title)
    page.get_by_role("button", name="Visa").click()
    expect(page.locator("table.board caption")).to_contain_text("21 av")
    assert_accessible(page)

    row = page.locator(f"#rad-{questionnaire.pk}-{sormland.pk}")
    expect(row.get_by_role("cell").last).to_have_text("0")
    page.get_by_label(f"Välj {sormland.name}").check()
    page.get_by_label("Ordinarie påminnelse").check()
    page.get_by_role("button", name="Skicka påminnelse till valda").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Ordinarie påminnelse till 1 organisationer har gått i väg."
    )
    expect(row.get_by_role("cell").last).to_contain_text("1")
    expect(row.get_by_role("cell").last).to_contain_text("senast")
    assert [m.to for m in mail.outbox] == [["kontakt@sormland.test"]]

    # Reflow: at 320 px each organisation is a card, nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 322).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert width <= 320, wide
    reminders = row.locator("td[data-label='Påminnelser']")
    expect(reminders).to_be_visible()
    box = row.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 320
    label = reminders.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"Påminnelser: "'
    assert_accessible(page)
