"""reports.tabulation.kinds: how each question kind is tabulated, declared for
every kind (issue #14 point 3)."""

from __future__ import annotations

from reports.tabulation.kinds import Shape, tabulation
from surveys.kinds import NUMBER_KINDS, QuestionKind

EXPECTED = {
    QuestionKind.YES_NO: Shape.ALTERNATIVES,
    QuestionKind.YES_PARTLY_NO: Shape.ALTERNATIVES,
    QuestionKind.SINGLE_CHOICE: Shape.ALTERNATIVES,
    QuestionKind.MULTIPLE_CHOICE: Shape.TICKS,
    QuestionKind.MATRIX: Shape.ROWS,
    QuestionKind.INTEGER: Shape.NUMBER,
    QuestionKind.PERCENTAGE: Shape.NUMBER,
    QuestionKind.TEXT: Shape.TEXT,
    QuestionKind.KOMMUN_COUNT: Shape.KOMMUN_COUNTS,
    QuestionKind.KOMMUN_TEXT_SUMMARY: Shape.TEXT,
}


def test_every_kind_has_its_shape() -> None:
    assert set(EXPECTED) == set(QuestionKind)
    assert {kind: tabulation(kind).shape for kind in QuestionKind} == EXPECTED
    # Stored values work as well as the enum.
    assert tabulation("matrix").shape is Shape.ROWS


def test_the_rules_that_follow_from_the_shape() -> None:
    ticks, single = tabulation("multiple_choice"), tabulation("yes_no")
    assert (ticks.ticks, ticks.chosen_verb) == (True, "markerat")
    assert (single.ticks, single.chosen_verb) == (False, "svarat")
    assert [k for k in QuestionKind if tabulation(k).closed] == [
        QuestionKind.YES_NO,
        QuestionKind.YES_PARTLY_NO,
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.MATRIX,
    ]
    assert (tabulation("percentage").unit, tabulation("integer").unit) == (
        "Andel",
        "Antal",
    )
    assert tabulation("kommun_count").always_answered
    assert tabulation("matrix").per_row and not tabulation("yes_no").per_row
    assert {QuestionKind.INTEGER, QuestionKind.PERCENTAGE} == NUMBER_KINDS
