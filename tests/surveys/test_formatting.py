"""The one Swedish number and date format: the parameters its callers differ by
(charts' no-break spaces, form inputs without thousands, percentages from a
part and a whole), checked against hand-written strings."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from surveys.formatting import (
    MONTHS,
    NBSP,
    parse_swedish_number,
    round_half_up,
    swedish_date,
    swedish_number,
    swedish_percent,
    swedish_percent_of,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("59.50"), "59,5"),
        (Decimal("1234.5"), "1234,5"),
        (Decimal("1600000.00"), "1600000"),
        (Decimal("100"), "100"),
        (Decimal("0.00"), "0"),
        (Decimal("-12.50"), "-12,5"),
    ],
)
def test_form_inputs_have_no_thousands_separator(value: Decimal, expected: str) -> None:
    assert swedish_number(value, thousands=False) == expected


def test_charts_group_and_keep_the_percent_sign_with_no_break_spaces() -> None:
    assert swedish_number(1234567, nbsp=True) == f"1{NBSP}234{NBSP}567"
    assert swedish_number(Decimal("-1234.5"), nbsp=True) == f"-1{NBSP}234,5"
    assert swedish_percent(47, nbsp=True) == f"47{NBSP}%"
    assert swedish_percent(Decimal("47.25"), decimals=1, nbsp=True) == f"47,3{NBSP}%"
    # The plain format keeps a plain space, as the published tables print it.
    assert swedish_percent(Decimal("1234.5"), decimals=0) == "1 235 %"


def test_floats_round_as_written_not_as_stored_in_binary() -> None:
    # 0.15 is 0.1499… in binary; the chart's values are floats from the tabulation.
    assert swedish_number(0.15, decimals=1) == "0,2"
    assert swedish_number(2.675, decimals=2) == "2,68"
    assert round_half_up(0.125, 2) == Decimal("0.13")


def test_percentages_of_a_whole_round_half_up_and_keep_their_decimals() -> None:
    assert swedish_percent_of(226, 290) == "78 %"
    assert swedish_percent_of(226, 290, decimals=1) == "77,9 %"
    assert swedish_percent_of(1, 8) == "13 %"  # 12,5 → 13
    assert swedish_percent_of(1, 16, decimals=1) == "6,3 %"  # 6,25 → 6,3
    assert swedish_percent_of(21, 21) == "100 %"
    assert swedish_percent_of(21, 21, decimals=1) == "100,0 %"
    assert swedish_percent_of(0, 0) == "–"


def test_dates_are_written_out_in_swedish() -> None:
    assert swedish_date(datetime.date(2024, 12, 9)) == "9 december 2024"
    assert swedish_date(datetime.date(2025, 1, 31)) == "31 januari 2025"
    assert swedish_date(None) == "–"
    assert [swedish_date(datetime.date(2024, m, 1)) for m in (3, 5, 8)] == [
        "1 mars 2024",
        "1 maj 2024",
        "1 augusti 2024",
    ]
    assert len(MONTHS) == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 245 026", Decimal("4245026")),
        ("4\u00a0245\u00a0026", Decimal("4245026")),
        ("4\u202f245", Decimal("4245")),
        (" 59,5 ", Decimal("59.5")),
        ("59.5", Decimal("59.5")),
        ("-3", Decimal("-3")),
        ("1E+13", Decimal("1E+13")),
        ("", None),
        ("tre", None),
        ("59,5,1", None),
        ("NaN", None),
        ("Infinity", None),
        ("72 %", None),
    ],
)
def test_parse_swedish_number(text: str, expected: Decimal | None) -> None:
    assert parse_swedish_number(text) == expected


def test_parse_swedish_number_reads_a_percentage_only_when_asked() -> None:
    assert parse_swedish_number("72 %", percent_sign=True) == Decimal("72")
    assert parse_swedish_number("72,5%", percent_sign=True) == Decimal("72.5")
    # It reads back what the formatter writes.
    assert parse_swedish_number(swedish_number(Decimal("-1234567.25"))) == Decimal(
        "-1234567.25"
    )


@pytest.mark.parametrize("value", [0, 7, 999, 1000, -1000, 4245026, -1234567, 10**12])
@pytest.mark.parametrize(
    "options", [{}, {"thousands": False}, {"nbsp": True}, {"decimals": 0}]
)
def test_a_whole_number_reads_as_the_same_number_as_a_decimal(
    value: int, options: dict[str, bool | int]
) -> None:
    """Whole numbers take a shorter path (every count in every table): the text
    is the Decimal's, with the thousands grouped by hand here."""
    whole = f"{abs(value):,}".replace(",", "\0")
    sign = "-" if value < 0 else ""
    expected = sign + whole.replace(
        "\0",
        ""
        if options.get("thousands") is False
        else NBSP
        if options.get("nbsp")
        else " ",
    )
    assert swedish_number(value, **options) == expected  # type: ignore[arg-type]
    assert swedish_number(Decimal(value), **options) == expected  # type: ignore[arg-type]
    assert swedish_number(4245026) == "4 245 026"
