"""Consolidating the kommuner's answers into the RSS questionnaire (issue #4).

An RSS questionnaire's `kommun_count` questions count, per alternative of a closed
kommun question, how many of the RSS's member kommuner chose it; its
`kommun_text_summary` questions show the coordinator the kommuner's free text.

Which kommun answers count: every current answer of a member kommun, drafts
included, so that the coordinator sees the figures grow while the kommuner work;
each count also says how many came from submitted kommun responses ("varav
inskickade"). When the RSS submits, the counts as they stand are frozen into the
RSS response (`freeze_kommun_counts`), and `ConsolidationSource` records each
kommun response's version and status at that moment, so the frozen figure says
exactly which answers, submitted or not, it came from.

The base of every item is kept in three parts that add up to the number of member
kommuner (N):
- svarat: the kommun has an answer to the item (a matrix: to that row);
- ej aktuell: the item's display condition is decided against it (the parent
  answer excludes it, or the kommun response is submitted without the condition
  holding), evaluated in the database;
- ej svarat: everything else, including kommuner that have not started.

Counts, bases and "ej aktuell" are SQL aggregates (GROUP BY with filtered
counts); the page makes the same number of queries whatever the number of
kommuner or questions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from intake.cells import BASE_SLOTS, EJ_AKTUELL, EJ_SVARAT, SVARAT, Cells, cell_of
from intake.condition_sql import ByVariable, excluded_q
from intake.models import (
    Answer,
    AnswerChange,
    Channel,
    ConsolidationSource,
    Response,
    ResponseStatus,
)
from surveys.conditions import parse_stored
from surveys.errors import DomainError
from surveys.kinds import ONE_ALTERNATIVE_KINDS as ONE_ALTERNATIVE_KINDS
from surveys.kinds import RSS_AGGREGATE_KINDS, facts
from surveys.models import (
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
    User,
)
from surveys.selectors import kommuner_of_rss

FROZEN_REASON = "Fastställt när RSS:en skickade in enkäten"

# Where a missing kommun answer is registered instead of adjusting a count: the
# RSS status page ("Se kommunernas svar") links each kommun's form as proxy entry.
PROXY_HINT = (
    "Saknas en kommuns svar, registrera det för kommunen (”Fyll i åt kommunen” "
    "under ”Se kommunernas svar”)."
)

# Status of one kommun for one item.
SVARAT_LABEL = "Svarat"
EJ_SVARAT_LABEL = "Ej svarat"
EJ_AKTUELL_LABEL = "Ej aktuell"


# --- what the selectors return -----------------------------------------------------------


@dataclass(frozen=True)
class CountCell:
    """One alternative (a matrix: one row × alternative) of a kommun count."""

    slot: str  # "option" or "row.option", as stored in the RSS response
    option: str
    label: str
    live: int  # member kommuner whose current answer is this alternative
    submitted: int  # of which in submitted kommun responses
    adjusted: int | None = None  # the RSS's adjusted count; None follows `live`
    reason: str = ""  # why it was adjusted (the latest reason in the history)
    frozen: int | None = None  # the count as submitted (only while submitted)

    @property
    def value(self) -> int:
        """The count the RSS reports: its adjustment, or else the live count."""
        return self.live if self.adjusted is None else self.adjusted


@dataclass(frozen=True)
class CountRow:
    """A matrix row of a kommun count, or the whole question ("" row)."""

    code: str
    label: str
    cells: list[CountCell]
    svarat: int
    ej_svarat: int
    ej_aktuell: int
    missing: list[str]  # names of the kommuner counted as ej svarat
    frozen_base: dict[str, int] = field(default_factory=dict)

    def slot(self, name: str) -> str:
        return f"{self.code}.{name}" if self.code else name

    @property
    def base(self) -> dict[str, int]:
        return {
            self.slot(SVARAT): self.svarat,
            self.slot(EJ_SVARAT): self.ej_svarat,
            self.slot(EJ_AKTUELL): self.ej_aktuell,
        }


@dataclass(frozen=True)
class KommunCount:
    """A `kommun_count` question of an RSS response, computed live."""

    question: Question
    n_kommuner: int
    rows: list[CountRow]
    # Each kommun picks one alternative of the source question (a matrix: one
    # per row), so a row's counts add up to its svarat; not for multiple choice.
    one_alternative: bool = False

    @property
    def is_matrix(self) -> bool:
        return any(row.code for row in self.rows)

    @property
    def options(self) -> list[CountCell]:
        """The first row's cells: the alternatives, for column headings."""
        return self.rows[0].cells if self.rows else []

    def frozen_values(self) -> dict[str, int]:
        """The cells written when the RSS submits: the slot contract of issue #4."""
        values: dict[str, int] = {}
        for row in self.rows:
            values.update({cell.slot: cell.value for cell in row.cells})
            values.update(row.base)
        return values

    def differs_from_frozen(self) -> bool:
        stored = {c.slot: c.frozen for row in self.rows for c in row.cells}
        for row in self.rows:
            stored.update(row.frozen_base)
        return any(stored.get(s) != v for s, v in self.frozen_values().items())


@dataclass(frozen=True)
class KommunText:
    """One member kommun's free-text answer to the source of a text summary."""

    kommun: str
    text: str
    status: str  # Svarat / Ej svarat / Ej aktuell
    response_status: str  # the kommun response's status in words


@dataclass(frozen=True)
class StaleConsolidation:
    """A submitted RSS response whose kommuner have changed answers since."""

    rss_response: Response
    kommuner: list[str]  # kommuner whose response changed or began after the freeze
    questions: list[Question] = field(default_factory=list)  # counts that now differ


@dataclass
class Consolidation:
    members: Sequence[Organisation]
    counts: dict[int, KommunCount]  # by RSS question id
    texts: dict[int, list[KommunText]]  # by RSS question id
    kommun_responses: list[Response]
    source_questionnaire_ids: list[int]
    stale: StaleConsolidation | None = None
    # The kommun helper questionnaire among the sources (not a supplementary
    # one): the RSS status page the form links to ("Se kommunernas svar").
    helper_questionnaire_id: int | None = None


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
) -> Consolidation | None:
    """Live counts and kommun texts for an RSS questionnaire's aggregate questions.

    `questions` are the RSS questionnaire's questions with options and rows
    prefetched (`intake.selectors.questions_of`). None when the questionnaire is
    not an RSS one or has no aggregate questions. A fixed number of queries.
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
        )
    )
    sources = {
        pk: (qn, var) for pk, qn, var, _, _, _ in kommun_questions if pk in source_ids
    }
    source_kinds = {
        pk: kind for pk, _, _, _, _, kind in kommun_questions if pk in source_ids
    }
    conditions = DisplayConditions(
        {
            (qn, var): cond
            for _, qn, var, cond, _, _ in kommun_questions
            if cond is not None
        }
    )
    helper_ids = sorted(
        {
            qn
            for pk, qn, _, _, extra, _ in kommun_questions
            if pk in source_ids and not extra
        }
    )
    source_questionnaire_ids = sorted({qn for qn, _ in sources.values()})
    responses = list(
        Response.objects.filter(
            questionnaire_id__in=source_questionnaire_ids,
            organisation_id__in=member_ids,
        ).order_by("organisation__code", "questionnaire_id")
    )
    response_ids = [r.pk for r in responses]
    answers = Answer.objects.filter(
        question_id__in=source_ids, response_id__in=response_ids
    )

    # Kommuner per alternative: one GROUP BY over every counted question.
    per_option = {
        (a["question_id"], a["row__code"] or "", a["option__code"]): (
            a["n"],
            a["submitted"],
        )
        for a in answers.filter(option__isnull=False)
        .values("question_id", "row__code", "option__code")
        .annotate(
            n=Count("id"),
            submitted=Count("id", filter=Q(response__status=ResponseStatus.SUBMITTED)),
        )
        .order_by()
    }
    # The base: kommuner with an answer to the item (a matrix: per row).
    answered_n = {
        (a["question_id"], a["row__code"] or ""): a["n"]
        for a in answers.values("question_id", "row__code")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    }
    # Who answered, only to name the kommuner that have not.
    answered_by: dict[tuple[int, str], set[int]] = {}
    for question_id, row_code, organisation_id in (
        answers.values_list("question_id", "row__code", "response__organisation_id")
        .distinct()
        .order_by()
    ):
        answered_by.setdefault((question_id, row_code or ""), set()).add(
            organisation_id
        )

    # Ej aktuell: the item's condition decided against it, in SQL.
    conditional = {pk: qv for pk, qv in sources.items() if qv in conditions.conditions}
    not_applicable_n: dict[int, int] = {}
    not_applicable_by: dict[int, set[int]] = {}
    if conditional and response_ids:
        flags = {
            f"x{pk}": Q(questionnaire_id=qn)
            & conditions.excluded(qn, var)
            & ~Q(Exists(Answer.objects.filter(response=OuterRef("pk"), question_id=pk)))
            for pk, (qn, var) in conditional.items()
        }
        kommun_responses = Response.objects.filter(pk__in=response_ids)
        totals = kommun_responses.aggregate(
            **{name: Count("pk", filter=flag) for name, flag in flags.items()}
        )
        not_applicable_n = {pk: totals[f"x{pk}"] or 0 for pk in conditional}
        for row in kommun_responses.annotate(
            **{
                name: ExpressionWrapper(flag, output_field=BooleanField())
                for name, flag in flags.items()
            }
        ).values("organisation_id", *flags):
            for pk in conditional:
                if row[f"x{pk}"]:
                    not_applicable_by.setdefault(pk, set()).add(row["organisation_id"])

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
            excluded = not_applicable_by.get(source_id, set())
            done = answered_by.get((source_id, row_code), set())
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
        )

    texts = _kommun_texts(
        [q for q in aggregates if facts(q.kind).text_summary],
        members=members,
        responses=responses,
        sources=sources,
        not_applicable_by=not_applicable_by,
    )
    return Consolidation(
        members=members,
        counts=counts,
        texts=texts,
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
    not_applicable_by: Mapping[int, set[int]],
) -> dict[int, list[KommunText]]:
    """Each member kommun's text for every summary question: one query."""
    source_ids = [q.source_question_id for q in summaries if q.source_question_id]
    texts = {
        (question_id, organisation_id): text
        for question_id, organisation_id, text in Answer.objects.filter(
            question_id__in=source_ids, response__in=[r.pk for r in responses]
        ).values_list("question_id", "response__organisation_id", "text")
    }
    statuses = {(r.questionnaire_id, r.organisation_id): r for r in responses}
    result: dict[int, list[KommunText]] = {}
    for question in summaries:
        source_id = question.source_question_id
        assert source_id is not None  # noqa: S101 - summaries have a source
        questionnaire_id = sources[source_id][0]
        items = []
        for member in members:
            text = texts.get((source_id, member.pk), "")
            kommun_response = statuses.get((questionnaire_id, member.pk))
            if text:
                status = SVARAT_LABEL
            elif member.pk in not_applicable_by.get(source_id, set()):
                status = EJ_AKTUELL_LABEL
            else:
                status = EJ_SVARAT_LABEL
            items.append(
                KommunText(
                    kommun=member.name,
                    text=text,
                    status=status,
                    response_status=kommun_response.get_status_display()
                    if kommun_response
                    else ResponseStatus.NOT_STARTED.label,
                )
            )
        result[question.pk] = items
    return result


def _consolidation_of(rss_response: Response) -> Consolidation | None:
    from intake.selectors import questions_of

    questionnaire = Questionnaire.objects.select_related("cycle").get(
        pk=rss_response.questionnaire_id
    )
    return consolidation_for(
        questionnaire,
        rss_response.organisation,
        response=rss_response,
        questions=questions_of(questionnaire.pk),
    )


def kommun_counts(rss_response: Response) -> dict[int, KommunCount]:
    """The live kommun counts of an RSS response, by RSS question id."""
    result = _consolidation_of(rss_response)
    return result.counts if result else {}


def kommun_texts(rss_response: Response) -> dict[int, list[KommunText]]:
    """The member kommuner's free text beside each summary question, by RSS question id."""
    result = _consolidation_of(rss_response)
    return result.texts if result else {}


# --- what an adjustment may do ------------------------------------------------------------


def item_name(row: CountRow) -> str:
    """The item a row of a count stands for, in a message."""
    return f"delfrågan ”{row.label}”" if row.code else "frågan"


def count_limit_problem(
    values: Collection[int], *, svarat: int, one_alternative: bool, item: str
) -> str | None:
    """Whether an item's counts fit its base; the Swedish reason if not.

    The base of an RSS kommun count is the service's: the member kommuner that
    answered the item. An adjustment only moves those kommuner between the
    alternatives and never adds answers (a missing answer is registered for the
    kommun, which keeps the kommun-level raw data consistent with the RSS's
    counts). So no count exceeds svarat and, where each kommun picks one
    alternative, neither does their sum: a tabulated share stays within 100 %.
    """
    if any(value > svarat for value in values):
        return (
            "Antalet kan inte vara större än antalet kommuner som har svarat på "
            f"{item} ({svarat}). {PROXY_HINT}"
        )
    total = sum(values)
    if one_alternative and total > svarat:
        return (
            f"Antalen är tillsammans {total}, men bara {svarat} kommuner har svarat "
            f"på {item} och varje kommun har ett svar: en justering kan bara flytta "
            f"kommuner mellan svarsalternativen. {PROXY_HINT}"
        )
    return None


def adjustment_problems(
    count: KommunCount,
    adjusted: Mapping[str, int],
    *,
    rows: Collection[str] | None = None,
) -> list[str]:
    """The RSS's adjusted counts (by slot; the other cells follow the live count)
    against the live base, row by row: the rows given by code ("" for a question
    without rows), or every row."""
    problems = []
    for row in count.rows:
        if rows is not None and row.code not in rows:
            continue
        problem = count_limit_problem(
            [adjusted.get(cell.slot, cell.live) for cell in row.cells],
            svarat=row.svarat,
            one_alternative=count.one_alternative,
            item=item_name(row),
        )
        if problem:
            problems.append(problem)
    return problems


class CountsAboveBaseError(DomainError):
    """An RSS response cannot be submitted: adjusted counts no longer fit the
    kommuner that have answered (a kommun's answer was removed or changed after
    the adjustment was saved). `problems` holds the messages by question variable,
    for the form to show beside each question."""

    def __init__(self, rows: Sequence[tuple[Question, CountRow]]) -> None:
        self.problems: dict[str, list[str]] = {}
        named = []
        for question, row in rows:
            where = f"fråga {question.number}"
            if row.code:
                where += f", ”{row.label}”"
            named.append(f"{where} ({row.svarat} kommuner har svarat nu)")
            self.problems.setdefault(question.variable, []).append(
                "De justerade antalen är fler än de kommuner som har svarat på "
                f"{item_name(row)} nu ({row.svarat}). Ändra justeringen. {PROXY_HINT}"
            )
        super().__init__(
            "Enkäten kan inte skickas in: de justerade antalen i "
            + _and_list(named)
            + " är fler än de kommuner som har svarat; en kommuns svar har tagits "
            "bort eller ändrats sedan justeringen. Ändra justeringen. " + PROXY_HINT
        )


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def rows_above_base(count: KommunCount) -> list[CountRow]:
    """The rows whose reported counts (adjusted or live) do not fit the live base."""
    return [
        row
        for row in count.rows
        if count_limit_problem(
            [cell.value for cell in row.cells],
            svarat=row.svarat,
            one_alternative=count.one_alternative,
            item=item_name(row),
        )
    ]


# --- freezing on submit ------------------------------------------------------------------


def freeze_kommun_counts(
    response: Response, *, actor: User, expected_version: int
) -> tuple[Response, list[ConsolidationSource]]:
    """Write the counts as they stand into an RSS response that is being submitted.

    Called by `intake.services.submit_response` inside its transaction. Each cell
    gets the RSS's adjustment or else the live count, plus the base slots
    `_svarat`, `_ej_svarat` and `_ej_aktuell` (per row of a matrix), through
    `save_answers` with the COMPUTED channel, so the history shows the frozen
    figures. The member kommuner's responses are locked first, so that the counts
    and the provenance returned (unsaved ConsolidationSource rows, which the caller
    stamps with the submitted version) are one snapshot. Raises
    CountsAboveBaseError, writing nothing, when an adjustment no longer fits the
    kommuner that have answered.
    """
    from intake.selectors import questions_of
    from intake.services import save_answers

    assert transaction.get_connection().in_atomic_block  # noqa: S101
    questionnaire = Questionnaire.objects.select_related("cycle").get(
        pk=response.questionnaire_id
    )
    rss = response.organisation
    questions = questions_of(questionnaire.pk)
    member_ids = kommuner_of_rss(rss, year=questionnaire.cycle.year).values("pk")
    source_questionnaires = Question.objects.filter(
        pk__in=[q.source_question_id for q in questions if q.source_question_id]
    ).values("questionnaire_id")
    list(
        Response.objects.select_for_update()
        .filter(
            questionnaire_id__in=source_questionnaires,
            organisation_id__in=member_ids,
        )
        .values_list("pk", flat=True)
    )
    consolidation = consolidation_for(
        questionnaire, rss, response=response, questions=questions
    )
    if consolidation is None:
        return response, []
    # Adjustments are checked when saved, but a kommun may have withdrawn an
    # answer since: then the base is smaller and nothing is frozen.
    above = [
        (count.question, row)
        for count in consolidation.counts.values()
        for row in rows_above_base(count)
    ]
    if above:
        raise CountsAboveBaseError(above)
    values = {
        count.question.variable: count.frozen_values()
        for count in consolidation.counts.values()
    }
    if values:
        response = save_answers(
            response,
            actor=actor,
            channel=Channel.COMPUTED,
            values=values,
            expected_version=expected_version,
            reason=FROZEN_REASON,
        )
    by_pair = {
        (r.questionnaire_id, r.organisation_id): r
        for r in consolidation.kommun_responses
    }
    now = timezone.now()
    sources = []
    for member in consolidation.members:
        for questionnaire_id in consolidation.source_questionnaire_ids:
            kommun_response = by_pair.get((questionnaire_id, member.pk))
            sources.append(
                ConsolidationSource(
                    rss_response=response,
                    kommun=member,
                    questionnaire_id=questionnaire_id,
                    kommun_response=kommun_response,
                    kommun_response_version=kommun_response.version
                    if kommun_response
                    else None,
                    kommun_response_status=kommun_response.status
                    if kommun_response
                    else ResponseStatus.NOT_STARTED,
                    frozen_at=now,
                )
            )
    return response, sources


def record_consolidation_sources(
    response: Response, sources: Iterable[ConsolidationSource]
) -> None:
    """Save the provenance of a freeze, stamped with the submitted RSS version."""
    sources = list(sources)
    for source in sources:
        source.rss_response_version = response.version
    ConsolidationSource.objects.bulk_create(sources)


# --- later changes, flagged --------------------------------------------------------------


def changed_sources(
    rss_responses: QuerySet[Response] | None = None,
) -> QuerySet[ConsolidationSource]:
    """Provenance rows of submitted RSS responses whose kommun response has moved
    past the frozen version, or begun since: one query."""
    current = Response.objects.filter(
        questionnaire_id=OuterRef("questionnaire_id"),
        organisation_id=OuterRef("kommun_id"),
    ).values("version")[:1]
    sources = ConsolidationSource.objects.filter(
        rss_response__status=ResponseStatus.SUBMITTED,
        rss_response_version=F("rss_response__version"),
    )
    if rss_responses is not None:
        sources = sources.filter(rss_response__in=rss_responses)
    return (
        sources.annotate(current_version=Subquery(current))
        .filter(
            Q(current_version__gt=F("kommun_response_version"))
            | Q(kommun_response_version__isnull=True, current_version__gt=0)
        )
        .select_related(
            "kommun", "rss_response__organisation", "rss_response__questionnaire"
        )
        .order_by("rss_response_id", "kommun__code")
    )


def stale_consolidations(
    rss_responses: QuerySet[Response] | None = None,
) -> list[StaleConsolidation]:
    """Submitted RSS responses whose member kommuner changed answers after the
    freeze: the kommuner, and the count questions whose live figure now differs
    from the frozen one. The frozen answers are left as they are until staff
    reopen the RSS response and the RSS submits again.

    One query to find them, then the counts of each RSS concerned (at most the
    24 RSS of a cycle).
    """
    by_response: dict[int, StaleConsolidation] = {}
    for source in changed_sources(rss_responses):
        stale = by_response.setdefault(
            source.rss_response_id, StaleConsolidation(source.rss_response, [])
        )
        if source.kommun.name not in stale.kommuner:
            stale.kommuner.append(source.kommun.name)
    for stale in by_response.values():
        counts = kommun_counts(stale.rss_response)
        stale.questions.extend(
            c.question for c in counts.values() if c.differs_from_frozen()
        )
    return list(by_response.values())


def n_stale_consolidations() -> int:
    """How many submitted RSS responses are flagged on the staff page: one query."""
    return changed_sources().values("rss_response_id").distinct().count()


def stale_for(
    consolidation: Consolidation, response: Response | None
) -> StaleConsolidation | None:
    """The stale notice for one RSS response whose consolidation is already computed."""
    if response is None or response.status != ResponseStatus.SUBMITTED:
        return None
    kommuner: list[str] = []
    for source in changed_sources(Response.objects.filter(pk=response.pk)):
        if source.kommun.name not in kommuner:
            kommuner.append(source.kommun.name)
    if not kommuner:
        return None
    return StaleConsolidation(
        response,
        kommuner,
        [c.question for c in consolidation.counts.values() if c.differs_from_frozen()],
    )


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
