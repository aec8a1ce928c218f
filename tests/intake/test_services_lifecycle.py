"""Receipts by e-mail after commit, staff reopening with a reason, contact details."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from intake.demo import demo_values
from intake.models import Channel, Response, ResponseEvent, ResponseStatus
from intake.selectors import questions_of
from intake.services import (
    get_or_create_response,
    reopen_response,
    save_answers,
    submit_response,
)
from surveys.errors import DomainError
from surveys.models import Questionnaire, Region, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def complete_response(region: Region, region_user: User) -> Response:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    response = get_or_create_response(questionnaire, organisation=region)
    values = demo_values(questions_of(questionnaire.pk), random.Random(7))
    return save_answers(response, actor=region_user, channel=Channel.WEB, values=values)


def test_submitting_sends_the_receipt_by_email_after_commit(
    complete_response: Response,
    region_user: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_response(complete_response, actor=region_user)
    assert mail.outbox == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == [region_user.email]
    assert message.subject == "Kvitto: Enkät till regionerna 2024 – Region Sörmland"
    assert "Har regionen under 2024 breddinfört" in message.body
    assert "/kvitto/" in message.body
    event = ResponseEvent.objects.get(response=complete_response)
    assert (event.kind, event.actor) == (ResponseEvent.Kind.SUBMITTED, region_user)


def test_staff_reopen_with_a_reason_and_the_respondents_are_told(
    client: Client,
    complete_response: Response,
    region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    submit_response(complete_response, actor=region_user)
    url = reverse(
        "intake:response-reopen",
        args=[complete_response.questionnaire_id, complete_response.organisation_id],
    )
    client.force_login(staff_user)
    assert client.post(url, {"reason": " "}).status_code == 302
    complete_response.refresh_from_db()
    assert complete_response.status == ResponseStatus.SUBMITTED, "a reason is required"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "Fråga 36 ser ut att vara en andel."})
    complete_response.refresh_from_db()
    assert complete_response.status == ResponseStatus.REOPENED
    event = ResponseEvent.objects.filter(response=complete_response).latest("pk")
    assert (event.kind, event.actor, event.reason) == (
        ResponseEvent.Kind.REOPENED,
        staff_user,
        "Fråga 36 ser ut att vara en andel.",
    )
    (notice,) = mail.outbox
    assert notice.to == [region_user.email]
    assert "Fråga 36 ser ut att vara en andel." in notice.body


def test_respondents_cannot_reopen(
    client: Client,
    complete_response: Response,
    region_user: User,
    other_region_user: User,
) -> None:
    submit_response(complete_response, actor=region_user)
    url = reverse(
        "intake:response-reopen",
        args=[complete_response.questionnaire_id, complete_response.organisation_id],
    )
    client.force_login(region_user)
    assert client.post(url, {"reason": "Vill ändra"}).status_code == 403
    client.force_login(other_region_user)
    assert client.post(url, {"reason": "Vill ändra"}).status_code == 404
    complete_response.refresh_from_db()
    assert complete_response.status == ResponseStatus.SUBMITTED


def test_contact_details_are_saved_with_the_form_and_validated(
    client: Client, region_user: User, region: Region
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    client.force_login(region_user)
    bad = client.post(
        url,
        {
            "version": 0,
            "action": "save",
            "contact_name": "Rut",
            "contact_email": "rut@",
        },
    )
    assert bad.status_code == 400
    assert "Ange en giltig e-postadress" in bad.content.decode()
    assert 'value="rut@"' in bad.content.decode()

    version = Response.objects.get(
        questionnaire=questionnaire, organisation=region
    ).version
    client.post(
        url,
        {
            "version": version,
            "action": "save",
            "contact_name": "Rut Regionkontakt",
            "contact_email": "rut@sormland.test",
            "contact_phone": "0155-24 50 00",
        },
    )
    saved = Response.objects.get(questionnaire=questionnaire, organisation=region)
    assert (saved.contact_name, saved.contact_email, saved.contact_phone) == (
        "Rut Regionkontakt",
        "rut@sormland.test",
        "0155-24 50 00",
    )


def test_a_deactivated_staff_account_cannot_reopen(
    complete_response: Response, region_user: User, staff_user: User
) -> None:
    # `is_staff` stays true when an account is deactivated; the one staff check
    # (User.is_staff_member) also asks is_active, for every write (issue #14).
    submit_response(complete_response, actor=region_user)
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
        reopen_response(complete_response, actor=staff_user, reason="Kontroll")
    complete_response.refresh_from_db()
    assert complete_response.status == ResponseStatus.SUBMITTED
    assert mail.outbox[1:] == [], "only the receipt was sent"
