"""What each kind of question does, found from one place (issue #14 point 3).

`surveys.kinds` says what each kind *is* (its facts); this package says what
each kind *does* in intake: its web-form fields, how a submitted value is
parsed into answer cells (`intake.services.values.cells_for`), how an
answer reads in words (receipts, collisions, the Excel preview), and its cells
in the Excel copy: where they go, the hint, the validation and how they are
read back (`intake.excel`). One module per
family of kinds, one registry `BEHAVIOURS` keyed by kind: "what does a matrix
question do?" is `intake/kinds/matrix.py`.

The raw-data export's columns per kind live in `reports` (a lower app does not
import reports).
"""

from __future__ import annotations

from collections.abc import Mapping

from intake.kinds.base import KindBehaviour
from intake.kinds.choice import CHOICE
from intake.kinds.kommun_counts import KOMMUN_COUNTS
from intake.kinds.matrix import MATRIX
from intake.kinds.multiple import MULTIPLE
from intake.kinds.number import NUMBER
from intake.kinds.text import TEXT
from surveys.kinds import QuestionKind

K = QuestionKind
BEHAVIOURS: Mapping[QuestionKind, KindBehaviour] = {
    K.YES_NO: CHOICE,
    K.YES_PARTLY_NO: CHOICE,
    K.SINGLE_CHOICE: CHOICE,
    K.MULTIPLE_CHOICE: MULTIPLE,
    K.MATRIX: MATRIX,
    K.INTEGER: NUMBER,
    K.PERCENTAGE: NUMBER,
    K.TEXT: TEXT,
    K.KOMMUN_COUNT: KOMMUN_COUNTS,
    K.KOMMUN_TEXT_SUMMARY: TEXT,
}
# Checked at import, like surveys.kinds.KINDS: a kind without a behaviour cannot run.
if set(BEHAVIOURS) != set(QuestionKind):  # pragma: no cover - a programming error
    raise RuntimeError(
        f"intake.kinds.BEHAVIOURS saknar {set(QuestionKind) - set(BEHAVIOURS)}"
    )


# By the stored value, as surveys.kinds.facts: one lookup for a member or its value.
_BY_VALUE: dict[str, KindBehaviour] = {k.value: b for k, b in BEHAVIOURS.items()}


def behaviour(kind: str) -> KindBehaviour:
    """The behaviour of a kind (a QuestionKind or its stored value)."""
    found = _BY_VALUE.get(kind)
    # An unknown kind raises ValueError, as QuestionKind(kind) does.
    return found if found is not None else BEHAVIOURS[QuestionKind(kind)]


__all__ = ["BEHAVIOURS", "KindBehaviour", "behaviour"]
