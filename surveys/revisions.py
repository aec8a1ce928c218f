"""What changed in a questionnaire since the previous cycle: questions added,
removed, reworded, re-optioned, matched by lineage key.

One rule for every reader of revision facts: the kvalitetsdeklaration's list of
changes, the revision report of a new cycle and the year-over-year tables all
compare versions here, so they never disagree about what changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
    # The two versions, for a reader to see what changed (the revision report);
    # not part of the identity of a change.
    before: QuestionContent | None = field(default=None, compare=False)
    after: QuestionContent | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Revision:
    """Questions added, changed and removed against the latest earlier cycle's
    questionnaire with the same key, matched by lineage key."""

    previous_year: int | None  # None: no earlier version to compare with
    added: tuple[QuestionRef, ...] = ()
    changed: tuple[ChangedQuestion, ...] = ()
    removed: tuple[QuestionRef, ...] = ()


# A year in running text: four digits that are not part of a longer number.
YEAR_RE = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2}|2100)(?![0-9])")


def shift_years(text: str, *, from_year: int, by: int) -> str:
    """Move the years a questionnaire of `from_year` counts from by `by` years:
    its own year, the year before and later ones. «under 2024», «än 2023» and
    «31 mars 2025» in a 2024 questionnaire become «under 2025», «än 2024» and
    «31 mars 2026» in its 2025 copy. Earlier years are fixed points («sedan ca
    2019») and stay."""
    if by == 0:
        return text

    def moved(match: re.Match[str]) -> str:
        year = int(match.group(0))
        return str(year + by) if year >= from_year - 1 else match.group(0)

    return YEAR_RE.sub(moved, text)


@dataclass(frozen=True)
class QuestionContent:
    """What of a question the revision compares: its kind, text, alternatives
    and sub-items (codes and labels, in order)."""

    kind: str
    text: str
    options: tuple[tuple[str, str], ...] = ()
    rows: tuple[tuple[str, str], ...] = ()


def _normalised(text: str) -> str:
    return " ".join(text.split())


def content_changes(
    current: QuestionContent,
    previous: QuestionContent,
    *,
    year: int,
    previous_year: int,
) -> tuple[str, ...]:
    """What changed: "frågetext", "svarsalternativ", "delfrågor", "frågetyp".

    The one comparison behind the revision report, the kvalitetsdeklaration and
    the automatic footnotes. Line breaks and spacing do not count, nor a year
    that follows the cycle (the earlier text with its years moved, as the copy
    of a cycle moves them, is compared with the later one)."""

    def same(now: str, before: str) -> bool:
        moved = shift_years(before, from_year=previous_year, by=year - previous_year)
        return _normalised(now) == _normalised(moved)

    def same_choices(
        now: tuple[tuple[str, str], ...], before: tuple[tuple[str, str], ...]
    ) -> bool:
        return len(now) == len(before) and all(
            code == earlier_code and same(label, earlier_label)
            for (code, label), (earlier_code, earlier_label) in zip(
                now, before, strict=True
            )
        )

    changes = []
    if not same(current.text, previous.text):
        changes.append("frågetext")
    if not same_choices(current.options, previous.options):
        changes.append("svarsalternativ")
    if not same_choices(current.rows, previous.rows):
        changes.append("delfrågor")
    if current.kind != previous.kind:
        changes.append("frågetyp")
    return tuple(changes)


WORDING_CHANGES = frozenset({"frågetext"})
OPTION_CHANGES = frozenset({"svarsalternativ", "delfrågor"})


def stored_content(question: Question) -> QuestionContent:
    """A stored question's content; options and rows prefetched."""
    return QuestionContent(
        kind=question.kind,
        text=question.text,
        options=tuple((o.code, o.label) for o in question.options.all()),
        rows=tuple((r.code, r.label) for r in question.rows.all()),
    )


def _ref(question: Question) -> QuestionRef:
    return QuestionRef(question.number, question.variable, question.label)


def revision(
    questions: Iterable[Question],
    previous: Iterable[Question],
    previous_year: int,
    *,
    year: int,
) -> Revision:
    """Compare two versions of a questionnaire by lineage key. Questions come with
    options and rows prefetched, in position order."""
    current = {q.lineage_key: q for q in questions}
    earlier = {q.lineage_key: q for q in previous}
    changed = []
    for key, question in current.items():
        if key not in earlier:
            continue
        after, before = stored_content(question), stored_content(earlier[key])
        changes = content_changes(after, before, year=year, previous_year=previous_year)
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
                    before=before,
                    after=after,
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
            year=questionnaire.cycle.year,
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
