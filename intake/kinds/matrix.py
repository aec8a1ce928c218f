"""Matrix: rows × alternatives, one alternative per row (slot = the row code);
each row is its own radio field in the web form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from openpyxl.worksheet.datavalidation import DataValidation

from intake.cells import Cell, Cells, option_cell
from intake.excel.grid import Problem, _Grid, _text
from intake.excel.terms import SURVEY
from intake.kinds.base import (
    AnswerRef,
    OptionsRange,
    WorkbookSlot,
    cell_lines,
    label_codes,
    list_validation,
    not_an_option,
    row_field,
)
from surveys.models import Question


def _option(cell: Cell | None) -> str:
    return (cell.option or "") if cell is not None else ""


class Matrix:
    def add_fields(
        self,
        fields: dict[str, forms.Field],
        question: Question,
        options: list[tuple[str, str]],
    ) -> None:
        for row in question.rows.all():
            fields[row_field(question, row.code)] = forms.ChoiceField(
                choices=options,
                required=False,
                widget=forms.RadioSelect,
                label=row.label,
            )

    def value_fields(self, question: Question) -> list[str]:
        return [row_field(question, row.code) for row in question.rows.all()]

    def first_field(self, question: Question) -> str:
        first_row = question.rows.all()[0]
        return row_field(question, first_row.code)

    def field_values(self, question: Question, cells: Cells) -> dict[str, Any]:
        return {
            row_field(question, row.code): _option(cells.get(row.code))
            for row in question.rows.all()
        }

    def raw_value(self, question: Question, cleaned: dict[str, Any]) -> Any:
        return {
            row.code: cleaned.get(row_field(question, row.code)) or ""
            for row in question.rows.all()
        }

    def cells(self, question: Question, raw: Any, option_codes: list[str]) -> Cells:
        if not isinstance(raw, Mapping):
            raise ValidationError("Ange ett svar per rad.")
        row_codes = [r.code for r in question.rows.all()]
        cells: Cells = {}
        for row, code in raw.items():
            if row not in row_codes:
                raise ValidationError("Frågan har ingen sådan delfråga.")
            if code in (None, ""):
                continue
            if code not in option_codes:
                raise ValidationError("Välj ett av svarsalternativen på varje rad.")
            cells[str(row)] = option_cell(str(code), str(row))
        return cells

    def in_words(
        self,
        question: Question,
        cells: Cells,
        options: dict[str, str],
        rows: dict[str, str],
    ) -> list[str]:
        # "Row: alternative" lines in the definition's order of rows.
        lines = cell_lines(question, cells, options, rows)
        order = list(rows.values())
        lines.sort(
            key=lambda line: next(
                (i for i, r in enumerate(order) if line.startswith(r + ":")), 0
            )
        )
        return lines

    def workbook_slots(self, question: Question) -> list[WorkbookSlot]:
        # A drop-down per row, each on its own row below the question.
        return [WorkbookSlot(r.code, text=r.label) for r in question.rows.all()]

    def workbook_hint(self, question: Question) -> str:
        return "Välj ett alternativ i listan för varje rad."

    def workbook_validation(
        self, question: Question, slot: str, options_range: OptionsRange
    ) -> DataValidation | None:
        return list_validation(question, options_range)

    def workbook_value(
        self, question: Question, cells: Sequence[AnswerRef], survey: _Grid
    ) -> Iterator[Any]:
        codes = label_codes(question)
        matrix: dict[str, str] = {}
        bad = False
        for cell in cells:
            given = _text(survey.get(cell.ref))
            code = codes.get(" ".join(given.split()).casefold())
            if given and code is None:
                bad = True
                yield Problem(not_an_option(question, given), SURVEY, cell.ref)
            matrix[cell.slot] = code or ""
        if not bad:
            yield matrix


MATRIX = Matrix()
