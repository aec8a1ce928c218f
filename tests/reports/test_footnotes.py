"""A question's footnotes under its tables and charts in every output (issue #16
point 3): the report page, the question's table download and PNG, the table
workbook and the chart zip's PNGs; and in the codebook. The footnote is stored as the loader stores
it (Question.footnotes; tests/surveys/test_footnotes.py loads it from a file)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from reports.charts import chart_size_px
from reports.codebook import CODEBOOK_HEADERS, codebook_rows
from reports.export_kinds import write_diagram_zip
from surveys.models import Question, Questionnaire, User
from tests.factories import mark_submitted
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db

NOTE = "Frågan ställdes 2041 för första gången med denna formulering."


@pytest.fixture
def noted(every_kind: EveryKind) -> EveryKind:
    mark_submitted(every_kind.kronoberg)
    Question.objects.filter(
        questionnaire=every_kind.questionnaire, variable="q01_breddinfort"
    ).update(footnotes=[NOTE])
    # As the loader does: the cached question structures are keyed by loaded_at.
    Questionnaire.objects.filter(pk=every_kind.questionnaire.pk).update(
        loaded_at=timezone.now()
    )
    every_kind.questionnaire.refresh_from_db()
    return every_kind


def test_the_report_page_shows_the_footnote_under_each_table_and_chart(
    noted: EveryKind, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    url = reverse("reports:question", args=[noted.questionnaire.pk, "q01_breddinfort"])
    per_region = {"niva": "region", "avrundning": "half_up"}
    html = client.get(url, per_region).content.decode()
    # Per region: the Bilaga 3 table, the table per region and one chart (the
    # share answering «Ja»); at riket the riket table and the chart of options.
    assert html.count(f"<li>{NOTE}</li>") == 3
    html = client.get(url).content.decode()
    assert html.count(f"<li>{NOTE}</li>") == 2
    other = reverse("reports:question", args=[noted.questionnaire.pk, "q02_plan"])
    assert NOTE not in client.get(other, per_region).content.decode()


def test_the_tables_download_has_the_footnote_under_tables_and_chart_data(
    noted: EveryKind, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    url = reverse(
        "reports:question-xlsx", args=[noted.questionnaire.pk, "q01_breddinfort"]
    )
    tables = client.get(url, {"niva": "region", "avrundning": "half_up"})
    sheet = load_workbook(io.BytesIO(tables.content))["Fråga 1"]
    rows = [cell.row for cell in sheet["A"] if cell.value == NOTE]
    # Two tables (riket, per region) and two charts (riket per option, per
    # region «Ja»): the note under each, after the table's or chart's own notes.
    assert len(rows) == 4
    above = [sheet.cell(row=row - 1, column=1).value for row in rows]
    # The riket table's base note; the Bilaga 3 table's last row; then each
    # chart's source line (under its data, after the base note).
    assert above == [
        "2 regioner har svarat på denna fråga.",
        "Norrbotten",
        "Källa: Testenkät, Socialstyrelsen 2041.",
        "Källa: Testenkät, Socialstyrelsen 2041.",
    ]


def test_the_png_grows_by_one_line_per_footnote_line(
    noted: EveryKind, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    url = reverse(
        "reports:question-chart-png",
        args=[noted.questionnaire.pk, "q01_breddinfort", 1],
    )
    with_note = Image.open(io.BytesIO(client.get(url).content))
    # Riket, two bars (Ja, Nej): 0,9 + 0,9 + 2 × 0,45 in at 150 dpi = 405 px,
    # and one line of 8 pt (20 px) for the footnote.
    assert chart_size_px(2) == (1200, 405)
    assert with_note.size == (1200, 425)
    Question.objects.filter(
        questionnaire=noted.questionnaire, variable="q01_breddinfort"
    ).update(footnotes=[])
    # As the loader does when it writes a questionnaire: a new `loaded_at`, so the
    # structure built for the old content (reports.tabulation.plan) is not used.
    Questionnaire.objects.filter(pk=noted.questionnaire.pk).update(
        loaded_at=timezone.now()
    )
    without = Image.open(io.BytesIO(client.get(url).content))
    assert without.size == (1200, 405)


def test_the_chart_zip_draws_the_footnote_only_on_its_questions_charts(
    noted: EveryKind,
) -> None:
    output = io.BytesIO()
    write_diagram_zip(
        noted.questionnaire,
        options={"niva": "region"},
        output=output,
        progress=lambda percent, message: None,
    )
    with zipfile.ZipFile(output) as archive:
        heights = {
            name: Image.open(io.BytesIO(archive.read(name))).size[1]
            for name in archive.namelist()
            if name.endswith(".png")
        }
    # Question 1 at riket (Ja, Nej) and per region (Sörmland, Kronoberg): two
    # bars each, 405 px, and the footnote's line. Question 2 (three options)
    # has no footnote: 0,9 + 0,9 + 3 × 0,45 in = 472,5 px.
    assert heights["fraga-1.png"] == heights["fraga-1-region-1.png"] == 425
    assert heights["fraga-2.png"] == chart_size_px(3)[1] == 473


def test_the_codebook_gives_each_column_of_the_question_its_footnote(
    noted: EveryKind,
) -> None:
    rows = {row.variable: row for row in codebook_rows(noted.questionnaire)}
    assert rows["q01_breddinfort"].footnotes == NOTE
    assert rows["q02_plan"].footnotes == ""
    assert CODEBOOK_HEADERS[-1] == ("footnotes", "Fotnoter")
