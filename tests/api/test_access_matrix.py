"""Who reaches what through the API (issue #18 point 5): every role against
every endpoint, both ways. Outside one's scope is 404 (as "does not exist"),
read-only access to a write is 403, no credentials 401."""

from __future__ import annotations

import pytest

from intake.models import AnswerChange, Response
from surveys.models import RSS, Kommun, Organisation, Questionnaire, Region, User
from tests.api.conftest import ApiClient, TokenFor

pytestmark = pytest.mark.django_db

IF_MATCH = {"If-Match": '"0"'}


def response_url(questionnaire: Questionnaire, organisation: Organisation) -> str:
    return f"/api/v1/responses/{questionnaire.pk}/{organisation.pk}/"


def save(
    api: ApiClient, questionnaire: Questionnaire, organisation: Organisation
) -> int:
    answer = api.patch(
        response_url(questionnaire, organisation) + "answers/",
        {"answers": {}},
        **IF_MATCH,
    )
    return int(answer.status_code)


def test_region_a_cannot_read_or_write_region_b(
    api_as: TokenFor,
    region_user: User,
    other_region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    api = api_as(region_user)
    assert api.get(response_url(region_questionnaire, other_region)).status_code == 404
    assert save(api, region_questionnaire, other_region) == 404
    submit = api.post(
        response_url(region_questionnaire, other_region) + "submit/", **IF_MATCH
    )
    assert submit.status_code == 404
    assert not Response.objects.filter(organisation=other_region).exists()


def test_region_b_reaches_its_own_on_the_same_setup(
    api_as: TokenFor,
    other_region_user: User,
    other_region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    api = api_as(other_region_user)
    assert api.get(response_url(region_questionnaire, other_region)).status_code == 200
    assert save(api, region_questionnaire, other_region) == 200


def test_a_kommun_cannot_reach_another_kommun_or_a_region(
    api_as: TokenFor,
    kommun_user: User,
    kommun: Kommun,
    region: Region,
    kommun_questionnaire: Questionnaire,
    region_questionnaire: Questionnaire,
) -> None:
    api = api_as(kommun_user)
    other = Kommun.objects.exclude(pk=kommun.pk).get(code="0180")  # Stockholm
    assert api.get(response_url(kommun_questionnaire, other)).status_code == 404
    assert save(api, kommun_questionnaire, other) == 404
    assert api.get(response_url(region_questionnaire, region)).status_code == 404
    assert save(api, kommun_questionnaire, kommun) == 200


def test_an_rss_reaches_its_member_kommuner_only(
    api_as: TokenFor,
    rss_user: User,
    rss: RSS,
    kommun: Kommun,
    kommun_questionnaire: Questionnaire,
) -> None:
    api = api_as(rss_user)
    outside = Kommun.objects.get(code="0180")  # Stockholm, not in RSS Kronoberg
    assert api.get(response_url(kommun_questionnaire, kommun)).status_code == 200
    assert save(api, kommun_questionnaire, kommun) == 200
    assert api.get(response_url(kommun_questionnaire, outside)).status_code == 404
    assert save(api, kommun_questionnaire, outside) == 404


def test_staff_read_every_response_but_do_not_write_it(
    api_as: TokenFor,
    staff_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    api = api_as(staff_user)
    assert api.get(response_url(region_questionnaire, region)).status_code == 200
    answer = api.patch(
        response_url(region_questionnaire, region) + "answers/",
        {"answers": {}},
        **IF_MATCH,
    )
    assert answer.status_code == 403
    assert "inte ändra" in answer.json()["detail"]
    assert AnswerChange.objects.count() == 0


REPORT_GETS = [
    "/api/v1/questionnaires/{q}/tables/{v}/",
    "/api/v1/questionnaires/{q}/tables/{v}/comparison/",
    "/api/v1/questionnaires/{q}/status/",
    "/api/v1/exports/{job}/",
    "/api/v1/exports/{job}/file/",
]


@pytest.fixture
def export_job_id(
    api_as: TokenFor, staff_user: User, region_questionnaire: Questionnaire
) -> int:
    answer = api_as(staff_user).post(
        "/api/v1/exports/",
        {
            "questionnaire_id": region_questionnaire.pk,
            "kind": "svarsstatus",
            "format": "csv",
        },
    )
    assert answer.status_code == 202, answer.json()
    return int(answer.json()["id"])


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_reach_reports_or_exports(
    request: pytest.FixtureRequest,
    api_as: TokenFor,
    persona: str,
    region_questionnaire: Questionnaire,
    export_job_id: int,
) -> None:
    api = api_as(request.getfixturevalue(persona))
    variable = region_questionnaire.questions.get(number="2").variable
    for template in REPORT_GETS:
        path = template.format(q=region_questionnaire.pk, v=variable, job=export_job_id)
        assert api.get(path).status_code == 404, path
    order = api.post(
        "/api/v1/exports/",
        {
            "questionnaire_id": region_questionnaire.pk,
            "kind": "svarsstatus",
            "format": "csv",
        },
    )
    assert order.status_code == 404


def test_staff_reach_reports_and_exports(
    api_as: TokenFor,
    staff_user: User,
    region_questionnaire: Questionnaire,
    export_job_id: int,
) -> None:
    api = api_as(staff_user)
    variable = region_questionnaire.questions.get(number="2").variable
    for template in REPORT_GETS[:4]:
        path = template.format(q=region_questionnaire.pk, v=variable, job=export_job_id)
        assert api.get(path).status_code == 200, path


ALL_ENDPOINTS = [
    ("get", "/api/v1/questionnaires/"),
    ("get", "/api/v1/questionnaires/1/"),
    ("get", "/api/v1/questionnaires/1/tables/x/"),
    ("get", "/api/v1/questionnaires/1/tables/x/comparison/"),
    ("get", "/api/v1/questionnaires/1/status/"),
    ("get", "/api/v1/responses/"),
    ("get", "/api/v1/responses/1/1/"),
    ("patch", "/api/v1/responses/1/1/answers/"),
    ("post", "/api/v1/responses/1/1/submit/"),
    ("post", "/api/v1/exports/"),
    ("get", "/api/v1/exports/1/"),
    ("get", "/api/v1/exports/1/file/"),
    ("get", "/api/v1/tokens/"),
    ("post", "/api/v1/tokens/"),
    ("delete", "/api/v1/tokens/1/"),
]


@pytest.mark.parametrize(("method", "path"), ALL_ENDPOINTS)
def test_every_endpoint_requires_credentials(db: None, method: str, path: str) -> None:
    answer = getattr(ApiClient(), method)(path)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Bearer"
    assert answer.json()["detail"].startswith(
        "Autentiseringsuppgifter"
    )  # DRF's Swedish


@pytest.mark.parametrize(("method", "path"), ALL_ENDPOINTS)
def test_every_endpoint_refuses_an_unknown_token(
    db: None, method: str, path: str
) -> None:
    answer = getattr(ApiClient("nv_not-a-token"), method)(path)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Nyckeln är ogiltig."


@pytest.mark.parametrize(
    "path", ["/api/v1/responses/x/1/", "/api/v1/finns-inte/", "/api/v1/exports/1/fil/"]
)
def test_an_unknown_api_address_is_a_json_404(
    api_as: TokenFor, region_user: User, path: str
) -> None:
    api = api_as(region_user)
    for answer in (api.get(path), api.post(path, {})):
        assert answer.status_code == 404
        assert answer.json()["detail"].startswith("Adressen finns inte i API:t")


def test_options_requests_describe_nothing(api_as: TokenFor, region_user: User) -> None:
    answer = api_as(region_user).client.options(
        "/api/v1/exports/", headers=api_as(region_user).headers
    )
    assert answer.status_code == 405
