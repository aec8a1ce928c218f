"""The raw data's fast rows (reports.xlsx_rows.py) write the bytes
openpyxl's own write-only sheet writes, for plain rows and for every value that
falls back to openpyxl's path, and the raw-data workbook is openpyxl's file."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.hyperlink import Hyperlink

from reports.rawdata.columns import Missing
from reports.workbook import save_workbook
from reports.xlsx_rows import RowsWorksheet, _cells_text, _row_text, add_rows_sheet
from surveys.sheet_text import harden_workbook, xlsx_row

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


def styled_workbook() -> Workbook:
    """A workbook that is not write-only, with every kind of cell."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in PLAIN_ROWS[:8] + [[0.5, -7, "1 600"]]:
        sheet.append(row)
    sheet["A1"].font = Font(bold=True)
    sheet["B2"].number_format = "0 %"
    sheet["C3"].font = Font(bold=True)  # a styled empty cell
    sheet["D4"].number_format = '#,##0"/21"'
    sheet.append(["=SUM(A1:A2)", True, datetime.date(2024, 5, 1), "#N/A"])
    sheet.append([Decimal("1.5"), 10**16, float("nan")])
    sheet.append([CellRichText("rich ", TextBlock(InlineFont(b=True), "text"))])
    sheet["A20"] = "link"
    sheet["A20"].hyperlink = Hyperlink(ref="A20", location="'Blad'!A1")
    sheet["A21"] = "noted"
    sheet["A21"].comment = Comment("a comment", "x")
    sheet.merge_cells("A22:C22")
    sheet["A22"] = "merged"
    sheet.row_dimensions[23].height = 30
    sheet["A23"] = "tall"
    sheet["A24"] = "after"
    return workbook


def test_workbook_rows_are_the_bytes_openpyxl_writes() -> None:
    theirs, ours = io.BytesIO(), io.BytesIO()
    plain = styled_workbook()
    harden_workbook(plain)  # as save_workbook does: the formula becomes text
    plain.save(theirs)
    save_workbook(styled_workbook(), ours)
    with zipfile.ZipFile(theirs) as a, zipfile.ZipFile(ours) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "docProps/core.xml":  # the time of saving
                assert a.read(name) == b.read(name), name


def test_plain_cells_take_the_fast_path_and_others_do_not() -> None:
    sheet = styled_workbook().active
    assert sheet is not None
    for index in range(1, 10):
        assert _cells_text(sheet[index], index, []) is not None, index
    for index in (10, 11, 12, 20, 21, 22):
        assert _cells_text(sheet[index], index, []) is None, index


def test_without_lxml_openpyxl_writes_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """openpyxl without lxml writes through ElementTree, which cannot be
    flushed: its own loops then write the rows, the same file."""
    rows = PLAIN_ROWS + FALLBACK_ROWS
    expected = sheet_xml(None, rows, cells=False)
    monkeypatch.setattr("reports.xlsx_rows.LXML", False)
    monkeypatch.setattr(
        "reports.xlsx_rows._row_text", lambda *args: pytest.fail("fast path")
    )
    assert sheet_xml(RowsWorksheet, rows, cells=False) == expected
