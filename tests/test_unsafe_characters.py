"""Characters no spreadsheet can hold are refused at input with a Swedish message,
except Word's manual line break, which becomes a line break (issue #13 point 7;
surveys/sheet_text.py). Real posts of the respondent form, its autosave and the
staff raw-data import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from intake.models import Answer, Response
from surveys.models import Question, QuestionKind, Questionnaire, Region, User
from surveys.sheet_text import UNHOLDABLE_MESSAGE
from tests.factories import UserFactory
from tests.reports.conftest import (
    EveryKind,
    answer_every_kind,
    build_every_kind_questionnaire,
)
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes

pytestmark = pytest.mark.django_db

UNHOLDABLE = ["\x01", "\x0c", "\x1f", "\ufffe", "\uffff"]


@pytest.fixture
def every_kind() -> EveryKind:
    return answer_every_kind(build_every_kind_questionnaire(), UserFactory())


def region_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def free_text_question(questionnaire: Questionnaire) -> Question:
    """A text question that is always shown."""
    return next(
        q
        for q in questionnaire.questions.filter(kind=QuestionKind.TEXT).order_by(
            "position"
        )
        if not q.condition
    )


def edit_url(questionnaire: Questionnaire, region: Region) -> str:
    return reverse("intake:response-edit", args=[questionnaire.pk, region.pk])


@pytest.mark.parametrize("character", UNHOLDABLE)
def test_a_text_answer_with_an_unholdable_character_is_refused(
    client: Client, region: Region, region_user: User, character: str
) -> None:
    questionnaire = region_questionnaire()
    text = free_text_question(questionnaire).variable
    q2 = questionnaire.questions.get(number="2").variable
    client.force_login(region_user)
    posted = client.post(
        edit_url(questionnaire, region),
        {"version": 0, "action": "save", text: f"Före{character}efter", q2: "ja"},
    )
    assert posted.status_code == 400
    assert UNHOLDABLE_MESSAGE in posted.content.decode()
    response = Response.objects.get(questionnaire=questionnaire, organisation=region)
    # The rest of the form is saved; the refused answer is not.
    assert list(response.answers.values_list("question__variable", flat=True)) == [q2]


def test_a_manual_line_break_becomes_a_line_break(
    client: Client, region: Region, region_user: User
) -> None:
    questionnaire = region_questionnaire()
    text = free_text_question(questionnaire).variable
    client.force_login(region_user)
    posted = client.post(
        edit_url(questionnaire, region),
        {"version": 0, "action": "save", text: "Rad ett\x0bRad två"},
    )
    assert posted.status_code in (200, 302)
    answer = Answer.objects.get(response__organisation=region, question__variable=text)
    assert answer.text == "Rad ett\nRad två"


def test_autosave_refuses_with_the_same_message(
    client: Client, region: Region, region_user: User
) -> None:
    questionnaire = region_questionnaire()
    text = free_text_question(questionnaire).variable
    client.force_login(region_user)
    autosave = reverse("intake:response-autosave", args=[questionnaire.pk, region.pk])
    result = client.post(autosave, {"version": 0, text: "a\ufffeb"})
    assert result.status_code == 200
    assert result.json()["errors"] == {text: [UNHOLDABLE_MESSAGE]}


def test_a_contact_name_with_a_control_character_is_refused(
    client: Client, region: Region, region_user: User
) -> None:
    questionnaire = region_questionnaire()
    client.force_login(region_user)
    posted = client.post(
        edit_url(questionnaire, region),
        {"version": 0, "action": "save", "contact_name": "Anna\x0cAndersson"},
    )
    assert posted.status_code == 400
    assert UNHOLDABLE_MESSAGE in posted.content.decode()
    assert not Response.objects.filter(
        questionnaire=questionnaire, organisation=region, contact_name__contains="Anna"
    ).exists()


def test_the_raw_data_import_names_the_row_and_column(
    client: Client, staff_user: User, every_kind: EveryKind
) -> None:
    rows = csv_rows(export_bytes(every_kind.questionnaire))
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    rows[2][rows[0].index("q07_ovrigt")] = "Text\x01med styrtecken"
    client.force_login(staff_user)
    checked = client.post(
        reverse("reports:import-upload"),
        {
            "questionnaire": every_kind.questionnaire.pk,
            "file": SimpleUploadedFile("radata.csv", csv_bytes(rows)),
        },
    )
    page = checked.content.decode()
    assert f"Rad 3, kolumn q07_ovrigt: {UNHOLDABLE_MESSAGE}" in page
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()
