"""What the Excel layout and each kind's Excel hooks (`intake.kinds`) share: the
answer sheet's name, the «Ja» mark, the escape answer's slot and a question's
bounds in words. A leaf module (it imports no other part of `intake`), so that
the kind families can use it without importing the layout that uses them.
"""

from __future__ import annotations

from decimal import Decimal

from surveys.formatting import swedish_number
from surveys.kinds import facts
from surveys.models import Question

SURVEY = "Enkät"
ESCAPE_SLOT = "__escaped"  # not a valid row or option code, so it cannot collide
YES = "Ja"


def range_words(question: Question) -> str:
    low, high = bounds(question)
    # As typed in the cell: no thousands separator.
    low_text = None if low is None else swedish_number(low, thousands=False)
    high_text = None if high is None else swedish_number(high, thousands=False)
    if low_text is not None and high_text is not None:
        return f"{low_text}–{high_text}"
    if low_text is not None:
        return f"minst {low_text}"
    if high_text is not None:
        return f"högst {high_text}"
    return "utan gränser"


def bounds(question: Question) -> tuple[Decimal | None, Decimal | None]:
    low, high = question.min_value, question.max_value
    if facts(question.kind).percentage:
        low = Decimal(0) if low is None else low
        high = Decimal(100) if high is None else high
    return low, high


def max_length(question: Question) -> int:
    return question.max_length or 4000
