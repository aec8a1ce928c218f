"""Parsing one question's submitted value into answer cells (`cells_for`).

Separate from the save because the form, the Excel reader and the import check
values with the same rules before anything is written, and need none of the
writing. Each kind's own rules are its family's `cells` in `intake.kinds`.
"""

from __future__ import annotations

from typing import Any

from intake.cells import Cells
from intake.kinds import behaviour
from surveys.models import Question


def cells_for(
    question: Question, raw: Any, *, option_codes: list[str] | None = None
) -> Cells:
    """Turn a submitted value into answer cells, or raise ValidationError (Swedish).
    `option_codes`: the question's option codes in order, when the caller has
    them (a form's save parses every question)."""
    if raw is None or raw == "" or raw == [] or raw == {}:
        return {}
    if option_codes is None:
        option_codes = [o.code for o in question.options.all()]
    return behaviour(question.kind).cells(question, raw, option_codes)
