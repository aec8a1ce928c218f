"""«Spara utkast» from the page's script (issue #20): the form's save, answered in
JSON so the page stays, and kept only when it is clean. Anything else saves
nothing, so that the form's POST the script then sends does all of the save and
its page says what it says today."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from intake.merge import base_field, fingerprint
from intake.models import Answer, Response
from intake.selectors import answer_cells
from intake.services import get_or_create_response
from surveys.models import Questionnaire, Region, User
from tests.conftest import make_user
from tests.intake.test_refused_values import page_data
from tests.script_posts import ScriptPost

pytestmark = pytest.mark.django_db


def region_2024() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def save_url(region: Region) -> str:
    return reverse("intake:response-save-draft", args=[region_2024().pk, region.pk])


def form_url(region: Region) -> str:
    return reverse("intake:response-edit", args=[region_2024().pk, region.pk])


def opened(region: Region) -> tuple[Response, dict[str, Any]]:
    response = get_or_create_response(region_2024(), organisation=region)
    return response, page_data(response)


def number(response: Response, variable: str) -> Any:
    answer = Answer.objects.filter(response=response, question__variable=variable)
    return answer.get().number if answer.exists() else None


def test_a_clean_save_answers_what_the_reloaded_page_would_show(
    client: Client, region_user: User, region: Region, script_post: ScriptPost
) -> None:
    response, data = opened(region)
    client.force_login(region_user)
    reply = script_post(
        client, save_url(region), {**data, "r35_andel": "38", "r36_antal": "38"}
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["saved"] is True
    assert body["message"] == "Utkastet är sparat."
    response.refresh_from_db()
    assert body["version"] == response.version == 1
    assert number(response, "r36_antal") == 38
    assert sorted(body["saved_answers"]) == ["r35_andel", "r36_antal"]
    # Every question's new base, as the page shown again would carry it.
    stored = answer_cells(response)
    for question in region_2024().questions.all():
        assert body["bases"][question.variable] == fingerprint(
            stored.get(question.pk, {})
        )
    assert body["status"] == response.get_status_display()
    # The notices the reloaded page shows beside the saved numbers.
    assert body["notices"]["r36_antal"][0].startswith(
        "Kontrollera: Antalet är samma tal som andelen i fråga 35"
    )
    assert "r35_andel" not in body["notices"]

    # The next save posts those bases and is no collision with this one.
    after = {**data, "version": body["version"], "r35_andel": "38", "r36_antal": "40"}
    after.update({base_field(v): b for v, b in body["bases"].items()})
    again = script_post(client, save_url(region), after)
    assert again.status_code == 200 and again.json()["saved"] is True
    assert number(response, "r36_antal") == 40


def test_a_refused_value_saves_nothing_and_the_form_post_then_says_it_all(
    client: Client, region_user: User, region: Region, script_post: ScriptPost
) -> None:
    response, data = opened(region)
    client.force_login(region_user)
    posted = {**data, "r36_antal": "12", "r35_andel": "150"}
    reply = script_post(client, save_url(region), posted)
    assert reply.status_code == 400
    assert reply.json()["saved"] is False
    assert reply.json()["errors"] == {"r35_andel": ["Värdet får vara högst 100."]}
    # Not even the valid answer: the page's POST below saves it and says so.
    response.refresh_from_db()
    assert response.version == 0 and number(response, "r36_antal") is None

    # What the script then posts: the same values on the page's own bases.
    page = client.post(form_url(region), posted)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Sparat: fråga 36." in html
    assert "Inte sparat: fråga 35." in html
    assert "Värdet får vara högst 100." in html
    assert 'value="150"' in html  # what the user typed stays
    assert number(response, "r36_antal") == 12


def test_a_collision_saves_nothing_and_the_form_post_shows_it(
    client: Client, region_user: User, region: Region, script_post: ScriptPost
) -> None:
    response, data = opened(region)
    colleague = make_user("kollega@sormland.test", region)
    client.force_login(colleague)
    assert client.post(form_url(region), {**data, "r36_antal": "10"}).status_code == 302

    client.force_login(region_user)
    posted = {**data, "r36_antal": "20", "r01_omstallning": "Min text"}
    reply = script_post(client, save_url(region), posted)
    assert reply.status_code == 409 and reply.json()["saved"] is False
    response.refresh_from_db()
    assert response.version == 1  # the colleague's save only
    assert not Answer.objects.filter(
        response=response, question__variable="r01_omstallning"
    ).exists()

    page = client.post(form_url(region), posted)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Ditt svar" in html and "«20" in html and "«10" in html
    # The text is saved by this POST, and the page says so.
    assert "Sparat: fråga 1." in html or "Sparat: fråga 1," in html
    assert (
        Answer.objects.get(response=response, question__variable="r01_omstallning").text
        == "Min text"
    )
    assert number(response, "r36_antal") == 10


def test_others_answers_kept_unseen_save_nothing(
    client: Client, region_user: User, region: Region, script_post: ScriptPost
) -> None:
    response, data = opened(region)
    colleague = make_user("kollega@sormland.test", region)
    client.force_login(colleague)
    client.post(form_url(region), {**data, "r35_andel": "50"})

    client.force_login(region_user)
    reply = script_post(client, save_url(region), {**data, "r36_antal": "20"})
    assert reply.status_code == 409
    # The form's POST then keeps the colleague's answer and shows it.
    page = client.post(form_url(region), {**data, "r36_antal": "20"})
    assert page.status_code == 302
    assert "Någon annan har ändrat fråga 35" in client.get(page.url).content.decode()
    assert number(response, "r35_andel") == 50 and number(response, "r36_antal") == 20


def test_it_requires_write_access(
    client: Client,
    other_region_user: User,
    staff_user: User,
    region: Region,
    script_post: ScriptPost,
) -> None:
    url = save_url(region)
    signed_out = script_post(client, url, {"version": 0, "r36_antal": "1"})
    assert signed_out.status_code == 401 and signed_out.json()["saved"] is False
    client.force_login(other_region_user)
    assert script_post(client, url, {"version": 0, "r36_antal": "1"}).status_code == 404
    client.force_login(staff_user)
    assert script_post(client, url, {"version": 0, "r36_antal": "1"}).status_code == 403
    assert not Response.objects.filter(
        questionnaire=region_2024(), organisation=region
    ).exists()


def test_only_a_page_shown_afresh_offers_it(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    url = save_url(region)
    assert f'data-save-url="{url}"' in client.get(form_url(region)).content.decode()
    # A page shown again with its errors: the next save reloads it, so that the
    # errors shown are those of that save.
    refused = client.post(form_url(region), {"version": 0, "r35_andel": "150"})
    assert refused.status_code == 400
    assert "data-save-url" not in refused.content.decode()
