"""Whatever is posted, the answer is a Swedish message next to the field, never a
500: numbers too large for the answer column were stored on SQLite (and then
broke every later page of the response) and refused by PostgreSQL with an error."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from intake.models import Answer, Channel, Response
from intake.services import get_or_create_response, save_answers
from surveys.models import RSS, Question, QuestionKind, Questionnaire, Region, User

pytestmark = pytest.mark.django_db

HUGE = ["1000000000000", "-1000000000000", "1e20", "1e999999999", "1E+13"]


def region_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def q36() -> str:
    # Antal (integer) with no upper limit in the definition.
    return region_questionnaire().questions.get(number="36").variable


@pytest.mark.parametrize("value", HUGE)
def test_a_number_too_large_for_the_column_is_refused(
    region: Region, region_user: User, value: str
) -> None:
    response = get_or_create_response(region_questionnaire(), organisation=region)
    with pytest.raises(ValidationError) as refused:
        save_answers(
            response, actor=region_user, channel=Channel.WEB, values={q36(): value}
        )
    messages = refused.value.message_dict[q36()]
    assert messages in (["Talet är för stort."], ["Värdet kan inte vara negativt."])
    assert not Answer.objects.filter(response=response).exists()


def test_the_largest_number_the_column_holds_is_kept(
    region: Region, region_user: User
) -> None:
    response = get_or_create_response(region_questionnaire(), organisation=region)
    save_answers(
        response,
        actor=region_user,
        channel=Channel.WEB,
        values={q36(): "999 999 999 999"},
    )
    (answer,) = Answer.objects.filter(response=response)
    assert answer.number == Decimal("999999999999")


def test_a_kommun_count_too_large_is_refused(rss: RSS, rss_user: User) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="rss")
    question = Question.objects.filter(
        questionnaire=questionnaire, kind=QuestionKind.KOMMUN_COUNT
    ).first()
    assert question is not None
    option = question.options.all()[0].code
    rows = list(question.rows.all())
    slot = f"{rows[0].code}.{option}" if rows else option
    response = get_or_create_response(questionnaire, organisation=rss)
    for value in ("1e20", "sNaN"):
        with pytest.raises(ValidationError):
            save_answers(
                response,
                actor=rss_user,
                channel=Channel.WEB,
                values={question.variable: {slot: value}},
            )
    assert not Answer.objects.filter(response=response).exists()


@pytest.mark.parametrize("value", ["1e999999999", "12345678901234567890"])
def test_the_form_keeps_the_typed_number_and_saves_the_rest(
    client: Client, region: Region, region_user: User, value: str
) -> None:
    questionnaire = region_questionnaire()
    q2 = questionnaire.questions.get(number="2").variable
    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    client.force_login(region_user)
    posted = client.post(url, {"version": 0, "action": "save", q36(): value, q2: "ja"})
    assert posted.status_code == 400
    page = posted.content.decode()
    assert "Talet är för stort." in page
    assert f'value="{value}"' in page
    response = Response.objects.get(questionnaire=questionnaire, organisation=region)
    assert list(response.answers.values_list("question__variable", flat=True)) == [q2]
    # The page still opens afterwards.
    assert client.get(url).status_code == 200


def test_autosave_and_the_follow_up_check_answer_without_a_500(
    client: Client, region: Region, region_user: User
) -> None:
    questionnaire = region_questionnaire()
    client.force_login(region_user)
    autosave = reverse("intake:response-autosave", args=[questionnaire.pk, region.pk])
    result = client.post(autosave, {"version": 0, q36(): "1e999999999"})
    assert result.status_code == 200
    assert result.json()["errors"] == {q36(): ["Talet är för stort."]}
    visibility = reverse(
        "intake:response-visibility", args=[questionnaire.pk, region.pk]
    )
    assert client.post(visibility, {q36(): "1e999999999"}).status_code == 200
