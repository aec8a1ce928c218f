"""Reading, saving and submitting a response through the API: the same gateway,
service, validation, history and lock as the form, with ETag and If-Match."""

from __future__ import annotations

import random
from typing import Any

import pytest

from intake.demo import demo_values
from intake.models import AnswerChange, Channel, Response, ResponseStatus
from intake.selectors import questions_of
from intake.services import get_or_create_response, save_answers
from surveys.models import Kommun, OrganisationRole, Questionnaire, Region, User
from surveys.services.lifecycle import close_questionnaire
from tests.api.conftest import TokenFor

pytestmark = pytest.mark.django_db


def url(questionnaire: Questionnaire, organisation_id: int, tail: str = "") -> str:
    return f"/api/v1/responses/{questionnaire.pk}/{organisation_id}/{tail}"


def variable(questionnaire: Questionnaire, number: str) -> str:
    return questionnaire.questions.get(number=number).variable


def test_it_reads_an_unstarted_response_with_version_zero(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    answer = api_as(region_user, "read").get(url(region_questionnaire, region.pk))
    assert answer.status_code == 200
    assert answer["ETag"] == '"0"'
    body = answer.json()
    assert (body["status"], body["version"], body["answers"]) == ("not_started", 0, {})


def test_it_saves_a_draft_with_if_match_and_records_history(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    q = region_questionnaire
    api = api_as(region_user)
    values = {variable(q, "2"): "ja", variable(q, "35"): "59.5"}
    answer = api.patch(
        url(q, region.pk, "answers/"), {"answers": values}, **{"If-Match": '"0"'}
    )
    assert answer.status_code == 200, answer.json()
    assert answer["ETag"] == '"1"'
    assert answer.json()["answers"] == {
        variable(q, "2"): "ja",
        variable(q, "35"): "59.50",
    }
    change = AnswerChange.objects.get(question__variable=variable(q, "2"))
    assert (change.changed_by, change.channel) == (region_user, Channel.API)
    # What was read is sent back unchanged: nothing changes but the version.
    again = api.get(url(q, region.pk))
    assert again.json()["answers"] == answer.json()["answers"]


def test_a_write_without_if_match_is_refused_with_428(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    q = region_questionnaire
    answer = api_as(region_user).patch(
        url(q, region.pk, "answers/"), {"answers": {variable(q, "2"): "ja"}}
    )
    assert answer.status_code == 428
    assert "If-Match" in answer.json()["detail"]
    assert not Response.objects.filter(organisation=region).exists()


def test_a_stale_version_is_refused_with_412_and_nothing_is_saved(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    q = region_questionnaire
    response = get_or_create_response(q, organisation=region)
    save_answers(
        response,
        actor=region_user,
        channel=Channel.WEB,
        values={variable(q, "2"): "nej"},
    )
    answer = api_as(region_user).patch(
        url(q, region.pk, "answers/"),
        {"answers": {variable(q, "2"): "ja"}},
        **{"If-Match": '"0"'},
    )
    assert answer.status_code == 412
    assert answer["ETag"] == '"1"'
    assert "har ändrats" in answer.json()["detail"]
    assert api_as(region_user).get(url(q, region.pk)).json()["answers"] == {
        variable(q, "2"): "nej"
    }


def test_a_malformed_if_match_is_a_clear_400(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    q = region_questionnaire
    answer = api_as(region_user).patch(
        url(q, region.pk, "answers/"), {"answers": {}}, **{"If-Match": "*"}
    )
    assert answer.status_code == 400
    assert "If-Match" in answer.json()["detail"]


def test_refused_values_are_400_by_variable_and_change_nothing(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    q = region_questionnaire
    api = api_as(region_user)
    for values in [
        {"okand": "x"},
        {variable(q, "2"): "kanske", variable(q, "35"): "101"},
    ]:
        answer = api.patch(
            url(q, region.pk, "answers/"), {"answers": values}, **{"If-Match": '"0"'}
        )
        assert answer.status_code == 400
        assert set(answer.json()["errors"]) == set(values)
    assert AnswerChange.objects.count() == 0


@pytest.mark.parametrize("body", [[], "text", {"answers": []}, {"answers": "x"}])
def test_a_body_of_the_wrong_shape_is_a_400(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
    body: object,
) -> None:
    answer = api_as(region_user).patch(
        url(region_questionnaire, region.pk, "answers/"), body, **{"If-Match": '"0"'}
    )
    assert answer.status_code == 400


def test_it_submits_a_complete_response(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    q = region_questionnaire
    response = get_or_create_response(q, organisation=region)
    values = demo_values(questions_of(q.pk), random.Random(7))
    save_answers(response, actor=region_user, channel=Channel.WEB, values=values)
    api = api_as(region_user)
    answer = api.post(url(q, region.pk, "submit/"), **{"If-Match": '"1"'})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == ResponseStatus.SUBMITTED
    locked = api.patch(
        url(q, region.pk, "answers/"),
        {"answers": {variable(q, "2"): "nej"}},
        **{"If-Match": answer["ETag"]},
    )
    assert locked.status_code == 400
    assert "låst" in locked.json()["detail"]


def test_an_incomplete_response_is_not_submitted(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    q = region_questionnaire
    api = api_as(region_user)
    api.patch(
        url(q, region.pk, "answers/"),
        {"answers": {variable(q, "2"): "ja"}},
        **{"If-Match": '"0"'},
    )
    answer = api.post(url(q, region.pk, "submit/"), **{"If-Match": '"1"'})
    assert answer.status_code == 400
    assert "obligatoriska" in answer.json()["detail"]
    unstarted = api_as(region_user).post(
        url(q, 999999, "submit/"), **{"If-Match": '"0"'}
    )
    assert unstarted.status_code == 404


def test_the_list_has_the_callers_own_questionnaires(
    api_as: TokenFor, region_user: User, region: Region
) -> None:
    rows = api_as(region_user, "read").get("/api/v1/responses/").json()
    assert rows
    assert {row["organisation"]["id"] for row in rows} == {region.pk}
    assert {row["questionnaire"]["audience"] for row in rows} == {"region"}


def test_an_rss_coordinator_writes_a_member_kommun_as_proxy(
    api_as: TokenFor,
    rss_user: User,
    kommun: Kommun,
    kommun_questionnaire: Questionnaire,
) -> None:
    q = kommun_questionnaire
    answer = api_as(rss_user).patch(
        url(q, kommun.pk, "answers/"), {"answers": {}}, **{"If-Match": '"0"'}
    )
    assert answer.status_code == 200, answer.json()
    assert Response.objects.get(organisation=kommun, questionnaire=q).version == 1


def test_a_body_that_is_not_json_is_a_clear_400(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    api = api_as(region_user)
    answer = api.client.patch(
        url(region_questionnaire, region.pk, "answers/"),
        data="{inte json",
        content_type="application/json",
        headers={**api.headers, "If-Match": '"0"'},
    )
    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("Innehållet kunde inte läsas")


# The token, the user's organisations, their questionnaires, their responses.
LIST_QUERIES = 4


@pytest.mark.parametrize("regions", [["04"], ["04", "07", "01"]])
def test_the_list_costs_the_same_queries_for_more_organisations(
    api_as: TokenFor,
    django_assert_num_queries: Any,
    regions: list[str],
) -> None:
    user = User.objects.create_user(email="flera@regioner.test", password="x")
    for code in regions:
        OrganisationRole.objects.create(
            user=user, organisation=Region.objects.get(code=code)
        )
    api = api_as(user, "read")
    api.get("/api/v1/questionnaires/")  # the token's first use is recorded once
    with django_assert_num_queries(LIST_QUERIES):
        rows = api.get("/api/v1/responses/").json()
    assert len({row["organisation"]["id"] for row in rows}) == len(regions)


def test_answers_read_with_a_token_are_not_cached(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    answer = api_as(region_user, "read").get(url(region_questionnaire, region.pk))
    assert "no-store" in answer["Cache-Control"]


def test_a_closed_questionnaire_refuses_api_writes_as_the_form_does(
    api_as: TokenFor,
    region_user: User,
    staff_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    """The lifecycle rule (intake.writable, issue #15) holds for programs too."""
    q = region_questionnaire
    api = api_as(region_user)
    values = {variable(q, "2"): "ja"}
    saved = api.patch(
        url(q, region.pk, "answers/"), {"answers": values}, **{"If-Match": '"0"'}
    )
    assert saved.status_code == 200
    close_questionnaire(q, actor=staff_user, reason="Insamlingen är avslutad.")
    refused = api.patch(
        url(q, region.pk, "answers/"),
        {"answers": {variable(q, "2"): "nej"}},
        **{"If-Match": '"1"'},
    )
    assert refused.status_code == 400
    assert "Enkäten är stängd" in refused.json()["detail"]
    submit = api.post(url(q, region.pk, "submit/"), {}, **{"If-Match": '"1"'})
    assert submit.status_code == 400
    assert "Enkäten är stängd" in submit.json()["detail"]
    # Still readable, and unchanged.
    read = api.get(url(q, region.pk))
    assert read.status_code == 200
    assert read.json()["answers"] == {variable(q, "2"): "ja"}
