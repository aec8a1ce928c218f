"""Exports: request, follow, download. The list works without JavaScript (reload
to see progress); reports/static/reports/exports.js polls the JSON status of
running jobs and updates their progress bars in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reports.exporters import FORMATS, export_kinds, get_kind
from reports.exports.files import export_file_response
from reports.exports.jobs import request_export
from reports.forms import ExportRequestForm
from reports.models import ExportJob
from reports.permissions import get_export_job_for_user, require_staff
from reports.selectors import export_jobs_for_list
from surveys.auth import request_user
from surveys.errors import shown_errors


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
    return export_file_response(get_export_job_for_user(request_user(request), job_id))
