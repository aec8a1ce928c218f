"""Of whom a closed question's shares are: the base convention its file declares
(`base:`, docs/questionnaire-format.md; issue #16 point 4).

- **answered** (the default): of those who answered the item, the base of
  reports.tabulation.counts. Who did not answer is counted in the notes.
- **frame**: of the whole frame that got the question: every expected
  respondent of the group (the roster) except those to whom the question was
  not shown (a follow-up whose condition does not hold for their answers), with
  «Inte lämnat svar» as a category of its own: item nonresponse and the
  organisations that did not respond at all. For an RSS count, the frame is the
  member kommuner of the RSS that answered, and «Inte lämnat svar» their
  kommuner that did not answer.

Every table and chart states its convention under it, and the table workbook's
and the chart zip's manifests record it per question (`conventions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from reports.tabulation.results import ItemCounts, QuestionRef
from surveys.models import BaseConvention

NO_ANSWER_LABEL = "Inte lämnat svar"
NO_ANSWER_CODE = "_inte_lamnat_svar"  # never an option code (those start a-z0-9)


def of_frame(ref: QuestionRef) -> bool:
    return ref.base_convention == BaseConvention.FRAME and bool(ref.options)


def shares_base(ref: QuestionRef, counts: ItemCounts) -> int:
    """The denominator of the item's shares in this group."""
    if not of_frame(ref):
        return counts.base
    return max(counts.frame - counts.not_applicable, counts.base + counts.not_answered)


def without_answer(ref: QuestionRef, counts: ItemCounts) -> int:
    """«Inte lämnat svar» under the frame convention: got the question, no answer."""
    return shares_base(ref, counts) - counts.base - counts.escaped


def count(ref: QuestionRef, counts: ItemCounts, code: str) -> int:
    """An option's count, or «Inte lämnat svar»'s."""
    if code == NO_ANSWER_CODE:
        return without_answer(ref, counts)
    return counts.count(code)


def share(ref: QuestionRef, counts: ItemCounts, code: str) -> Fraction | None:
    base = shares_base(ref, counts)
    return Fraction(count(ref, counts, code), base) if base else None


def categories(ref: QuestionRef) -> list[tuple[str, str]]:
    """(code, label) of the columns or bars: the options, and «Inte lämnat svar»
    last under the frame convention."""
    options = [(o.code, o.label) for o in ref.options]
    return options + [(NO_ANSWER_CODE, NO_ANSWER_LABEL)] if of_frame(ref) else options


def convention_note(units: str) -> str:
    """The sentence under a table or chart whose shares are of the frame."""
    return (
        f"Andelarna är beräknade på hela ramen (alla {units} som fick frågan); "
        f"de som inte har svarat redovisas som «{NO_ANSWER_LABEL}»."
    )


def conventions(refs: Iterable[QuestionRef]) -> dict[str, str]:
    """Per question number, the convention of its shares, for a manifest."""
    return {
        ref.number: "hela ramen" if of_frame(ref) else "de som har svarat"
        for ref in refs
        if ref.options
    }
