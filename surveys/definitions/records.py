"""What a parsed definition file is: frozen records, and the problems found on the way.

Separate from the parser because the loader (surveys.services.questionnaires) and
the lineage check's reader (surveys.selectors) work on these records and need
nothing of the parsing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from surveys.kinds import QuestionKind
from surveys.models.register import OrganisationKind
from surveys.revisions import QuestionContent


@dataclass(frozen=True)
class Problem:
    file: str
    question: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.question:
            where += f", fråga {self.question}"
        return f"{where}: {self.message}"


class DefinitionError(Exception):
    """Raised with every problem found; nothing has been loaded."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    is_other: bool = False


@dataclass(frozen=True)
class SourceRef:
    questionnaire: str
    variable: str


@dataclass(frozen=True)
class QuestionDef:
    section_key: str
    position: int
    number: str
    variable: str
    kind: QuestionKind
    text: str
    label: str
    help_text: str
    required: bool
    parent: str | None
    show_if: dict[str, Any] | None
    options: tuple[Choice, ...]
    rows: tuple[Choice, ...]
    escape_label: str
    min_value: Decimal | None
    max_value: Decimal | None
    unit: str
    max_length: int | None
    national_figure: str
    reference_period: str
    reference_text: str
    reconstructed: bool
    source_note: str
    lineage_key: str
    comparability: str
    source_question: SourceRef | None
    # Declared plausibility checks (surveys/plausibility.py): the count is of
    # persons in the organisation's population; the percentage question that
    # gives the same figure as a share.
    counts_population: bool = False
    percentage_question: str | None = None
    # Footnotes the file declares, printed under every table and chart of the
    # question (the loader adds the comparability notes, surveys/footnotes.py).
    footnotes: tuple[str, ...] = ()
    # Of whom the shares are (`base: answered | frame`, reports/bases.py).
    base_convention: str = "answered"


@dataclass(frozen=True)
class SectionDef:
    key: str
    position: int
    title: str
    intro: str


@dataclass(frozen=True)
class QuestionnaireDef:
    file: str
    key: str
    audience: OrganisationKind
    supplementary: bool
    title: str
    intro: str
    version: int
    opens_on: datetime.date
    closes_on: datetime.date
    sections: tuple[SectionDef, ...]
    questions: tuple[QuestionDef, ...]
    content_hash: str

    def content_of(self, question: QuestionDef) -> QuestionContent:
        """What the revision compares. An RSS count's alternatives are its kommun
        question's (another file): they are compared there, not here."""
        if question.source_question is not None:
            return QuestionContent(kind=question.kind.value, text=question.text)
        return QuestionContent(
            kind=question.kind.value,
            text=question.text,
            options=tuple((o.code, o.label) for o in question.options),
            rows=tuple((r.code, r.label) for r in question.rows),
        )

    def question(self, variable: str) -> QuestionDef | None:
        for question in self.questions:
            if question.variable == variable:
                return question
        return None


@dataclass(frozen=True)
class CycleDef:
    file: str
    year: int
    name: str
    reference_period: str
    description: str
    questionnaires: tuple[QuestionnaireDef, ...] = field(default=())

    def questionnaire(self, key: str) -> QuestionnaireDef | None:
        for questionnaire in self.questionnaires:
            if questionnaire.key == key:
                return questionnaire
        return None


@dataclass(frozen=True)
class PreviousQuestion:
    """What the lineage check needs to know of a question in an earlier cycle."""

    year: int
    questionnaire_key: str
    lineage_key: str
    kind: str
    variable: str
    # Text, options and rows, for the automatic footnote of a change the file
    # did not declare (surveys/definitions/footnotes.py); None when not read.
    content: QuestionContent | None = None


class Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, question: str, message: str) -> None:
        self.problems.append(Problem(self.file, question, message))
