"""What the consolidation selectors return (issue #4): the live counts of an RSS's
`kommun_count` questions, row by row, the kommuner's texts beside a summary
question, and the notice of a frozen consolidation gone stale.

Plain values, kept apart from the queries that fill them (`live`) so that the
adjustment rules (`limits`) and the stale check (`stale`) can take them without
depending on how they are computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from intake.cells import EJ_AKTUELL, EJ_SVARAT, SVARAT
from intake.models import (
    Response,
)
from surveys.models import (
    Organisation,
    Question,
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
    # The kommun questionnaire it counts from: only a change there can move it.
    source_questionnaire_id: int | None = None

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
