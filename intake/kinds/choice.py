"""One alternative per answer: yes/no, yes/partly/no and single choice."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from openpyxl.worksheet.datavalidation import DataValidation

from intake.cells import Cells, option_cell
from intake.excel.grid import Problem, _Grid, _text
from intake.excel.terms import SURVEY
from intake.kinds.base import (
    AnswerRef,
    OneField,
    OptionsRange,
    WorkbookSlot,
    label_codes,
    list_validation,
    not_an_option,
)
from surveys.models import Question


class Choice(OneField):
    def add_fields(
        self,
        fields: dict[str, forms.Field],
        question: Question,
        options: list[tuple[str, str]],
    ) -> None:
        fields[question.variable] = forms.ChoiceField(
            choices=options, required=False, widget=forms.RadioSelect
        )

    def field_values(self, question: Question, cells: Cells) -> dict[str, Any]:
        return {question.variable: next((c.option for c in cells.values()), "")}

    def cells(self, question: Question, raw: Any, option_codes: list[str]) -> Cells:
        code = str(raw)
        if code not in option_codes:
            raise ValidationError("Välj ett av svarsalternativen.")
        return {"": option_cell(code)}

    def workbook_slots(self, question: Question) -> list[WorkbookSlot]:
        return [WorkbookSlot("")]

    def workbook_hint(self, question: Question) -> str:
        return "Välj ett alternativ i listan i kolumn D."

    def workbook_validation(
        self, question: Question, slot: str, options_range: OptionsRange
    ) -> DataValidation | None:
        return list_validation(question, options_range)

    def workbook_value(
        self, question: Question, cells: Sequence[AnswerRef], survey: _Grid
    ) -> Iterator[Any]:
        # The alternative's label, back to its code.
        given = _text(survey.get(cells[0].ref))
        code = label_codes(question).get(" ".join(given.split()).casefold())
        if given and code is None:
            yield Problem(not_an_option(question, given), SURVEY, cells[0].ref)
            return
        yield code or ""


CHOICE = Choice()
