"""Plausibility checks of number answers: the rules, as pure functions.

docs/design.md asks for warnings "that would have caught the published slips" of the
2024 region questionnaire (docs/domain/region_questionnaire_2024.md §4 item 4,
§5 "Validation"): Gävleborg's count «38» equal to its own 38 % (a percentage typed
into the count field), Kalmar's «179» (read by Socialstyrelsen as 179 000,
footnote 36) and Skåne's «999 999» (a sentinel). Warnings are advisory: they
never block saving or submitting, and staff may correct a flagged answer with a
reason (`intake.services.correct_answer`).

Two kinds of check:

- **generic**, on every number question: a sentinel-like value (all nines, three
  digits or more);
- **declared** in the questionnaire file (`plausibility` on a count,
  docs/questionnaire-format.md): the count is of persons in the organisation's
  population, and/or it is the count behind a percentage question. Then: equal to
  the linked percentage; below 1 % of the population; above the population; and
  a share (count ÷ population) that does not match the linked percentage.

The thresholds were calibrated on the published 2024 answers
(tests/fixtures/region_2024_published.json, tests/reports/test_plausibility_golden.py):
they flag the three slips, and otherwise only Sörmland and Västerbotten, whose
count and share disagree by far more than an old population figure explains
(see `SHARE_RATIO_LOW`).

Pure functions here (no database), shared by the respondent form (`intake`) and
the staff review (`reports.plausibility`), which read the answers and the
population in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from surveys.formatting import round_half_up, swedish_date, swedish_number

# A count below this share of the population is far below any real figure: the
# slips it targets are below 0,2 % by construction (a percentage typed as a count
# is at most 100 persons, 0,16 % of the smallest län, Gotland's 60 972; a count
# typed in thousands is 0,1 % of itself), while the lowest real 2024 count is
# about 10 % of its population (Västerbotten 28 100 of 274 533) and the lowest
# published share 18 %. 1 % keeps two orders of magnitude from both.
BELOW_POPULATION_SHARE = Decimal("0.01")
# A count above the population is impossible for a count of the population's
# persons, but the register's figure may be a few years old (the 2024 checks use
# 1 November 2021): län populations grow by a few per cent in three years, so a
# count has to exceed the population by more than 5 % to be flagged.
ABOVE_POPULATION_MARGIN = Decimal("1.05")
# The share implied by the count (count ÷ population) against the share the
# organisation gave. They differ legitimately a little: the share is given in
# whole per cent, the population figure is older than the count, and the listed
# population is not exactly the resident one. A ratio outside [0,8; 1,25] (the
# same factor either way) is more than these explain. On the golden 2024 answers
# the ratios of the other counts lie between 0,90 (Skåne) and 1,05 (Uppsala);
# Sörmland (0,68: its share counts only those listed at its own vårdcentraler,
# footnote 37) and Västerbotten (0,57: «den faktiska andelen sannolikt är
# högre», 002:3580) fall outside and are worth a question to the region.
SHARE_RATIO_LOW = Decimal("0.8")
SHARE_RATIO_HIGH = Decimal("1.25")
# ... and at least this many percentage points apart, so that small shares
# (1 % against 1,4 %) are not flagged for their rounding.
SHARE_MIN_GAP = Decimal(2)
# Three nines or more: 999, 9 999, 99 999, 999 999 … (a field's maximum or a
# "don't know" code). 99 is left alone: it is a plausible percentage.
SENTINEL_MIN_DIGITS = 3


class PlausibilityCheck(models.TextChoices):
    SENTINEL = "sentinel", "Platshållare"
    EQUALS_PERCENTAGE = "equals_percentage", "Samma tal som andelen"
    BELOW_POPULATION = "below_population", "Långt under befolkningen"
    ABOVE_POPULATION = "above_population", "Över befolkningen"
    SHARE_MISMATCH = "share_mismatch", "Stämmer inte med andelen"


@dataclass(frozen=True)
class PopulationFigure:
    """An organisation's population on a date, as the register has it."""

    population: int
    reference_date: datetime.date
    source: str

    def describe(self) -> str:
        """ "246 989 invånare den 1 november 2021"."""
        return (
            f"{swedish_number(self.population)} invånare den "
            f"{swedish_date(self.reference_date)}"
        )


@dataclass(frozen=True)
class Finding:
    check: PlausibilityCheck
    message: str
    # The population figure the check compared with, when it used one.
    population: PopulationFigure | None = None

    @property
    def notice(self) -> str:
        """The finding as the respondent reads it beside the field."""
        text = f"Kontrollera: {self.message}"
        if self.population is not None:
            text += f" Befolkningen var {self.population.describe()}."
        return text


def population_reference_date(year: int) -> datetime.date:
    """The latest population date a cycle's checks may use: the end of its year
    (the 2024 counts are as of 31 December 2024). Later figures describe a
    population the answers were not about."""
    return datetime.date(year, 12, 31)


def is_sentinel(value: Decimal) -> bool:
    if value != value.to_integral_value() or value <= 0:
        return False
    digits = str(int(value))
    return len(digits) >= SENTINEL_MIN_DIGITS and set(digits) == {"9"}


def check_number(
    value: Decimal,
    *,
    counts_population: bool = False,
    population: PopulationFigure | None = None,
    percentage: Decimal | None = None,
    percentage_number: str = "",
) -> list[Finding]:
    """The findings for one number answer.

    `population` is the organisation's population (used only when the question
    `counts_population`); `percentage` the organisation's answer to the linked
    percentage question (None when not given as a number), whose question number
    is `percentage_number`.
    """
    findings: list[Finding] = []
    if is_sentinel(value):
        findings.append(
            Finding(
                PlausibilityCheck.SENTINEL,
                f"{swedish_number(value)} ser ut som en platshållare (bara nior), "
                "inte som en uppgift.",
            )
        )
    if percentage is not None and value > 0 and value == round_half_up(percentage):
        findings.append(
            Finding(
                PlausibilityCheck.EQUALS_PERCENTAGE,
                f"Antalet är samma tal som andelen i fråga {percentage_number} "
                f"({_percent(percentage)}). Har andelen skrivits i stället för "
                "antalet personer?",
            )
        )
    if counts_population and population is not None and population.population > 0:
        findings += _population_findings(
            value,
            population,
            percentage=percentage,
            percentage_number=percentage_number,
        )
    return findings


def _population_findings(
    value: Decimal,
    population: PopulationFigure,
    *,
    percentage: Decimal | None,
    percentage_number: str,
) -> list[Finding]:
    people = Decimal(population.population)
    # An organisation that itself gives a share under 1 % agrees with a small count.
    tiny_share = percentage is not None and percentage < 100 * BELOW_POPULATION_SHARE
    if value < people * BELOW_POPULATION_SHARE and not tiny_share:
        return [
            Finding(
                PlausibilityCheck.BELOW_POPULATION,
                "Antalet är mindre än 1 % av befolkningen. Är det angivet i tusental "
                "eller som en andel?",
                population,
            )
        ]
    if value > people * ABOVE_POPULATION_MARGIN:
        return [
            Finding(
                PlausibilityCheck.ABOVE_POPULATION,
                "Antalet är större än befolkningen.",
                population,
            )
        ]
    if percentage is None:
        return []
    implied = value * 100 / people
    apart = abs(implied - percentage) >= SHARE_MIN_GAP
    outside = (
        implied < percentage * SHARE_RATIO_LOW
        or implied > percentage * SHARE_RATIO_HIGH
    )
    if apart and outside:
        return [
            Finding(
                PlausibilityCheck.SHARE_MISMATCH,
                f"Antalet motsvarar {_percent(implied, decimals=1)} av befolkningen, "
                f"men andelen i fråga {percentage_number} är {_percent(percentage)}. "
                "Avser de samma befolkning?",
                population,
            )
        ]
    return []


def _percent(value: Decimal, *, decimals: int | None = None) -> str:
    return f"{swedish_number(value, decimals=decimals)} %"
