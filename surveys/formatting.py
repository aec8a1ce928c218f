"""Swedish numbers and dates: the one formatter for forms, pages, charts and exports.

- Decimal comma: 59,5.
- Thousands separated by a plain space (U+0020), as the published tables print
  them ("4 245 026"); every number of 1 000 or more is grouped. HTML keeps a
  number on one line with CSS (`white-space: nowrap`), so the strings stay equal
  to the published ones and compare cell for cell. Charts, which cannot use CSS,
  ask for no-break spaces (`nbsp=True`) so "47 %" never wraps; form inputs ask
  for no grouping at all (`thousands=False`) so what is shown can be typed back.
- Percentages as "NN %" (a space before the sign).
- Rounding is half-up (0,5 rounds away from zero), never banker's rounding.
- Dates as "9 december 2024".

It lives in `surveys`, the app every other app already depends on, so that
`intake` (form inputs, the kommun workbook) and `reports` (tables, charts, the
kvalitetsdeklaration) share it without `intake` importing `reports`.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.utils import timezone

THOUSANDS_SEPARATOR = " "
NBSP = "\u00a0"
# Shown for a percentage of nothing (0 of 0) and for a missing date.
MISSING = "–"

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

Number = Decimal | Fraction | int | float


def _as_decimal(value: Number) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        # The shortest repr, so 0.15 stays 0.15 (not 0.1499…) and rounds to 0,2.
        return Decimal(str(value))
    return Decimal(value)


def round_half_up(value: Number, decimals: int = 0) -> Decimal:
    """Round half away from zero to `decimals` places (the published convention)."""
    return _as_decimal(value).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def swedish_number(
    value: Number,
    *,
    decimals: int | None = None,
    thousands: bool = True,
    nbsp: bool = False,
) -> str:
    """A number as Swedish text: "4 245 026", "59,5", "0,5".

    With `decimals` the value is rounded half-up to that many places and trailing
    zeros are kept ("59,40"); without, it is written as stored, trailing zeros
    removed ("59.50" -> "59,5"). `thousands=False` leaves out the grouping
    ("1234,5", for form inputs); `nbsp=True` groups with no-break spaces.
    """
    if type(value) is int and decimals is None:
        # The common case (every count in every table), without Decimal: the
        # same text, in a fraction of the time.
        grouped = f"{value:,}" if thousands else str(value)
        return grouped.replace(",", NBSP if nbsp else THOUSANDS_SEPARATOR)
    if decimals is None:
        number = _as_decimal(value)
        number = number.normalize() if number != 0 else Decimal(0)
    else:
        number = round_half_up(value, decimals)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while thousands and len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + (NBSP if nbsp else THOUSANDS_SEPARATOR).join(groups)
    if fraction:
        result += "," + fraction
    return result


def parse_swedish_number(text: str, *, percent_sign: bool = False) -> Decimal | None:
    """The one reader of a number as people type it in Swedish: "4 245 026",
    "59,5", "59.5", with ordinary, no-break or narrow no-break spaces between the
    groups; with `percent_sign`, a trailing "%" ("72 %") is allowed. None when
    the text is not a finite number (the caller words the refusal: a form field,
    an Excel cell and an import column say it differently)."""
    cleaned = text.strip()
    for space in (" ", NBSP, "\u202f"):
        cleaned = cleaned.replace(space, "")
    if percent_sign:
        cleaned = cleaned.removesuffix("%")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def swedish_percent(
    value: Number, *, decimals: int | None = None, nbsp: bool = False
) -> str:
    """A percentage as published: "59 %", "0,5 %" (no-break space with `nbsp`)."""
    space = NBSP if nbsp else " "
    return f"{swedish_number(value, decimals=decimals, nbsp=nbsp)}{space}%"


def share_percent(part: int, base: int, *, decimals: int = 0) -> Decimal | None:
    """part / base in per cent, rounded half-up; None when the base is 0."""
    if base <= 0:
        return None
    return round_half_up(Fraction(100 * part, base), decimals)


def swedish_percent_of(part: int, base: int, *, decimals: int = 0) -> str:
    """part / base as a percentage: 226 of 290 -> "78 %", or "77,9 %" with
    decimals=1 (trailing zeros kept: "100,0 %"); "–" when the base is 0."""
    share = share_percent(part, base, decimals=decimals)
    if share is None:
        return MISSING
    return swedish_percent(share, decimals=decimals)


def swedish_datetime(value: datetime.datetime | None) -> str:
    """A moment in Swedish local time: "9 december 2024 14:05"; "–" when none.
    Admin titles and history rows use it, so every page says dates one way."""
    if value is None:
        return MISSING
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{swedish_date(local.date())} {local:%H:%M}"


def swedish_date(value: datetime.date | None) -> str:
    """2024-12-09 -> "9 december 2024"; "–" when there is no date."""
    if value is None:
        return MISSING
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
