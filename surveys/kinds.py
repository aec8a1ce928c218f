"""Question kinds, declared once with what each kind is (issue #14 point 3).

Every module that needs to know something about a kind asks the registry
(`facts(kind)`) or one of the sets derived from it below, instead of listing
kinds in a tuple of its own: adding a kind, or changing what one is, means
changing this module, and a kind missing from the registry fails at import.

Nothing here touches the database; `surveys.models` re-exports `QuestionKind`
so that existing imports keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", "Ja/Nej"
    YES_PARTLY_NO = "yes_partly_no", "Ja/Delvis/Nej"
    SINGLE_CHOICE = "single_choice", "Envalsfråga"
    MULTIPLE_CHOICE = "multiple_choice", "Flervalsfråga"
    MATRIX = "matrix", "Matris (rader × alternativ)"
    INTEGER = "integer", "Antal"
    PERCENTAGE = "percentage", "Andel (procent)"
    TEXT = "text", "Fritext"
    KOMMUN_COUNT = "kommun_count", "Antal kommuner per svarsalternativ"
    KOMMUN_TEXT_SUMMARY = "kommun_text_summary", "Sammanfattning av kommunernas fritext"


# Options that yes/no kinds get without listing them, and the matrix presets.
PRESET_OPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "yes_no": (("ja", "Ja"), ("nej", "Nej")),
    "yes_partly_no": (("ja", "Ja"), ("delvis", "Delvis"), ("nej", "Nej")),
}


@dataclass(frozen=True)
class KindFacts:
    """What one kind of question is; every flag is False unless the kind says so."""

    # One option code per answer (or, for a matrix, per row): yes/no, single choice.
    single_value: bool = False
    # Several option codes, each its own answer cell (slot = the option code).
    multiple: bool = False
    # Rows × options: one option code per row (slot = the row code).
    matrix: bool = False
    # A number, with an optional escape answer ("kan inte uppskattas").
    number: bool = False
    # A count: a whole number, at least 0 unless the file says otherwise.
    whole_number: bool = False
    # A share in percent: 0–100, at most two decimals, unit "%".
    percentage: bool = False
    # The respondent's own free text: what a kommun text summary summarises.
    free_text: bool = False
    # Answered by typing text in the web form (a free text or an RSS summary).
    typed_text: bool = False
    # An RSS question about its member kommuner's answers to a kommun question
    # (`source_question`); only in RSS questionnaires.
    rss_aggregate: bool = False
    # The number of member kommuner per alternative (per row and alternative),
    # computed from the kommuner's answers with its base slots (issue #4):
    # always counts as answered; the RSS only adjusts a count, with a reason.
    kommun_counts: bool = False
    # A summary of the kommuner's free-text answers, written by the RSS.
    text_summary: bool = False
    # Options the definition file lists itself, or the preset the kind implies.
    listed_options: bool = False
    preset_options: str | None = None
    # A kommun can answer it in the Excel copy of the questionnaire.
    in_workbook: bool = False

    @property
    def closed(self) -> bool:
        """Answers are option codes, so the kind tabulates as counts per alternative."""
        return self.single_value or self.multiple or self.matrix

    @property
    def one_alternative(self) -> bool:
        """One alternative per item (a matrix: per row), so an item's counts add
        up to its svarat; the ticks of a multiple choice may add up to more."""
        return self.single_value or self.matrix


KINDS: Mapping[QuestionKind, KindFacts] = {
    QuestionKind.YES_NO: KindFacts(
        single_value=True, preset_options="yes_no", in_workbook=True
    ),
    QuestionKind.YES_PARTLY_NO: KindFacts(
        single_value=True, preset_options="yes_partly_no", in_workbook=True
    ),
    QuestionKind.SINGLE_CHOICE: KindFacts(
        single_value=True, listed_options=True, in_workbook=True
    ),
    QuestionKind.MULTIPLE_CHOICE: KindFacts(
        multiple=True, listed_options=True, in_workbook=True
    ),
    QuestionKind.MATRIX: KindFacts(matrix=True, listed_options=True, in_workbook=True),
    QuestionKind.INTEGER: KindFacts(number=True, whole_number=True, in_workbook=True),
    QuestionKind.PERCENTAGE: KindFacts(number=True, percentage=True, in_workbook=True),
    QuestionKind.TEXT: KindFacts(free_text=True, typed_text=True, in_workbook=True),
    QuestionKind.KOMMUN_COUNT: KindFacts(rss_aggregate=True, kommun_counts=True),
    QuestionKind.KOMMUN_TEXT_SUMMARY: KindFacts(
        rss_aggregate=True, typed_text=True, text_summary=True
    ),
}
# Checked at import, so a kind added to the enum without its facts cannot run.
if set(KINDS) != set(QuestionKind):  # pragma: no cover - a programming error
    raise RuntimeError(f"surveys.kinds.KINDS saknar {set(QuestionKind) - set(KINDS)}")


# By the stored value: a member of QuestionKind (a str) hashes and compares as
# its value, so one lookup serves both, where QuestionKind(kind) cost a
# microsecond, some 400 times per save of a whole form (issue #20).
_BY_VALUE: dict[str, KindFacts] = {kind.value: f for kind, f in KINDS.items()}


def facts(kind: str) -> KindFacts:
    """The facts of a kind (a QuestionKind or its stored value)."""
    found = _BY_VALUE.get(kind)
    # An unknown kind raises ValueError, as QuestionKind(kind) does.
    return found if found is not None else KINDS[QuestionKind(kind)]


def kinds_where(test: Callable[[KindFacts], bool]) -> frozenset[QuestionKind]:
    return frozenset(kind for kind, kind_facts in KINDS.items() if test(kind_facts))


# The sets most callers need, derived from the registry (usable in `kind__in=`).
CLOSED_KINDS = kinds_where(lambda f: f.closed)
SINGLE_VALUE_KINDS = kinds_where(lambda f: f.single_value)
NUMBER_KINDS = kinds_where(lambda f: f.number)
# Two different questions once both called TEXT_KINDS: whose answer is the
# respondent's own free text, and which are answered in a text box.
FREE_TEXT_KINDS = kinds_where(lambda f: f.free_text)
TYPED_TEXT_KINDS = kinds_where(lambda f: f.typed_text)
RSS_AGGREGATE_KINDS = kinds_where(lambda f: f.rss_aggregate)
ONE_ALTERNATIVE_KINDS = kinds_where(lambda f: f.one_alternative)
LISTED_OPTION_KINDS = kinds_where(lambda f: f.listed_options)
WORKBOOK_KINDS = kinds_where(lambda f: f.in_workbook)
IMPLICIT_OPTION_KINDS: Mapping[QuestionKind, str] = {
    kind: kind_facts.preset_options
    for kind, kind_facts in KINDS.items()
    if kind_facts.preset_options is not None
}
