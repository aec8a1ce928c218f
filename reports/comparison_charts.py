"""Year-over-year charts (issue #19 point 2): the bars of a question's charts
(reports/chart_layouts.py) with one series per year, as plain models for the
report page, the workbook's native Excel charts and the PNGs
(reports/year_charts.py).

- At riket: per item (matrix row) one chart, per alternative one bar per year,
  the share of that year's base; a number: its figure (sum or mean) per year.
- At a level of groups: per item and shown alternative («Ja», or each option of
  a multiple choice) one chart, per group one bar per year; a number: the
  group's figure per year.

Titles and the order follow reports/chart_layouts.py: «Andel …», largest first
by this year's value (equal values keep the questionnaire's or register's
order; categories this year lacks come last). The base of each year is stated
under the chart, then the change note or the mark of a new question and the
question's footnotes (reports/comparison_layouts.py `change_notes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from reports.bases import categories, of_frame, share, shares_base
from reports.chart_layouts import (
    GROUP_NOUNS,
    GROUP_PLURALS,
    MISSING_NAMED,
    ValueKind,
    share_title,
)
from reports.comparison_layouts import change_notes
from reports.layouts import number_text, units_of
from reports.tabulation.comparison import Comparison, QuestionComparison
from reports.tabulation.kinds import tabulation
from reports.tabulation.results import Item, ItemCounts, Level, QuestionRef
from surveys.formatting import round_half_up, swedish_number, swedish_percent


@dataclass(frozen=True)
class YearBar:
    year: int
    value: Fraction | None  # None: no figure that year (no bar)
    text: str  # as printed beside the bar; «..» without a figure


@dataclass(frozen=True)
class YearRow:
    label: str
    bars: tuple[YearBar, ...]  # one per year, earliest first


@dataclass(frozen=True)
class YearChart:
    title: str
    years: tuple[int, ...]
    rows: tuple[YearRow, ...]
    maximum: Fraction  # the value a full-width bar stands for
    base_note: str
    value_format: ValueKind = "percent"
    category_title: str = "Svarsalternativ"
    footnotes: tuple[str, ...] = ()

    @property
    def scaled(self) -> tuple[tuple[YearRow, tuple[tuple[YearBar, str], ...]], ...]:
        """Each row with each bar's width in per cent of the full width."""
        return tuple(
            (
                row,
                tuple(
                    (
                        bar,
                        f"{min(max(float(bar.value / self.maximum * 100), 0), 100):.1f}"
                        if bar.value is not None
                        else "0",
                    )
                    for bar in row.bars
                ),
            )
            for row in self.rows
        )

    @property
    def has_bars(self) -> bool:
        return any(bar.value is not None for row in self.rows for bar in row.bars)


NO_FIGURE = ".."


def _percent(year: int, part: Fraction | None) -> YearBar:
    if part is None:
        return YearBar(year, None, NO_FIGURE)
    return YearBar(year, part * 100, swedish_percent(round_half_up(part * 100)))


def _figure(year: int, ref: QuestionRef, counts: ItemCounts | None) -> YearBar:
    value = counts.figure(ref.national_figure) if counts is not None else None
    if value is None:
        return YearBar(year, None, NO_FIGURE)
    return YearBar(year, value, number_text(ref, value, riket=True))


def _item(question: QuestionComparison, item: Item, previous: bool) -> Item | None:
    tabulated = question.previous if previous else question.current
    if tabulated is None:
        return None
    code = item.row.code if item.row else None
    return next(
        (i for i in tabulated.items if (i.row.code if i.row else None) == code), None
    )


def _sorted(rows: list[YearRow]) -> tuple[YearRow, ...]:
    """Largest first by this year's (the last) value; stable; without last.
    Rows without a figure in any year are left out (`_without_figures`)."""
    rows = [row for row in rows if any(bar.value is not None for bar in row.bars)]
    return tuple(
        sorted(
            rows,
            key=lambda row: (
                row.bars[-1].value is None,
                -(row.bars[-1].value or 0),
            ),
        )
    )


def _without_figures(rows: Sequence[YearRow], plural: str) -> str:
    """The groups without a figure in any year, which have no bar: named when
    few, counted when many (as reports/chart_layouts.py `group_chart`)."""
    missing = [row.label for row in rows if all(bar.value is None for bar in row.bars)]
    if not missing:
        return ""
    listed = (
        ", ".join(missing)
        if len(missing) <= MISSING_NAMED
        else (f"{len(missing)} {plural}")
    )
    return f" {NO_FIGURE} (uppgift saknas alla år, ingen stapel): {listed}."


def _base_note(
    per_year: Sequence[tuple[int, Item | None]], ref: QuestionRef, units: str
) -> str:
    parts = []
    for year, item in per_year:
        if item is None:
            parts.append(f"{year}: frågan ställdes inte")
            continue
        total = sum(shares_base(ref, c) if c.base else 0 for c in item.by_group)
        based = "som fick frågan" if of_frame(ref) else "som har svarat"
        if ref.is_number:
            based = "som har angett ett värde"
        parts.append(f"{year}: {swedish_number(total)} {units} {based}")
    return "Bas: " + "; ".join(parts) + "."


def comparison_charts(
    comparison: Comparison, question: QuestionComparison, *, audience: str
) -> list[YearChart]:
    """The year-over-year charts of one question (module docstring)."""
    ref = question.current.question
    if not (ref.is_closed or ref.is_number or ref.is_kommun_count):
        return []
    years = comparison.years if not question.is_new else (comparison.year,)
    previous_ref = question.previous.question if question.previous else None
    refs = {comparison.year: ref}
    if previous_ref is not None and comparison.previous_year is not None:
        refs[comparison.previous_year] = previous_ref
    notes = tuple(
        change_notes(
            question, year=comparison.year, previous_year=comparison.previous_year
        )
    )
    units = units_of(audience, ref)[1]
    level = comparison.current.level
    noun = GROUP_NOUNS.get(level, "grupp")
    plural = GROUP_PLURALS.get(level, "grupper")
    span = f", {' och '.join(str(y) for y in years)}"
    charts = []
    for item in question.current.items:
        per_year = [
            (year, _item(question, item, previous=year != comparison.year))
            for year in years
        ]
        row_label = f" – {item.row.label}" if item.row else ""
        base_note = _base_note(per_year, ref, units)
        if level == Level.RIKET:
            if ref.is_number:
                rows = [
                    YearRow(
                        "Riket",
                        tuple(
                            _figure(y, ref, i.by_group[0] if i else None)
                            for y, i in per_year
                        ),
                    )
                ]
                measure = "summa" if ref.national_figure == "sum" else "medelvärde"
                charts.append(
                    _number_chart(
                        f"{ref.label}{row_label}: {measure}{span}",
                        years,
                        rows,
                        ref,
                        base_note,
                        notes,
                        "",
                    )
                )
                continue
            labels: dict[str, str] = {}
            for year in reversed(years):
                for code, label in categories(refs[year]):
                    labels.setdefault(code, label)
            rows = [
                YearRow(
                    label,
                    tuple(
                        _percent(
                            y,
                            share(refs[y], i.by_group[0], code)
                            if i is not None and code in dict(categories(refs[y]))
                            else None,
                        )
                        for y, i in per_year
                    ),
                )
                for code, label in labels.items()
            ]
            charts.append(
                YearChart(
                    title=f"{share_title(ref, audience)}{row_label}{span}",
                    years=years,
                    rows=_sorted(rows),
                    maximum=Fraction(100),
                    base_note=base_note,
                    footnotes=notes,
                )
            )
            continue
        by_year = {
            y: {c.group.key: c for c in i.by_group} if i else {} for y, i in per_year
        }
        groups = question.current.items[0].by_group
        if ref.is_number:
            rows = [
                YearRow(
                    g.group.short_name,
                    tuple(_figure(y, ref, by_year[y].get(g.group.key)) for y in years),
                )
                for g in groups
            ]
            measure = "summa" if ref.national_figure == "sum" else "medelvärde"
            charts.append(
                _number_chart(
                    f"{ref.label}{row_label}: {measure} per {noun}{span}",
                    years,
                    rows,
                    ref,
                    base_note + _without_figures(rows, plural),
                    notes,
                    noun.capitalize() if noun.islower() else noun,
                )
            )
            continue
        shown = (
            [(o.code, o.label) for o in ref.options]
            if tabulation(ref.kind).ticks
            else [categories(ref)[0]]
            if ref.options
            else []
        )
        verb = tabulation(ref.kind).chosen_verb
        for code, chosen in shown:
            rows = []
            for g in groups:
                bars = []
                for y in years:
                    own = by_year[y].get(g.group.key)
                    part = (
                        share(refs[y], own, code)
                        if own is not None
                        and own.base
                        and code in dict(categories(refs[y]))
                        else None
                    )
                    bars.append(_percent(y, part))
                rows.append(YearRow(g.group.short_name, tuple(bars)))
            charts.append(
                YearChart(
                    title=(
                        f"{share_title(ref, audience)}{row_label}: {verb} "
                        f"«{chosen}», per {noun}{span}"
                    ),
                    years=years,
                    rows=_sorted(rows),
                    maximum=Fraction(100),
                    base_note=base_note + _without_figures(rows, plural),
                    category_title=noun.capitalize() if noun.islower() else noun,
                    footnotes=notes,
                )
            )
    return charts


def _number_chart(
    title: str,
    years: tuple[int, ...],
    rows: list[YearRow],
    ref: QuestionRef,
    base_note: str,
    notes: tuple[str, ...],
    category_title: str,
) -> YearChart:
    values = [b.value for r in rows for b in r.bars if b.value is not None]
    maximum = max(values, default=Fraction(1)) or Fraction(1)
    return YearChart(
        title=title,
        years=years,
        rows=_sorted(rows),
        maximum=maximum,
        base_note=base_note,
        value_format="percent" if tabulation(ref.kind).in_percent else "count",
        category_title=category_title or "Riket",
        footnotes=notes,
    )
