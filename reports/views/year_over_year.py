"""Year over year (issue #19 point 2): a questionnaire's questions beside the
previous cycle's, at a chosen level, on a page (every question, or one), as the
questionnaire's comparison workbook and as a chart's PNG. Staff only, through
`reports.permissions`; the figures come from
`reports.tabulation.comparison.compare`, the tables and charts from
`reports.comparison_layouts` and `reports.comparison_charts`."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from openpyxl import Workbook

from reports.comparison_charts import comparison_charts
from reports.comparison_layouts import comparison_source, comparison_tables
from reports.markers import LEGEND_TITLE, legend_for
from reports.permissions import get_questionnaire_for_report
from reports.question_parts import source_line
from reports.tabulation.comparison import Comparison, compare, previous_version
from reports.views.downloads import XLSX_CONTENT_TYPE, attachment
from reports.views.tables import ReportOptions, report_options
from reports.year_charts import year_chart_data, year_chart_png
from reports.year_sheet import write_comparison_sheet
from surveys.auth import request_user
from surveys.models import Questionnaire
from surveys.sheet_text import harden_workbook


def _compare(
    questionnaire: Questionnaire, options: ReportOptions, variable: str | None
) -> Comparison:
    comparison = compare(
        questionnaire,
        level=options.level,
        within_rss=options.rss,
        variables=[variable] if variable else None,
        selection=options.selection,
        previous=previous_version(questionnaire),
    )
    if variable and not comparison.questions:
        raise Http404("Frågan finns inte.")
    return comparison


def _source(
    questionnaire: Questionnaire, comparison: Comparison, options: ReportOptions
) -> str:
    return comparison_source(source_line(questionnaire, options.selection), comparison)


@login_required
def year_over_year(
    request: HttpRequest, questionnaire_id: int, variable: str | None = None
) -> HttpResponse:
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    form, options = report_options(request, questionnaire)
    comparison = _compare(questionnaire, options, variable)
    source = _source(questionnaire, comparison, options)
    audience = questionnaire.audience
    query = f"?{request.GET.urlencode()}" if form.is_bound and form.is_valid() else ""
    questions: list[dict[str, Any]] = []
    all_tables = []
    for question in comparison.questions:
        ref = question.current.question
        tables = comparison_tables(
            comparison,
            question,
            audience=audience,
            rounding=options.rounding,
            source=source,
        )
        if not tables:
            continue
        all_tables += tables
        charts = comparison_charts(comparison, question, audience=audience)
        questions.append(
            {
                "question": question,
                "ref": ref,
                "tables": tables,
                "charts": [
                    (
                        chart,
                        reverse(
                            "reports:year-over-year-png",
                            args=[questionnaire.pk, ref.variable, index],
                        )
                        + query
                        if chart.has_bars
                        else "",
                    )
                    for index, chart in enumerate(charts, start=1)
                ],
            }
        )
    xlsx_url = reverse("reports:year-over-year-xlsx", args=[questionnaire.pk])
    if variable:
        xlsx_url = reverse(
            "reports:question-year-over-year-xlsx", args=[questionnaire.pk, variable]
        )
    return render(
        request,
        "reports/year_over_year.html",
        {
            "questionnaire": questionnaire,
            "comparison": comparison,
            "form": form,
            "level": options.level,
            "rss": options.rss,
            "variable": variable,
            "questions": questions,
            "chart_source": source,
            "legend_title": LEGEND_TITLE,
            "legend": legend_for(line for table in all_tables for line in table.rows),
            "xlsx_url": xlsx_url + query,
        },
    )


@login_required
def year_over_year_xlsx(
    request: HttpRequest, questionnaire_id: int, variable: str | None = None
) -> HttpResponse:
    """The comparison sheet (reports/year_sheet.py) at the page's level."""
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    _, options = report_options(request, questionnaire)
    comparison = _compare(questionnaire, options, variable)
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_comparison_sheet(
        workbook,
        comparison,
        audience=questionnaire.audience,
        rounding=options.rounding,
        source=_source(questionnaire, comparison, options),
    )
    buffer = BytesIO()
    harden_workbook(workbook)
    workbook.save(buffer)
    suffix = f"-{variable}" if variable else ""
    return attachment(
        buffer.getvalue(),
        XLSX_CONTENT_TYPE,
        f"{questionnaire.cycle.year}-{questionnaire.key}-jamforelse{suffix}.xlsx",
    )


@login_required
def year_over_year_png(
    request: HttpRequest, questionnaire_id: int, variable: str, index: int
) -> HttpResponse:
    """One of a question's year-over-year charts as a PNG (`index` from 1)."""
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    _, options = report_options(request, questionnaire)
    comparison = _compare(questionnaire, options, variable)
    charts = comparison_charts(
        comparison, comparison.questions[0], audience=questionnaire.audience
    )
    if not 1 <= index <= len(charts) or not charts[index - 1].has_bars:
        raise Http404("Diagrammet finns inte.")
    data = year_chart_data(
        charts[index - 1], source=_source(questionnaire, comparison, options)
    )
    return attachment(
        year_chart_png(data),
        "image/png",
        f"{questionnaire.cycle.year}-{questionnaire.key}-jamforelse-"
        f"{variable}-{index}.png",
    )
