"""The Excel channel of kommun questionnaires: download a copy, upload it back,
preview the changes and confirm (issue #4, part B).

Thin views (docs/conventions.md §4): the gateway decides access (404 outside scope), the
workbook module reads and writes files, the service saves. The answers read from
an upload are kept in the session between preview and confirm, never taken back
from the browser; the confirm carries only the version the preview showed, the
optimistic lock's input.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from intake.excel.grid import WorkbookError
from intake.excel.layout import describe_condition
from intake.excel.preview import preview_workbook_values
from intake.excel.reader import max_upload_bytes, read_kommun_workbook
from intake.excel.writer import WorkbookContext, build_kommun_workbook
from intake.forms import WorkbookUploadForm
from intake.models import Response, ResponseStatus
from intake.permissions import (
    ResponseAccess,
    get_response_access,
    get_rss_status_access,
)
from intake.selectors import answer_cells, cells_by_response, questions_of
from intake.services.excel_import import import_kommun_workbook
from intake.services.saving import StaleResponseError
from intake.writable import refusal
from surveys.auth import request_user
from surveys.deadlines import deadline_for, deadlines_for
from surveys.errors import DomainError
from surveys.models import Organisation, OrganisationKind, Questionnaire
from surveys.selectors import kommuner_of_rss, rss_of_kommun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOCKED = "Enkäten är inskickad och låst, så ingen fil kan laddas upp. Be Socialstyrelsen öppna den igen."
# Room for the multipart envelope around the file itself.
ENVELOPE_BYTES = 64 * 1024


def _kommun_access(
    request: HttpRequest, questionnaire_id: int, organisation_id: int, *, write: bool
) -> ResponseAccess:
    access = get_response_access(
        request_user(request),
        questionnaire_id=questionnaire_id,
        organisation_id=organisation_id,
        for_write=write,
    )
    if access.questionnaire.audience != OrganisationKind.KOMMUN:
        raise Http404("Enkäten har ingen Excel-kopia.")
    return access


def _args(access: ResponseAccess) -> list[int]:
    return [access.questionnaire.pk, access.organisation.pk]


def _session_key(access: ResponseAccess) -> str:
    # One pending upload per questionnaire and kommun: a new upload replaces it.
    return f"excel-upload:{access.questionnaire.pk}:{access.organisation.pk}"


def _locked(access: ResponseAccess) -> bool:
    return (
        access.response is not None
        and access.response.status == ResponseStatus.SUBMITTED
    )


def _return_to(rss: Organisation | None) -> str:
    if rss is None:
        return "den regionala samverkans- och stödstrukturen (RSS) i länet"
    return rss.name + (f" ({rss.email})" if rss.email else "")


def _workbook_name(questionnaire: Questionnaire, kommun: Organisation) -> str:
    return slugify(
        f"{questionnaire.key} {questionnaire.cycle.year} {kommun.code} {kommun.name}"
    )


@login_required
def excel_download(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> HttpResponse:
    access = _kommun_access(request, questionnaire_id, organisation_id, write=False)
    questionnaire, kommun = access.questionnaire, access.organisation
    return_to = _return_to(rss_of_kommun(kommun, year=questionnaire.cycle.year))
    content = build_kommun_workbook(
        questionnaire,
        organisation=kommun,
        questions=questions_of(questionnaire),
        cells=answer_cells(access.response),
        context=WorkbookContext(
            return_to=return_to,
            upload_url=request.build_absolute_uri(
                reverse("intake:excel-upload", args=_args(access))
            ),
            downloaded_on=timezone.localdate(),
            closes_on=deadline_for(access.questionnaire, access.organisation).closes_on,
        ),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="{_workbook_name(questionnaire, kommun)}.xlsx"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def rss_excel_all(
    request: HttpRequest, rss_id: int, questionnaire_id: int
) -> HttpResponse:
    """A zip with every member kommun's Excel copy, its current answers filled in,
    for an RSS that sends the files out itself. Same access as the RSS status
    page. A fixed number of queries whatever the number of kommuner: the
    kommuner, their responses, all their answers, the questions."""
    access = get_rss_status_access(
        request_user(request), rss_id=rss_id, questionnaire_id=questionnaire_id
    )
    questionnaire, rss = access.questionnaire, access.rss
    kommuner = list(kommuner_of_rss(rss, year=access.year).order_by("code"))
    responses = {
        r.organisation_id: r
        for r in Response.objects.filter(
            questionnaire=questionnaire, organisation__in=kommuner
        )
    }
    cells = cells_by_response(responses.values())
    questions = questions_of(questionnaire)
    today = timezone.localdate()
    deadlines = deadlines_for((questionnaire, kommun) for kommun in kommuner)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kommun in kommuner:
            response = responses.get(kommun.pk)
            content = build_kommun_workbook(
                questionnaire,
                organisation=kommun,
                questions=questions,
                cells=cells.get(response.pk, {}) if response else {},
                context=WorkbookContext(
                    return_to=_return_to(rss),
                    upload_url=request.build_absolute_uri(
                        reverse(
                            "intake:excel-upload", args=[questionnaire.pk, kommun.pk]
                        )
                    ),
                    downloaded_on=today,
                    closes_on=deadlines[(questionnaire.pk, kommun.pk)].closes_on,
                ),
            )
            archive.writestr(f"{_workbook_name(questionnaire, kommun)}.xlsx", content)
    name = slugify(f"{questionnaire.key} {questionnaire.cycle.year} {rss.name}")
    zipped = HttpResponse(buffer.getvalue(), content_type="application/zip")
    zipped["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    zipped["Cache-Control"] = "private, no-store"
    return zipped


@login_required
def excel_upload(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> HttpResponse:
    access = _kommun_access(request, questionnaire_id, organisation_id, write=True)
    if _locked(access):
        return _render_upload(request, access, None, problems=[LOCKED], status=409)
    closed = refusal(access.questionnaire, access.organisation)
    if closed is not None:
        return _render_upload(request, access, None, problems=[closed], status=409)
    if request.method != "POST":
        return _render_upload(request, access, WorkbookUploadForm())
    # Refuse a huge body before Django spools it to disk.
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > max_upload_bytes() + ENVELOPE_BYTES:
        limit = f"{max_upload_bytes() / 1_000_000:.1f}".replace(".", ",")
        return _render_upload(
            request,
            access,
            WorkbookUploadForm(),
            problems=[f"Filen är för stor. Största tillåtna storlek är {limit} MB."],
            status=400,
        )
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_upload(request, access, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        values = read_kommun_workbook(
            upload,
            questionnaire=access.questionnaire,
            organisation=access.organisation,
        )
    except WorkbookError as exc:
        return _render_upload(
            request, access, form, problems=[str(p) for p in exc.problems], status=400
        )
    token = secrets.token_urlsafe(16)
    request.session[_session_key(access)] = {
        "token": token,
        "values": values,
        "filename": str(upload.name)[:200],
    }
    return redirect("intake:excel-preview", *_args(access), token)


def _render_upload(
    request: HttpRequest,
    access: ResponseAccess,
    form: WorkbookUploadForm | None,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    limit = f"{max_upload_bytes() / 1_000_000:.1f}".replace(".", ",")
    return render(
        request,
        "intake/excel_upload.html",
        {
            "access": access,
            "form": form,
            "problems": problems or [],
            "limit": limit,
        },
        status=status,
    )


@login_required
def excel_preview(
    request: HttpRequest, questionnaire_id: int, organisation_id: int, token: str
) -> HttpResponse:
    access = _kommun_access(request, questionnaire_id, organisation_id, write=True)
    pending: dict[str, Any] | None = request.session.get(_session_key(access))
    if not pending or not secrets.compare_digest(str(pending.get("token")), token):
        messages.warning(
            request,
            "Förhandsgranskningen finns inte längre (den har ersatts eller redan "
            "sparats). Ladda upp filen igen.",
        )
        return redirect("intake:excel-upload", *_args(access))
    if _locked(access):
        return _render_upload(request, access, None, problems=[LOCKED], status=409)
    closed = refusal(access.questionnaire, access.organisation)
    if closed is not None:
        return _render_upload(request, access, None, problems=[closed], status=409)
    error = ""
    status = 200
    if request.method == "POST":
        version = str(request.POST.get("version", ""))
        if not version.isdigit():
            error = "Sidan saknar uppgift om vilken version du granskade. Granska ändringarna och bekräfta igen."
            status = 400
        else:
            try:
                import_kommun_workbook(
                    access.questionnaire,
                    organisation=access.organisation,
                    actor=request_user(request),
                    values=pending["values"],
                    expected_version=int(version),
                    filename=pending.get("filename", ""),
                )
            except StaleResponseError as exc:
                error = f"{exc.message} Ändringarna nedan är beräknade på nytt; granska dem och bekräfta igen."
                status = 409
                access = _kommun_access(
                    request, questionnaire_id, organisation_id, write=True
                )
            except ValidationError:
                return _expired(request, access)
            except DomainError as exc:
                return _render_upload(
                    request, access, None, problems=[exc.message], status=409
                )
            else:
                del request.session[_session_key(access)]
                messages.success(request, "Svaren från Excel-filen är sparade.")
                return redirect("intake:response-edit", *_args(access))
    questions = questions_of(access.questionnaire)
    try:
        items = preview_workbook_values(
            questions, answer_cells(access.response), pending["values"]
        )
    except ValidationError:
        return _expired(request, access)
    by_variable = {q.variable: q for q in questions}
    return render(
        request,
        "intake/excel_preview.html",
        {
            "access": access,
            "token": token,
            "filename": pending.get("filename", ""),
            "version": access.response.version if access.response else 0,
            "items": items,
            "changed": sum(1 for i in items if i.changed),
            "not_applicable": [
                {
                    "item": i,
                    "condition": describe_condition(
                        i.question.display_condition, by_variable
                    ),
                }
                for i in items
                if i.not_applicable
            ],
            "missing": [i for i in items if i.missing],
            "error": error,
        },
        status=status,
    )


def _expired(request: HttpRequest, access: ResponseAccess) -> HttpResponse:
    """The questionnaire was reloaded since the upload: its values may not fit."""
    request.session.pop(_session_key(access), None)
    messages.warning(
        request,
        "Enkäten har ändrats sedan filen laddades upp. Inget har sparats; hämta en ny "
        "kopia och ladda upp den.",
    )
    return redirect("intake:excel-upload", *_args(access))
