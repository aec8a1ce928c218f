"""Numbers: a count (integer) or a share in percent, typed as the user writes it
("59,5"), with an optional escape answer ("kan inte uppskattas") as a checkbox."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from openpyxl.worksheet.datavalidation import DataValidation

from intake.cells import Cell, Cells
from intake.excel.grid import Problem, _Grid, _short, _text
from intake.excel.terms import ESCAPE_SLOT, SURVEY, YES, bounds, range_words
from intake.kinds.base import (
    ESCAPED,
    VALIDATION_COMMON,
    AnswerRef,
    OneField,
    OptionsRange,
    WorkbookSlot,
)
from intake.models import Answer
from surveys.formatting import parse_swedish_number, swedish_number
from surveys.kinds import facts
from surveys.models import Question

# The largest magnitude Answer.number holds (max_digits 14, 2 decimals): a bigger
# value would overflow the column (PostgreSQL refuses it, SQLite stores what it
# cannot read back), so it is refused here like any other invalid answer.
_NUMBER_FIELD = Answer._meta.get_field("number")
INTEGER_DIGITS = _NUMBER_FIELD.max_digits - _NUMBER_FIELD.decimal_places
TOO_LARGE = "Talet är för stort."


def too_large(value: Decimal) -> bool:
    # adjusted() is the power of ten of the leading digit; unlike abs() or a
    # comparison it cannot overflow the decimal context on a value like 1e999999999.
    return bool(value) and value.adjusted() >= INTEGER_DIGITS


class Number(OneField):
    def add_fields(
        self,
        fields: dict[str, forms.Field],
        question: Question,
        options: list[tuple[str, str]],
    ) -> None:
        # Text, not a number field: "59,5" or "abc" come back as typed, and the
        # domain's message says what is wrong.
        name = question.variable
        fields[name] = forms.CharField(required=False, max_length=40)
        if question.escape_label:
            fields[name + ESCAPED] = forms.BooleanField(
                required=False, label=question.escape_label
            )

    def value_fields(self, question: Question) -> list[str]:
        name = question.variable
        if question.escape_label:
            return [name, name + ESCAPED]
        return [name]

    def field_values(self, question: Question, cells: Cells) -> dict[str, Any]:
        name = question.variable
        cell = cells.get("")
        values: dict[str, Any] = {}
        if cell is not None and cell.number is not None:
            values[name] = swedish_number(cell.number, thousands=False)
        if question.escape_label:
            values[name + ESCAPED] = bool(cell and cell.escaped)
        return values

    def raw_value(self, question: Question, cleaned: dict[str, Any]) -> Any:
        name = question.variable
        typed = (cleaned.get(name) or "").strip()
        if cleaned.get(name + ESCAPED):
            if typed:
                raise ValidationError(
                    f"Ange antingen ett värde eller ”{question.escape_label}”, inte båda."
                )
            return {"escaped": True}
        return typed

    def cells(self, question: Question, raw: Any, option_codes: list[str]) -> Cells:
        if isinstance(raw, Mapping) and raw.get("escaped") is True:
            if not question.escape_label:
                raise ValidationError("Frågan har inget sådant svarsalternativ.")
            return {"": Cell(escaped=True)}
        return {"": Cell(number=_number(question, raw))}

    def workbook_slots(self, question: Question) -> list[WorkbookSlot]:
        slots = [WorkbookSlot("")]
        if question.escape_label:
            slots.append(
                WorkbookSlot(
                    ESCAPE_SLOT,
                    text=question.escape_label,
                    note=f"Välj «{YES}» om värdet inte kan uppskattas; lämna då "
                    "cellen ovan tom.",
                )
            )
        return slots

    def workbook_hint(self, question: Question) -> str:
        whole = "Ett heltal" if facts(question.kind).whole_number else "Ett tal"
        return f"{whole}, {range_words(question)}."

    def workbook_validation(
        self, question: Question, slot: str, options_range: OptionsRange
    ) -> DataValidation | None:
        if slot == ESCAPE_SLOT:
            return None
        low, high = bounds(question)
        limits: dict[str, Any]
        if low is not None and high is not None:
            limits = {
                "operator": "between",
                "formula1": _plain(low),
                "formula2": _plain(high),
            }
        elif low is not None:
            limits = {"operator": "greaterThanOrEqual", "formula1": _plain(low)}
        elif high is not None:
            limits = {"operator": "lessThanOrEqual", "formula1": _plain(high)}
        else:
            limits = {"operator": "between", "formula1": "-1E+12", "formula2": "1E+12"}
        whole = facts(question.kind).whole_number
        return DataValidation(
            type="whole" if whole else "decimal",
            error=f"Ange {'ett heltal' if whole else 'ett tal'}, {range_words(question)}.",
            promptTitle="Tal",
            prompt=self.workbook_hint(question)[:255],
            **limits,
            **VALIDATION_COMMON,
        )

    def workbook_value(
        self, question: Question, cells: Sequence[AnswerRef], survey: _Grid
    ) -> Iterator[Any]:
        number_cell = cells[0]
        raw = survey.get(number_cell.ref)
        escaped = False
        if len(cells) > 1:
            given = _text(survey.get(cells[1].ref))
            if given and given.casefold() != YES.casefold():
                yield Problem(
                    f"«{_short(given)}» går inte att tolka; välj «{YES}» eller lämna "
                    "cellen tom.",
                    SURVEY,
                    cells[1].ref,
                )
                return
            escaped = bool(given)
        number: Decimal | None = None
        if isinstance(raw, bool | datetime | date):
            yield Problem(f"«{_text(raw)}» är inte ett tal.", SURVEY, number_cell.ref)
            return
        if isinstance(raw, int | float | Decimal):
            number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        elif raw is not None and _text(raw):
            number = parse_swedish_number(_text(raw))
            if number is None:
                yield Problem(
                    f"«{_short(_text(raw))}» är inte ett tal.", SURVEY, number_cell.ref
                )
                return
        if escaped and number is not None:
            yield Problem(
                f"Ange antingen ett värde eller «{question.escape_label}», inte båda.",
                SURVEY,
                number_cell.ref,
            )
            return
        if escaped:
            yield {"escaped": True}
        elif number is None:
            yield ""
        else:
            yield f"{number:f}"


def _plain(value: Decimal) -> str:
    """A bound as Excel reads it in a formula: 100.00 -> "100"."""
    return f"{value.normalize():f}"


def _number(question: Question, raw: Any) -> Decimal:
    value = parse_swedish_number(str(raw))
    if value is None:
        raise ValidationError("Ange ett tal, t.ex. 59 eller 59,5.")
    if too_large(value):
        raise ValidationError(TOO_LARGE)
    if facts(question.kind).whole_number and value != value.to_integral_value():
        raise ValidationError("Ange ett heltal.")
    if facts(question.kind).percentage and value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError("Ange andelen med högst två decimaler.")
    if question.min_value is not None and value < question.min_value:
        if question.min_value == 0:
            raise ValidationError("Värdet kan inte vara negativt.")
        raise ValidationError(
            f"Värdet måste vara minst {swedish_number(question.min_value, thousands=False)}."
        )
    if question.max_value is not None and value > question.max_value:
        raise ValidationError(
            f"Värdet får vara högst {swedish_number(question.max_value, thousands=False)}."
        )
    return value


NUMBER = Number()
