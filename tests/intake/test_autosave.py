"""Autosave follows the same rules as "Spara utkast", answered in JSON."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from intake.models import Answer, Response
from surveys.models import Questionnaire, Region, User
from tests.script_posts import ScriptPost

pytestmark = pytest.mark.django_db


def urls(region: Region) -> tuple[Questionnaire, str]:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    return questionnaire, reverse(
        "intake:response-autosave", args=[questionnaire.pk, region.pk]
    )


def var(questionnaire: Questionnaire, number: str) -> str:
    return questionnaire.questions.get(number=number).variable


def test_it_saves_valid_answers_and_reports_the_rest(
    client: Client, region_user: User, region: Region, script_post: ScriptPost
) -> None:
    questionnaire, url = urls(region)
    client.force_login(region_user)
    result = script_post(
        client,
        url,
        {"version": 0, var(questionnaire, "2"): "ja", var(questionnaire, "35"): "150"},
    )
    assert result.status_code == 200
    body = result.json()
    assert body["saved"] is True and body["version"] == 1
    assert body["errors"] == {var(questionnaire, "35"): ["Värdet får vara högst 100."]}
    response = Response.objects.get(questionnaire=questionnaire, organisation=region)
    assert Answer.objects.filter(response=response, question__number="2").exists()
    assert not Answer.objects.filter(response=response, question__number="35").exists()


def test_it_never_saves_over_a_newer_version(
    client: Client, region_user: User, region: Region, script_post: ScriptPost
) -> None:
    questionnaire, url = urls(region)
    client.force_login(region_user)
    script_post(client, url, {"version": 0, var(questionnaire, "2"): "ja"})
    stale = script_post(client, url, {"version": 0, var(questionnaire, "2"): "nej"})
    assert stale.status_code == 409
    assert stale.json()["saved"] is False
    assert "Någon annan har sparat ändringar" in stale.json()["message"]
    response = Response.objects.get(questionnaire=questionnaire, organisation=region)
    assert (
        Answer.objects.get(response=response, question__number="2").option.code == "ja"
    )  # type: ignore[union-attr]


def test_it_requires_write_access(
    client: Client,
    other_region_user: User,
    staff_user: User,
    region: Region,
    script_post: ScriptPost,
) -> None:
    questionnaire, url = urls(region)
    data = {"version": 0, var(questionnaire, "2"): "ja"}
    # Signed out: JSON the page's script can read (issue #13), not a redirect.
    assert script_post(client, url, {"version": 0}).status_code == 401
    client.force_login(other_region_user)
    assert script_post(client, url, data).status_code == 404
    client.force_login(staff_user)
    assert script_post(client, url, data).status_code == 403
    assert not Response.objects.filter(
        questionnaire=questionnaire, organisation=region
    ).exists()


def test_the_form_page_wires_autosave_only_for_writers(
    client: Client, region_user: User, staff_user: User, region: Region
) -> None:
    questionnaire, url = urls(region)
    edit = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    client.force_login(region_user)
    assert f'data-autosave-url="{url}"' in client.get(edit).content.decode()
    client.force_login(staff_user)
    assert "data-autosave-url" not in client.get(edit).content.decode()


def test_the_interval_comes_from_the_setting(
    client: Client, region_user: User, region: Region, settings: LazySettings
) -> None:
    questionnaire, _ = urls(region)
    edit = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    client.force_login(region_user)
    assert 'data-autosave-seconds="20"' in client.get(edit).content.decode()
    settings.AUTOSAVE_SECONDS = 1
    assert 'data-autosave-seconds="1"' in client.get(edit).content.decode()
