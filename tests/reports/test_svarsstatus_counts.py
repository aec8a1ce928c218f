"""Svarsstatus progress with display conditions and matrices, against hand-counted
figures: the SQL counts (questions always shown) and the SQL evaluation of the
conditional ones add up as in the respondent's own list (issue #5 point 9)."""

from __future__ import annotations

import pytest

from intake.models import Channel
from intake.selectors import answer_cells, progress, questions_of
from intake.services import get_or_create_response, save_answers
from reports.selectors import StatusRow, response_status_rows
from surveys.models import (
    Option,
    OrganisationKind,
    QuestionKind,
    Questionnaire,
    Region,
    User,
)
from tests.factories import (
    CycleFactory,
    OrganisationFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def build_questionnaire() -> Questionnaire:
    """q1 yes/no; q2 text shown when q1 is "ja"; q3 a matrix of two rows; q4
    optional; q5 a matrix of two rows shown when q1 is "ja". All but q4 required."""
    questionnaire = QuestionnaireFactory(
        cycle=CycleFactory(year=2043), key="region", title="Testenkät 2043"
    )
    section = SectionFactory(questionnaire=questionnaire)
    q1 = QuestionFactory(
        section=section, position=1, number="1", variable="q1", kind=QuestionKind.YES_NO
    )
    Option.objects.create(question=q1, position=1, code="ja", label="Ja")
    Option.objects.create(question=q1, position=2, code="nej", label="Nej")
    QuestionFactory(
        section=section,
        position=2,
        number="2",
        variable="q2",
        condition={"question": "q1", "equals": "ja"},
    )
    q3 = QuestionFactory(
        section=section, position=3, number="3", variable="q3", kind=QuestionKind.MATRIX
    )
    Option.objects.create(question=q3, position=1, code="ja", label="Ja")
    Option.objects.create(question=q3, position=2, code="nej", label="Nej")
    q3.rows.create(position=1, code="barn", label="Barn")
    q3.rows.create(position=2, code="aldre", label="Äldre")
    QuestionFactory(
        section=section, position=4, number="4", variable="q4", required=False
    )
    q5 = QuestionFactory(
        section=section,
        position=5,
        number="5",
        variable="q5",
        kind=QuestionKind.MATRIX,
        condition={"question": "q1", "equals": "ja"},
    )
    Option.objects.create(question=q5, position=1, code="ja", label="Ja")
    Option.objects.create(question=q5, position=2, code="nej", label="Nej")
    q5.rows.create(position=1, code="team", label="Team")
    q5.rows.create(position=2, code="plan", label="Plan")
    return questionnaire


ANSWERS = {
    # code: values, (answered, required) counted by hand
    "01": (
        {
            "q1": "ja",
            "q2": "Team",
            "q3": {"barn": "ja", "aldre": "nej"},
            "q5": {"team": "ja", "plan": "nej"},
        },
        (4, 4),
    ),
    "04": ({"q1": "nej", "q3": {"barn": "ja"}}, (1, 2)),  # q2 hidden; q3 half
    # q2 and q5 shown; q2 unanswered, q5 half answered
    "05": ({"q1": "ja", "q4": "Extra", "q5": {"team": "ja"}}, (1, 4)),
    "06": ({"q3": {"barn": "nej", "aldre": "ja"}}, (1, 2)),  # q1 unanswered
}


def answer(questionnaire: Questionnaire, staff: User) -> None:
    for code, (values, _) in ANSWERS.items():
        response = get_or_create_response(
            questionnaire, organisation=Region.objects.get(code=code)
        )
        save_answers(response, actor=staff, channel=Channel.WEB, values=values)
    # Started, but every answer removed again: nothing answered.
    empty = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="07")
    )
    save_answers(empty, actor=staff, channel=Channel.WEB, values={"q1": "ja"})
    save_answers(empty, actor=staff, channel=Channel.WEB, values={"q1": None})


def by_code(rows: list[StatusRow]) -> dict[str, tuple[int, int]]:
    return {r.code: (r.answered, r.required) for r in rows}


def test_progress_counts_conditions_and_matrices_by_hand(staff_user: User) -> None:
    questionnaire = build_questionnaire()
    answer(questionnaire, staff_user)

    counted = by_code(response_status_rows(questionnaire))

    for code, (_, expected) in ANSWERS.items():
        assert counted[code] == expected, code
    assert counted["07"] == (0, 2)  # started, no answers left
    assert counted["03"] == (0, 2)  # not started: q2 not shown
    assert len(counted) == 21


def test_progress_is_the_respondents_own(staff_user: User) -> None:
    questionnaire = build_questionnaire()
    answer(questionnaire, staff_user)
    questions = questions_of(questionnaire.pk)
    counted = by_code(response_status_rows(questionnaire))
    for response in questionnaire.responses.select_related("organisation"):
        own = progress(questions, answer_cells(response))
        if response.organisation.code != "07":
            assert counted[response.organisation.code] == (own.answered, own.required)


@pytest.mark.parametrize("extra", [0, 6])
def test_the_queries_do_not_grow_with_the_respondents(
    staff_user: User, extra: int, django_assert_num_queries: object
) -> None:
    questionnaire = build_questionnaire()
    answer(questionnaire, staff_user)
    for index in range(extra):
        organisation = OrganisationFactory(
            kind=OrganisationKind.REGION, sort_order=100 + index
        )
        response = get_or_create_response(questionnaire, organisation=organisation)
        save_answers(
            response,
            actor=staff_user,
            channel=Channel.IMPORT,
            values={"q1": "ja", "q2": f"Svar {index}"},
        )
    # Frame, responses with counts, and the answers of the conditional questions
    # and their parents; the questions with options and rows were built by the
    # saves above (intake.selectors.questions_of).
    with django_assert_num_queries(3):  # type: ignore[operator]
        rows = response_status_rows(questionnaire)
    assert len(rows) == 21 + extra
    assert by_code(rows)["01"] == (4, 4)


def test_every_kind_of_condition_agrees_with_the_respondents_own_progress(
    staff_user: User,
) -> None:
    """The 2024 region questionnaire's conditions (equals, any_row on a matrix,
    includes on a multiple choice, the escape answer, all of several) for a few
    partial answer sets: the SQL evaluation gives the respondent's own figures."""
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    answer_sets = [
        {"r02_breddinfort": "ja", "r04_handlingsplan": "nej_forslag",
         "r08_uppfoljning": {"samverkan": "nej", "nav": "ja"},
         "r15_malgrupper": {"barn": "ja", "aldre": "nej"},
         "r18_dok_overensk": ["andra"], "r38_sabo_andel": {"escaped": True}},
        {"r02_breddinfort": "nej", "r04_handlingsplan": "nej",
         "r08_uppfoljning": {"samverkan": "nej"},
         "r15_malgrupper": {"funktion": "ja"},
         "r18_dok_overensk": ["utbildning"], "r38_sabo_andel": "90"},
        {"r29_riktlinjer": "ja", "r38_sabo_andel": "85", "r02_breddinfort": "ja",
         "r02a_exempel": "Mobila team"},
    ]  # fmt: skip
    regions = list(Region.objects.order_by("sort_order")[: len(answer_sets)])
    for region, values in zip(regions, answer_sets, strict=True):
        response = get_or_create_response(questionnaire, organisation=region)
        save_answers(response, actor=staff_user, channel=Channel.WEB, values=values)
    questions = questions_of(questionnaire.pk)
    assert sum(1 for q in questions if q.condition and q.required) >= 5
    counted = by_code(response_status_rows(questionnaire))
    for response in questionnaire.responses.select_related("organisation"):
        own = progress(questions, answer_cells(response))
        assert counted[response.organisation.code] == (own.answered, own.required)
    empty = progress(questions, {})
    assert counted[Region.objects.order_by("sort_order")[5].code] == (
        0,
        empty.required,
    )
