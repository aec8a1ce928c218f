"""One alternative per answer: yes/no, yes/partly/no and single choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from intake.cells import Cell, Cells
from intake.kinds.base import OneField
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
        return {"": Cell(option=code)}


CHOICE = Choice()
