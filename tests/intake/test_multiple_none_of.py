"""«Inget av alternativen»: a multiple choice answered with none of its
alternatives (issue #16 point 7, intake/kinds/multiple.py) is an answer in the
form and the Excel copy. Its base and raw data: tests/reports/test_multiple_none_of.py."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from intake.cells import NONE_OF
from intake.models import Answer, Channel, Response
from surveys.models import Kommun, Questionnaire, User
from tests.intake.test_excel import (
    answer_ref,
    as_upload,
    build_questionnaire,
    download,
    upload,
)

pytestmark = pytest.mark.django_db


def kommun_2024() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="kommun")


def edit_url(kommun: Kommun) -> str:
    return reverse("intake:response-edit", args=[kommun_2024().pk, kommun.pk])


def test_the_form_saves_none_of_the_alternatives_and_shows_it_ticked(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    client.force_login(kommun_user)
    page = client.get(edit_url(kommun)).content.decode()
    assert "Inget av alternativen" in page
    saved = client.post(
        edit_url(kommun), {"k02_omraden": [NONE_OF], "version": 0, "action": "save"}
    )
    assert saved.status_code == 302, saved.content.decode()[:500]
    response = Response.objects.get(questionnaire=kommun_2024(), organisation=kommun)
    (answer,) = Answer.objects.filter(
        response=response, question__variable="k02_omraden"
    )
    assert (answer.slot, answer.option) == (NONE_OF, None)
    page = client.get(edit_url(kommun)).content.decode()
    assert re.search(f'value="{NONE_OF}"[^>]*checked', page)


def test_none_of_the_alternatives_with_an_alternative_is_refused_in_swedish(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    client.force_login(kommun_user)
    refused = client.post(
        edit_url(kommun),
        {"k02_omraden": [NONE_OF, "halsofram"], "version": 0, "action": "save"},
    )
    assert refused.status_code == 400
    assert (
        "«Inget av alternativen» kan inte väljas tillsammans med ett alternativ."
        in refused.content.decode()
    )
    assert not Answer.objects.filter(
        response__organisation=kommun, question__variable="k02_omraden"
    ).exists()


def test_the_excel_copy_has_a_row_for_none_of_the_alternatives(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = build_questionnaire(1)
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "3", "Inget av alternativen")] = "Ja"
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    assert client.post(preview_url, {"version": 0}).status_code == 302
    (answer,) = Answer.objects.filter(
        response__organisation=kommun, question__variable="v3"
    )
    assert (answer.slot, answer.channel) == (NONE_OF, Channel.EXCEL)
    # The next copy shows it.
    sheet = download(client, questionnaire, kommun)["Enkät"]
    assert sheet[answer_ref(sheet, "3", "Inget av alternativen")].value == "Ja"
