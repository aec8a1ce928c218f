"""How each question kind is tabulated: the one place the reports ask about a
kind (issue #14 point 3).

`surveys.kinds` says what a kind is; the intake's per-family behaviour (form
fields, parsing, words, Excel cells) is in `intake.kinds` and the raw-data
columns in `reports.rawdata.kinds`. This module gives the tabulation's share of
it: the shape of a kind's table and the rules that follow from that shape
(rounding, the words under a chart, how svarsstatus counts an answer). Layouts,
charts, selectors and the nonresponse tables ask `tabulation(kind)` instead of
testing kind facts themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from surveys.kinds import KINDS, KindFacts, QuestionKind


class Shape(enum.Enum):
    # One alternative per answer: counts and shares add up to the base.
    ALTERNATIVES = "alternatives"
    # Several alternatives may be ticked: shares of the base, not adding up to 100.
    TICKS = "ticks"
    # One alternative per row: a table per row.
    ROWS = "rows"
    # A number (a count or a share in percent): sum or mean, with its base.
    NUMBER = "number"
    # An RSS's counts of its kommuner per alternative, summed over RSS.
    KOMMUN_COUNTS = "kommun_counts"
    # Free text and text summaries: read and coded, not counted.
    TEXT = "text"


@dataclass(frozen=True)
class Tabulation:
    shape: Shape
    # For numbers: whether the value is a share in percent (else a count).
    in_percent: bool = False

    @property
    def closed(self) -> bool:
        """Counted per alternative (and per row)."""
        return self.shape in (Shape.ALTERNATIVES, Shape.TICKS, Shape.ROWS)

    @property
    def number(self) -> bool:
        return self.shape is Shape.NUMBER

    @property
    def kommun_counts(self) -> bool:
        return self.shape is Shape.KOMMUN_COUNTS

    @property
    def ticks(self) -> bool:
        """Several alternatives per answer: each share is rounded on its own
        (they do not add up to 100) and a chart says so."""
        return self.shape is Shape.TICKS

    @property
    def per_row(self) -> bool:
        """Answered only when every row is (svarsstatus, progress)."""
        return self.shape is Shape.ROWS

    @property
    def always_answered(self) -> bool:
        """Computed by the service from the kommuner's answers: always there."""
        return self.shape is Shape.KOMMUN_COUNTS

    @property
    def chosen_verb(self) -> str:
        """What an organisation did with the alternative a chart shows."""
        return "markerat" if self.ticks else "svarat"

    @property
    def unit(self) -> str:
        """What a number's column shows when the question names no unit."""
        return "Andel" if self.in_percent else "Antal"


def _of(facts: KindFacts) -> Tabulation:
    if facts.kommun_counts:
        return Tabulation(Shape.KOMMUN_COUNTS)
    if facts.matrix:
        return Tabulation(Shape.ROWS)
    if facts.multiple:
        return Tabulation(Shape.TICKS)
    if facts.single_value:
        return Tabulation(Shape.ALTERNATIVES)
    if facts.number:
        return Tabulation(Shape.NUMBER, in_percent=facts.percentage)
    return Tabulation(Shape.TEXT)


TABULATIONS: Mapping[QuestionKind, Tabulation] = {
    kind: _of(kind_facts) for kind, kind_facts in KINDS.items()
}


# By stored value (a QuestionKind hashes as its value): asked per question and
# group by the layouts, where building the enum member each time showed up.
_BY_VALUE: Mapping[str, Tabulation] = {
    kind.value: shape for kind, shape in TABULATIONS.items()
}


def tabulation(kind: str) -> Tabulation:
    """How a kind (a QuestionKind or its stored value) is tabulated."""
    found = _BY_VALUE.get(kind)
    # An unknown kind raises QuestionKind's ValueError, as before.
    return found if found is not None else TABULATIONS[QuestionKind(kind)]
