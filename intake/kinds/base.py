"""What every kind's behaviour offers (`KindBehaviour`), and what the families share:
the names of a question's form fields and the plain answer-in-words lines.

Kept apart from the families so that each family module imports only this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from openpyxl.worksheet.datavalidation import DataValidation

from intake.cells import Cells
from intake.excel.grid import _Grid, _short
from surveys.formatting import swedish_number
from surveys.models import Question

ESCAPED = "__escaped"
ROW = "__"
ADJUST = "__justera__"
REASON = "__anledning"


def row_field(question: Question, row_code: str) -> str:
    return f"{question.variable}{ROW}{row_code}"


def count_slots(question: Question) -> list[str]:
    """The cells of an RSS kommun count: "option", or "row.option" for a matrix."""
    options = [o.code for o in question.options.all()]
    rows = [r.code for r in question.rows.all()]
    if not rows:
        return options
    return [f"{row}.{option}" for row in rows for option in options]


def adjust_field(question: Question, slot: str) -> str:
    return f"{question.variable}{ADJUST}{slot}"


def reason_field(question: Question) -> str:
    return f"{question.variable}{REASON}"


@dataclass(frozen=True)
class WorkbookSlot:
    """One answer cell of a question in the Excel copy: on the question's own row
    (`text` None) or on a row of its own below it, labelled `text`."""

    slot: str
    text: str | None = None
    note: str = ""


class AnswerRef(Protocol):
    """Where an answer cell is in the Excel copy (`intake.excel.layout.AnswerCell`)."""

    @property
    def ref(self) -> str: ...

    @property
    def slot(self) -> str: ...


# The data validation of a list cell, from the question's options.
OptionsRange = Callable[[Question], str]


class KindBehaviour(Protocol):
    """What one family of kinds does, in the web form, when parsed, and in words."""

    def add_fields(
        self,
        fields: dict[str, forms.Field],
        question: Question,
        options: list[tuple[str, str]],
    ) -> None:
        """Add the question's answer fields to a form's `fields`."""

    def value_fields(self, question: Question) -> list[str]:
        """The fields that carry the question's answer (its base and choice aside)."""

    def first_field(self, question: Question) -> str:
        """The field an error or a link to the question points at."""

    def field_values(self, question: Question, cells: Cells) -> dict[str, Any]:
        """What the question's fields show for a stored answer."""

    def raw_value(self, question: Question, cleaned: dict[str, Any]) -> Any:
        """The submitted value from the form's cleaned data, for `cells_for`;
        raises ValidationError (Swedish) when the fields contradict each other."""

    def cells(self, question: Question, raw: Any, option_codes: list[str]) -> Cells:
        """A non-empty submitted value as answer cells, or ValidationError (Swedish)."""

    def in_words(
        self,
        question: Question,
        cells: Cells,
        options: dict[str, str],
        rows: dict[str, str],
    ) -> list[str]:
        """A non-empty answer in words, as the respondent gave it."""

    # --- the Excel copy (intake.excel) -----------------------------------------

    def workbook_slots(self, question: Question) -> list[WorkbookSlot]:
        """The question's answer cells in the Excel copy, in sheet order."""

    def workbook_hint(self, question: Question) -> str:
        """How to answer, in the note column beside the question."""

    def workbook_validation(
        self, question: Question, slot: str, options_range: OptionsRange
    ) -> DataValidation | None:
        """The cell's data validation; None for a «Ja» cell (ticked or empty)."""

    def workbook_value(
        self, question: Question, cells: Sequence[AnswerRef], survey: _Grid
    ) -> Iterator[Any]:
        """Yield the question's raw value from its cells, or a Problem per bad cell."""


class OneField:
    """Defaults for the families whose answer is one form field named after the
    question's variable."""

    def value_fields(self, question: Question) -> list[str]:
        return [question.variable]

    def first_field(self, question: Question) -> str:
        return question.variable

    def raw_value(self, question: Question, cleaned: dict[str, Any]) -> Any:
        return cleaned.get(question.variable)

    def in_words(
        self,
        question: Question,
        cells: Cells,
        options: dict[str, str],
        rows: dict[str, str],
    ) -> list[str]:
        return cell_lines(question, cells, options, rows)


def label_codes(question: Question) -> dict[str, str]:
    return {
        " ".join(o.label.split()).casefold(): o.code for o in question.options.all()
    }


def not_an_option(question: Question, given: str) -> str:
    labels = ", ".join(o.label for o in question.options.all())
    return f"«{_short(given)}» finns inte bland svarsalternativen ({labels})."


def list_validation(question: Question, options_range: OptionsRange) -> DataValidation:
    """A drop-down of the question's alternatives (one alternative per cell)."""
    return DataValidation(
        type="list",
        formula1=options_range(question),
        error="Välj ett av alternativen i listan.",
        **VALIDATION_COMMON,
    )


VALIDATION_COMMON: dict[str, Any] = {
    "allow_blank": True,
    "showErrorMessage": True,
    "showInputMessage": True,
    "errorTitle": "Ogiltigt svar",
}


def cell_lines(
    question: Question, cells: Cells, options: dict[str, str], rows: dict[str, str]
) -> list[str]:
    """One line per answer cell, in stored order (families sort them if need be)."""
    lines = []
    for cell in cells.values():
        if cell.escaped:
            lines.append(question.escape_label)
        elif cell.number is not None:
            number = swedish_number(cell.number, thousands=False)
            lines.append(f"{number} {question.unit}".strip())
        elif cell.text:
            lines.append(cell.text)
        elif cell.row:
            lines.append(
                f"{rows.get(cell.row, cell.row)}: {options.get(cell.option or '', '')}"
            )
        elif cell.option:
            lines.append(options.get(cell.option, cell.option))
    return lines
