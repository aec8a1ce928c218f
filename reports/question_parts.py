"""The parts of one question's report, shared by its page
(`reports.views.tables`, `reports.views.downloads`), the table workbook and the
chart zip: which tables it has at a level (`question_tables`; the workbook's
module docstring says which), which charts (`page_charts`, `question_charts`;
how they are titled and sorted: reports/chart_layouts.py), a chart's data for a
PNG or an Excel chart, and the "Källa:" line. Separate from the workbook, which
only lays them out in sheets."""

from __future__ import annotations

from reports.chart_layouts import Chart, group_chart, option_chart
from reports.charts import BarChartData
from reports.layouts import (
    Rounding,
    Table,
    frequency_table,
    group_table,
    number_table,
    organisation_table,
)
from reports.tabulation.kinds import tabulation
from reports.tabulation.results import (
    PRELIMINARY_NOTE,
    Level,
    QuestionTabulation,
    Selection,
)
from surveys.formatting import round_half_up
from surveys.models import OrganisationKind, Questionnaire

OWN_LEVEL: dict[str, Level] = {
    OrganisationKind.REGION: Level.REGION,
    OrganisationKind.RSS: Level.RSS,
    OrganisationKind.KOMMUN: Level.KOMMUN,
}


def source_line(
    questionnaire: Questionnaire, selection: Selection = Selection.SUBMITTED
) -> str:
    """The "Källa:" line under every table and chart. Preliminary figures say so
    here, because a table or a chart is often copied without its workbook."""
    line = f"Källa: {questionnaire.title}, Socialstyrelsen {questionnaire.cycle.year}."
    if selection == Selection.STARTED:
        line += f" {PRELIMINARY_NOTE}."
    return line


def is_tabulated(question: QuestionTabulation) -> bool:
    ref = question.question
    return ref.is_closed or ref.is_number or ref.is_kommun_count


def question_tables(
    riket: QuestionTabulation,
    grouped: QuestionTabulation | None,
    *,
    audience: str,
    level: Level,
    rounding: Rounding,
    source: str,
    total_label: str = "Riket",
) -> list[Table]:
    """The tables of one question (see the module docstring); `grouped` is the
    question tabulated at `level` (None at riket). Free text: no tables."""
    if not is_tabulated(riket):
        return []
    ref = riket.question
    tables = []
    if ref.is_number:
        tables.append(number_table(riket, audience=audience, source=source))
    else:
        tables.append(
            frequency_table(riket, audience=audience, rounding=rounding, source=source)
        )
    if grouped is None or level == Level.RIKET:
        return tables
    if level == OWN_LEVEL.get(audience) and not ref.is_kommun_count:
        tables.append(
            organisation_table(
                grouped,
                riket,
                row_heading=str(level.label).removeprefix("Per ").capitalize(),
                total_label=total_label,
                source=source,
            )
        )
    elif ref.is_number:
        tables.append(number_table(grouped, audience=audience, source=source))
    else:
        tables += [
            group_table(item, audience=audience, rounding=rounding, source=source)
            for item in grouped.items
        ]
    return tables


# Levels at which the exports draw one bar per group: 21 regions or 24 RSS. A
# chart of 290 kommuner cannot be read; its table is there (and the report page
# draws the kommuner of one RSS).
GROUP_CHART_LEVELS = (Level.REGION, Level.RSS)


def item_charts(
    riket: QuestionTabulation, *, audience: str, with_empty: bool = False
) -> list[Chart]:
    """Riket: one chart per item (matrix row) of a closed or RSS count question,
    the share of the base per option. Items without a base have no chart
    unless `with_empty` (the page says «Inga svar att visa»)."""
    ref = riket.question
    if not (ref.is_closed or ref.is_kommun_count) or not ref.options:
        return []
    return [
        option_chart(item, audience=audience)
        for item in riket.items
        if with_empty or item.by_group[0].base
    ]


def group_charts(
    grouped: QuestionTabulation, *, audience: str, level: Level
) -> list[Chart]:
    """At a level of groups, per item one bar per group: a number's figure, the
    share answering «Ja» (the first option), or for a multiple choice one chart
    per option (the share that ticked it), as the Bilaga 3 table has a column
    per option."""
    if not is_tabulated(grouped):
        return []
    ref = grouped.question
    charts = []
    for item in grouped.items:
        if tabulation(ref.kind).ticks:
            charts += [
                group_chart(item, audience=audience, level=level, option=o.code)
                for o in ref.options
            ]
        else:
            charts.append(group_chart(item, audience=audience, level=level))
    return charts


def page_charts(
    question: QuestionTabulation, *, level: Level, audience: str
) -> list[Chart]:
    """The charts the question's report page shows (and its PNG downloads):
    per option at riket, one bar per group at other levels."""
    if level == Level.RIKET:
        return item_charts(question, audience=audience, with_empty=True)
    return group_charts(question, audience=audience, level=level)


def question_charts(
    riket: QuestionTabulation,
    grouped: QuestionTabulation | None,
    *,
    audience: str,
    level: Level,
) -> list[Chart]:
    """Every chart of a question in the exports (the chart zip, the workbook):
    riket's, and at a level in GROUP_CHART_LEVELS one bar per group. Charts
    without a bar are left out."""
    charts = item_charts(riket, audience=audience)
    if grouped is not None and level in GROUP_CHART_LEVELS:
        charts += group_charts(grouped, audience=audience, level=level)
    return [chart for chart in charts if chart.bars]


def chart_data(chart: Chart, *, source: str) -> BarChartData:
    """A layout chart (shares in per cent, or numbers) as the data of a PNG or an
    Excel chart, with its base and source."""
    return BarChartData(
        title=chart.title,
        categories=[bar.label for bar in chart.bars],
        values=[round_half_up(bar.value, 1) for bar in chart.bars],
        value_format=chart.value_format,
        category_title=chart.category_title,
        source_line=source,
        base_note=chart.base_note,
        footnotes=chart.footnotes,
        decimals=0,
    )
