"""The page's script posts the form as JSON pairs with its CSRF token in a header
(surveys.http.posted_form, issue #20). The token is still required, and a body
that is not such a form is answered in Swedish JSON and saves nothing: never a
500. What a save does with either encoding: the tests that take `script_post`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from intake.models import Answer, Response
from surveys import http
from surveys.http import form_json
from surveys.models import Kommun, Questionnaire, Region, User

pytestmark = pytest.mark.django_db

JSON = "application/json"


def region_2024() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def endpoints(region: Region) -> list[str]:
    args = [region_2024().pk, region.pk]
    return [
        reverse("intake:response-autosave", args=args),
        reverse("intake:response-save-draft", args=args),
        reverse("intake:response-visibility", args=args),
    ]


def nothing_saved(region: Region) -> bool:
    return not Response.objects.filter(organisation=region).exists()


def signed_in_page(client: Client, region_user: User, region: Region) -> str:
    """The token the page holds (its hidden field, which form.js sends)."""
    client.force_login(region_user)
    edit = reverse("intake:response-edit", args=[region_2024().pk, region.pk])
    page = client.get(edit)
    return str(page.context["csrf_token"])


def test_a_json_post_needs_the_page_s_token_in_its_header(
    region_user: User, region: Region
) -> None:
    client = Client(enforce_csrf_checks=True)
    token = signed_in_page(client, region_user, region)
    autosave = endpoints(region)[0]
    body = form_json([("version", "0"), ("r36_antal", "12")])
    for headers in ({}, {"X-CSRFToken": "b" * 32}, {"X-CSRFToken": "wrong"}):
        refused = client.post(autosave, body, content_type=JSON, headers=headers)
        assert refused.status_code == 403, headers
        assert refused.json()["csrf_failed"] is True
        assert nothing_saved(region)
    # The token in the body, as a form field, is not read from JSON.
    in_body = json.dumps([["csrfmiddlewaretoken", token], ["version", "0"]])
    assert client.post(autosave, in_body, content_type=JSON).status_code == 403
    assert nothing_saved(region)

    saved = client.post(
        autosave, body, content_type=JSON, headers={"X-CSRFToken": token}
    )
    assert saved.status_code == 200 and saved.json()["saved"] is True
    assert Answer.objects.get(question__variable="r36_antal").number == 12


# (what is posted, the content type, the status, the start of the message)
BAD_BODIES: list[tuple[str, bytes, str, int, str]] = [
    ("malformed", b'[["version", "0"]', JSON, 400, "Svaren kunde inte läsas"),
    ("blank", b" ", JSON, 400, "Svaren kunde inte läsas"),
    ("an object", b'{"version": "0"}', JSON, 400, "Svaren kunde inte läsas"),
    ("a string", b'"version=0"', JSON, 400, "Svaren kunde inte läsas"),
    ("a lone name", b'[["version", "0"], ["r36_antal"]]', JSON, 400, "Svaren"),
    ("a triple", b'[["version", "0", "1"]]', JSON, 400, "Svaren kunde inte läsas"),
    ("a number", b'[["version", 0]]', JSON, 400, "Svaren kunde inte läsas"),
    ("a null", b'[["version", null]]', JSON, 400, "Svaren kunde inte läsas"),
    ("a list value", b'[["r02", ["ja"]]]', JSON, 400, "Svaren kunde inte läsas"),
    ("a pair object", b'[{"version": "0"}]', JSON, 400, "Svaren kunde inte läsas"),
    ("deep", b"[" * 100_000 + b"]" * 100_000, JSON, 400, "Svaren kunde inte"),
    (
        "latin-1",
        '[["r01_omstallning", "Vård"]]'.encode("latin-1"),
        JSON,
        400,
        "Svaren kunde inte läsas eftersom texten inte var kodad som UTF-8",
    ),
    (
        "utf-16",
        '[["version", "0"]]'.encode("utf-16"),
        JSON,
        400,
        "Svaren kunde inte läsas eftersom texten inte var kodad som UTF-8",
    ),
    (
        "a lone surrogate",
        b'[["version", "0"], ["r01_omstallning", "a\\ud800"]]',
        JSON,
        400,
        "Svaren kunde inte läsas eftersom texten inte var kodad som UTF-8",
    ),
    ("plain text", b'[["version", "0"]]', "text/plain", 415, "Svaren skickades i"),
    ("no type", b'[["version", "0"]]', "", 415, "Svaren skickades i ett format"),
]


@pytest.mark.parametrize(
    ("case", "body", "content_type", "status", "message"),
    BAD_BODIES,
    ids=[b[0] for b in BAD_BODIES],
)
def test_a_body_that_is_not_a_form_is_answered_in_swedish_and_saves_nothing(
    client: Client,
    region_user: User,
    region: Region,
    case: str,
    body: bytes,
    content_type: str,
    status: int,
    message: str,
) -> None:
    client.force_login(region_user)
    for url in endpoints(region):
        result = client.post(url, body, content_type=content_type)
        assert result.status_code == status, (url, result.content[:300])
        assert result.json()["saved"] is False
        assert result.json()["message"].startswith(message)
    assert nothing_saved(region)


def test_a_well_formed_body_passes_those_checks(
    client: Client, region_user: User, region: Region
) -> None:
    """The counterpart of the cases above: each refusal is of what it names."""
    client.force_login(region_user)
    body = form_json(
        [("version", "0"), ("r01_omstallning", "Vård \U0001f600 \u00e5\u00e4\u00f6")]
    )
    assert b"\\u" not in body  # as JSON.stringify: the characters themselves
    autosave = endpoints(region)[0]
    result = client.post(autosave, body, content_type=f"{JSON}; charset=utf-8")
    assert result.status_code == 200 and result.json()["saved"] is True
    text = Answer.objects.get(question__variable="r01_omstallning").text
    assert text == "Vård \U0001f600 åäö"
    # A surrogate pair escaped (a character outside the BMP) is a character.
    escaped = b'[["version", "1"], ["r01_omstallning", "\\ud83d\\ude00"]]'
    result = client.post(autosave, escaped, content_type=JSON)
    assert result.status_code == 200, result.content
    assert Answer.objects.get(question__variable="r01_omstallning").text == "\U0001f600"


def test_django_s_limits_on_a_form_hold_for_the_json_body(
    client: Client, region_user: User, region: Region, settings: LazySettings
) -> None:
    """DATA_UPLOAD_MAX_NUMBER_FIELDS counts its pairs and
    DATA_UPLOAD_MAX_MEMORY_SIZE its bytes, as they do a urlencoded form's."""
    client.force_login(region_user)
    autosave = endpoints(region)[0]
    pairs = [("version", "0")] + [("r01_omstallning", "x")] * 9
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 9
    too_many = client.post(autosave, form_json(pairs), content_type=JSON)
    assert too_many.status_code == 400
    assert too_many.json()["message"] == http.TOO_MANY
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = form_json(pairs)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body) - 1
    too_big = client.post(autosave, body, content_type=JSON)
    assert too_big.status_code == 413
    assert too_big.json()["message"] == http.TOO_BIG
    assert nothing_saved(region)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body)
    assert client.post(autosave, body, content_type=JSON).status_code == 200


def test_a_multiple_choice_keeps_every_ticked_box(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    args = [questionnaire.pk, kommun.pk]
    client.force_login(kommun_user)
    ticked = ["halsofram", "fast_omsorg", "vardplan_sip"]
    pairs = [("version", "0"), *(("k02_omraden", code) for code in ticked)]
    saved = client.post(
        reverse("intake:response-save-draft", args=args),
        form_json(pairs),
        content_type=JSON,
    )
    assert saved.status_code == 200, saved.content
    stored = Answer.objects.filter(
        response__organisation=kommun, question__variable="k02_omraden"
    )
    assert sorted(a.option.code for a in stored) == sorted(ticked)  # type: ignore[union-attr]


def test_follow_ups_are_shown_for_json_pairs_as_for_the_form(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    visibility = endpoints(region)[2]
    shown: dict[str, Any] = {}
    for answer in ("ja", "nej"):
        pairs = [("version", "0"), ("r02_breddinfort", answer)]
        as_json = client.post(visibility, form_json(pairs), content_type=JSON)
        as_form = client.post(visibility, dict(pairs))
        assert as_json.status_code == as_form.status_code == 200
        assert as_json.json() == as_form.json()
        shown[answer] = as_json.json()["shown"]
    assert shown["ja"] != shown["nej"]
