"""The respondent form, built from a questionnaire definition.

Fields accept what the user types (numbers stay text, so "59,5" or "abc" come back
as typed); the domain rules live in `intake.services.cells_for`, which this form
calls per question so that a draft keeps every valid answer and marks the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from intake.cells import Cells, decimal_comma
from intake.services import cells_for
from surveys.definitions import NUMBER_KINDS, SINGLE_VALUE_KINDS
from surveys.models import Question, QuestionKind

ESCAPED = "__escaped"
ROW = "__"
CHOICE_KINDS = SINGLE_VALUE_KINDS
TEXT_KINDS = frozenset({QuestionKind.TEXT, QuestionKind.KOMMUN_TEXT_SUMMARY})
# RSS kommun counts are computed from the kommuner's answers (issue #4), not typed.
FORM_KINDS = (
    CHOICE_KINDS
    | NUMBER_KINDS
    | TEXT_KINDS
    | {QuestionKind.MULTIPLE_CHOICE, QuestionKind.MATRIX}
)


def row_field(question: Question, row_code: str) -> str:
    return f"{question.variable}{ROW}{row_code}"


def first_field(question: Question) -> str:
    """The field an error or a link to the question points at."""
    if question.kind == QuestionKind.MATRIX:
        first_row = question.rows.all()[0]
        return row_field(question, first_row.code)
    return question.variable


class ResponseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # The respondent's contact details (personal data: organisation and staff only).
    contact_name = forms.CharField(label="Namn", max_length=200, required=False)
    contact_email = forms.EmailField(
        label="E-post",
        max_length=254,
        required=False,
        error_messages={
            "invalid": "Ange en giltig e-postadress, t.ex. namn@region.se."
        },
    )
    contact_phone = forms.CharField(label="Telefon", max_length=40, required=False)

    def __init__(
        self,
        questions: Sequence[Question],
        *,
        answers: dict[int, Cells],
        version: int,
        contact: dict[str, str] | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(data=data, initial={"version": version, **(contact or {})})
        self.questions = [q for q in questions if q.kind in FORM_KINDS]
        for question in self.questions:
            self._add_fields(question, answers.get(question.pk, {}))

    def _add_fields(self, question: Question, cells: Cells) -> None:
        options = [(o.code, o.label) for o in question.options.all()]
        name = question.variable
        if question.kind in CHOICE_KINDS:
            self.fields[name] = forms.ChoiceField(
                choices=options, required=False, widget=forms.RadioSelect
            )
            self.initial[name] = next((c.option for c in cells.values()), "")
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            self.fields[name] = forms.MultipleChoiceField(
                choices=options, required=False, widget=forms.CheckboxSelectMultiple
            )
            self.initial[name] = [c.option for c in cells.values()]
        elif question.kind == QuestionKind.MATRIX:
            for row in question.rows.all():
                self.fields[row_field(question, row.code)] = forms.ChoiceField(
                    choices=options,
                    required=False,
                    widget=forms.RadioSelect,
                    label=row.label,
                )
                self.initial[row_field(question, row.code)] = (
                    cells[row.code].option if row.code in cells else ""
                )
        elif question.kind in NUMBER_KINDS:
            self.fields[name] = forms.CharField(required=False, max_length=40)
            cell = cells.get("")
            if cell is not None and cell.number is not None:
                self.initial[name] = decimal_comma(cell.number)
            if question.escape_label:
                self.fields[name + ESCAPED] = forms.BooleanField(
                    required=False, label=question.escape_label
                )
                self.initial[name + ESCAPED] = bool(cell and cell.escaped)
        else:
            # No max_length here: an over-long text comes back with the domain's
            # message, and the user's text stays in the field.
            self.fields[name] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 4})
            )
            self.initial[name] = next((c.text for c in cells.values()), "")

    def answer_values(self) -> dict[str, Any]:
        """The valid answers by variable; errors go onto the form, per question."""
        values: dict[str, Any] = {}
        cleaned = self.cleaned_data
        for question in self.questions:
            try:
                raw = self.raw_value(question, cleaned)
                cells_for(question, raw)
            except ValidationError as exc:
                for message in exc.messages:
                    self.add_error(first_field(question), message)
                continue
            values[question.variable] = raw
        return values

    def raw_value(self, question: Question, cleaned: dict[str, Any]) -> Any:
        name = question.variable
        if question.kind == QuestionKind.MATRIX:
            return {
                row.code: cleaned.get(row_field(question, row.code)) or ""
                for row in question.rows.all()
            }
        if question.kind in NUMBER_KINDS:
            typed = (cleaned.get(name) or "").strip()
            if cleaned.get(name + ESCAPED):
                if typed:
                    raise ValidationError(
                        f"Ange antingen ett värde eller ”{question.escape_label}”, inte båda."
                    )
                return {"escaped": True}
            return typed
        return cleaned.get(name)


@dataclass
class QuestionBlock:
    """What the template needs to render one question."""

    question: Question
    shown: bool
    fields: list[forms.BoundField] = field(default_factory=list)
    escape_field: forms.BoundField | None = None
    errors: list[str] = field(default_factory=list)
    answered_cells: Cells = field(default_factory=dict)


def question_blocks(form: ResponseForm, shown: set[int]) -> list[QuestionBlock]:
    blocks = []
    for question in form.questions:
        if question.kind == QuestionKind.MATRIX:
            fields = [
                form[row_field(question, row.code)] for row in question.rows.all()
            ]
        else:
            fields = [form[question.variable]]
        escape = (
            form[question.variable + ESCAPED]
            if question.variable + ESCAPED in form.fields
            else None
        )
        errors = [str(e) for f in fields for e in f.errors]
        blocks.append(
            QuestionBlock(
                question=question,
                shown=question.pk in shown,
                fields=fields,
                escape_field=escape,
                errors=errors,
            )
        )
    return blocks


class WorkbookUploadForm(forms.Form):
    """The returned Excel copy of a kommun questionnaire (read by `intake.excel`)."""

    file = forms.FileField(
        label="Ifylld Excel-fil (.xlsx)",
        error_messages={
            "required": "Välj en fil att ladda upp.",
            "empty": "Filen är tom.",
            "invalid": "Välj en fil att ladda upp.",
        },
    )
