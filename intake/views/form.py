"""The respondent's questionnaire pages: the list of one's questionnaires, the
form (GET, and the POST of "Spara" / "Skicka in"), and the visibility check the
form asks for while the user types.

Thin views (docs/conventions.md §4): the gateway decides access, the form parses, the
services write. The server alone decides which follow-up questions are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from intake.consolidation.limits import CountsAboveBaseError
from intake.consolidation.live import adjustment_cells, consolidation_for
from intake.consolidation.results import Consolidation
from intake.consolidation.stale import (
    n_stale_consolidations,
    stale_for,
)
from intake.forms import (
    CollisionView,
    ResponseForm,
    first_field,
    question_blocks,
)
from intake.fragments import (
    keep_body,
    page_key,
    render_blocks,
    render_body,
    shared_body,
)
from intake.models import Response, ResponseStatus
from intake.permissions import (
    ResponseAccess,
    answerable_pairs,
    get_response_access,
    rss_status_pages,
)
from intake.selectors import (
    answer_cells,
    cells_by_response,
    missing_required_answers,
    plausibility_notices,
    progress,
    questions_of,
    responses_for_pairs,
    shown_questions,
    structure_key,
)
from intake.services.lifecycle import (
    submit_response,
)
from intake.services.values import cells_for
from intake.views.saving import (
    DRAFT_SAVED,
    _add_question_errors,
    _collision_views,
    _kept_message,
    _save_posted,
    _saved_message,
    after_save,
)
from intake.writable import refusal
from surveys.auth import request_user
from surveys.deadlines import deadline_for, deadlines_for
from surveys.errors import DomainError
from surveys.http import json_post, posted_form
from surveys.models import QuestionnaireState


@login_required
def response_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    pairs = answerable_pairs(user)
    responses = responses_for_pairs((q.pk, o.pk) for q, o in pairs)
    cells = cells_by_response(responses.values())
    questions = {q.pk: questions_of(q) for q in {q for q, _ in pairs}}
    deadlines = deadlines_for(pairs)
    rows = []
    archive = []
    for questionnaire, organisation in pairs:
        response = responses.get((questionnaire.pk, organisation.pk))
        row = {
            "questionnaire": questionnaire,
            "organisation": organisation,
            "response": response,
            "status": response.get_status_display()
            if response
            else ResponseStatus.NOT_STARTED.label,
            "state": questionnaire.state,
            "deadline": deadlines[(questionnaire.pk, organisation.pk)],
            "progress": progress(
                questions[questionnaire.pk],
                cells.get(response.pk, {}) if response else {},
            ),
        }
        # Closed questionnaires (earlier cycles) are a record, not work to do.
        if questionnaire.state == QuestionnaireState.CLOSED:
            archive.append(row)
        else:
            rows.append(row)
    return render(
        request,
        "intake/response_list.html",
        {
            "rows": rows,
            "archive": archive,
            "rss_pages": rss_status_pages(user),
            "n_stale": n_stale_consolidations() if user.is_staff_member else None,
        },
    )


@login_required
def response_edit(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> HttpResponse:
    user = request_user(request)
    access = get_response_access(
        user,
        questionnaire_id=questionnaire_id,
        organisation_id=organisation_id,
        for_write=request.method == "POST",
    )
    questions = questions_of(access.questionnaire)
    # A posted form shows what was posted, and the save reads the stored answers
    # under its lock (intake.merge): they fill only the page of a GET.
    cells = answer_cells(access.response) if request.method != "POST" else {}
    version = access.response.version if access.response else 0
    contact = _contact(access.response)
    # An RSS questionnaire: live counts and texts of the kommuner (issue #4).
    consolidation = consolidation_for(
        access.questionnaire,
        access.organisation,
        response=access.response,
        questions=questions,
    )
    form_cells = {**cells, **adjustment_cells(access.response, questions)}
    counts = consolidation.counts if consolidation else None
    if request.method != "POST":
        form = ResponseForm(
            questions,
            key=structure_key(access.questionnaire),
            answers=form_cells,
            version=version,
            contact=contact,
            counts=counts,
        )
        return _render_form(
            request,
            access,
            form,
            shown_questions(questions, cells),
            consolidation=consolidation,
            notice_cells=cells,
        )

    form = ResponseForm(
        questions,
        key=structure_key(access.questionnaire),
        answers=form_cells,
        version=version,
        contact=contact,
        data=request.POST,
        counts=counts,
    )
    missing: list[Any] = []
    outcome = _save_posted(user, access, form)
    saved = outcome.saved
    if saved is not None:
        if saved.kept:
            messages.info(request, _kept_message(form, saved.kept))
        if form.errors:
            messages.warning(request, _saved_message(form, saved))
        elif request.POST.get("action") == "submit" and not saved.kept:
            missing = missing_required_answers(saved.response)
            if not missing:
                try:
                    submit_response(
                        saved.response,
                        actor=user,
                        expected_version=saved.response.version,
                    )
                except CountsAboveBaseError as exc:
                    # Adjusted counts that no longer fit the kommuner who have
                    # answered: said at the top and beside each question.
                    form.add_error(None, exc.message)
                    _add_question_errors(form, exc.problems)
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, "Enkäten är inskickad. Tack!")
                    return redirect(_url("intake:response-receipt", access))
        else:
            # The page's script clears the browser's copy of unsaved input on
            # this message (extra tag "sparat").
            messages.success(request, DRAFT_SAVED, extra_tags="sparat")
            return redirect(_url("intake:response-edit", access))
    posted_cells = _posted_cells(form)
    if saved is not None:
        # Shown again: the form as the next save should post it. Not worked out
        # for a save that redirects (issue #20).
        form.data = after_save(form, request.POST, saved)
        # Others' answers now in the form decide the follow-ups shown, too.
        by_variable = {q.variable: q.pk for q in questions}
        for variable in saved.kept:
            posted_cells[by_variable[variable]] = saved.stored.get(variable, {})
    return _render_form(
        request,
        access,
        form,
        shown_questions(questions, posted_cells),
        collisions=_collision_views(form, saved, posted_cells),
        missing=missing,
        status=400 if form.errors or missing else 200,
        consolidation=consolidation,
        # What was just saved: the valid answers as posted.
        notice_cells=posted_cells if saved is not None else None,
    )


def _contact(response: Response | None) -> dict[str, str]:
    if response is None:
        return {}
    return {
        "contact_name": response.contact_name,
        "contact_email": response.contact_email,
        "contact_phone": response.contact_phone,
    }


def _posted_cells(form: ResponseForm) -> dict[int, Any]:
    """The answers as posted (valid ones), to decide what to show on re-render."""
    cleaned = getattr(form, "cleaned_data", {}) or {}
    cells: dict[int, Any] = {}
    for question in form.questions:
        try:
            cells[question.pk] = cells_for(question, form.raw_value(question, cleaned))
        except ValidationError:  # an invalid value simply shows no new follow-up
            continue
    return cells


CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
MISSING_ANSWER = "Svara på frågan innan du skickar in enkäten."


def _url(name: str, access: ResponseAccess) -> str:
    return reverse(name, args=[access.questionnaire.pk, access.organisation.pk])


def _render_form(
    request: HttpRequest,
    access: ResponseAccess,
    form: ResponseForm,
    shown: set[int],
    *,
    collisions: dict[str, CollisionView] | None = None,
    missing: list[Any] | None = None,
    status: int = 200,
    consolidation: Consolidation | None = None,
    notice_cells: dict[int, Any] | None = None,
) -> HttpResponse:
    locked = (
        access.response is not None
        and access.response.status == ResponseStatus.SUBMITTED
    )
    # Why the organisation cannot write now (closed, not yet open): shown at the
    # top, and the form is read-only (intake.writable).
    closed = (
        refusal(access.questionnaire, access.organisation) if access.can_write else None
    )
    read_only = locked or not access.can_write or closed is not None
    # "Kontrollera: …" beside a saved number that looks implausible; advisory,
    # and only where the user can still change it.
    notices = (
        plausibility_notices(
            access.questionnaire,
            organisation_id=access.organisation.pk,
            questions=form.questions,
            cells=notice_cells,
        )
        if notice_cells is not None and not read_only
        else None
    )
    # An unchanged page (the same answers, follow-ups, notices and read-only
    # state) takes its form's body whole from the last time it was shown
    # (intake.fragments).
    page = (
        page_key(
            structure_key(access.questionnaire),
            form,
            shown,
            notices,
            read_only=read_only,
        )
        if not form.is_bound and consolidation is None and not collisions
        else None
    )
    body = shared_body(page) if page is not None else None
    sections: list[dict[str, Any]] = []
    error_links: list[dict[str, Any]] = []
    missing_links: list[dict[str, Any]] = []
    by_variable: dict[str, Any] = {}
    if body is None:
        sections, error_links, missing_links, by_variable = _sections(
            access, form, shown, consolidation, notices, collisions, missing
        )
    context = {
        "access": access,
        "form": form,
        "error_links": error_links,
        "missing_links": missing_links,
        "collisions": [
            (by_variable[v].question, c) for v, c in (collisions or {}).items()
        ],
        "read_only": read_only,
        "locked": locked,
        "closed": closed,
        "state": access.questionnaire.state,
        "deadline": deadline_for(access.questionnaire, access.organisation),
        "stale": stale_for(consolidation, access.response) if consolidation else None,
        "autosave_seconds": settings.AUTOSAVE_SECONDS,
        # "Spara utkast" through the script, the page staying (issue #20):
        # only on a page shown afresh, whose errors, collisions and notices
        # are those of what is stored, and without an RSS's live figures
        # from its kommuner, which a save can change. Others post the form.
        "save_in_place": not form.is_bound and consolidation is None,
        # Only an RSS's coordinators and staff open an RSS form, and both may
        # open its status page.
        "kommun_status_url": reverse(
            "intake:rss-status",
            args=[access.organisation.pk, consolidation.helper_questionnaire_id],
        )
        if consolidation and consolidation.helper_questionnaire_id
        else "",
    }
    if body is None:
        # The body with the page's context, as an include would render it.
        body = render_body(
            {
                **context,
                # Named, not found by looping over the form's 200-odd fields.
                "contact_fields": [form[name] for name in CONTACT_FIELDS],
                "sections": sections,
            },
            request,
        )
        if (
            page is not None
            and not missing
            and all(part.get("html") for part in sections)
        ):
            keep_body(page, body)
    return render(
        request, "intake/response_form.html", {**context, "body": body}, status=status
    )


@json_post
def response_visibility(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> JsonResponse:
    """Which questions to show for the answers in the (unsaved) form; used by the
    page's script so follow-ups appear and disappear without a reload."""
    access = get_response_access(
        request_user(request),
        questionnaire_id=questionnaire_id,
        organisation_id=organisation_id,
        for_write=False,
    )
    questions = questions_of(access.questionnaire)
    version = access.response.version if access.response else 0
    form = ResponseForm(
        questions,
        key=structure_key(access.questionnaire),
        answers={},
        version=version,
        data=posted_form(request),
    )
    form.is_valid()
    shown = shown_questions(questions, _posted_cells(form))
    return JsonResponse({"shown": [q.variable for q in questions if q.pk in shown]})


def _sections(
    access: ResponseAccess,
    form: ResponseForm,
    shown: set[int],
    consolidation: Consolidation | None,
    notices: Mapping[int, list[str]] | None,
    collisions: dict[str, CollisionView] | None,
    missing: list[Any] | None,
) -> tuple[
    list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]
]:
    """The page's sections with their questions, the links to the questions'
    errors and missing answers, and the questions' blocks by variable."""
    blocks = question_blocks(form, shown, consolidation, notices, collisions)
    by_variable = {b.question.variable: b for b in blocks}
    sections: list[dict[str, Any]] = []
    for block in blocks:
        section = block.question.section
        if not sections or sections[-1]["section"].pk != section.pk:
            sections.append({"section": section, "blocks": []})
        sections[-1]["blocks"].append(block)
    error_links = [
        {
            "anchor": first_field(b.question),
            "number": b.question.number,
            "message": message,
        }
        for b in blocks
        for message in b.errors
    ]
    error_links += [
        {"anchor": name, "number": "–", "message": f"{form[name].label}: {message}"}
        for name in CONTACT_FIELDS
        for message in form[name].errors
    ]
    missing_links = [
        {
            "anchor": first_field(by_variable[m.variable].question),
            "number": m.number,
            "label": m.label,
        }
        for m in (missing or [])
        if m.variable in by_variable
    ]
    # Each missing question says so beside itself too (WCAG 3.3.1), not only in
    # the summary at the top: the template marks it aria-invalid with the message.
    for m in missing or []:
        if m.variable in by_variable:
            by_variable[m.variable].errors.append(MISSING_ANSWER)
    render_blocks(structure_key(access.questionnaire), blocks)
    for part in sections:
        # A section whose questions all have their HTML is one string: the
        # template's loop over 60-odd blocks was a fifth of the page (issue #20).
        if all(b.html for b in part["blocks"]):
            part["html"] = mark_safe("".join(b.html for b in part["blocks"]))  # noqa: S308 - each block is escaped HTML
    return sections, error_links, missing_links, by_variable
