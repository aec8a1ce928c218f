"""Parsing the answer cells of a returned Excel copy into `save_answers` values:
each kind's cells read by its family (`intake.kinds`: labels back to option
codes, «Ja» marks, numbers as typed), then checked with the domain's own rules
(`intake.services.values.cells_for`); every bad cell is a Problem with its
sheet and cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from intake.excel.grid import Problem, WorkbookError, _Grid, _short, _text
from intake.excel.layout import AnswerCell
from intake.excel.terms import SURVEY
from intake.kinds import behaviour
from intake.services.values import cells_for
from surveys.kinds import (
    NUMBER_KINDS,
)
from surveys.models import Question


def _values(
    survey: _Grid, questions: Sequence[Question], answers: Sequence[AnswerCell]
) -> dict[str, Any]:
    by_variable: dict[str, list[AnswerCell]] = {}
    for answer in answers:
        by_variable.setdefault(answer.variable, []).append(answer)
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for question in questions:
        cells = by_variable.get(question.variable)
        if not cells:
            continue
        found = list(behaviour(question.kind).workbook_value(question, cells, survey))
        cell_problems = [p for p in found if isinstance(p, Problem)]
        if cell_problems:
            problems.extend(cell_problems)
            continue
        raw = found[0] if found else None
        try:
            cells_for(question, raw)
        except ValidationError as exc:
            # The domain's own rule (range, decimals, length), at the first cell.
            shown = _text(survey.get(cells[0].ref))
            prefix = f"«{_short(shown)}»: " if question.kind in NUMBER_KINDS else ""
            problems.extend(
                Problem(prefix + message, SURVEY, cells[0].ref)
                for message in exc.messages
            )
            continue
        values[question.variable] = raw
    if problems:
        raise WorkbookError(problems)
    return values
