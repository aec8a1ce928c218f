"""Importing raw data (staff only): upload and check, preview, confirm. A small
file is checked in the request and kept in the session until confirmed; a
large one is checked and imported by a job in the worker, whose page reloads
itself until it is done."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from reports.forms import ImportForm
from reports.imports.jobs import (
    confirm_import,
    import_responses,
    imports_in_worker,
    request_import,
)
from reports.imports.reading import RawDataImportError
from reports.models import ExportStatus, ImportJob
from surveys.errors import shown_errors
from surveys.models import Questionnaire, User

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
        historical = form.cleaned_data["historical"]
        if imports_in_worker(len(content)):
            job = request_import(
                questionnaire,
                content,
                actor=user,
                file_name=upload.name,
                submit=submit,
                historical=historical,
            )
            return redirect("reports:import-job", pk=job.pk)
        try:
            summary = import_responses(
                questionnaire,
                content,
                actor=user,
                submit=submit,
                historical=historical,
                dry_run=True,
            )
        except RawDataImportError as exc:
            context["errors"] = exc.errors
            context["error_title"] = exc.message
        else:
            request.session[SESSION_KEY] = {
                "questionnaire": questionnaire.pk,
                "name": upload.name,
                "submit": submit,
                "historical": historical,
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
            historical=pending.get("historical", False),
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
        with shown_errors(request):
            confirm_import(job, actor=user)
    return redirect("reports:import-job", pk=job.pk)
