"""The raw data's fast rows (reports/rawdata/xlsx_rows.py) write the bytes
openpyxl's own write-only sheet writes, for plain rows and for every value that
falls back to openpyxl's path, and the raw-data workbook is openpyxl's file."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from reports.rawdata.columns import Missing
from reports.rawdata.xlsx_rows import RowsWorksheet, _row_text, add_rows_sheet
from surveys.sheet_text import xlsx_row

PLAIN_ROWS: list[list[Any]] = [
    ["orgkod", "Ale kommun", "kommun", "", None, 1, 0, -3, 2024],
    [None, None, None],  # an empty row
    [],
    [0.1, -0.0, 1e20, 1 / 3, 123456789.125, -2, 10**15 - 1, -(10**15) + 1],
    [" leading", "trailing ", "\tboth\n", "in side", "line\nbreak", "tab\tin"],
    ["a & b < c > d \" e ' f", "carriage\rreturn", "\r\n", "&amp; already"],
    ["åäö ÅÄÖ é ü €", "😀 astral", "中文", "\u00a0nbsp\u00a0", "\u2028sep"],
    ["=", "x=1", "-3", "+1", "@", "#N/A text", "#NAME"],
    ["x" * 40000, "y" * 32767],
    [None, "", None, 0, None, ""],
]

FALLBACK_ROWS: list[list[Any]] = [
    ["=SUM(A1:A2)"],  # a formula to openpyxl
    ["#N/A", "#DIV/0!"],  # error codes
    [True, False],
    [Decimal("1.50"), Decimal("-3")],
    [Missing.NOT_ANSWERED],  # an IntEnum
    [10**15, -(10**15), 2**70],  # beyond the exact range
    [float("nan")],
    [float("inf")],
]


def sheet_xml(sheet_class: type | None, rows: list[list[Any]], *, cells: bool) -> bytes:
    workbook = Workbook(write_only=True)
    if sheet_class is None:
        sheet = workbook.create_sheet("Rådata")
    else:
        sheet = add_rows_sheet(workbook, "Rådata")
    for row in rows:
        sheet.append(xlsx_row(sheet, row) if cells else row)
    workbook.create_sheet("Manifest").append(["Uppgift", "Värde"])
    output = io.BytesIO()
    workbook.save(output)
    with zipfile.ZipFile(output) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    "rows", [PLAIN_ROWS, FALLBACK_ROWS, PLAIN_ROWS + FALLBACK_ROWS]
)
def test_rows_are_the_bytes_openpyxl_writes(rows: list[list[Any]]) -> None:
    ours = sheet_xml(RowsWorksheet, rows, cells=False)
    assert ours == sheet_xml(None, rows, cells=False)
    assert b'<sheetData><row r="1">' in ours


def test_plain_rows_take_the_fast_path_and_others_do_not() -> None:
    letters = [openpyxl.utils.get_column_letter(i) for i in range(1, 10)]
    for row in PLAIN_ROWS:
        assert _row_text(row, 1, letters) is not None, row
    for row in FALLBACK_ROWS:
        assert _row_text(row, 1, letters) is None, row
    assert _row_text(["x", "=y"], 2, letters) is None
    assert _row_text(["ok", 1], 2, letters) == (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>ok</t></is></c>'
        '<c r="B2" t="n"><v>1</v></c></row>'
    )


def test_cells_made_for_formula_like_text_keep_their_type() -> None:
    """surveys.sheet_text.xlsx_row's string cell (text starting with "=") is
    written by openpyxl's path, as text, amid fast rows."""
    rows = [["a", 1], ["=1+1", "=cmd|' /C calc'!A0", "b"], ["c", 2]]
    ours = sheet_xml(RowsWorksheet, rows, cells=True)
    assert ours == sheet_xml(None, rows, cells=True)
    assert b"<f>" not in ours
    assert ours.count(b't="inlineStr"><is><t>=') == 2


def test_a_character_openpyxl_refuses_is_still_refused() -> None:
    workbook = Workbook(write_only=True)
    sheet = add_rows_sheet(workbook, "Rådata")
    sheet.append(["fine"])
    with pytest.raises(IllegalCharacterError):
        sheet.append(["bell\x07"])
