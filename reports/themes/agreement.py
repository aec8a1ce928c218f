"""Agreement between two coders of the same free-text question: Cohen's κ and the
percent agreement per theme, and the answers where they differ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reports.themes.models import Coding, Theme, ThemeScheme
from reports.themes.selectors import answered_text, themes_in_use
from surveys.models import Organisation, User


def cohen_kappa(pairs: Sequence[tuple[bool, bool]]) -> float | None:
    """Cohen's κ for two coders' yes/no decisions on the same items.

        κ = (p_o − p_e) / (1 − p_e)
        p_o = share of items where the coders agree
        p_e = p_A · p_B + (1 − p_A) · (1 − p_B)

    where p_A and p_B are the shares of items each coder said yes to (the
    agreement expected by chance). None when κ is undefined: no items, or p_e = 1
    (both coders gave every item the same single value, so there is nothing
    beyond chance to measure).
    """
    n = len(pairs)
    if n == 0:
        return None
    agree = sum(1 for a, b in pairs if a == b)
    p_a = sum(1 for a, _ in pairs if a) / n
    p_b = sum(1 for _, b in pairs if b) / n
    p_o = agree / n
    p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
    if p_e == 1:
        return None
    return (p_o - p_e) / (1 - p_e)


def percent_agreement(pairs: Sequence[tuple[bool, bool]]) -> float | None:
    """The share of items (0–100) where the two coders agree; None without items."""
    if not pairs:
        return None
    return 100 * sum(1 for a, b in pairs if a == b) / len(pairs)


@dataclass(frozen=True)
class ThemeAgreement:
    theme: Theme
    n: int
    both: int
    only_a: int
    only_b: int
    kappa: float | None
    percent: float | None


@dataclass(frozen=True)
class Disagreement:
    organisation: Organisation
    text: str
    only_a: list[Theme]
    only_b: list[Theme]


@dataclass(frozen=True)
class Agreement:
    coder_a: User
    coder_b: User
    n_both: int  # answers both coders have coded: the items κ is computed on
    themes: list[ThemeAgreement]
    disagreements: list[Disagreement]


def coder_agreement(scheme: ThemeScheme, coder_a: User, coder_b: User) -> Agreement:
    """κ per theme over the answers both coders have coded (four queries).

    The 2×2 table per theme is built in Python from the two codings of at most one
    answer per organisation: κ is not a SQL aggregate, and the rows are few."""
    themes = themes_in_use(scheme)
    answers = {
        a.response_id: a
        for a in answered_text(scheme.question).select_related("response__organisation")
    }
    tags: dict[int, dict[int, frozenset[int]]] = {coder_a.pk: {}, coder_b.pk: {}}
    for coding in Coding.objects.filter(
        scheme=scheme, coder__in=[coder_a, coder_b], response_id__in=list(answers)
    ).prefetch_related("themes"):
        # Removed themes are left out: they no longer count anywhere.
        tags[coding.coder_id][coding.response_id] = frozenset(
            t.pk for t in coding.themes.all() if t.removed_at is None
        )
    both = [r for r in answers if r in tags[coder_a.pk] and r in tags[coder_b.pk]]
    rows = []
    for theme in themes:
        pairs = [
            (theme.pk in tags[coder_a.pk][r], theme.pk in tags[coder_b.pk][r])
            for r in both
        ]
        rows.append(
            ThemeAgreement(
                theme=theme,
                n=len(pairs),
                both=sum(1 for a, b in pairs if a and b),
                only_a=sum(1 for a, b in pairs if a and not b),
                only_b=sum(1 for a, b in pairs if b and not a),
                kappa=cohen_kappa(pairs),
                percent=percent_agreement(pairs),
            )
        )
    disagreements = []
    for r in both:
        a_set, b_set = tags[coder_a.pk][r], tags[coder_b.pk][r]
        if a_set != b_set:
            disagreements.append(
                Disagreement(
                    organisation=answers[r].response.organisation,
                    text=answers[r].text,
                    only_a=[t for t in themes if t.pk in a_set - b_set],
                    only_b=[t for t in themes if t.pk in b_set - a_set],
                )
            )
    return Agreement(
        coder_a=coder_a,
        coder_b=coder_b,
        n_both=len(both),
        themes=rows,
        disagreements=disagreements,
    )
