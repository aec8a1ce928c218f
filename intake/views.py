"""Respondent pages: the list of one's questionnaires, the form, the receipt.

Thin views (docs/conventions.md §4): the gateway decides access, the form parses, the
services write. The server alone decides which follow-up questions are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from intake.consolidation import (
    Consolidation,
    CountsAboveBaseError,
    adjustment_cells,
    consolidation_for,
    n_stale_consolidations,
    stale_consolidations,
    stale_for,
)
from intake.forms import (
    CollisionView,
    ResponseForm,
    collision_view,
    field_values,
    first_field,
    question_blocks,
    value_fields,
)
from intake.merge import (
    MergedSave,
    base_field,
    choice_field,
    fingerprint,
    save_merged,
)
from intake.models import Channel, Response, ResponseStatus
from intake.permissions import (
    ResponseAccess,
    answerable_pairs,
    get_response_access,
    rss_status_pages,
)
from intake.selectors import (
    answer_cells,
    answer_in_words,
    cells_by_response,
    missing_required_answers,
    plausibility_notices,
    progress,
    questions_of,
    receipt_items,
    responses_for_pairs,
    shown_questions,
)
from intake.services import (
    cells_for,
    get_or_create_response,
    reopen_response,
    submit_response,
    update_contact_details,
)
from surveys.auth import request_user
from surveys.errors import DomainError
from surveys.http import json_post
from surveys.models import OrganisationRole, User


@login_required
def response_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    pairs = answerable_pairs(user)
    responses = responses_for_pairs((q.pk, o.pk) for q, o in pairs)
    cells = cells_by_response(responses.values())
    questions = {q.pk: questions_of(q.pk) for q in {q for q, _ in pairs}}
    rows = []
    for questionnaire, organisation in pairs:
        response = responses.get((questionnaire.pk, organisation.pk))
        rows.append(
            {
                "questionnaire": questionnaire,
                "organisation": organisation,
                "response": response,
                "status": response.get_status_display()
                if response
                else ResponseStatus.NOT_STARTED.label,
                "progress": progress(
                    questions[questionnaire.pk],
                    cells.get(response.pk, {}) if response else {},
                ),
            }
        )
    return render(
        request,
        "intake/response_list.html",
        {
            "rows": rows,
            "rss_pages": rss_status_pages(user),
            "n_stale": n_stale_consolidations() if user.is_staff_member else None,
        },
    )


def _channel(user: User, access: ResponseAccess) -> Channel:
    """Answers typed by an RSS coordinator for a kommun are proxy entries."""
    own = OrganisationRole.objects.filter(
        user=user, organisation=access.organisation
    ).exists()
    return Channel.WEB if own else Channel.PROXY


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
    questions = questions_of(access.questionnaire.pk)
    cells = answer_cells(access.response)
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
        answers=form_cells,
        version=version,
        contact=contact,
        data=request.POST,
        counts=counts,
    )
    missing: list[Any] = []
    outcome = _save_posted(user, access, form, request.POST)
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
            messages.success(request, "Utkastet är sparat.", extra_tags="sparat")
            return redirect(_url("intake:response-edit", access))
    posted_cells = _posted_cells(form)
    if saved is not None:
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


def _numbers(form: ResponseForm, variables: Any) -> str:
    by_variable = {q.variable: q.number for q in form.questions}
    return ", ".join(by_variable[v] for v in variables if v in by_variable)


def _kept_message(form: ResponseForm, kept: list[str]) -> str:
    return (
        f"Någon annan har ändrat fråga {_numbers(form, kept)} sedan du öppnade "
        "enkäten. Du hade inte ändrat de frågorna, så de nya svaren står kvar och "
        "visas nu i formuläret."
    )


def _saved_message(form: ResponseForm, saved: MergedSave) -> str:
    """Exactly what this save stored and what it did not (issue #13)."""
    parts = []
    if saved.written:
        parts.append(f"Sparat: fråga {_numbers(form, saved.written)}.")
    else:
        parts.append("Inga svar ändrades.")
    if form.refused:
        parts.append(
            f"Inte sparat: fråga {_numbers(form, form.refused)}. Där står det "
            "tidigare sparade svaret kvar tills du rättar det du skrev."
        )
    if saved.collisions:
        parts.append(
            f"Välj svar för fråga {_numbers(form, [c.variable for c in saved.collisions])}."
        )
    return " ".join(parts)


VERSION_MISSING = (
    "Svaren kunde inte sparas eftersom sidan saknar uppgiften om vilka sparade "
    "svar den visar. Ladda om sidan och försök igen."
)


@dataclass
class SaveOutcome:
    saved: MergedSave | None  # None when nothing could be saved


COLLISION_MESSAGE = (
    "Någon annan har sparat ändringar i samma fråga som du sedan du öppnade "
    "enkäten. Välj vid frågan vilket svar som ska gälla och spara igen."
)


def _save_posted(
    user: User, access: ResponseAccess, form: ResponseForm, data: Any
) -> SaveOutcome:
    """Save every valid answer, merged per question with what others saved since
    the page was loaded (intake.merge), and the contact details, as the form and
    autosave do.

    Refused values stay on the form with their errors and change nothing stored;
    a collision stays on the form for the user to choose; a locked response
    saves nothing and says why.
    """
    form.is_valid()  # fills cleaned_data; invalid fields keep their errors
    if "version" not in form.cleaned_data:
        # A hidden field, so its own error would show nowhere on the page.
        form.add_error(None, VERSION_MISSING)
        return SaveOutcome(None)
    values = form.answer_values()
    try:
        response = access.response or get_or_create_response(
            access.questionnaire, organisation=access.organisation
        )
        saved = save_merged(
            response,
            actor=user,
            channel=_channel(user, access),
            questions=form.questions,
            values=values,
            bases=form.bases(),
            choices=form.choices(),
            seen_version=form.cleaned_data["version"],
            reasons=form.reasons,
        )
        if "contact_email" not in form.errors:
            update_contact_details(
                saved.response,
                actor=user,
                name=form.cleaned_data.get("contact_name", ""),
                email=form.cleaned_data.get("contact_email", ""),
                phone=form.cleaned_data.get("contact_phone", ""),
            )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return SaveOutcome(None)
    except ValidationError as exc:
        # A rule only the service knows (e.g. an RSS count adjusted after the
        # page was loaded): nothing is saved, the input stays and says why.
        _add_question_errors(form, exc.message_dict)
        return SaveOutcome(None)
    if saved.collisions:
        form.add_error(None, COLLISION_MESSAGE)
    form.data = _after_save(form, data, saved)
    return SaveOutcome(saved)


def _after_save(form: ResponseForm, data: Any, saved: MergedSave) -> Any:
    """The form as the next save should post it: the new version; the new base of
    every question whose field now matches what is stored; others' answers in
    place of the ones the user had not changed. Refused and colliding questions
    keep the user's input and the base it was typed on."""
    copy = data.copy()
    copy["version"] = str(saved.response.version)
    skip = set(form.refused) | {c.variable for c in saved.collisions}
    for question in form.questions:
        variable = question.variable
        if variable in skip:
            continue
        stored = saved.stored.get(variable, {})
        if variable in saved.kept:
            for name in value_fields(question):
                copy.pop(name, None)
            for name, value in field_values(question, stored).items():
                if isinstance(value, list):
                    copy.setlist(name, value)
                elif value is True:
                    copy[name] = "on"
                elif value not in (False, ""):
                    copy[name] = value
        copy[base_field(variable)] = fingerprint(stored)
        copy.pop(choice_field(variable), None)
    return copy


def bases_after_save(form: ResponseForm, saved: MergedSave) -> dict[str, str]:
    """For autosave: the new base of each question whose field matches what is
    stored (written, or already equal). Kept and colliding questions keep their
    old base in the browser, so the next save still sees them as not seen."""
    skip = set(form.refused) | set(saved.kept) | {c.variable for c in saved.collisions}
    return {
        q.variable: fingerprint(saved.stored.get(q.variable, {}))
        for q in form.questions
        if q.variable not in skip
    }


def _collision_views(
    form: ResponseForm, saved: MergedSave | None, posted: dict[int, Any]
) -> dict[str, CollisionView]:
    if saved is None:
        return {}
    by_variable = {q.variable: q for q in form.questions}
    return {
        c.variable: collision_view(
            by_variable[c.variable],
            c,
            posted.get(by_variable[c.variable].pk, {}),
            answer_in_words,
        )
        for c in saved.collisions
    }


def _add_question_errors(form: ResponseForm, errors: dict[str, list[str]]) -> None:
    """Messages by question variable, onto the question's first field."""
    by_variable = {q.variable: q for q in form.questions}
    for variable, messages_ in errors.items():
        target = by_variable.get(variable)
        for message in messages_:
            form.add_error(first_field(target) if target else None, message)


@json_post
def response_autosave(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> JsonResponse:
    """Autosave from the page's script (also when the tab closes): the same rules as
    "Spara utkast", answered in JSON."""
    user = request_user(request)
    access = get_response_access(
        user,
        questionnaire_id=questionnaire_id,
        organisation_id=organisation_id,
        for_write=True,
    )
    questions = questions_of(access.questionnaire.pk)
    consolidation = consolidation_for(
        access.questionnaire,
        access.organisation,
        response=access.response,
        questions=questions,
    )
    form = ResponseForm(
        questions,
        answers={
            **answer_cells(access.response),
            **adjustment_cells(access.response, questions),
        },
        version=0,
        data=request.POST,
        counts=consolidation.counts if consolidation else None,
    )
    outcome = _save_posted(user, access, form, request.POST)
    errors = {
        name: [str(e) for e in errs]
        for name, errs in form.errors.items()
        if name != "__all__"
    }
    saved = outcome.saved
    if saved is None:
        message = (
            " ".join(str(e) for e in form.non_field_errors())
            or "Utkastet kunde inte sparas."
        )
        return JsonResponse(
            {"saved": False, "message": message, "errors": errors}, status=400
        )
    body = {
        "saved": not saved.collisions,
        "version": saved.response.version,
        "message": "Utkastet sparades automatiskt.",
        "errors": errors,
        # Exactly what happened to each answer (issue #13).
        "saved_answers": saved.written,
        "refused": form.refused,
        "kept": saved.kept,
        "conflicts": [
            {
                "variable": c.variable,
                "by": c.by,
                "at": c.at.isoformat() if c.at else None,
            }
            for c in saved.collisions
        ],
        "bases": bases_after_save(form, saved),
    }
    if saved.collisions:
        body["message"] = COLLISION_MESSAGE
        return JsonResponse(body, status=409)
    return JsonResponse(body)


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
    read_only = locked or not access.can_write
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
        for name in ("contact_name", "contact_email", "contact_phone")
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
    return render(
        request,
        "intake/response_form.html",
        {
            "access": access,
            "form": form,
            "sections": sections,
            "error_links": error_links,
            "missing_links": missing_links,
            "collisions": [
                (by_variable[v].question, c) for v, c in (collisions or {}).items()
            ],
            "read_only": read_only,
            "locked": locked,
            "stale": stale_for(consolidation, access.response)
            if consolidation
            else None,
            "autosave_seconds": settings.AUTOSAVE_SECONDS,
            # Only an RSS's coordinators and staff open an RSS form, and both may
            # open its status page.
            "kommun_status_url": reverse(
                "intake:rss-status",
                args=[access.organisation.pk, consolidation.helper_questionnaire_id],
            )
            if consolidation and consolidation.helper_questionnaire_id
            else "",
        },
        status=status,
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
    questions = questions_of(access.questionnaire.pk)
    version = access.response.version if access.response else 0
    form = ResponseForm(questions, answers={}, version=version, data=request.POST)
    form.is_valid()
    shown = shown_questions(questions, _posted_cells(form))
    return JsonResponse({"shown": [q.variable for q in questions if q.pk in shown]})


@login_required
def response_receipt(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> HttpResponse:
    access = get_response_access(
        request_user(request),
        questionnaire_id=questionnaire_id,
        organisation_id=organisation_id,
        for_write=False,
    )
    items = receipt_items(access.response) if access.response else []
    consolidation = (
        consolidation_for(
            access.questionnaire,
            access.organisation,
            response=access.response,
            questions=questions_of(access.questionnaire.pk),
        )
        if access.response
        else None
    )
    return render(
        request,
        "intake/response_receipt.html",
        {
            "access": access,
            "items": items,
            "stale": stale_for(consolidation, access.response)
            if consolidation
            else None,
        },
    )


@login_required
@require_POST
def response_reopen(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> HttpResponse:
    """Staff reopen a submitted response with a reason; the respondents are told."""
    user = request_user(request)
    access = get_response_access(
        user,
        questionnaire_id=questionnaire_id,
        organisation_id=organisation_id,
        for_write=False,
    )
    if not user.is_staff_member or access.response is None:
        raise PermissionDenied(
            "Bara Socialstyrelsen kan öppna en inskickad enkät igen."
        )
    try:
        reopen_response(
            access.response, actor=user, reason=request.POST.get("reason", "")
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))  # type: ignore[union-attr]
    else:
        messages.success(
            request, "Enkäten är öppnad igen och de svarande har fått besked."
        )
    return redirect(_url("intake:response-edit", access))


@login_required
def consolidation_stale(request: HttpRequest) -> HttpResponse:
    """Staff: submitted RSS responses whose kommuner have changed answers since
    (issue #4). Nothing is changed until the RSS response is reopened and sent
    in again."""
    if not request_user(request).is_staff_member:
        raise Http404("Sidan finns inte.")
    return render(
        request,
        "intake/consolidation_stale.html",
        {"stale": stale_consolidations()},
    )
