"""The year-over-year sheet of a workbook (issue #19 point 2): every tabulated
question's comparison tables (reports/comparison_layouts.py), numbers as
numbers with their formats (reports/sheet_tables.py), notes under each
table, the markers used, and per chart its data with a native Excel chart
of one series per year (reports/year_charts.py). Written into the table
workbook (reports/workbook.py) when the questionnaire has a previous
version, and alone from the comparison page."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font

from reports.comparison_charts import comparison_charts
from reports.comparison_layouts import comparison_tables
from reports.layouts import Rounding
from reports.markers import legend_for
from reports.sheet_tables import BOLD, write_legend, write_table
from reports.tabulation.comparison import Comparison
from reports.year_charts import add_year_chart, notes_under, year_chart_data


@dataclass(frozen=True)
class ComparisonSheet:
    name: str
    tables: int
    charts: int


def comparison_sheet_name(comparison: Comparison) -> str:
    years = "–".join(str(year) for year in comparison.years)
    return f"Jämförelse {years}"


def write_comparison_sheet(
    workbook: Workbook,
    comparison: Comparison,
    *,
    audience: str,
    rounding: Rounding,
    source: str,
    name: str = "",
) -> ComparisonSheet:
    name = name or comparison_sheet_name(comparison)
    sheet = workbook.create_sheet(name)
    sheet.column_dimensions["A"].width = 40
    columns = sheet.column_dimensions["B"]
    columns.width = 16
    columns.min, columns.max = 2, 11
    years = " och ".join(str(year) for year in comparison.years)
    sheet["A1"] = f"{comparison.current.title}: jämförelse {years}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = str(comparison.current.level.label)
    row = 4
    if comparison.previous is None:
        missing = (
            f"Ingen av frågorna fanns i enkäten {comparison.previous_year}."
            if comparison.previous_year
            else f"Ingen tidigare omgång av enkäten att jämföra {comparison.year} med."
        )
        sheet.cell(row=row, column=1, value=missing)
        row += 2
    tables = []
    charts = 0
    for question in comparison.questions:
        question_tables = comparison_tables(
            comparison, question, audience=audience, rounding=rounding, source=source
        )
        for table in question_tables:
            row = write_table(sheet, table, row=row)
        tables += question_tables
        for chart in comparison_charts(comparison, question, audience=audience):
            if not chart.has_bars:
                continue
            data = year_chart_data(chart, source=source)
            sheet.cell(
                row=row, column=1, value=f"Diagramunderlag: {data.title}"
            ).font = BOLD
            last = add_year_chart(sheet, data, header_row=row + 1, anchor=f"E{row}")
            lines = notes_under(data)
            for offset, note in enumerate(lines, start=1):
                sheet.cell(row=last + offset, column=1, value=note)
            # Room for the chart, which grows with its bars.
            bars = len(data.categories) * len(data.years)
            row = max(last + len(lines) + 2, row + 12 + 2 * bars)
            charts += 1
    sheet.cell(row=row, column=1, value=source)
    row += 2
    legend = legend_for(line for table in tables for line in table.rows)
    if legend:
        write_legend(sheet, legend, row=row)
    return ComparisonSheet(name=name, tables=len(tables), charts=charts)
