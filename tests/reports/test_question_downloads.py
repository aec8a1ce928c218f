"""Per-question downloads on the report page: the chart as PNG and the tables as
xlsx, staff only (404 for everyone else), through real requests."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from surveys.models import Questionnaire, User
from tests.factories import mark_submitted
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db


def urls(questionnaire: Questionnaire) -> list[str]:
    return [
        reverse(
            "reports:question-chart-png", args=[questionnaire.pk, "q01_breddinfort", 1]
        ),
        reverse("reports:question-xlsx", args=[questionnaire.pk, "q01_breddinfort"]),
    ]


def test_the_page_links_its_downloads(
    every_kind: EveryKind, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    page = client.get(
        reverse(
            "reports:question", args=[every_kind.questionnaire.pk, "q01_breddinfort"]
        ),
        {"niva": "region", "avrundning": "half_up"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    for url in urls(every_kind.questionnaire):
        assert f'href="{url}?niva=region&amp;avrundning=half_up"' in html


def test_staff_download_the_chart_and_the_tables(
    every_kind: EveryKind, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    mark_submitted(every_kind.kronoberg)
    png_url, xlsx_url = urls(every_kind.questionnaire)
    png = client.get(png_url)
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    assert (
        png["Content-Disposition"] == 'attachment; filename="2041-region-fraga-1-1.png"'
    )
    tables = client.get(xlsx_url, {"niva": "region", "avrundning": "half_up"})
    assert tables.status_code == 200
    sheet = load_workbook(io.BytesIO(tables.content))["Fråga 1"]
    # Sörmland ja, Kronoberg nej
    assert [sheet[c].value for c in ("B8", "C8", "D8", "E8")] == [1, 0.5, 1, 0.5]
    assert [sheet["A13"].value, sheet["B13"].value] == ["Riket", 1]
    assert sheet["B13"].number_format == '#,##0"/2"'


def test_a_chart_that_does_not_exist_is_404(
    every_kind: EveryKind, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    q = every_kind.questionnaire
    assert (
        client.get(
            reverse("reports:question-chart-png", args=[q.pk, "q01_breddinfort", 2])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("reports:question-chart-png", args=[q.pk, "q05_antal", 1])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("reports:question-xlsx", args=[q.pk, "finns_inte"])
        ).status_code
        == 404
    )


def test_it_requires_login(every_kind: EveryKind, client: Client) -> None:
    for url in urls(every_kind.questionnaire):
        response = client.get(url)
        assert response.status_code == 302
        assert "next=" in response["Location"]


@pytest.mark.parametrize(
    "persona", ["region_user", "other_region_user", "rss_user", "kommun_user"]
)
def test_respondents_cannot_download(
    persona: str, every_kind: EveryKind, client: Client, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for url in urls(every_kind.questionnaire):
        assert client.get(url).status_code == 404, url
