"""Staff's reads through the API: a question's table per level with its bases,
the status of every organisation, export jobs; with query budgets that do not
grow with the number of responses (docs/conventions.md §15)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from surveys.models import Questionnaire, Region, User
from tests.api.conftest import ApiClient, TokenFor

pytestmark = pytest.mark.django_db

QueryCounter = Callable[..., Any]


def answer_q2(
    questionnaire: Questionnaire, actor: User, answers: dict[str, str]
) -> None:
    """Region code -> the region's answer to question 2 (ja/nej), as drafts."""
    variable = questionnaire.questions.get(number="2").variable
    for code, value in answers.items():
        response = get_or_create_response(
            questionnaire, organisation=Region.objects.get(code=code)
        )
        save_answers(
            response, actor=actor, channel=Channel.WEB, values={variable: value}
        )


@pytest.fixture
def staff_api(api_as: TokenFor, staff_user: User) -> ApiClient:
    return api_as(staff_user, "read")


def table_url(questionnaire: Questionnaire, query: str = "") -> str:
    variable = questionnaire.questions.get(number="2").variable
    return f"/api/v1/questionnaires/{questionnaire.pk}/tables/{variable}/{query}"


def test_the_table_has_counts_and_bases_per_region(
    staff_api: ApiClient, staff_user: User, region_questionnaire: Questionnaire
) -> None:
    answer_q2(region_questionnaire, staff_user, {"04": "ja", "07": "nej", "01": "ja"})
    answer = staff_api.get(
        table_url(region_questionnaire, "?niva=region&svar=paborjade")
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["level"], body["selection"], body["frame"], body["respondents"]) == (
        "region",
        "paborjade",
        21,
        3,
    )
    assert body["options"] == {"ja": "Ja", "nej": "Nej"}
    (item,) = body["items"]
    by_code = {group["code"]: group for group in item["by_group"]}
    assert len(by_code) == 21
    assert (by_code["04"]["base"], by_code["04"]["counts"]) == (1, {"ja": 1})
    assert (by_code["07"]["base"], by_code["07"]["counts"]) == (1, {"nej": 1})
    assert by_code["03"]["base"] == 0


def test_the_official_table_counts_submitted_responses_only(
    staff_api: ApiClient, staff_user: User, region_questionnaire: Questionnaire
) -> None:
    answer_q2(region_questionnaire, staff_user, {"04": "ja"})
    body = staff_api.get(table_url(region_questionnaire)).json()
    (item,) = body["items"]
    assert body["level"] == "riket"
    assert item["by_group"][0]["base"] == 0
    assert "påbörjade" in body["selection_note"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("?niva=kommun", "niva"), ("?svar=alla", "svar"), ("?niva=", "niva")],
)
def test_bad_options_are_a_clear_400(
    staff_api: ApiClient, region_questionnaire: Questionnaire, query: str, field: str
) -> None:
    answer = staff_api.get(table_url(region_questionnaire, query))
    assert answer.status_code == 400
    assert field in answer.json()["errors"]


def test_an_unknown_question_is_404(
    staff_api: ApiClient, region_questionnaire: Questionnaire
) -> None:
    answer = staff_api.get(
        f"/api/v1/questionnaires/{region_questionnaire.pk}/tables/finns_inte/"
    )
    assert answer.status_code == 404
    assert answer.json()["detail"] == "Frågan finns inte."


# Both include the token's lookup; the first call also records the token's use
# (last_used_at is written at most once a minute). Question 2 is a yes/no: its
# respondents are the sum of its cells, no query of their own. The tabulation
# takes the questions from the structure the answers' saves built
# (reports.tabulation.plan): three fewer than the 11 before; and the
# tabulation is one statement (reports.tabulation.queries), 8 when its frame,
# respondents and cells were a query each.
TABLE_QUERIES = 5
# The status reuses the question structure the answers' saves built
# (intake.selectors.questions_of).
STATUS_QUERIES = 5


@pytest.mark.parametrize("regions", [["04"], ["04", "07", "01", "03", "05", "06"]])
def test_the_table_and_status_cost_the_same_queries_at_any_size(
    staff_api: ApiClient,
    staff_user: User,
    region_questionnaire: Questionnaire,
    regions: list[str],
    django_assert_num_queries: QueryCounter,
) -> None:
    answer_q2(region_questionnaire, staff_user, dict.fromkeys(regions, "ja"))
    with django_assert_num_queries(TABLE_QUERIES):
        assert (
            staff_api.get(table_url(region_questionnaire, "?niva=region")).status_code
            == 200
        )
    with django_assert_num_queries(STATUS_QUERIES):
        answer = staff_api.get(
            f"/api/v1/questionnaires/{region_questionnaire.pk}/status/"
        )
    rows = answer.json()
    assert len(rows) == 21
    assert sum(row["status"] == "in_progress" for row in rows) == len(regions)


def test_exports_are_ordered_followed_and_downloaded(
    api_as: TokenFor,
    staff_user: User,
    region_questionnaire: Questionnaire,
    django_capture_on_commit_callbacks: Callable[..., Any],
    tmp_path: Any,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    api = api_as(staff_user, "write")
    with django_capture_on_commit_callbacks(execute=True):
        ordered = api.post(
            "/api/v1/exports/",
            {
                "questionnaire_id": region_questionnaire.pk,
                "kind": "svarsstatus",
                "format": "csv",
                "options": {},
            },
        )
    assert ordered.status_code == 202, ordered.json()
    job = ordered.json()["id"]
    status = api.get(f"/api/v1/exports/{job}/").json()
    assert (status["status"], status["download"]) == ("done", True)
    download = api.get(f"/api/v1/exports/{job}/file/")
    assert download.status_code == 200
    assert b"Region" in b"".join(download.streaming_content)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "svarsstatus", "format": "csv"}, "questionnaire_id"),
        (
            {"questionnaire_id": 0, "kind": "svarsstatus", "format": "csv"},
            "questionnaire_id",
        ),
        ({"year": 2024, "kind": "svarsstatus", "format": "csv"}, "target"),
        ({"year": 2024, "kind": "okand", "format": "csv"}, "kind"),
        ({"year": 2024, "kind": "svarsstatus", "format": "exe"}, "format"),
    ],
)
def test_bad_export_orders_are_a_clear_400(
    api_as: TokenFor, staff_user: User, body: dict[str, Any], field: str
) -> None:
    answer = api_as(staff_user).post("/api/v1/exports/", body)
    assert answer.status_code == 400
    assert field in answer.json()["errors"], answer.json()


def test_a_read_token_cannot_order_an_export(
    staff_api: ApiClient, region_questionnaire: Questionnaire
) -> None:
    answer = staff_api.post(
        "/api/v1/exports/",
        {
            "questionnaire_id": region_questionnaire.pk,
            "kind": "svarsstatus",
            "format": "csv",
        },
    )
    assert answer.status_code == 403


def test_the_table_gives_the_base_convention_and_the_footnotes(
    staff_api: ApiClient, region_questionnaire: Questionnaire
) -> None:
    # Question 4 is declared changed in wording since the previous survey (issue
    # #16 point 3); question 2 has no footnote. Both are of those who answered.
    url = f"/api/v1/questionnaires/{region_questionnaire.pk}/tables/r04_handlingsplan/"
    body = staff_api.get(url).json()
    assert body["base_convention"] == "answered"
    assert body["footnotes"] == [
        "Frågans formulering har ändrats jämfört med föregående undersökning. "
        "Jämför med tidigare resultat med försiktighet."
    ]
    assert staff_api.get(table_url(region_questionnaire)).json()["footnotes"] == []
