"""The report pages: per cycle and questionnaire, the questions with their
bases; per question, the tables at a chosen level with its charts. The page's
options (`report_options`) and one question's tabulation (`tabulate_question`)
are shared with the question's downloads (`reports.views.downloads`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from reports.forms import ReportOptionsForm, SelectionForm
from reports.layouts import (
    Rounding,
    frequency_table,
    group_table,
    number_table,
    organisation_table,
)
from reports.markers import LEGEND_TITLE, legend_for
from reports.permissions import get_questionnaire_for_report, require_report_access
from reports.question_parts import OWN_LEVEL, page_charts, source_line
from reports.tabulation.counts import tabulate
from reports.tabulation.results import PRELIMINARY_NOTE, Level, Selection, Tabulation
from surveys.auth import request_user
from surveys.formatting import swedish_percent_of
from surveys.models import RSS, QuestionKind, Questionnaire
from surveys.selectors import cycles_with_questionnaires


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    require_report_access(request_user(request))
    return render(
        request, "reports/index.html", {"cycles": cycles_with_questionnaires()}
    )


@login_required
def questionnaire_report(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    selection_form = SelectionForm(request.GET or None)
    riket = tabulate(
        questionnaire, level=Level.RIKET, selection=selection_form.selection()
    )
    rows = []
    for question in riket.questions:
        for index, item in enumerate(question.items):
            rows.append(
                {
                    "question": question.question,
                    "kind": QuestionKind(question.question.kind).label,
                    "first": index == 0,
                    "item": item,
                    "counts": item.by_group[0],
                }
            )
    return render(
        request,
        "reports/questionnaire.html",
        {
            "questionnaire": questionnaire,
            "riket": riket,
            "selection_form": selection_form,
            "response_rate": _rate(riket),
            "rows": rows,
        },
    )


def _rate(tabulation: Tabulation) -> str:
    return swedish_percent_of(tabulation.respondents, tabulation.frame)


@dataclass(frozen=True)
class ReportOptions:
    level: Level = Level.RIKET
    rss: RSS | None = None
    rounding: Rounding = Rounding.HALF_UP
    selection: Selection = Selection.SUBMITTED


def report_options(
    request: HttpRequest, questionnaire: Questionnaire
) -> tuple[ReportOptionsForm, ReportOptions]:
    form = ReportOptionsForm(questionnaire, request.GET or None)
    if not (form.is_bound and form.is_valid()):
        return form, ReportOptions()
    return form, ReportOptions(
        level=Level(form.cleaned_data["niva"]),
        rss=form.cleaned_data.get("rss"),
        rounding=Rounding(form.cleaned_data["avrundning"]),
        selection=form.selection(),
    )


def tabulate_question(
    questionnaire: Questionnaire,
    variable: str,
    *,
    level: Level,
    options: ReportOptions,
) -> Tabulation:
    tabulation = tabulate(
        questionnaire,
        level=level,
        within_rss=options.rss,
        variables=[variable],
        selection=options.selection,
    )
    if not tabulation.questions:
        raise Http404("Frågan finns inte.")
    return tabulation


@login_required
def question_report(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    form, options = report_options(request, questionnaire)
    level, rss, rounding = options.level, options.rss, options.rounding
    tabulation = tabulate_question(
        questionnaire, variable, level=level, options=options
    )
    question = tabulation.questions[0]
    ref = question.question
    audience = questionnaire.audience
    source = f"Källa: {questionnaire.title}"
    if options.selection == Selection.STARTED:
        source += f". {PRELIMINARY_NOTE}"
    context: dict[str, Any] = {
        "questionnaire": questionnaire,
        "form": form,
        "level": level,
        "rss": rss,
        "question": ref,
        "tabulation": tabulation,
        "response_rate": _rate(tabulation),
        "tables": [],
        "charts": [],
        "legend_title": LEGEND_TITLE,
        "chart_source": source_line(questionnaire, options.selection),
    }
    tabulated = ref.is_closed or ref.is_number or ref.is_kommun_count
    if not tabulated:
        pass
    elif level == Level.RIKET:
        if ref.is_number:
            context["tables"].append(number_table(question, audience=audience))
        else:
            context["tables"].append(
                frequency_table(
                    question, audience=audience, rounding=rounding, source=source
                )
            )
    else:
        if level == OWN_LEVEL.get(audience) and not ref.is_kommun_count:
            riket = tabulate_question(
                questionnaire, variable, level=Level.RIKET, options=options
            )
            context["tables"].append(
                organisation_table(
                    question,
                    riket.questions[0],
                    row_heading=str(level.label).removeprefix("Per ").capitalize(),
                    total_label=f"Totalt {rss.short_name}" if rss else "Riket",
                    source=source,
                )
            )
        if ref.is_number:
            context["tables"].append(number_table(question, audience=audience))
        else:
            context["tables"] += [
                group_table(item, audience=audience, rounding=rounding, source=source)
                for item in question.items
            ]
    # Download links keep the page's choices (level, RSS, rounding).
    query = f"?{request.GET.urlencode()}" if form.is_bound and form.is_valid() else ""
    context["charts"] = [
        (
            chart,
            reverse(
                "reports:question-chart-png",
                args=[questionnaire.pk, variable, index],
            )
            + query
            if chart.bars
            else "",
        )
        for index, chart in enumerate(
            page_charts(question, level=level, audience=audience), start=1
        )
    ]
    context["tables_xlsx_url"] = (
        reverse("reports:question-xlsx", args=[questionnaire.pk, variable]) + query
        if tabulated
        else ""
    )
    context["tabulated"] = tabulated
    context["query"] = query
    context["legend"] = legend_for(
        line for table in context["tables"] for line in table.rows
    )
    return render(request, "reports/question.html", context)
