"""surveys.kinds: every kind has its facts, and the sets callers use are the
ones the modules listed by hand before the registry (issue #14 point 3)."""

from __future__ import annotations

import pytest

from surveys import models
from surveys.conditions import (
    Answered,
    AnyRow,
    Equals,
    Escaped,
    In,
    Includes,
    Leaf,
    RowEquals,
    fits,
)
from surveys.kinds import (
    CLOSED_KINDS,
    FREE_TEXT_KINDS,
    IMPLICIT_OPTION_KINDS,
    KINDS,
    LISTED_OPTION_KINDS,
    NUMBER_KINDS,
    ONE_ALTERNATIVE_KINDS,
    RSS_AGGREGATE_KINDS,
    SINGLE_VALUE_KINDS,
    TYPED_TEXT_KINDS,
    WORKBOOK_KINDS,
    QuestionKind,
    facts,
)

K = QuestionKind


def test_every_kind_has_its_facts_and_the_old_import_still_works() -> None:
    assert set(KINDS) == set(QuestionKind)
    assert models.QuestionKind is QuestionKind
    assert facts("matrix") is KINDS[K.MATRIX]


def test_the_derived_sets() -> None:
    assert {K.YES_NO, K.YES_PARTLY_NO, K.SINGLE_CHOICE} == SINGLE_VALUE_KINDS
    assert SINGLE_VALUE_KINDS | {K.MULTIPLE_CHOICE, K.MATRIX} == CLOSED_KINDS
    assert {K.INTEGER, K.PERCENTAGE} == NUMBER_KINDS
    assert {K.KOMMUN_COUNT, K.KOMMUN_TEXT_SUMMARY} == RSS_AGGREGATE_KINDS
    assert SINGLE_VALUE_KINDS | {K.MATRIX} == ONE_ALTERNATIVE_KINDS
    assert {K.SINGLE_CHOICE, K.MULTIPLE_CHOICE, K.MATRIX} == LISTED_OPTION_KINDS
    assert IMPLICIT_OPTION_KINDS == {
        K.YES_NO: "yes_no",
        K.YES_PARTLY_NO: "yes_partly_no",
    }
    # RSS kinds are never kommun questions, so never in the kommun's workbook.
    assert set(QuestionKind) - RSS_AGGREGATE_KINDS == WORKBOOK_KINDS
    assert {k for k in QuestionKind if facts(k).kommun_counts} == {K.KOMMUN_COUNT}
    assert {k for k in QuestionKind if facts(k).whole_number} == {K.INTEGER}
    assert {k for k in QuestionKind if facts(k).percentage} == {K.PERCENTAGE}
    assert {k for k in QuestionKind if facts(k).text_summary} == {K.KOMMUN_TEXT_SUMMARY}


def test_the_two_meanings_of_text_kinds_have_two_names() -> None:
    # What a kommun text summary summarises: the respondent's own free text.
    assert {K.TEXT} == FREE_TEXT_KINDS
    # What the web form answers in a text box.
    assert {K.TEXT, K.KOMMUN_TEXT_SUMMARY} == TYPED_TEXT_KINDS


@pytest.mark.parametrize(
    ("leaf", "kinds"),
    [
        (Equals("q", "ja"), SINGLE_VALUE_KINDS),
        (In("q", ("ja",)), SINGLE_VALUE_KINDS),
        (Includes("q", "a"), {K.MULTIPLE_CHOICE}),
        (RowEquals("q", "r", "ja"), {K.MATRIX}),
        (AnyRow("q", "ja"), {K.MATRIX}),
        (Escaped("q"), NUMBER_KINDS),
        (Answered("q"), set(QuestionKind)),
    ],
)
def test_which_operator_fits_which_kind(leaf: Leaf, kinds: set[QuestionKind]) -> None:
    assert {k for k in QuestionKind if fits(leaf, k)} == kinds
