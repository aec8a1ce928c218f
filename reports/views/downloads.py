"""Files to download from the report pages: a question's chart as a PNG and its
sheet of the table workbook, and the kvalitetsdeklaration as Word and Excel.
Built in the request (they are small); the large files are export jobs
(`reports.views.exports`)."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from openpyxl import Workbook

from reports.charts import bar_chart_png
from reports.export_kinds import png_name
from reports.kvalitetsdeklaration.writers import (
    DOCX_CONTENT_TYPE,
    kvalitetsdeklaration_docx,
    write_kvalitetsdeklaration_sheet,
)
from reports.permissions import get_cycle_for_staff, get_questionnaire_for_report
from reports.question_parts import chart_data, page_charts, source_line
from reports.tabulation.results import Level
from reports.views.tables import report_options, tabulate_question
from reports.workbook import sheet_name, write_question_sheet
from surveys.auth import request_user
from surveys.sheet_text import harden_workbook


@login_required
def question_chart_png(
    request: HttpRequest, questionnaire_id: int, variable: str, index: int
) -> HttpResponse:
    """One of the question page's charts as a PNG (`index` from 1, page order)."""
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    _, options = report_options(request, questionnaire)
    level = options.level
    question = tabulate_question(questionnaire, variable, level=level, options=options)
    charts = page_charts(
        question.questions[0], level=level, audience=questionnaire.audience
    )
    if not 1 <= index <= len(charts) or not charts[index - 1].bars:
        raise Http404("Diagrammet finns inte.")
    ref = question.questions[0].question
    data = chart_data(
        charts[index - 1], source=source_line(questionnaire, options.selection)
    )
    return attachment(
        bar_chart_png(data),
        "image/png",
        f"{questionnaire.cycle.year}-{questionnaire.key}-{png_name(ref.number, index)}",
    )


@login_required
def question_tables_xlsx(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    """The question's sheet of the table workbook, at the page's level."""
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    _, options = report_options(request, questionnaire)
    level, rss, rounding = options.level, options.rss, options.rounding
    riket = tabulate_question(
        questionnaire, variable, level=Level.RIKET, options=options
    )
    grouped = (
        tabulate_question(questionnaire, variable, level=level, options=options)
        if level != Level.RIKET
        else None
    )
    ref = riket.questions[0].question
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_question_sheet(
        workbook,
        riket.questions[0],
        grouped.questions[0] if grouped else None,
        name=sheet_name(ref.number, set()),
        audience=questionnaire.audience,
        level=level,
        rounding=rounding,
        source=source_line(questionnaire, options.selection),
        total_label=f"Totalt {rss.short_name}" if rss else "Riket",
    )
    buffer = BytesIO()
    harden_workbook(workbook)
    workbook.save(buffer)
    number = png_name(ref.number, None).removesuffix(".png")
    return attachment(
        buffer.getvalue(),
        XLSX_CONTENT_TYPE,
        f"{questionnaire.cycle.year}-{questionnaire.key}-{number}.xlsx",
    )


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def kvalitetsdeklaration_docx_download(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_staff(request_user(request), year=year)
    return attachment(
        kvalitetsdeklaration_docx(cycle),
        DOCX_CONTENT_TYPE,
        f"kvalitetsdeklaration-{cycle.year}.docx",
    )


@login_required
def kvalitetsdeklaration_xlsx_download(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_staff(request_user(request), year=year)
    workbook = Workbook()
    workbook.remove(workbook.active)
    write_kvalitetsdeklaration_sheet(workbook, cycle)
    buffer = BytesIO()
    harden_workbook(workbook)
    workbook.save(buffer)
    return attachment(
        buffer.getvalue(), XLSX_CONTENT_TYPE, f"kvalitetsdeklaration-{cycle.year}.xlsx"
    )
