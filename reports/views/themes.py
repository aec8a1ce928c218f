"""Free-text themes (issue #19 point 3): the themes of a question, coding the
answers, the agreement between two coders, the counts and the quotes export.
Staff only (404 for everyone else, reports.permissions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from intake.models import Response
from reports.charts import bar_chart_png
from reports.permissions import get_free_text_question, get_questionnaire_for_report
from reports.question_parts import source_line
from reports.themes.agreement import coder_agreement
from reports.themes.charts import theme_chart, theme_chart_data
from reports.themes.counts import theme_counts
from reports.themes.exports import quotes_csv, quotes_xlsx
from reports.themes.forms import CodingForm, ThemeForm
from reports.themes.models import Theme, ThemeScheme
from reports.themes.selectors import (
    coders_of,
    coding_rows,
    free_text_questions,
    next_uncoded,
    recent_events,
    scheme_of,
    themes_in_use,
)
from reports.themes.services import (
    add_theme,
    change_theme,
    code_answer,
    move_theme,
    remove_theme,
    set_agreed_coder,
)
from surveys.auth import request_user
from surveys.errors import DomainError, shown_errors
from surveys.models import User


@login_required
def theme_index(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    return render(
        request,
        "reports/themes/index.html",
        {
            "questionnaire": questionnaire,
            "questions": free_text_questions(questionnaire),
        },
    )


@login_required
def theme_scheme(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    """The themes of one question: add, rename, reorder, remove; choose the
    fastställd coder."""
    user = request_user(request)
    question = get_free_text_question(user, questionnaire_id, variable)
    scheme = scheme_of(question)
    add_form = ThemeForm(prefix="ny")
    failed: dict[int, ThemeForm] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add":
            add_form = ThemeForm(request.POST, prefix="ny")
            if add_form.is_valid():
                with shown_errors(form=add_form) as outcome:
                    add_theme(
                        question,
                        name=add_form.cleaned_data["name"],
                        description=add_form.cleaned_data["description"],
                        actor=user,
                    )
                if outcome.ok:
                    messages.success(request, "Temat är tillagt.")
                    return redirect(request.path + "#teman")
            status = 400
        elif action == "change":
            theme = _theme_in(scheme, request.POST.get("theme", ""))
            form = ThemeForm(request.POST, prefix=f"t{theme.pk}")
            if form.is_valid():
                with shown_errors(form=form) as outcome:
                    change_theme(
                        theme,
                        name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"],
                        actor=user,
                    )
                if outcome.ok:
                    messages.success(request, f"Temat ”{theme.name}” är sparat.")
                    return redirect(request.path + "#teman")
            # The typed name stays on the theme's own form, with the reason.
            failed[theme.pk] = form
            status = 400
        else:
            with shown_errors(request):
                _scheme_action(request, action, scheme, user)
            return redirect(request.path + "#teman")
    themes = themes_in_use(scheme)
    return render(
        request,
        "reports/themes/scheme.html",
        {
            "question": question,
            "questionnaire": question.questionnaire,
            "scheme": scheme,
            "themes": [
                (
                    theme,
                    failed.get(theme.pk)
                    or ThemeForm(
                        prefix=f"t{theme.pk}",
                        initial={"name": theme.name, "description": theme.description},
                    ),
                )
                for theme in themes
            ],
            "add_form": add_form,
            "coders": coders_of(scheme),
            "events": recent_events(scheme),
        },
        status=status,
    )


def _theme_in(scheme: ThemeScheme | None, theme_id: str) -> Theme:
    """A theme in use of this scheme; Http404 for any other id."""
    theme = (
        Theme.objects.select_related("scheme")
        .filter(
            pk=int(theme_id) if theme_id.isdigit() else 0,
            scheme=scheme,
            removed_at__isnull=True,
        )
        .first()
        if scheme is not None
        else None
    )
    if theme is None:
        raise Http404("Temat finns inte.")
    return theme


def _scheme_action(
    request: HttpRequest, action: str, scheme: ThemeScheme | None, user: User
) -> None:
    if scheme is None:
        raise DomainError("Frågan har inga teman ännu.")
    if action == "agreed":
        coder_id = request.POST.get("coder", "")
        coder = User.objects.filter(pk=coder_id).first() if coder_id.isdigit() else None
        set_agreed_coder(scheme, coder=coder, actor=user)
        messages.success(request, "Den fastställda kodningen är vald.")
        return
    theme = _theme_in(scheme, request.POST.get("theme", ""))
    if action in ("up", "down"):
        move_theme(theme, up=action == "up", actor=user)
        messages.success(request, f"Temat ”{theme.name}” är flyttat.")
    elif action == "remove":
        remove_theme(theme, actor=user)
        messages.success(
            request,
            f"Temat ”{theme.name}” är borttaget. Kodningarna finns kvar i historiken.",
        )
    else:
        raise DomainError("Okänd åtgärd.")


@login_required
def theme_coding(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    """The coder's own coding of every answer: one form per answer, the answer text
    beside the themes. A save returns to the same answer, or with "Spara och gå
    till nästa obesvarade" to the next answer this coder has not coded."""
    user = request_user(request)
    question = get_free_text_question(user, questionnaire_id, variable)
    scheme = scheme_of(question)
    themes = themes_in_use(scheme)
    failed: CodingForm | None = None
    if request.method == "POST" and scheme is not None:
        form = CodingForm(request.POST, themes=themes)
        if form.is_valid():
            response = Response.objects.filter(
                pk=form.cleaned_data["response"], questionnaire=question.questionnaire
            ).first()
            with shown_errors(form=form) as outcome:
                if response is None:
                    raise DomainError("Svaret finns inte.")
                code_answer(
                    scheme,
                    response=response,
                    theme_ids=form.cleaned_data["themes"],
                    actor=user,
                )
            if outcome.ok:
                target: int | None = form.cleaned_data["response"]
                if "next" in request.POST:
                    rows = coding_rows(question, scheme, user)
                    target = next_uncoded(rows, after=target)
                # No flash message: the page marks the answer to go on with, and
                # focus.js moves focus there, so the next Tab is its first theme.
                return redirect(f"{request.path}?till={target or 'klart'}")
        failed = form
    rows = coding_rows(question, scheme, user)
    failed_id = failed.data.get("response") if failed is not None else None
    till = request.GET.get("till", "")
    return render(
        request,
        "reports/themes/coding.html",
        {
            "question": question,
            "questionnaire": question.questionnaire,
            "scheme": scheme,
            "themes": themes,
            "rows": rows,
            "n_coded": sum(1 for row in rows if row.coded),
            "next_uncoded": next_uncoded(rows, after=None),
            "failed": failed,
            "failed_id": int(failed_id) if failed_id and failed_id.isdigit() else None,
            "focus_id": int(till) if till.isdigit() else None,
            "saved": bool(till) and failed is None,
        },
        status=400 if failed is not None else 200,
    )


@login_required
def theme_agreement(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    """Where two coders disagree, and Cohen's κ and the percent agreement per theme."""
    user = request_user(request)
    question = get_free_text_question(user, questionnaire_id, variable)
    scheme = scheme_of(question)
    coders = coders_of(scheme)
    by_id = {str(c.pk): c for c in coders}
    coder_a = by_id.get(request.GET.get("a", "")) or (coders[0] if coders else None)
    coder_b = by_id.get(request.GET.get("b", "")) or next(
        (c for c in coders if c != coder_a), None
    )
    agreement = (
        coder_agreement(scheme, coder_a, coder_b)
        if scheme is not None and coder_a and coder_b and coder_a != coder_b
        else None
    )
    return render(
        request,
        "reports/themes/agreement.html",
        {
            "question": question,
            "questionnaire": question.questionnaire,
            "coders": coders,
            "coder_a": coder_a,
            "coder_b": coder_b,
            "agreement": agreement,
        },
    )


@login_required
def theme_table(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    user = request_user(request)
    question = get_free_text_question(user, questionnaire_id, variable)
    scheme = scheme_of(question)
    table = theme_counts(question, scheme)
    return render(
        request,
        "reports/themes/table.html",
        {
            "question": question,
            "questionnaire": question.questionnaire,
            "scheme": scheme,
            "table": table,
            "chart": theme_chart(table),
            "chart_source": source_line(question.questionnaire),
        },
    )


@login_required
def theme_chart_png(
    request: HttpRequest, questionnaire_id: int, variable: str
) -> HttpResponse:
    """The counts page's chart as a PNG."""
    user = request_user(request)
    question = get_free_text_question(user, questionnaire_id, variable)
    chart = theme_chart(theme_counts(question, scheme_of(question)))
    if chart is None:
        raise Http404("Diagrammet finns inte ännu: ingen kodning är fastställd.")
    response = HttpResponse(
        bar_chart_png(theme_chart_data(chart, question)), content_type="image/png"
    )
    name = f"teman-{question.questionnaire.cycle.year}-{question.variable}.png"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def theme_quotes(
    request: HttpRequest, questionnaire_id: int, variable: str, fmt: str
) -> HttpResponse:
    """The themes with the quote of each organisation, as CSV or xlsx."""
    user = request_user(request)
    question = get_free_text_question(user, questionnaire_id, variable)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Formatet finns inte.")
    scheme = scheme_of(question)
    name = f"teman-{question.questionnaire.cycle.year}-{question.variable}"
    if fmt == "csv":
        response = HttpResponse(
            quotes_csv(question, scheme), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            quotes_xlsx(question, scheme),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
