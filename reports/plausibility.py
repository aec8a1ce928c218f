"""The staff review of a questionnaire's number answers (granskning): which answers
look implausible, and which Socialstyrelsen has corrected.

The rules are in `surveys.plausibility` (shared with the respondent form); this
module reads what they need for every respondent at once, in three queries
whatever the number of respondents: the number answers joined in the database to
the same organisation's answer to the linked percentage question and to its
population figure, and the corrections from the answer history.

Every response with answers is reviewed, drafts included, so that staff can ask
about a figure before it is submitted; the status is shown beside it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, Subquery

from intake.models import Answer, AnswerChange, Channel, ResponseStatus
from surveys.formatting import swedish_number
from surveys.kinds import NUMBER_KINDS
from surveys.models import Organisation, Population, Question, Questionnaire, User
from surveys.plausibility import (
    Finding,
    PopulationFigure,
    check_number,
    population_reference_date,
)


@dataclass(frozen=True)
class Correction:
    """One correction in the answer history: the value before and after it."""

    response_id: int
    organisation: Organisation
    question: Question
    old_value: str
    new_value: str
    reason: str
    changed_by: User
    changed_at: datetime.datetime
    # The history's snapshots (`intake.cells.Cell.as_json`), for data files.
    old_snapshot: dict[str, Any] | None = None
    new_snapshot: dict[str, Any] | None = None


@dataclass(frozen=True)
class FlaggedAnswer:
    response_id: int
    response_version: int
    status_label: str
    organisation: Organisation
    question: Question
    value: str  # the current value, as stored (the respondent's, or corrected)
    findings: list[Finding]
    # The corrections behind the current value, oldest first (empty when it is
    # the respondent's own).
    corrections: list[Correction] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.response_id}-{self.question.variable}"

    @property
    def population(self) -> PopulationFigure | None:
        """The population figure the findings compared with, if any did."""
        return next((f.population for f in self.findings if f.population), None)


@dataclass(frozen=True)
class PlausibilityReview:
    flagged: list[FlaggedAnswer]
    corrections: list[Correction]
    # Number answers looked at, and the questions with declared checks.
    n_checked: int
    declared: list[Question]


def plausibility_review(questionnaire: Questionnaire) -> PlausibilityReview:
    """Every number answer of the questionnaire that a check flags, every
    correction made, and the questions with declared checks: three queries."""
    cutoff = population_reference_date(questionnaire.cycle.year)
    linked = Answer.objects.filter(
        response_id=OuterRef("response_id"),
        question_id=OuterRef("question__percentage_question_id"),
        slot="",
        escaped=False,
    ).values("number")[:1]
    population = Population.objects.filter(
        organisation_id=OuterRef("response__organisation_id"),
        reference_date__lte=cutoff,
    ).order_by("-reference_date")
    answers = (
        Answer.objects.filter(
            response__questionnaire=questionnaire,
            question__kind__in=NUMBER_KINDS,
            slot="",
            escaped=False,
            number__isnull=False,
        )
        .annotate(
            linked_percentage=Subquery(linked),
            population=Subquery(population.values("population")[:1]),
            population_date=Subquery(population.values("reference_date")[:1]),
            population_source=Subquery(population.values("source")[:1]),
        )
        .select_related("response__organisation", "question__percentage_question")
        .order_by(
            "response__organisation__kind",
            "response__organisation__sort_order",
            "response__organisation__code",
            "question__position",
        )
    )
    corrections = corrections_of(questionnaire)
    behind: dict[tuple[int, int], list[Correction]] = {}
    for correction in corrections:
        behind.setdefault((correction.response_id, correction.question.pk), []).append(
            correction
        )

    flagged: list[FlaggedAnswer] = []
    n_checked = 0
    for answer in answers:
        n_checked += 1
        question = answer.question
        findings = _findings(answer)
        if not findings or answer.number is None:
            continue
        response = answer.response
        flagged.append(
            FlaggedAnswer(
                response_id=response.pk,
                response_version=response.version,
                status_label=ResponseStatus(response.status).label,
                organisation=response.organisation,
                question=question,
                value=swedish_number(answer.number),
                findings=findings,
                corrections=behind.get((response.pk, question.pk), [])
                if answer.channel == Channel.CORRECTION
                else [],
            )
        )
    return PlausibilityReview(
        flagged=flagged,
        corrections=corrections,
        n_checked=n_checked,
        declared=list(
            questionnaire.questions.filter(
                Q(counts_population=True) | Q(percentage_question__isnull=False)
            )
            .select_related("percentage_question")
            .order_by("position")
        ),
    )


def _findings(answer: Any) -> list[Finding]:
    """`answer` carries the annotations of `plausibility_review`'s query."""
    question: Question = answer.question
    population = None
    if answer.population is not None:
        population = PopulationFigure(
            answer.population, answer.population_date, answer.population_source
        )
    linked = question.percentage_question
    percentage: Decimal | None = answer.linked_percentage
    if answer.number is None:  # filtered out by the query
        return []
    return check_number(
        answer.number,
        counts_population=question.counts_population,
        population=population,
        percentage=percentage,
        percentage_number=linked.number if linked else "",
    )


def corrections_of(questionnaire: Questionnaire) -> list[Correction]:
    """Every correction of the questionnaire's answers by Socialstyrelsen, in the
    register's order of organisations and the questionnaire's order: one query."""
    changes = (
        AnswerChange.objects.filter(
            response__questionnaire=questionnaire, channel=Channel.CORRECTION
        )
        .select_related("response__organisation", "question", "changed_by")
        .order_by(
            "response__organisation__kind",
            "response__organisation__sort_order",
            "response__organisation__code",
            "question__position",
            "changed_at",
            "pk",
        )
    )
    return [
        Correction(
            response_id=change.response_id,
            organisation=change.response.organisation,
            question=change.question,
            old_value=shown_value(change.question, change.old_value),
            new_value=shown_value(change.question, change.new_value),
            reason=change.reason,
            changed_by=change.changed_by,
            changed_at=change.changed_at,
            old_snapshot=change.old_value,
            new_snapshot=change.new_value,
        )
        for change in changes
    ]


def shown_value(question: Question, value: dict[str, Any] | None) -> str:
    """A number answer's history snapshot (`intake.cells.Cell.as_json`) as text."""
    if not value:
        return "–"
    if value.get("escaped"):
        return question.escape_label or "Undantagssvar"
    if "number" in value:
        return swedish_number(Decimal(value["number"]))
    return "–"
