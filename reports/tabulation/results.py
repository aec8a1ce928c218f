"""What a tabulation returns, and the choices that shape it (selection, level).

Separate from the counting (`reports.tabulation.counts`) because the forms, the
layouts and the exports only need these types, not the queries.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import NamedTuple

from reports.tabulation.kinds import tabulation
from surveys.models import (
    OrganisationKind,
)

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
    # Printed under every table and chart of the question (Question.footnotes).
    footnotes: tuple[str, ...] = ()
    # Of whom the shares are: "answered" or "frame" (reports/bases.py).
    base_convention: str = "answered"

    @property
    def is_closed(self) -> bool:
        return tabulation(self.kind).closed

    @property
    def is_number(self) -> bool:
        return tabulation(self.kind).number

    @property
    def is_kommun_count(self) -> bool:
        return tabulation(self.kind).kommun_counts


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


# The empty counts of an ItemCounts made without any: read-only, since all
# such share it.
_NO_COUNTS: Mapping[str, int] = MappingProxyType({})


class ItemCounts(NamedTuple):
    """One item (a question, or one matrix row) in one group. See the module
    docstring of `reports.tabulation.counts` for the definitions.

    A named tuple, not a dataclass: a tabulation per region makes one per
    group and item (1 659 for the region questionnaire at the realistic
    year), and a tuple is made in a fifth of the time of a frozen
    dataclass's instance, with its attributes' `__dict__` (bench/RESULTS.md).
    Immutable, compared and printed field by field as the dataclass was. A
    tabulation shares one between a group's items with the same figures
    (and so their `counts`): never change a `counts` mapping."""

    group: Group
    respondents: int
    not_applicable: int
    not_answered: int
    escaped: int
    base: int
    counts: Mapping[str, int] = _NO_COUNTS  # option code -> count
    total: Decimal | None = None  # numbers: the sum of the numbers given
    # The group's expected respondents (the roster; for an RSS count, the member
    # kommuner of the RSS that answered): the base of "frame" shares.
    frame: int = 0

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
