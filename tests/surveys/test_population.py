"""Region (län) populations as register data, for the plausibility checks:
«Befolkning 1/11-2021» of Överenskommelsen 2022, Bilaga 4
(docs/domain/reporting_cycle_and_2019_survey.md §3.3, §3.4)."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from surveys.errors import DomainError
from surveys.models import Population, Region, User
from surveys.plausibility import PopulationFigure
from surveys.selectors import population_of
from surveys.services.reference_data import REFERENCE_DIR, load_reference_data

pytestmark = pytest.mark.django_db

NOVEMBER_2021 = datetime.date(2021, 11, 1)


def test_every_region_has_its_2021_population_from_the_agreement() -> None:
    populations = Population.objects.filter(reference_date=NOVEMBER_2021)
    assert populations.count() == 21
    assert set(populations.values_list("organisation__kind", flat=True)) == {"region"}
    assert populations.aggregate(total=Sum("population"))["total"] == 10_443_100
    assert {p.source for p in populations} == {
        "Överenskommelsen om god och nära vård 2022 (staten och SKR), Bilaga 4: "
        "befolkning 1/11-2021"
    }


@pytest.mark.parametrize(
    ("code", "population"),
    [
        ("01", 2_411_859),  # Stockholm, first row
        ("06", 366_840),  # «Jönköpingslän» in Bilaga 3
        ("08", 246_989),  # «Kalmarlän»
        ("14", 1_743_304),  # «Västra götaland»
        ("21", 287_873),  # Gävleborg
        ("25", 249_752),  # Norrbotten, last row
    ],
)
def test_populations_are_matched_to_regions_by_lanskod(
    code: str, population: int
) -> None:
    region = Region.objects.get(code=code)
    assert region.populations.get(reference_date=NOVEMBER_2021).population == (
        population
    )


def test_the_latest_figure_on_or_before_a_day_is_used() -> None:
    region = Region.objects.get(code="08")
    Population.objects.create(
        organisation=region,
        reference_date=datetime.date(2025, 11, 1),
        population=250_000,
        source="Senare källa",
    )
    assert population_of(
        region.pk, on_or_before=datetime.date(2024, 12, 31)
    ) == PopulationFigure(
        246_989,
        NOVEMBER_2021,
        "Överenskommelsen om god och nära vård 2022 (staten och SKR), Bilaga 4: "
        "befolkning 1/11-2021",
    )
    later = population_of(region.pk, on_or_before=datetime.date(2025, 12, 31))
    assert later is not None and later.population == 250_000
    assert population_of(region.pk, on_or_before=datetime.date(2021, 10, 31)) is None


def test_a_staff_correction_survives_a_reload_unless_update_is_asked_for() -> None:
    row = Population.objects.get(organisation__code="04", reference_date=NOVEMBER_2021)
    row.population = 301_000
    row.save(update_fields=["population"])

    report = load_reference_data()
    row.refresh_from_db()
    assert row.population == 301_000
    assert report.differences == [
        "Befolkning Södermanlands län 2021-11-01: population skiljer sig från filen"
    ]

    report = load_reference_data(update=True)
    row.refresh_from_db()
    assert row.population == 301_382
    assert report.updated == {"befolkningsuppgift": 1}


def test_the_command_loads_missing_populations_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Population.objects.all().delete()
    call_command("load_reference_data")
    assert "Skapade 21 befolkningsuppgift" in capsys.readouterr().out
    call_command("load_reference_data")
    assert "Registret var redan inläst" in capsys.readouterr().out
    assert Population.objects.count() == 21


def test_a_row_whose_name_does_not_match_its_lanskod_is_refused(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, directory)
    path = directory / "population.csv"
    # Kalmar's figure put on Kronoberg's code: the names give it away.
    text = path.read_text(encoding="utf-8").replace(
        "07,Kronobergs län", "07,Kalmar län"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        DomainError, match="länskod 07 är Kronobergs län, inte Kalmar län"
    ):
        load_reference_data(directory=directory)


def test_staff_see_the_populations_in_the_admin(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    page = client.get("/admin/surveys/population/")
    assert page.status_code == 200
    assert "Region Gävleborg" in page.content.decode()
    assert "287873" in page.content.decode().replace("\xa0", "").replace(" ", "")
