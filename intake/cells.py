"""An answer row's value, independent of how it is stored.

Shared by the service that writes answers, the selectors that read them and the
form; kept apart so none of them imports another for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from intake.models import Answer
from surveys.conditions import GivenAnswer
from surveys.kinds import facts
from surveys.models import Question


@dataclass(frozen=True)
class Cell:
    """One answer row's value, independent of how it is stored."""

    option: str | None = None
    row: str | None = None
    number: Decimal | None = None
    text: str = ""
    escaped: bool = False

    def as_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {}
        if self.row is not None:
            value["row"] = self.row
        if self.option is not None:
            value["option"] = self.option
        if self.number is not None:
            value["number"] = str(self.number)
        if self.text:
            value["text"] = self.text
        if self.escaped:
            value["escaped"] = True
        return value


Cells = dict[str, Cell]  # slot -> cell


@lru_cache(maxsize=4096)
def option_cell(option: str, row: str | None = None) -> Cell:
    """The cell of a chosen option (in a matrix row): one shared per option,
    as cells are frozen. A save of a whole form parses some 80 of them, and a
    frozen dataclass is slow to build (issue #20). Only options of the
    definition are passed (each kind checks the code first), so the cache
    holds the definitions' options at most."""
    return Cell(option=option, row=row)


# The base of a frozen RSS kommun count, per question (or per matrix row, as
# "<row>._svarat"): member kommuner that answered the item, that did not although
# it applied to them, and for which it did not apply (issue #4). The statistics
# read these slots; their names are a contract.
SVARAT = "_svarat"
EJ_SVARAT = "_ej_svarat"
EJ_AKTUELL = "_ej_aktuell"
BASE_SLOTS = (SVARAT, EJ_SVARAT, EJ_AKTUELL)

# A multiple choice answered «none of the alternatives» (issue #16 point 7): one
# answer row in this slot, with no option, so that the respondent counts as
# having answered (in the base, in «besvarad» conditions) and ticked nothing.
# Option codes start with a letter or digit, so no option can be called this.
NONE_OF = "_ingen"
NONE_OF_LABEL = "Inget av alternativen"


def cell_of(answer: Answer) -> Cell:
    return Cell(
        option=answer.option.code if answer.option else None,
        row=answer.row.code if answer.row else None,
        number=answer.number,
        text=answer.text,
        escaped=answer.escaped,
    )


def given_answer(cells: Cells) -> GivenAnswer:
    # One pass over the cells: the raw data asks this for every respondent.
    options: set[str] = set()
    rows: dict[str, str] = {}
    escaped = has_value = False
    for c in cells.values():
        if c.option:
            if c.row is None:
                options.add(c.option)
            else:
                rows[c.row] = c.option
        escaped = escaped or c.escaped
        has_value = has_value or c.number is not None or bool(c.text)
    return GivenAnswer(
        options=frozenset(options),
        rows=rows,
        escaped=escaped,
        has_value=has_value,
        none_of=NONE_OF in cells,
    )


def is_answered(question: Question, cells: Cells) -> bool:
    """A matrix is answered only when every row is; anything else when it has a value.

    An RSS kommun count is computed from the kommuner's answers, so it is always
    answered: its base says how many kommuner answered (issue #4).
    """
    if facts(question.kind).kommun_counts:
        return True
    if facts(question.kind).matrix:
        return {c.row for c in cells.values()} >= {r.code for r in question.rows.all()}
    return bool(cells)
