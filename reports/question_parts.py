"""The parts of one question's report, shared by its page
(`reports.views.tables`, `reports.views.downloads`) and the table workbook:
which tables it has at a level (`question_tables`; the workbook's module
docstring says which), the charts its page shows, a chart's data for a PNG or an
Excel chart, and the "Källa:" line. Separate from the workbook, which only lays
them out in sheets."""

from __future__ import annotations

from reports.chart_layouts import Chart, group_chart, option_chart
from reports.charts import BarChartData, ValueFormat
from reports.layouts import (
    Rounding,
    Table,
    frequency_table,
    group_table,
    number_table,
    organisation_table,
)
from reports.tabulation.results import (
    PRELIMINARY_NOTE,
    Level,
    QuestionTabulation,
    Selection,
)
from surveys.formatting import round_half_up, swedish_number
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


def page_charts(question: QuestionTabulation, *, level: Level) -> list[Chart]:
    """The charts the question's report page shows: per option at riket (closed
    questions), one bar per group at other levels; one chart per item."""
    if not is_tabulated(question):
        return []
    if level == Level.RIKET:
        if question.question.is_number:
            return []
        return [option_chart(item) for item in question.items]
    return [group_chart(item) for item in question.items]


def chart_data(
    chart: Chart,
    *,
    source: str,
    base_note: str = "",
    value_format: ValueFormat = "percent",
    category_title: str = "Svarsalternativ",
) -> BarChartData:
    """A layout chart (shares in per cent, or numbers) as the data of a PNG or an
    Excel chart."""
    return BarChartData(
        title=chart.title,
        categories=[bar.label for bar in chart.bars],
        values=[round_half_up(bar.value, 1) for bar in chart.bars],
        value_format=value_format,
        category_title=category_title,
        source_line=source,
        base_note=base_note,
        decimals=0,
    )


def item_charts(
    riket: QuestionTabulation, *, audience: str, source: str
) -> list[BarChartData]:
    """One chart per item (matrix row) of a closed question at riket: the share
    of the base per option. Items without a base have no chart."""
    ref = riket.question
    if not ref.is_closed or not ref.options:
        return []
    result = []
    for item in riket.items:
        counts = item.by_group[0]
        if not counts.base:
            continue
        result.append(
            chart_data(
                option_chart(item),
                source=source,
                base_note=f"Bas: {_base_note(counts.base, audience)}.",
            )
        )
    return result


def _base_note(base: int, audience: str) -> str:
    units = {"region": "regioner", "rss": "RSS", "kommun": "kommuner"}
    return f"{swedish_number(base)} {units.get(audience, 'svarande')} har svarat"
