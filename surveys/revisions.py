"""What changed in a questionnaire since the previous cycle: questions added,
removed, reworded, re-optioned, matched by lineage key.

One rule for every reader of revision facts: the kvalitetsdeklaration's list of
changes, the revision report of a new cycle and the year-over-year tables all
compare versions here, so they never disagree about what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from surveys.models import Comparability, Question, Questionnaire


@dataclass(frozen=True)
class QuestionRef:
    number: str
    variable: str
    label: str


@dataclass(frozen=True)
class ChangedQuestion:
    number: str
    previous_number: str
    variable: str
    label: str
    changes: tuple[str, ...]  # "frågetext", "svarsalternativ", "delfrågor", "frågetyp"
    comparability: str  # as declared in the definition file, in words
    declared_same: bool  # declared unchanged although it changed: to be reviewed


@dataclass(frozen=True)
class Revision:
    """Questions added, changed and removed against the latest earlier cycle's
    questionnaire with the same key, matched by lineage key."""

    previous_year: int | None  # None: no earlier version to compare with
    added: tuple[QuestionRef, ...] = ()
    changed: tuple[ChangedQuestion, ...] = ()
    removed: tuple[QuestionRef, ...] = ()


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _changes(question: Question, previous: Question) -> tuple[str, ...]:
    changes = []
    if _normalised(question.text) != _normalised(previous.text):
        changes.append("frågetext")
    options = [(o.code, _normalised(o.label)) for o in question.options.all()]
    previous_options = [(o.code, _normalised(o.label)) for o in previous.options.all()]
    if options != previous_options:
        changes.append("svarsalternativ")
    rows = [(r.code, _normalised(r.label)) for r in question.rows.all()]
    previous_rows = [(r.code, _normalised(r.label)) for r in previous.rows.all()]
    if rows != previous_rows:
        changes.append("delfrågor")
    if question.kind != previous.kind:
        changes.append("frågetyp")
    return tuple(changes)


def _ref(question: Question) -> QuestionRef:
    return QuestionRef(question.number, question.variable, question.label)


def revision(
    questions: Iterable[Question], previous: Iterable[Question], previous_year: int
) -> Revision:
    """Compare two versions of a questionnaire by lineage key. Questions come with
    options and rows prefetched, in position order."""
    current = {q.lineage_key: q for q in questions}
    earlier = {q.lineage_key: q for q in previous}
    changed = []
    for key, question in current.items():
        if key not in earlier:
            continue
        changes = _changes(question, earlier[key])
        if changes:
            changed.append(
                ChangedQuestion(
                    number=question.number,
                    previous_number=earlier[key].number,
                    variable=question.variable,
                    label=question.label,
                    changes=changes,
                    comparability=question.get_comparability_display(),
                    declared_same=question.comparability == Comparability.SAME,
                )
            )
    return Revision(
        previous_year=previous_year,
        added=tuple(_ref(q) for key, q in current.items() if key not in earlier),
        changed=tuple(changed),
        removed=tuple(_ref(q) for key, q in earlier.items() if key not in current),
    )


def revisions_of(questionnaires: Sequence[Questionnaire]) -> dict[int, Revision]:
    """Each questionnaire's revision (by pk) against the latest earlier cycle's
    questionnaire with the same key. Four queries, whatever the number of
    questionnaires or questions; `questionnaires` come with their cycle."""
    if not questionnaires:
        return {}
    earlier = previous_versions(questionnaires)  # by the later questionnaire's pk
    ids = list(earlier) + [previous.pk for previous in earlier.values()]
    by_questionnaire: dict[int, list[Question]] = {}
    if ids:
        for question in (
            Question.objects.filter(questionnaire_id__in=ids)
            .order_by("questionnaire_id", "position")
            .prefetch_related("options", "rows")
        ):
            by_questionnaire.setdefault(question.questionnaire_id, []).append(question)
    revisions = {}
    for questionnaire in questionnaires:
        previous = earlier.get(questionnaire.pk)
        if previous is None:
            revisions[questionnaire.pk] = Revision(previous_year=None)
            continue
        revisions[questionnaire.pk] = revision(
            by_questionnaire.get(questionnaire.pk, []),
            by_questionnaire.get(previous.pk, []),
            previous.cycle.year,
        )
    return revisions


def previous_versions(
    questionnaires: Sequence[Questionnaire],
) -> dict[int, Questionnaire]:
    """Each questionnaire's previous version (by pk, with its cycle): the latest
    earlier cycle's questionnaire with the same key. Questionnaires without one
    are left out. One query; `questionnaires` come with their cycle."""
    if not questionnaires:
        return {}
    latest_year = max(q.cycle.year for q in questionnaires)
    candidates: dict[str, list[Questionnaire]] = {}
    for candidate in (
        Questionnaire.objects.filter(
            key__in=[q.key for q in questionnaires], cycle__year__lt=latest_year
        )
        .select_related("cycle")
        .order_by("key", "-cycle__year")
    ):
        candidates.setdefault(candidate.key, []).append(candidate)
    earlier: dict[int, Questionnaire] = {}
    for questionnaire in questionnaires:
        for candidate in candidates.get(questionnaire.key, []):
            if candidate.cycle.year < questionnaire.cycle.year:
                earlier[questionnaire.pk] = candidate
                break
    return earlier
