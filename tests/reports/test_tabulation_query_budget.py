"""Tabulating a questionnaire makes the same number of queries whatever the number
of questions and respondents (docs/conventions.md §15; issue #20 points 4-5):
`make bench-compare` times it against a bare GROUP BY, which only holds as a
comparison if the tabulation stays a fixed handful of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Channel
from intake.selectors import forget_question_structures
from intake.services import get_or_create_response, save_answers, submit_response
from reports.tabulation import Level, tabulate
from reports.tabulation.plan import forget_plans
from surveys.models import QuestionKind, Questionnaire, Region
from tests.conftest import make_user
from tests.intake.test_query_budget import build_questionnaire

pytestmark = pytest.mark.django_db


def answered(questionnaire: Questionnaire, respondents: int) -> Questionnaire:
    """`respondents` regions submit a complete response."""
    values: dict[str, object] = {}
    for question in questionnaire.questions.prefetch_related("rows"):
        if question.kind == QuestionKind.YES_NO:
            values[question.variable] = "ja"
        elif question.kind == QuestionKind.MATRIX:
            values[question.variable] = {r.code: "nej" for r in question.rows.all()}
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            values[question.variable] = ["ja", "nej"]
        elif question.kind == QuestionKind.PERCENTAGE:
            values[question.variable] = 55
        else:
            values[question.variable] = "Text"
    for region in Region.objects.order_by("code")[:respondents]:
        user = make_user(f"q{questionnaire.pk}-{region.code}@region.test", region)
        response = get_or_create_response(questionnaire, organisation=region)
        save_answers(response, actor=user, channel=Channel.WEB, values=values)
        submit_response(response, actor=user, notify=False)
    return questionnaire


def queries(questionnaire: Questionnaire) -> tuple[int, int]:
    counts = []
    for level in (Level.RIKET, Level.REGION):
        with CaptureQueriesContext(connection) as captured:
            tabulation = tabulate(questionnaire, level=level)
        assert tabulation.questions  # it tabulated something
        counts.append(len(captured))
    return counts[0], counts[1]


def test_tabulation_makes_the_same_queries_at_two_sizes() -> None:
    # 10 questions and 2 respondents; 40 questions and 12 respondents.
    small = queries(answered(build_questionnaire(2), 2))
    large = queries(answered(build_questionnaire(8), 12))
    assert small == large
    # Pinned (riket, per region): one statement (reports.tabulation.queries),
    # the UNION ALL of the frame, the respondents per group (with the
    # conditions that need an EXISTS and the multiple choices' respondents who
    # ticked an option), the answer cells and per region the regions' names.
    # The questions come from the structure built once per questionnaire
    # version (reports.tabulation.plan), here already built by the saves; was
    # (7, 8) when every tabulation read them again, (4, 5) while the multiple
    # choices' bases were a COUNT(DISTINCT) query of their own, and (3, 4)
    # while the parts were a query each.
    assert small == EXPECTED


EXPECTED = (1, 1)


def test_a_cold_tabulation_reads_the_questions_once() -> None:
    questionnaire = answered(build_questionnaire(2), 2)
    forget_question_structures()
    forget_plans()
    # Cold, as in a new process: the questions with their options and rows (3)
    # once, then the same queries as a warm tabulation.
    assert queries(questionnaire) == (EXPECTED[0] + 3, EXPECTED[1])
