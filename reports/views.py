"""Staff report pages: per cycle and questionnaire, the questions with their
bases; per question, the tables at a chosen level with a bar chart.

Thin views (STYLE.md §4): the gateway decides access, the form parses the
choices, tabulation and layouts do the rest. Each page makes a fixed number of
queries whatever the number of respondents.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from reports.formatting import share_percent, swedish_percent
from reports.forms import ReportOptionsForm
from reports.layouts import (
    Rounding,
    frequency_table,
    group_chart,
    group_table,
    number_table,
    option_chart,
    organisation_table,
)
from reports.permissions import get_questionnaire_for_report, require_report_access
from reports.tabulation import Level, Tabulation, tabulate
from surveys.models import OrganisationKind, QuestionKind, User
from surveys.selectors import cycles_with_questionnaires

# The level at which each group is one respondent organisation: the Bilaga 3 layout.
OWN_LEVEL: dict[str, Level] = {
    OrganisationKind.REGION: Level.REGION,
    OrganisationKind.RSS: Level.RSS,
    OrganisationKind.KOMMUN: Level.KOMMUN,
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    require_report_access(_user(request))
    return render(
        request, "reports/index.html", {"cycles": cycles_with_questionnaires()}
    )


@login_required
def questionnaire_report(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = get_questionnaire_for_report(_user(request), questionnaire_id)
    riket = tabulate(questionnaire, level=Level.RIKET)
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
            "response_rate": _rate(riket),
            "rows": rows,
        },
    )


def _rate(tabulation: Tabulation) -> str:
    share = share_percent(tabulation.respondents, tabulation.frame)
    return swedish_percent(share) if share is not None else "–"


@login_required
def question_report(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    questionnaire = get_questionnaire_for_report(_user(request), questionnaire_id)
    form = ReportOptionsForm(questionnaire, request.GET or None)
    level, rss, rounding = Level.RIKET, None, Rounding.HALF_UP
    if form.is_bound and form.is_valid():
        level = Level(form.cleaned_data["niva"])
        rss = form.cleaned_data.get("rss")
        rounding = Rounding(form.cleaned_data["avrundning"])
    tabulation = tabulate(
        questionnaire, level=level, within_rss=rss, variables=[variable]
    )
    if not tabulation.questions:
        raise Http404("Frågan finns inte.")
    question = tabulation.questions[0]
    ref = question.question
    audience = questionnaire.audience
    source = f"Källa: {questionnaire.title}"
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
            context["charts"] = [option_chart(item) for item in question.items]
    else:
        if level == OWN_LEVEL.get(audience) and not ref.is_kommun_count:
            riket = tabulate(
                questionnaire, level=Level.RIKET, within_rss=rss, variables=[variable]
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
        context["charts"] = [group_chart(item) for item in question.items]
    context["tabulated"] = tabulated
    return render(request, "reports/question.html", context)
