"""The report pages' bar charts as plain models (a title and sorted bars),
from a tabulation: `option_chart` (one bar per option) and `group_chart` (one
bar per group). `reports.question_parts.chart_data` turns one into the data of
a PNG or an Excel chart (reports/charts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from reports.layouts import number_text
from reports.tabulation.results import Item
from surveys.formatting import round_half_up, swedish_percent

# --- a simple bar chart ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: Fraction  # per cent of the base, or the number itself
    text: str  # the value as printed next to the bar


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]  # sorted by value, largest first
    maximum: Fraction  # the value a full-width bar stands for

    @property
    def scaled(self) -> tuple[tuple[Bar, str], ...]:
        """Each bar with its width in per cent of the full width (for CSS)."""
        return tuple(
            (bar, f"{min(max(float(bar.value / self.maximum * 100), 0), 100):.1f}")
            for bar in self.bars
        )


def option_chart(item: Item, *, group_index: int = 0) -> Chart:
    """One group's answers to an item: one bar per option, the share of the base."""
    counts = item.by_group[group_index]
    bars = [
        Bar(o.label, share * 100, f"{swedish_percent(round_half_up(share * 100))}")
        for o in item.question.options
        if (share := counts.share(o.code)) is not None
    ]
    return _chart(item, bars, Fraction(100))


def group_chart(item: Item) -> Chart:
    """One bar per group: the share answering the first option (Ja), or ticking
    the option, or the number. Groups without a base are left out."""
    ref = item.question
    bars = []
    for counts in item.by_group:
        if ref.is_number:
            value = counts.figure(ref.national_figure)
            if value is not None:
                bars.append(
                    Bar(counts.group.short_name, value, number_text(ref, value))
                )
        elif ref.options and (share := counts.share(ref.options[0].code)) is not None:
            bars.append(
                Bar(
                    counts.group.short_name,
                    share * 100,
                    swedish_percent(round_half_up(share * 100)),
                )
            )
    maximum = (
        max((b.value for b in bars), default=Fraction(1))
        if ref.is_number
        else Fraction(100)
    )
    measure = ""
    if ref.is_number:
        measure = "summa" if ref.national_figure == "sum" else "medelvärde"
    elif ref.options:
        measure = f"andel «{ref.options[0].label}»"
    return _chart(item, bars, maximum or Fraction(1), measure=measure)


def _chart(
    item: Item, bars: list[Bar], maximum: Fraction, *, measure: str = ""
) -> Chart:
    bars.sort(key=lambda bar: (-bar.value, bar.label))
    title = item.question.label + (f" – {item.row.label}" if item.row else "")
    if measure:
        title += f" ({measure})"
    return Chart(title=title, bars=tuple(bars), maximum=maximum)
