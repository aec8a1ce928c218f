"""The queries of a tabulation, built with the ORM and compiled once per plan and
arguments (issue #20 point 4).

What a tabulation asks the database depends only on the questionnaire's
structure (its plan: `reports.tabulation.plan`) and the tabulation's arguments
(level, RSS, questions, selection), never on the answers. So the querysets are
built here, compiled to SQL once (`reports.tabulation.compiled`) and kept on
the plan, which is itself dropped whenever the questionnaire's structure
changes: a tabulation then runs them without building any of them again. They
run as one statement, a UNION ALL of their parts (below), so that a tabulation
is one round trip to the database: at scale 1 the three or four round trips of
separate queries alone took more than the bare GROUP BY of the cells
(bench/RESULTS.md). The rows are read by `reports.tabulation.counts`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    Window,
)
from django.db.models.functions import Cast, RowNumber

from intake.condition_sql import CellTest
from intake.models import Answer, Response, ResponseStatus
from reports.tabulation.compiled import Compiled, compiled
from reports.tabulation.groups import (
    GROUP_ORDER,
    GroupExpr,
    _group_expr,
    _groups_queryset,
)
from reports.tabulation.plan import Plan, PlannedQuestion
from reports.tabulation.results import Level, Selection
from surveys.models import (
    Organisation,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import expected_respondents

# Compiled argument sets kept per plan (a few kilobytes of SQL each).
MAX_COMPILED = 256

# The one statement's rows (issue #20 point 4): every part of a tabulation
# (its answer cells, its respondents per group, its frame per group and the
# level's groups) in one UNION ALL, so that a tabulation is one round trip to
# the database. Each row says which part it is of in its column `part`; every
# part fills its own columns and leaves the others NULL.
CELL_COLUMNS = (
    "group",
    "question_id",
    "slot",
    "row_id",
    "option_id",
    "escaped",
    "n",
    "total",
)
PART = "part"
# The respondents' counts (TabulationQueries.counts), as one text of integers
# separated by commas: a column each was a NULL each in every other part's
# rows, and the cells' rows are most of the statement's (bench/RESULTS.md).
COUNTS = "counts"
# The groups' part has the organisation's code in `slot` and its place in the
# register's order in `n`.
GROUP_COLUMNS = ("g_name", "g_short_name")
STATEMENT_COLUMNS = (*CELL_COLUMNS, PART, COUNTS, *GROUP_COLUMNS)

# The values of `part`.
CELLS, RESPONDENTS, FRAME, GROUPS = range(4)


@dataclass(frozen=True)
class TabulationQueries:
    """The plan restricted to the tabulated questions, with its statement."""

    questions: tuple[PlannedQuestion, ...]
    cell_tests: Mapping[int, CellTest]
    # The questions whose display condition needs an EXISTS per response, in
    # the order of their counts `applicable_<id>`.
    by_exists: tuple[int, ...]
    multiple: frozenset[int]
    # The items (question, row code) of the multiple choices, in the order of
    # their counts `ticked_<n>`, after the `applicable_…`.
    ticked: tuple[tuple[int, str | None], ...]
    # The names of the respondents' counts, in their order in COUNTS:
    # respondents, not_submitted, applicable_…, ticked_….
    counts: tuple[str, ...]
    # STATEMENT_COLUMNS; the cells' rows (answer cells grouped by question,
    # slot, row, option and escape answer, with their count `n` and the sum
    # of their numbers), the respondents' (group and COUNTS), the frame's
    # (group and `n`) and at a level other than riket the groups' (the
    # organisation as `group`, its code in `slot`, its place in the
    # register's order in `n`, its name and short name).
    statement: Compiled
    # For the counting loop, made once with the statement: the display
    # conditions' cell tests by the cell they test (question, slot, row), the
    # questions those cells are of, and the RSS kommun count questions.
    tests_by_cell: Mapping[
        tuple[int, str, int | None], tuple[tuple[int, CellTest], ...]
    ]
    parents: frozenset[int]
    kommun_counts: frozenset[int]


def tabulation_queries(
    questionnaire: Questionnaire,
    plan: Plan,
    *,
    level: Level,
    within_rss: Organisation | None,
    variables: Collection[str] | None,
    selection: Selection,
) -> TabulationQueries:
    """The tabulation's queries, compiled the first time these arguments are
    tabulated with this plan (a plan is per questionnaire structure)."""
    key = (
        level,
        within_rss.pk if within_rss is not None else None,
        frozenset(variables) if variables is not None else None,
        selection,
        questionnaire.audience,
        questionnaire.cycle.year,
    )
    found: TabulationQueries | None = plan.compiled.get(key)
    if found is None:
        found = _build(
            questionnaire,
            plan,
            level=level,
            within_rss=within_rss,
            variables=variables,
            selection=selection,
        )
        if len(plan.compiled) >= MAX_COMPILED:
            # Bounded: the pages of single questions, RSS by RSS, would
            # otherwise add up. Cleared at once (one atomic step, also when
            # threads share the plan) rather than oldest first.
            plan.compiled.clear()
        plan.compiled[key] = found
    return found


def _build(
    questionnaire: Questionnaire,
    plan: Plan,
    *,
    level: Level,
    within_rss: Organisation | None,
    variables: Collection[str] | None,
    selection: Selection,
) -> TabulationQueries:
    year = questionnaire.cycle.year
    questions = plan.questions
    cell_tests = plan.cell_tests
    exists_q = plan.exists_q
    multiple = plan.multiple
    answers = Answer.objects.filter(response__questionnaire=questionnaire)
    if variables is not None:
        # The plan keeps every question: display conditions refer to parents.
        questions = tuple(q for q in questions if q.variable in variables)
        wanted = {q.question_id for q in questions}
        cell_tests = {pk: t for pk, t in cell_tests.items() if pk in wanted}
        exists_q = {pk: c for pk, c in exists_q.items() if pk in wanted}
        multiple = multiple & wanted
        parents = [test.question_id for test in cell_tests.values()]
        answers = answers.filter(question_id__in=[*wanted, *parents])

    responses = Response.objects.filter(questionnaire=questionnaire)
    frame = expected_respondents(questionnaire)
    if within_rss is not None:
        members = RSSMembership.objects.filter(
            memberships_in_year(year), rss=within_rss
        ).values("kommun_id")
        responses = responses.filter(organisation_id__in=members)
        answers = answers.filter(response__organisation_id__in=members)
        frame = frame.filter(pk__in=members)

    submitted = Q(status=ResponseStatus.SUBMITTED)
    started = Q(Exists(Answer.objects.filter(response=OuterRef("pk")))) | Q(
        submitted_at__isnull=False
    )
    if selection == Selection.SUBMITTED:
        counted = submitted
        answers = answers.filter(response__status=ResponseStatus.SUBMITTED)
    else:
        # Every response with an answer is started, so no answer filter is needed.
        counted = started
    # The respondents who answered an item: a response has one answer cell
    # per question (per row of a matrix; the unique (response, question,
    # slot)), so they are the sum of the item's cells, except for a multiple
    # choice, whose cells are the options ticked: its respondents are counted
    # with the others, those with an answer to the item. (A COUNT(DISTINCT
    # response) over its answers was a query of its own, slower than the
    # cells' at the realistic year; bench/RESULTS.md.)
    ticked = tuple(
        (planned.question_id, item)
        for planned in questions
        if planned.question_id in multiple
        for item in planned.items
    )
    counts = {
        "respondents": Count("pk", filter=counted),
        # Submitted first: the EXISTS of `started` is then only evaluated for
        # the responses not submitted (0,2 s at 29 000 submitted kommun
        # responses when it came first).
        "not_submitted": Count("pk", filter=~submitted & started),
        **{
            f"applicable_{pk}": Count("pk", filter=counted & holds)
            for pk, holds in exists_q.items()
        },
        **{
            f"ticked_{n}": Count("pk", filter=counted & Q(_has_answer(pk, item.row_id)))
            for n, (pk, item) in enumerate(ticked)
        },
    }
    columns = STATEMENT_COLUMNS
    parts = [
        # COUNT(*), not COUNT(id): the same number (an id is never NULL), but
        # with COUNT(id) PostgreSQL chose to sort the answers (on disk at scale
        # 10) instead of hashing them, 2.5 times slower per region
        # (bench/RESULTS.md).
        _grouped(
            answers,
            _group_expr(questionnaire, level, "response__organisation__"),
            {"n": Count("*"), "total": Sum("number")},
            by=CELL_COLUMNS[1:6],
        ).annotate(**{PART: Value(CELLS)}),
        _grouped(
            responses,
            _group_expr(questionnaire, level, "organisation__"),
            {COUNTS: _Joined(list(counts.values()))},
        ).annotate(**{PART: Value(RESPONDENTS)}),
        _grouped(
            frame, _group_expr(questionnaire, level, ""), {"n": Count("pk")}
        ).annotate(**{PART: Value(FRAME)}),
    ]
    if level != Level.RIKET:
        organisations = _groups_queryset(questionnaire, level, within_rss=within_rss)
        parts.append(
            organisations.order_by().annotate(
                group=F("pk"),
                slot=F("code"),
                g_name=F("name"),
                g_short_name=F("short_name"),
                # The register's published order, numbered in SQL: the rows of
                # a UNION ALL come in no promised order, and sorting the codes
                # in Python could differ from the database's collation.
                n=Window(RowNumber(), order_by=GROUP_ORDER),
                **{PART: Value(GROUPS)},
            )
        )
    built = TabulationQueries(
        questions=questions,
        cell_tests=cell_tests,
        by_exists=tuple(exists_q),
        multiple=multiple,
        ticked=tuple((pk, item.row_code) for pk, item in ticked),
        counts=tuple(counts),
        statement=compiled(_union([_padded(part, columns) for part in parts])),
        tests_by_cell=_tests_by_cell(cell_tests),
        parents=frozenset(test.question_id for test in cell_tests.values()),
        kommun_counts=frozenset(q.question_id for q in questions if q.is_kommun_count),
    )
    # The counting loop unpacks the rows by position.
    if built.statement.columns != columns:
        raise RuntimeError(f"Unexpected columns: {built.statement.columns}")
    return built


def _tests_by_cell(
    tests: Mapping[int, CellTest],
) -> dict[tuple[int, str, int | None], tuple[tuple[int, CellTest], ...]]:
    """The questions' cell tests by the cells they test, so that a cell's
    tests are looked up, not every test tried on every cell."""
    by_cell: dict[tuple[int, str, int | None], list[tuple[int, CellTest]]] = {}
    for question_id, test in tests.items():
        for cell in test.cells():
            by_cell.setdefault(cell, []).append((question_id, test))
    return {cell: tuple(found) for cell, found in by_cell.items()}


class _Joined(Func):
    """Counts as one text, "3,0,2": integers, never NULL (a COUNT), so
    without Concat's COALESCE around each, and flat (SQLite's parser
    overflows on Concat's nesting of one pair in the next)."""

    template = "(%(expressions)s)"
    arg_joiner = " || ',' || "
    output_field = TextField()

    def __init__(self, counts: list[Any]) -> None:
        super().__init__(*(Cast(count, TextField()) for count in counts))


def _has_answer(question_id: int, row_id: int | None) -> Exists:
    """The response has an answer to the item (a question, or a row of it)."""
    answers = Answer.objects.filter(response=OuterRef("pk"), question_id=question_id)
    return Exists(
        answers.filter(row__isnull=True)
        if row_id is None
        else answers.filter(row_id=row_id)
    )


# A NULL of each column's type, for the parts without the column: PostgreSQL
# gives a UNION's column the type of its first typed member, and a bare NULL in
# the first two members would make it text.
_NULL_AS: dict[str, Field[Any, Any]] = {
    **dict.fromkeys(
        ("group", "question_id", "row_id", "option_id", "n"), IntegerField()
    ),
    **dict.fromkeys(("slot", COUNTS, "g_name", "g_short_name"), TextField()),
    "escaped": BooleanField(),
    "total": Answer._meta.get_field("number"),
}


class _Null(Cast):
    """A NULL of a type. A constant, so never in a GROUP BY: Django would
    group by a Cast, and at riket, where a part has no other GROUP BY, that
    would give no row instead of one when nothing matches."""

    def __init__(self, output_field: Field[Any, Any]) -> None:
        super().__init__(Value(None), output_field)

    def get_group_by_cols(self) -> list[Any]:
        return []


def _padded(queryset: QuerySet[Any], columns: tuple[str, ...]) -> QuerySet[Any]:
    """The queryset's rows with every column of the statement, in its order:
    NULL where the part has no such column."""
    present = set(queryset.query.values_select) | set(queryset.query.annotations)
    missing = {
        column: _Null(_NULL_AS[column]) for column in columns if column not in present
    }
    padded: QuerySet[Any] = queryset.annotate(**missing).values(*columns)
    return padded


def _union(parts: list[QuerySet[Any]]) -> QuerySet[Any]:
    first, *rest = parts
    combined: QuerySet[Any] = first.union(*rest, all=True)
    return combined


def _grouped(
    queryset: QuerySet[Any],
    group: GroupExpr,
    aggregates: Mapping[str, Any],
    *,
    by: tuple[str, ...] = (),
) -> QuerySet[Any]:
    """One row per group (and `by` values): the group first, then `by`, then
    the aggregates. At riket the group is a constant NULL, which Django leaves
    out of the GROUP BY: without `by` that is one row, as `aggregate()` gives,
    even when nothing matches."""
    if group is None:
        group = Value(None, output_field=IntegerField())
    grouped: QuerySet[Any] = (
        queryset.annotate(group=group)
        .values("group", *by)
        .annotate(**aggregates)
        .order_by()
    )
    return grouped
