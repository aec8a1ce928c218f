"""Plausible demo answers, generated deterministically from the definitions.

Used by `seed_demo` so a new user sees responses in every state. The values are
invented: they are not the published figures.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from surveys.conditions import GivenAnswer, holds
from surveys.kinds import NUMBER_KINDS, SINGLE_VALUE_KINDS, TYPED_TEXT_KINDS, facts
from surveys.models import Question

DEMO_TEXT = (
    "Exempelsvar: vi har infört mobila team i samverkan med kommunerna och "
    "följer upp effekterna på inskrivningar i slutenvården."
)


def demo_values(questions: list[Question], rng: random.Random) -> dict[str, Any]:
    """One complete set of answers that respects the display conditions."""
    values: dict[str, Any] = {}
    given: dict[str, GivenAnswer] = {}
    for question in questions:
        if not holds(question.display_condition, given):
            continue
        value = _value_for(question, rng)
        if value is None:
            continue
        values[question.variable] = value
        given[question.variable] = _given(question, value)
    return values


def _value_for(question: Question, rng: random.Random) -> Any:
    codes = [o.code for o in question.options.all()]
    kind = question.kind
    if kind in SINGLE_VALUE_KINDS:
        # Lean towards the first alternative ("Ja"), as the real answers do.
        return codes[0] if rng.random() < 0.7 else rng.choice(codes)
    if facts(kind).multiple:
        return [c for c in codes if rng.random() < 0.5] or [codes[0]]
    if facts(kind).matrix:
        return {
            row.code: codes[0] if rng.random() < 0.6 else rng.choice(codes)
            for row in question.rows.all()
        }
    if kind in NUMBER_KINDS:
        if question.escape_label and rng.random() < 0.2:
            return {"escaped": True}
        if facts(kind).percentage:
            return Decimal(rng.randint(20, 98))
        return Decimal(rng.randint(1_000, 400_000))
    if kind in TYPED_TEXT_KINDS:
        return DEMO_TEXT if question.required or rng.random() < 0.5 else None
    # RSS kommun counts are computed from the kommuner's answers (issue #4).
    return None


def _given(question: Question, value: Any) -> GivenAnswer:
    if facts(question.kind).matrix:
        return GivenAnswer(rows=value)
    if facts(question.kind).multiple:
        return GivenAnswer(options=frozenset(value))
    if isinstance(value, dict):
        return GivenAnswer(escaped=True)
    if isinstance(value, str) and question.options.all():
        return GivenAnswer(options=frozenset({value}))
    return GivenAnswer(has_value=True)
