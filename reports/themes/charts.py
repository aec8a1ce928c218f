"""The chart of a coded free-text question: at riket, one bar per theme, the
number of organisations whose answer takes it up, over the base of those that
answered ("15 av 21 regioner"). The same chart on the counts page, as a PNG and
beside the counts in the table workbook (reports.charts draws both)."""

from __future__ import annotations

from fractions import Fraction

from reports.chart_layouts import Bar, Chart
from reports.charts import BarChartData
from reports.question_parts import source_line
from reports.themes.counts import ThemeTable
from surveys.formatting import swedish_number
from surveys.models import Question

CODED_NOTE = "Fritextsvaren är kodade i teman av Socialstyrelsen."
MANY_THEMES_NOTE = (
    "Ett svar kan ta upp flera teman, så antalen summerar inte till basen."
)


def theme_chart(table: ThemeTable) -> Chart | None:
    """Riket's counts per theme, largest first (equal counts in the scheme's
    order); None before a coder's coding is fastställd or without themes."""
    if not table.agreed or not table.themes or not table.levels:
        return None
    riket = table.levels[0].rows[0]
    bars = [
        Bar(theme.name, Fraction(count), f"{swedish_number(count)} av {riket.base}")
        for theme, count in zip(table.themes, riket.counts, strict=True)
    ]
    bars.sort(key=lambda bar: -bar.value)  # stable: the scheme's order on ties
    question = table.question
    return Chart(
        title=(
            f"Antal {table.unit} vars svar tar upp temat: "
            f"{question.label or question.text}"
        ),
        bars=tuple(bars),
        maximum=Fraction(max(riket.base, 1)),
        base_note=(
            f"Bas: {swedish_number(riket.base)} {table.unit} har svarat på frågan. "
            + MANY_THEMES_NOTE
        ),
        value_format="count",
        category_title="Tema",
    )


def theme_chart_data(chart: Chart, question: Question) -> BarChartData:
    """The chart as the data of a PNG or an Excel chart, with its source line."""
    return BarChartData(
        title=chart.title,
        categories=[bar.label for bar in chart.bars],
        values=[int(bar.value) for bar in chart.bars],
        value_format="count",
        category_title=chart.category_title,
        source_line=f"{source_line(question.questionnaire)} {CODED_NOTE}",
        base_note=chart.base_note,
    )
