"""Reads for exports and the staff pages (docs/conventions.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from intake.condition_sql import ByQuestionId, holds_q
from intake.models import Answer, Response, ResponseStatus
from intake.selectors import questions_of, shown_questions
from reports.models import ExportJob
from reports.tabulation.kinds import tabulation
from surveys.models import Question, Questionnaire
from surveys.selectors import expected_respondents


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
    # For the status board (reports/status_board.py): whose row, and when its
    # response last changed (None before it is started).
    organisation_id: int = 0
    updated_at: datetime | None = None

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


def _answered_expression(question: Question) -> Any:
    """Whether a response has answered the question (`intake.cells.is_answered`),
    as an annotation: the number of rows answered for a matrix, else EXISTS."""
    answers = Answer.objects.filter(response=OuterRef("pk"), question_id=question.pk)
    if tabulation(question.kind).always_answered:
        return Value(True, output_field=BooleanField())
    if tabulation(question.kind).per_row:
        rows = (
            answers.order_by()
            .values("response_id")
            .annotate(n=Count("row_id", distinct=True))
            .values("n")
        )
        return Coalesce(Subquery(rows), Value(0))
    return Exists(answers)


def _is_answered(question: Question, value: Any) -> bool:
    if tabulation(question.kind).per_row:
        return int(value) >= len(question.rows.all())
    return bool(value)


def response_status_rows(questionnaire: Questionnaire) -> list[StatusRow]:
    """Every organisation expected to answer, in published order, with its status
    and progress (answered of the required questions that are shown, the same rule
    as `intake.selectors.progress`, the respondent's list): at most six queries,
    whatever the number of organisations, questions or answers.

    Required questions without a display condition are always shown: how many of
    them a response has answered is counted in SQL, on the responses query (a
    matrix counts when every row is answered; a kommun count always). For the
    required questions with a display condition a second query says, per
    response, whether each is shown (`intake.condition_sql.holds_q`, which
    agrees with `surveys.conditions.holds` on stored answers) and answered.
    """
    frame = list(expected_respondents(questionnaire).values_list("pk", "code", "name"))
    questions = questions_of(questionnaire)
    always = [q for q in questions if q.required and not q.condition]
    computed = sum(1 for q in always if tabulation(q.kind).always_answered)
    plain = [
        q.pk
        for q in always
        if not (tabulation(q.kind).always_answered or tabulation(q.kind).per_row)
    ]
    matrices = {q.pk: len(q.rows.all()) for q in always if tabulation(q.kind).per_row}
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
        .only("pk", "organisation_id", "status", "submitted_at", "updated_at")
        .annotate(**counts)
    }
    counted = {
        r.pk: {name: getattr(r, name) for name in counts} for r in responses.values()
    }

    # Questions with a display condition: whether each is shown and answered, per
    # response, in SQL (the condition as the tabulation translates it), so no
    # answer is read into Python, whatever the number of respondents.
    conditional = [q for q in questions if q.condition and q.required]
    by_variable = {q.variable: q for q in questions}
    reach = ByQuestionId(by_variable)
    flags: dict[str, Any] = {}
    for q in conditional:
        flags[f"shown_{q.pk}"] = ExpressionWrapper(
            holds_q(q.display_condition, reach), output_field=BooleanField()
        )
        flags[f"answered_{q.pk}"] = _answered_expression(q)
    conditional_figures: dict[int, tuple[int, int]] = {}
    if conditional:
        for row in (
            Response.objects.filter(questionnaire=questionnaire)
            .annotate(**flags)
            .values("pk", *flags)
        ):
            shown = [q for q in conditional if row[f"shown_{q.pk}"]]
            answered = sum(1 for q in shown if _is_answered(q, row[f"answered_{q.pk}"]))
            conditional_figures[row["pk"]] = (answered, len(shown))

    # Without answers nothing counts as answered, not even a kommun count.
    shown_without_answers = shown_questions(questions, {})
    unanswered = (
        0,
        len(always) + sum(1 for q in conditional if q.pk in shown_without_answers),
    )

    def answered_required(response: Response | None) -> tuple[int, int]:
        if response is None or not counted[response.pk]["n_answers"]:
            return unanswered
        figures = counted[response.pk]
        answered = computed + figures.get("plain_answered", 0)
        answered += sum(
            1 for pk, rows in matrices.items() if figures[f"matrix_{pk}_rows"] >= rows
        )
        shown_answered, shown = conditional_figures.get(response.pk, (0, 0))
        return answered + shown_answered, len(always) + shown

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
                organisation_id=organisation_id,
                updated_at=response.updated_at if response else None,
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
