"""Table cells that carry their numbers (issue #16 point 2).

A layout (reports/layouts.py) prints every cell as Swedish text for the pages
and the Word files; the table workbook writes the same cell as numbers, so an
analyst can compute with it. A `Cell` is both: its `text` as printed, and the
`figures` behind it, each with an Excel number format that shows the number as
printed in Swedish Excel (number formats are stored in Excel's invariant
notation: "," is the thousands separator, which Swedish Excel shows as a space,
and "." the decimal comma).

- a count: 1 600 000 → 1600000, "#,##0";
- a count of a base (Bilaga 3 «Riket 19/21»): 19, '#,##0"/21"' (the base is
  part of the format, as printed, and the cell sums as a count);
- a share: «72 %» → 0.72, "0 %" («72,5 %» → 0.725, "0.0 %"), the fraction Excel
  expects for a percentage;
- «antal (procent)», «3 (75)»: two figures, 3 ("#,##0") and 0.75 ("0 %"),
  written in two columns headed «Antal» and «Procent».

Shares are stored as printed (rounded), not to more places: the cells then
show and add up exactly as the published table (a row rounded with largest
remainder sums to 100 %). Words and markers (reports/markers.py) have no figures
and stay text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from surveys.formatting import swedish_number, swedish_percent

COUNT_FORMAT = "#,##0"


@dataclass(frozen=True)
class Figure:
    value: int | Decimal  # a share as a fraction of 1 (0.72 for 72 %)
    number_format: str


@dataclass(frozen=True)
class Cell:
    text: str
    figures: tuple[Figure, ...] = ()


def text_cell(text: str) -> Cell:
    return Cell(text)


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def _decimals_format(base: str, places: int) -> str:
    return base + ("." + "0" * places if places else "")


def count_figure(n: int) -> Figure:
    return Figure(n, COUNT_FORMAT)


def count_cell(n: int) -> Cell:
    return Cell(swedish_number(n), (count_figure(n),))


@functools.lru_cache(maxsize=4096)
def percent_figure(percent: Decimal) -> Figure:
    """A share printed as `percent` per cent (already rounded as printed).
    Cached: a table workbook asks for the same few hundred shares hundreds of
    thousands of times (a Figure is immutable, and equal Decimals give equal
    figures)."""
    places = _places(percent)
    return Figure((percent / 100).normalize(), _decimals_format("0", places) + " %")


def percent_cell(percent: Decimal) -> Cell:
    """«72 %»: the share as a fraction, formatted as a percentage."""
    return Cell(swedish_percent(percent.normalize()), (percent_figure(percent),))


def number_cell(value: Decimal) -> Cell:
    """A number as printed ("1 600 000", "12,5"), with as many decimals."""
    places = _places(value)
    return Cell(
        swedish_number(value.normalize()),
        (Figure(value.normalize(), _decimals_format("#,##0", places)),),
    )


def count_of_base_cell(n: int, base: int) -> Cell:
    """«19/21»: the count as a number; the base is printed by the format."""
    return Cell(f"{n}/{base}", (Figure(n, f'{COUNT_FORMAT}"/{base}"'),))


def count_and_percent_cell(n: int, percent: Decimal, percent_text: str) -> Cell:
    """«3 (75)»: the count and its share, two figures."""
    return Cell(
        f"{swedish_number(n)} ({percent_text})",
        (count_figure(n), percent_figure(percent)),
    )
