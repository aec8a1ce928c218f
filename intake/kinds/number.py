"""Numbers: a count (integer) or a share in percent, typed as the user writes it
("59,5"), with an optional escape answer ("kan inte uppskattas") as a checkbox."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from intake.cells import Cell, Cells
from intake.kinds.base import ESCAPED, OneField
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
