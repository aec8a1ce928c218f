"""Moved to `surveys.formatting`, so that `intake` can use it too.

Kept as a re-export only for branches written before the move; import from
`surveys.formatting` in new code. The lead may delete this module once every
branch is merged.
"""

from surveys.formatting import (
    NBSP,
    THOUSANDS_SEPARATOR,
    Number,
    round_half_up,
    share_percent,
    swedish_date,
    swedish_number,
    swedish_percent,
    swedish_percent_of,
)

__all__ = [
    "NBSP",
    "THOUSANDS_SEPARATOR",
    "Number",
    "round_half_up",
    "share_percent",
    "swedish_date",
    "swedish_number",
    "swedish_percent",
    "swedish_percent_of",
]
