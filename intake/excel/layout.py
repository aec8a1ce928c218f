"""The layout of a kommun's Excel copy, shared by the writer and the reader: the
sheet and cell names, where every answer goes (`workbook_layout`), the hint and
condition beside each question, and the identity the hidden "Metadata" sheet
carries. One module so that both sides derive the same rows from the definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from surveys.conditions import Condition, for_respondent
from surveys.formatting import swedish_number
from surveys.kinds import (
    NUMBER_KINDS,
    SINGLE_VALUE_KINDS,
    WORKBOOK_KINDS,
    facts,
)
from surveys.models import Organisation, Question, Questionnaire

FORMAT = "naravard-kommun-excel"
FORMAT_VERSION = 1

INSTRUCTIONS = "Instruktioner"
SURVEY = "Enkät"
METADATA = "Metadata"
OPTIONS = "Alternativ"

NUMBER_COLUMN = "A"
TEXT_COLUMN = "B"
NOTE_COLUMN = "C"
ANSWER_COLUMN = "D"
KOMMUN_NAME_CELL = "B3"
KOMMUN_CODE_CELL = "B4"
HEADER_ROW = 6
FIRST_ROW = 7
# Metadata sheet: key/value pairs from row 1, the cell map from CELL_MAP_ROW.
CELL_MAP_ROW = 12
ESCAPE_SLOT = "__escaped"  # not a valid row or option code, so it cannot collide
YES = "Ja"
# A layout problem makes every later row meaningless: list this many, then stop.
MAX_LAYOUT_PROBLEMS = 10


# --- the layout, shared by writer and reader ------------------------------------------


@dataclass(frozen=True)
class AnswerCell:
    """Where one answer goes: the question's variable and the workbook slot ("" for a
    single value, a matrix row code, a multiple-choice option code, or ESCAPE_SLOT)."""

    row: int
    variable: str
    slot: str

    @property
    def ref(self) -> str:
        return f"{ANSWER_COLUMN}{self.row}"


@dataclass(frozen=True)
class LayoutRow:
    row: int
    number: str
    text: str
    note: str = ""
    style: str = "item"  # "section" | "question" | "item"
    answer: AnswerCell | None = None
    question: Question | None = None


def workbook_layout(questions: Sequence[Question]) -> list[LayoutRow]:
    """The rows of the "Enkät" sheet, from FIRST_ROW on."""
    by_variable = {q.variable: q for q in questions}
    rows: list[LayoutRow] = []
    section_id: int | None = None

    def add(**kwargs: Any) -> None:
        rows.append(LayoutRow(row=FIRST_ROW + len(rows), **kwargs))

    def answer(variable: str, slot: str) -> AnswerCell:
        return AnswerCell(FIRST_ROW + len(rows), variable, slot)

    for question in questions:
        if question.kind not in WORKBOOK_KINDS:
            continue
        if question.section_id != section_id:
            section_id = question.section_id
            add(number="", text=question.section.title, style="section")
        note = "\n".join(
            part
            for part in (
                describe_condition(question.display_condition, by_variable),
                question.help_text.strip(),
                _hint(question),
            )
            if part
        )
        text = question.text.strip()
        if not question.required:
            text += " (frivillig)"
        if question.unit:
            text += f" ({question.unit})"
        var = question.variable
        if facts(question.kind).matrix:
            add(number=question.number, text=text, note=note, style="question")
            for matrix_row in question.rows.all():
                add(
                    number="",
                    text=matrix_row.label,
                    answer=answer(var, matrix_row.code),
                    question=question,
                )
        elif facts(question.kind).multiple:
            add(number=question.number, text=text, note=note, style="question")
            for option in question.options.all():
                add(
                    number="",
                    text=option.label,
                    answer=answer(var, option.code),
                    question=question,
                )
        else:
            add(
                number=question.number,
                text=text,
                note=note,
                style="question",
                answer=answer(var, ""),
                question=question,
            )
            if question.kind in NUMBER_KINDS and question.escape_label:
                add(
                    number="",
                    text=question.escape_label,
                    note=f"Välj «{YES}» om värdet inte kan uppskattas; lämna då "
                    "cellen ovan tom.",
                    answer=answer(var, ESCAPE_SLOT),
                    question=question,
                )
    return rows


def answer_cells_of(layout: Sequence[LayoutRow]) -> list[AnswerCell]:
    return [r.answer for r in layout if r.answer is not None]


def _hint(question: Question) -> str:
    kind = question.kind
    if kind in SINGLE_VALUE_KINDS:
        return "Välj ett alternativ i listan i kolumn D."
    if facts(kind).matrix:
        return "Välj ett alternativ i listan för varje rad."
    if facts(kind).multiple:
        return f"Välj «{YES}» för varje alternativ som stämmer; lämna övriga tomma."
    if kind in NUMBER_KINDS:
        whole = "Ett heltal" if facts(kind).whole_number else "Ett tal"
        return f"{whole}, {_range_words(question)}."
    return f"Fritext, högst {_max_length(question)} tecken."


def _range_words(question: Question) -> str:
    low, high = _bounds(question)
    # As typed in the cell: no thousands separator.
    low_text = None if low is None else swedish_number(low, thousands=False)
    high_text = None if high is None else swedish_number(high, thousands=False)
    if low_text is not None and high_text is not None:
        return f"{low_text}–{high_text}"
    if low_text is not None:
        return f"minst {low_text}"
    if high_text is not None:
        return f"högst {high_text}"
    return "utan gränser"


def _bounds(question: Question) -> tuple[Decimal | None, Decimal | None]:
    low, high = question.min_value, question.max_value
    if facts(question.kind).percentage:
        low = Decimal(0) if low is None else low
        high = Decimal(100) if high is None else high
    return low, high


def _max_length(question: Question) -> int:
    return question.max_length or 4000


def describe_condition(
    condition: Condition | None, by_variable: Mapping[str, Question]
) -> str:
    """A display condition in words: "Besvaras om du svarat «Ja» på fråga 3."""
    return for_respondent(condition, by_variable)


def _identity(
    questionnaire: Questionnaire, organisation: Organisation
) -> dict[str, str]:
    # Every value as text, so that what is read back compares equal.
    return {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "questionnaire_id": str(questionnaire.pk),
        "questionnaire_key": questionnaire.key,
        "cycle": str(questionnaire.cycle.year),
        "questionnaire_version": str(questionnaire.version),
        "content_hash": questionnaire.content_hash,
        "kommun_code": organisation.code,
        "kommun_name": organisation.name,
    }
