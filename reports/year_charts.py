"""Year-over-year charts drawn (issue #19 point 2): one series per year, as a
native Excel bar chart beside its data and as a PNG, from a `YearChart`
(reports/comparison_charts.py).

The PNG follows reports/charts.py `bar_chart_png` (the same fonts, sizes,
axis, wrapping and palette trick) with a slot per category holding one bar
per year, earliest first, and a legend of the years under the title. The
earlier year is drawn in a lighter blue that still has 3:1 contrast against
white (WCAG 1.4.11); the value beside each bar names its year.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Font

from reports.charts import (
    BAR_COLOUR,
    BAR_IN,
    BAR_INDEX,
    BAR_SHARE,
    BLACK,
    BOTTOM_IN,
    CATEGORY_WRAP,
    DPI,
    LINE_PX,
    MARGIN_PX,
    PLOT_LEFT,
    TICK_PX,
    TITLE_WRAP,
    TOP_IN,
    WHITE,
    WIDTH_IN,
    ValueFormat,
    _font,
    _line_height,
    _wrap,
    draw_ticks_and_footer,
    footnote_lines,
    value_label,
    x_ticks,
)
from reports.comparison_charts import YearChart
from reports.png import paletted_png
from surveys.formatting import round_half_up

# The earlier year's bars: a lighter blue, 3.4:1 against white.
EARLIER_COLOUR = "#6a8fb0"
EARLIER_INDEX = BAR_INDEX - 1
LEGEND_IN = 0.3  # the line of the years' legend under the title
# The plot ends earlier than a one-year chart's: a label names its year too.
PLOT_RIGHT = 0.82


@dataclasses.dataclass(frozen=True)
class YearChartData:
    title: str
    categories: Sequence[str]
    years: Sequence[int]
    # Per year, one value per category (None: no figure that year, no bar).
    values: Sequence[Sequence[Decimal | None]]
    value_format: ValueFormat
    source_line: str
    base_note: str = ""
    category_title: str = ""
    footnotes: Sequence[str] = ()

    @property
    def value_title(self) -> str:
        return "Andel (%)" if self.value_format == "percent" else "Antal"


def year_chart_data(chart: YearChart, *, source: str) -> YearChartData:
    """A year-over-year chart's data, rounded to one decimal as drawn."""
    return YearChartData(
        title=chart.title,
        categories=[row.label for row in chart.rows],
        years=list(chart.years),
        values=[
            [_rounded(row.bars[index].value) for row in chart.rows]
            for index in range(len(chart.years))
        ],
        value_format=chart.value_format,
        source_line=source,
        base_note=chart.base_note,
        category_title=chart.category_title,
        footnotes=chart.footnotes,
    )


def _rounded(value: Fraction | None) -> Decimal | None:
    return round_half_up(value, 1) if value is not None else None


MISSING_NOTE = "Tom cell (ingen stapel): uppgift saknas det året."


def add_year_chart(
    sheet: Any, data: YearChartData, *, header_row: int, anchor: str
) -> int:
    """The data table (category, then one column per year) from `header_row`
    and a native bar chart with one series per year; returns the last row."""
    sheet.cell(row=header_row, column=1, value=data.category_title or "Kategori")
    sheet.cell(row=header_row, column=1).font = Font(bold=True)
    for offset, year in enumerate(data.years, start=2):
        sheet.cell(row=header_row, column=offset, value=str(year)).font = Font(
            bold=True
        )
    percent = data.value_format == "percent"
    number_format = "0 %" if percent else "#,##0"
    for index, category in enumerate(data.categories, start=1):
        sheet.cell(row=header_row + index, column=1, value=category)
        for offset, series in enumerate(data.values, start=2):
            value = series[index - 1]
            if value is None:
                continue
            cell = sheet.cell(
                row=header_row + index,
                column=offset,
                value=float(value / 100 if percent else value),
            )
            cell.number_format = number_format
    last = header_row + len(data.categories)
    chart = BarChart()
    chart.type = "bar"
    chart.title = data.title
    chart.add_data(
        Reference(
            sheet,
            min_col=2,
            max_col=1 + len(data.years),
            min_row=header_row,
            max_row=last,
        ),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last)
    )
    chart.x_axis.title = data.category_title or None
    chart.y_axis.title = data.value_title
    chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top
    chart.y_axis.numFmt = number_format
    chart.y_axis.scaling.min = 0
    if percent:
        chart.y_axis.scaling.max = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"  # the years, under the chart
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.width = 20
    chart.height = 5 + 0.8 * len(data.categories) * len(data.years)
    sheet.add_chart(chart, anchor)
    return last


def notes_under(data: YearChartData) -> list[str]:
    """What follows a chart's data in a sheet: base, source, footnotes."""
    missing = any(value is None for series in data.values for value in series)
    return (
        [line for line in (data.base_note, data.source_line) if line]
        + ([MISSING_NOTE] if missing else [])
        + list(data.footnotes)
    )


def year_chart_png(data: YearChartData) -> bytes:
    """The chart as a PNG (module docstring), categories in the data's order."""
    from PIL import Image, ImageDraw

    count = len(data.categories)
    series = len(data.years)
    title_font = _font(12, bold=True)
    category_font = _font(9)
    axis_font = _font(8)
    notes = footnote_lines(data.footnotes, axis_font)
    notes_px = len(notes) * _line_height(axis_font)
    slot_in = BAR_IN * max(series, 1) * 0.75
    width = round(WIDTH_IN * DPI)
    height = (
        round((TOP_IN + LEGEND_IN + BOTTOM_IN + slot_in * max(count, 1)) * DPI)
        + notes_px
    )
    image = Image.new("L", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    left, right = round(PLOT_LEFT * width), round(PLOT_RIGHT * width)
    top = round((TOP_IN + LEGEND_IN) * DPI)
    bottom = height - notes_px - round(BOTTOM_IN * 0.8 * DPI)
    values = [
        [float(v) if v is not None else None for v in year_values]
        for year_values in data.values
    ]
    present = [v for year_values in values for v in year_values if v is not None]
    upper = 100.0 if data.value_format == "percent" else max(present + [1.0]) * 1.15
    ticks = x_ticks(upper, data.value_format)

    def x_px(value: float) -> float:
        return left + (right - left) * value / upper

    slot = (bottom - top) / max(count, 1)
    bar_height = slot * BAR_SHARE / max(series, 1)
    y = round(0.15 * DPI)
    for line in _wrap(
        data.title,
        title_font,
        width_px=width - 2 * MARGIN_PX,
        height_px=math.inf,
        chars=TITLE_WRAP,
    ):
        draw.text((MARGIN_PX, y), line, font=title_font, fill=BLACK)
        y += _line_height(title_font)
    # The legend: a swatch and the year, per series (the swatches are drawn
    # with the bars, after the text is whitened of the bar greys).
    legend_y = top - round(LEGEND_IN * DPI * 0.6)
    swatches = []
    x = left
    for index, year in enumerate(data.years):
        swatches.append((x, legend_y, _index(index, series)))
        draw.text(
            (x + 2 * TICK_PX + 12, legend_y),
            str(year),
            font=category_font,
            fill=BLACK,
            anchor="lm",
        )
        x += 120
    label_right = left - 2 * TICK_PX
    step = _line_height(category_font)
    for position, category in enumerate(data.categories):
        centre = top + slot * (position + 0.5)
        lines = _wrap(
            category,
            category_font,
            width_px=label_right - MARGIN_PX,
            height_px=slot,
            chars=CATEGORY_WRAP,
        )
        first = centre - step * (len(lines) - 1) / 2
        for index, line in enumerate(lines):
            draw.text(
                (label_right, first + index * step),
                line,
                font=category_font,
                fill=BLACK,
                anchor="rm",
            )
        for index, year_values in enumerate(values):
            value = year_values[position]
            bar_centre = _bar_top(centre, slot, bar_height, index) + bar_height / 2
            label = (
                f"{value_label(value, data.value_format)} ({data.years[index]})"
                if value is not None
                else f".. ({data.years[index]})"
            )
            draw.text(
                (x_px((value or 0) + upper * 0.01), bar_centre),
                label,
                font=axis_font,
                fill=BLACK,
                anchor="lm",
            )
    draw_ticks_and_footer(
        draw,
        ticks=ticks,
        x_px=x_px,
        bottom=bottom,
        value_format=data.value_format,
        footer=[line for line in (data.source_line, data.base_note) if line] + notes,
        height=height,
        font=axis_font,
    )

    image = image.point(
        [WHITE if v in (BAR_INDEX, EARLIER_INDEX) else v for v in range(256)]
    )
    draw = ImageDraw.Draw(image)
    for x, y, colour in swatches:
        draw.rectangle((x, y - 6, x + 12, y + 6), fill=colour)
    for position in range(count):
        centre = top + slot * (position + 0.5)
        for index, year_values in enumerate(values):
            value = year_values[position]
            if not value or value <= 0:
                continue
            bar_top = _bar_top(centre, slot, bar_height, index)
            draw.rectangle(
                (
                    left,
                    round(bar_top),
                    round(x_px(value)),
                    round(bar_top + bar_height) - 1,
                ),
                fill=_index(index, series),
            )
        draw.line(
            (left - TICK_PX, round(centre), left, round(centre)),
            fill=BLACK,
            width=LINE_PX,
        )
    draw.line((left, top, left, bottom), fill=BLACK, width=LINE_PX)
    draw.line((left, bottom, right, bottom), fill=BLACK, width=LINE_PX)
    for tick in ticks:
        x = round(x_px(tick))
        draw.line((x, bottom, x, bottom + TICK_PX), fill=BLACK, width=LINE_PX)
    image.putpalette(_palette())
    return paletted_png(image)


def _index(series_index: int, series: int) -> int:
    """The palette index of a series: this year (the last) in the site's blue."""
    return BAR_INDEX if series_index == series - 1 else EARLIER_INDEX


def _bar_top(centre: float, slot: float, bar_height: float, index: int) -> float:
    return centre - slot * BAR_SHARE / 2 + index * bar_height


def _palette() -> bytes:
    def rgb(colour: str) -> bytes:
        return bytes(int(colour[i : i + 2], 16) for i in (1, 3, 5))

    greys = [bytes((v, v, v)) for v in range(256)]
    greys[BAR_INDEX] = rgb(BAR_COLOUR)
    greys[EARLIER_INDEX] = rgb(EARLIER_COLOUR)
    return b"".join(greys)
