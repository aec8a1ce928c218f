"""Edits of a questionnaire under preparation, as changes to its records
(issue #19): reword a question, change its alternatives, add one, remove one.

Pure, and deliberately small: the result is written out and parsed again
(surveys.services.next_cycle), so every rule of the file format applies to an
edit exactly as to a file, with the same Swedish messages.
"""

from __future__ import annotations

import dataclasses

from surveys.definitions.records import Choice, QuestionDef, QuestionnaireDef
from surveys.models.questionnaires import Comparability
from surveys.revisions import (
    OPTION_CHANGES,
    WORDING_CHANGES,
    QuestionContent,
    content_changes,
)


def _replaced(
    questionnaire: QuestionnaireDef, variable: str, question: QuestionDef | None
) -> QuestionnaireDef:
    questions = []
    for existing in questionnaire.questions:
        if existing.variable != variable:
            questions.append(existing)
        elif question is not None:
            questions.append(question)
    return dataclasses.replace(questionnaire, questions=tuple(questions))


def reworded(
    questionnaire: QuestionnaireDef, question: QuestionDef, *, text: str, label: str
) -> QuestionnaireDef:
    return _replaced(
        questionnaire,
        question.variable,
        dataclasses.replace(question, text=text.strip(), label=label.strip()),
    )


def reoptioned(
    questionnaire: QuestionnaireDef,
    question: QuestionDef,
    *,
    options: tuple[Choice, ...],
    rows: tuple[Choice, ...],
) -> QuestionnaireDef:
    return _replaced(
        questionnaire,
        question.variable,
        dataclasses.replace(question, options=options, rows=rows),
    )


def without(questionnaire: QuestionnaireDef, question: QuestionDef) -> QuestionnaireDef:
    return _replaced(questionnaire, question.variable, None)


def with_added(
    questionnaire: QuestionnaireDef, question: QuestionDef, *, after: str | None
) -> QuestionnaireDef:
    """`question` placed after the question with variable `after`, or first in its
    section when `after` is None (positions are numbered again when parsed)."""
    questions = list(questionnaire.questions)
    if after is None:
        index = next(
            (
                i
                for i, q in enumerate(questions)
                if q.section_key == question.section_key
            ),
            len(questions),
        )
    else:
        index = next(
            (i + 1 for i, q in enumerate(questions) if q.variable == after),
            len(questions),
        )
    questions.insert(index, question)
    return dataclasses.replace(questionnaire, questions=tuple(questions))


def derived_comparability(
    content: QuestionContent,
    previous: QuestionContent | None,
    *,
    year: int,
    previous_year: int | None,
) -> str:
    """What `comparability` the facts say, for a question edited in the service:
    new without a previous version, else same, wording_changed or
    options_changed (the wording first when both changed; the footnotes then
    name both, surveys.definitions.footnotes)."""
    if previous is None or previous_year is None:
        return Comparability.NEW.value
    changes = set(
        content_changes(content, previous, year=year, previous_year=previous_year)
    )
    if changes & WORDING_CHANGES:
        return Comparability.WORDING_CHANGED.value
    if changes & OPTION_CHANGES:
        return Comparability.OPTIONS_CHANGED.value
    return Comparability.SAME.value
