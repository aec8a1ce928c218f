"""The benchmark (bench/export_bench.py) measures what the service really stores,
and its query counts hold whatever the number of respondents (issue #5 point 9).

The bench bulk-creates responses instead of calling the services, so these tests
check that its rows are those save_answers and submit_response leave for the
same values, and run its build and exports at two tiny scales."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest

from bench.export_bench import (
    Stage,
    answer_rows,
    build_year,
    compare_query_counts,
    kommun_counts,
    measure,
    populate,
    scale_up,
    stages_for,
)
from intake.consolidation import (
    FROZEN_REASON,
    ONE_ALTERNATIVE_KINDS,
    count_limit_problem,
)
from intake.models import Answer, AnswerChange, Channel, Response, ResponseEvent
from intake.services import get_or_create_response, save_answers, submit_response
from surveys.models import Organisation, QuestionKind, Questionnaire, User

pytestmark = pytest.mark.django_db

SEED = 7


def questionnaire(key: str) -> Questionnaire:
    return Questionnaire.objects.select_related("cycle").get(cycle__year=2024, key=key)


def questions_of(q: Questionnaire) -> list[Any]:
    return list(q.questions.order_by("position").prefetch_related("options", "rows"))


def stored(response: Response) -> dict[str, Any]:
    """Everything a response leaves behind, without ids and timestamps."""
    response.refresh_from_db()
    return {
        "response": (
            response.status,
            response.version,
            response.submitted_by_id,
            response.submitted_at is not None,
        ),
        "answers": sorted(
            Answer.objects.filter(response=response).values_list(
                "question_id",
                "slot",
                "row_id",
                "option_id",
                "number",
                "text",
                "escaped",
                "channel",
                "entered_by_id",
            )
        ),
        "history": sorted(
            (
                (q, slot, repr(old), repr(new), channel, by, reason, version)
                for q, slot, old, new, channel, by, reason, version in (
                    AnswerChange.objects.filter(response=response).values_list(
                        "question_id",
                        "slot",
                        "old_value",
                        "new_value",
                        "channel",
                        "changed_by_id",
                        "reason",
                        "response_version",
                    )
                )
            ),
        ),
        "events": list(
            ResponseEvent.objects.filter(response=response).values_list(
                "kind", "actor_id"
            )
        ),
    }


def built_by_bench(q: Questionnaire, organisation: Organisation, staff: User) -> Any:
    populate(q, [organisation], staff, random.Random(SEED), {organisation.pk: 8})
    response = Response.objects.get(questionnaire=q, organisation=organisation)
    rows = stored(response)
    response.delete()
    return rows


@pytest.mark.parametrize(("key", "code"), [("region", "04"), ("kommun", "0780")])
def test_the_bench_stores_what_the_services_store(
    key: str, code: str, staff_user: User
) -> None:
    q = questionnaire(key)
    organisation = Organisation.objects.get(code=code)
    bench = built_by_bench(q, organisation, staff_user)

    (stage,) = stages_for(q, questions_of(q), random.Random(SEED), 8)
    response = get_or_create_response(q, organisation=organisation)
    save_answers(
        response,
        actor=staff_user,
        channel=Channel(stage.channel),
        values=stage.values,
        reason=stage.reason,
    )
    submit_response(response, actor=staff_user, notify=False)

    assert stored(response) == bench
    assert len(bench["answers"]) > 20  # a complete response, not an empty one


def test_the_bench_stores_an_rss_as_submitting_it_does(staff_user: User) -> None:
    """An RSS's counts are frozen on submit: the bench writes the same slots
    (every alternative per row and the three base slots) as the freeze, and,
    given the frozen figures, the same rows."""
    q = questionnaire("rss")
    questions = questions_of(q)
    rss = Organisation.objects.get(code="rss-07")
    first, _ = stages_for(q, questions, random.Random(SEED), 8)
    response = get_or_create_response(q, organisation=rss)
    save_answers(
        response,
        actor=staff_user,
        channel=Channel(first.channel),
        values=first.values,
        reason=first.reason,
    )
    submit_response(response, actor=staff_user, notify=False)
    real = stored(response)

    frozen: dict[str, dict[str, int]] = {}
    for variable, slot, number in Answer.objects.filter(
        response=response, channel=Channel.COMPUTED
    ).values_list("question__variable", "slot", "number"):
        frozen.setdefault(variable, {})[slot] = int(number)
    counts = [q for q in questions if q.kind == QuestionKind.KOMMUN_COUNT]
    assert counts
    rng = random.Random(SEED)
    assert {
        c.variable: set(kommun_counts(c, 8, rng))
        for c in counts
        if c.variable in frozen
    } == {variable: set(slots) for variable, slots in frozen.items()}

    Response.objects.filter(pk=response.pk).delete()
    bench = Response.objects.create(
        questionnaire=q,
        organisation=rss,
        status="submitted",
        version=3,
        submitted_by=staff_user,
        submitted_at=response.submitted_at,
    )
    stages = [first, Stage(frozen, Channel.COMPUTED, FROZEN_REASON)]
    answers, history = answer_rows(bench, questions, stages, actor=staff_user)
    Answer.objects.bulk_create(answers)
    AnswerChange.objects.bulk_create(history)
    ResponseEvent.objects.create(
        response=bench, kind=ResponseEvent.Kind.SUBMITTED, actor=staff_user
    )
    assert stored(bench) == real
    assert any(a[1] == "_svarat" or a[1].endswith("._svarat") for a in real["answers"])


def test_the_bench_counts_fit_their_bases_as_the_service_requires() -> None:
    """Invented RSS counts obey the rule the service enforces on an RSS
    (intake.consolidation.count_limit_problem), so the benchmark's shares stay
    within 100 % as real ones do."""
    questions = [
        q
        for q in questionnaire("rss")
        .questions.select_related("source_question")
        .prefetch_related("options", "rows")
        if q.kind == QuestionKind.KOMMUN_COUNT
    ]
    rng = random.Random(SEED)
    checked = one_alternative_items = 0
    for question in questions:
        one = question.source_question.kind in ONE_ALTERNATIVE_KINDS
        counts = kommun_counts(question, 8, rng)
        for row in [r.code for r in question.rows.all()] or [""]:
            prefix = f"{row}." if row else ""
            values = [counts[f"{prefix}{o.code}"] for o in question.options.all()]
            assert counts[f"{prefix}_svarat"] == 8
            problem = count_limit_problem(
                values, svarat=8, one_alternative=one, item=question.variable
            )
            assert problem is None, (question.variable, row, values)
            checked += 1
            one_alternative_items += one
    assert checked > one_alternative_items > 0


def test_the_bench_builds_submitted_complete_responses(staff_user: User) -> None:
    responses, answers = build_year(staff_user, random.Random(SEED), limit=2)
    # Two of each kind, to each 2024 questionnaire for its audience: region, RSS,
    # and the kommuner's two (kommun, kommun-extra): 4 x 2.
    assert responses == 8 == Response.objects.count()
    assert answers == Answer.objects.count()
    assert set(Response.objects.values_list("status", flat=True)) == {"submitted"}
    added = scale_up(3)
    assert added == (2 * responses, 2 * answers)
    assert Response.objects.filter(organisation__code__startswith="x2-").count() == (
        responses
    )


def test_query_counts_do_not_grow_with_the_respondents(
    staff_user: User, tmp_path: Path
) -> None:
    build_year(staff_user, random.Random(SEED), limit=2)
    small = measure(1, tmp_path, memory=False, out=io.StringIO())
    scale_up(3)
    large = measure(3, tmp_path, memory=False, out=io.StringIO())
    assert small  # every registered exporter ran
    assert large == small
    assert compare_query_counts(small, large, scale=3)[0]


def test_compare_query_counts_names_what_grew() -> None:
    small = {("svarsstatus", "csv", "kommun"): 7, ("svarsstatus", "csv", "rss"): 7}
    same, line = compare_query_counts(small, dict(small), scale=100)
    assert (same, line) == (
        True,
        "Query counts equal at scale 1 and 100: YES (2 exports)",
    )
    grown = {**small, ("svarsstatus", "csv", "rss"): 30}
    same, line = compare_query_counts(small, grown, scale=100)
    assert not same
    assert line.endswith("NO (1 of 2 differ: svarsstatus/csv/rss 7 -> 30)")
