"""reports.rawdata.kinds: the raw-data table covers every kind, and groups the
kinds as intake.kinds does, so a kind's behaviour is found under the same family
on both sides (issue #14 point 3)."""

from __future__ import annotations

from intake.kinds import BEHAVIOURS
from reports.rawdata.kinds import RAW_DATA_KINDS
from surveys.kinds import QuestionKind


def _families(table: object) -> set[frozenset[QuestionKind]]:
    assert isinstance(table, dict)
    return {
        frozenset(k for k, b in table.items() if b is family)
        for family in table.values()
    }


def test_both_tables_cover_every_kind_with_the_same_families() -> None:
    assert set(RAW_DATA_KINDS) == set(QuestionKind) == set(BEHAVIOURS)
    assert _families(RAW_DATA_KINDS) == _families(BEHAVIOURS)
    # Family names match too: Matrix here, Matrix in intake.
    for kind in QuestionKind:
        assert type(RAW_DATA_KINDS[kind]).__name__ == type(BEHAVIOURS[kind]).__name__
