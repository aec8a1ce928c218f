"""Reads for exports and the staff pages (STYLE.md §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from django.db.models import QuerySet

from intake.cells import Cell, Cells
from intake.models import Answer, Response, ResponseStatus
from intake.selectors import progress, questions_of
from reports.models import ExportJob
from surveys.models import Questionnaire
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


def response_status_rows(questionnaire: Questionnaire) -> list[StatusRow]:
    """Every organisation expected to answer, in published order, with its status
    and progress (answered of the required questions that are shown, the same rule
    as the respondent's list): six queries, whatever the number of organisations,
    questions or answers.

    Answers are streamed as plain tuples, one response at a time, so memory grows
    with the frame, not with the number of answers.
    """
    frame = list(expected_respondents(questionnaire).values_list("pk", "code", "name"))
    responses = {
        r.organisation_id: r
        for r in Response.objects.filter(questionnaire=questionnaire).only(
            "pk", "organisation_id", "status", "submitted_at"
        )
    }
    questions = questions_of(questionnaire.pk)
    required_of: dict[int, tuple[int, int]] = {}
    answers = (
        Answer.objects.filter(response__questionnaire=questionnaire)
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
    for response_id, rows in groupby(answers, key=lambda a: a[0]):
        cells: dict[int, Cells] = {}
        for _, question_id, slot, option, row, number, text, escaped in rows:
            cells.setdefault(question_id, {})[slot] = Cell(
                option=option, row=row, number=number, text=text, escaped=escaped
            )
        done = progress(questions, cells)
        required_of[response_id] = (done.answered, done.required)
    unanswered = progress(questions, {})
    labels = dict(ResponseStatus.choices)
    result = []
    for organisation_id, code, name in frame:
        response = responses.get(organisation_id)
        status = response.status if response else ResponseStatus.NOT_STARTED
        answered, required = (
            required_of.get(response.pk, (0, unanswered.required))
            if response
            else (0, unanswered.required)
        )
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
