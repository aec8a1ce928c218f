"""Display conditions in SQL: the one translation of `surveys.conditions` into
Q/Exists expressions on responses (the outer query's rows are Response).

`holds_q` is true for a response where `surveys.conditions.holds` is true for
its stored answers; `excluded_q` is true where its answers already decide the
condition against it (consolidation's "ej aktuell" for a draft). How a
response's answers to the named question are reached is the caller's `Reach`:

- `ByQuestionId`: the questionnaire's questions by variable, with options and
  rows prefetched, so codes become ids and a test of one cell looks the answer
  up by the unique (response, question, slot) index: joining options and rows
  by code cost PostgreSQL a scan of them per response, and SQLite chose the
  (question, option) index (issue #5 point 9). Tabulation and status lists.
- `ByVariable`: the questionnaire id and the variable, codes joined in SQL, for
  conditions whose questions are not loaded (consolidation).

Each leaf operator is translated here once (`answer_cell`, `excluded_q`);
a reach only says how to find answer cells.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, assert_never

from django.db.models import Exists, OuterRef, Q, QuerySet

from intake.models import Answer
from surveys.conditions import (
    All,
    Answered,
    AnyOf,
    AnyRow,
    Condition,
    Equals,
    Escaped,
    In,
    Includes,
    Leaf,
    RowEquals,
)
from surveys.kinds import facts
from surveys.models import MatrixRow, Question


@dataclass(frozen=True)
class AnswerCell:
    """What a leaf condition tests, in codes: an answer cell of its question."""

    question: str
    row: str | None = None  # a matrix row; None: an answer outside any row
    any_row: bool = False  # some row of the matrix
    codes: frozenset[str] | None = None  # one of these options; None: any option
    escaped: bool = False  # the escape answer


def answer_cell(leaf: Leaf) -> AnswerCell | None:
    """The cell a leaf tests; None for `answered` (any answer at all)."""
    match leaf:
        case Equals(question, code) | Includes(question, code):
            return AnswerCell(question, codes=frozenset({code}))
        case In(question, codes):
            return AnswerCell(question, codes=frozenset(codes))
        case RowEquals(question, row, code):
            return AnswerCell(question, row=row, codes=frozenset({code}))
        case AnyRow(question, code):
            return AnswerCell(question, any_row=True, codes=frozenset({code}))
        case Escaped(question):
            return AnswerCell(question, escaped=True)
        case Answered():
            return None
        case _:
            assert_never(leaf)


class Reach(abc.ABC):
    """How the answers of the response `OuterRef("pk")` to a question are found."""

    @abc.abstractmethod
    def answers(self, variable: str) -> QuerySet[Answer]:
        """The response's answers to the question."""

    @abc.abstractmethod
    def exists(self, cell: AnswerCell) -> Q:
        """The response has an answer in the cell."""

    @abc.abstractmethod
    def every_row_answered(self, variable: str) -> Q:
        """The response has answered every row of the matrix."""


def holds_q(condition: Condition | None, reach: Reach) -> Q:
    """True for the responses whose stored answers satisfy the condition."""
    match condition:
        case None:
            return Q()
        case All(parts):
            result = Q()
            for part in parts:
                result &= holds_q(part, reach)
            return result
        case AnyOf(parts):
            translated = [holds_q(part, reach) for part in parts]
            result = translated[0]
            for part_q in translated[1:]:
                result |= part_q
            return result
    cell = answer_cell(condition)
    if cell is None:
        return Q(Exists(reach.answers(condition.question)))
    return reach.exists(cell)


def excluded_q(
    condition: Condition, reach: Reach, hidden: Callable[[str], Q | None]
) -> tuple[Q, Q]:
    """(holds, decided against): decided against = the answers it depends on
    already rule it out, so no later answer can make it hold. `hidden(variable)`
    is where the named question is itself not shown (None: always shown), which
    rules out its follow-ups too."""
    match condition:
        case All(parts) | AnyOf(parts):
            translated = [excluded_q(part, reach, hidden) for part in parts]
            holds, excluded = translated[0]
            for part_holds, part_excluded in translated[1:]:
                if isinstance(condition, All):
                    holds, excluded = holds & part_holds, excluded | part_excluded
                else:
                    holds, excluded = holds | part_holds, excluded & part_excluded
            return holds, excluded
    holds = holds_q(condition, reach)
    match condition:
        case RowEquals(question, row, _):
            decided = reach.exists(AnswerCell(question, row=row))
        case AnyRow(question, _):
            # Decided against only once every row is answered without it.
            decided = holds | reach.every_row_answered(question)
        case Answered():
            decided = holds  # an unanswered question may still be answered
        case Equals() | In() | Includes() | Escaped():
            decided = Q(Exists(reach.answers(condition.question)))
        case _:
            assert_never(condition)
    excluded = decided & ~holds
    parent_hidden = hidden(condition.question)
    if parent_hidden is not None:
        excluded = excluded | parent_hidden
    return holds, excluded


# --- by question id ------------------------------------------------------------------


@dataclass(frozen=True)
class CellTest:
    """A display condition that tests one answer cell of its parent question:
    a row's option, a single value, a ticked option, the escape answer.

    `slots` are the cells it may be in (`slot`, see intake.models: "" for a
    single value, the option for a ticked option, the row for a matrix row);
    a response has at most one answer per cell, so the number of responses for
    which the condition holds is the number of answers that pass the test."""

    question_id: int
    slots: frozenset[str]
    row_id: int | None
    option_ids: frozenset[int] | None  # empty: the escape answer; None: any
    escaped: bool = False

    def holds(self, cell: Mapping[str, Any]) -> bool:
        """For a row of answers grouped by question, slot, row, option, escaped."""
        return (
            cell["question_id"] == self.question_id
            and cell["slot"] in self.slots
            and cell["row_id"] == self.row_id
            and self.passes(cell["option_id"], cell["escaped"])
        )

    def cells(self) -> tuple[tuple[int, str, int | None], ...]:
        """The (question, slot, row) of the cells it may be in, for looking a
        cell's test up instead of trying every test on every cell."""
        return tuple((self.question_id, slot, self.row_id) for slot in self.slots)

    def passes(self, option_id: int | None, escaped: bool) -> bool:
        """For an answer in one of its `cells`."""
        if self.escaped:
            return escaped
        return self.option_ids is None or option_id in self.option_ids

    def as_q(self) -> Q:
        """The test as a filter on answers."""
        slots = sorted(self.slots)
        result = Q(question_id=self.question_id)
        result &= Q(slot=slots[0]) if len(slots) == 1 else Q(slot__in=slots)
        result &= Q(row__isnull=True) if self.row_id is None else Q(row_id=self.row_id)
        if self.escaped:
            return result & Q(escaped=True)
        if self.option_ids is None:
            return result
        return result & Q(option_id__in=sorted(self.option_ids))


class ByQuestionId(Reach):
    """`questions`: the questionnaire's questions by variable, with options and
    rows prefetched. No id is 0: a code the question lacks matches nothing, as
    a comparison of codes would."""

    def __init__(self, questions: Mapping[str, Question]) -> None:
        self.questions = questions

    def answers(self, variable: str) -> QuerySet[Answer]:
        return Answer.objects.filter(
            response=OuterRef("pk"), question_id=self.questions[variable].pk
        )

    def cell_test(self, cell: AnswerCell) -> CellTest:
        """The test of one cell (not `any_row`, which is one test per row)."""
        question = self.questions[cell.question]
        if cell.escaped:
            return CellTest(question.pk, frozenset({""}), None, frozenset(), True)
        options = {o.code: o.pk for o in question.options.all()}
        option_ids = (
            None
            if cell.codes is None
            else frozenset(options.get(code, 0) for code in cell.codes)
        )
        if cell.row is not None:
            rows = {r.code: r.pk for r in question.rows.all()}
            return CellTest(
                question.pk, frozenset({cell.row}), rows.get(cell.row, 0), option_ids
            )
        # A ticked option is a cell of its own; a single value is the cell "".
        ticked = facts(question.kind).multiple
        slots = frozenset(code if ticked else "" for code in sorted(cell.codes or {""}))
        return CellTest(question.pk, slots, None, option_ids)

    def exists(self, cell: AnswerCell) -> Q:
        if cell.any_row:
            # Some row has the option: the test of each row's own cell, any of
            # them (a matrix without rows: of a row that no answer has). As
            # one uncorrelated IN over the answers that pass a row's test, not
            # an EXISTS per row: PostgreSQL reads those answers once (index on
            # question and option) instead of planning and probing one
            # subquery per row for each response (bench/RESULTS.md).
            rows = [r.code for r in self.questions[cell.question].rows.all()] or [""]
            passing = Q()
            for row in rows:
                passing |= self.cell_test(replace(cell, row=row, any_row=False)).as_q()
            return Q(pk__in=Answer.objects.filter(passing).values("response_id"))
        test = self.cell_test(cell)
        return Q(Exists(self.answers(cell.question).filter(test.as_q())))

    def every_row_answered(self, variable: str) -> Q:
        question = self.questions[variable]
        unanswered_rows = MatrixRow.objects.filter(question_id=question.pk).exclude(
            Exists(
                Answer.objects.filter(
                    response=OuterRef(OuterRef("pk")), row=OuterRef("pk")
                )
            )
        )
        return ~Q(Exists(unanswered_rows))


def cell_test(
    condition: Condition | None, questions: Mapping[str, Question]
) -> CellTest | None:
    """The condition as a `CellTest`, or None when it is not one test of one
    cell (any row, all, any, answered at all): tabulation counts these from the
    answer cells it reads anyway."""
    match condition:
        case None | All() | AnyOf():
            return None
    cell = answer_cell(condition)
    if cell is None or cell.any_row:
        return None
    return ByQuestionId(questions).cell_test(cell)


# --- by variable -------------------------------------------------------------------------


class ByVariable(Reach):
    """The questions of one questionnaire by variable, codes joined in SQL."""

    def __init__(self, questionnaire_id: int) -> None:
        self.questionnaire_id = questionnaire_id

    def answers(self, variable: str) -> QuerySet[Answer]:
        return Answer.objects.filter(
            response=OuterRef("pk"),
            question__questionnaire_id=self.questionnaire_id,
            question__variable=variable,
        )

    def exists(self, cell: AnswerCell) -> Q:
        filters: dict[str, Any] = {}
        if cell.any_row:
            filters["row__isnull"] = False
        elif cell.row is not None:
            filters["row__code"] = cell.row
        else:
            filters["row__isnull"] = True
        if cell.escaped:
            filters["escaped"] = True
        elif cell.codes is not None and len(cell.codes) == 1:
            (filters["option__code"],) = cell.codes
        elif cell.codes is not None:
            filters["option__code__in"] = sorted(cell.codes)
        return Q(Exists(self.answers(cell.question).filter(**filters)))

    def every_row_answered(self, variable: str) -> Q:
        unanswered_rows = MatrixRow.objects.filter(
            question__questionnaire_id=self.questionnaire_id,
            question__variable=variable,
        ).exclude(
            Exists(
                Answer.objects.filter(
                    response=OuterRef(OuterRef("pk")), row=OuterRef("pk")
                )
            )
        )
        return ~Q(Exists(unanswered_rows))
