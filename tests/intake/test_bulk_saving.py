"""Saving and submitting many responses at once (issue #20 point 3: a raw-data
import of 290 kommuner): `save_answers_in_bulk` and `submit_responses_in_bulk`
must leave exactly what `save_answers` and `submit_response` leave one by one
(answers, history with its reasons and versions, status, events), refuse as
they refuse with nothing saved, and make the same number of queries whatever
the number of responses."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.demo import demo_values
from intake.models import (
    AnswerChange,
    Channel,
    Response,
    ResponseEvent,
    ResponseStatus,
)
from intake.selectors import cells_by_response, questions_of
from intake.services import (
    HIDDEN_REASON,
    BulkSaveError,
    StaleResponseError,
    Submission,
    get_or_create_response,
    get_or_create_responses,
    save_answers,
    save_answers_in_bulk,
    submit_response,
    submit_responses_in_bulk,
)
from intake.services.bulk import save_answers_in_bulk_with_cells
from reports.imports.jobs import import_responses
from surveys.conditions import Equals
from surveys.errors import DomainError
from surveys.models import Kommun, QuestionKind, Questionnaire, User

pytestmark = pytest.mark.django_db

REASON = "Import från prov.csv"


def kommun_questionnaire() -> Questionnaire:
    return Questionnaire.objects.select_related("cycle").get(
        cycle__year=2024, key="kommun"
    )


def kommuner(start: int, count: int) -> list[Kommun]:
    return list(Kommun.objects.order_by("code")[start : start + count])


def value_sets(questionnaire: Questionnaire, count: int) -> list[dict[str, Any]]:
    rng = random.Random(2024)
    questions = questions_of(questionnaire)
    return [demo_values(questions, rng) for _ in range(count)]


def stored(response: Response) -> dict[str, Any]:
    """Everything a save leaves on a response, without ids and times."""
    response.refresh_from_db()
    answers = sorted(
        (
            a.question.variable,
            a.slot,
            a.option.code if a.option else None,
            a.row.code if a.row else None,
            a.number,
            a.text,
            a.escaped,
            a.channel,
            a.entered_by_id,
        )
        for a in response.answers.select_related("question", "option", "row")
    )
    history = sorted(
        (
            c.question.variable,
            c.slot,
            repr(c.old_value),
            repr(c.new_value),
            c.channel,
            c.changed_by_id,
            c.reason,
            c.response_version,
        )
        for c in AnswerChange.objects.filter(response=response).select_related(
            "question"
        )
    )
    events = sorted(
        (e.kind, e.actor_id, e.reason)
        for e in ResponseEvent.objects.filter(response=response)
    )
    return {
        "answers": answers,
        "history": history,
        # SQL NULL, not JSON null, for "no answer before" (PostgreSQL's COPY
        # path of the bulk save writes what bulk_create writes).
        "without_old_value": AnswerChange.objects.filter(
            response=response, old_value__isnull=True
        ).count(),
        "events": events,
        "status": response.status,
        "version": response.version,
        "submitted_by": response.submitted_by_id,
    }


def hiding(questionnaire: Questionnaire, values: dict[str, Any]) -> dict[str, Any]:
    """A second save that answers a yes/no or single-choice question another
    depends on differently, so the service clears the follow-up (HIDDEN_REASON)."""
    questions = questions_of(questionnaire)
    by_variable = {q.variable: q for q in questions}
    for question in questions:
        condition = question.display_condition
        if not isinstance(condition, Equals) or condition.question not in values:
            continue
        parent = by_variable[condition.question]
        if parent.kind not in (QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE):
            continue
        if values[parent.variable] != condition.code:
            continue
        other = next(o.code for o in parent.options.all() if o.code != condition.code)
        return {parent.variable: other}
    raise AssertionError("no shown follow-up on a choice in these answers")


def test_a_bulk_save_leaves_what_saves_one_by_one_leave(staff_user: User) -> None:
    questionnaire = kommun_questionnaire()
    values = value_sets(questionnaire, 4)
    one_by_one = [
        get_or_create_response(questionnaire, organisation=k, channel=Channel.IMPORT)
        for k in kommuner(0, 4)
    ]
    for response, given in zip(one_by_one, values, strict=True):
        save_answers(
            response,
            actor=staff_user,
            channel=Channel.IMPORT,
            values=given,
            reason=REASON,
        )
        save_answers(
            response,
            actor=staff_user,
            channel=Channel.IMPORT,
            values=hiding(questionnaire, given),
            reason=REASON,
        )
    in_bulk = get_or_create_responses(
        questionnaire, organisations=kommuner(4, 4), channel=Channel.IMPORT
    )
    for step in (values, [hiding(questionnaire, given) for given in values]):
        save_answers_in_bulk(
            list(zip(in_bulk, step, strict=True)),
            actor=staff_user,
            channel=Channel.IMPORT,
            reason=REASON,
        )

    for single, bulk in zip(one_by_one, in_bulk, strict=True):
        assert stored(bulk) == stored(single)
    # The second save cleared a follow-up, and the history says why.
    assert any(row[6] == HIDDEN_REASON for row in stored(in_bulk[0])["history"])
    assert stored(in_bulk[0])["version"] == 2  # two saves


def test_bulk_submissions_leave_what_submissions_one_by_one_leave(
    staff_user: User,
) -> None:
    questionnaire = kommun_questionnaire()
    values = value_sets(questionnaire, 3)
    when = datetime.datetime(2025, 3, 14, 8, 30, tzinfo=datetime.UTC)
    singles = get_or_create_responses(
        questionnaire, organisations=kommuner(0, 3), channel=Channel.IMPORT
    )
    bulk = get_or_create_responses(
        questionnaire, organisations=kommuner(3, 3), channel=Channel.IMPORT
    )
    for responses in (singles, bulk):
        save_answers_in_bulk(
            list(zip(responses, values, strict=True)),
            actor=staff_user,
            channel=Channel.IMPORT,
        )
    # Two share a time, the third has its own.
    times = [when, when, when + datetime.timedelta(days=1)]
    for response, at in zip(singles, times, strict=True):
        submit_response(
            response,
            actor=staff_user,
            submitted_at=at,
            notify=False,
            channel=Channel.IMPORT,
            reason="inskickad 2025",
        )
    submit_responses_in_bulk(
        [
            Submission(r, submitted_at=at, reason="inskickad 2025")
            for r, at in zip(bulk, times, strict=True)
        ],
        actor=staff_user,
        channel=Channel.IMPORT,
        notify=False,
    )
    for single, bulked, at in zip(singles, bulk, times, strict=True):
        assert stored(bulked) == stored(single)
        assert bulked.submitted_at == at == single.submitted_at
        assert Response.objects.get(pk=bulked.pk).submitted_at == at
        assert bulked.status == ResponseStatus.SUBMITTED


def test_one_refused_value_saves_nothing_and_names_its_save(
    staff_user: User,
) -> None:
    questionnaire = kommun_questionnaire()
    values = value_sets(questionnaire, 3)
    responses = get_or_create_responses(
        questionnaire, organisations=kommuner(0, 3), channel=Channel.IMPORT
    )
    choice = next(
        q for q in questions_of(questionnaire) if q.kind == QuestionKind.YES_NO
    )
    values[1] = {**values[1], choice.variable: "kanske"}
    with pytest.raises(BulkSaveError) as refused:
        save_answers_in_bulk(
            list(zip(responses, values, strict=True)),
            actor=staff_user,
            channel=Channel.IMPORT,
        )
    assert refused.value.index == 1
    assert isinstance(refused.value.error, ValidationError)
    assert choice.variable in refused.value.error.message_dict
    assert AnswerChange.objects.filter(response__in=responses).count() == 0
    assert {
        r.version for r in Response.objects.filter(pk__in=[r.pk for r in responses])
    } == {0}


def test_a_response_saved_meanwhile_stops_the_whole_bulk(staff_user: User) -> None:
    questionnaire = kommun_questionnaire()
    values = value_sets(questionnaire, 3)
    responses = get_or_create_responses(
        questionnaire, organisations=kommuner(0, 3), channel=Channel.IMPORT
    )
    # Someone saves the third response after the bulk read it.
    Response.objects.filter(pk=responses[2].pk).update(version=5)
    with pytest.raises(StaleResponseError) as stale:
        save_answers_in_bulk(
            list(zip(responses, values, strict=True)),
            actor=staff_user,
            channel=Channel.IMPORT,
        )
    assert stale.value.current_version == 5
    assert AnswerChange.objects.filter(response__in=responses).count() == 0
    assert Response.objects.get(pk=responses[0].pk).version == 0


def test_a_bulk_submission_refuses_an_incomplete_or_submitted_response(
    staff_user: User,
) -> None:
    questionnaire = kommun_questionnaire()
    responses = get_or_create_responses(
        questionnaire, organisations=kommuner(0, 2), channel=Channel.IMPORT
    )
    values = value_sets(questionnaire, 1)[0]
    save_answers_in_bulk(
        [(responses[0], values), (responses[1], {})],
        actor=staff_user,
        channel=Channel.IMPORT,
    )
    with pytest.raises(DomainError, match="obligatoriska frågor"):
        submit_responses_in_bulk(
            [Submission(r) for r in responses], actor=staff_user, channel=Channel.IMPORT
        )
    assert not ResponseEvent.objects.filter(response__in=responses).exists()
    # Historical data may keep its item nonresponse, when the caller says so.
    submit_responses_in_bulk(
        [Submission(responses[0]), Submission(responses[1], require_complete=False)],
        actor=staff_user,
        channel=Channel.IMPORT,
        notify=False,
    )
    with pytest.raises(DomainError, match="redan inskickad"):
        submit_responses_in_bulk(
            [Submission(responses[0])], actor=staff_user, channel=Channel.IMPORT
        )


def import_file(questionnaire: Questionnaire, count: int) -> bytes:
    """A raw-data CSV of `count` kommuner, every answer and submitted."""
    values = value_sets(questionnaire, count)
    staff = User.objects.create_user(email=f"kalla{count}@socialstyrelsen.test")
    source = get_or_create_responses(
        questionnaire, organisations=kommuner(100, count), channel=Channel.IMPORT
    )
    save_answers_in_bulk(
        list(zip(source, values, strict=True)), actor=staff, channel=Channel.IMPORT
    )
    submit_responses_in_bulk(
        [Submission(r) for r in source],
        actor=staff,
        channel=Channel.IMPORT,
        notify=False,
    )
    import io

    from reports.rawdata.rows import build_raw_data
    from reports.rawdata.spreadsheets import write_csv

    buffer = io.BytesIO()
    write_csv(build_raw_data(questionnaire), buffer)
    text = buffer.getvalue().decode("utf-8-sig").splitlines()
    # The same answers, for other kommuner: the codes of kommuner 0.. instead.
    codes = {
        k.code: n.code
        for k, n in zip(kommuner(100, count), kommuner(0, count), strict=True)
    }
    rows = [text[0]] + [
        codes[line.split(";", 1)[0]] + ";" + line.split(";", 1)[1]
        for line in text[1:]
        if line.split(";", 1)[0] in codes
    ]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8-sig")


def test_an_import_makes_the_same_queries_for_3_and_12_kommuner(
    staff_user: User,
) -> None:
    questionnaire = kommun_questionnaire()
    counts = []
    for size in (3, 12):
        content = import_file(questionnaire, size)
        Response.objects.filter(
            questionnaire=questionnaire, organisation__in=kommuner(0, 12)
        ).delete()
        with CaptureQueriesContext(connection) as queries:
            summary = import_responses(
                questionnaire, content, actor=staff_user, submit=True
            )
        assert (summary.rows, summary.submitted) == (size, size)
        # Only the INSERTs of answers and history come in batches (SQLite caps
        # the variables of a statement): every other query is made once.
        counts.append(
            len(
                [
                    q
                    for q in queries.captured_queries
                    if not q["sql"].startswith('INSERT INTO "intake_answer')
                ]
            )
        )
        imported = Response.objects.filter(
            questionnaire=questionnaire, organisation__in=kommuner(0, size)
        )
        assert imported.filter(status=ResponseStatus.SUBMITTED).count() == size
        Response.objects.filter(
            questionnaire=questionnaire, organisation__in=kommuner(100, size)
        ).delete()
    assert counts[0] == counts[1]


def test_a_bulk_submission_judges_the_answers_just_saved_without_reading_them(
    staff_user: User,
) -> None:
    questionnaire = kommun_questionnaire()
    responses = get_or_create_responses(
        questionnaire, organisations=kommuner(0, 2), channel=Channel.IMPORT
    )
    values = value_sets(questionnaire, 1)[0]
    saved = save_answers_in_bulk_with_cells(
        [(responses[0], values), (responses[1], {})],
        actor=staff_user,
        channel=Channel.IMPORT,
    )
    # Exactly what is stored (nothing, for the second).
    stored_cells = cells_by_response(responses)
    assert saved.cells == {r.pk: stored_cells.get(r.pk, {}) for r in responses}
    assert saved.cells[responses[0].pk]
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(DomainError, match="obligatoriska frågor"),
    ):
        submit_responses_in_bulk(
            [Submission(r) for r in responses],
            actor=staff_user,
            channel=Channel.IMPORT,
            cells=saved.cells,
        )
    assert not [q for q in queries.captured_queries if "intake_answer" in q["sql"]]
    submit_responses_in_bulk(
        [Submission(responses[0])],
        actor=staff_user,
        channel=Channel.IMPORT,
        notify=False,
        cells=saved.cells,
    )
    assert Response.objects.get(pk=responses[0].pk).status == ResponseStatus.SUBMITTED
