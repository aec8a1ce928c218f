"""The plausibility checks calibrated on the published 2024 region answers
(tests/fixtures/region_2024_published.json, loaded through the raw-data
import by tests/reports/golden.py).

The three published slips of Fråga 36 (docs/domain/region_questionnaire_2024.md
§4 item 4) must be flagged for the right reasons: Gävleborg's «38» equals its
Fråga 35 answer of 38 %, Kalmar's «179» (read as 179 000, footnote 36) is far
below its population, Skåne's «999 999» is a sentinel. Only two other regions
are flagged, both because their count and their share describe different
populations: Sörmland (38,9 % from the count, 57 % given; footnote 37 says its
share counts only its own vårdcentraler) and Västerbotten (10,2 % against 18 %;
the region writes that the real share is probably higher, 002:3580).

Staff then correct the slips as Socialstyrelsen did by hand: Kalmar to 179 000,
Gävleborg to «Antalet kan inte uppskattas». The national sum becomes 4 423 809,
the corrected sum the domain notes compute, while the history keeps the values
as entered.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import AnswerChange, Channel, Response
from reports.plausibility import plausibility_review
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level
from surveys.models import Questionnaire, User
from surveys.plausibility import PlausibilityCheck
from tests.reports.golden import load_region_2024_published


def questionnaire_2024() -> Questionnaire:
    return Questionnaire.objects.select_related("cycle").get(
        cycle__year=2024, key="region"
    )


@pytest.fixture(scope="module")
def golden(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The import runs once per module; its rows are rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        actor = User.objects.create_user(
            email="import-plausibility@socialstyrelsen.test", is_staff=True
        )
        summary, data = load_region_2024_published(actor)
        assert (summary.rows, summary.submitted) == (21, 21)
        yield data
        transaction.set_rollback(True)


def flagged_by_region(questionnaire: Questionnaire) -> dict[str, set[str]]:
    review = plausibility_review(questionnaire)
    flagged: dict[str, set[str]] = {}
    for answer in review.flagged:
        key = f"{answer.organisation.short_name} {answer.question.variable}"
        flagged[key] = {f.check.value for f in answer.findings}
    return flagged


def test_the_published_slips_and_only_two_more_are_flagged(
    golden: dict[str, Any], db: None
) -> None:
    assert flagged_by_region(questionnaire_2024()) == {
        # A percentage typed into the count field (and so far below the population).
        "Gävleborg r36_antal": {
            PlausibilityCheck.EQUALS_PERCENTAGE,
            PlausibilityCheck.BELOW_POPULATION,
        },
        # Entered in thousands (footnote 36).
        "Kalmar r36_antal": {PlausibilityCheck.BELOW_POPULATION},
        # A placeholder.
        "Skåne r36_antal": {PlausibilityCheck.SENTINEL},
        # Count and share about different populations.
        "Sörmland r36_antal": {PlausibilityCheck.SHARE_MISMATCH},
        "Västerbotten r36_antal": {PlausibilityCheck.SHARE_MISMATCH},
    }


def test_the_reasons_name_the_figures_compared(
    golden: dict[str, Any], db: None
) -> None:
    review = plausibility_review(questionnaire_2024())
    by_region = {a.organisation.short_name: a for a in review.flagged}
    assert review.n_checked == 17 + 15  # Fråga 35 and 36 answered with a number

    gavleborg = by_region["Gävleborg"]
    assert gavleborg.value == "38"
    assert gavleborg.findings[0].message == (
        "Antalet är samma tal som andelen i fråga 35 (38 %). Har andelen skrivits "
        "i stället för antalet personer?"
    )
    kalmar = by_region["Kalmar"]
    assert kalmar.value == "179"
    assert kalmar.population is not None
    assert kalmar.population.describe() == "246 989 invånare den 1 november 2021"
    assert by_region["Skåne"].value == "999 999"
    assert by_region["Skåne"].population is None  # the sentinel needs none
    assert by_region["Sörmland"].findings[0].message == (
        "Antalet motsvarar 38,9 % av befolkningen, men andelen i fråga 35 är 57 %. "
        "Avser de samma befolkning?"
    )


def test_the_review_page_lists_them_with_population_and_date(
    golden: dict[str, Any], client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    page = client.get(
        reverse("reports:questionnaire-review", args=[questionnaire_2024().pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "5 svar med varningar" in html
    for text in (
        "Gävleborg",
        "999 999",
        "Kalmar",
        "246 989 invånare den 1 november 2021",
        "Bilaga 4: befolkning 1/11-2021",
        "Inskickad",
    ):
        assert text in html


def test_correcting_the_slips_gives_the_corrected_national_sum(
    golden: dict[str, Any], client: Client, staff_user: User
) -> None:
    # The test's own transaction is rolled back: the other tests see the answers
    # as published.
    questionnaire = questionnaire_2024()
    url = reverse("reports:questionnaire-review", args=[questionnaire.pk])
    kalmar = Response.objects.get(questionnaire=questionnaire, organisation__code="08")
    gavleborg = Response.objects.get(
        questionnaire=questionnaire, organisation__code="21"
    )
    client.force_login(staff_user)
    for response, value in (
        (kalmar, {"value": "179 000"}),
        (gavleborg, {"escaped": "on"}),
    ):
        posted = client.post(
            url,
            {
                "response": response.pk,
                "variable": "r36_antal",
                "version": response.version,
                "reason": "Fotnot 36: ett hundratal tolkat som hundratusental"
                if response == kalmar
                else "Andelen (38 %) angiven som antal; antalet saknas",
                **value,
            },
        )
        assert posted.status_code == 302, posted.content.decode()

    riket = tabulate(questionnaire, level=Level.RIKET, variables=["r36_antal"])
    q36 = riket.question("r36_antal").items[0].by_group[0]
    # Kalmar × 1000 and Gävleborg out of the base: the domain notes' 4 423 809.
    assert (q36.base, q36.escaped, q36.total) == (14, 7, Decimal(4_423_809))

    # Both responses stay submitted; the values as entered are in the history.
    kalmar.refresh_from_db()
    assert kalmar.status == "submitted"
    change = AnswerChange.objects.get(response=kalmar, channel=Channel.CORRECTION)
    assert change.old_value == {"number": "179.00"}
    assert change.new_value == {"number": "179000"}

    review = plausibility_review(questionnaire)
    assert {a.organisation.short_name for a in review.flagged} == {
        "Skåne",
        "Sörmland",
        "Västerbotten",
    }
    assert [
        (c.organisation.short_name, c.old_value, c.new_value)
        for c in review.corrections
    ] == [
        ("Kalmar", "179", "179 000"),
        ("Gävleborg", "38", "Antalet kan inte uppskattas"),
    ]
