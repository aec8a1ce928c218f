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
"""

from __future__ import annotations

from collections.abc import Iterable

from surveys.definitions.records import PreviousQuestion, QuestionDef, QuestionnaireDef
from surveys.models.questionnaires import Comparability

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


def footnotes_of(question: QuestionDef, *, previous_year: int | None) -> list[str]:
    note = change_note(question.comparability, previous_year)
    return ([note] if note else []) + [
        declared for declared in question.footnotes if declared != note
    ]


def questionnaire_footnotes(
    questionnaire: QuestionnaireDef,
    *,
    year: int,
    previous: Iterable[PreviousQuestion],
) -> dict[str, list[str]]:
    """Each question's footnotes by variable; `previous` are the questions of
    every loaded or loading cycle (the loader's lineage check reads the same)."""
    latest: dict[str, int] = {}
    for earlier in previous:
        if earlier.questionnaire_key != questionnaire.key or earlier.year >= year:
            continue
        known = latest.get(earlier.lineage_key)
        if known is None or earlier.year > known:
            latest[earlier.lineage_key] = earlier.year
    return {
        question.variable: footnotes_of(
            question, previous_year=latest.get(question.lineage_key)
        )
        for question in questionnaire.questions
    }
