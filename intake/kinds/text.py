"""Typed text: the respondent's free text, and an RSS's summary of its kommuners'
free texts; one text box, the length checked by the domain, not the field."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from openpyxl.worksheet.datavalidation import DataValidation

from intake.cells import Cell, Cells
from intake.excel.grid import _Grid, _text
from intake.excel.terms import max_length
from intake.kinds.base import (
    VALIDATION_COMMON,
    AnswerRef,
    OneField,
    OptionsRange,
    WorkbookSlot,
)
from surveys.models import Question
from surveys.sheet_text import holdable


class Text(OneField):
    def add_fields(
        self,
        fields: dict[str, forms.Field],
        question: Question,
        options: list[tuple[str, str]],
    ) -> None:
        # No max_length here: an over-long text comes back with the domain's
        # message, and the user's text stays in the field.
        fields[question.variable] = forms.CharField(
            required=False, widget=forms.Textarea(attrs={"rows": 4})
        )

    def field_values(self, question: Question, cells: Cells) -> dict[str, Any]:
        return {question.variable: next((c.text for c in cells.values()), "")}

    def cells(self, question: Question, raw: Any, option_codes: list[str]) -> Cells:
        text = holdable(str(raw)).strip()
        if not text:
            return {}
        if question.max_length and len(text) > question.max_length:
            raise ValidationError(
                f"Svaret får vara högst {question.max_length} tecken (nu {len(text)})."
            )
        return {"": Cell(text=text)}

    # In the Excel copy only the respondent's free text (WORKBOOK_KINDS): an RSS
    # summary is written on the RSS's own page.

    def workbook_slots(self, question: Question) -> list[WorkbookSlot]:
        return [WorkbookSlot("")]

    def workbook_hint(self, question: Question) -> str:
        return f"Fritext, högst {max_length(question)} tecken."

    def workbook_validation(
        self, question: Question, slot: str, options_range: OptionsRange
    ) -> DataValidation | None:
        return DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(max_length(question)),
            error=f"Svaret får vara högst {max_length(question)} tecken.",
            **VALIDATION_COMMON,
        )

    def workbook_value(
        self, question: Question, cells: Sequence[AnswerRef], survey: _Grid
    ) -> Iterator[Any]:
        yield _text(survey.get(cells[0].ref))


TEXT = Text()
