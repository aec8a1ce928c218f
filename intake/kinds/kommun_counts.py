"""RSS kommun counts (issue #4): the number of member kommuner per alternative
(per row and alternative), computed from the kommuners' answers with its base
slots. The web form has a field per cell only to adjust a computed count, and
one for the reason; the check that an adjustment fits the kommuner that have
answered is `ResponseForm._check_adjustments` and `intake.services.adjustments`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from openpyxl.worksheet.datavalidation import DataValidation

from intake.cells import BASE_SLOTS, EJ_AKTUELL, EJ_SVARAT, SVARAT, Cell, Cells
from intake.excel.grid import _Grid
from intake.kinds.base import (
    AnswerRef,
    OptionsRange,
    WorkbookSlot,
    adjust_field,
    count_slots,
    reason_field,
)
from intake.kinds.number import TOO_LARGE, too_large
from surveys.formatting import swedish_number
from surveys.models import Question

BASE_LABELS = {
    SVARAT: "Antal kommuner som har svarat",
    EJ_SVARAT: "Ej svarat",
    EJ_AKTUELL: "Ej aktuell",
}


class KommunCounts:
    def add_fields(
        self,
        fields: dict[str, forms.Field],
        question: Question,
        options: list[tuple[str, str]],
    ) -> None:
        for slot in count_slots(question):
            fields[adjust_field(question, slot)] = forms.CharField(
                required=False, max_length=12, label="Justerat antal"
            )
        fields[reason_field(question)] = forms.CharField(
            required=False, max_length=300, label="Anledning till justeringen"
        )

    def value_fields(self, question: Question) -> list[str]:
        return [adjust_field(question, s) for s in count_slots(question)] + [
            reason_field(question)
        ]

    def first_field(self, question: Question) -> str:
        return reason_field(question)

    def field_values(self, question: Question, cells: Cells) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for slot in count_slots(question):
            cell = cells.get(slot)
            if cell is not None and cell.number is not None:
                values[adjust_field(question, slot)] = swedish_number(
                    cell.number, thousands=False
                )
        return values

    def raw_value(self, question: Question, cleaned: dict[str, Any]) -> Any:
        adjusted = {
            slot: (cleaned.get(adjust_field(question, slot)) or "").strip()
            for slot in count_slots(question)
        }
        return {slot: value for slot, value in adjusted.items() if value}

    def cells(self, question: Question, raw: Any, option_codes: list[str]) -> Cells:
        if not isinstance(raw, Mapping):
            raise ValidationError("Ange ett antal kommuner per svarsalternativ.")
        row_codes = [r.code for r in question.rows.all()]
        cells: Cells = {}
        for slot, count in raw.items():
            row, _, option = str(slot).rpartition(".")
            if (
                option not in option_codes
                and option not in BASE_SLOTS
                or (row and row not in row_codes)
                or (row_codes and not row)
            ):
                raise ValidationError(f"Okänd cell {slot}.")
            if count in (None, ""):
                continue
            try:
                number = Decimal(str(count))
            except InvalidOperation:
                raise ValidationError("Antalet kommuner ska vara ett heltal.") from None
            if not number.is_finite():
                raise ValidationError("Antalet kommuner ska vara ett heltal.")
            if too_large(number):
                raise ValidationError(TOO_LARGE)
            if number != number.to_integral_value() or number < 0:
                raise ValidationError(
                    "Antalet kommuner ska vara ett heltal, 0 eller mer."
                )
            cells[str(slot)] = Cell(
                row=row or None,
                option=None if option in BASE_SLOTS else option,
                number=number,
            )
        return cells

    def in_words(
        self,
        question: Question,
        cells: Cells,
        options: dict[str, str],
        rows: dict[str, str],
    ) -> list[str]:
        """ "Alternativ: antal" lines, in the definition's order, each row's base
        last (issue #4)."""
        lines = []
        for row_code, row_label in list(rows.items()) or [("", "")]:
            prefix = f"{row_code}." if row_code else ""
            heading = f"{row_label}: " if row_label else ""
            for code, label in [*options.items(), *BASE_LABELS.items()]:
                cell = cells.get(prefix + code)
                if cell is not None and cell.number is not None:
                    lines.append(
                        f"{heading}{label}: {swedish_number(cell.number, thousands=False)}"
                    )
        return lines

    # Not in the Excel copy (WORKBOOK_KINDS): the counts are computed, and an RSS
    # adjusts them on its own page. The layout skips the kind before asking.

    def workbook_slots(self, question: Question) -> list[WorkbookSlot]:
        raise NotImplementedError(NOT_IN_WORKBOOK)

    def workbook_hint(self, question: Question) -> str:
        raise NotImplementedError(NOT_IN_WORKBOOK)

    def workbook_validation(
        self, question: Question, slot: str, options_range: OptionsRange
    ) -> DataValidation | None:
        raise NotImplementedError(NOT_IN_WORKBOOK)

    def workbook_value(
        self, question: Question, cells: Sequence[AnswerRef], survey: _Grid
    ) -> Iterator[Any]:
        raise NotImplementedError(NOT_IN_WORKBOOK)


NOT_IN_WORKBOOK = "RSS kommun counts are not in the Excel copy (WORKBOOK_KINDS)."
KOMMUN_COUNTS = KommunCounts()
