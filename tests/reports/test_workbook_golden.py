"""The table workbook holds the published Bilaga 3 figures as numbers (issue #16
point 2): the 2024 region answers of tests/fixtures/region_2024_published.json
are imported (tests/reports/golden.py), the question sheets are written by the
workbook's own writer and read back with openpyxl. Every published cell must be
a number where the report prints a number, text where it prints words or
markers, and its number format must show it as printed in Swedish Excel.

`shown` reads a cell the way Swedish Excel displays it, for the few number
formats the workbook uses; it is written from Excel's format rules, not from
the code under test."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell

from reports.layouts import Rounding
from reports.question_parts import source_line
from reports.tabulation.results import Level
from reports.workbook import tabulate_for_workbook, write_question_sheet
from surveys.models import Questionnaire, User
from tests.reports.golden import VARIABLES, load_region_2024_published

FORMAT = re.compile(r'^(#,##0|0)(?:\.(0+))?( %)?(?:"([^"]*)")?$')


def shown(cell: Cell) -> str:
    """The cell as Swedish Excel shows it: "," in a format is the thousands
    separator (a space in Swedish), "." the decimal comma, "%" multiplies by 100."""
    if cell.data_type == "s":
        return str(cell.value)
    match = FORMAT.match(cell.number_format)
    assert match, cell.number_format
    grouped, places, percent, literal = match.groups()
    value = Decimal(str(cell.value)) * (100 if percent else 1)
    value = value.quantize(Decimal(1).scaleb(-len(places or "")), ROUND_HALF_UP)
    whole, _, fraction = f"{value:f}".partition(".")
    if grouped == "#,##0":
        whole = f"{int(whole):,}".replace(",", " ")
    text = whole + ("," + fraction if fraction else "")
    return text + (" %" if percent else "") + (literal or "")


@pytest.fixture(autouse=True)
def _database(db: None) -> None:
    """Every test uses the database, so the session's test database (set up with
    the register and questionnaires, tests/conftest.py) is ready before the
    module's workbook, also when this module runs first or alone."""


@pytest.fixture(scope="module")
def sheets(django_db_blocker: Any) -> Iterator[tuple[Workbook, dict[str, Any]]]:
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        actor = User.objects.create_user(
            email="import-2024-workbook@socialstyrelsen.test", is_staff=True
        )
        _, golden = load_region_2024_published(actor)
        questionnaire = Questionnaire.objects.select_related("cycle").get(
            cycle__year=2024, key="region"
        )
        tabulated = tabulate_for_workbook(
            questionnaire, level=Level.REGION, variables=VARIABLES.values()
        )
        workbook = Workbook()
        for riket, grouped in tabulated.pairs():
            write_question_sheet(
                workbook,
                riket,
                grouped,
                name=riket.question.variable,
                audience="region",
                level=Level.REGION,
                rounding=Rounding.HALF_UP,
                source=source_line(questionnaire),
            )
        output = io.BytesIO()
        workbook.save(output)
        yield load_workbook(output), golden
        transaction.set_rollback(True)


def bilaga_3(sheet: Any) -> list[tuple[Cell, ...]]:
    """The Bilaga 3 table's rows (Riket, then the 21 regions) as cells."""
    column_a = [c.value for c in sheet["A"]]
    header = column_a.index("Region (län)") + 1  # 1-based row of the header
    return [
        tuple(c for c in row if c.value is not None)
        for row in sheet.iter_rows(min_row=header + 1, max_row=header + 22)
    ]


@pytest.mark.parametrize("number", ["2", "4", "8", "13", "35", "36"])
def test_bilaga_3_cells_show_as_published_and_numbers_are_numbers(
    number: str, sheets: tuple[Workbook, dict[str, Any]]
) -> None:
    workbook, golden = sheets
    columns = [c for c in golden["questions"] if c["number"] == number]
    rows = bilaga_3(workbook[VARIABLES[number]])
    expected = [("Riket", *(c["riket"] for c in columns))] + [
        (region, *(c["answers"][region] for c in columns))
        for region in golden["regions"]
    ]
    assert [tuple(shown(c) for c in row) for row in rows] == expected
    for row in rows:
        for cell in row[1:]:
            # A number where the report prints digits, text for words and markers.
            printed = shown(cell)
            assert (cell.data_type == "n") == printed[0].isdigit(), (printed, cell)


def test_the_riket_figures_are_the_numbers_behind_the_print(
    sheets: tuple[Workbook, dict[str, Any]],
) -> None:
    workbook, _ = sheets
    q35 = bilaga_3(workbook["r35_andel"])
    # Fråga 35: the mean 1010/17 = 59,41 %, printed «59 %», stored as printed.
    assert (q35[0][1].value, q35[0][1].number_format) == (0.59, "0 %")
    q36 = bilaga_3(workbook["r36_antal"])
    assert (q36[0][1].value, q36[0][1].number_format) == (4245026, "#,##0")
    q2 = bilaga_3(workbook["r02_breddinfort"])
    assert (q2[0][1].value, q2[0][1].number_format) == (19, '#,##0"/21"')
    # The riket «antal (procent)» table above it: 19 (90) and 2 (10), as numbers.
    sheet = workbook["r02_breddinfort"]
    (row,) = [r for r in sheet.iter_rows(min_row=4, max_row=12) if r[1].value == 19]
    assert [(c.value, c.number_format) for c in row[1:5]] == [
        (19, "#,##0"), (0.9, "0 %"), (2, "#,##0"), (0.1, "0 %"),
    ]  # fmt: skip
