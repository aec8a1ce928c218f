"""Text that spreadsheets can hold and will not run (issue #13 point 7).

One rule for every way text enters or leaves the service:

- **Unholdable characters.** An .xlsx is XML 1.0, which cannot hold most control
  characters (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F), lone surrogates or
  U+FFFE/U+FFFF; openpyxl refuses them and a file that has them does not open.
  Word pastes a manual line break as U+000B, so that one becomes a line break
  (`holdable`); any other is refused at input with a Swedish message, and
  cleaned away at export (`clean`) so old data can never break an export.
- **Formulas.** Text that starts with `=`, `+`, `-`, `@`, a tab or a carriage
  return is read as a formula by Excel and LibreOffice when a CSV is opened
  (CSV injection). In CSV it gets a leading apostrophe (`csv_text`), which the
  codebook documents and the raw-data import takes off again (`from_csv_text`);
  in .xlsx it is written as a string cell, never a formula (`xlsx_value`,
  `xlsx_row`, `harden_workbook`). A number stays a number: "-3" or "-1,5" is
  not neutralised, so negative values and missing-value codes are unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from openpyxl.cell import WriteOnlyCell

MANUAL_LINE_BREAK = "\x0b"
UNHOLDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number, as typed in Swedish or English: neither a formula nor text.
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")
CSV_TEXT_MARK = "'"
# The codebook's words for the CSV rule, on every text column.
CSV_TEXT_NOTE = (
    "Text. I CSV-filen har text som börjar med =, +, -, @, tabb eller "
    "vagnretur en apostrof (') först, så att kalkylprogram inte läser den som en "
    "formel; tal som -3 eller -1,5 är oförändrade. Rådatainläsningen tar bort "
    "apostrofen."
)
UNHOLDABLE_MESSAGE = (
    "Texten innehåller osynliga tecken som inte kan sparas (ofta följer de med när "
    "man klistrar in från ett annat program). Skriv in texten igen eller klistra "
    "in den som oformaterad text."
)


def clean(text: str) -> str:
    """`text` with a manual line break as a line break and every other
    unholdable character removed. For export: never fails."""
    return UNHOLDABLE.sub(
        lambda m: "\n" if m.group() == MANUAL_LINE_BREAK else "", text
    )


def holdable(text: str) -> str:
    """For input: a manual line break becomes a line break; any other
    unholdable character is refused with a Swedish ValidationError."""
    refuse_unholdable(text)
    return text.replace(MANUAL_LINE_BREAK, "\n")


def refuse_unholdable(value: Any) -> None:
    """A form field validator: refuses what `holdable` refuses."""
    if not isinstance(value, str):
        return
    for match in UNHOLDABLE.finditer(value):
        if match.group() != MANUAL_LINE_BREAK:
            raise ValidationError(UNHOLDABLE_MESSAGE, code="unholdable")


def plain_unholdable_messages(form: forms.BaseForm) -> None:
    """Every text field of `form` refuses a NUL character with the message of
    this rule: Django's own check, which runs first, says «Null-tecken är inte
    tillåtna», a word the user cannot act on (issue #13 point 10)."""
    plain_unholdable_fields(form.fields.values())


def plain_unholdable_fields(fields: Iterable[forms.Field]) -> None:
    """`plain_unholdable_messages` for fields built apart from a form."""
    for field in fields:
        if isinstance(field, forms.CharField):
            field.validators = [
                v
                for v in field.validators
                if not isinstance(v, ProhibitNullCharactersValidator)
            ]
            if refuse_unholdable not in field.validators:
                field.validators.append(refuse_unholdable)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START) and not NUMBER.fullmatch(text)


def csv_text(value: str) -> str:
    """A text value for CSV: cleaned, and with a leading apostrophe if a
    spreadsheet would take it for a formula."""
    value = clean(value)
    return CSV_TEXT_MARK + value if is_formula_like(value) else value


def from_csv_text(value: str) -> str:
    """Reverses `csv_text`: the apostrophe comes off only where `csv_text` put it."""
    if value.startswith(CSV_TEXT_MARK) and is_formula_like(value[1:]):
        return value[1:]
    return value


def xlsx_value(value: Any) -> Any:
    """A value for an openpyxl cell that is not write-only: text cleaned. Set
    the cell's data_type to "s" after (see `set_text`) or run `harden_workbook`."""
    return clean(value) if isinstance(value, str) else value


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet's `append`: text is cleaned, and text that
    openpyxl would store as a formula (a leading "=") becomes a string cell."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            value = clean(value)
            if value.startswith("="):
                value = string_cell(sheet, value)
        row.append(value)
    return row


def string_cell(sheet: Any, value: str) -> Any:
    cell = WriteOnlyCell(sheet, value=clean(value))
    cell.data_type = "s"
    return cell


def harden_workbook(workbook: Any) -> None:
    """Before saving a workbook that is not write-only: the service writes no
    formulas, so any formula cell is text that began with "=" and is stored as
    text."""
    for sheet in workbook.worksheets:
        for cell in _cells(sheet):
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.data_type = "s"


def _cells(sheet: Any) -> Sequence[Any]:
    return list(getattr(sheet, "_cells", {}).values())
