"""A kommun uploads its filled-in Excel copy in a real browser: the upload page,
the refusal of a bad file and the preview pass axe (WCAG 2.1 AA) (issue #4)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from intake.models import Answer, Channel
from surveys.models import Kommun, OrganisationRole, Questionnaire, User
from tests.browser.conftest import assert_accessible, login
from tests.intake.test_excel import answer_ref

pytestmark = pytest.mark.django_db(transaction=True)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_kommun_uploads_its_copy_previews_and_saves(
    page: Page, live_server: Any
) -> None:
    kommun = Kommun.objects.get(code="0780")
    user = User.objects.create_user(email="kontakt@vaxjo.test", password="x-y-z-w")
    OrganisationRole.objects.create(user=user, organisation=kommun)
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    client = Client()
    client.force_login(user)
    download = client.get(
        reverse("intake:excel-download", args=[questionnaire.pk, kommun.pk])
    )
    workbook = load_workbook(io.BytesIO(download.content))
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "4")] = "Ja"
    sheet[answer_ref(sheet, "4a")] = "Samverkan kring hemsjukvård"
    buffer = io.BytesIO()
    workbook.save(buffer)

    login(page, live_server, user)
    page.goto(reverse("intake:response-edit", args=[questionnaire.pk, kommun.pk]))
    page.get_by_role("link", name="Ladda upp ifylld Excel-fil").click()
    expect(page.get_by_role("heading", name="Ladda upp Excel-fil")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Ifylld Excel-fil (.xlsx)").set_input_files(
        {"name": "fel.xlsx", "mimeType": XLSX, "buffer": b"inte en arbetsbok"}
    )
    page.get_by_role("button", name="Ladda upp och granska").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Filen kunde inte läsas som en Excel-arbetsbok"
    )
    assert_accessible(page)

    page.get_by_label("Ifylld Excel-fil (.xlsx)").set_input_files(
        {"name": "vaxjo.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}
    )
    page.get_by_role("button", name="Ladda upp och granska").click()
    expect(
        page.get_by_role("heading", name="Granska svaren i Excel-filen")
    ).to_be_visible()
    expect(page.get_by_text("2 frågor ändras om du sparar.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Spara svaren från filen").click()
    expect(page.get_by_text("Svaren från Excel-filen är sparade.")).to_be_visible()
    answers = Answer.objects.filter(response__organisation=kommun)
    assert answers.count() == 2
    assert {a.channel for a in answers} == {Channel.EXCEL}
