"""Tabulation in the database: counts, bases and the three kinds of "no number".

`tabulate(questionnaire, level=...)` returns, for every question (every row of a
matrix), one `ItemCounts` per group of the level: riket (one group), region,
RSS or kommun. Counting is done by GROUP BY in SQL; the number of queries is
fixed for a whole questionnaire (8 at most), whatever the number of questions
or respondents.

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
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from intake.condition_sql import ByQuestionId, CellTest, cell_test, holds_q
from intake.models import Answer, Response, ResponseStatus
from surveys.kinds import CLOSED_KINDS, NUMBER_KINDS, facts
from surveys.models import (
    MatrixRow,
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import expected_respondents

GroupExpr = Expression | F | Subquery | None

# Slots of a kommun_count answer that are not options (the consolidation contract).
ANSWERED_SLOT = "_svarat"
NOT_ANSWERED_SLOT = "_ej_svarat"
NOT_APPLICABLE_SLOT = "_ej_aktuell"


# Said wherever preliminary figures (Selection.STARTED) are shown or exported.
PRELIMINARY_NOTE = "Preliminära siffror: även svar som inte har skickats in ingår"


class Selection(enum.StrEnum):
    """Which responses a tabulation counts; every export records it."""

    SUBMITTED = "inskickade"  # the official figures
    STARTED = "paborjade"  # also begun but not (or no longer) submitted: preliminary

    @property
    def label(self) -> str:
        return {
            "inskickade": "Endast inskickade svar",
            "paborjade": "Även svar som inte har skickats in (preliminärt)",
        }[self.value]


class Level(enum.StrEnum):
    RIKET = "riket"
    REGION = "region"
    RSS = "rss"
    KOMMUN = "kommun"

    @property
    def label(self) -> str:
        return {
            "riket": "Riket",
            "region": "Per region (län)",
            "rss": "Per RSS",
            "kommun": "Per kommun",
        }[self.value]


def levels_for(audience: str) -> tuple[Level, ...]:
    """The levels a questionnaire's answers can be grouped by."""
    if audience == OrganisationKind.KOMMUN:
        return (Level.RIKET, Level.REGION, Level.RSS, Level.KOMMUN)
    if audience == OrganisationKind.RSS:
        return (Level.RIKET, Level.REGION, Level.RSS)
    return (Level.RIKET, Level.REGION)


# --- result types ----------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class QuestionRef:
    """What writers need to know of a question, without the ORM."""

    id: int
    variable: str
    number: str
    kind: str
    text: str
    label: str
    escape_label: str
    unit: str
    national_figure: str
    has_condition: bool
    options: tuple[Choice, ...]
    rows: tuple[Choice, ...]

    @property
    def is_closed(self) -> bool:
        return self.kind in CLOSED_KINDS

    @property
    def is_number(self) -> bool:
        return self.kind in NUMBER_KINDS

    @property
    def is_kommun_count(self) -> bool:
        return facts(self.kind).kommun_counts


@dataclass(frozen=True)
class Group:
    """One row of a level: riket, or one organisation (region, RSS or kommun)."""

    key: int | None  # organisation id; None for riket
    code: str
    name: str
    short_name: str


RIKET = Group(key=None, code="riket", name="Riket", short_name="Riket")


@dataclass(frozen=True)
class GroupSummary:
    group: Group
    frame: int  # expected respondents (the roster)
    respondents: int
    # Begun (at least one answer) but not submitted now: left out of the
    # respondents under Selection.SUBMITTED, among them under Selection.STARTED.
    not_submitted: int = 0

    @property
    def response_share(self) -> Fraction | None:
        return Fraction(self.respondents, self.frame) if self.frame else None


@dataclass(frozen=True)
class ItemCounts:
    """One item (a question, or one matrix row) in one group. See the module
    docstring for the definitions."""

    group: Group
    respondents: int
    not_applicable: int
    not_answered: int
    escaped: int
    base: int
    counts: Mapping[str, int] = field(default_factory=dict)  # option code -> count
    total: Decimal | None = None  # numbers: the sum of the numbers given

    @property
    def applicable(self) -> int:
        return self.respondents - self.not_applicable

    def count(self, code: str) -> int:
        return self.counts.get(code, 0)

    def not_ticked(self, code: str) -> int:
        """Multiple choice: answered the question but left this option unticked."""
        return self.base - self.count(code)

    def share(self, code: str) -> Fraction | None:
        return Fraction(self.count(code), self.base) if self.base else None

    @property
    def mean(self) -> Fraction | None:
        """Numbers: the plain (unweighted) mean of the numbers given."""
        if self.total is None or not self.base:
            return None
        return Fraction(self.total) / self.base

    def figure(self, rule: str) -> Fraction | None:
        """Numbers: the group's figure as the question defines it (NationalFigure):
        the sum for "sum", otherwise the mean. For one organisation, its value."""
        if self.total is None or not self.base:
            return None
        return Fraction(self.total) if rule == "sum" else self.mean


@dataclass(frozen=True)
class Item:
    question: QuestionRef
    row: Choice | None
    by_group: tuple[ItemCounts, ...]

    @property
    def label(self) -> str:
        return self.row.label if self.row else self.question.label


@dataclass(frozen=True)
class QuestionTabulation:
    question: QuestionRef
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Tabulation:
    questionnaire_id: int
    title: str
    audience: str
    year: int
    level: Level
    groups: tuple[GroupSummary, ...]
    questions: tuple[QuestionTabulation, ...]
    selection: Selection = Selection.SUBMITTED

    def question(self, variable: str) -> QuestionTabulation:
        for question in self.questions:
            if question.question.variable == variable:
                return question
        raise KeyError(variable)

    @property
    def frame(self) -> int:
        return sum(g.frame for g in self.groups)

    @property
    def respondents(self) -> int:
        return sum(g.respondents for g in self.groups)

    @property
    def not_submitted(self) -> int:
        return sum(g.not_submitted for g in self.groups)

    @property
    def selection_note(self) -> str:
        """Which responses the figures are from, in words for a table's reader."""
        if self.selection == Selection.STARTED:
            return (
                f"{PRELIMINARY_NOTE} ({self.not_submitted} av {self.respondents} "
                "svarande)."
            )
        if self.not_submitted:
            return (
                "Endast inskickade svar ingår; "
                f"{self.not_submitted} påbörjade svar som inte har skickats in "
                "ingår inte."
            )
        return "Endast inskickade svar ingår."


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
    questions = list(
        Question.objects.filter(questionnaire=questionnaire)
        .order_by("position")
        .prefetch_related("options", "rows")
    )
    by_variable = {q.variable: q for q in questions}
    if variables is not None:
        # Every question stays loaded: display conditions refer to parents.
        questions = [q for q in questions if q.variable in variables]
    refs = {q.pk: _ref(q) for q in questions}
    option_code = {o.pk: o.code for q in questions for o in q.options.all()}
    row_code = {r.pk: r.code for q in questions for r in q.rows.all()}

    conditional = [q for q in questions if q.condition]
    # A display condition that tests one answer cell is counted from the cells
    # tabulated anyway; the others (any row, all, any) need an EXISTS per response.
    cell_tests = {
        q.pk: test
        for q in conditional
        if (test := cell_test(q.display_condition, by_variable)) is not None
    }
    by_exists = [q for q in conditional if q.pk not in cell_tests]

    responses = Response.objects.filter(questionnaire=questionnaire)
    answers = Answer.objects.filter(response__questionnaire=questionnaire)
    if variables is not None:
        parents = [test.question_id for test in cell_tests.values()]
        answers = answers.filter(question_id__in=[*refs, *parents])
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
                f"applicable_{q.pk}": Count(
                    "pk",
                    filter=counted
                    & holds_q(q.display_condition, ByQuestionId(by_variable)),
                )
                for q in by_exists
            },
        },
    )
    answer_group = _group_expr(questionnaire, level, "response__organisation__")
    cell_rows = _per_group(
        answers,
        answer_group,
        {"n": Count("pk"), "total": Sum("number")},
        by=("question_id", "slot", "row_id", "option_id", "escaped"),
    )
    base_rows = _per_group(
        answers,
        answer_group,
        {"n": Count("response_id", distinct=True)},
        by=("question_id", "row_id"),
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
        for q in by_exists:
            applicable[(g, q.pk)] = row[f"applicable_{q.pk}"]
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
        row_cells.setdefault((row["group"], row["question_id"], rcode), []).append(row)

    summaries = tuple(
        GroupSummary(
            group=g,
            frame=frame_by_group.get(g.key, 0),
            respondents=respondents.get(g.key, 0),
            not_submitted=not_submitted.get(g.key, 0),
        )
        for g in groups
    )
    tabulated = []
    for question in questions:
        ref = refs[question.pk]
        items = []
        for row_choice in ref.rows or (None,):
            by_group = []
            for g in groups:
                n_respondents = respondents.get(g.key, 0)
                n_applicable = (
                    applicable.get((g.key, question.pk), 0)
                    if question.condition
                    else n_respondents
                )
                rcode = row_choice.code if row_choice else None
                if ref.is_kommun_count:
                    counts = _kommun_count(
                        g, cells.get((g.key, question.pk), []), rcode
                    )
                else:
                    counts = _item_counts(
                        ref,
                        g,
                        row_cells.get((g.key, question.pk, rcode), []),
                        option_code,
                        respondents=n_respondents,
                        applicable=n_applicable,
                        any_answer=any_answer.get((g.key, question.pk, rcode), 0),
                    )
                by_group.append(counts)
            items.append(Item(question=ref, row=row_choice, by_group=tuple(by_group)))
        tabulated.append(QuestionTabulation(question=ref, items=tuple(items)))

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
    ref: QuestionRef,
    group: Group,
    cells: Sequence[Mapping[str, Any]],
    option_code: Mapping[int, str],
    *,
    respondents: int,
    applicable: int,
    any_answer: int,
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
    if ref.is_number:
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
        total=total if ref.is_number else None,
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


# --- groups ----------------------------------------------------------------------------


def _group_expr(questionnaire: Questionnaire, level: Level, prefix: str) -> GroupExpr:
    """The organisation id a row is grouped under; `prefix` reaches the
    organisation ("" for organisations themselves)."""
    org = f"{prefix}pk" if not prefix else f"{prefix}id"
    if level == Level.RIKET:
        return None
    if level == Level.REGION:
        return F(f"{prefix}region_id")
    if level == Level.RSS and questionnaire.audience == OrganisationKind.KOMMUN:
        # Ordered by the membership's own column: the model's default ordering
        # joined two organisations and sorted them for every answer, which was
        # most of the time of a kommun table workbook. A kommun has one
        # membership a year (check_rss_coverage); the order only settles
        # overlapping data.
        return Subquery(
            RSSMembership.objects.filter(
                memberships_in_year(questionnaire.cycle.year), kommun_id=OuterRef(org)
            )
            .order_by("valid_from")
            .values("rss_id")[:1]
        )
    return F(org)


def _per_group(
    queryset: QuerySet[Any],
    group: GroupExpr,
    aggregates: Mapping[str, Any],
    *,
    by: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """One row per group (and `by` values) with the aggregates; `group` is None at
    riket."""
    if group is None:
        if not by:
            return [{"group": None, **queryset.aggregate(**aggregates)}]
        return [
            {"group": None, **row}
            for row in queryset.values(*by).annotate(**aggregates).order_by()
        ]
    return list(
        queryset.annotate(group=group)
        .values("group", *by)
        .annotate(**aggregates)
        .order_by()
    )


def _count_by_group(queryset: QuerySet[Any], group: GroupExpr) -> dict[int | None, int]:
    return {
        row["group"]: row["n"]
        for row in _per_group(queryset, group, {"n": Count("pk")})
    }


def _groups(
    questionnaire: Questionnaire, level: Level, *, within_rss: Organisation | None
) -> list[Group]:
    if level == Level.RIKET:
        return [RIKET]
    if level == Level.REGION:
        organisations = Organisation.objects.filter(kind=OrganisationKind.REGION)
    elif level == Level.RSS:
        organisations = Organisation.objects.filter(kind=OrganisationKind.RSS)
        if within_rss is not None:
            organisations = organisations.filter(pk=within_rss.pk)
    else:
        organisations = expected_respondents(questionnaire)
        if within_rss is not None:
            organisations = organisations.filter(
                pk__in=RSSMembership.objects.filter(
                    memberships_in_year(questionnaire.cycle.year), rss=within_rss
                ).values("kommun_id")
            )
    return [
        Group(key=o.pk, code=o.code, name=o.name, short_name=o.short_name)
        for o in organisations.order_by("region__sort_order", "sort_order", "code")
    ]


def _ref(question: Question) -> QuestionRef:
    return QuestionRef(
        id=question.pk,
        variable=question.variable,
        number=question.number,
        kind=question.kind,
        text=question.text,
        label=question.label,
        escape_label=question.escape_label,
        unit=question.unit,
        national_figure=question.national_figure,
        has_condition=bool(question.condition),
        options=tuple(Choice(o.code, o.label) for o in question.options.all()),
        rows=tuple(Choice(r.code, r.label) for r in question.rows.all()),
    )


# --- item nonresponse --------------------------------------------------------------------


@dataclass(frozen=True)
class ItemNonresponse:
    """One item's response at riket, for the kvalitetsdeklaration.

    `base` here is the item's applicable respondents (those who were shown it);
    `answered` gave a substantive answer, `escaped` the escape answer and
    `not_answered` nothing.
    """

    variable: str
    number: str
    label: str
    row: str  # matrix row label, "" for other questions
    respondents: int
    base: int
    answered: int
    not_answered: int
    not_applicable: int
    escaped: int

    @property
    def rate(self) -> Fraction | None:
        """Item nonresponse rate: not answered / applicable."""
        return Fraction(self.not_answered, self.base) if self.base else None


def item_nonresponse(
    questionnaire: Questionnaire, *, riket: Tabulation | None = None
) -> list[ItemNonresponse]:
    """Every item of a questionnaire (matrix rows apart), at riket.

    `riket`: the questionnaire's whole riket tabulation when the caller already
    has it, so that nothing is queried; otherwise `item_nonresponse_of`."""
    if (
        riket is None
        or riket.questionnaire_id != questionnaire.pk
        or riket.selection != Selection.SUBMITTED
    ):
        return item_nonresponse_of([questionnaire])[questionnaire.pk]
    if riket.level != Level.RIKET:
        raise ValueError("Partiellt bortfall räknas på riksnivå.")
    return [
        _item_nonresponse(
            question.question.variable,
            question.question.number,
            question.question.label,
            item.row.label if item.row else "",
            item.by_group[0],
        )
        for question in riket.questions
        for item in question.items
    ]


def _item_nonresponse(
    variable: str, number: str, label: str, row: str, counts: ItemCounts
) -> ItemNonresponse:
    return ItemNonresponse(
        variable=variable,
        number=number,
        label=label,
        row=row,
        respondents=counts.respondents,
        base=counts.applicable,
        answered=counts.base,
        not_answered=counts.not_answered,
        not_applicable=counts.not_applicable,
        escaped=counts.escaped,
    )


def item_nonresponse_of(
    questionnaires: Sequence[Questionnaire],
) -> dict[int, list[ItemNonresponse]]:
    """`item_nonresponse` of several questionnaires (a cycle's, for the
    kvalitetsdeklaration), by questionnaire id, in six queries whatever the
    number of questionnaires, questions or respondents. Submitted responses
    (Selection.SUBMITTED), as the declaration's response rates.

    The same figures as a riket `tabulate` (tests/reports/test_export_reuse.py
    compares them), from only the counts they need: respondents and, for a
    question with a display condition, those it applies to; per item the
    responses with any answer, the escape answers and the numbers given; for
    RSS kommun counts the sums of their base slots. A whole tabulation also
    counts every option in every group, which the declaration does not show.
    """
    ids = [q.pk for q in questionnaires]
    questions = list(
        Question.objects.filter(questionnaire_id__in=ids)
        .order_by("questionnaire_id", "position")
        .prefetch_related("options", "rows")
    )
    variables: dict[int, dict[str, Question]] = {}
    for question in questions:
        by_variable = variables.setdefault(question.questionnaire_id, {})
        by_variable[question.variable] = question
    conditional = [q for q in questions if q.condition]
    cell_tests = {
        q.pk: test
        for q in conditional
        if (test := cell_test(q.display_condition, variables[q.questionnaire_id]))
        is not None
    }
    by_exists = [q for q in conditional if q.pk not in cell_tests]

    respondents: dict[int, int] = {}
    applicable: dict[int, int] = {}
    for counted in (
        Response.objects.filter(
            questionnaire_id__in=ids, status=ResponseStatus.SUBMITTED
        )
        .values("questionnaire_id")
        .annotate(
            respondents=Count("pk"),
            **{
                # The questionnaire first: the condition is evaluated only
                # on its own responses.
                f"applicable_{q.pk}": Count(
                    "pk",
                    filter=Q(questionnaire_id=q.questionnaire_id)
                    & holds_q(
                        q.display_condition, ByQuestionId(variables[q.questionnaire_id])
                    ),
                )
                for q in by_exists
            },
        )
        .order_by()
    ):
        questionnaire_id: int = counted["questionnaire_id"]
        respondents[questionnaire_id] = counted["respondents"]
        for q in by_exists:
            if q.questionnaire_id == questionnaire_id:
                applicable[q.pk] = counted[f"applicable_{q.pk}"]  # type: ignore[literal-required]

    # Submitted responses only, as the declaration's response rates count them.
    answers = Answer.objects.filter(
        question_id__in=[q.pk for q in questions],
        response__status=ResponseStatus.SUBMITTED,
    )
    # (question, row): responses with any answer, escape answers, numbers given.
    answered: dict[tuple[int, int | None], tuple[int, int, int]] = {
        (cell["question_id"], cell["row_id"]): (
            cell["n_responses"],
            cell["n_escaped"],
            cell["n_numbers"],
        )
        for cell in answers.values("question_id", "row_id")
        .annotate(
            n_responses=Count("response_id", distinct=True),
            n_escaped=Count("pk", filter=Q(escaped=True)),
            n_numbers=Count(
                "pk",
                filter=Q(escaped=False, option__isnull=True, number__isnull=False),
            ),
        )
        .order_by()
    }
    # The cells of the RSS kommun counts (their sums) and of the questions that
    # conditions test (their counts), as a tabulation has them at riket.
    counted_cells = {q.pk for q in questions if facts(q.kind).kommun_counts} | {
        test.question_id for test in cell_tests.values()
    }
    slot_sums: dict[int, list[dict[str, Any]]] = {}
    cells = []
    for cell in (
        answers.filter(question_id__in=sorted(counted_cells))
        .values("question_id", "slot", "row_id", "option_id", "escaped")
        .annotate(n=Count("pk"), total=Sum("number"))
        .order_by()
    ):
        cells.append({**cell, "group": None})
        slot_sums.setdefault(cell["question_id"], []).append(dict(cell))
    applicable.update(
        {
            question_id: n
            for (_, question_id), n in _applicable_from_cells(cell_tests, cells).items()
        }
    )

    result: dict[int, list[ItemNonresponse]] = {pk: [] for pk in ids}
    for question in questions:
        n_respondents = respondents.get(question.questionnaire_id, 0)
        n_applicable = (
            applicable.get(question.pk, 0) if question.condition else n_respondents
        )
        matrix_rows: list[MatrixRow | None] = [*question.rows.all()] or [None]
        for matrix_row in matrix_rows:
            if facts(question.kind).kommun_counts:
                counts = _kommun_count(
                    RIKET,
                    slot_sums.get(question.pk, []),
                    matrix_row.code if matrix_row else None,
                )
            else:
                any_answer, escaped, numbers = answered.get(
                    (question.pk, matrix_row.pk if matrix_row else None), (0, 0, 0)
                )
                counts = ItemCounts(
                    group=RIKET,
                    respondents=n_respondents,
                    not_applicable=n_respondents - n_applicable,
                    not_answered=max(n_applicable - any_answer, 0),
                    escaped=escaped,
                    base=(
                        numbers
                        if question.kind in NUMBER_KINDS
                        else any_answer - escaped
                    ),
                )
            result[question.questionnaire_id].append(
                _item_nonresponse(
                    question.variable,
                    question.number,
                    question.label,
                    matrix_row.label if matrix_row else "",
                    counts,
                )
            )
    return result
