"""Multiple choice: several alternatives, each its own answer cell (slot = code).

«Inget av alternativen» is an answer too (issue #16 point 7): one cell in the
slot `NONE_OF`, never together with an alternative. In the form and the Excel
copy it is one more choice after the alternatives; in raw data every option
column is 0 (not ticked) instead of the missing code; in a value for
save_answers it is the code `NONE_OF` in the list."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from openpyxl.worksheet.datavalidation import DataValidation

from intake.cells import NONE_OF, NONE_OF_LABEL, Cell, Cells, option_cell
from intake.excel.grid import Problem, _Grid, _short, _text
from intake.excel.terms import SURVEY, YES
from intake.kinds.base import (
    AnswerRef,
    OneField,
    OptionsRange,
    WorkbookSlot,
    cell_lines,
)
from surveys.models import Question


class Multiple(OneField):
    def add_fields(
        self,
        fields: dict[str, forms.Field],
        question: Question,
        options: list[tuple[str, str]],
    ) -> None:
        fields[question.variable] = forms.MultipleChoiceField(
            choices=[*options, (NONE_OF, NONE_OF_LABEL)],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    def field_values(self, question: Question, cells: Cells) -> dict[str, Any]:
        if NONE_OF in cells:
            return {question.variable: [NONE_OF]}
        return {question.variable: [c.option for c in cells.values()]}

    def cells(self, question: Question, raw: Any, option_codes: list[str]) -> Cells:
        if isinstance(raw, str) or not isinstance(raw, list | tuple | set | frozenset):
            raise ValidationError("Ange alternativen som en lista.")
        chosen = [str(c) for c in raw]
        if NONE_OF in chosen:
            if len(set(chosen)) > 1:
                raise ValidationError(
                    f"«{NONE_OF_LABEL}» kan inte väljas tillsammans med ett "
                    "alternativ. Ta bort det ena."
                )
            return {NONE_OF: Cell()}
        bad = [c for c in chosen if c not in option_codes]
        if bad:
            raise ValidationError("Välj bland svarsalternativen.")
        return {code: option_cell(code) for code in chosen}

    def in_words(
        self,
        question: Question,
        cells: Cells,
        options: dict[str, str],
        rows: dict[str, str],
    ) -> list[str]:
        if NONE_OF in cells:
            return [NONE_OF_LABEL]
        # In the definition's order of alternatives, not the order ticked.
        lines = cell_lines(question, cells, options, rows)
        order = list(options.values())
        lines.sort(key=lambda line: order.index(line) if line in order else 0)
        return lines

    def workbook_slots(self, question: Question) -> list[WorkbookSlot]:
        # One «Ja» cell per alternative, on its own row, and one for none of them.
        return [
            *(WorkbookSlot(o.code, text=o.label) for o in question.options.all()),
            WorkbookSlot(NONE_OF, text=NONE_OF_LABEL),
        ]

    def workbook_hint(self, question: Question) -> str:
        return (
            f"Välj «{YES}» för varje alternativ som stämmer; lämna övriga tomma. "
            f"Stämmer inget: välj «{YES}» vid «{NONE_OF_LABEL}»."
        )

    def workbook_validation(
        self, question: Question, slot: str, options_range: OptionsRange
    ) -> DataValidation | None:
        return None

    def workbook_value(
        self, question: Question, cells: Sequence[AnswerRef], survey: _Grid
    ) -> Iterator[Any]:
        chosen: list[str] = []
        bad = False
        for cell in cells:
            given = _text(survey.get(cell.ref))
            if given.casefold() == YES.casefold():
                chosen.append(cell.slot)
            elif given:
                bad = True
                yield Problem(
                    f"«{_short(given)}» går inte att tolka; välj «{YES}» eller lämna "
                    "cellen tom.",
                    SURVEY,
                    cell.ref,
                )
        if not bad:
            yield chosen


MULTIPLE = Multiple()
