"""Reading an uploaded raw-data file into text: the header and rows of a CSV or
the first sheet of an .xlsx, within the bounds an upload may make the web worker
hold, and the error that refuses a file. The first step of an import, separate
from the rules the rows are checked against (`reports.imports.importing`)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from surveys.errors import DomainError
from surveys.sheet_text import from_csv_text, holdable
from surveys.xlsx_safety import NOT_XLSX, Limits, UnsafeWorkbookError, open_workbook

MAX_ERRORS = 200
# A raw-data file has a row per organisation (a few hundred) and a column per
# answer cell: these bound what an upload may make the web worker hold.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_CELLS = 500_000


def import_limits() -> Limits:
    return Limits(
        file_bytes=MAX_IMPORT_BYTES, rows=MAX_IMPORT_ROWS, cells=MAX_IMPORT_CELLS
    )


class RawDataImportError(DomainError):
    """The file has problems; `errors` lists each one in Swedish, naming row and
    column. Nothing has been saved."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__(f"Filen har {len(self.errors)} fel och ingenting har sparats.")


# --- reading the file -------------------------------------------------------------


def read_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows as text, from .xlsx (detected by content) or CSV; text
    that no spreadsheet can hold is refused (surveys.sheet_text)."""
    header, rows = (
        _read_xlsx(content) if content[:4] == b"PK\x03\x04" else _read_csv(content)
    )
    errors: list[str] = []
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row):
            try:
                row[index] = holdable(value)
            except ValidationError as exc:
                name = header[index] if index < len(header) else str(index + 1)
                errors.append(f"Rad {number}, kolumn {name}: {exc.messages[0]}")
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise RawDataImportError(errors)
    return header, rows


def _read_csv(content: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RawDataImportError(
            ["Filen är varken en Excel-fil (.xlsx) eller en CSV-fil i UTF-8."]
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first or "," not in first else ","
    # csv builds a whole row before it can be cut: a file of nothing but
    # delimiters would be millions of fields in one list.
    if text.count(delimiter) > MAX_IMPORT_CELLS:
        raise RawDataImportError([_too_many_cells()])
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise RawDataImportError(["Filen är tom."])
    # Text our CSV export marked with an apostrophe (surveys.sheet_text) is read
    # back as it was entered.
    return [h.strip() for h in rows[0]], [
        [from_csv_text(c.strip()) for c in r] for r in rows[1:]
    ]


def _read_xlsx(content: bytes) -> tuple[list[str], list[list[str]]]:
    """The first sheet, or "Rådata", read within `import_limits()`: the header's
    width bounds every row, and rows missing in the file come back empty so the
    row numbers stay those of the spreadsheet."""
    try:
        workbook = open_workbook(content, import_limits())
    except UnsafeWorkbookError as exc:
        raise RawDataImportError([exc.message]) from None
    try:
        if not workbook.sheetnames:
            raise RawDataImportError([NOT_XLSX])
        name = "Rådata" if "Rådata" in workbook.sheetnames else workbook.sheetnames[0]
        header: list[str] = []
        rows: list[list[str]] = []
        # Row 1 is the header: nothing to the right of it is read.
        for number, values in workbook.rows(name, header_width=True):
            if number == 1:
                header = [_excel_text(v) for v in values]
                continue
            while len(rows) < number - 2:
                rows.append([])
            rows.append([_excel_text(v) for v in values])
    except UnsafeWorkbookError as exc:
        raise RawDataImportError([exc.message]) from None
    finally:
        workbook.close()
    while header and not header[-1]:
        header.pop()
    if not header:
        raise RawDataImportError(["Filen är tom."])
    width = len(header)
    return header, [r[:width] + [""] * (width - len(r)) for r in rows]


def _too_many_cells() -> str:
    return (
        f"Filen har fler än {MAX_IMPORT_CELLS:,} celler".replace(",", " ")
        + ", fler än en rådatafil kan ha. Kontrollera att det är rätt fil."
    )


def _excel_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).strip()
