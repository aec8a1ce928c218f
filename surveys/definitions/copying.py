"""A cycle's definitions carried over to the next year (issue #19): the same
questionnaires with the same lineage keys, one year on.

Pure: surveys.services.next_cycle reads the stored cycle, copies it here and
writes the copy through the loader, so the copy is exactly what its files load
as.

What moves: the opening and closing dates (one year), and in the texts the
cycle's year, the year before and later ones («under 2024» → «under 2025», «än
2023» → «än 2024»; the rule the revision report compares by,
surveys.revisions.shift_years). What is reset: the
definition's version (1), `comparability` (`same`: every question existed the
year before; an edit derives it again), and the footnotes the files declared
(they speak of the year's answers; the previous cycle keeps them). The cycle's
description tells what happened in the year and is left for staff to write.
"""

from __future__ import annotations

import dataclasses
import datetime

from surveys.definitions.records import Choice, CycleDef, QuestionDef, QuestionnaireDef
from surveys.models.questionnaires import Comparability
from surveys.revisions import shift_years


def next_year_date(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def copied_questionnaire(
    questionnaire: QuestionnaireDef, *, from_year: int
) -> QuestionnaireDef:
    def moved(text: str) -> str:
        return shift_years(text, from_year=from_year, by=1)

    def choices(items: tuple[Choice, ...]) -> tuple[Choice, ...]:
        return tuple(dataclasses.replace(c, label=moved(c.label)) for c in items)

    def question(q: QuestionDef) -> QuestionDef:
        return dataclasses.replace(
            q,
            text=moved(q.text),
            label=moved(q.label),
            help_text=moved(q.help_text),
            reference_text=moved(q.reference_text),
            options=choices(q.options),
            rows=choices(q.rows),
            comparability=Comparability.SAME.value,
            footnotes=(),
        )

    return dataclasses.replace(
        questionnaire,
        file=f"questionnaires/{from_year + 1}/{questionnaire.key}.yaml",
        title=moved(questionnaire.title),
        intro=moved(questionnaire.intro),
        version=1,
        opens_on=next_year_date(questionnaire.opens_on),
        closes_on=next_year_date(questionnaire.closes_on),
        sections=tuple(
            dataclasses.replace(s, title=moved(s.title), intro=moved(s.intro))
            for s in questionnaire.sections
        ),
        questions=tuple(question(q) for q in questionnaire.questions),
        content_hash="",
    )


def copied_cycle(cycle: CycleDef) -> CycleDef:
    year = cycle.year + 1

    def moved(text: str) -> str:
        return shift_years(text, from_year=cycle.year, by=1)

    return CycleDef(
        file=f"questionnaires/{year}/cycle.yaml",
        year=year,
        name=moved(cycle.name),
        reference_period=moved(cycle.reference_period),
        description="",
        questionnaires=tuple(
            copied_questionnaire(q, from_year=cycle.year) for q in cycle.questionnaires
        ),
    )
