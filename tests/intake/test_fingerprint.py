"""The fingerprint of an answer (intake.merge) is the digest of one JSON text
(`_json_payload`): every page open in a browser posts digests of it back as
the bases of its next save. `_payload` writes the same text without the JSON
encoder (issue #20); here it is compared with the encoder's, character for
character, on any cells, and the digests of a few answers are pinned."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.cells import Cell
from intake.merge import _json_payload, _payload, fingerprint

# Neither the database nor the services: CI's services pass leaves it to the first.
pytestmark = pytest.mark.engine_independent

texts = st.text(max_size=12)
numbers = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d) < Decimal("1e20")
)
cells = st.builds(
    Cell,
    option=st.none() | texts,
    row=st.none() | texts,
    number=st.none() | numbers,
    text=texts,
    escaped=st.booleans(),
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(texts, cells, max_size=5))
def test_the_written_payload_is_the_encoders(answer: dict[str, Cell]) -> None:
    items = frozenset(answer.items())
    assert _payload(items) == _json_payload(items)


def test_a_cell_of_other_types_takes_the_encoder() -> None:
    odd = frozenset({"": Cell(option=3)}.items())  # type: ignore[arg-type]
    assert _payload(odd) is None
    assert fingerprint({"": Cell(option=3)}) == fingerprint({"": Cell(option=3)})  # type: ignore[arg-type]


def test_fingerprints_stay_what_pages_already_hold() -> None:
    """Digests worked out before `_payload` existed: a changed payload would
    make every open page's bases mismatch."""
    assert fingerprint({}) == "4f53cda18c2baa0c"
    assert fingerprint({"": Cell(option="ja")}) == "c521079a9d4e3691"
    assert fingerprint({"": Cell(number=Decimal("-0.50"))}) == "afa04b52dfc933c5"
    matrix = {"a": Cell(row="a", option="nej"), "b": Cell(row="b", option="ja")}
    assert fingerprint(matrix) == "bdf50d840e8a5d62"
    text = {"": Cell(text='Två rader\nmed "citat"')}
    assert fingerprint(text) == "37cc149e46d2d439"
    assert fingerprint({"": Cell(escaped=True)}) == "4d52bde1febfc250"
    assert fingerprint({"": Cell(number=Decimal("18.00"))}) == fingerprint(
        {"": Cell(number=Decimal("18"))}
    )
