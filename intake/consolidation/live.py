"""The live consolidation of an RSS questionnaire (issue #4): per alternative of a
closed kommun question, how many member kommuner chose it, with the base of every
item (svarat, ej svarat, ej aktuell); the kommuner's free text beside each summary
question; and the RSS's own adjustments of the counts.

Counts, bases and "ej aktuell" are SQL aggregates (GROUP BY with filtered
counts); the page makes the same number of queries whatever the number of
kommuner or questions. The read side only: freezing the counts on submit is
`freeze`, the rules an adjustment must keep are `limits`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from django.db.models import (
    Q,
)

from intake.cells import BASE_SLOTS, Cells, cell_of
from intake.condition_sql import ByVariable, excluded_q
from intake.consolidation.results import (
    EJ_AKTUELL_LABEL,
    EJ_SVARAT_LABEL,
    SVARAT_LABEL,
    Consolidation,
    CountCell,
    CountRow,
    KommunCount,
    KommunText,
)
from intake.consolidation.tallies import kommun_tallies, snapshot
from intake.models import (
    Answer,
    AnswerChange,
    Channel,
    Response,
    ResponseStatus,
)
from intake.selectors import questions_of
from surveys.conditions import parse_stored
from surveys.kinds import ONE_ALTERNATIVE_KINDS, RSS_AGGREGATE_KINDS, facts
from surveys.models import (
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
)
from surveys.selectors import kommuner_of_rss

# --- display conditions in the database --------------------------------------------------


class DisplayConditions:
    """The kommun questionnaires' display conditions as Q objects on Response,
    so that "ej aktuell" is counted in SQL (`intake.condition_sql`, by variable).

    A stored condition that cannot be read raises DomainError (ConditionError)
    rather than guessing.
    """

    def __init__(self, conditions: Mapping[tuple[int, str], Any]) -> None:
        self.conditions = conditions  # (questionnaire id, variable) -> condition

    def excluded(self, questionnaire_id: int, variable: str) -> Q:
        """The item's condition is decided against it for this kommun response."""
        condition = parse_stored(self.conditions.get((questionnaire_id, variable)))
        if condition is None:
            return Q(pk__in=[])

        def hidden(parent: str) -> Q | None:
            # A parent that is itself not shown excludes its follow-ups too.
            if (questionnaire_id, parent) not in self.conditions:
                return None
            return self.excluded(questionnaire_id, parent)

        holds, excluded = excluded_q(condition, ByVariable(questionnaire_id), hidden)
        return excluded | (Q(status=ResponseStatus.SUBMITTED) & ~holds)


# --- the selector ------------------------------------------------------------------------


def consolidation_for(
    questionnaire: Questionnaire,
    rss: Organisation,
    *,
    response: Response | None,
    questions: Sequence[Question],
    texts: bool = True,
    lock: bool = False,
) -> Consolidation | None:
    """Live counts and kommun texts for an RSS questionnaire's aggregate questions.

    `questions` are the RSS questionnaire's questions with options and rows
    prefetched (`intake.selectors.questions_of`). None when the questionnaire is
    not an RSS one or has no aggregate questions. A fixed number of queries.
    Without `texts`, the kommuner's free text is not read (the freeze needs only
    the counts). With `lock` (inside a transaction), the member kommuner's
    responses are locked (SELECT … FOR UPDATE) before their answers are read,
    so that the counts are one snapshot (`freeze`).
    """
    if rss.kind != OrganisationKind.RSS:
        return None
    aggregates = [
        q for q in questions if q.kind in RSS_AGGREGATE_KINDS and q.source_question_id
    ]
    if not aggregates:
        return None
    members = list(
        kommuner_of_rss(rss, year=questionnaire.cycle.year).only("pk", "name", "code")
    )
    member_ids = [m.pk for m in members]
    names = {m.pk: m.name for m in members}
    source_ids = {q.source_question_id for q in aggregates if q.source_question_id}
    kommun_questions = list(
        Question.objects.filter(
            questionnaire_id__in=Question.objects.filter(pk__in=source_ids).values(
                "questionnaire_id"
            )
        ).values_list(
            "pk",
            "questionnaire_id",
            "variable",
            "condition",
            "questionnaire__is_supplementary",
            "kind",
            # Not read here: a changed definition changes the tallies' key.
            "questionnaire__content_hash",
        )
    )
    sources = {
        pk: (qn, var) for pk, qn, var, *_ in kommun_questions if pk in source_ids
    }
    source_kinds = {
        pk: kind for pk, _, _, _, _, kind, _ in kommun_questions if pk in source_ids
    }
    conditions = DisplayConditions(
        {
            (qn, var): cond
            for _, qn, var, cond, *_ in kommun_questions
            if cond is not None
        }
    )
    helper_ids = sorted(
        {
            qn
            for pk, qn, _, _, extra, *_ in kommun_questions
            if pk in source_ids and not extra
        }
    )
    source_questionnaire_ids = sorted({qn for qn, _ in sources.values()})
    kommun_responses = Response.objects.filter(
        questionnaire_id__in=source_questionnaire_ids,
        organisation_id__in=member_ids,
    ).order_by("organisation__code", "questionnaire_id")
    if lock:
        # In a fixed order, and only the responses (not their organisations).
        kommun_responses = kommun_responses.select_for_update(of=("self",))
    responses = list(kommun_responses)
    conditional = {pk: qv for pk, qv in sources.items() if qv in conditions.conditions}
    tallies = kommun_tallies(
        (snapshot(responses), repr(kommun_questions), tuple(sorted(source_ids))),
        source_ids=source_ids,
        responses=responses,
        conditional=conditional,
        excluded=conditions.excluded,
    )
    per_option, answered_by = tallies.per_option, tallies.answered_by
    answered_n = {item: len(kommuner) for item, kommuner in answered_by.items()}
    not_applicable_by = tallies.not_applicable_by
    not_applicable_n = {pk: len(not_applicable_by.get(pk, ())) for pk in conditional}

    adjusted, frozen, reasons = _rss_cells(response, aggregates)
    submitted = response is not None and response.status == ResponseStatus.SUBMITTED

    counts: dict[int, KommunCount] = {}
    for question in aggregates:
        if not facts(question.kind).kommun_counts:
            continue
        source_id = question.source_question_id
        assert source_id is not None  # noqa: S101 - filtered above
        ej_aktuell = not_applicable_n.get(source_id, 0)
        row_list = [(r.code, r.label) for r in question.rows.all()] or [("", "")]
        count_rows = []
        for row_code, row_label in row_list:
            svarat = answered_n.get((source_id, row_code), 0)
            prefix = f"{row_code}." if row_code else ""
            cells = []
            for option in question.options.all():
                slot = prefix + option.code
                n, n_submitted = per_option.get(
                    (source_id, row_code, option.code), (0, 0)
                )
                cells.append(
                    CountCell(
                        slot=slot,
                        option=option.code,
                        label=option.label,
                        live=n,
                        submitted=n_submitted,
                        adjusted=adjusted.get((question.pk, slot)),
                        reason=reasons.get((question.pk, slot), ""),
                        frozen=frozen.get((question.pk, slot)) if submitted else None,
                    )
                )
            excluded = not_applicable_by.get(source_id, frozenset())
            done = answered_by.get((source_id, row_code), frozenset())
            count_row = CountRow(
                code=row_code,
                label=row_label,
                cells=cells,
                svarat=svarat,
                ej_svarat=len(members) - svarat - ej_aktuell,
                ej_aktuell=ej_aktuell,
                missing=[
                    names[m] for m in member_ids if m not in done and m not in excluded
                ],
            )
            if submitted:
                count_row.frozen_base.update(
                    {
                        s: frozen[(question.pk, s)]
                        for s in count_row.base
                        if (question.pk, s) in frozen
                    }
                )
            count_rows.append(count_row)
        counts[question.pk] = KommunCount(
            question,
            len(members),
            count_rows,
            one_alternative=source_kinds.get(source_id) in ONE_ALTERNATIVE_KINDS,
            source_questionnaire_id=sources[source_id][0],
        )

    summaries = [q for q in aggregates if facts(q.kind).text_summary]
    return Consolidation(
        members=members,
        counts=counts,
        texts=_kommun_texts(
            summaries,
            members=members,
            responses=responses,
            sources=sources,
            not_applicable_by=not_applicable_by,
        )
        if texts
        else {},
        kommun_responses=responses,
        source_questionnaire_ids=source_questionnaire_ids,
        helper_questionnaire_id=helper_ids[0] if helper_ids else None,
    )


def _rss_cells(
    response: Response | None, aggregates: Sequence[Question]
) -> tuple[
    dict[tuple[int, str], int], dict[tuple[int, str], int], dict[tuple[int, str], str]
]:
    """The RSS response's stored counts: its adjustments (typed by a person) and
    every stored cell (the frozen figures while submitted), with the reasons."""
    if response is None or response.pk is None:
        return {}, {}, {}
    ids = [q.pk for q in aggregates if facts(q.kind).kommun_counts]
    adjusted: dict[tuple[int, str], int] = {}
    stored: dict[tuple[int, str], int] = {}
    for question_id, slot, number, channel in Answer.objects.filter(
        response=response, question_id__in=ids
    ).values_list("question_id", "slot", "number", "channel"):
        value = int(number) if number is not None else 0
        stored[(question_id, slot)] = value
        if channel != Channel.COMPUTED and slot.rpartition(".")[2] not in BASE_SLOTS:
            adjusted[(question_id, slot)] = value
    reasons: dict[tuple[int, str], str] = {}
    for question_id, slot, reason in (
        AnswerChange.objects.filter(response=response, question_id__in=ids)
        .exclude(channel=Channel.COMPUTED)
        .exclude(reason="")
        .order_by("changed_at", "pk")
        .values_list("question_id", "slot", "reason")
    ):
        reasons[(question_id, slot)] = reason
    return adjusted, stored, reasons


def _kommun_texts(
    summaries: Sequence[Question],
    *,
    members: Sequence[Organisation],
    responses: Sequence[Response],
    sources: Mapping[int, tuple[int, str]],
    not_applicable_by: Mapping[int, AbstractSet[int]],
) -> dict[int, list[KommunText]]:
    """Each member kommun's text for every summary question: one query."""
    source_ids = [q.source_question_id for q in summaries if q.source_question_id]
    texts = {
        (question_id, organisation_id): text
        for question_id, organisation_id, text in Answer.objects.filter(
            question_id__in=source_ids, response__in=[r.pk for r in responses]
        ).values_list("question_id", "response__organisation_id", "text")
    }
    # Each response's status in words once, not once per question (issue #20).
    statuses = {
        (r.questionnaire_id, r.organisation_id): r.get_status_display()
        for r in responses
    }
    result: dict[int, list[KommunText]] = {}
    for question in summaries:
        source_id = question.source_question_id
        assert source_id is not None  # noqa: S101 - summaries have a source
        questionnaire_id = sources[source_id][0]
        items = []
        for member in members:
            text = texts.get((source_id, member.pk), "")
            if text:
                status = SVARAT_LABEL
            elif member.pk in not_applicable_by.get(source_id, frozenset()):
                status = EJ_AKTUELL_LABEL
            else:
                status = EJ_SVARAT_LABEL
            items.append(
                KommunText(
                    kommun=member.name,
                    text=text,
                    status=status,
                    response_status=statuses.get(
                        (questionnaire_id, member.pk), ResponseStatus.NOT_STARTED.label
                    ),
                )
            )
        result[question.pk] = items
    return result


def _consolidation_of(rss_response: Response) -> Consolidation | None:
    questionnaire = Questionnaire.objects.select_related("cycle").get(
        pk=rss_response.questionnaire_id
    )
    return consolidation_for(
        questionnaire,
        rss_response.organisation,
        response=rss_response,
        questions=questions_of(questionnaire),
    )


def kommun_counts(rss_response: Response) -> dict[int, KommunCount]:
    """The live kommun counts of an RSS response, by RSS question id."""
    result = _consolidation_of(rss_response)
    return result.counts if result else {}


def kommun_texts(rss_response: Response) -> dict[int, list[KommunText]]:
    """The member kommuner's free text beside each summary question, by RSS question id."""
    result = _consolidation_of(rss_response)
    return result.texts if result else {}


def adjustment_cells(
    response: Response | None, questions: Sequence[Question]
) -> dict[int, Cells]:
    """The RSS's own adjustments of its kommun counts, as answer cells by question
    id (every kommun count present, empty when none): what the form shows in its
    "Justerat antal" fields. Frozen and base cells are left out. One query."""
    ids = [q.pk for q in questions if facts(q.kind).kommun_counts]
    cells: dict[int, Cells] = {pk: {} for pk in ids}
    if response is None or response.pk is None or not ids:
        return cells
    for answer in (
        Answer.objects.filter(response=response, question_id__in=ids)
        .exclude(channel=Channel.COMPUTED)
        .select_related("option", "row")
    ):
        if answer.option is not None:
            cells[answer.question_id][answer.slot] = cell_of(answer)
    return cells
