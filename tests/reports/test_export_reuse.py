"""The exports reuse what they have already computed (issue #5 point 9): the table
workbook's riket tabulation feeds its kvalitetsdeklaration sheet, with the same
figures as a tabulation of its own, and fewer queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from reports.kvalitetsdeklaration import item_nonresponse_for
from reports.kvalitetsdeklaration_writers import write_kvalitetsdeklaration_sheet
from reports.tabulation import Level, Tabulation, item_nonresponse, tabulate
from surveys.models import Questionnaire
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db


def sheet_values(tabulations: list[Tabulation]) -> list[tuple[object, ...]]:
    workbook = Workbook()
    cycle = Questionnaire.objects.get(key="region", cycle__year=2041).cycle
    sheet = write_kvalitetsdeklaration_sheet(workbook, cycle, tabulations=tabulations)
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


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


def test_the_sheet_is_the_same_with_a_reused_tabulation_and_makes_fewer_queries(
    every_kind: EveryKind,
) -> None:
    riket = tabulate(every_kind.questionnaire, level=Level.RIKET)
    with CaptureQueriesContext(connection) as own:
        computed = sheet_values([])
    with CaptureQueriesContext(connection) as reusing:
        reused = sheet_values([riket])
    assert reused == computed
    assert any(
        row[0] == "Partiellt bortfall per fråga: " + riket.title for row in reused
    )
    assert len(reusing) < len(own)
