"""Parsing one question's submitted value into answer cells (`cells_for`), the
domain rules of every kind of question.

Separate from the save because the form, the Excel reader and the import check
values with the same rules before anything is written, and need none of the
writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from intake.cells import (
    BASE_SLOTS,
    Cell,
    Cells,
)
from intake.models import (
    Answer,
)
from surveys.formatting import parse_swedish_number, swedish_number
from surveys.kinds import NUMBER_KINDS, SINGLE_VALUE_KINDS, TYPED_TEXT_KINDS, facts
from surveys.models import (
    Question,
)
from surveys.sheet_text import holdable

# The largest magnitude Answer.number holds (max_digits 14, 2 decimals): a bigger
# value would overflow the column (PostgreSQL refuses it, SQLite stores what it
# cannot read back), so it is refused here like any other invalid answer.
_NUMBER_FIELD = Answer._meta.get_field("number")
INTEGER_DIGITS = _NUMBER_FIELD.max_digits - _NUMBER_FIELD.decimal_places
TOO_LARGE = "Talet är för stort."


def _too_large(value: Decimal) -> bool:
    # adjusted() is the power of ten of the leading digit; unlike abs() or a
    # comparison it cannot overflow the decimal context on a value like 1e999999999.
    return bool(value) and value.adjusted() >= INTEGER_DIGITS


# --- parsing one question's value ------------------------------------------------------


def cells_for(question: Question, raw: Any) -> Cells:
    """Turn a submitted value into answer cells, or raise ValidationError (Swedish)."""
    if raw is None or raw == "" or raw == [] or raw == {}:
        return {}
    kind = question.kind
    option_codes = [o.code for o in question.options.all()]
    if kind in SINGLE_VALUE_KINDS:
        code = str(raw)
        if code not in option_codes:
            raise ValidationError("Välj ett av svarsalternativen.")
        return {"": Cell(option=code)}
    if facts(kind).multiple:
        if isinstance(raw, str) or not isinstance(raw, list | tuple | set | frozenset):
            raise ValidationError("Ange alternativen som en lista.")
        chosen = [str(c) for c in raw]
        bad = [c for c in chosen if c not in option_codes]
        if bad:
            raise ValidationError("Välj bland svarsalternativen.")
        return {code: Cell(option=code) for code in chosen}
    if facts(kind).matrix:
        if not isinstance(raw, Mapping):
            raise ValidationError("Ange ett svar per rad.")
        row_codes = [r.code for r in question.rows.all()]
        cells: Cells = {}
        for row, code in raw.items():
            if row not in row_codes:
                raise ValidationError("Frågan har ingen sådan delfråga.")
            if code in (None, ""):
                continue
            if code not in option_codes:
                raise ValidationError("Välj ett av svarsalternativen på varje rad.")
            cells[str(row)] = Cell(row=str(row), option=str(code))
        return cells
    if kind in NUMBER_KINDS:
        if isinstance(raw, Mapping) and raw.get("escaped") is True:
            if not question.escape_label:
                raise ValidationError("Frågan har inget sådant svarsalternativ.")
            return {"": Cell(escaped=True)}
        return {"": Cell(number=_number(question, raw))}
    if kind in TYPED_TEXT_KINDS:
        text = holdable(str(raw)).strip()
        if not text:
            return {}
        if question.max_length and len(text) > question.max_length:
            raise ValidationError(
                f"Svaret får vara högst {question.max_length} tecken (nu {len(text)})."
            )
        return {"": Cell(text=text)}
    if facts(kind).kommun_counts:
        return _kommun_count_cells(question, raw, option_codes)
    raise ValidationError("Okänd frågetyp.")  # pragma: no cover - kinds are closed


def _number(question: Question, raw: Any) -> Decimal:
    value = parse_swedish_number(str(raw))
    if value is None:
        raise ValidationError("Ange ett tal, t.ex. 59 eller 59,5.")
    if _too_large(value):
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


def _kommun_count_cells(question: Question, raw: Any, option_codes: list[str]) -> Cells:
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
        if _too_large(number):
            raise ValidationError(TOO_LARGE)
        if number != number.to_integral_value() or number < 0:
            raise ValidationError("Antalet kommuner ska vara ett heltal, 0 eller mer.")
        cells[str(slot)] = Cell(
            row=row or None,
            option=None if option in BASE_SLOTS else option,
            number=number,
        )
    return cells
