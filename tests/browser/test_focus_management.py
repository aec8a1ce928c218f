"""Focus after saving and after a refused submit, error links, targets and the
matrix's row labels (issue #17, WCAG 2.4.3, 3.3.1, 2.5.8, 1.3.1)."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surveys.models import Questionnaire, Region
from tests.browser.conftest import ServerRequests, login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight; }"""


def test_saving_and_a_refused_submit_put_focus_where_the_user_needs_it(
    page: Page,
    live_server: LiveServer,
    server_requests: ServerRequests,
    settings: LazySettings,
) -> None:
    settings.AUTOSAVE_SECONDS = 3600  # no timed autosave racing the saves below
    region = Region.objects.get(code="04")
    q = Questionnaire.objects.get(cycle__year=2024, key="region")
    missing = q.questions.get(number="4").variable
    login(page, live_server, make_user("kontakt@sormland.test", region))
    page.set_viewport_size({"width": 1024, "height": 700})
    page.goto(f"/svar/{q.pk}/{region.pk}/")

    # A refused submit: the summary has focus, the missing question is marked.
    page.get_by_role("button", name="Skicka in").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    field = page.locator(f"#id_{missing}")
    expect(field).to_have_attribute("aria-invalid", "true")
    block = page.locator(f"#q-{missing}")
    expect(block.locator(".error")).to_have_text(
        "Svara på frågan innan du skickar in enkäten. "
    )

    # Its error link focuses the field with the question and message in view,
    # and leaves no #fragment behind.
    link = summary.get_by_role("link", name="Fråga 4:")
    link.focus()
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    assert page.locator(f"#q-{missing} legend").evaluate(IN_VIEW)
    assert block.locator(".error").evaluate(IN_VIEW)
    assert "#" not in page.url

    # Answer it by keyboard and save: the page comes back with focus on the
    # message beside the buttons, at the top of nothing stale.
    page.keyboard.press("Space")
    page.get_by_role("button", name="Spara utkast").click()
    status = page.locator("#autospara-status")
    expect(status).to_have_text("Utkastet är sparat.")
    expect(status).to_be_focused()
    assert "#" not in page.url
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Spara utkast")).to_be_focused()
    server_requests.wait_idle()


def test_targets_are_large_and_matrix_rows_label_their_radios(
    page: Page, live_server: LiveServer, server_requests: ServerRequests
) -> None:
    region = Region.objects.get(code="04")
    q = Questionnaire.objects.get(cycle__year=2024, key="region")
    login(page, live_server, make_user("kontakt@sormland.test", region))
    page.goto(f"/svar/{q.pk}/{region.pk}/")
    sizes = page.eval_on_selector_all(
        "input[type=radio], input[type=checkbox]",
        """(all) => all.filter((e) => e.offsetParent !== null)
             .map((e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })""",
    )
    assert sizes and all(w >= 24 and h >= 24 for w, h in sizes), min(sizes)
    # The matrix's row text is part of each radio's name, on a wide and a narrow screen.
    expect(page.get_by_role("radio", name="Primärvården som nav Ja")).to_have_count(1)
    page.set_viewport_size({"width": 320, "height": 640})
    row = page.get_by_role("radio", name="Primärvården som nav Nej")
    row.check()
    expect(row).to_be_checked()
    server_requests.wait_idle()
