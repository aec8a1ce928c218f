"""The bar charts of a question as plain models (a title, sorted bars, the base),
shared by the report pages, the PNGs, the chart zip and the workbook's native
charts (`reports.question_parts.chart_data` turns one into the data of a PNG or
an Excel chart, reports/charts.py).

- `option_chart`: one group's answers to an item (riket by default), one bar
  per option, the share of the base ("Andel kommuner som …");
- `group_chart`: one bar per group (region, RSS, kommun): the share answering
  an option («Ja», or one ticked option of a multiple choice), or the group's
  figure for a number (sum or mean, as the question defines it).

Titles say what is shown: «Andel …» for shares (an RSS count question's label
«Antal kommuner som …» becomes «Andel kommuner som …», since the chart shows
their share), «summa» or «medelvärde» for numbers. The base (who the shares are
of) is stated under every chart, and groups without data («..», reports/markers.py)
are named there, as they have no bar; the question's footnotes follow.

Sort order (docs/published-figures.md): largest value first; equal values keep
the questionnaire's order (options as listed in the questionnaire file, groups
in the register's official order).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from reports.bases import NO_ANSWER_LABEL, categories, of_frame, share, shares_base
from reports.layouts import number_text, units_of
from reports.markers import NO_DATA
from reports.tabulation.kinds import tabulation
from reports.tabulation.results import Item, Level, QuestionRef
from surveys.formatting import round_half_up, swedish_number, swedish_percent

ValueKind = Literal["percent", "count"]

GROUP_PLURALS = {
    Level.REGION: "regioner",
    Level.RSS: "RSS",
    Level.KOMMUN: "kommuner",
}
MISSING_NAMED = 3  # at most this many groups without data are named under a chart
GROUP_NOUNS = {
    Level.REGION: "region",
    Level.RSS: "RSS",
    Level.KOMMUN: "kommun",
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: Fraction  # per cent of the base, or the number itself
    text: str  # the value as printed next to the bar


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]  # sorted by value, largest first (module docstring)
    maximum: Fraction  # the value a full-width bar stands for
    base_note: str = ""
    value_format: ValueKind = "percent"
    category_title: str = "Svarsalternativ"
    footnotes: tuple[str, ...] = ()  # the question's (QuestionRef.footnotes)

    @property
    def scaled(self) -> tuple[tuple[Bar, str], ...]:
        """Each bar with its width in per cent of the full width (for CSS)."""
        return tuple(
            (bar, f"{min(max(float(bar.value / self.maximum * 100), 0), 100):.1f}")
            for bar in self.bars
        )


def share_title(ref: QuestionRef, audience: str) -> str:
    """«Andel …»: the label of an RSS count question («Antal kommuner som …»)
    with «Andel», or «Andel <units>: <label>»."""
    label = ref.label
    if label.startswith("Antal "):
        return "Andel " + label.removeprefix("Antal ")
    return f"Andel {units_of(audience, ref)[1]}: {label}"


def _row(item: Item) -> str:
    return f" – {item.row.label}" if item.row else ""


def _percent_bar(label: str, share: Fraction) -> Bar:
    return Bar(label, *_percent_value(share))


@functools.lru_cache(maxsize=4096)
def _percent_value(share: Fraction) -> tuple[Fraction, str]:
    """A share in per cent and as printed. Cached: a chart of 2 400 RSS (the
    workbook at national scale, issue #20) has few distinct shares, and the
    exact arithmetic and the Swedish text were most of its cost."""
    percent = share * 100
    return percent, swedish_percent(round_half_up(percent))


def option_chart(item: Item, *, audience: str, group_index: int = 0) -> Chart:
    """One group's answers to an item: one bar per option, the share of the base."""
    ref = item.question
    counts = item.by_group[group_index]
    bars = [
        _percent_bar(label, part)
        for code, label in categories(ref)
        if (part := share(ref, counts, code)) is not None
    ]
    units = units_of(audience, ref)[1]
    note = f"Bas: {swedish_number(counts.base)} {units} har svarat."
    if of_frame(ref):
        note = (
            f"Bas: hela ramen, {swedish_number(shares_base(ref, counts))} {units} "
            f"som fick frågan; de som inte har svarat: «{NO_ANSWER_LABEL}»."
        )
    # An RSS count of a kommun multiple choice can add up to more than its base.
    if tabulation(ref.kind).ticks or sum(counts.counts.values()) > counts.base:
        note += " Flera alternativ kunde väljas, så andelarna summerar inte till 100."
    return _chart(
        share_title(ref, audience) + _row(item),
        bars,
        Fraction(100),
        base_note=note,
        footnotes=ref.footnotes,
    )


def group_chart(
    item: Item, *, audience: str, level: Level, option: str | None = None
) -> Chart:
    """One bar per group: the share answering `option` (by default the first
    option, «Ja»), or the group's figure for a number. Groups without a base
    have no bar; the note under the chart names them."""
    ref = item.question
    units = units_of(audience, ref)[1]
    noun = GROUP_NOUNS.get(level, "grupp")
    bars: list[Bar] = []
    missing: list[str] = []
    if ref.is_number:
        for counts in item.by_group:
            value = counts.figure(ref.national_figure)
            if value is None:
                missing.append(counts.group.short_name)
            else:
                bars.append(
                    Bar(counts.group.short_name, value, number_text(ref, value))
                )
        measure = "summa" if ref.national_figure == "sum" else "medelvärde"
        title = f"{ref.label}{_row(item)}: {measure} per {noun}"
        note = f"Bas: de {units} som har angett ett värde"
        maximum = max((b.value for b in bars), default=Fraction(1)) or Fraction(1)
        kind: ValueKind = "percent" if tabulation(ref.kind).in_percent else "count"
    else:
        code = option or (ref.options[0].code if ref.options else "")
        chosen = next((o.label for o in ref.options if o.code == code), code)
        for counts in item.by_group:
            part = share(ref, counts, code) if counts.base else None
            if part is None:
                missing.append(counts.group.short_name)
            else:
                bars.append(_percent_bar(counts.group.short_name, part))
        verb = tabulation(ref.kind).chosen_verb
        title = (
            f"{share_title(ref, audience)}{_row(item)}: {verb} «{chosen}», per {noun}"
        )
        note = f"Bas: de {units} som har svarat på frågan i varje {noun}"
        if of_frame(ref):
            note = f"Bas: hela ramen, de {units} som fick frågan i varje {noun}"
        maximum, kind = Fraction(100), "percent"
    based = sum(shares_base(ref, c) if c.base else 0 for c in item.by_group)
    note += f", {swedish_number(based)} totalt."
    if missing:
        # Named when few; counted when many, so the note stays one line under
        # a PNG (the table beside it marks each with «..»).
        if len(missing) <= MISSING_NAMED:
            note += f" {NO_DATA} (uppgift saknas, ingen stapel): {', '.join(missing)}."
        else:
            plural = GROUP_PLURALS.get(level, "grupper")
            note += (
                f" {NO_DATA} (uppgift saknas, ingen stapel): {len(missing)} {plural}."
            )
    return _chart(
        title,
        bars,
        maximum,
        base_note=note,
        value_format=kind,
        category_title=noun.capitalize() if noun.islower() else noun,
        footnotes=ref.footnotes,
    )


def _chart(
    title: str,
    bars: list[Bar],
    maximum: Fraction,
    *,
    base_note: str,
    value_format: ValueKind = "percent",
    category_title: str = "Svarsalternativ",
    footnotes: tuple[str, ...] = (),
) -> Chart:
    # A stable sort: equal values keep the questionnaire's (or register's) order.
    bars.sort(key=lambda bar: -bar.value)
    return Chart(
        title=title,
        bars=tuple(bars),
        maximum=maximum,
        base_note=base_note,
        value_format=value_format,
        category_title=category_title,
        footnotes=footnotes,
    )
