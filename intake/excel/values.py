"""Parsing the answer cells of a returned Excel copy into `save_answers` values:
labels back to option codes, «Ja» marks, numbers as typed, each checked with the
domain's own rules (`intake.services.values.cells_for`); every bad cell is a
Problem with its sheet and cell.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from intake.excel.grid import Problem, WorkbookError, _Grid, _short, _text
from intake.excel.layout import SURVEY, YES, AnswerCell
from intake.services.values import cells_for
from surveys.formatting import parse_swedish_number
from surveys.kinds import (
    NUMBER_KINDS,
    SINGLE_VALUE_KINDS,
    facts,
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
        found = list(_question_value(question, cells, survey))
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


def _label_codes(question: Question) -> dict[str, str]:
    return {
        " ".join(o.label.split()).casefold(): o.code for o in question.options.all()
    }


def _not_an_option(question: Question, given: str) -> str:
    labels = ", ".join(o.label for o in question.options.all())
    return f"«{_short(given)}» finns inte bland svarsalternativen ({labels})."


def _question_value(
    question: Question, cells: Sequence[AnswerCell], survey: _Grid
) -> Iterator[Any]:
    """Yield the question's raw value, or a Problem per bad cell."""
    kind = question.kind
    if kind in SINGLE_VALUE_KINDS:
        given = _text(survey.get(cells[0].ref))
        code = _label_codes(question).get(" ".join(given.split()).casefold())
        if given and code is None:
            yield Problem(_not_an_option(question, given), SURVEY, cells[0].ref)
            return
        yield code or ""
    elif facts(kind).matrix:
        codes = _label_codes(question)
        matrix: dict[str, str] = {}
        bad = False
        for cell in cells:
            given = _text(survey.get(cell.ref))
            code = codes.get(" ".join(given.split()).casefold())
            if given and code is None:
                bad = True
                yield Problem(_not_an_option(question, given), SURVEY, cell.ref)
            matrix[cell.slot] = code or ""
        if not bad:
            yield matrix
    elif facts(kind).multiple:
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
    elif kind in NUMBER_KINDS:
        yield from _number_value(question, cells, survey)
    else:
        yield _text(survey.get(cells[0].ref))


def _number_value(
    question: Question, cells: Sequence[AnswerCell], survey: _Grid
) -> Iterator[Any]:
    number_cell = cells[0]
    raw = survey.get(number_cell.ref)
    escaped = False
    if len(cells) > 1:
        given = _text(survey.get(cells[1].ref))
        if given and given.casefold() != YES.casefold():
            yield Problem(
                f"«{_short(given)}» går inte att tolka; välj «{YES}» eller lämna "
                "cellen tom.",
                SURVEY,
                cells[1].ref,
            )
            return
        escaped = bool(given)
    number: Decimal | None = None
    if isinstance(raw, bool | datetime | date):
        yield Problem(f"«{_text(raw)}» är inte ett tal.", SURVEY, number_cell.ref)
        return
    if isinstance(raw, int | float | Decimal):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    elif raw is not None and _text(raw):
        number = parse_swedish_number(_text(raw))
        if number is None:
            yield Problem(
                f"«{_short(_text(raw))}» är inte ett tal.", SURVEY, number_cell.ref
            )
            return
    if escaped and number is not None:
        yield Problem(
            f"Ange antingen ett värde eller «{question.escape_label}», inte båda.",
            SURVEY,
            number_cell.ref,
        )
        return
    if escaped:
        yield {"escaped": True}
    elif number is None:
        yield ""
    else:
        yield f"{number:f}"
