"""The layout of a kommun's Excel copy, shared by the writer and the reader: the
sheet and cell names, where every answer goes (`workbook_layout`), the hint and
condition beside each question, and the identity the hidden "Metadata" sheet
carries. One module so that both sides derive the same rows from the definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake.kinds import behaviour
from surveys.conditions import Condition, for_respondent
from surveys.kinds import WORKBOOK_KINDS
from surveys.models import Organisation, Question, Questionnaire

FORMAT = "naravard-kommun-excel"
FORMAT_VERSION = 1

INSTRUCTIONS = "Instruktioner"
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
                behaviour(question.kind).workbook_hint(question),
            )
            if part
        )
        text = question.text.strip()
        if not question.required:
            text += " (frivillig)"
        if question.unit:
            text += f" ({question.unit})"
        var = question.variable
        # Each kind's answer cells (intake.kinds): on the question's own row, or
        # each on a row of its own below it (matrix rows, alternatives, escape).
        slots = behaviour(question.kind).workbook_slots(question)
        own = next((s.slot for s in slots if s.text is None), None)
        if own is None:
            add(number=question.number, text=text, note=note, style="question")
        else:
            add(
                number=question.number,
                text=text,
                note=note,
                style="question",
                answer=answer(var, own),
                question=question,
            )
        for slot in slots:
            if slot.text is not None:
                add(
                    number="",
                    text=slot.text,
                    note=slot.note,
                    answer=answer(var, slot.slot),
                    question=question,
                )
    return rows


def answer_cells_of(layout: Sequence[LayoutRow]) -> list[AnswerCell]:
    return [r.answer for r in layout if r.answer is not None]


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
