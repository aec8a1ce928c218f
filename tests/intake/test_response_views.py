"""The respondent pages through real requests: access, drafts, conflicts, submit."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from intake.demo import demo_values
from intake.forms import ResponseForm
from intake.models import Answer, Channel, Response, ResponseStatus
from intake.selectors import answer_cells, questions_of
from intake.services import get_or_create_response, save_answers
from surveys.models import Kommun, Organisation, Questionnaire, Region, User

pytestmark = pytest.mark.django_db


def region_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def kommun_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="kommun")


def edit_url(questionnaire: Questionnaire, organisation: Organisation) -> str:
    return reverse("intake:response-edit", args=[questionnaire.pk, organisation.pk])


def var(number: str, questionnaire: Questionnaire | None = None) -> str:
    return (
        (questionnaire or region_questionnaire()).questions.get(number=number).variable
    )


def form_data(
    questionnaire: Questionnaire, organisation: Organisation, **changes: Any
) -> dict[str, Any]:
    """What the page would post back unchanged, plus `changes`."""
    response = Response.objects.filter(
        questionnaire=questionnaire, organisation=organisation
    ).first()
    form = ResponseForm(
        questions_of(questionnaire.pk),
        answers=answer_cells(response),
        version=response.version if response else 0,
    )
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not False and v not in ("", None, [])
    }
    data.update(changes)
    data.setdefault("action", "save")
    return data


@pytest.fixture
def logged_in(client: Client, region_user: User) -> Client:
    client.force_login(region_user)
    return client


def test_it_requires_login(client: Client, region: Region) -> None:
    for url in [
        reverse("intake:response-list"),
        edit_url(region_questionnaire(), region),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert "next=" in response["Location"]


def test_the_list_shows_the_users_questionnaires_with_status_and_progress(
    logged_in: Client, region: Region
) -> None:
    page = logged_in.get(reverse("intake:response-list")).content.decode()
    assert "Enkät till regionerna 2024" in page
    assert "Region Sörmland" in page
    assert "Ej påbörjad" in page
    assert "31 mars 2025" in page
    assert "0 av " in page
    assert "Hjälpenkät till kommunerna" not in page


def test_a_region_contact_opens_their_regions_form(
    logged_in: Client, region: Region
) -> None:
    response = logged_in.get(edit_url(region_questionnaire(), region))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Har regionen under 2024 breddinfört" in page
    assert 'id="q-' + var("2a") + '"' in page
    assert "Spara utkast" in page


def test_it_hides_other_regions(
    client: Client, other_region_user: User, region: Region
) -> None:
    client.force_login(other_region_user)
    assert client.get(edit_url(region_questionnaire(), region)).status_code == 404
    assert (
        client.post(
            edit_url(region_questionnaire(), region), {"version": 0}
        ).status_code
        == 404
    )


def test_kommun_and_rss_users_cannot_open_a_region_form(
    client: Client, kommun_user: User, rss_user: User, region: Region
) -> None:
    for user in (kommun_user, rss_user):
        client.force_login(user)
        assert client.get(edit_url(region_questionnaire(), region)).status_code == 404


def test_staff_read_but_cannot_write(
    client: Client, staff_user: User, region: Region
) -> None:
    client.force_login(staff_user)
    assert client.get(edit_url(region_questionnaire(), region)).status_code == 200
    response = client.post(
        edit_url(region_questionnaire(), region),
        form_data(region_questionnaire(), region),
    )
    assert response.status_code == 403
    assert not Response.objects.filter(organisation=region).exists()


def test_a_kommun_respondent_sees_only_their_kommun(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    client.force_login(kommun_user)
    assert client.get(edit_url(kommun_questionnaire(), kommun)).status_code == 200
    other = Kommun.objects.get(code="0764")  # Alvesta, same RSS
    assert client.get(edit_url(kommun_questionnaire(), other)).status_code == 404


def test_an_rss_coordinator_enters_answers_for_its_kommuner_as_proxy(
    client: Client, rss_user: User, kommun: Kommun
) -> None:
    client.force_login(rss_user)
    kq = kommun_questionnaire()
    yes_no = kq.questions.filter(kind="yes_no").order_by("position").first()
    assert yes_no is not None
    response = client.post(
        edit_url(kq, kommun), form_data(kq, kommun, **{yes_no.variable: "ja"})
    )
    assert response.status_code == 302
    answer = Answer.objects.get(response__organisation=kommun, question=yes_no)
    assert (answer.channel, answer.entered_by) == (Channel.PROXY, rss_user)
    outside = Kommun.objects.get(code="0180")  # Stockholm
    assert client.get(edit_url(kq, outside)).status_code == 404


def test_a_draft_keeps_valid_answers_and_shows_swedish_errors_with_the_typed_value(
    logged_in: Client, region: Region
) -> None:
    q = region_questionnaire()
    response = logged_in.post(
        edit_url(q, region), form_data(q, region, **{var("2"): "ja", var("35"): "101"})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Värdet får vara högst 100." in page
    assert 'value="101"' in page
    assert f'href="#id_{var("35")}"' in page
    saved = Response.objects.get(questionnaire=q, organisation=region)
    assert Answer.objects.filter(
        response=saved, question__number="2", option__code="ja"
    ).exists()
    assert not Answer.objects.filter(response=saved, question__number="35").exists()


def test_a_number_together_with_the_escape_answer_is_refused(
    logged_in: Client, region: Region
) -> None:
    q = region_questionnaire()
    response = logged_in.post(
        edit_url(q, region),
        form_data(q, region, **{var("35"): "40", var("35") + "__escaped": "on"}),
    )
    assert response.status_code == 400
    assert (
        "Ange antingen ett värde eller ”Andelen kan inte uppskattas”, inte båda."
        in response.content.decode()
    )


def test_a_follow_up_shows_after_its_parent_is_saved_without_javascript(
    logged_in: Client, region: Region
) -> None:
    q = region_questionnaire()
    block = f'id="q-{var("2a")}" data-variable="{var("2a")}" hidden'
    assert block in logged_in.get(edit_url(q, region)).content.decode()
    logged_in.post(edit_url(q, region), form_data(q, region, **{var("2"): "ja"}))
    page = logged_in.get(edit_url(q, region)).content.decode()
    assert (
        f'id="q-{var("2a")}" data-variable="{var("2a")}" >' in page or block not in page
    )


def test_the_visibility_endpoint_follows_the_unsaved_answers(
    logged_in: Client, region: Region
) -> None:
    q = region_questionnaire()
    url = reverse("intake:response-visibility", args=[q.pk, region.pk])
    shown = logged_in.post(url, {"version": 0, var("2"): "ja"}).json()["shown"]
    assert var("2a") in shown
    shown = logged_in.post(url, {"version": 0, var("2"): "nej"}).json()["shown"]
    assert var("2a") not in shown and var("2") in shown


def test_a_collision_is_shown_side_by_side_and_the_rest_is_saved(
    client: Client, region_user: User, region: Region, staff_user: User
) -> None:
    q = region_questionnaire()
    colleague = User.objects.create_user(email="kollega@sormland.test", password="x")
    colleague.roles.create(organisation=region)
    stale = form_data(q, region)  # both opened the form at version 0

    client.force_login(colleague)
    assert (
        client.post(edit_url(q, region), {**stale, var("2"): "nej"}).status_code == 302
    )

    client.force_login(region_user)
    response = client.post(
        edit_url(q, region), {**stale, var("2"): "ja", var("12"): "Mitt utkast"}
    )
    # Both changed question 2: shown side by side for the user to choose (issue
    # #13); question 12, which only this user changed, is saved.
    assert response.status_code == 400
    page = response.content.decode()
    assert "Någon annan har sparat ändringar" in page
    assert "Ditt svar" in page and "Sparat av kollega@sormland.test" in page
    assert "Mitt utkast" in page
    saved = Response.objects.get(questionnaire=q, organisation=region)
    assert Answer.objects.get(response=saved, question__number="2").option.code == "nej"  # type: ignore[union-attr]
    assert (
        Answer.objects.get(response=saved, question__number="12").text == "Mitt utkast"
    )
    assert f'name="version" value="{saved.version}"' in page


def test_submit_lists_missing_answers_then_locks_and_shows_the_receipt(
    logged_in: Client, region_user: User, region: Region
) -> None:
    q = region_questionnaire()
    response = logged_in.post(
        edit_url(q, region),
        form_data(q, region, **{var("2"): "ja", "action": "submit"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enkäten kan inte skickas in förrän de här frågorna är besvarade" in page
    assert f'href="#id_{var("4")}"' in page

    saved = get_or_create_response(q, organisation=region)
    save_answers(
        saved,
        actor=region_user,
        channel=Channel.WEB,
        values=demo_values(questions_of(q.pk), random.Random(3)),
    )
    response = logged_in.post(
        edit_url(q, region), form_data(q, region, action="submit")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "intake:response-receipt", args=[q.pk, region.pk]
    )
    saved.refresh_from_db()
    assert saved.status == ResponseStatus.SUBMITTED

    receipt = logged_in.get(response["Location"]).content.decode()
    assert "Inskickad" in receipt and region_user.email in receipt
    assert "Har regionen under 2024 breddinfört" in receipt

    locked = logged_in.post(
        edit_url(q, region), form_data(q, region, **{var("2"): "nej"})
    )
    assert locked.status_code == 400
    assert "inskickad och låst" in locked.content.decode()
