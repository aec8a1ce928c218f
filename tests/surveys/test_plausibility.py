"""The plausibility rules (surveys/plausibility.py) on hand-made values at their
thresholds. No database: the rules are pure functions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from surveys.plausibility import (
    PlausibilityCheck,
    PopulationFigure,
    check_number,
    is_sentinel,
    population_reference_date,
)

# A population of 100 000 makes the thresholds round numbers: 1 % is 1 000
# persons, the 5 % margin above it 105 000.
POPULATION = PopulationFigure(
    population=100_000,
    reference_date=datetime.date(2021, 11, 1),
    source="Provkälla",
)


def checks(value: str, **kwargs: object) -> list[PlausibilityCheck]:
    return [f.check for f in check_number(Decimal(value), **kwargs)]  # type: ignore[arg-type]


def counted(value: str, percentage: str | None = None) -> list[PlausibilityCheck]:
    """A count of persons in a population of 100 000, linked to a percentage."""
    return checks(
        value,
        counts_population=True,
        population=POPULATION,
        percentage=Decimal(percentage) if percentage is not None else None,
        percentage_number="35",
    )


# --- sentinel --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["999", "9999", "99999", "999999", "9999999", "999999.00"]
)
def test_all_nines_of_three_digits_or_more_is_a_sentinel(value: str) -> None:
    assert is_sentinel(Decimal(value))
    assert checks(value) == [PlausibilityCheck.SENTINEL]


@pytest.mark.parametrize("value", ["9", "99", "998", "1000", "9990", "999.5", "0"])
def test_other_values_are_not_sentinels(value: str) -> None:
    assert not is_sentinel(Decimal(value))
    assert checks(value) == []


def test_the_sentinel_message_shows_the_value_as_swedes_write_it() -> None:
    (finding,) = check_number(Decimal("999999"))
    assert finding.message.startswith("999 999 ser ut som en platshållare")
    assert finding.population is None
    assert finding.notice.startswith("Kontrollera: 999 999")


# --- equal to the linked percentage ----------------------------------------------------


def test_a_count_equal_to_the_linked_percentage_is_flagged() -> None:
    found = check_number(Decimal(38), percentage=Decimal(38), percentage_number="35")
    assert [f.check for f in found] == [PlausibilityCheck.EQUALS_PERCENTAGE]
    assert "andelen i fråga 35 (38 %)" in found[0].message


def test_a_count_equal_to_the_rounded_percentage_is_flagged() -> None:
    assert checks("38", percentage=Decimal("37.5")) == [
        PlausibilityCheck.EQUALS_PERCENTAGE
    ]


def test_a_count_one_off_the_percentage_is_not_flagged() -> None:
    assert checks("39", percentage=Decimal(38)) == []


def test_a_count_of_zero_beside_zero_per_cent_is_consistent() -> None:
    assert checks("0", percentage=Decimal(0)) == []


def test_without_a_linked_percentage_there_is_nothing_to_compare() -> None:
    assert checks("38") == []


# --- below 1 % of the population -------------------------------------------------------


def test_a_count_just_below_1_per_cent_of_the_population_is_flagged() -> None:
    assert counted("998") == [PlausibilityCheck.BELOW_POPULATION]
    # 999 is also all nines: both findings.
    assert counted("999") == [
        PlausibilityCheck.SENTINEL,
        PlausibilityCheck.BELOW_POPULATION,
    ]


def test_a_count_of_exactly_1_per_cent_is_not_flagged_as_below() -> None:
    assert counted("1000") == []


def test_a_count_below_1_per_cent_agrees_with_a_share_below_1_per_cent() -> None:
    assert counted("500", percentage="0.5") == []


def test_the_below_finding_carries_the_population_it_compared_with() -> None:
    (finding,) = check_number(
        Decimal(179), counts_population=True, population=POPULATION
    )
    assert finding.check == PlausibilityCheck.BELOW_POPULATION
    assert finding.population == POPULATION
    assert finding.notice == (
        "Kontrollera: Antalet är mindre än 1 % av befolkningen. Är det angivet i "
        "tusental eller som en andel? Befolkningen var 100 000 invånare den "
        "1 november 2021."
    )


def test_population_checks_need_the_declaration() -> None:
    # The same value on a count that does not declare it counts the population.
    assert checks("179", population=POPULATION) == []


def test_population_checks_need_a_population_figure() -> None:
    assert checks("179", counts_population=True, population=None) == []


# --- above the population ---------------------------------------------------------------


def test_a_count_above_the_population_by_more_than_5_per_cent_is_flagged() -> None:
    assert counted("105001") == [PlausibilityCheck.ABOVE_POPULATION]


def test_a_count_within_5_per_cent_above_an_older_population_is_not_flagged() -> None:
    assert counted("105000") == []
    assert counted("100001") == []


# --- count against share × population ---------------------------------------------------


def test_a_share_from_the_count_within_the_ratio_band_is_consistent() -> None:
    # 40 000 of 100 000 is 40 %: 50 % × 0,8 = 40 and 32 % × 1,25 = 40 are the edges.
    assert counted("40000", percentage="50") == []
    assert counted("40000", percentage="32") == []


def test_a_share_from_the_count_below_the_band_is_flagged() -> None:
    found = check_number(
        Decimal(39_999),
        counts_population=True,
        population=POPULATION,
        percentage=Decimal(50),
        percentage_number="35",
    )
    assert [f.check for f in found] == [PlausibilityCheck.SHARE_MISMATCH]
    assert found[0].message == (
        "Antalet motsvarar 40,0 % av befolkningen, men andelen i fråga 35 är 50 %. "
        "Avser de samma befolkning?"
    )


def test_a_share_from_the_count_above_the_band_is_flagged() -> None:
    assert counted("40001", percentage="32") == [PlausibilityCheck.SHARE_MISMATCH]


def test_small_shares_a_little_apart_are_not_flagged_for_rounding() -> None:
    # 1,4 % against 1 %: the ratio is outside the band, but less than 2 points apart.
    assert counted("1400", percentage="1") == []
    # 3,5 % against 1 %: far apart in both senses.
    assert counted("3500", percentage="1") == [PlausibilityCheck.SHARE_MISMATCH]


def test_the_share_check_stays_quiet_when_a_stronger_check_fired() -> None:
    # 500 persons is 0,5 %: below 1 % says more than a mismatch with 60 % would.
    assert counted("500", percentage="60") == [PlausibilityCheck.BELOW_POPULATION]
    assert counted("200000", percentage="60") == [PlausibilityCheck.ABOVE_POPULATION]


def test_a_percentage_typed_as_a_count_gets_both_findings() -> None:
    assert counted("38", percentage="38") == [
        PlausibilityCheck.EQUALS_PERCENTAGE,
        PlausibilityCheck.BELOW_POPULATION,
    ]


def test_the_population_date_is_the_end_of_the_cycle_year() -> None:
    assert population_reference_date(2024) == datetime.date(2024, 12, 31)
