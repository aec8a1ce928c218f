"""Each kind's raw-data columns and values, found from one place (issue #14 point 3).

The raw-data side of `intake.kinds` (a lower app does not import reports, so the
table lives here): per family of kinds the columns of one question
(`question_columns`, the layout `reports.rawdata.columns` describes) and their
values for one response (`question_values`) and back from an imported file
(`reports.imports.values.question_value`), in a table keyed by kind that
covers every QuestionKind; and the full column list built from them
(`raw_columns`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from intake.cells import NONE_OF, Cells
from reports.rawdata.columns import (
    CONTACT_COLUMNS,
    FLAG_LABELS,
    KOMMUN_BASE_COLUMNS,
    LEADING_COLUMNS,
    MISSING_LABELS,
    STATA_NAME_MAX,
    Column,
    ColumnType,
    Missing,
    Value,
)
from surveys.kinds import QuestionKind
from surveys.models import MatrixRow, Option, Question


class RawDataKind(Protocol):
    def columns(
        self,
        question: Question,
        options: list[Option],
        rows: list[MatrixRow],
        codes: dict[int, str],
        base_missing: dict[Missing, str],
    ) -> list[Column]:
        """The raw-data columns of one question."""

    def values(
        self,
        question: Question,
        columns: Sequence[Column],
        cells: Cells,
        numbers: Mapping[str, int],
    ) -> list[Value]:
        """The values of the question's columns for one non-empty answer;
        `numbers` are the options' positions, their codes in the data."""

    def imported(self, question: Question, given: Mapping[Column, Any]) -> Any:
        """The value for save_answers from the question's columns read back from
        a file (`reports.imports`), blank and missing cells left out."""


class Choice:
    """Yes/no, yes/partly/no, single choice: the option's number, value labels."""

    def columns(
        self,
        question: Question,
        options: list[Option],
        rows: list[MatrixRow],
        codes: dict[int, str],
        base_missing: dict[Missing, str],
    ) -> list[Column]:
        return [
            Column(
                question.variable,
                _question_label(question),
                ColumnType.CODE,
                question,
                value_labels=codes,
                missing_labels=base_missing,
            )
        ]

    def values(
        self,
        question: Question,
        columns: Sequence[Column],
        cells: Cells,
        numbers: Mapping[str, int],
    ) -> list[Value]:
        cell = cells.get("")
        return [numbers[cell.option] if cell and cell.option else Missing.NOT_ANSWERED]

    def imported(self, question: Question, given: Mapping[Column, Any]) -> Any:
        return _one_value(given)


class Matrix:
    """One column per row, coded like a single choice."""

    def columns(
        self,
        question: Question,
        options: list[Option],
        rows: list[MatrixRow],
        codes: dict[int, str],
        base_missing: dict[Missing, str],
    ) -> list[Column]:
        return [
            Column(
                _cell_name(question.variable, [row.code], f"r{i}"),
                _question_label(question, row.label),
                ColumnType.CODE,
                question,
                row_code=row.code,
                value_labels=codes,
                missing_labels=base_missing,
            )
            for i, row in enumerate(rows, start=1)
        ]

    def values(
        self,
        question: Question,
        columns: Sequence[Column],
        cells: Cells,
        numbers: Mapping[str, int],
    ) -> list[Value]:
        values: list[Value] = []
        for column in columns:
            cell = cells.get(column.row_code or "")
            values.append(
                numbers[cell.option] if cell and cell.option else Missing.NOT_ANSWERED
            )
        return values

    def imported(self, question: Question, given: Mapping[Column, Any]) -> Any:
        return {c.row_code: v for c, v in given.items()} or None


class Multiple:
    """One column per option: 1 ticked, 0 not (0 in all: «Inget av alternativen»)."""

    def columns(
        self,
        question: Question,
        options: list[Option],
        rows: list[MatrixRow],
        codes: dict[int, str],
        base_missing: dict[Missing, str],
    ) -> list[Column]:
        return [
            Column(
                _cell_name(question.variable, [option.code], f"o{j}"),
                _question_label(question, option.label),
                ColumnType.FLAG,
                question,
                option_code=option.code,
                value_labels=FLAG_LABELS,
                missing_labels=base_missing,
            )
            for j, option in enumerate(options, start=1)
        ]

    def values(
        self,
        question: Question,
        columns: Sequence[Column],
        cells: Cells,
        numbers: Mapping[str, int],
    ) -> list[Value]:
        # «Inget av alternativen» (intake.cells.NONE_OF): answered, every option 0.
        return [1 if column.option_code in cells else 0 for column in columns]

    def imported(self, question: Question, given: Mapping[Column, Any]) -> Any:
        """The ticked options; 0 in every option column is «Inget av
        alternativen» (answered); a missing code in any column with none
        ticked is no answer."""
        ticked = [c.option_code for c, v in given.items() if v == 1]
        if ticked:
            return ticked
        if given and len(given) == len(question.options.all()):
            return [NONE_OF]
        return None


class Number:
    """The number; the escape answer has a missing code of its own."""

    def columns(
        self,
        question: Question,
        options: list[Option],
        rows: list[MatrixRow],
        codes: dict[int, str],
        base_missing: dict[Missing, str],
    ) -> list[Column]:
        missing = dict(base_missing)
        if question.escape_label:
            missing[Missing.ESCAPED] = question.escape_label
        return [
            Column(
                question.variable,
                _question_label(question),
                ColumnType.NUMBER,
                question,
                missing_labels=missing,
            )
        ]

    def values(
        self,
        question: Question,
        columns: Sequence[Column],
        cells: Cells,
        numbers: Mapping[str, int],
    ) -> list[Value]:
        cell = cells.get("")
        if cell is None:
            return [Missing.NOT_ANSWERED]
        if cell.escaped:
            return [Missing.ESCAPED]
        return [cell.number if cell.number is not None else Missing.NOT_ANSWERED]

    def imported(self, question: Question, given: Mapping[Column, Any]) -> Any:
        return _one_value(given)


class KommunCounts:
    """One column per cell, each row's options followed by its base."""

    def columns(
        self,
        question: Question,
        options: list[Option],
        rows: list[MatrixRow],
        codes: dict[int, str],
        base_missing: dict[Missing, str],
    ) -> list[Column]:
        columns = []
        for i, row in enumerate(rows or [None], start=1):
            for j, option in enumerate(options, start=1):
                parts = [row.code, option.code] if row else [option.code]
                name = _cell_name(question.variable, parts, f"r{i}_{j}")
                labels = [row.label, option.label] if row else [option.label]
                columns.append(
                    Column(
                        name,
                        _question_label(question, *labels),
                        ColumnType.NUMBER,
                        question,
                        row_code=row.code if row else None,
                        option_code=option.code,
                        missing_labels=base_missing,
                    )
                )
            for k, (slot, suffix, label) in enumerate(KOMMUN_BASE_COLUMNS, start=1):
                parts = [row.code, suffix] if row else [suffix]
                labels = [row.label, label] if row else [label]
                columns.append(
                    Column(
                        _cell_name(question.variable, parts, f"r{i}_b{k}"),
                        _question_label(question, *labels),
                        ColumnType.NUMBER,
                        question,
                        row_code=row.code if row else None,
                        missing_labels=base_missing,
                        base_slot=slot,
                    )
                )
        return columns

    def values(
        self,
        question: Question,
        columns: Sequence[Column],
        cells: Cells,
        numbers: Mapping[str, int],
    ) -> list[Value]:
        values: list[Value] = []
        for column in columns:
            cell = cells.get(column.count_slot)
            values.append(
                cell.number
                if cell and cell.number is not None
                else Missing.NOT_ANSWERED
            )
        return values

    def imported(self, question: Question, given: Mapping[Column, Any]) -> Any:
        return {c.count_slot: v for c, v in given.items()} or None


class Text:
    """Free text and RSS summaries: the text."""

    def columns(
        self,
        question: Question,
        options: list[Option],
        rows: list[MatrixRow],
        codes: dict[int, str],
        base_missing: dict[Missing, str],
    ) -> list[Column]:
        return [
            Column(
                question.variable,
                _question_label(question),
                ColumnType.TEXT,
                question,
                missing_labels=base_missing,
            )
        ]

    def values(
        self,
        question: Question,
        columns: Sequence[Column],
        cells: Cells,
        numbers: Mapping[str, int],
    ) -> list[Value]:
        cell = cells.get("")
        return [cell.text if cell and cell.text else Missing.NOT_ANSWERED]

    def imported(self, question: Question, given: Mapping[Column, Any]) -> Any:
        return _one_value(given)


CHOICE = Choice()
MATRIX = Matrix()
MULTIPLE = Multiple()
NUMBER = Number()
KOMMUN_COUNTS = KommunCounts()
TEXT = Text()
K = QuestionKind
RAW_DATA_KINDS: Mapping[QuestionKind, RawDataKind] = {
    K.YES_NO: CHOICE,
    K.YES_PARTLY_NO: CHOICE,
    K.SINGLE_CHOICE: CHOICE,
    K.MULTIPLE_CHOICE: MULTIPLE,
    K.MATRIX: MATRIX,
    K.INTEGER: NUMBER,
    K.PERCENTAGE: NUMBER,
    K.TEXT: TEXT,
    K.KOMMUN_COUNT: KOMMUN_COUNTS,
    K.KOMMUN_TEXT_SUMMARY: TEXT,
}
# Checked at import, like surveys.kinds.KINDS and intake.kinds.BEHAVIOURS.
if set(RAW_DATA_KINDS) != set(QuestionKind):  # pragma: no cover - a programming error
    raise RuntimeError(
        f"RAW_DATA_KINDS saknar {set(QuestionKind) - set(RAW_DATA_KINDS)}"
    )


def question_columns(question: Question) -> list[Column]:
    """The raw-data columns of one question (options and rows prefetched)."""
    options = list(question.options.all())
    rows = list(question.rows.all())
    codes = {i: o.label for i, o in enumerate(options, start=1)}
    base_missing = dict(MISSING_LABELS)
    return RAW_DATA_KINDS[QuestionKind(question.kind)].columns(
        question, options, rows, codes, base_missing
    )


def raw_data_kind(question: Question) -> RawDataKind:
    return RAW_DATA_KINDS[QuestionKind(question.kind)]


def question_values(
    question: Question,
    columns: Sequence[Column],
    cells: Cells,
    *,
    shown: bool,
    numbers: Mapping[str, int],
    kind: RawDataKind,
) -> list[Value]:
    """The values of one question's columns for one response; `numbers` are the
    question's `option_numbers` and `kind` its `raw_data_kind`, worked out once
    per export, not per response."""
    if not shown:
        return [Missing.NOT_APPLICABLE] * len(columns)
    if not cells:
        return [Missing.NOT_ANSWERED] * len(columns)
    return kind.values(question, columns, cells, numbers)


def _one_value(given: Mapping[Column, Any]) -> Any:
    """A one-column question's value; a number as text, as a user types it."""
    if not given:
        return None
    (value,) = given.values()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def option_numbers(question: Question) -> dict[str, int]:
    """Each option's code and its number in the raw data (1, 2, …, in order)."""
    return {o.code: i for i, o in enumerate(question.options.all(), start=1)}


def _question_label(question: Question, *parts: str) -> str:
    return " – ".join([f"{question.number}. {question.label}", *parts])


def raw_columns(
    questions: Sequence[Question], *, include_contacts: bool = False
) -> list[Column]:
    """Every column of the raw data, in order. Raises ValueError on a name clash."""
    columns = [Column(n, label, ColumnType.TEXT) for n, label in LEADING_COLUMNS]
    if include_contacts:
        columns += [Column(n, label, ColumnType.TEXT) for n, label in CONTACT_COLUMNS]
    for question in questions:
        columns += question_columns(question)
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            raise ValueError(f"Kolumnnamnet {column.name} förekommer två gånger.")
        seen.add(column.name)
    return columns


def _cell_name(variable: str, codes: list[str], positions: str) -> str:
    """`<variable>_<code>[_<code>]`, or by position (`<variable>_r2`, `_o14`,
    `_r1_3`) when that would not fit STATA_NAME_MAX."""
    name = "_".join([variable, *codes])
    return name if len(name) <= STATA_NAME_MAX else f"{variable}_{positions}"
