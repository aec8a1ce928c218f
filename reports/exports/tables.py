"""Table writers shared by the tabular exporters: CSV for Swedish Excel and a
write-only Excel table. Separate from the registry and runner
(`reports.exporters`), which know nothing of file layouts."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from surveys.sheet_text import csv_text, xlsx_row

# --- table writers shared by the tabular exporters -------------------------------------

# CSV for Swedish Excel: semicolon-separated (the comma is the decimal sign), UTF-8
# with a byte-order mark so that å, ä and ö open correctly, and CRLF line ends.
CSV_DELIMITER = ";"


def write_csv(
    output: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write a header and rows; returns the number of rows (without the header)."""
    text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(
            [
                ""
                if value is None
                else csv_text(value)
                if isinstance(value, str)
                else value
                for value in row
            ]
        )
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx_table(
    output: BinaryIO,
    *,
    sheet_title: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    notes: Sequence[str] = (),
    number_formats: Mapping[int, str] | None = None,
    column_widths: Sequence[int] = (),
) -> int:
    """One sheet: a title line, notes, then a filterable table with a frozen header.

    Written in openpyxl's write-only mode, so memory stays flat however many rows.
    Returns the number of rows (without the header).
    """

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    for index, width in enumerate(column_widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_row = len(notes) + 3
    sheet.freeze_panes = f"A{header_row + 1}"
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(bold=True, size=13)
    sheet.append([title_cell])
    for note in notes:
        sheet.append(xlsx_row(sheet, [note]))
    sheet.append([])
    bold = Font(bold=True)
    cells = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    formats = number_formats or {}
    count = 0
    for row in rows:
        values: list[Any] = []
        for index, value in enumerate(row):
            if index in formats and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = formats[index]
                values.append(cell)
            else:
                values.append(value)
        sheet.append(xlsx_row(sheet, values))
        count += 1
    last_column = get_column_letter(max(len(header), 1))
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + count}"
    workbook.save(output)
    return count
