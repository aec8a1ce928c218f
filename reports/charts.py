"""Bar charts as in the published reports ("Andel kommuner som…", "Antal regioner
som…"): horizontal bars sorted by value, Swedish number labels, the source line
under the chart.

Two renderings of one `BarChartData`:
- `bar_chart_png`: a PNG drawn with matplotlib's Agg canvas (no display, no pyplot
  state, so it is safe in a Celery worker), at a size that depends only on the
  number of bars (`chart_size_px`);
- `add_bar_chart_sheet`: a sheet with the data table and a native Excel bar chart
  that references it, so the chart stays editable in Excel.
"""

from __future__ import annotations

import dataclasses
import io
import textwrap
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from surveys.formatting import swedish_number, swedish_percent

ValueFormat = Literal["percent", "count"]

# Socialstyrelsen's blue (the site's accent colour); contrast 10:1 on white.
BAR_COLOUR = "#00436e"


@dataclasses.dataclass(frozen=True)
class BarChartData:
    title: str
    categories: Sequence[str]
    values: Sequence[float | int | Decimal]
    value_format: ValueFormat
    source_line: str
    base_note: str = ""
    category_title: str = ""
    # Decimals shown on the labels (0: "47 %", 1: "47,5 %").
    decimals: int = 0

    def __post_init__(self) -> None:
        if len(self.categories) != len(self.values):
            raise ValueError("one value per category")
        if self.value_format not in ("percent", "count"):
            raise ValueError(f"unknown value_format {self.value_format!r}")

    def sorted(self) -> BarChartData:
        """Largest value first; equal values keep the categories' own order."""
        order = sorted(
            range(len(self.values)), key=lambda i: -Decimal(str(self.values[i]))
        )
        return dataclasses.replace(
            self,
            categories=[self.categories[i] for i in order],
            values=[self.values[i] for i in order],
        )

    @property
    def value_title(self) -> str:
        return "Andel (%)" if self.value_format == "percent" else "Antal"


def value_label(
    value: float | int | Decimal, value_format: ValueFormat, *, decimals: int = 0
) -> str:
    # No-break spaces: a number never wraps away from its "%" or its thousands.
    if value_format == "percent":
        return swedish_percent(value, decimals=decimals, nbsp=True)
    return swedish_number(value, decimals=decimals, nbsp=True)


def labels(data: BarChartData) -> list[str]:
    """The labels at the end of the bars, in the data's order."""
    return [
        value_label(v, data.value_format, decimals=data.decimals) for v in data.values
    ]


def describe(data: BarChartData) -> str:
    """A text alternative for the image (alt text), in Swedish."""
    parts = [
        f"{c}: {label}" for c, label in zip(data.categories, labels(data), strict=True)
    ]
    return f"{data.title}. " + "; ".join(parts) + "."


# --- PNG -------------------------------------------------------------------------------

DPI = 150
WIDTH_IN = 8.0
BAR_IN = 0.45  # height per bar, room for a category wrapped on two lines
TOP_IN = 0.9  # title
BOTTOM_IN = 0.9  # axis and source line
CATEGORY_WRAP = 38  # characters per line of a category name
PNG_COMPRESSION = 3  # zlib level, 0-9


def chart_size_px(bars: int) -> tuple[int, int]:
    """Width and height of the PNG: fixed width, height by the number of bars."""
    height_in = TOP_IN + BOTTOM_IN + BAR_IN * max(bars, 1)
    return round(WIDTH_IN * DPI), round(height_in * DPI)


def bar_chart_png(data: BarChartData) -> bytes:
    """The chart as a PNG, bars sorted largest first (top)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    data = data.sorted()
    count = len(data.values)
    width_px, height_px = chart_size_px(count)
    height_in = height_px / DPI
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(
        left=0.42,
        right=0.93,
        top=1 - TOP_IN / height_in,
        bottom=BOTTOM_IN * 0.8 / height_in,
    )
    axes = figure.add_subplot()
    values = [float(v) for v in data.values]
    positions = list(range(count))
    axes.barh(positions, values, color=BAR_COLOUR, height=0.7)
    axes.set_yticks(
        positions,
        labels=[textwrap.fill(c, CATEGORY_WRAP) for c in data.categories],
        fontsize=9,
    )
    axes.invert_yaxis()
    upper = 100.0 if data.value_format == "percent" else max(values + [1.0]) * 1.15
    axes.set_xlim(0, upper)
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _: value_label(v, data.value_format))
    )
    axes.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for position, value, label in zip(positions, values, labels(data), strict=True):
        axes.text(value + upper * 0.01, position, label, va="center", fontsize=9)
    figure.suptitle(
        textwrap.fill(data.title, 80),
        x=0.02,
        y=1 - 0.15 / height_in,
        ha="left",
        va="top",
        fontsize=12,
        fontweight="bold",
    )
    footer = "\n".join(line for line in (data.source_line, data.base_note) if line)
    figure.text(0.02, 0.1 / height_in, footer, fontsize=8, va="bottom", color="#333333")
    output = io.BytesIO()
    # No bbox_inches="tight": the size stays exactly chart_size_px. zlib level 3
    # instead of Pillow's 6: the same pixels, encoded in about half the time, for
    # a file about a tenth larger (these flat-coloured charts compress well).
    figure.savefig(
        output, format="png", dpi=DPI, pil_kwargs={"compress_level": PNG_COMPRESSION}
    )
    return output.getvalue()


# --- native Excel chart ----------------------------------------------------------------

TABLE_HEADER_ROW = 3


def add_bar_chart_sheet(
    workbook: Any, data: BarChartData, *, sheet_title: str = "Figur"
) -> Any:
    """A sheet with the title, the data table (A3:B…), the source line and base note
    under the table, and a bar chart that references the table.

    Percentages are stored as fractions formatted "0 %", as Excel expects, so the
    table and the chart show them in the reader's own locale ("47 %" in Swedish).
    """
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(sheet_title[:31])
    sheet["A1"] = data.title
    sheet["A1"].font = Font(bold=True, size=13)
    last = add_bar_chart(sheet, data, header_row=TABLE_HEADER_ROW, anchor="D3")
    sheet.cell(row=last + 2, column=1, value=data.source_line)
    if data.base_note:
        sheet.cell(row=last + 3, column=1, value=data.base_note)
    sheet.column_dimensions["A"].width = 50
    sheet.column_dimensions["B"].width = 12
    return sheet


def chart_number_format(data: BarChartData) -> str:
    if data.value_format == "percent":
        return "0" + ("." + "0" * data.decimals if data.decimals else "") + " %"
    return "#,##0"


def add_bar_chart(
    sheet: Any,
    data: BarChartData,
    *,
    header_row: int,
    column: int = 1,
    anchor: str,
) -> int:
    """Write the data table (category, value) with its header at `header_row`,
    starting at `column`, and a native bar chart referencing it, anchored at
    `anchor` (a cell such as "D3"). Returns the table's last row.

    Used for a sheet of its own (`add_bar_chart_sheet`) and beside the tables of
    a question sheet in the table workbook (reports/workbook.py).
    """
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.styles import Font

    data = data.sorted()
    count = len(data.values)
    header = header_row
    value_column = column + 1
    sheet.cell(row=header, column=column, value=data.category_title or "Kategori")
    sheet.cell(row=header, column=value_column, value=data.value_title)
    for index in (column, value_column):
        sheet.cell(row=header, column=index).font = Font(bold=True)
    percent = data.value_format == "percent"
    number_format = chart_number_format(data)
    for offset, (category, value) in enumerate(
        zip(data.categories, data.values, strict=True), start=1
    ):
        sheet.cell(row=header + offset, column=column, value=category)
        number = Decimal(str(value))
        cell = sheet.cell(
            row=header + offset,
            column=value_column,
            value=float(number / 100 if percent else number),
        )
        cell.number_format = number_format
    last = header + count

    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long Swedish category names stay readable
    chart.title = data.title
    chart.add_data(
        Reference(sheet, min_col=value_column, min_row=header, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(sheet, min_col=column, min_row=header + 1, max_row=last)
    )
    chart.x_axis.title = data.category_title or None
    chart.y_axis.title = data.value_title
    # The first row of the table (the largest value) at the top, as in the PNG.
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.numFmt = number_format
    chart.y_axis.scaling.min = 0
    if percent:
        chart.y_axis.scaling.max = 1
    # openpyxl ≥ 3.1 hides axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.width = 20
    chart.height = 4 + 0.8 * count
    sheet.add_chart(chart, anchor)
    return last


def bar_chart_xlsx(data: BarChartData) -> bytes:
    """A workbook with one chart sheet, as bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    add_bar_chart_sheet(workbook, data)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
