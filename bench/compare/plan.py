"""The answers the benchmark sends, the same for both applications.

A `QuestionSpec` is what the generic survey is built from and what both clients
plan their saves with: plain data, no Django. Every planned set of answers shows
every question (a question another one's display condition reads gets the
answer that shows it), so a save sends all of the questionnaire's questions and
our service keeps them all (it clears the answers of hidden follow-ups).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

TEXT = "text"
ONE_OF = ("yes_no", "single_choice")
MULTIPLE = "multiple_choice"
MATRIX = "matrix"
PERCENTAGE = "percentage"
INTEGER = "integer"
KINDS = (TEXT, *ONE_OF, MULTIPLE, MATRIX, PERCENTAGE, INTEGER)


@dataclass(frozen=True)
class QuestionSpec:
    variable: str
    kind: str
    options: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    # Another question's display condition reads this one.
    parent: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "kind": self.kind,
            "options": list(self.options),
            "rows": list(self.rows),
            "parent": self.parent,
        }


def planned_value(question: QuestionSpec, rng: random.Random, tag: str) -> Any:
    """One answer in our service's raw form (`save_answers`' values)."""
    kind, options = question.kind, question.options
    if kind == TEXT:
        return f"Svar {tag} på {question.variable}: mobila team i samverkan."
    if kind in ONE_OF:
        return options[0] if question.parent else rng.choice(options)
    if kind == MULTIPLE:
        if question.parent:
            return list(options)
        return [o for o in options if rng.random() < 0.5] or [options[0]]
    if kind == MATRIX:
        return {
            row: options[0] if question.parent else rng.choice(options)
            for row in question.rows
        }
    if kind == PERCENTAGE:
        return {"escaped": True} if question.parent else Decimal(rng.randint(1, 99))
    if kind == INTEGER:
        return (
            {"escaped": True} if question.parent else Decimal(rng.randint(1, 400_000))
        )
    raise ValueError(f"kind {kind} is not in the benchmark's questionnaire")


def plan(spec: list[QuestionSpec], rng: random.Random, tag: str) -> dict[str, Any]:
    """A whole form's answers; `tag` makes every text unique to this save."""
    return {q.variable: planned_value(q, rng, tag) for q in spec}


def retyped(
    spec: list[QuestionSpec], rng: random.Random, tag: str, n: int = 3
) -> dict[str, Any]:
    """What a user types between two autosaves: `n` texts changed."""
    texts = [q for q in spec if q.kind == TEXT]
    return {q.variable: planned_value(q, rng, tag) for q in rng.sample(texts, n)}


# --- the generic app's form: one question per question, its answer as a body --


def generic_kind(question: QuestionSpec) -> str:
    """django-survey-and-report's question type for ours. It has no matrix: a
    matrix is one select-multiple of "row-option" pairs (one ticked per row), so
    both questionnaires have the same number of questions and store the same
    facts."""
    return {
        TEXT: "text",
        "yes_no": "radio",
        "single_choice": "radio",
        MULTIPLE: "select-multiple",
        MATRIX: "select-multiple",
        PERCENTAGE: "float",
        INTEGER: "integer",
    }[question.kind]


def generic_choices(question: QuestionSpec) -> list[str]:
    if question.kind == MATRIX:
        return [f"{row}-{o}" for row in question.rows for o in question.options]
    return list(question.options)


def generic_post_values(question: QuestionSpec, value: Any) -> list[str]:
    """The field's posted values (several for a select-multiple)."""
    if question.kind == MATRIX:
        return [f"{row}-{o}" for row, o in value.items()]
    if question.kind == MULTIPLE:
        return list(value)
    if isinstance(value, dict):  # escaped: the generic app has no such box
        return [""]
    return [str(value)]


def generic_body(question: QuestionSpec, value: Any) -> Any:
    """What the generic app stores in Answer.body for a posted value: the
    cleaned value's str(), None for an empty number."""
    posted = generic_post_values(question, value)
    if question.kind in (MATRIX, MULTIPLE):
        return sorted(posted)
    if question.kind == PERCENTAGE:
        return str(float(posted[0])) if posted[0] else None
    if question.kind == INTEGER:
        return str(int(posted[0])) if posted[0] else None
    return posted[0]
