"""Item nonresponse for the kvalitetsdeklaration without tabulating everything
again (issue #5 point 9): from a riket tabulation the caller already has, with
no queries, or for all of a cycle's questionnaires at once, in six queries;
either way with the same figures as a tabulation of its own."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.export_bench import build_year
from reports.kvalitetsdeklaration.adapters import (
    item_nonresponse_for,
    item_nonresponse_of_all,
)
from reports.tabulation.counts import tabulate
from reports.tabulation.nonresponse import item_nonresponse, item_nonresponse_of
from reports.tabulation.results import Level, Selection
from surveys.models import Questionnaire, User
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db


def test_item_nonresponse_from_a_given_tabulation_is_the_same_without_queries(
    every_kind: EveryKind,
) -> None:
    q = every_kind.questionnaire
    riket = tabulate(q, level=Level.RIKET)
    expected = item_nonresponse(q)
    assert expected  # the questionnaire has items, the sormland response counts
    assert sum(i.answered for i in expected) > 0

    with CaptureQueriesContext(connection) as queries:
        reused = item_nonresponse(q, riket=riket)
        adapter = item_nonresponse_for(q, riket=riket)
    assert len(queries) == 0
    assert reused == expected
    assert [a.variable for a in adapter or []] == [i.variable for i in expected]


def test_a_tabulation_of_another_questionnaire_or_level_is_not_reused(
    every_kind: EveryKind,
) -> None:
    q = every_kind.questionnaire
    other = Questionnaire.objects.get(cycle__year=2024, key="region")
    with pytest.raises(ValueError, match="riksnivå"):
        item_nonresponse(q, riket=tabulate(q, level=Level.REGION))
    # Another questionnaire's tabulation: this one is tabulated instead.
    assert item_nonresponse(q, riket=tabulate(other)) == item_nonresponse(q)


def test_a_cycles_item_nonresponse_at_once_equals_each_questionnaires_tabulation(
    every_kind: EveryKind, staff_user: User
) -> None:
    """Every kind of item: conditions (q01a shown only after «ja»), escape
    answers, numbers, matrices, multiple choice, an optional question left
    empty, and the 2024 questionnaires with complete responses, among them the
    RSS kommun counts with their base slots (built as the benchmark builds them)."""
    build_year(staff_user, random.Random(7), limit=2)
    questionnaires = [
        every_kind.questionnaire,
        *Questionnaire.objects.filter(cycle__year=2024).order_by("key"),
    ]
    assert len(questionnaires) == 5
    expected = {
        q.pk: item_nonresponse(q, riket=tabulate(q, level=Level.RIKET))
        for q in questionnaires
    }

    with CaptureQueriesContext(connection) as queries:
        at_once = item_nonresponse_of(questionnaires)
    assert len(queries) == 6
    assert at_once == expected
    # The data reach every kind of count, so the comparison means something.
    items = [i for q in questionnaires for i in expected[q.pk]]
    for field in ("answered", "not_answered", "not_applicable", "escaped"):
        assert any(getattr(i, field) for i in items), field
    rss = Questionnaire.objects.get(cycle__year=2024, key="rss")
    assert any(i.row and i.answered for i in expected[rss.pk])


def test_item_nonresponse_counts_submitted_responses_as_the_response_rate_does(
    every_kind: EveryKind,
) -> None:
    """Sörmland submitted; Kronoberg's draft is in neither the declaration's
    response rate nor its item nonresponse, even when preliminary tables are
    at hand."""
    q = every_kind.questionnaire
    declared = item_nonresponse_of([q])[q.pk]
    assert {i.respondents for i in declared} == {1}
    preliminary = tabulate(q, level=Level.RIKET, selection=Selection.STARTED)
    assert preliminary.respondents == 2
    assert item_nonresponse(q, riket=preliminary) == declared
    assert item_nonresponse(q, riket=tabulate(q, level=Level.RIKET)) == declared


def test_the_declaration_reads_one_questionnaire_from_its_riket_and_counts_the_rest(
    every_kind: EveryKind, staff_user: User
) -> None:
    """The table workbook gives its riket tabulation (issue #20): that
    questionnaire's items are read from it, the others counted as before, and
    every figure is the same; a preliminary tabulation is not reused."""
    build_year(staff_user, random.Random(7), limit=2)
    # every_kind's has a draft: a preliminary tabulation of it counts two.
    questionnaires = [
        every_kind.questionnaire,
        *Questionnaire.objects.filter(cycle__year=2024),
    ]
    counted = item_nonresponse_of_all(questionnaires)
    expected = {q.pk: counted(q) for q in questionnaires}
    assert all(expected.values())
    for q in questionnaires:
        riket = tabulate(q, level=Level.RIKET)
        with CaptureQueriesContext(connection) as queries:
            reusing = item_nonresponse_of_all(questionnaires, riket=riket)
            assert {o.pk: reusing(o) for o in questionnaires} == expected
        # The rest in the same six queries, none for the reused one.
        assert len(queries) == 6
        preliminary = tabulate(q, level=Level.RIKET, selection=Selection.STARTED)
        with CaptureQueriesContext(connection) as queries:
            not_reused = item_nonresponse_of_all(questionnaires, riket=preliminary)
            assert {o.pk: not_reused(o) for o in questionnaires} == expected
        assert len(queries) == 6  # all counted at once, none apart
