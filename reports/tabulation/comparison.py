"""Year over year (issue #19 point 2): a questionnaire's tables beside its
previous version's, question by question.

The previous version is the latest earlier cycle's questionnaire with the same
key (`surveys.revisions.previous_versions`); a question's predecessor is the
question in it with the same lineage key. What changed between the two (the
wording, the options, the rows, the kind) is decided by `surveys.revisions`,
the one comparison the kvalitetsdeklaration also uses; a question without a
predecessor is new.

Both years are tabulated by `reports.tabulation.counts.tabulate` at the same
level with the same selection, so each year's counts, shares and bases follow
the same definitions as its own tables. Queries: one for the previous version,
three for both versions' questions, and two tabulations (each a fixed number;
the earlier one only when some question is linked); none per question or
respondent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from reports.tabulation.counts import tabulate
from reports.tabulation.results import (
    Level,
    QuestionTabulation,
    Selection,
    Tabulation,
    levels_for,
)
from surveys.models import Organisation, Question, Questionnaire
from surveys.revisions import previous_versions, revision


@dataclass(frozen=True)
class QuestionComparison:
    current: QuestionTabulation
    # The predecessor's tabulation; None for a new question (no predecessor).
    previous: QuestionTabulation | None
    # What changed since the predecessor ("frågetext", "svarsalternativ",
    # "delfrågor", "frågetyp"; surveys.revisions); empty when unchanged or new.
    changes: tuple[str, ...] = ()

    @property
    def is_new(self) -> bool:
        return self.previous is None


@dataclass(frozen=True)
class Comparison:
    current: Tabulation
    # The previous version tabulated; None when the questionnaire has none
    # (or it lacks the level), and then every question is without predecessor.
    previous: Tabulation | None
    questions: tuple[QuestionComparison, ...]
    # The previous version's year, also when none of its questions is linked
    # (then it is not tabulated, and every question is new).
    earlier_year: int | None = None

    @property
    def year(self) -> int:
        return self.current.year

    @property
    def previous_year(self) -> int | None:
        return self.previous.year if self.previous else self.earlier_year

    @property
    def linked(self) -> bool:
        """Some question has a predecessor: there is something to compare."""
        return any(not q.is_new for q in self.questions)

    @property
    def years(self) -> tuple[int, ...]:
        """The years side by side, earliest first."""
        if self.previous is None:
            return (self.current.year,)
        return (self.previous.year, self.current.year)


def previous_version(questionnaire: Questionnaire) -> Questionnaire | None:
    """The questionnaire the year-over-year tables compare with."""
    return previous_versions([questionnaire]).get(questionnaire.pk)


def compare(
    questionnaire: Questionnaire,
    *,
    level: Level = Level.RIKET,
    within_rss: Organisation | None = None,
    variables: Collection[str] | None = None,
    selection: Selection = Selection.SUBMITTED,
    previous: Questionnaire | None = None,
    current: Tabulation | None = None,
) -> Comparison:
    """Every question of `questionnaire` (or those in `variables`) tabulated at
    `level`, beside its predecessor tabulated at the same level. `previous`
    spares the look-up when the caller has it (`previous_version`), `current`
    the tabulation of this year (the same level, questions and selection)."""
    if previous is None:
        previous = previous_version(questionnaire)
    if current is None:
        current = tabulate(
            questionnaire,
            level=level,
            within_rss=within_rss,
            variables=variables,
            selection=selection,
        )
    if previous is None or level not in levels_for(previous.audience):
        return Comparison(
            current=current,
            previous=None,
            questions=tuple(QuestionComparison(q, None) for q in current.questions),
        )
    by_questionnaire: dict[int, list[Question]] = {
        questionnaire.pk: [],
        previous.pk: [],
    }
    for question in (
        Question.objects.filter(questionnaire_id__in=[questionnaire.pk, previous.pk])
        .order_by("position")
        .prefetch_related("options", "rows")
    ):
        by_questionnaire[question.questionnaire_id].append(question)
    earlier = {q.lineage_key: q for q in by_questionnaire[previous.pk]}
    shown = {q.question.variable for q in current.questions}
    # The current question's variable -> its predecessor's.
    predecessor = {
        q.variable: earlier[q.lineage_key].variable
        for q in by_questionnaire[questionnaire.pk]
        if q.lineage_key in earlier and q.variable in shown
    }
    changed = revision(
        by_questionnaire[questionnaire.pk],
        by_questionnaire[previous.pk],
        previous.cycle.year,
        year=questionnaire.cycle.year,
    ).changed
    changes = {c.variable: c.changes for c in changed}
    if not predecessor:
        return Comparison(
            current=current,
            previous=None,
            questions=tuple(QuestionComparison(q, None) for q in current.questions),
            earlier_year=previous.cycle.year,
        )
    before = tabulate(
        previous,
        level=level,
        within_rss=within_rss,
        variables=set(predecessor.values()),
        selection=selection,
    )
    return Comparison(
        current=current,
        previous=before,
        questions=tuple(
            QuestionComparison(
                current=q,
                previous=(
                    before.question(predecessor[q.question.variable])
                    if q.question.variable in predecessor
                    else None
                ),
                changes=changes.get(q.question.variable, ()),
            )
            for q in current.questions
        ),
        earlier_year=previous.cycle.year,
    )
