"""What a tabulation needs of a questionnaire's structure, built once per structure.

Everything here depends only on the questionnaire's loaded content (its questions,
options, rows and display conditions), yet building it on every tabulation was
most of a small tabulation's fixed cost: three queries for the questions, the
`QuestionRef`s, the conditions translated to SQL filters, and the kind of every
question looked up again for every group (issue #20 point 4). So it is built
from `intake.selectors.structure` and kept per process under the same key
(`structure_key`: id, content hash, `loaded_at`), which the loader changes
whenever it writes the questionnaire: a reloaded questionnaire is never
tabulated from a stale plan. Like the shared questions, a plan is read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Q

from intake.condition_sql import ByQuestionId, CellTest, cell_test, holds_q
from intake.selectors import StructureKey, structure, structure_key
from reports.tabulation.groups import _ref
from reports.tabulation.results import Choice, QuestionRef
from surveys.kinds import facts
from surveys.models import Question, Questionnaire


@dataclass(frozen=True)
class PlannedItem:
    """One item (a question, or one row of a matrix) as the counting loop needs it."""

    row: Choice | None
    row_code: str | None
    row_id: int | None = None


@dataclass(frozen=True)
class PlannedQuestion:
    question_id: int
    variable: str
    ref: QuestionRef
    has_condition: bool
    is_kommun_count: bool
    is_number: bool
    items: tuple[PlannedItem, ...]


@dataclass(frozen=True)
class Plan:
    questions: tuple[PlannedQuestion, ...]
    option_code: Mapping[int, str]
    row_code: Mapping[int, str]
    # A display condition that tests one answer cell is counted from the cells
    # tabulated anyway; the others (any row, all, any) need an EXISTS per
    # response, whose filter on responses is `exists_q`.
    cell_tests: Mapping[int, CellTest]
    exists_q: Mapping[int, Q]
    # Multiple choice: several cells per respondent, so its respondents who
    # answered are counted in SQL, not summed from its cells.
    multiple: frozenset[int]
    # The tabulations' compiled queries, by their arguments
    # (reports.tabulation.queries): kept with the plan so that they are dropped
    # with it when the structure changes.
    compiled: dict[Any, Any] = field(default_factory=dict, compare=False)


def plan_of(questionnaire: Questionnaire) -> Plan:
    """The questionnaire's plan; no query once its structure is built."""
    return _plan(structure_key(questionnaire))


def forget_plans() -> None:
    """Drop every built plan (tests start each case cold, like a new process)."""
    _plan.cache_clear()


@lru_cache(maxsize=64)
def _plan(key: StructureKey) -> Plan:
    questions: tuple[Question, ...] = structure(key)
    by_variable = {q.variable: q for q in questions}
    planned = []
    for question in questions:
        ref = _ref(question)
        planned.append(
            PlannedQuestion(
                question_id=question.pk,
                variable=question.variable,
                ref=ref,
                has_condition=bool(question.condition),
                is_kommun_count=ref.is_kommun_count,
                is_number=ref.is_number,
                items=tuple(
                    PlannedItem(choice, choice.code, row.pk)
                    for choice, row in zip(ref.rows, question.rows.all(), strict=True)
                )
                or (PlannedItem(None, None),),
            )
        )
    conditional = [q for q in questions if q.condition]
    cell_tests = {
        q.pk: test
        for q in conditional
        if (test := cell_test(q.display_condition, by_variable)) is not None
    }
    reach = ByQuestionId(by_variable)
    return Plan(
        questions=tuple(planned),
        option_code={o.pk: o.code for q in questions for o in q.options.all()},
        row_code={r.pk: r.code for q in questions for r in q.rows.all()},
        cell_tests=cell_tests,
        exists_q={
            q.pk: holds_q(q.display_condition, reach)
            for q in conditional
            if q.pk not in cell_tests
        },
        multiple=frozenset(q.pk for q in questions if facts(q.kind).multiple),
    )
