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


@dataclass(frozen=True)
class _Question:
    """What every chart of one question shares."""

    ref: QuestionRef
    audience: str
    years: tuple[int, ...]
    refs: dict[int, QuestionRef]  # each year's question
    notes: tuple[str, ...]
    level: Level

    @property
    def units(self) -> str:
        return units_of(self.audience, self.ref)[1]

    @property
    def noun(self) -> str:
        return GROUP_NOUNS.get(self.level, "grupp")

    @property
    def category_title(self) -> str:
        noun = self.noun
        return noun.capitalize() if noun.islower() else noun

    @property
    def span(self) -> str:
        return f", {' och '.join(str(y) for y in self.years)}"

    @property
    def measure(self) -> str:
        return "summa" if self.ref.national_figure == "sum" else "medelvärde"

    def has(self, year: int, code: str) -> bool:
        """The alternative was asked that year."""
        return code in dict(categories(self.refs[year]))


def comparison_charts(
    comparison: Comparison, question: QuestionComparison, *, audience: str
) -> list[YearChart]:
    """The year-over-year charts of one question (module docstring)."""
    ref = question.current.question
    if not (ref.is_closed or ref.is_number or ref.is_kommun_count):
        return []
    refs = {comparison.year: ref}
    if question.previous is not None and comparison.previous_year is not None:
        refs[comparison.previous_year] = question.previous.question
    shared = _Question(
        ref=ref,
        audience=audience,
        years=comparison.years if not question.is_new else (comparison.year,),
        refs=refs,
        notes=tuple(
            change_notes(
                question, year=comparison.year, previous_year=comparison.previous_year
            )
        ),
        level=comparison.current.level,
    )
    charts = []
    for item in question.current.items:
        per_year = [
            (year, _item(question, item, previous=year != comparison.year))
            for year in shared.years
        ]
        row_label = f" – {item.row.label}" if item.row else ""
        base_note = _base_note(per_year, ref, shared.units)
        if shared.level == Level.RIKET and ref.is_number:
            charts.append(_riket_number(shared, per_year, row_label, base_note))
        elif shared.level == Level.RIKET:
            charts.append(_riket_alternatives(shared, per_year, row_label, base_note))
        elif ref.is_number:
            charts.append(_group_numbers(shared, per_year, row_label, base_note))
        else:
            charts += _group_alternatives(shared, per_year, row_label, base_note)
    return charts


PerYear = Sequence[tuple[int, Item | None]]


def _riket_number(
    shared: _Question, per_year: PerYear, row_label: str, base_note: str
) -> YearChart:
    """Riket's figure (sum or mean), one bar per year."""
    bars = tuple(
        _figure(year, shared.ref, item.by_group[0] if item else None)
        for year, item in per_year
    )
    return _number_chart(
        f"{shared.ref.label}{row_label}: {shared.measure}{shared.span}",
        shared,
        [YearRow("Riket", bars)],
        base_note,
        "Riket",
    )


def _riket_alternatives(
    shared: _Question, per_year: PerYear, row_label: str, base_note: str
) -> YearChart:
    """Per alternative (this year's, then those only the earlier year had) one
    bar per year, the share of that year's base."""
    labels: dict[str, str] = {}
    for year in reversed(shared.years):
        for code, label in categories(shared.refs[year]):
            labels.setdefault(code, label)
    rows = [
        YearRow(
            label,
            tuple(
                _percent(
                    year,
                    share(shared.refs[year], item.by_group[0], code)
                    if item is not None and shared.has(year, code)
                    else None,
                )
                for year, item in per_year
            ),
        )
        for code, label in labels.items()
    ]
    return YearChart(
        title=f"{share_title(shared.ref, shared.audience)}{row_label}{shared.span}",
        years=shared.years,
        rows=_sorted(rows),
        maximum=Fraction(100),
        base_note=base_note,
        footnotes=shared.notes,
    )


def _by_group(per_year: PerYear) -> dict[int, dict[int | None, ItemCounts]]:
    return {
        year: {c.group.key: c for c in item.by_group} if item else {}
        for year, item in per_year
    }


def _group_numbers(
    shared: _Question, per_year: PerYear, row_label: str, base_note: str
) -> YearChart:
    """Per group (this year's groups) its figure, one bar per year."""
    by_year = _by_group(per_year)
    current = per_year[-1][1]
    assert current is not None  # noqa: S101 - this year's item is the one shown
    rows = [
        YearRow(
            g.group.short_name,
            tuple(
                _figure(year, shared.ref, by_year[year].get(g.group.key))
                for year in shared.years
            ),
        )
        for g in current.by_group
    ]
    plural = GROUP_PLURALS.get(shared.level, "grupper")
    return _number_chart(
        f"{shared.ref.label}{row_label}: {shared.measure} per {shared.noun}"
        f"{shared.span}",
        shared,
        rows,
        base_note + _without_figures(rows, plural),
        shared.category_title,
    )


def _group_alternatives(
    shared: _Question, per_year: PerYear, row_label: str, base_note: str
) -> list[YearChart]:
    """Per shown alternative («Ja», or each option of a multiple choice) one
    chart: per group the share choosing it, one bar per year."""
    ref = shared.ref
    by_year = _by_group(per_year)
    current = per_year[-1][1]
    assert current is not None  # noqa: S101 - this year's item is the one shown
    shown = (
        [(o.code, o.label) for o in ref.options]
        if tabulation(ref.kind).ticks
        else [categories(ref)[0]]
        if ref.options
        else []
    )
    verb = tabulation(ref.kind).chosen_verb
    plural = GROUP_PLURALS.get(shared.level, "grupper")
    charts = []
    for code, chosen in shown:
        rows = []
        for g in current.by_group:
            bars = []
            for year in shared.years:
                own = by_year[year].get(g.group.key)
                part = (
                    share(shared.refs[year], own, code)
                    if own is not None and own.base and shared.has(year, code)
                    else None
                )
                bars.append(_percent(year, part))
            rows.append(YearRow(g.group.short_name, tuple(bars)))
        charts.append(
            YearChart(
                title=(
                    f"{share_title(ref, shared.audience)}{row_label}: {verb} "
                    f"«{chosen}», per {shared.noun}{shared.span}"
                ),
                years=shared.years,
                rows=_sorted(rows),
                maximum=Fraction(100),
                base_note=base_note + _without_figures(rows, plural),
                category_title=shared.category_title,
                footnotes=shared.notes,
            )
        )
    return charts


def _number_chart(
    title: str,
    shared: _Question,
    rows: list[YearRow],
    base_note: str,
    category_title: str,
) -> YearChart:
    values = [b.value for r in rows for b in r.bars if b.value is not None]
    maximum = max(values, default=Fraction(1)) or Fraction(1)
    return YearChart(
        title=title,
        years=shared.years,
        rows=_sorted(rows),
        maximum=maximum,
        base_note=base_note,
        value_format="percent" if tabulation(shared.ref.kind).in_percent else "count",
        category_title=category_title,
        footnotes=shared.notes,
    )
