"""openpyxl's sheets with their rows written as XML text (issue #20 point 3:
the raw data and the table workbooks at national scale).

openpyxl writes each cell through an lxml `xmlfile` context of its own
(`openpyxl.cell._writer.lxml_write_cell`), and a write-only sheet first makes
a cell object per value: about 8 µs a cell, and for the kommun raw data at 100
times the year (2,2 million cells) most of the export's time. Here a row of
plain cells is written as text straight into the sheet's stream, in the bytes
openpyxl's writer makes for it (lxml's serialisation without an encoding:
ASCII with character references, `&`, `<`, `>` and carriage return escaped;
the attribute order; inline strings, `xml:space="preserve"` on text with
leading or trailing white space, an empty value's `<c ...></c>`).
tests/reports/test_xlsx_rows.py compares the sheets with openpyxl's own over
awkward values. Any other row goes through openpyxl's own path, so its rules
(formulas, errors, dates, refusals) stay openpyxl's.

- `RowsWorksheet` (`add_rows_sheet`), a write-only sheet: plain values are
  None, int, float and str. Not plain: a cell object such as
  `surveys.sheet_text.string_cell`, a bool, a date, a Decimal, NaN, a large
  number, a formula-like or error-code string, a character XML 1.0 cannot
  hold; or row dimensions.
- `TextRowsWriter`, the worksheet writer of a workbook that is not write-only
  (reports/workbook.py `save_workbook`): plain cells are numbers ("n": int,
  float) and text ("s": str), with or without a style, and empty styled cells.
  Not plain: a formula, bool, date or error cell, rich text, a comment, a
  hyperlink, row dimensions.

openpyxl writes with lxml when it is installed (`openpyxl.LXML`; lxml comes
with python-docx); without it, openpyxl's own loops write every row.

What is replaced of openpyxl 3.1: `WorksheetWriter.get_stream` opens the file
itself (`_FileWriter`, so that rows can be written into it between lxml's
flushes), `WriteOnlyWorksheet._write_rows` and `WorksheetWriter.write_rows`
(the row loops). The rest of each sheet and of the workbook is openpyxl's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Generator, Sequence
from typing import IO, Any

from openpyxl import LXML, Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

from surveys.sheet_text import UNHOLDABLE

# openpyxl.cell.cell.Cell.check_string: longer strings are cut.
STRING_MAX = 32767
# Below this an int's "%.16g" (openpyxl's safe_string) is its str().
EXACT_INT = 10**15
# What libxml2 escapes in text content (the rest of ASCII is written as is).
ESCAPED = re.compile("[&<>\r]")


class _FileWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's worksheet writer on a file object of its own (`file`), into
    which rows may be written as bytes after `xf.flush()`."""

    file: IO[bytes]

    def get_stream(self) -> Generator[Any, Any, None]:
        with open(self.out, "wb") as self.file, xmlfile(self.file) as xf:  # noqa: SIM117
            with xf.element("worksheet", xmlns=SHEET_MAIN_NS):
                try:
                    while True:
                        el = yield
                        if el is True:
                            yield xf
                        elif el is None:
                            continue
                        else:
                            xf.write(el)
                except GeneratorExit:
                    pass


class RowsWorksheet(WriteOnlyWorksheet):  # type: ignore[misc]
    """`WriteOnlyWorksheet` with the fast path for plain rows (module docstring)."""

    _writer: Any

    def _get_writer(self) -> None:
        if self._writer is None:
            self._writer = _FileWriter(self) if LXML else WorksheetWriter(self)
            self._writer.write_top()

    def _write_rows(self) -> Generator[None, Sequence[Any], None]:
        if not LXML:  # openpyxl's ElementTree writer has no flush: its own loop
            yield from super()._write_rows()
            return
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        file = self._writer.file
        letters: list[str] = []
        with xf.element("sheetData"):
            xf.flush()  # <sheetData> into the file before the first row
            row_idx = 1
            try:
                while True:
                    values = yield
                    while len(letters) < len(values):
                        letters.append(get_column_letter(len(letters) + 1))
                    text = (
                        _row_text(values, row_idx, letters)
                        if row_idx not in self.row_dimensions
                        else None
                    )
                    if text is None:
                        row = self._values_to_row(values, row_idx)
                        self._writer.write_row(xf, row, row_idx)
                        xf.flush()  # before the next row's bytes
                    else:
                        file.write(text.encode("ascii", "xmlcharrefreplace"))
                    row_idx += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)


class TextRowsWriter(WorksheetWriter):  # type: ignore[misc]
    """openpyxl's worksheet writer for a sheet that is not write-only, on a
    BytesIO (`out`), with the fast path for plain rows (module docstring)."""

    def write_rows(self) -> None:
        if not LXML:  # openpyxl's ElementTree writer has no flush: its own loop
            super().write_rows()
            return
        xf = self.xf.send(True)
        letters: list[str] = []
        dimensions = self.ws.row_dimensions
        with xf.element("sheetData"):
            xf.flush()  # <sheetData> into `out` before the first row
            for row_idx, row in self.rows():
                text = (
                    _cells_text(row, row_idx, letters)
                    if row_idx not in dimensions
                    else None
                )
                if text is None:
                    self.write_row(xf, row, row_idx)
                    xf.flush()  # before the next row's bytes
                else:
                    self.out.write(text.encode("ascii", "xmlcharrefreplace"))
        self.xf.send(None)


def _cells_text(cells: Sequence[Any], row_idx: int, letters: list[str]) -> str | None:
    """A row of cells as openpyxl's `write_row` writes it (before encoding), or
    None if it has a cell that is not plain (module docstring)."""
    number = str(row_idx)
    parts = [f'<row r="{number}">']
    for cell in cells:
        if (
            type(cell) is not Cell  # a merged cell
            or cell._comment is not None
            or cell._hyperlink is not None
        ):
            return None
        value = cell._value
        styled = cell.has_style
        if value is None and not styled:
            continue
        column = cell.column
        while len(letters) < column:
            letters.append(get_column_letter(len(letters) + 1))
        style = f' s="{cell.style_id}"' if styled else ""
        data_type = cell.data_type
        if data_type == "n":
            start = f'<c r="{letters[column - 1]}{number}"{style} t="n">'
            if value is None:
                parts.append(f"{start}</c>")
                continue
            kind = type(value)
            if kind is int and -EXACT_INT < value < EXACT_INT:
                parts.append(f"{start}<v>{value}</v></c>")
            elif kind is float and math.isfinite(value):
                parts.append(f"{start}<v>{value:.16g}</v></c>")
            else:
                return None
        elif data_type == "s" and type(value) is str:
            text = _inline_text(value)
            if text is None:
                return None
            start = f'<c r="{letters[column - 1]}{number}"{style} t="inlineStr">'
            parts.append(f"{start}{text}</c>")
        else:
            return None
    parts.append("</row>")
    return "".join(parts)


def _inline_text(value: str) -> str | None:
    """A string cell's content (`<is><t>…</t></is>`, nothing for the empty
    string), or None for a character that XML 1.0 cannot hold."""
    text = value[:STRING_MAX]
    if not text:
        return ""
    if UNHOLDABLE.search(text):  # what openpyxl or lxml refuse, and more
        return None
    space = ' xml:space="preserve"' if text != text.strip() else ""
    if ESCAPED.search(text):  # str.translate would go char by char
        text = (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\r", "&#13;")
        )
    return f"<is><t{space}>{text}</t></is>"


def _row_text(values: Sequence[Any], row_idx: int, letters: list[str]) -> str | None:
    """The row as openpyxl writes it (before encoding), or None if it has a
    value that is not plain (openpyxl's own path then writes it)."""
    number = str(row_idx)
    parts = [f'<row r="{number}">']
    for letter, value in zip(letters, values, strict=False):
        if value is None:
            continue
        kind = type(value)
        if kind is int:  # not bool or an IntEnum: openpyxl types those itself
            if not -EXACT_INT < value < EXACT_INT:
                return None
            parts.append(f'<c r="{letter}{number}" t="n"><v>{value}</v></c>')
        elif kind is float:
            if not math.isfinite(value):
                return None
            parts.append(f'<c r="{letter}{number}" t="n"><v>{value:.16g}</v></c>')
        elif kind is str:
            text = value[:STRING_MAX]
            if (len(text) > 1 and text.startswith("=")) or text in ERROR_CODES:
                return None
            content = _inline_text(text)
            if content is None:
                return None
            parts.append(f'<c r="{letter}{number}" t="inlineStr">{content}</c>')
        else:
            return None
    parts.append("</row>")
    return "".join(parts)


def add_rows_sheet(workbook: Workbook, title: str) -> RowsWorksheet:
    """A `RowsWorksheet` added to a write-only workbook, as `create_sheet` adds
    openpyxl's own."""
    sheet = RowsWorksheet(parent=workbook, title=title)
    workbook._add_sheet(sheet)
    return sheet
