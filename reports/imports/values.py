"""One cell of an imported file as its column's value: option numbers, codes or
labels, numbers with a decimal comma, the missing-value codes and words; and a
question's value for `save_answers` from its parsed columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.rawdata.columns import MISSING_LABELS, Column, ColumnType, Missing
from reports.rawdata.kinds import RAW_DATA_KINDS
from surveys.formatting import parse_swedish_number
from surveys.kinds import QuestionKind
from surveys.models import Question

# --- one value --------------------------------------------------------------------


class _NoAnswer:
    """A blank cell or a missing-value code: the question has no answer."""


NO_ANSWER = _NoAnswer()
_MISSING_WORDS = {
    *(str(int(m)) for m in Missing),
    *(label.casefold() for label in MISSING_LABELS.values()),
}


def _choices_in_words(column: Column) -> str:
    return ", ".join(f"{k} = {v}" for k, v in column.value_labels.items())


def parse_value(column: Column, text: str) -> Any:
    """A cell's text as the column's value; raises ValueError with the Swedish
    reason (without row and column, which the caller adds)."""
    if text == "" or text.casefold() in _MISSING_WORDS:
        if text == str(int(Missing.ESCAPED)) and column.type == ColumnType.NUMBER:
            return _escape(column, text)
        return NO_ANSWER
    question = column.question
    assert question is not None  # noqa: S101 - only question columns get here
    if column.type == ColumnType.CODE:
        options = list(question.options.all())
        wanted = text.casefold()
        number = _as_int(text)
        for position, option in enumerate(options, start=1):
            if (
                number == position
                or option.code == wanted
                or option.label.casefold() == wanted
            ):
                return option.code
        raise ValueError(
            f"«{text}» är inget svarsalternativ ({_choices_in_words(column)})."
        )
    if column.type == ColumnType.FLAG:
        number = _as_int(text)
        if number in (0, 1):
            return number
        raise ValueError(f"«{text}» går inte; ange 1 (vald) eller 0 (ej vald).")
    if column.type == ColumnType.NUMBER:
        if (
            question.escape_label
            and text.casefold() == question.escape_label.casefold()
        ):
            return _escape(column, text)
        value = parse_swedish_number(text, percent_sign=True)
        if value is None:
            raise ValueError(f"«{text}» är inget tal.")
        return value
    return text


def _escape(column: Column, text: str) -> Any:
    question = column.question
    if question is None or not question.escape_label:
        raise ValueError(f"«{text}» går inte; frågan har inget undantagssvar.")
    return {"escaped": True}


def _as_int(text: str) -> int | None:
    value = parse_swedish_number(text)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def question_value(question: Question, parsed: Mapping[Column, Any]) -> Any:
    """The value for save_answers from the question's columns in the file."""
    given = {c: v for c, v in parsed.items() if v is not NO_ANSWER}
    return RAW_DATA_KINDS[QuestionKind(question.kind)].imported(question, given)
