"""Year over year through the API: one question's table beside its predecessor's,
on the two imported years of tests/fixtures/year_over_year (every figure counted
by hand in its README)."""

from __future__ import annotations

from typing import Any

import pytest

from surveys.models import User
from tests.api.conftest import ApiClient, TokenFor
from tests.reports.year_over_year import TwoYears, load_two_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(staff_user: User) -> TwoYears:
    return load_two_years(staff_user)


@pytest.fixture
def staff_api(api_as: TokenFor, staff_user: User) -> ApiClient:
    return api_as(staff_user, "read")


def comparison(
    api: ApiClient, two_years: TwoYears, variable: str, query: str = ""
) -> Any:
    return api.get(
        f"/api/v1/questionnaires/{two_years.later.pk}/tables/{variable}/comparison/{query}"
    )


def riket(table: dict[str, Any]) -> tuple[dict[str, int], int, int]:
    [group] = table["items"][0]["by_group"]
    return group["counts"], group["base"], group["not_answered"]


def test_an_unchanged_question_beside_its_predecessor(
    staff_api: ApiClient, two_years: TwoYears
) -> None:
    answer = comparison(staff_api, two_years, "q1_plan")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["year"], body["previous_year"], body["new"], body["changes"]) == (
        2034,
        2033,
        False,
        [],
    )
    # 2033: 3 ja, 2 nej of 5 who answered, 1 did not; 2034: 5 ja, 2 nej of 7.
    assert riket(body["previous"]) == ({"ja": 3, "nej": 2}, 5, 1)
    assert riket(body["current"]) == ({"ja": 5, "nej": 2}, 7, 0)
    assert body["previous"]["questionnaire_id"] == two_years.earlier.pk
    assert (body["previous"]["respondents"], body["current"]["respondents"]) == (6, 7)


def test_a_reworded_question_says_so_and_a_new_one_has_no_predecessor(
    staff_api: ApiClient, two_years: TwoYears
) -> None:
    reworded = comparison(staff_api, two_years, "q2_team").json()
    assert (reworded["new"], reworded["changes"]) == (False, ["frågetext"])
    assert reworded["previous"]["variable"] == "q2_team"
    new = comparison(staff_api, two_years, "q4_digital").json()
    assert (new["new"], new["changes"], new["previous"]) == (True, [], None)
    assert new["current"]["variable"] == "q4_digital"


def test_per_region_and_the_first_year_without_a_previous_cycle(
    staff_api: ApiClient, two_years: TwoYears
) -> None:
    body = comparison(staff_api, two_years, "q1_plan", "?niva=region").json()
    assert body["current"]["level"] == body["previous"]["level"] == "region"
    assert len(body["current"]["items"][0]["by_group"]) == 21
    first = staff_api.get(
        f"/api/v1/questionnaires/{two_years.earlier.pk}/tables/q1_plan/comparison/"
    ).json()
    assert (first["year"], first["previous_year"], first["previous"]) == (
        2033,
        None,
        None,
    )


def test_unknown_questions_and_bad_options(
    staff_api: ApiClient, two_years: TwoYears
) -> None:
    unknown = comparison(staff_api, two_years, "finns_inte")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Frågan finns inte."
    bad = comparison(staff_api, two_years, "q1_plan", "?niva=planet")
    assert bad.status_code == 400
    assert "niva" in bad.json()["errors"]
