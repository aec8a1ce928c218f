"""Typed text: the respondent's free text, and an RSS's summary of its kommuners'
free texts; one text box, the length checked by the domain, not the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from intake.cells import Cell, Cells
from intake.kinds.base import OneField
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


TEXT = Text()
