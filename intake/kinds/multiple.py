"""Multiple choice: several alternatives, each its own answer cell (slot = code)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from openpyxl.worksheet.datavalidation import DataValidation

from intake.cells import Cell, Cells
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
            choices=options, required=False, widget=forms.CheckboxSelectMultiple
        )

    def field_values(self, question: Question, cells: Cells) -> dict[str, Any]:
        return {question.variable: [c.option for c in cells.values()]}

    def cells(self, question: Question, raw: Any, option_codes: list[str]) -> Cells:
        if isinstance(raw, str) or not isinstance(raw, list | tuple | set | frozenset):
            raise ValidationError("Ange alternativen som en lista.")
        chosen = [str(c) for c in raw]
        bad = [c for c in chosen if c not in option_codes]
        if bad:
            raise ValidationError("Välj bland svarsalternativen.")
        return {code: Cell(option=code) for code in chosen}

    def in_words(
        self,
        question: Question,
        cells: Cells,
        options: dict[str, str],
        rows: dict[str, str],
    ) -> list[str]:
        # In the definition's order of alternatives, not the order ticked.
        lines = cell_lines(question, cells, options, rows)
        order = list(options.values())
        lines.sort(key=lambda line: order.index(line) if line in order else 0)
        return lines

    def workbook_slots(self, question: Question) -> list[WorkbookSlot]:
        # One «Ja» cell per alternative, on its own row.
        return [WorkbookSlot(o.code, text=o.label) for o in question.options.all()]

    def workbook_hint(self, question: Question) -> str:
        return f"Välj «{YES}» för varje alternativ som stämmer; lämna övriga tomma."

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
