"""The preview of an upload: what saving the values read from a returned copy
would change, question by question, before the user confirms. Separate from the
reader because it compares with the stored answers and the display conditions,
which reading the file does not need.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from intake.cells import Cells, is_answered
from intake.selectors import answer_in_words, shown_questions
from intake.services.values import cells_for
from surveys.kinds import (
    WORKBOOK_KINDS,
)
from surveys.models import Question

# --- the preview -----------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewItem:
    question: Question
    current: list[str]
    in_file: list[str]
    changed: bool
    not_applicable: bool  # the file answers a follow-up that does not apply
    missing: bool  # required, applies, and empty after the upload


def preview_workbook_values(
    questions: Sequence[Question],
    current: Mapping[int, Cells],
    values: Mapping[str, Any],
) -> list[PreviewItem]:
    """What saving `values` would change, question by question, with the same
    display conditions `save_answers` applies. Raises ValidationError if a value no
    longer fits the definition."""
    after: dict[int, Cells] = {qid: dict(c) for qid, c in current.items()}
    given: dict[int, Cells] = {}
    for question in questions:
        if question.variable in values:
            given[question.pk] = cells_for(question, values[question.variable])
            after[question.pk] = given[question.pk]
    shown = shown_questions(questions, after)
    items = []
    for question in questions:
        if question.kind not in WORKBOOK_KINDS:
            continue
        before = current.get(question.pk, {})
        applies = question.pk in shown
        final = after.get(question.pk, {}) if applies else {}
        items.append(
            PreviewItem(
                question=question,
                current=answer_in_words(question, before),
                # A follow-up that does not apply shows what the file says, marked
                # as not stored.
                in_file=answer_in_words(
                    question, final if applies else given.get(question.pk, {})
                ),
                changed=final != before,
                not_applicable=not applies and bool(given.get(question.pk)),
                missing=applies
                and question.required
                and not is_answered(question, final),
            )
        )
    return items
