"""Tabulation in the database: counts, bases and the three kinds of "no number".

`tabulate(questionnaire, level=...)` returns, for every question (every row of a
matrix), one `ItemCounts` per group of the level: riket (one group), region,
RSS or kommun. Counting is done by GROUP BY in SQL; the number of queries is
fixed for a whole questionnaire (5 at most, 3 more the first time a
questionnaire's structure is read in a process: `reports.tabulation.plan`),
whatever the number of questions or respondents.

Definitions (docs/design.md "three kinds of no number"; 2019 report, footnotes 11-15):

- **respondent** (unit response): by default a submitted response
  (`Selection.SUBMITTED`), the official figures, the same responses the
  kvalitetsdeklaration counts in its response rates. `Selection.STARTED` also
  counts drafts and reopened responses with at least one stored answer, for
  preliminary figures during collection; the tables then say so. The 2019
  kommun survey had 226 respondents of 290.
- **not applicable**: the respondent was not shown the item, because its display
  condition does not hold for the respondent's answers (a hidden follow-up, such
  as 2019 Q2a for kommuner answering Ja on Q2). Conditions are translated into
  EXISTS filters on the parent's stored answers, which gives exactly what
  `surveys.conditions.holds` decides: the services never store an
  answer to a hidden question, so a hidden parent has no answers either.
- **escaped**: the escape answer ("Andelen kan inte uppskattas"); numbers only.
- **not answered** (item nonresponse): applicable, but neither a value nor the
  escape answer.
- **base**: the respondents who gave a substantive answer to the item, the
  denominator of every published share. For a matrix, per row. For a multiple
  choice, those who ticked at least one option; an unticked option of an
  answered question counts as "not ticked" (base − count). For numbers, those
  who gave a number (the escape answer is not in the base).

So for every item: respondents = not_applicable + base + escaped + not_answered.

RSS `kommun_count` questions count kommuner, not RSS: the RSS response stores,
per slot, "<option>" / "<row>.<option>" the number of kommuner and
"_svarat" / "<row>._svarat" the number of member kommuner that answered (the
base), with "_ej_svarat" and "_ej_aktuell" for the rest. Their `ItemCounts`
are sums over the RSS of a group, in kommuner: base = Σ _svarat,
not_answered = Σ _ej_svarat, not_applicable = Σ _ej_aktuell.

This module holds `tabulate` and its counting queries; the types it returns are in
`reports.tabulation.results`, the grouping by level in `reports.tabulation.groups`
and the kvalitetsdeklaration's item nonresponse in `reports.tabulation.nonresponse`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    Sum,
)

from intake.condition_sql import CellTest
from intake.models import Answer, Response, ResponseStatus
from reports.tabulation.groups import (
    _count_by_group,
    _group_expr,
    _groups,
    _per_group,
)
from reports.tabulation.plan import plan_of
from reports.tabulation.results import (
    ANSWERED_SLOT,
    NOT_ANSWERED_SLOT,
    NOT_APPLICABLE_SLOT,
    Group,
    GroupSummary,
    Item,
    ItemCounts,
    Level,
    QuestionTabulation,
    Selection,
    Tabulation,
    levels_for,
)
from surveys.models import (
    Organisation,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import expected_respondents

# --- tabulation ------------------------------------------------------------------------


def tabulate(
    questionnaire: Questionnaire,
    *,
    level: Level = Level.RIKET,
    within_rss: Organisation | None = None,
    variables: Collection[str] | None = None,
    selection: Selection = Selection.SUBMITTED,
) -> Tabulation:
    """Every question of a questionnaire tabulated at one level.

    `within_rss` restricts kommun data to the kommuner of one RSS in the cycle's
    year (for "per kommun within its RSS"); `variables` restricts the result to
    those questions (a page about one question). Groups follow the register's
    published order and include groups without respondents, so that a table has
    a row for every region. Raises ValueError for a level the audience lacks.
    """
    if level not in levels_for(questionnaire.audience):
        raise ValueError(f"Nivån {level} finns inte för enkätens målgrupp.")
    year = questionnaire.cycle.year
    plan = plan_of(questionnaire)
    questions = plan.questions
    if variables is not None:
        # The plan keeps every question: display conditions refer to parents.
        questions = tuple(q for q in questions if q.variable in variables)
    cell_tests = plan.cell_tests
    exists_q = plan.exists_q
    if variables is not None:
        wanted = {q.question_id for q in questions}
        cell_tests = {pk: t for pk, t in cell_tests.items() if pk in wanted}
        exists_q = {pk: c for pk, c in exists_q.items() if pk in wanted}
    option_code = plan.option_code
    row_code = plan.row_code

    responses = Response.objects.filter(questionnaire=questionnaire)
    answers = Answer.objects.filter(response__questionnaire=questionnaire)
    if variables is not None:
        parents = [test.question_id for test in cell_tests.values()]
        answers = answers.filter(question_id__in=[*wanted, *parents])
    frame = expected_respondents(questionnaire)
    if within_rss is not None:
        members = RSSMembership.objects.filter(
            memberships_in_year(year), rss=within_rss
        ).values("kommun_id")
        responses = responses.filter(organisation_id__in=members)
        answers = answers.filter(response__organisation_id__in=members)
        frame = frame.filter(pk__in=members)

    groups = _groups(questionnaire, level, within_rss=within_rss)
    frame_by_group = _count_by_group(frame, _group_expr(questionnaire, level, ""))

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
    respondent_rows = _per_group(
        responses,
        _group_expr(questionnaire, level, "organisation__"),
        {
            "respondents": Count("pk", filter=counted),
            "not_submitted": Count("pk", filter=started & ~submitted),
            **{
                f"applicable_{pk}": Count("pk", filter=counted & holds)
                for pk, holds in exists_q.items()
            },
        },
    )
    answer_group = _group_expr(questionnaire, level, "response__organisation__")
    # COUNT(*), not COUNT(id): the same number (an id is never NULL), but with
    # COUNT(id) PostgreSQL chose to sort the answers (on disk at scale 10)
    # instead of hashing them, 2.5 times slower per region (bench/RESULTS.md).
    cell_rows = _per_group(
        answers,
        answer_group,
        {"n": Count("*"), "total": Sum("number")},
        by=("question_id", "slot", "row_id", "option_id", "escaped"),
    )
    # The respondents who answered an item: a response has one answer cell per
    # question (per row of a matrix; the unique (response, question, slot)),
    # so they are the sum of the item's cells, except for a multiple choice,
    # whose cells are the options ticked: its distinct responses are counted in
    # SQL. The others need no second pass over the answers (issue #20 point 4).
    multiple = plan.multiple if variables is None else plan.multiple & wanted
    base_rows = (
        _per_group(
            answers.filter(question_id__in=sorted(multiple)),
            answer_group,
            {"n": Count("response_id", distinct=True)},
            by=("question_id", "row_id"),
        )
        if multiple
        else []
    )

    # From here on the loops run over aggregated rows (groups × cells), never
    # over answers.
    respondents: dict[int | None, int] = {}
    not_submitted: dict[int | None, int] = {}
    applicable: dict[tuple[int | None, int], int] = {}
    for row in respondent_rows:
        g = row["group"]
        respondents[g] = row["respondents"]
        not_submitted[g] = row["not_submitted"]
        for pk in exists_q:
            applicable[(g, pk)] = row[f"applicable_{pk}"]
    applicable.update(_applicable_from_cells(cell_tests, cell_rows))
    any_answer: dict[tuple[int | None, int, str | None], int] = {}
    for row in base_rows:
        rcode = row_code.get(row["row_id"]) if row["row_id"] else None
        any_answer[(row["group"], row["question_id"], rcode)] = row["n"]
    cells: dict[tuple[int | None, int], list[dict[str, Any]]] = {}
    row_cells: dict[tuple[int | None, int, str | None], list[dict[str, Any]]] = {}
    for row in cell_rows:
        cells.setdefault((row["group"], row["question_id"]), []).append(row)
        rcode = row_code.get(row["row_id"]) if row["row_id"] else None
        item = (row["group"], row["question_id"], rcode)
        row_cells.setdefault(item, []).append(row)
        if row["question_id"] not in multiple:
            any_answer[item] = any_answer.get(item, 0) + row["n"]

    summaries = tuple(
        GroupSummary(
            group=g,
            frame=frame_by_group.get(g.key, 0),
            respondents=respondents.get(g.key, 0),
            not_submitted=not_submitted.get(g.key, 0),
        )
        for g in groups
    )
    # Per group and item only dictionary look-ups and one ItemCounts: at 2 100
    # synthetic regions this loop, not the SQL, was most of a tabulation.
    per_group = [
        (g, g.key, respondents.get(g.key, 0), frame_by_group.get(g.key, 0))
        for g in groups
    ]
    tabulated = []
    for planned in questions:
        qid = planned.question_id
        items = []
        for planned_item in planned.items:
            rcode = planned_item.row_code
            if planned.is_kommun_count:
                by_group = tuple(
                    _kommun_count(g, cells.get((key, qid), ()), rcode)
                    for g, key, _, _ in per_group
                )
            else:
                conditional = planned.has_condition
                is_number = planned.is_number
                by_group = tuple(
                    _item_counts(
                        g,
                        row_cells.get((key, qid, rcode), ()),
                        option_code,
                        is_number,
                        n,
                        applicable.get((key, qid), 0) if conditional else n,
                        any_answer.get((key, qid, rcode), 0),
                        frame,
                    )
                    for g, key, n, frame in per_group
                )
            items.append(
                Item(question=planned.ref, row=planned_item.row, by_group=by_group)
            )
        tabulated.append(QuestionTabulation(question=planned.ref, items=tuple(items)))

    return Tabulation(
        questionnaire_id=questionnaire.pk,
        title=questionnaire.title,
        audience=questionnaire.audience,
        year=year,
        level=level,
        groups=summaries,
        questions=tuple(tabulated),
        selection=selection,
    )


def _item_counts(
    group: Group,
    cells: Sequence[Mapping[str, Any]],
    option_code: Mapping[int, str],
    is_number: bool,
    respondents: int,
    applicable: int,
    any_answer: int,
    frame: int,
) -> ItemCounts:
    counts: dict[str, int] = {}
    escaped = 0
    numbers = 0
    total: Decimal | None = None
    for cell in cells:
        if cell["escaped"]:
            escaped += cell["n"]
        elif cell["option_id"]:
            code = option_code[cell["option_id"]]
            counts[code] = counts.get(code, 0) + cell["n"]
        elif cell["total"] is not None:
            numbers += cell["n"]
            total = (total or Decimal(0)) + cell["total"]
    if is_number:
        base = numbers
        if total is None:
            total = Decimal(0) if numbers else None
    else:
        base = any_answer - escaped
    return ItemCounts(
        group=group,
        respondents=respondents,
        not_applicable=respondents - applicable,
        not_answered=max(applicable - any_answer, 0),
        escaped=escaped,
        base=base,
        counts=counts,
        total=total if is_number else None,
        frame=frame,
    )


def _kommun_count(
    group: Group, cells: Sequence[Mapping[str, Any]], row: str | None
) -> ItemCounts:
    prefix = f"{row}." if row else ""
    sums: dict[str, int] = {}
    for cell in cells:
        slot = cell["slot"]
        if not slot.startswith(prefix) or cell["total"] is None:
            continue
        key = slot[len(prefix) :]
        if "." in key:  # another row's cell when this item has no row
            continue
        sums[key] = sums.get(key, 0) + int(cell["total"])
    base = sums.pop(ANSWERED_SLOT, 0)
    not_answered = sums.pop(NOT_ANSWERED_SLOT, 0)
    not_applicable = sums.pop(NOT_APPLICABLE_SLOT, 0)
    return ItemCounts(
        group=group,
        respondents=base + not_answered + not_applicable,
        not_applicable=not_applicable,
        not_answered=not_answered,
        escaped=0,
        base=base,
        counts=sums,
        frame=base + not_answered + not_applicable,
    )


def _applicable_from_cells(
    tests: Mapping[int, CellTest], cells: Iterable[Mapping[str, Any]]
) -> dict[tuple[int | None, int], int]:
    """Per (group, question) the responses for which the question's `CellTest`
    holds: the answers that pass it, from the tabulated cells (each with its
    group and count `n`). Groups without such an answer are left out (0)."""
    by_parent: dict[int, list[tuple[int, CellTest]]] = {}
    for question_id, test in tests.items():
        by_parent.setdefault(test.question_id, []).append((question_id, test))
    applicable: dict[tuple[int | None, int], int] = {}
    for cell in cells:
        for question_id, test in by_parent.get(cell["question_id"], ()):
            if test.holds(cell):
                key = (cell["group"], question_id)
                applicable[key] = applicable.get(key, 0) + cell["n"]
    return applicable
