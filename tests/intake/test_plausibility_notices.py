"""The respondent form's plausibility notices: after a save, "Kontrollera: …"
beside a number that looks like a published slip, tied to its field for screen
readers (aria-describedby), and never in the way of saving or submitting."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Answer, Response, ResponseStatus
from surveys.models import Questionnaire, Region, User
from tests.factories import count_and_share_questionnaire

pytestmark = pytest.mark.django_db


def region_2024() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def form_url(questionnaire: Questionnaire, region: Region) -> str:
    return reverse("intake:response-edit", args=[questionnaire.pk, region.pk])


def save(
    client: Client,
    questionnaire: Questionnaire,
    region: Region,
    values: dict[str, Any],
    *,
    version: int = 0,
    action: str = "save",
) -> Any:
    return client.post(
        form_url(questionnaire, region),
        {"version": version, "action": action, **values},
    )


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input type="text"[^>]*name="{name}"[^>]*>', html, re.S)
    assert match, name
    return match.group(0)


def test_a_percentage_typed_as_the_count_gets_a_notice_after_saving(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    reply = save(client, region_2024(), region, {"r35_andel": "38", "r36_antal": "38"})
    # Saved as typed: the notice does not block.
    assert reply.status_code == 302
    assert Answer.objects.get(question__variable="r36_antal").number == 38

    html = client.get(form_url(region_2024(), region)).content.decode()
    assert (
        "Kontrollera: Antalet är samma tal som andelen i fråga 35 (38 %). Har andelen "
        "skrivits i stället för antalet personer?"
    ) in html
    # Sörmland's population, with its date, where the check used it.
    assert (
        "Kontrollera: Antalet är mindre än 1 % av befolkningen. Är det angivet i "
        "tusental eller som en andel? Befolkningen var 301 382 invånare den "
        "1 november 2021."
    ) in html
    assert 'id="notice-r36_antal"' in html
    assert "notice-r36_antal" in input_tag(html, "r36_antal")
    assert 'aria-invalid="true"' not in input_tag(html, "r36_antal")
    # The share itself is fine: no notice there.
    assert "notice-r35_andel" not in html


def test_a_sentinel_gets_a_notice(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    save(client, region_2024(), region, {"r36_antal": "999999"})
    html = client.get(form_url(region_2024(), region)).content.decode()
    assert "Kontrollera: 999 999 ser ut som en platshållare" in html


def test_a_plausible_count_gets_no_notice(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    save(client, region_2024(), region, {"r35_andel": "39", "r36_antal": "117253"})
    html = client.get(form_url(region_2024(), region)).content.decode()
    assert "Kontrollera:" not in html
    assert "notice-r36_antal" not in input_tag(html, "r36_antal")


def test_notices_show_beside_the_errors_of_a_partly_saved_draft(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    reply = save(
        client, region_2024(), region, {"r35_andel": "abc", "r36_antal": "999999"}
    )
    assert reply.status_code == 400
    html = reply.content.decode()
    assert "Ange ett tal, t.ex. 59 eller 59,5." in html  # the error on Fråga 35
    assert "Kontrollera: 999 999 ser ut som en platshållare" in html  # saved 36
    tag = input_tag(html, "r36_antal")
    assert "notice-r36_antal" in tag


def test_a_response_with_notices_can_be_submitted(
    client: Client, region_user: User, region: Region
) -> None:
    questionnaire = count_and_share_questionnaire(2046)
    client.force_login(region_user)
    reply = save(
        client, questionnaire, region, {"andel": "38", "antal": "38"}, action="submit"
    )
    assert reply.status_code == 302
    response = Response.objects.get(questionnaire=questionnaire)
    assert response.status == ResponseStatus.SUBMITTED
    # The locked form is read-only: nothing to act on, so no notice.
    html = client.get(form_url(questionnaire, region)).content.decode()
    assert "Kontrollera:" not in html


def test_the_form_reads_the_population_once(
    client: Client, region_user: User, region: Region
) -> None:
    # tests/intake/test_query_budget.py pins the form's queries on a questionnaire
    # without such a question; here the population is read once, whatever the size.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    questionnaire = count_and_share_questionnaire(2047)
    client.force_login(region_user)
    save(client, questionnaire, region, {"andel": "40", "antal": "38"})
    with CaptureQueriesContext(connection) as queries:
        html = client.get(form_url(questionnaire, region)).content.decode()
    assert "Kontrollera: Antalet är mindre än 1 %" in html
    assert (
        sum('"surveys_population"' in q["sql"] for q in queries.captured_queries) == 1
    )
