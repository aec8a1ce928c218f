"""An ItemCounts is a named tuple that the counting loop makes with
`tuple.__new__` (reports.tabulation.counts): the same object as one made with
its constructor, immutable, compared and printed field by field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.tabulation.counts import _new
from reports.tabulation.results import RIKET, ItemCounts


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
