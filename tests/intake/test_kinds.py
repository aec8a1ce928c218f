"""intake.kinds: every kind has its behaviour, and the family it gets is the one
its facts (surveys.kinds) describe (issue #14 point 3)."""

from __future__ import annotations

from intake.kinds import BEHAVIOURS, behaviour
from intake.kinds.choice import CHOICE
from intake.kinds.kommun_counts import KOMMUN_COUNTS
from intake.kinds.matrix import MATRIX
from intake.kinds.multiple import MULTIPLE
from intake.kinds.number import NUMBER
from intake.kinds.text import TEXT
from surveys.kinds import KINDS, QuestionKind, kinds_where


def test_every_kind_has_a_behaviour() -> None:
    assert set(BEHAVIOURS) == set(QuestionKind)
    assert behaviour("matrix") is MATRIX


def test_each_family_serves_the_kinds_its_facts_describe() -> None:
    def served_by(family: object) -> frozenset[QuestionKind]:
        return frozenset(k for k, b in BEHAVIOURS.items() if b is family)

    assert served_by(CHOICE) == kinds_where(lambda f: f.single_value)
    assert served_by(MULTIPLE) == kinds_where(lambda f: f.multiple)
    assert served_by(MATRIX) == kinds_where(lambda f: f.matrix)
    assert served_by(NUMBER) == kinds_where(lambda f: f.number)
    assert served_by(TEXT) == kinds_where(lambda f: f.typed_text)
    assert served_by(KOMMUN_COUNTS) == kinds_where(lambda f: f.kommun_counts)
    # No kind in two families, none in none.
    assert len(KINDS) == sum(
        len(served_by(f))
        for f in (CHOICE, MULTIPLE, MATRIX, NUMBER, TEXT, KOMMUN_COUNTS)
    )
