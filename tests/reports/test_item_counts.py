"""The counting loop makes its ItemCounts without the dataclass's __init__
(reports.tabulation.results.item_counts): the same object in every respect."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from reports.tabulation.results import RIKET, ItemCounts, item_counts


def test_item_counts_equal_the_dataclass_and_stay_frozen() -> None:
    args = (RIKET, 5, 1, 1, 0, 3, {"ja": 2, "nej": 1}, Decimal("1.5"), 7)
    made = item_counts(*args)
    assert type(made) is ItemCounts
    assert made == ItemCounts(*args)
    assert repr(made) == repr(ItemCounts(*args))
    assert tuple(getattr(made, f.name) for f in dataclasses.fields(made)) == args
    assert (made.applicable, made.count("ja"), made.not_ticked("nej")) == (4, 2, 2)
    assert made != item_counts(*args[:-1], 8)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.base = 0  # type: ignore[misc]
