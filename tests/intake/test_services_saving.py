"""Answers change only through save_answers: validated, conditional, audited, locked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from intake.models import Answer, AnswerChange, Channel, Response, ResponseStatus
from intake.selectors import missing_required_answers
from intake.services import (
    HIDDEN_REASON,
    StaleResponseError,
    get_or_create_response,
    save_answers,
    submit_response,
)
from surveys.errors import DomainError
from surveys.models import Kommun, Questionnaire, Region, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_response(region: Region) -> Response:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    return get_or_create_response(questionnaire, organisation=region)


def variable(response: Response, number: str) -> str:
    return response.questionnaire.questions.get(number=number).variable


def stored(
    response: Response,
) -> dict[tuple[str, str], tuple[str | None, Decimal | None, str, bool]]:
    return {
        (a.question.number, a.slot): (
            a.option.code if a.option else None,
            a.number,
            a.text,
            a.escaped,
        )
        for a in Answer.objects.filter(response=response).select_related(
            "question", "option"
        )
    }


def test_it_stores_one_typed_row_per_answered_item(
    region_response: Response, region_user: User
) -> None:
    r = region_response
    save_answers(
        r,
        actor=region_user,
        channel=Channel.WEB,
        values={
            variable(r, "2"): "ja",
            variable(r, "8"): {"samverkan": "ja", "delaktighet": "nej"},
            variable(r, "18"): [],
            variable(r, "35"): "59,5",
            variable(r, "36"): {"escaped": True},
        },
    )
    rows = stored(r)
    assert rows[("2", "")] == ("ja", None, "", False)
    assert rows[("8", "samverkan")] == ("ja", None, "", False)
    assert rows[("8", "delaktighet")] == ("nej", None, "", False)
    assert rows[("35", "")] == (None, Decimal("59.50"), "", False)
    assert rows[("36", "")] == (None, None, "", True)
    assert not any(number == "18" for number, _ in rows)
    r.refresh_from_db()
    assert (r.status, r.version) == (ResponseStatus.IN_PROGRESS, 1)
    answer = Answer.objects.get(response=r, question__number="2")
    assert (answer.entered_by, answer.channel) == (region_user, Channel.WEB)


def test_multiple_choice_stores_one_row_per_ticked_option(
    region_response: Response, region_user: User
) -> None:
    r = region_response
    q18 = r.questionnaire.questions.get(number="18")
    codes = list(q18.options.values_list("code", flat=True))
    save_answers(
        r, actor=region_user, channel=Channel.WEB, values={q18.variable: codes[:2]}
    )
    assert sorted(slot for number, slot in stored(r) if number == "18") == sorted(
        codes[:2]
    )


@pytest.mark.parametrize(
    ("number", "value", "message"),
    [
        ("35", "101", "Värdet får vara högst 100."),
        ("35", "-1", "Värdet kan inte vara negativt."),
        ("35", "femtio", "Ange ett tal, t.ex. 59 eller 59,5."),
        ("36", "12,5", "Ange ett heltal."),
        ("36", "-3", "Värdet kan inte vara negativt."),
        ("2", "kanske", "Välj ett av svarsalternativen."),
        ("8", {"okand_rad": "ja"}, "Frågan har ingen sådan delfråga."),
        ("2a", "x" * 4001, "Svaret får vara högst 4000 tecken (nu 4001)."),
    ],
)
def test_invalid_values_get_a_swedish_message_and_nothing_is_saved(
    region_response: Response,
    region_user: User,
    number: str,
    value: object,
    message: str,
) -> None:
    r = region_response
    with pytest.raises(ValidationError) as refused:
        save_answers(
            r,
            actor=region_user,
            channel=Channel.WEB,
            values={variable(r, number): value},
        )
    assert refused.value.message_dict == {variable(r, number): [message]}
    assert not Answer.objects.filter(response=r).exists()
    assert Response.objects.get(pk=r.pk).version == 0


def test_a_follow_up_is_stored_only_while_its_condition_holds(
    region_response: Response, region_user: User
) -> None:
    r = region_response
    q2, q2a = variable(r, "2"), variable(r, "2a")
    save_answers(
        r, actor=region_user, channel=Channel.WEB, values={q2: "nej", q2a: "Ignoreras"}
    )
    assert ("2a", "") not in stored(r), "the follow-up is not shown when 2 = Nej"

    save_answers(
        r, actor=region_user, channel=Channel.WEB, values={q2: "ja", q2a: "Mobila team"}
    )
    assert stored(r)[("2a", "")] == (None, None, "Mobila team", False)

    save_answers(r, actor=region_user, channel=Channel.WEB, values={q2: "nej"})
    assert ("2a", "") not in stored(r)
    removal = AnswerChange.objects.get(
        response=r, question__number="2a", new_value__isnull=True
    )
    assert removal.old_value == {"text": "Mobila team"}
    assert removal.reason == HIDDEN_REASON
    assert removal.changed_by == region_user


def test_every_change_is_kept_with_who_and_when(
    region_response: Response, region_user: User, staff_user: User
) -> None:
    r = region_response
    q35 = variable(r, "35")
    save_answers(r, actor=region_user, channel=Channel.WEB, values={q35: "40"})
    save_answers(
        r, actor=staff_user, channel=Channel.IMPORT, values={q35: "45"}, reason="Rättat"
    )
    save_answers(r, actor=region_user, channel=Channel.WEB, values={q35: None})
    history = list(
        AnswerChange.objects.filter(response=r, question__variable=q35).values_list(
            "old_value",
            "new_value",
            "changed_by__email",
            "channel",
            "reason",
            "response_version",
        )
    )
    assert history == [
        (None, {"number": "40"}, region_user.email, "web", "", 1),
        (
            {"number": "40.00"},
            {"number": "45"},
            staff_user.email,
            "import",
            "Rättat",
            2,
        ),
        ({"number": "45.00"}, None, region_user.email, "web", "", 3),
    ]
    assert all(change.changed_at for change in AnswerChange.objects.filter(response=r))


def test_a_save_based_on_stale_data_is_refused(
    region_response: Response, region_user: User, staff_user: User
) -> None:
    r = region_response
    q2 = variable(r, "2")
    seen_by_both = r.version
    save_answers(
        r,
        actor=region_user,
        channel=Channel.WEB,
        values={q2: "ja"},
        expected_version=seen_by_both,
    )
    with pytest.raises(StaleResponseError) as refused:
        save_answers(
            r,
            actor=staff_user,
            channel=Channel.WEB,
            values={q2: "nej"},
            expected_version=seen_by_both,
        )
    assert refused.value.current_version == seen_by_both + 1
    assert "Någon annan har sparat ändringar" in refused.value.message
    assert stored(r)[("2", "")][0] == "ja"


def test_submit_lists_the_missing_required_questions_and_then_locks(
    region_response: Response, region_user: User
) -> None:
    r = region_response
    missing = missing_required_answers(r)
    assert "2" in [m.number for m in missing]
    assert "2a" not in [m.number for m in missing], (
        "a follow-up that is not shown is not missing"
    )
    with pytest.raises(DomainError, match="fråga 2,"):
        submit_response(r, actor=region_user)

    import random

    from intake.demo import demo_values

    questions = list(
        r.questionnaire.questions.order_by("position").prefetch_related(
            "options", "rows"
        )
    )
    save_answers(
        r,
        actor=region_user,
        channel=Channel.WEB,
        values=demo_values(questions, random.Random(1)),
    )
    assert missing_required_answers(r) == []
    submit_response(r, actor=region_user)
    r.refresh_from_db()
    assert (r.status, r.submitted_by) == (ResponseStatus.SUBMITTED, region_user)
    with pytest.raises(DomainError, match="inskickad och låst"):
        save_answers(
            r, actor=region_user, channel=Channel.WEB, values={variable(r, "2"): "nej"}
        )


def test_a_matrix_with_an_unanswered_row_is_missing(
    region_response: Response, region_user: User
) -> None:
    r = region_response
    save_answers(
        r,
        actor=region_user,
        channel=Channel.WEB,
        values={variable(r, "8"): {"samverkan": "ja"}},
    )
    assert "8" in [m.number for m in missing_required_answers(r)]


def test_a_response_belongs_to_the_questionnaires_audience(kommun: Kommun) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    with pytest.raises(DomainError, match="hör inte till enkätens målgrupp"):
        get_or_create_response(questionnaire, organisation=kommun)


def _fields(row: Answer | AnswerChange) -> dict[str, object]:
    state = row._state
    return {
        **{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields},
        "_state": (state.adding, state.db, state.fields_cache),
        "keys": sorted(row.__dict__),
    }


def test_rows_made_without_the_constructor_are_the_constructors(
    region_response: Response, region_user: User
) -> None:
    """The save's rows are made without the models' constructor (issue #20):
    the same values and state as the constructor's, and the constructor
    itself as soon as something listens to a model's pre_init or post_init."""
    from django.db.models.signals import post_init

    from intake.services import saving

    r = region_response
    args = (r.pk, 1, "rad", None, None, Decimal("18.50"), "", False, "web", 7)
    assert _fields(saving._answer(*args, plain=True)) == _fields(saving._answer(*args))
    change = (r.pk, 1, "", None, {"number": "3"}, "web", 7, "skäl", 4)
    assert _fields(saving._answer_change(*change, plain=True)) == _fields(
        saving._answer_change(*change)
    )
    assert saving._plain_rows()

    made: list[object] = []

    def listener(sender: type, instance: object, **kwargs: object) -> None:
        made.append(instance)

    post_init.connect(listener, sender=AnswerChange)
    try:
        assert not saving._plain_rows()
        save_answers(
            r, actor=region_user, channel=Channel.WEB, values={variable(r, "2"): "ja"}
        )
    finally:
        post_init.disconnect(listener, sender=AnswerChange)
    assert len(made) == 1  # the history row of the one change, by the constructor
    assert saving._plain_rows()


def test_display_conditions_read_answers_as_a_full_pass_does(
    region_response: Response,
) -> None:
    """`_apply_display_conditions` works out a passed question's answer only
    when a condition asks for it: the same questions hidden as working out
    every one in order, over many random answers of the region questionnaire."""
    import random

    from intake.cells import Cell, given_answer
    from intake.selectors import questions_of
    from intake.services.saving import _apply_display_conditions
    from surveys.conditions import GivenAnswer, holds

    def every_one(questions: list, cells: dict) -> set[int]:
        given: dict[str, GivenAnswer] = {}
        hidden: set[int] = set()
        for question in questions:
            if not holds(question.display_condition, given):
                if cells.get(question.pk):
                    hidden.add(question.pk)
                cells[question.pk] = {}
            given[question.variable] = given_answer(cells.get(question.pk, {}))
        return hidden

    questions = questions_of(region_response.questionnaire)
    conditional = [q for q in questions if q.display_condition]
    assert conditional
    rng = random.Random(5)
    outcomes = set()
    for _ in range(200):
        cells = {}
        for q in questions:
            options = [o.code for o in q.options.all()]
            rows = [r.code for r in q.rows.all()]
            if rng.random() < 0.3:
                continue
            if rows and options:
                cells[q.pk] = {r: Cell(row=r, option=rng.choice(options)) for r in rows}
            elif options:
                code = rng.choice(options)
                cells[q.pk] = {"": Cell(option=code)}
            else:
                cells[q.pk] = {"": Cell(text="svar")}
        expected = {pk: dict(c) for pk, c in cells.items()}
        hidden = _apply_display_conditions(questions, cells)
        assert hidden == every_one(questions, expected)
        assert cells == expected
        outcomes.add(len(hidden))
    assert len(outcomes) > 3  # answers that hide few questions and many
