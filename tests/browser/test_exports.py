"""The staff export page in a browser: order, live progress, download; accessible."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from reports.models import ExportJob
from surveys.models import Questionnaire, User
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings: LazySettings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_staff_order_an_export_and_download_it(
    page: Page, live_server: LiveServer, staff_user: User
) -> None:
    login(page, live_server, staff_user)
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Exporter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exporter")
    assert_accessible(page)
    page.get_by_label("Underlag").select_option(label="Enkät till regionerna 2024")
    page.get_by_role("radio", name="Svarsstatus").check()
    page.get_by_role("radio", name="Excel (.xlsx)").check()
    page.get_by_role("button", name="Beställ export").click()
    expect(page.get_by_role("status")).to_contain_text("Exporten är beställd")
    link = page.get_by_role("link", name="Ladda ned svarsstatus-2024-region.xlsx")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "svarsstatus-2024-region.xlsx"
    assert_accessible(page)


def test_progress_updates_without_a_reload(
    page: Page, live_server: LiveServer, staff_user: User
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    job = ExportJob.objects.create(
        requested_by=staff_user,
        cycle=questionnaire.cycle,
        questionnaire=questionnaire,
        kind="svarsstatus",
        format="csv",
        status="running",
        progress=10,
        progress_message="Läser ramen och svaren",
    )
    login(page, live_server, staff_user)
    page.goto("/rapporter/exporter/")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("value", "10")
    ExportJob.objects.filter(pk=job.pk).update(
        progress=60, progress_message="Skriver filen"
    )
    expect(bar).to_have_attribute("value", "60")
    expect(page.get_by_text("Förlopp 60 %: Skriver filen")).to_be_visible()
    ExportJob.objects.filter(pk=job.pk).update(
        status="failed", error="Exporten misslyckades."
    )
    # The page reloads when the job ends, to show the outcome.
    expect(page.get_by_text("Exporten misslyckades.")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)
