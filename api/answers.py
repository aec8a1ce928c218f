"""Stored answers as the API shows them: by question variable, in the same shape
`intake.services.saving.save_answers` accepts, so what a client reads it can
change and send back.

Numbers are strings ("12.5"): the database keeps them as exact decimals, and a
JSON number would round them in many clients. Both forms are accepted on input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from intake.cells import Cells
from surveys.kinds import facts
from surveys.models import Question


def answer_value(question: Question, cells: Cells) -> Any:
    kind = facts(question.kind)
    if kind.kommun_counts:
        return {
            slot: int(cell.number)
            for slot, cell in cells.items()
            if cell.number is not None
        }
    if kind.matrix:
        return {cell.row: cell.option for cell in cells.values() if cell.row}
    if kind.multiple:
        return sorted(cell.option for cell in cells.values() if cell.option)
    cell = next(iter(cells.values()))
    if kind.single_value:
        return cell.option
    if kind.number:
        return {"escaped": True} if cell.escaped else str(cell.number)
    return cell.text


def answer_values(
    questions: Sequence[Question], cells: dict[int, Cells]
) -> dict[str, Any]:
    """Every answered question's value by variable (unanswered ones are left out)."""
    return {
        q.variable: answer_value(q, cells[q.pk]) for q in questions if cells.get(q.pk)
    }
