"""Reads for exports and the staff pages (STYLE.md §3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from intake.cells import Cell, Cells, is_answered
from intake.models import Answer, Response, ResponseStatus
from intake.selectors import questions_of, shown_questions
from reports.models import ExportJob
from surveys.models import Question, QuestionKind, Questionnaire
from surveys.selectors import expected_respondents

# Answers are streamed from the database in chunks of this many rows.
ANSWER_CHUNK = 5000


@dataclass(frozen=True)
class StatusRow:
    """One organisation of a questionnaire's frame and where its response stands."""

    code: str
    name: str
    status: str
    status_label: str
    submitted_at: datetime | None
    answered: int
    required: int

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


def _referenced_variables(condition: Mapping[str, Any] | None) -> set[str]:
    """The questions a display condition reads (docs/questionnaire-format.md)."""
    if not condition:
        return set()
    parts = condition.get("all") or condition.get("any")
    if parts is not None:
        return set().union(*(_referenced_variables(part) for part in parts))
    return {condition["question"]}


def _conditional_closure(questions: Sequence[Question]) -> list[Question]:
    """The questions with a display condition and every question such a condition
    reads, directly or through another conditional question, in order: all that
    deciding which conditional questions are shown needs."""
    by_variable = {q.variable: q for q in questions}
    needed: set[str] = set()
    pending = [q.variable for q in questions if q.condition]
    while pending:
        variable = pending.pop()
        if variable in needed or variable not in by_variable:
            continue
        needed.add(variable)
        pending += _referenced_variables(by_variable[variable].condition)
    return [q for q in questions if q.variable in needed]


def response_status_rows(questionnaire: Questionnaire) -> list[StatusRow]:
    """Every organisation expected to answer, in published order, with its status
    and progress (answered of the required questions that are shown, the same rule
    as `intake.selectors.progress`, the respondent's list): at most six queries,
    whatever the number of organisations, questions or answers.

    Required questions without a display condition are always shown: how many of
    them a response has answered is counted in SQL, on the responses query (a
    matrix counts when every row is answered; a kommun count always). Only the
    questions with a display condition, and those their conditions read, are
    evaluated in Python, from their answers streamed as plain tuples.
    """
    frame = list(expected_respondents(questionnaire).values_list("pk", "code", "name"))
    questions = questions_of(questionnaire.pk)
    always = [q for q in questions if q.required and not q.condition]
    computed = sum(1 for q in always if q.kind == QuestionKind.KOMMUN_COUNT)
    plain = [
        q.pk
        for q in always
        if q.kind not in (QuestionKind.KOMMUN_COUNT, QuestionKind.MATRIX)
    ]
    matrices = {
        q.pk: len(q.rows.all()) for q in always if q.kind == QuestionKind.MATRIX
    }
    counts: dict[str, Count] = {"n_answers": Count("answers")}
    if plain:
        counts["plain_answered"] = Count(
            "answers__question_id",
            distinct=True,
            filter=Q(answers__question_id__in=plain),
        )
    for pk in matrices:
        counts[f"matrix_{pk}_rows"] = Count(
            "answers__row_id", distinct=True, filter=Q(answers__question_id=pk)
        )
    responses = {
        r.organisation_id: r
        for r in Response.objects.filter(questionnaire=questionnaire)
        .only("pk", "organisation_id", "status", "submitted_at")
        .annotate(**counts)
    }
    counted = {
        r.pk: {name: getattr(r, name) for name in counts} for r in responses.values()
    }

    closure = _conditional_closure(questions)
    cells_of: dict[int, dict[int, Cells]] = {}
    if closure:
        answers = (
            Answer.objects.filter(
                response__questionnaire=questionnaire,
                question_id__in=[q.pk for q in closure],
            )
            .order_by("response_id")
            .values_list(
                "response_id",
                "question_id",
                "slot",
                "option__code",
                "row__code",
                "number",
                "text",
                "escaped",
            )
            .iterator(chunk_size=ANSWER_CHUNK)
        )
        for (
            response_id,
            question_id,
            slot,
            option,
            row,
            number,
            text,
            escaped,
        ) in answers:
            cells_of.setdefault(response_id, {}).setdefault(question_id, {})[slot] = (
                Cell(option=option, row=row, number=number, text=text, escaped=escaped)
            )
    conditional = [q for q in closure if q.condition and q.required]

    def shown_required(cells: dict[int, Cells]) -> list[Question]:
        shown = shown_questions(closure, cells)
        return [q for q in conditional if q.pk in shown]

    # Without answers nothing counts as answered, not even a kommun count.
    unanswered = (0, len(always) + len(shown_required({})))

    def answered_required(response: Response | None) -> tuple[int, int]:
        if response is None or not counted[response.pk]["n_answers"]:
            return unanswered
        figures = counted[response.pk]
        answered = computed + figures.get("plain_answered", 0)
        answered += sum(
            1 for pk, rows in matrices.items() if figures[f"matrix_{pk}_rows"] >= rows
        )
        cells = cells_of.get(response.pk, {})
        required = shown_required(cells)
        answered += sum(1 for q in required if is_answered(q, cells.get(q.pk, {})))
        return answered, len(always) + len(required)

    labels = dict(ResponseStatus.choices)
    result = []
    for organisation_id, code, name in frame:
        response = responses.get(organisation_id)
        status = response.status if response else ResponseStatus.NOT_STARTED
        answered, required = answered_required(response)
        result.append(
            StatusRow(
                code=code,
                name=name,
                status=status,
                status_label=labels[status],
                submitted_at=response.submitted_at if response else None,
                answered=answered,
                required=required,
            )
        )
    return result


# How many jobs the staff page lists (newest first): the page stays bounded.
EXPORT_LIST_LIMIT = 50


def export_jobs_for_list(limit: int = EXPORT_LIST_LIMIT) -> QuerySet[ExportJob]:
    """The newest jobs with what the list shows: one query."""
    return ExportJob.objects.select_related(
        "requested_by", "cycle", "questionnaire"
    ).order_by("-created_at", "-pk")[:limit]
