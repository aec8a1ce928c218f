"""A question's footnotes as printed under its tables and charts (issue #16):
the comparability note the loader derives from `comparability`, then the
footnotes the file declares.

A wording or option change against the previous cycle is declared in the file
(`comparability: wording_changed | options_changed`, checked against the
lineage keys by surveys.definitions.validation); a published table of such a
question says so in a footnote, so the loader writes that footnote for it
instead of leaving it to the analyst. The year compared with is the latest
earlier cycle of the same questionnaire `key` that has the lineage key; when
no such cycle is loaded (the 2023 region survey is not in the repository), the
note says «föregående undersökning».

A change the file does not declare gets its note too (issue #19): when the
question's text, alternatives or sub-items differ from the previous cycle's
version with the same lineage key (surveys.revisions.content_changes, the rule
of the revision report) and `comparability` does not already say so, the
note for that change is added. So a copied cycle edited on the staff page, or a
file that keeps `comparability: same` after a rewording, still prints the
warning under its tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from surveys.definitions.records import PreviousQuestion, QuestionDef, QuestionnaireDef
from surveys.models.questionnaires import Comparability
from surveys.revisions import OPTION_CHANGES, WORDING_CHANGES, content_changes

CHANGE_NOTES = {
    Comparability.WORDING_CHANGED: "Frågans formulering har ändrats jämfört med {}.",
    Comparability.OPTIONS_CHANGED: "Svarsalternativen har ändrats jämfört med {}.",
}
COMPARE_WITH_CARE = "Jämför med tidigare resultat med försiktighet."
UNKNOWN_PREVIOUS = "föregående undersökning"


def change_note(comparability: str, previous_year: int | None) -> str:
    """The automatic footnote of a question changed since the previous cycle;
    empty for a new or an unchanged question."""
    template = CHANGE_NOTES.get(Comparability(comparability))
    if template is None:
        return ""
    when = str(previous_year) if previous_year is not None else UNKNOWN_PREVIOUS
    return f"{template.format(when)} {COMPARE_WITH_CARE}"


# Any note `change_note` writes, whatever the year: what a stored question's
# footnotes hold besides the file's own (surveys.stored_definitions).
_CHANGE_NOTE_RE = re.compile(
    "^(?:"
    + "|".join(
        re.escape(template).replace(
            re.escape("{}"), "(?:[0-9]{4}|" + UNKNOWN_PREVIOUS + ")"
        )
        for template in CHANGE_NOTES.values()
    )
    + ") "
    + re.escape(COMPARE_WITH_CARE)
    + "$"
)


def is_change_note(note: str) -> bool:
    return bool(_CHANGE_NOTE_RE.match(note))


def footnotes_of(
    question: QuestionDef,
    *,
    previous_year: int | None,
    changes: Iterable[str] = (),
) -> list[str]:
    """The declared comparability's note, then a note for each kind of change
    `changes` found that it does not declare, then the file's own footnotes."""
    changed = set(changes)
    declared = Comparability(question.comparability)
    kinds = [declared] if declared in CHANGE_NOTES else []
    if changed & WORDING_CHANGES and declared != Comparability.WORDING_CHANGED:
        kinds.append(Comparability.WORDING_CHANGED)
    if changed & OPTION_CHANGES and declared != Comparability.OPTIONS_CHANGED:
        kinds.append(Comparability.OPTIONS_CHANGED)
    notes = [change_note(kind, previous_year) for kind in kinds]
    return notes + [note for note in question.footnotes if note not in notes]


# What surveys/revisions.py finds changed, in the words of the notes above: the
# year-over-year tables (reports/tabulation/comparison.py) say what changed
# whether or not the file declared it.
REVISION_NOTES = {
    "frågetext": CHANGE_NOTES[Comparability.WORDING_CHANGED],
    "svarsalternativ": CHANGE_NOTES[Comparability.OPTIONS_CHANGED],
    "delfrågor": "Delfrågorna har ändrats jämfört med {}.",
    "frågetyp": "Frågetypen har ändrats jämfört med {}.",
}


def revision_note(changes: Iterable[str], previous_year: int) -> str:
    """The footnote of a question whose wording, options, rows or kind changed
    since `previous_year` (surveys.revisions.ChangedQuestion.changes); empty
    when nothing changed."""
    sentences = [REVISION_NOTES[change].format(previous_year) for change in changes]
    if not sentences:
        return ""
    return " ".join([*sentences, COMPARE_WITH_CARE])


def questionnaire_footnotes(
    questionnaire: QuestionnaireDef,
    *,
    year: int,
    previous: Iterable[PreviousQuestion],
) -> dict[str, list[str]]:
    """Each question's footnotes by variable; `previous` are the questions of
    every loaded or loading cycle (the loader's lineage check reads the same)."""
    latest: dict[str, PreviousQuestion] = {}
    for earlier in previous:
        if earlier.questionnaire_key != questionnaire.key or earlier.year >= year:
            continue
        known = latest.get(earlier.lineage_key)
        if known is None or earlier.year > known.year:
            latest[earlier.lineage_key] = earlier
    footnotes = {}
    for question in questionnaire.questions:
        match = latest.get(question.lineage_key)
        changes: tuple[str, ...] = ()
        if match is not None and match.content is not None:
            changes = content_changes(
                questionnaire.content_of(question),
                match.content,
                year=year,
                previous_year=match.year,
            )
        footnotes[question.variable] = footnotes_of(
            question,
            previous_year=match.year if match is not None else None,
            changes=changes,
        )
    return footnotes
