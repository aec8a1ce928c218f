"""An ItemCounts is a named tuple that the counting loop makes with
`tuple.__new__` (reports.tabulation.counts): the same object as one made with
its constructor, immutable, compared and printed field by field; and those the
loop shares between items are each item's own figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.tabulation.counts import _new, tabulate
from reports.tabulation.results import RIKET, ItemCounts, Level
from tests.reports.conftest import EveryKind


def test_item_counts_made_by_the_counting_loop_equal_the_constructed_and_stay_frozen() -> (
    None
):
    args = (RIKET, 5, 1, 1, 0, 3, {"ja": 2, "nej": 1}, Decimal("1.5"), 7)
    made = _new(ItemCounts, args)
    assert type(made) is ItemCounts
    assert made == ItemCounts(*args)
    assert repr(made) == repr(ItemCounts(*args))
    assert repr(made).startswith("ItemCounts(group=Group(key=None, code='riket'")
    assert tuple(getattr(made, name) for name in ItemCounts._fields) == args
    assert (made.applicable, made.count("ja"), made.not_ticked("nej")) == (4, 2, 2)
    assert made != _new(ItemCounts, (*args[:-1], 8))
    with pytest.raises(AttributeError):
        made.base = 0  # type: ignore[misc]


def test_item_counts_without_counts_share_a_read_only_empty_mapping() -> None:
    made = ItemCounts(
        group=RIKET, respondents=2, not_applicable=0, not_answered=2, escaped=0, base=0
    )
    assert made.counts == {} and made.total is None and made.frame == 0
    with pytest.raises(TypeError):
        made.counts["ja"] = 1  # type: ignore[index]


@pytest.mark.django_db
def test_a_group_whose_one_respondent_gave_each_answer_gets_its_counts(
    every_kind: EveryKind,
) -> None:
    # Per region, an item's one cell in a group that all its respondents
    # gave is read from the statement's row and its counts shared by the
    # group's items with the same answer (reports.tabulation.counts).
    tabulation = tabulate(every_kind.questionnaire, level=Level.REGION)
    (summary,) = [s for s in tabulation.groups if s.group.code == "04"]
    sormland = summary.group
    assert (summary.respondents, summary.frame) == (1, 1)

    def counts(variable: str, row: int = 0) -> ItemCounts:
        item = tabulation.question(variable).items[row]
        (found,) = [c for c in item.by_group if c.group == sormland]
        return found

    def answered(counts: dict[str, int]) -> ItemCounts:
        return ItemCounts(sormland, 1, 0, 0, 0, 1, counts, None, 1)

    assert counts("q01_breddinfort") == answered({"ja": 1})
    assert counts("q02_plan") == answered({"nej_forslag": 1})
    assert counts("q04_uppfoljning", 0) == answered({"ja": 1})
    assert counts("q04_uppfoljning", 1) == answered({"nej": 1})
    # A text, shown by its condition; a text left unanswered.
    assert counts("q01a_exempel") == answered({})
    assert counts("q07_ovrigt") == ItemCounts(sormland, 1, 0, 1, 0, 0, {}, None, 1)
    assert counts("q03_grupper") == answered({"barn": 1, "andra": 1})
    assert counts("q06_andel") == ItemCounts(
        sormland, 1, 0, 0, 0, 1, {}, Decimal("59.5"), 1
    )
    assert repr(counts("q01a_exempel")) == repr(answered({}))
