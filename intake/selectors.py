"""Reads of responses and answers (docs/conventions.md §3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.db.models import QuerySet

from intake.cells import (
    Cell,
    Cells,
    given_answer,
    is_answered,
)
from intake.kinds import behaviour
from intake.models import Answer, AnswerChange, Response
from surveys.conditions import GivenAnswer, holds, leaves
from surveys.kinds import NUMBER_KINDS
from surveys.models import Question, Questionnaire
from surveys.plausibility import check_number, population_reference_date
from surveys.prepared import Prepared
from surveys.selectors import population_of

# What a questionnaire's structure is built from: its id, content hash and
# `loaded_at`. Everything built once per structure (the questions here, the form's
# fields in intake.forms, the questions' HTML in intake.fragments) is keyed by it.
StructureKey = tuple[int, str, datetime.datetime]


def structure_key(questionnaire: Questionnaire) -> StructureKey:
    return (questionnaire.pk, questionnaire.content_hash, questionnaire.loaded_at)


def structure(key: StructureKey) -> tuple[Question, ...]:
    """The shared questions of a structure (read-only: see `questions_of`)."""
    return _structure(*key)


def questions_of(questionnaire: Questionnaire | int) -> list[Question]:
    """A questionnaire's questions with sections, options and rows, in order.

    The structure depends only on the questionnaire's loaded content, yet building
    it (three queries and some 600 model objects for the region questionnaire) was
    two thirds of a save (issue #20). So it is built once per process and content:
    the key holds the content hash and `loaded_at`, which the loader
    (surveys/services/questionnaires.py) changes whenever it writes the
    questionnaire, so a reloaded questionnaire is never served stale. Questions are
    read-only everywhere else (the admin shows them read-only). Callers get a list
    of their own; the shared question objects must not be changed.
    Given an id, one small query reads the key.
    """
    if isinstance(questionnaire, int):
        content_hash, loaded_at = Questionnaire.objects.values_list(
            "content_hash", "loaded_at"
        ).get(pk=questionnaire)
        return list(_structure(questionnaire, content_hash, loaded_at))
    return list(structure(structure_key(questionnaire)))


def forget_question_structures() -> None:
    """Drop every built structure (tests start each case cold, like a new process)."""
    _structure.cache_clear()


@lru_cache(maxsize=64)
def _structure(
    questionnaire_id: int, content_hash: str, loaded_at: datetime.datetime
) -> tuple[Question, ...]:
    questions = tuple(
        Question.objects.filter(questionnaire_id=questionnaire_id)
        .select_related("section")
        .order_by("position")
        .prefetch_related("options", "rows")
    )
    for question in questions:
        # Parsed once with the structure rather than on first use in a request.
        question.display_condition  # noqa: B018
    return questions


# An answer's value as `cell_of` reads it, without building the Answer, Option
# and Row objects: a save reads every answer of the response twice or more, and
# some 100 of each made the reads a tenth of it (issue #20).
CELL_VALUES = ("slot", "option__code", "row__code", "number", "text", "escaped")


def cell_of_values(
    option: str | None, row: str | None, number: Any, text: str, escaped: bool
) -> Cell:
    """The cell of an answer's values read in `CELL_VALUES` order (the slot aside)."""
    return Cell(option=option, row=row, number=number, text=text, escaped=escaped)


class StoredAnswer(NamedTuple):
    """One stored answer row, as a save compares and replaces it."""

    pk: int
    question_id: int
    slot: str
    channel: str
    cell: Cell


# Both read on every form page or save: compiled once (surveys.prepared, issue #20).
_STORED_ANSWERS = Prepared(
    lambda response_id: Answer.objects.filter(response_id=response_id).values_list(
        "pk", "question_id", "channel", *CELL_VALUES
    )
)
_ANSWER_CELLS = Prepared(
    lambda response_id: Answer.objects.filter(response_id=response_id).values_list(
        "question_id", *CELL_VALUES
    )
)


def stored_answers(response: Response) -> list[StoredAnswer]:
    """The response's answer rows: one query, no model objects."""
    return [
        StoredAnswer(pk, question_id, slot, channel, cell_of_values(*value))
        for pk, question_id, channel, slot, *value in _STORED_ANSWERS.rows(response.pk)
    ]


def stored_answers_of(responses: Sequence[Response]) -> dict[int, list[StoredAnswer]]:
    """`stored_answers` of many responses, by response id: one query."""
    by_response: dict[int, list[StoredAnswer]] = {r.pk: [] for r in responses}
    for response_id, pk, question_id, channel, slot, *value in Answer.objects.filter(
        response__in=[r.pk for r in responses]
    ).values_list("response_id", "pk", "question_id", "channel", *CELL_VALUES):
        by_response[response_id].append(
            StoredAnswer(pk, question_id, slot, channel, cell_of_values(*value))
        )
    return by_response


def cells_of(answers: Iterable[StoredAnswer]) -> dict[int, Cells]:
    """Answer rows as cells by question id and slot."""
    cells: dict[int, Cells] = {}
    for answer in answers:
        cells.setdefault(answer.question_id, {})[answer.slot] = answer.cell
    return cells


def answer_cells(response: Response | None) -> dict[int, Cells]:
    """Stored answers by question id and slot: one query."""
    if response is None or response.pk is None:
        return {}
    cells: dict[int, Cells] = {}
    for question_id, slot, *value in _ANSWER_CELLS.rows(response.pk):
        cells.setdefault(question_id, {})[slot] = cell_of_values(*value)
    return cells


def shown_questions(questions: Sequence[Question], cells: dict[int, Cells]) -> set[int]:
    """Ids of the questions whose display condition holds for these answers."""
    return DisplayConditions(questions).shown(cells)


class DisplayConditions:
    """The questions' display conditions, prepared once to be asked of many
    responses (`shown`): the raw data asks for every respondent."""

    def __init__(self, questions: Sequence[Question]) -> None:
        # Only the answers some condition reads are summarised: most questions
        # are nobody's condition.
        read = {
            leaf.question
            for question in questions
            if question.display_condition is not None
            for leaf in leaves(question.display_condition)
        }
        self._steps = [
            (
                question.pk,
                question.display_condition,
                question.variable if question.variable in read else None,
            )
            for question in questions
        ]

    def shown(self, cells: dict[int, Cells]) -> set[int]:
        """Ids of the questions whose display condition holds for these answers."""
        given: dict[str, GivenAnswer] = {}
        shown: set[int] = set()
        for pk, condition, variable in self._steps:
            visible = condition is None or holds(condition, given)
            if visible:
                shown.add(pk)
            if variable is not None:
                given[variable] = given_answer(cells.get(pk, {}) if visible else {})
        return shown


def plausibility_notices(
    questionnaire: Questionnaire,
    *,
    organisation_id: int,
    questions: Sequence[Question],
    cells: dict[int, Cells],
) -> dict[int, list[str]]:
    """ "Kontrollera: …" notices by question id for the number answers in `cells`
    (surveys/plausibility.py). Advisory only: nothing is refused for them.

    The answers are at hand, so this reads only the organisation's population, and
    only when a question declares that it counts persons of it: no query otherwise.
    """
    by_id = {q.pk: q for q in questions}
    population = None
    if any(q.counts_population for q in questions):
        population = population_of(
            organisation_id,
            on_or_before=population_reference_date(questionnaire.cycle.year),
        )
    notices: dict[int, list[str]] = {}
    for question in questions:
        if question.kind not in NUMBER_KINDS:
            continue
        cell = cells.get(question.pk, {}).get("")
        if cell is None or cell.number is None:
            continue
        linked = by_id.get(question.percentage_question_id or 0)
        linked_cell = cells.get(linked.pk, {}).get("") if linked else None
        findings = check_number(
            cell.number,
            counts_population=question.counts_population,
            population=population,
            percentage=linked_cell.number if linked_cell else None,
            percentage_number=linked.number if linked else "",
        )
        if findings:
            notices[question.pk] = [f.notice for f in findings]
    return notices


@dataclass(frozen=True)
class Progress:
    answered: int
    required: int


def progress(questions: Sequence[Question], cells: dict[int, Cells]) -> Progress:
    """Answered of the required questions that are shown."""
    shown = shown_questions(questions, cells)
    required = [q for q in questions if q.required and q.pk in shown]
    answered = sum(1 for q in required if is_answered(q, cells.get(q.pk, {})))
    return Progress(answered=answered, required=len(required))


@dataclass(frozen=True)
class MissingAnswer:
    variable: str
    number: str
    label: str


def missing_required_answers(response: Response) -> list[MissingAnswer]:
    """Required questions that are shown (given the answers so far) but unanswered;
    a question that is not shown is never missing."""
    questions = questions_of(response.questionnaire_id)
    return missing_required(questions, answer_cells(response))


def missing_required(
    questions: Sequence[Question], cells: dict[int, Cells]
) -> list[MissingAnswer]:
    """`missing_required_answers` over answers already read."""
    shown = shown_questions(questions, cells)
    return [
        MissingAnswer(q.variable, q.number, q.label)
        for q in questions
        if q.pk in shown and q.required and not is_answered(q, cells.get(q.pk, {}))
    ]


def responses_for_pairs(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], Response]:
    """Responses keyed by (questionnaire id, organisation id): one query."""
    pairs = list(pairs)
    if not pairs:
        return {}
    questionnaire_ids = {q for q, _ in pairs}
    organisation_ids = {o for _, o in pairs}
    responses = Response.objects.filter(
        questionnaire_id__in=questionnaire_ids, organisation_id__in=organisation_ids
    )
    return {(r.questionnaire_id, r.organisation_id): r for r in responses}


def cells_by_response(responses: Iterable[Response]) -> dict[int, dict[int, Cells]]:
    """Stored answers for many responses at once: one query."""
    ids = [r.pk for r in responses]
    by_response: dict[int, dict[int, Cells]] = {}
    for response_id, question_id, slot, *value in Answer.objects.filter(
        response_id__in=ids
    ).values_list("response_id", "question_id", *CELL_VALUES):
        by_response.setdefault(response_id, {}).setdefault(question_id, {})[slot] = (
            cell_of_values(*value)
        )
    return by_response


def changes_since(response: Response, *, version: int) -> QuerySet[AnswerChange]:
    """Changes saved after `version`, newest last: what a user with stale data missed."""
    return (
        AnswerChange.objects.filter(response=response, response_version__gt=version)
        .select_related("question", "changed_by")
        .order_by("changed_at", "pk")
    )


def receipt_items(response: Response) -> list[dict[str, object]]:
    """Every shown question with the answer in words, as the respondent gave it."""
    questions = questions_of(response.questionnaire_id)
    cells = answer_cells(response)
    shown = shown_questions(questions, cells)
    return [
        {"question": q, "answer": answer_in_words(q, cells.get(q.pk, {}))}
        for q in questions
        if q.pk in shown
    ]


def answer_in_words(question: Question, cells: Cells) -> list[str]:
    """The answer in words, as the respondent gave it (per kind: `intake.kinds`)."""
    if not cells:
        return []
    options = {o.code: o.label for o in question.options.all()}
    rows = {r.code: r.label for r in question.rows.all()}
    return behaviour(question.kind).in_words(question, cells, options, rows)
