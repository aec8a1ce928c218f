"""Tabulation in the database: counts, bases and the three kinds of "no number".

`tabulate(questionnaire, level=...)` returns, for every question (every row of a
matrix), one `ItemCounts` per group of the level: riket (one group), region,
RSS or kommun. Counting is done by GROUP BY in SQL, in one statement for a
whole questionnaire (`reports.tabulation.queries`; 3 queries more the first time a questionnaire's structure is read in a process:
`reports.tabulation.plan`), whatever the number of questions or respondents.

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
from typing import Any, NamedTuple

from intake.condition_sql import CellTest
from reports.tabulation.plan import Plan, plan_of
from reports.tabulation.queries import (
    CELL_COLUMNS,
    CELLS,
    COUNTS,
    FRAME,
    PART,
    RESPONDENTS,
    STATEMENT_COLUMNS,
    TabulationQueries,
    tabulation_queries,
)
from reports.tabulation.results import (
    ANSWERED_SLOT,
    NOT_ANSWERED_SLOT,
    NOT_APPLICABLE_SLOT,
    RIKET,
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
from surveys.models import Organisation, Questionnaire

# --- tabulation ------------------------------------------------------------------------

# An ItemCounts (a named tuple) made of all its fields in order, without the
# named tuple's own `__new__`, a Python function with keywords and defaults:
# the counting loop makes one per group and item (bench/RESULTS.md).
_new = tuple.__new__

# Positions in the statement's rows (reports.tabulation.queries).
_PART = STATEMENT_COLUMNS.index(PART)
_N = CELL_COLUMNS.index("n")
_SLOT = CELL_COLUMNS.index("slot")
_COUNTS = STATEMENT_COLUMNS.index(COUNTS)
_NAME = STATEMENT_COLUMNS.index("g_name")
_SHORT_NAME = STATEMENT_COLUMNS.index("g_short_name")


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
    plan = plan_of(questionnaire)
    queries = tabulation_queries(
        questionnaire,
        plan,
        level=level,
        within_rss=within_rss,
        variables=variables,
        selection=selection,
    )
    # One statement (reports.tabulation.queries): its cells summed in one pass
    # over its rows, then the other parts' rows (one per group, or fewer).
    cells = _Cells(queries.statement.rows(), plan, queries)
    frame_by_group: dict[int | None, int] = {}
    respondents: dict[int | None, int] = {}
    not_submitted: dict[int | None, int] = {}
    applicable: dict[int, dict[int | None, int]] = {pk: {} for pk in queries.by_exists}
    # A multiple choice's respondents who answered (ticked an option), not the
    # sum of its cells.
    ticked: dict[tuple[int, str | None], dict[int | None, int]] = {
        item: {} for item in queries.ticked
    }
    exists_at = 2 + len(queries.by_exists)
    ordered: list[tuple[int, Group]] = []
    for row in cells.other_rows:
        part = row[_PART]
        if part == RESPONDENTS:
            g = row[0]
            counts = [int(n) for n in row[_COUNTS].split(",")]
            respondents[g] = counts[0]
            not_submitted[g] = counts[1]
            for pk, holds in zip(queries.by_exists, counts[2:exists_at], strict=True):
                applicable[pk][g] = holds
            for item, n in zip(queries.ticked, counts[exists_at:], strict=True):
                ticked[item][g] = n
        elif part == FRAME:
            frame_by_group[row[0]] = row[_N]
        else:
            ordered.append(
                (row[_N], Group(row[0], row[_SLOT], row[_NAME], row[_SHORT_NAME]))
            )
    # From here on the loops run over aggregated rows (groups × cells), never
    # over answers; the figures are kept per item, then per group, so that the
    # loop over groups and items below needs one look-up of an int each.
    groups = (
        [RIKET]
        if level == Level.RIKET
        else [group for _, group in sorted(ordered, key=_first)]
    )
    by_item = cells.by_item
    kommun_sums = cells.kommun_sums
    for (g, pk), n in cells.applicable.items():
        applicable.setdefault(pk, {})[g] = n
    summaries = tuple(
        GroupSummary(
            group=g,
            frame=frame_by_group.get(g.key, 0),
            respondents=respondents.get(g.key, 0),
            not_submitted=not_submitted.get(g.key, 0),
        )
        for g in groups
    )
    # Per group: its key, respondents and frame, and the ItemCounts of an item
    # shown to all of them that none answered. That one is the same for every
    # such item, so it is made once per group and shared (an ItemCounts is
    # immutable): at 2 100 synthetic regions, most without respondents, making
    # one per group and item was most of a tabulation (bench/RESULTS.md).
    per_group = [
        _PerGroup(
            g,
            g.key,
            n := respondents.get(g.key, 0),
            frame := frame_by_group.get(g.key, 0),
            _new(ItemCounts, (g, n, 0, n, 0, 0, {}, None, frame)),
        )
        for g in groups
    ]
    # A group absent from every count (no respondents, no cells, nobody
    # shown or ticking anything) gets its `unanswered` for every item: each
    # item starts from those and only the groups found in the data are
    # counted (at scale 100 per region, 21 of 2 100 groups: looping over all
    # of them for every item was most of the tabulation's Python).
    found_keys = set(respondents).union(
        cells.groups, *applicable.values(), *ticked.values()
    )
    quiet = tuple(p.unanswered for p in per_group)
    counted = [(i, p) for i, p in enumerate(per_group) if p.key in found_keys]
    # The counted groups by key: their place in `quiet`, group, respondents,
    # frame and the counts their items share (`_answered_by_all`).
    places: dict[int | None, _Place] = {
        p.key: (i, p.group, p.respondents, p.frame, {}) for i, p in counted
    }
    no_kommun_counts = (
        {g.key: _kommun_item(g, {}) for g in groups} if queries.kommun_counts else {}
    )
    no_cells: dict[int | None, _ItemCells] = {}
    tabulated = []
    for planned in queries.questions:
        qid = planned.question_id
        items = []
        for planned_item in planned.items:
            rcode = planned_item.row_code
            if planned.is_kommun_count:
                sums = kommun_sums.get((qid, rcode or None), {})
                by_group = tuple(
                    _kommun_item(p.group, found)
                    if (found := sums.get(p.key)) is not None
                    else no_kommun_counts[p.key]
                    for p in per_group
                )
            elif not planned.has_condition and qid not in queries.multiple:
                by_group = _answered_items(
                    places,
                    quiet,
                    by_item.get((qid, rcode), no_cells),
                    planned.is_number,
                    plan.option_code,
                )
            else:
                by_group = _items_by_group(
                    counted,
                    places,
                    quiet,
                    by_item.get((qid, rcode), no_cells),
                    applicable.get(qid, {}) if planned.has_condition else None,
                    ticked.get((qid, rcode), {}) if qid in queries.multiple else None,
                    planned.is_number,
                    plan.option_code,
                )
            items.append(
                Item(question=planned.ref, row=planned_item.row, by_group=by_group)
            )
        tabulated.append(QuestionTabulation(question=planned.ref, items=tuple(items)))

    return Tabulation(
        questionnaire_id=questionnaire.pk,
        title=questionnaire.title,
        audience=questionnaire.audience,
        year=questionnaire.cycle.year,
        level=level,
        groups=summaries,
        questions=tuple(tabulated),
        selection=selection,
    )


def _first(pair: tuple[int, Group]) -> int:
    return pair[0]


# One item's cells in one group, summed, as a list (a list is cheaper than
# an object with attributes): the cells' count (not for a multiple choice),
# the escape answers, the numbers given, their sum and the count per option
# code. An item's only cell in a group (per region at the realistic year,
# nearly every item's) is kept as the statement's row instead, and read as
# such (`_summed`, `_answered_by_all`): making a list of each was a fifth of
# the counting loop, and the collector's passes over them more.
_ANY, _ESCAPED, _NUMBERS, _TOTAL, _OPTIONS = range(5)
# Sums (a list) or the one cell's row (a tuple).
_ItemCells = list[Any] | Sequence[Any]


class _Cells:
    """The statement's answer cells summed per item (question and row code)
    and group, in one pass over its rows (`by_item`, `_ANY` …); apart, the
    RSS kommun counts' numbers summed per item, group and slot
    (`kommun_sums`, `_kommun_slot`), and per (group, question) the responses
    for which the question's display condition holds when that is a
    `CellTest`: the answers that pass it (`applicable`; groups without such
    an answer are left out: 0). `groups`: the groups with cells;
    `other_rows`: the rows of the other parts."""

    def __init__(
        self, rows: Iterable[Sequence[Any]], plan: Plan, queries: TabulationQueries
    ) -> None:
        option_code = plan.option_code
        row_code = plan.row_code
        kommun_counts = queries.kommun_counts
        parents = queries.parents
        tests_by_cell = queries.tests_by_cell
        self.other_rows: list[Sequence[Any]] = []
        self.by_item: dict[tuple[int, str | None], dict[int | None, _ItemCells]] = {}
        self.kommun_sums: dict[
            tuple[int, str | None], dict[int | None, dict[str, int]]
        ] = {}
        self.applicable: dict[tuple[int | None, int], int] = {}
        self.groups: set[int | None] = set()
        other_rows = self.other_rows
        by_item = self.by_item
        applicable = self.applicable
        # Per (question, row id) its item's groups, so that a cell's item is
        # found with one look-up.
        item_groups: dict[tuple[int, int | None], dict[int | None, _ItemCells]] = {}
        # A kommun count's (question, slot) parsed once, not once per group:
        # its item and key (`_kommun_slot`), and that item's sums per group.
        kommun_slots: dict[
            tuple[int, str], tuple[str, dict[int | None, dict[str, int]]]
        ] = {}
        for row in rows:
            if row[_PART] != CELLS:
                other_rows.append(row)
                continue
            g, qid, slot, row_id, option_id, escaped, n, total, _, _, _, _ = row
            if qid in parents:
                for question_id, test in tests_by_cell.get((qid, slot, row_id), ()):
                    if test.passes(option_id, escaped):
                        key = (g, question_id)
                        applicable[key] = applicable.get(key, 0) + n
            if qid in kommun_counts:
                self.groups.add(g)
                if total is not None:
                    found = kommun_slots.get((qid, slot))
                    if found is None:
                        of, slot_key = _kommun_slot(slot)
                        found = kommun_slots[qid, slot] = (
                            slot_key,
                            self.kommun_sums.setdefault((qid, of), {}),
                        )
                    slot_key, sums_by_group = found
                    sums = sums_by_group.get(g)
                    if sums is None:
                        sums = sums_by_group[g] = {}
                    sums[slot_key] = sums.get(slot_key, 0) + int(total)
                continue
            groups = item_groups.get((qid, row_id))
            if groups is None:
                item = (qid, row_code.get(row_id) if row_id else None)
                groups = item_groups[qid, row_id] = by_item.setdefault(item, {})
            # The item's first cell in the group (at the realistic year per
            # region, usually its only one) is kept as the row itself, summed
            # only if a second one comes (`_summed`).
            cells = groups.setdefault(g, row)
            if cells is row:
                continue
            if type(cells) is not list:
                cells = groups[g] = _summed(cells, option_code)
            cells[_ANY] += n
            if escaped:
                cells[_ESCAPED] += n
            elif option_id:
                code = option_code[option_id]
                options = cells[_OPTIONS]
                options[code] = options.get(code, 0) + n
            elif total is not None:
                cells[_NUMBERS] += n
                cells[_TOTAL] = (cells[_TOTAL] or Decimal(0)) + total
        for groups in by_item.values():
            self.groups.update(groups)


# Positions in a cells row.
_OPTION_ID, _IS_ESCAPED, _TOTAL_OF = (
    CELL_COLUMNS.index("option_id"),
    CELL_COLUMNS.index("escaped"),
    CELL_COLUMNS.index("total"),
)


def _summed(row: Sequence[Any], option_code: Mapping[int, str]) -> list[Any]:
    """An item's one cell row in a group as its sums (`_ANY` …)."""
    n = row[_N]
    if row[_IS_ESCAPED]:
        return [n, n, 0, None, {}]
    if option_id := row[_OPTION_ID]:
        return [n, 0, 0, None, {option_code[option_id]: n}]
    if (total := row[_TOTAL_OF]) is not None:
        return [n, 0, n, Decimal(0) + total, {}]
    return [n, 0, 0, None, {}]


_Place = tuple[int, Group, int, int, dict[str | None, ItemCounts]]


class _PerGroup(NamedTuple):
    group: Group
    key: int | None
    respondents: int
    frame: int
    # The item's counts when every respondent was shown it and none answered.
    unanswered: ItemCounts


def _items_by_group(
    counted: Sequence[tuple[int, _PerGroup]],
    places: Mapping[int | None, _Place],
    quiet: tuple[ItemCounts, ...],
    cells_by_group: Mapping[int | None, _ItemCells],
    applicable: Mapping[int | None, int] | None,
    ticked: Mapping[int | None, int] | None,
    is_number: bool,
    option_code: Mapping[int, str],
) -> tuple[ItemCounts, ...]:
    """One item's ItemCounts in every group: `quiet` (each group's
    `unanswered`) but for the `counted` groups (with their place in `quiet`).
    `applicable`: per group, the respondents shown the item (None: no display
    condition, all of them); `ticked`: for a multiple choice, per group, the
    respondents who ticked an option (else the item's cells are one per
    respondent who answered)."""
    result = list(quiet)
    for at, (group, key, respondents, frame, _) in counted:
        shown = respondents if applicable is None else applicable.get(key, 0)
        cells = cells_by_group.get(key)
        if cells is None:
            any_answer = 0 if ticked is None else ticked.get(key, 0)
            if shown == respondents and not any_answer:
                continue
            result[at] = _new(
                ItemCounts,
                (
                    group,
                    respondents,
                    respondents - shown,
                    shown - any_answer if shown > any_answer else 0,
                    0,
                    0 if is_number else any_answer,
                    {},
                    None,
                    frame,
                ),
            )
            continue
        if type(cells) is list:
            any_answer, escaped, numbers, total, options = cells
        elif (
            shown == respondents
            and ticked is None
            and cells[_N] == respondents
            and not (is_number or cells[_IS_ESCAPED])
        ):
            same = places[key][4]
            option_id = cells[_OPTION_ID]
            answer = option_code[option_id] if option_id else None
            found = same.get(answer)
            if found is None:
                found = same[answer] = _answered_by_all(
                    group, respondents, frame, answer
                )
            result[at] = found
            continue
        else:
            any_answer, escaped, numbers, total, options = _summed(cells, option_code)
        if ticked is not None:
            any_answer = ticked.get(key, 0)
        result[at] = _new(
            ItemCounts,
            (
                group,
                respondents,
                respondents - shown,
                shown - any_answer if shown > any_answer else 0,
                escaped,
                numbers if is_number else any_answer - escaped,
                # Its own dict: the ItemCounts keeps it.
                options,
                total if is_number else None,
                frame,
            ),
        )
    return tuple(result)


def _answered_items(
    places: Mapping[int | None, _Place],
    quiet: tuple[ItemCounts, ...],
    cells_by_group: Mapping[int | None, _ItemCells],
    is_number: bool,
    option_code: Mapping[int, str],
) -> tuple[ItemCounts, ...]:
    """`_items_by_group` of an item shown to every respondent, not a multiple
    choice (most items): only the groups with cells differ from `quiet`."""
    result = list(quiet)
    for key, cells in cells_by_group.items():
        place = places.get(key)
        if place is None:
            continue
        at, group, respondents, frame, same = place
        if type(cells) is not list:
            if cells[_N] == respondents and not (is_number or cells[_IS_ESCAPED]):
                # `_answered_by_all`, written out here: most items take this
                # way, and a call each was a tenth of the loop.
                option_id = cells[_OPTION_ID]
                answer = option_code[option_id] if option_id else None
                found = same.get(answer)
                if found is None:
                    found = same[answer] = _answered_by_all(
                        group, respondents, frame, answer
                    )
                result[at] = found
                continue
            cells = _summed(cells, option_code)
        any_answer, escaped, numbers, total, options = cells
        result[at] = _new(
            ItemCounts,
            (
                group,
                respondents,
                0,
                respondents - any_answer if respondents > any_answer else 0,
                escaped,
                numbers if is_number else any_answer - escaped,
                options,
                total if is_number else None,
                frame,
            ),
        )
    return tuple(result)


def _answered_by_all(
    group: Group, respondents: int, frame: int, answer: str | None
) -> ItemCounts:
    """The counts of an item shown to all of a group's respondents, neither
    a number nor escaped, when every respondent gave the same `answer` (an
    option's code; None: a text) in its one cell (per region at the
    realistic year, its one respondent): counts that only the answer
    decides, so made once per group and answer and shared by the items with
    it (an ItemCounts is immutable), as `unanswered` is. Fewer objects made:
    the collector's passes over them were a sixth of the tabulation's
    Python."""
    return _new(
        ItemCounts,
        (
            group,
            respondents,
            0,
            0,
            0,
            respondents,
            {answer: respondents} if answer is not None else {},
            None,
            frame,
        ),
    )


def _kommun_slot(slot: str) -> tuple[str | None, str]:
    """The item (row code, None for a question without rows) and the key of an
    RSS kommun count's slot: "<option>" or "<row>.<option>", and the base slots
    "_svarat", "<row>._svarat" and so on."""
    row, dot, key = slot.rpartition(".")
    return (row if dot else None), key


def _kommun_count(
    group: Group, cells: Iterable[tuple[str, Decimal | None]], row: str | None
) -> ItemCounts:
    """An RSS kommun count's item from its question's cells' (slot, sum of the
    numbers)."""
    item = row or None
    sums: dict[str, int] = {}
    for slot, total in cells:
        if total is None:
            continue
        of, key = _kommun_slot(slot)
        if of == item:
            sums[key] = sums.get(key, 0) + int(total)
    return _kommun_item(group, sums)


def _kommun_item(group: Group, sums: Mapping[str, int]) -> ItemCounts:
    """An RSS kommun count's item from its slots' sums (in kommuner)."""
    counts = dict(sums)
    base = counts.pop(ANSWERED_SLOT, 0)
    not_answered = counts.pop(NOT_ANSWERED_SLOT, 0)
    not_applicable = counts.pop(NOT_APPLICABLE_SLOT, 0)
    respondents = base + not_answered + not_applicable
    return _new(
        ItemCounts,
        (
            group,
            respondents,
            not_applicable,
            not_answered,
            0,
            base,
            counts,
            None,
            respondents,
        ),
    )


def _applicable_from_cells(
    tests: Mapping[int, CellTest], cells: Iterable[Sequence[Any]]
) -> dict[tuple[int | None, int], int]:
    """Per (group, question) the responses for which the question's `CellTest`
    holds: the answers that pass it, from the tabulated cells (rows of
    CELL_COLUMNS: each with its group and count `n`). Groups without such an
    answer are left out (0)."""
    by_cell: dict[tuple[int, str, int | None], list[tuple[int, CellTest]]] = {}
    for question_id, test in tests.items():
        for cell in test.cells():
            by_cell.setdefault(cell, []).append((question_id, test))
    applicable: dict[tuple[int | None, int], int] = {}
    for g, parent, slot, row_id, option_id, escaped, n, *_ in cells:
        for question_id, test in by_cell.get((parent, slot, row_id), ()):
            if test.passes(option_id, escaped):
                key = (g, question_id)
                applicable[key] = applicable.get(key, 0) + n
    return applicable
