"""A tabulation's queries are compiled once per plan and arguments
(reports.tabulation.queries): what is kept is the SQL, never the figures, and
each set of arguments has its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Channel
from intake.services import get_or_create_response, save_answers, submit_response
from reports.tabulation.counts import tabulate
from reports.tabulation.plan import plan_of
from reports.tabulation.results import Level, Selection
from surveys.models import Region
from tests.reports.conftest import SORMLAND_ANSWERS, EveryKind

pytestmark = pytest.mark.django_db


def test_the_same_arguments_reuse_the_compiled_queries_and_read_the_answers_again(
    every_kind: EveryKind,
) -> None:
    questionnaire = every_kind.questionnaire
    before = tabulate(questionnaire, level=Level.REGION)
    compiled = dict(plan_of(questionnaire).compiled)
    assert len(compiled) == 1
    # Another region submits the same answers: counted at once.
    response = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="01")
    )
    save_answers(
        response,
        actor=every_kind.actor,
        channel=Channel.WEB,
        values=SORMLAND_ANSWERS,
    )
    submit_response(response, actor=every_kind.actor)
    with CaptureQueriesContext(connection) as captured:
        after = tabulate(questionnaire, level=Level.REGION)
    assert plan_of(questionnaire).compiled == compiled
    # One statement: the groups, frame, respondents and cells in one UNION ALL.
    assert len(captured) == 1
    assert (before.respondents, after.respondents) == (1, 2)
    q1 = after.question("q01_breddinfort").items[0]
    assert {c.group.code: c.count("ja") for c in q1.by_group if c.base} == {
        "01": 1,
        "04": 1,
    }


def test_each_level_selection_and_set_of_questions_has_its_own_queries(
    every_kind: EveryKind,
) -> None:
    questionnaire = every_kind.questionnaire
    whole = tabulate(questionnaire, level=Level.RIKET)
    one = tabulate(questionnaire, level=Level.RIKET, variables={"q01_breddinfort"})
    preliminary = tabulate(
        questionnaire, level=Level.RIKET, selection=Selection.STARTED
    )
    per_region = tabulate(questionnaire, level=Level.REGION)
    assert len(plan_of(questionnaire).compiled) == 4
    assert [q.question.variable for q in one.questions] == ["q01_breddinfort"]
    assert one.question("q01_breddinfort") == whole.question("q01_breddinfort")
    assert (whole.respondents, preliminary.respondents) == (1, 2)
    assert len(per_region.groups) == Region.objects.count()
    # Asked again, the first arguments give the first figures.
    assert tabulate(questionnaire, level=Level.RIKET) == whole


def test_questions_that_match_nothing_leave_the_cells_out_of_the_statement(
    every_kind: EveryKind,
) -> None:
    with CaptureQueriesContext(connection) as captured:
        tabulation = tabulate(
            every_kind.questionnaire, level=Level.RIKET, variables={"saknas"}
        )
    assert tabulation.questions == ()
    assert tabulation.respondents == 1
    # The frame and the respondents; the cells' part (the one SUM) left out.
    assert len(captured) == 1
    assert "SUM(" not in captured[0]["sql"]
    with CaptureQueriesContext(connection) as whole:
        tabulate(every_kind.questionnaire, level=Level.RIKET)
    assert "SUM(" in whole[0]["sql"]


def test_the_compiled_queries_kept_per_plan_are_bounded(
    every_kind: EveryKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reports.tabulation.queries.MAX_COMPILED", 2)
    questionnaire = every_kind.questionnaire
    whole = tabulate(questionnaire, level=Level.RIKET)
    tabulate(questionnaire, level=Level.REGION)
    tabulate(questionnaire, level=Level.RIKET, selection=Selection.STARTED)
    assert len(plan_of(questionnaire).compiled) <= 2
    assert tabulate(questionnaire, level=Level.RIKET) == whole
