"""Staff pages of the reports app (docs/conventions.md §4: thin views; the gateway in
`reports.permissions` decides access, forms parse, selectors and services do the
rest; each page makes a fixed number of queries whatever the number of
respondents):

- per cycle and questionnaire, the questions with their bases; per question, the
  tables at a chosen level with a bar chart;
- the kvalitetsdeklaration per cycle, its texts edited under an optimistic lock,
  and its downloads;
- importing raw data (check, preview, confirm);
- exports: request, follow, download. The list works without JavaScript (reload
  to see progress); reports/static/reports/exports.js polls the JSON status of
  running jobs and updates their progress bars in place.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from intake.services import StaleResponseError, correct_answer
from reports.charts import bar_chart_png
from reports.export_kinds import png_name
from reports.exporters import FORMATS, export_kinds, get_kind
from reports.exports.jobs import request_export
from reports.forms import (
    CorrectionForm,
    ExportRequestForm,
    ImportForm,
    KvalitetsdeklarationForm,
    ReportOptionsForm,
    SelectionForm,
)
from reports.imports.importing import RawDataImportError
from reports.imports.jobs import (
    confirm_import,
    import_responses,
    imports_in_worker,
    request_import,
)
from reports.kvalitetsdeklaration.figures import (
    ComputedDeclaration,
    compute_kvalitetsdeklaration,
)
from reports.kvalitetsdeklaration.outline import field_text, outline
from reports.kvalitetsdeklaration.services import (
    StaleKvalitetsdeklarationError,
    create_kvalitetsdeklaration,
    previous_kvalitetsdeklaration,
    update_kvalitetsdeklaration,
)
from reports.kvalitetsdeklaration.writers import (
    DOCX_CONTENT_TYPE,
    kvalitetsdeklaration_docx,
    write_kvalitetsdeklaration_sheet,
)
from reports.layouts import (
    Rounding,
    frequency_table,
    group_table,
    number_table,
    organisation_table,
)
from reports.models import (
    ExportJob,
    ExportStatus,
    ImportJob,
    Kvalitetsdeklaration,
    KvalitetsdeklarationChange,
)
from reports.permissions import (
    get_cycle_for_staff,
    get_export_job_for_user,
    get_questionnaire_for_report,
    get_response_for_review,
    require_report_access,
    require_staff,
)
from reports.plausibility import plausibility_review
from reports.selectors import export_jobs_for_list
from reports.tabulation.counts import tabulate
from reports.tabulation.results import PRELIMINARY_NOTE, Level, Selection, Tabulation
from reports.workbook import (
    chart_data,
    page_charts,
    sheet_name,
    source_line,
    write_question_sheet,
)
from surveys.auth import request_user
from surveys.errors import DomainError, shown_errors
from surveys.formatting import swedish_percent_of
from surveys.models import (
    RSS,
    Cycle,
    OrganisationKind,
    QuestionKind,
    Questionnaire,
    User,
)
from surveys.selectors import cycles_with_questionnaires
from surveys.sheet_text import harden_workbook

OWN_LEVEL: dict[str, Level] = {
    OrganisationKind.REGION: Level.REGION,
    OrganisationKind.RSS: Level.RSS,
    OrganisationKind.KOMMUN: Level.KOMMUN,
}


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


@login_required
def questionnaire_review(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    """Granskning: the number answers a plausibility check flags, and staff's
    corrections of them with a reason (also in submitted responses, which stay
    submitted). Staff only (404 for everyone else)."""
    user = request_user(request)
    questionnaire = get_questionnaire_for_report(user, questionnaire_id)
    failed: CorrectionForm | None = None
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid() and _correct(user, questionnaire, form):
            messages.success(
                request, "Svaret är rättat. Historiken behåller det angivna värdet."
            )
            return redirect("reports:questionnaire-review", questionnaire.pk)
        failed = form
    review = plausibility_review(questionnaire)
    rows = [
        {
            "flagged": flagged,
            "form": failed
            if failed is not None and _form_key(failed) == flagged.key
            else CorrectionForm(
                initial={
                    "response": flagged.response_id,
                    "variable": flagged.question.variable,
                    "version": flagged.response_version,
                },
                auto_id=f"id_{flagged.key}_%s",
            ),
        }
        for flagged in review.flagged
    ]
    return render(
        request,
        "reports/review.html",
        {
            "questionnaire": questionnaire,
            "review": review,
            "rows": rows,
            "failed": failed,
            "failed_elsewhere": failed is not None
            and all(row["form"] is not failed for row in rows),
        },
        status=400 if failed is not None else 200,
    )


def _form_key(form: CorrectionForm) -> str:
    return f"{form.data.get('response', '')}-{form.data.get('variable', '')}"


def _correct(user: User, questionnaire: Questionnaire, form: CorrectionForm) -> bool:
    """Correct through the service; on a refusal the reason goes onto the form."""
    data = form.cleaned_data
    response = get_response_for_review(user, questionnaire, data["response"])
    try:
        correct_answer(
            response,
            actor=user,
            variable=data["variable"],
            value=form.corrected_value(),
            reason=data["reason"],
            expected_version=data["version"],
        )
    except StaleResponseError as exc:
        form.add_error(
            None,
            "Någon annan har ändrat svaren sedan sidan lästes in. Rättningen är inte "
            "sparad; se det aktuella värdet nedan och rätta igen om det behövs.",
        )
        # The typed correction stays; sending it again is based on what is shown.
        if isinstance(form.data, QueryDict):
            data = form.data.copy()
            data["version"] = str(exc.current_version)
            form.data = data
    except DomainError as exc:
        form.add_error(None, exc.message)
    except ValidationError as exc:
        for key, errors in exc.message_dict.items():
            for error in errors:
                form.add_error("reason" if key == "reason" else "value", error)
    else:
        return True
    return False


def _rate(tabulation: Tabulation) -> str:
    return swedish_percent_of(tabulation.respondents, tabulation.frame)


@dataclass(frozen=True)
class ReportOptions:
    level: Level = Level.RIKET
    rss: RSS | None = None
    rounding: Rounding = Rounding.HALF_UP
    selection: Selection = Selection.SUBMITTED


def _report_options(
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


def _tabulate_question(
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
    form, options = _report_options(request, questionnaire)
    level, rss, rounding = options.level, options.rss, options.rounding
    tabulation = _tabulate_question(
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
            riket = _tabulate_question(
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
        for index, chart in enumerate(page_charts(question, level=level), start=1)
    ]
    context["tables_xlsx_url"] = (
        reverse("reports:question-xlsx", args=[questionnaire.pk, variable]) + query
        if tabulated
        else ""
    )
    context["tabulated"] = tabulated
    return render(request, "reports/question.html", context)


@login_required
def question_chart_png(
    request: HttpRequest, questionnaire_id: int, variable: str, index: int
) -> HttpResponse:
    """One of the question page's charts as a PNG (`index` from 1, page order)."""
    questionnaire = get_questionnaire_for_report(
        request_user(request), questionnaire_id
    )
    _, options = _report_options(request, questionnaire)
    level = options.level
    question = _tabulate_question(questionnaire, variable, level=level, options=options)
    charts = page_charts(question.questions[0], level=level)
    if not 1 <= index <= len(charts) or not charts[index - 1].bars:
        raise Http404("Diagrammet finns inte.")
    ref = question.questions[0].question
    data = chart_data(
        charts[index - 1],
        source=source_line(questionnaire, options.selection),
        value_format="count" if ref.is_number else "percent",
        category_title="" if level == Level.RIKET else str(level.label),
    )
    return _attachment(
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
    _, options = _report_options(request, questionnaire)
    level, rss, rounding = options.level, options.rss, options.rounding
    riket = _tabulate_question(
        questionnaire, variable, level=Level.RIKET, options=options
    )
    grouped = (
        _tabulate_question(questionnaire, variable, level=level, options=options)
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
    return _attachment(
        buffer.getvalue(),
        XLSX_CONTENT_TYPE,
        f"{questionnaire.cycle.year}-{questionnaire.key}-{number}.xlsx",
    )


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


HISTORY_SHOWN = 50


@login_required
def kvalitetsdeklaration_edit(request: HttpRequest, year: int) -> HttpResponse:
    user = request_user(request)
    cycle = get_cycle_for_staff(user, year=year)
    deklaration = (
        Kvalitetsdeklaration.objects.select_related("prefilled_from__cycle")
        .filter(cycle=cycle)
        .first()
    )
    if deklaration is None:
        if request.method == "POST":
            messages.error(
                request, "Skapa kvalitetsdeklarationen innan du sparar text."
            )
            return redirect("reports:kvalitetsdeklaration-edit", year=year)
        return _render(request, cycle, None, None)
    if request.method != "POST":
        return _render(
            request, cycle, deklaration, KvalitetsdeklarationForm(instance=deklaration)
        )

    form = KvalitetsdeklarationForm(request.POST, instance=deklaration)
    if not form.is_valid():
        return _render(request, cycle, deklaration, form, status=400)
    seen = form.cleaned_data["version"]
    try:
        update_kvalitetsdeklaration(
            deklaration, actor=user, values=form.text_values(), expected_version=seen
        )
    except StaleKvalitetsdeklarationError as exc:
        form.add_error(None, exc.message)
        # The typed text stays; the next save is based on the current version.
        data = request.POST.copy()
        data["version"] = str(exc.current_version)
        form.data = data
        conflict = list(
            deklaration.changes.filter(version__gt=seen).select_related("changed_by")
        )
        return _render(request, cycle, deklaration, form, conflict=conflict, status=409)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render(request, cycle, deklaration, form, status=400)
    messages.success(request, "Kvalitetsdeklarationen är sparad.")
    return redirect("reports:kvalitetsdeklaration-edit", year=year)


def _render(
    request: HttpRequest,
    cycle: Cycle,
    deklaration: Kvalitetsdeklaration | None,
    form: KvalitetsdeklarationForm | None,
    *,
    conflict: list[KvalitetsdeklarationChange] | None = None,
    status: int = 200,
) -> HttpResponse:
    computed = compute_kvalitetsdeklaration(cycle)
    shown = deklaration or Kvalitetsdeklaration(cycle=cycle)
    history = (
        list(
            deklaration.changes.select_related("changed_by").order_by(
                "-changed_at", "-pk"
            )[:HISTORY_SHOWN]
        )
        if deklaration
        else []
    )
    return render(
        request,
        "reports/kvalitetsdeklaration.html",
        {
            "cycle": cycle,
            "computed": computed,
            "deklaration": deklaration,
            "previous": None if deklaration else previous_kvalitetsdeklaration(cycle),
            "form": form,
            "chapters": _chapters(computed, shown, form),
            "conflict": conflict or [],
            "history": history,
        },
        status=status,
    )


def _chapters(
    computed: ComputedDeclaration,
    deklaration: Kvalitetsdeklaration,
    form: KvalitetsdeklarationForm | None,
) -> list[dict[str, Any]]:
    """The outline with, per part, the bound form fields (or the texts to read)."""
    chapters = []
    for chapter in outline(computed):
        parts = []
        for part in chapter.parts:
            parts.append(
                {
                    "part": part,
                    "own_heading": (part.number, part.title)
                    != (chapter.number, chapter.title),
                    "fields": [form[f] for f in part.fields] if form else [],
                    "texts": [
                        field_text(deklaration, f, computed) for f in part.fields
                    ],
                }
            )
        chapters.append({"chapter": chapter, "parts": parts})
    return chapters


@login_required
@require_POST
def kvalitetsdeklaration_create(request: HttpRequest, year: int) -> HttpResponse:
    user = request_user(request)
    cycle = get_cycle_for_staff(user, year=year)
    with shown_errors(request) as outcome:
        deklaration = create_kvalitetsdeklaration(cycle, actor=user)
    if outcome.ok:
        if deklaration.prefilled_from:
            messages.success(
                request,
                "Kvalitetsdeklarationen är skapad med texterna från "
                f"{deklaration.prefilled_from.cycle.year}. Granska dem.",
            )
        else:
            messages.success(
                request, "Kvalitetsdeklarationen är skapad med standardtexterna."
            )
    return redirect("reports:kvalitetsdeklaration-edit", year=year)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def kvalitetsdeklaration_docx_download(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_staff(request_user(request), year=year)
    return _attachment(
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
    return _attachment(
        buffer.getvalue(), XLSX_CONTENT_TYPE, f"kvalitetsdeklaration-{cycle.year}.xlsx"
    )


SESSION_KEY = "reports_import"


def _staff(request: HttpRequest) -> User:
    """Staff only; anyone else gets 404, as for anything outside their scope."""
    user = request.user
    if not isinstance(user, User) or not user.is_staff_member:
        raise Http404("Sidan finns inte.")
    return user


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload and check a file; a valid one is kept in the session for confirm."""
    user = _staff(request)
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    context: dict[str, object] = {"form": form}
    if posted and form.is_valid():
        questionnaire: Questionnaire = form.cleaned_data["questionnaire"]
        upload = form.cleaned_data["file"]
        content = upload.read()
        submit = form.cleaned_data["submit"]
        if imports_in_worker(len(content)):
            job = request_import(
                questionnaire,
                content,
                actor=user,
                file_name=upload.name,
                submit=submit,
            )
            return redirect("reports:import-job", pk=job.pk)
        try:
            summary = import_responses(
                questionnaire, content, actor=user, submit=submit, dry_run=True
            )
        except RawDataImportError as exc:
            context["errors"] = exc.errors
            context["error_title"] = exc.message
        else:
            request.session[SESSION_KEY] = {
                "questionnaire": questionnaire.pk,
                "name": upload.name,
                "submit": submit,
                "content": base64.b64encode(content).decode("ascii"),
            }
            context.update(
                summary=summary, questionnaire=questionnaire, file_name=upload.name
            )
    return render(request, "reports/import.html", context)


@login_required
def import_confirm(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if request.method != "POST":
        return redirect("reports:import-upload")
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.error(request, "Det finns ingen kontrollerad fil att läsa in.")
        return redirect("reports:import-upload")
    questionnaire = Questionnaire.objects.select_related("cycle").get(
        pk=pending["questionnaire"]
    )
    try:
        summary = import_responses(
            questionnaire,
            base64.b64decode(pending["content"]),
            actor=user,
            file_name=pending["name"],
            submit=pending["submit"],
        )
    except RawDataImportError as exc:
        # The stored answers changed since the check (e.g. a response was submitted).
        del request.session[SESSION_KEY]
        return render(
            request,
            "reports/import.html",
            {"form": ImportForm(), "errors": exc.errors, "error_title": exc.message},
        )
    del request.session[SESSION_KEY]
    messages.success(
        request,
        f"{summary.rows} svar lästes in i {questionnaire} "
        f"({summary.new_responses} nya, {summary.updated_responses} ändrade, "
        f"{summary.submitted} inskickade).",
    )
    return redirect("reports:import-upload")


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A large file's check or import in the worker: the page reloads itself
    until the job is done, then shows the result (and, after the check, the
    confirm button)."""
    _staff(request)
    job = get_object_or_404(
        ImportJob.objects.select_related("questionnaire__cycle"), pk=pk
    )
    return render(
        request,
        "reports/import_job.html",
        {
            "job": job,
            "waiting": job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
        },
    )


@login_required
def import_job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    job = get_object_or_404(ImportJob, pk=pk)
    if request.method == "POST":
        try:
            confirm_import(job, actor=user)
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("reports:import-job", pk=job.pk)


def _kind_label(job: ExportJob) -> str:
    kind = get_kind(job.kind)
    return kind.label if kind else job.kind


def _format_label(job: ExportJob) -> str:
    file_format = FORMATS.get(job.format)
    return file_format.label if file_format else job.format


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    user = require_staff(request_user(request))
    form = ExportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with shown_errors(form=form) as outcome:
            job = request_export(
                form.cleaned_data["target"],
                actor=user,
                kind=form.cleaned_data["kind"],
                format=form.cleaned_data["format"],
                options=form.cleaned_data["options"],
            )
        if outcome.ok:
            messages.success(
                request,
                f"Exporten är beställd ({_kind_label(job)}, {_format_label(job)}).",
            )
            return redirect("reports:export-list")
    jobs: list[dict[str, Any]] = [
        {"job": job, "kind": _kind_label(job), "format": _format_label(job)}
        for job in export_jobs_for_list()
    ]
    return render(
        request,
        "reports/export_list.html",
        {"form": form, "jobs": jobs, "kinds": export_kinds()},
    )


@login_required
def export_status(request: HttpRequest, job_id: int) -> JsonResponse:
    job = get_export_job_for_user(request_user(request), job_id)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "message": job.progress_message,
            "error": job.error,
            "active": job.is_active,
            "download_url": reverse("reports:export-download", args=[job.pk])
            if job.has_file
            else None,
        }
    )


@login_required
def export_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = get_export_job_for_user(request_user(request), job_id)
    if not job.has_file:
        raise Http404("Exporten har ingen fil (den är inte klar eller har rensats).")
    try:
        stream = job.file.open("rb")
    except OSError:
        raise Http404("Filen finns inte längre. Beställ exporten igen.") from None
    file_format = FORMATS.get(job.format)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=job.file_name or "export",
        content_type=file_format.content_type if file_format else None,
    )
