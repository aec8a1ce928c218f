"""Swedish number formatting: the one formatter for tables, pages and exports.

- Decimal comma: 59,5.
- Thousands separated by a plain space (U+0020), as the published tables print
  them ("4 245 026"); every number of 1 000 or more is grouped. HTML keeps a
  number on one line with CSS (`white-space: nowrap`), so the strings stay equal
  to the published ones and compare cell for cell.
- Percentages as "NN %" (a space before the sign).
- Rounding is half-up (0,5 rounds away from zero), never banker's rounding.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

THOUSANDS_SEPARATOR = " "

Number = Decimal | Fraction | int


def _as_decimal(value: Number) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def round_half_up(value: Number, decimals: int = 0) -> Decimal:
    """Round half away from zero to `decimals` places (the published convention)."""
    return _as_decimal(value).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def swedish_number(value: Number, *, decimals: int | None = None) -> str:
    """A number as Swedish text: "4 245 026", "59,5", "0,5".

    With `decimals` the value is rounded half-up to that many places and trailing
    zeros are kept ("59,40"); without, it is written as stored, trailing zeros
    removed ("59.50" -> "59,5").
    """
    if decimals is None:
        number = _as_decimal(value)
        number = number.normalize() if number != 0 else Decimal(0)
    else:
        number = round_half_up(value, decimals)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + THOUSANDS_SEPARATOR.join(groups)
    if fraction:
        result += "," + fraction
    return result


def swedish_percent(value: Number, *, decimals: int | None = None) -> str:
    """A percentage as published: "59 %", "0,5 %"."""
    return f"{swedish_number(value, decimals=decimals)} %"


def share_percent(part: int, base: int, *, decimals: int = 0) -> Decimal | None:
    """part / base in per cent, rounded half-up; None when the base is 0."""
    if base <= 0:
        return None
    return round_half_up(Fraction(100 * part, base), decimals)
