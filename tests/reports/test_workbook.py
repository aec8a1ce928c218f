"""The table workbook (reports/workbook.py) against hand-computed figures.

Four regions answer the small test questionnaire of tests/reports/conftest.py:
Sörmland (04) and Kronoberg (07) as there, Stockholm (01) and Uppsala (03) here.

    question 1 (ja/nej):          01 ja, 03 ja, 04 ja, 07 nej -> 3/4 ja: "3 (75)", "1 (25)"
    question 5 (antal personer):  01 200, 03 100, 04 1 600 000, 07 «kan inte uppskattas»
                                  -> 3 numbers, mean 1 600 300 / 3 = 533 433,33 -> "533 433"
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from reports.kvalitetsdeklaration.writers import write_kvalitetsdeklaration_sheet
from reports.layouts import Rounding
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level
from reports.workbook import (
    save_workbook,
    sheet_name,
    write_index_sheet,
    write_question_sheet,
    write_table_workbook,
)
from surveys.models import RSS, Questionnaire, Region, User
from tests.factories import mark_submitted
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db

STOCKHOLM_ANSWERS = {
    "q01_breddinfort": "ja",
    "q02_plan": "ja",
    "q03_grupper": ["barn"],
    "q04_uppfoljning": {"samverkan": "ja", "nav": "ja"},
    "q05_antal": "200",
    "q06_andel": "40",
}
UPPSALA_ANSWERS = {
    "q01_breddinfort": "ja",
    "q02_plan": "nej",
    "q03_grupper": ["barn", "aldre"],
    "q04_uppfoljning": {"samverkan": "ja", "nav": "nej"},
    "q05_antal": "100",
    "q06_andel": "20",
}


def answer(
    questionnaire: Questionnaire, code: str, values: dict[str, Any], actor: User
) -> None:
    response = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code=code)
    )
    save_answers(response, actor=actor, channel=Channel.WEB, values=values)
    mark_submitted(response)


@pytest.fixture
def four_regions(every_kind: EveryKind) -> Questionnaire:
    mark_submitted(every_kind.kronoberg)  # its draft would not be counted
    answer(every_kind.questionnaire, "01", STOCKHOLM_ANSWERS, every_kind.actor)
    answer(every_kind.questionnaire, "03", UPPSALA_ANSWERS, every_kind.actor)
    return Questionnaire.objects.select_related("cycle").get(
        pk=every_kind.questionnaire.pk
    )


def workbook_bytes(questionnaire: Questionnaire, **kwargs: Any) -> bytes:
    output = io.BytesIO()
    write_table_workbook(questionnaire, output, **kwargs)
    return output.getvalue()


def rows_of(sheet: Any, first: int, last: int) -> list[tuple[Any, ...]]:
    return [
        tuple(c.value for c in row if c.value is not None)
        for row in sheet.iter_rows(min_row=first, max_row=last)
    ]


def test_a_question_sheet_has_the_riket_and_region_tables_notes_and_source(
    four_regions: Questionnaire,
) -> None:
    workbook = load_workbook(io.BytesIO(workbook_bytes(four_regions)))
    sheet = workbook["Fråga 1"]
    assert sheet["A1"].value == "Fråga 1. Frågetext 1?"
    # «antal (procent)»: each option's column is two, the count and the share.
    assert rows_of(sheet, 4, 9) == [
        ("Fråga 1. Etikett 1",),
        ("Antal och procent (inom parentes)",),
        ("Fråga", "Ja", "Nej"),
        ("Antal", "Procent", "Antal", "Procent"),
        ("Etikett 1", 3, 0.75, 1, 0.25),
        ("4 regioner har svarat på denna fråga.",),
    ]
    assert "B6:C6" in sheet.merged_cells and "D6:E6" in sheet.merged_cells
    assert [sheet[c].number_format for c in ("B8", "C8", "D8", "E8")] == [
        "#,##0", "0 %", "#,##0", "0 %",
    ]  # fmt: skip
    assert rows_of(sheet, 11, 19) == [
        ("Fråga 1. Frågetext 1?",),
        ("Region (län)", "Svar"),
        ("Riket", 3),
        ("Stockholm", "Ja"),
        ("Uppsala", "Ja"),
        ("Sörmland", "Ja"),
        ("Östergötland", "–"),
        ("Jönköping", "–"),
        ("Kronoberg", "Nej"),
    ]
    # «3/4» as printed: the count 3, the base in its number format.
    assert (sheet["B13"].data_type, sheet["B13"].number_format) == ("n", '#,##0"/4"')
    assert sheet["A34"].value == "Norrbotten"  # all 21 regions
    assert sheet["A36"].value == "Källa: Testenkät, Socialstyrelsen 2041."
    # The markers these tables use, explained under them.
    assert rows_of(sheet, 38, 39) == [
        ("Teckenförklaring",),
        ("–", "Inget att redovisa: organisationen har inte svarat."),
    ]
    # The chart's data: shares as numbers, and the chart references them.
    assert rows_of(sheet, 41, 46) == [
        ("Diagramunderlag: Andel regioner: Etikett 1",),
        ("Svarsalternativ", "Andel (%)"),
        ("Ja", 0.75),
        ("Nej", 0.25),
        ("Bas: 4 regioner har svarat.",),
        ("Källa: Testenkät, Socialstyrelsen 2041.",),
    ]
    assert sheet["B43"].number_format == "0 %"
    # Then the regions' shares answering «Ja», largest first, ties in the
    # register's order (Stockholm, Uppsala, Sörmland); no bar without data.
    column_a = [c.value for c in sheet["A"]]
    title = "Diagramunderlag: Andel regioner: Etikett 1: svarat «Ja», per region"
    at = column_a.index(title) + 1
    assert rows_of(sheet, at + 1, at + 5) == [
        ("Region", "Andel (%)"),
        ("Stockholm", 1),
        ("Uppsala", 1),
        ("Sörmland", 1),
        ("Kronoberg", 0),
    ]
    base = sheet.cell(at + 6, 1).value
    assert base == (
        "Bas: de regioner som har svarat på frågan i varje region, 4 totalt. "
        ".. (uppgift saknas, ingen stapel): 17 regioner."
    )
    riket_chart, regions_chart = sheet._charts
    (series,) = riket_chart.series
    assert series.val.numRef.f == "'Fråga 1'!$B$43:$B$44"
    assert (series.cat.strRef or series.cat.numRef).f == "'Fråga 1'!$A$43:$A$44"


def test_numbers_are_numbers_with_a_thousands_format_and_the_escape_is_noted(
    four_regions: Questionnaire,
) -> None:
    sheet = load_workbook(io.BytesIO(workbook_bytes(four_regions)))["Fråga 5"]
    assert rows_of(sheet, 6, 8) == [
        ("Riket", 3, 533433, 1, 0),  # mean of 200, 100 and 1 600 000
        ("3 regioner har svarat på denna fråga.",),
        ("1 region svarade «Antalet kan inte uppskattas».",),
    ]
    assert sheet["C6"].number_format == "#,##0"
    assert [sheet["A15"].value, sheet["B15"].value] == ["Sörmland", 1600000]
    assert sheet["B18"].value == "Antalet kan inte uppskattas"  # Kronoberg
    # No chart of riket's one number; one bar per region that gave a number.
    (chart,) = sheet._charts
    column_a = [c.value for c in sheet["A"]]
    at = column_a.index("Diagramunderlag: Etikett 5: medelvärde per region") + 1
    assert rows_of(sheet, at + 1, at + 4) == [
        ("Region", "Antal"),
        ("Sörmland", 1600000),
        ("Stockholm", 200),
        ("Uppsala", 100),
    ]
    assert sheet.cell(at + 2, 2).number_format == "#,##0"


def test_a_matrix_gets_one_chart_per_row(four_regions: Questionnaire) -> None:
    sheet = load_workbook(io.BytesIO(workbook_bytes(four_regions)))["Fråga 4"]
    assert rows_of(sheet, 8, 9) == [
        ("Samverkan", 3, 0.75, 1, 0.25),
        ("Primärvården som nav", 2, 0.5, 2, 0.5),
    ]
    assert rows_of(sheet, 14, 14) == [("Riket", 3, 2)]
    assert sheet["C14"].number_format == '#,##0"/4"'
    assert len(sheet._charts) == 4  # per row at riket, and per row per region


def test_the_index_links_every_question_with_its_base(
    four_regions: Questionnaire,
) -> None:
    workbook = load_workbook(io.BytesIO(workbook_bytes(four_regions)))
    assert workbook.sheetnames == [
        "Innehåll",
        *(f"Fråga {n}" for n in ("1", "1a", "2", "3", "4", "5", "6", "7")),
        "Kvalitetsdeklaration",
        "Manifest",
    ]
    index = workbook["Innehåll"]
    assert index["B3"].value == 2041
    assert index["B4"].value == "Testenkät (version 1)"
    assert index["A5"].value == "Data per"
    assert index["B7"].value == "4 av 21"
    assert index["B8"].value == "Endast inskickade svar ingår."
    assert rows_of(index, 10, 12) == [
        ("Fråga", "Text", "Typ", "Bas (riket)", "Andelar av"),
        ("Fråga 1", "Etikett 1", "Ja/Nej", 4, "de som har svarat"),
        ("Fråga 1a", "Etikett 1a", "Fritext", 1),
    ]
    assert index["D16"].value == 3  # question 5: three gave a number
    # The full legend of the markers under the list of questions.
    assert rows_of(index, 20, 25) == [
        ("Teckenförklaring",),
        ("..", "Uppgift saknas: ingen i gruppen har svarat på frågan."),
        ("–", "Inget att redovisa: organisationen har inte svarat."),
        (".", "Alternativet är inte markerat (flervalsfråga)."),
        ("0", "Noll: svaren har räknats och inget föll på alternativet."),
        (
            "Tom cell",
            "Frågan ställdes inte (följdfråga som bara visas efter vissa svar).",
        ),
    ]
    links = [index.cell(row, 1).hyperlink.location for row in range(11, 19)]
    assert links[0] == "'Fråga 1'!A1"
    assert links[-1] == "'Fråga 7'!A1"
    manifest = dict(
        (r[0].value, r[1].value) for r in workbook["Manifest"].iter_rows(min_row=2)
    )
    assert manifest["kind"] == "tabeller"
    assert '"frågor": 8' in manifest["row_counts"]


def test_at_riket_only_the_riket_tables(four_regions: Questionnaire) -> None:
    sheet = load_workbook(
        io.BytesIO(
            workbook_bytes(
                four_regions, level="riket", rounding=Rounding.LARGEST_REMAINDER
            )
        )
    )["Fråga 1"]
    assert rows_of(sheet, 8, 11) == [
        ("Etikett 1", 3, 0.75, 1, 0.25),
        ("4 regioner har svarat på denna fråga.",),
        (),
        ("Källa: Testenkät, Socialstyrelsen 2041.",),
    ]


def test_a_kommun_questionnaire_gets_riket_and_per_rss_tables() -> None:
    questionnaire = Questionnaire.objects.select_related("cycle").get(
        cycle__year=2019, key="kommun"
    )
    workbook = load_workbook(io.BytesIO(workbook_bytes(questionnaire)))
    assert workbook["Innehåll"]["B6"].value == "Per RSS"
    sheet = workbook["Fråga 2"]
    column_a = [c.value for c in sheet["A"]]
    headers = [
        tuple(c.value for c in row if c.value is not None)
        for row in sheet.iter_rows()
        if row[0].value == "" or row[0].value is None
    ]
    # the riket frequency table, then one row per RSS (24) in the group table
    assert column_a[4] == "Antal och procent (inom parentes)"
    assert any(h and h[-1] == "Antal kommuner som svarat" for h in headers)
    rss_names = set(RSS.objects.values_list("short_name", flat=True))
    assert len(rss_names & set(column_a)) == 24
    assert (
        sum(
            1
            for v in column_a
            if v == "Källa: " + questionnaire.title + ", Socialstyrelsen 2019."
        )
        == 1
    )


def test_the_workbook_makes_the_same_number_of_queries_for_more_respondents(
    every_kind: EveryKind,
) -> None:
    questionnaire = Questionnaire.objects.select_related("cycle").get(
        pk=every_kind.questionnaire.pk
    )
    with CaptureQueriesContext(connection) as few:
        workbook_bytes(questionnaire)
    answer(questionnaire, "01", STOCKHOLM_ANSWERS, every_kind.actor)
    answer(questionnaire, "03", UPPSALA_ANSWERS, every_kind.actor)
    answer(questionnaire, "05", UPPSALA_ANSWERS, every_kind.actor)
    with CaptureQueriesContext(connection) as more:
        workbook_bytes(questionnaire)
    assert len(few) == len(more)
    # 40 before the year-over-year sheet; it adds the previous version (the
    # 2024 region questionnaire, same key) and both versions' questions.
    assert len(few) <= 44


def built_workbook(questionnaire: Questionnaire) -> Workbook:
    """A workbook with every kind of sheet the table workbook has, from its own
    writers: question sheets with tables and charts, the index with its
    hyperlinks, the kvalitetsdeklaration."""
    workbook = Workbook()
    riket = tabulate(questionnaire, level=Level.RIKET)
    regions = tabulate(questionnaire, level=Level.REGION)
    taken: set[str] = set()
    names = {}
    for question, grouped in zip(riket.questions, regions.questions, strict=True):
        names[question.question.variable] = sheet_name(question.question.number, taken)
        write_question_sheet(
            workbook,
            question,
            grouped,
            name=names[question.question.variable],
            audience="region",
            level=Level.REGION,
            rounding=Rounding.HALF_UP,
            source="Källa: Testenkät.",
        )
    index = workbook.active
    assert index is not None
    write_index_sheet(
        index, questionnaire, riket, names, level=Level.REGION, data_as_of=None
    )
    write_kvalitetsdeklaration_sheet(workbook, questionnaire.cycle)
    assert any(sheet._charts for sheet in workbook.worksheets)
    return workbook


def test_it_saves_the_same_file_as_openpyxl_without_temporary_files(
    four_regions: Questionnaire, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """save_workbook serialises each sheet in memory; every part of the file is
    the one openpyxl's own save writes: sheets, styles, hyperlinks, charts."""
    theirs = io.BytesIO()
    built_workbook(four_regions).save(theirs)
    # Ours writes no file: a temporary directory that does not exist proves it.
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "missing"))
    ours = io.BytesIO()
    save_workbook(built_workbook(four_regions), ours)

    with zipfile.ZipFile(theirs) as a, zipfile.ZipFile(ours) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name == "docProps/core.xml":  # the time of saving
                continue
            assert a.read(name) == b.read(name), name
    assert "xl/charts/chart1.xml" in a.namelist()


@pytest.mark.parametrize(
    ("number", "taken", "expected"),
    [
        ("1", set(), "Fråga 1"),
        ("1", {"fråga 1"}, "Fråga 1 (2)"),
        ("2/3", set(), "Fråga 2-3"),
        ("x" * 40, set(), "Fråga " + "x" * 25),
    ],
)
def test_sheet_names_are_short_unique_and_allowed(
    number: str, taken: set[str], expected: str
) -> None:
    assert sheet_name(number, taken) == expected
