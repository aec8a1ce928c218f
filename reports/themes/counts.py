"""Counts per theme at riket, region and RSS level, tabulated like a closed
question: the base is the organisations that submitted a text answer ("15 av 21
regioner"), and only the fastställd coder's coding counts (docs/themes.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from reports.markers import LEGEND, NO_DATA

# The tabulation's one place that maps organisations onto a level (riket, region,
# RSS through the year's membership): reused rather than copied, so theme counts
# group exactly as the closed questions' tables do.
from reports.tabulation.groups import _group_expr, _groups, _per_group
from reports.tabulation.results import Group, Level, levels_for
from reports.themes.models import Theme, ThemeScheme
from reports.themes.selectors import answered_text, themes_in_use
from surveys.models import OrganisationKind, Question

# What the base counts, for "15 av 21 regioner".
UNIT = {
    OrganisationKind.REGION: "regioner",
    OrganisationKind.RSS: "RSS",
    OrganisationKind.KOMMUN: "kommuner",
}


@dataclass(frozen=True)
class ThemeRow:
    group: Group
    base: int  # organisations in the group that answered the text question
    counts: tuple[int, ...]  # per theme, in the order of `ThemeTable.themes`

    @property
    def answered(self) -> bool:
        return self.base > 0

    @property
    def cells(self) -> tuple[str, ...]:
        """Per theme "n av bas" for the pages; a group where nobody answered has no
        count to show, so its cells carry the no-data marker, not "0 av 0"."""
        if not self.answered:
            return (NO_DATA,) * len(self.counts)
        return tuple(f"{n} av {self.base}" for n in self.counts)

    @property
    def sheet_values(self) -> tuple[int | str, ...]:
        """Per theme the count as a number for the workbook, or the no-data marker."""
        if not self.answered:
            return (NO_DATA,) * len(self.counts)
        return self.counts


@dataclass(frozen=True)
class LevelTable:
    level: Level
    rows: list[ThemeRow]


@dataclass(frozen=True)
class ThemeTable:
    question: Question
    themes: list[Theme]
    unit: str
    agreed: bool  # a fastställd coder is chosen; without one there are no counts
    levels: list[LevelTable]

    @property
    def has_unanswered_group(self) -> bool:
        """Whether a table row shows the no-data marker (so its legend is needed)."""
        return self.agreed and any(
            not row.answered for level in self.levels for row in level.rows
        )

    @property
    def no_data_legend(self) -> str:
        """The legend's line for the no-data marker, as the report pages print it."""
        return next(f"{symbol} {text}" for symbol, text in LEGEND if symbol == NO_DATA)


def theme_counts(question: Question, scheme: ThemeScheme | None) -> ThemeTable:
    """Counts per theme and group, one SQL query per level (plus one for the
    themes and one for each level's groups): `Count(filter=…)` per theme over the
    answered texts, so the number of queries does not grow with answers or themes."""
    questionnaire = question.questionnaire
    themes = themes_in_use(scheme)
    agreed = scheme is not None and scheme.agreed_coder_id is not None
    aggregates = {"base": Count("response", distinct=True)}
    if scheme is not None and agreed:
        for theme in themes:
            aggregates[f"t{theme.pk}"] = Count(
                "response",
                distinct=True,
                filter=Q(
                    response__theme_codings__scheme=scheme,
                    response__theme_codings__coder_id=scheme.agreed_coder_id,
                    response__theme_codings__themes=theme,
                ),
            )
    levels = []
    for level in levels_for(questionnaire.audience):
        if level == Level.KOMMUN:
            continue  # one kommun's own coding is the export, not a table
        group_expr = _group_expr(questionnaire, level, "response__organisation__")
        found = {
            row["group"]: row
            for row in _per_group(
                answered_text(question).order_by(), group_expr, aggregates
            )
        }
        rows = []
        for group in _groups(questionnaire, level, within_rss=None):
            row = found.get(group.key, {})
            rows.append(
                ThemeRow(
                    group=group,
                    base=row.get("base") or 0,
                    counts=tuple(row.get(f"t{t.pk}") or 0 for t in themes),
                )
            )
        levels.append(LevelTable(level=level, rows=rows))
    return ThemeTable(
        question=question,
        themes=themes,
        unit=UNIT[OrganisationKind(questionnaire.audience)],
        agreed=agreed,
        levels=levels,
    )
