"""Saving a posted form, shared by the form's POST and the autosave endpoint:
the per-question merge (`intake.merge`), its messages, and the collision views
shown when someone else saved the same questions in between.

Separate from the page (`form`) because the autosave endpoint answers in JSON and
needs none of the page's rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse

from intake.consolidation.live import adjustment_cells, consolidation_for
from intake.forms import (
    CollisionView,
    ResponseForm,
    collision_view,
    field_values,
    first_field,
    value_fields,
)
from intake.merge import (
    MergedSave,
    base_field,
    choice_field,
    fingerprint,
    save_merged,
)
from intake.models import Channel
from intake.permissions import (
    ResponseAccess,
    get_response_access,
)
from intake.selectors import (
    answer_in_words,
    plausibility_notices,
    questions_of,
    structure_key,
)
from intake.services.lifecycle import (
    get_or_create_response,
    update_contact_details,
)
from intake.writable import require_writable
from surveys.auth import request_user
from surveys.errors import DomainError
from surveys.http import json_post, posted_form
from surveys.models import User


def _channel(access: ResponseAccess) -> Channel:
    """Answers typed by an RSS coordinator for a kommun are proxy entries."""
    return Channel.WEB if access.own else Channel.PROXY


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


DRAFT_SAVED = "Utkastet är sparat."

COLLISION_MESSAGE = (
    "Någon annan har sparat ändringar i samma fråga som du sedan du öppnade "
    "enkäten. Välj vid frågan vilket svar som ska gälla och spara igen."
)


def _save_posted(
    user: User, access: ResponseAccess, form: ResponseForm, *, whole: bool = False
) -> SaveOutcome:
    """Save every valid answer, merged per question with what others saved since
    the page was loaded (intake.merge), and the contact details, as the form and
    autosave do.

    Refused values stay on the form with their errors and change nothing stored
    (a page shown again puts `after_save` in the form's data);
    a collision stays on the form for the user to choose; a locked response
    saves nothing and says why. `whole`: all of it or nothing (the save in
    place): nothing is written when a value is refused, others' answers are
    kept or a question collides.
    """
    form.is_valid()  # fills cleaned_data; invalid fields keep their errors
    if "version" not in form.cleaned_data:
        # A hidden field, so its own error would show nowhere on the page.
        form.add_error(None, VERSION_MISSING)
        return SaveOutcome(None)
    values = form.answer_values()
    if whole and form.errors:
        return SaveOutcome(None)
    channel = _channel(access)
    try:
        # Asked first, so a save that changes nothing is refused the same way.
        require_writable(
            access.questionnaire, organisation=access.organisation, channel=channel
        )
        response = access.response or get_or_create_response(
            access.questionnaire, organisation=access.organisation, channel=channel
        )
        saved = save_merged(
            response,
            actor=user,
            channel=channel,
            questions=form.questions,
            values=values,
            bases=form.bases(),
            choices=form.choices(),
            seen_version=form.cleaned_data["version"],
            reasons=form.reasons,
            cells=form.answer_cells,
            whole=whole,
        )
        if whole and (saved.kept or saved.collisions):
            return SaveOutcome(saved)
        if "contact_email" not in form.errors:
            update_contact_details(
                saved.response,
                actor=user,
                name=form.cleaned_data.get("contact_name", ""),
                email=form.cleaned_data.get("contact_email", ""),
                phone=form.cleaned_data.get("contact_phone", ""),
                channel=channel,
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
    return SaveOutcome(saved)


def after_save(form: ResponseForm, data: Any, saved: MergedSave) -> Any:
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


def _posted_form(request: HttpRequest, access: ResponseAccess) -> ResponseForm:
    """The posted form as the JSON saves read it."""
    questions = questions_of(access.questionnaire)
    consolidation = consolidation_for(
        access.questionnaire,
        access.organisation,
        response=access.response,
        questions=questions,
    )
    return ResponseForm(
        questions,
        key=structure_key(access.questionnaire),
        # Only what the save checks against the page's values (an RSS's count
        # adjustments): the save itself reads the stored answers under its lock.
        answers=adjustment_cells(access.response, questions),
        version=0,
        data=posted_form(request),
        counts=consolidation.counts if consolidation else None,
    )


def _write_access(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> tuple[User, ResponseAccess]:
    user = request_user(request)
    return user, get_response_access(
        user,
        questionnaire_id=questionnaire_id,
        organisation_id=organisation_id,
        for_write=True,
    )


def _errors(form: ResponseForm) -> dict[str, list[str]]:
    return {
        name: [str(e) for e in errs]
        for name, errs in form.errors.items()
        if name != "__all__"
    }


def _not_saved(form: ResponseForm) -> JsonResponse:
    message = (
        " ".join(str(e) for e in form.non_field_errors())
        or "Utkastet kunde inte sparas."
    )
    return JsonResponse(
        {
            "saved": False,
            "message": message,
            "errors": _errors(form),
            "refused": form.refused,
        },
        status=400,
    )


@json_post
def response_autosave(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> JsonResponse:
    """Autosave from the page's script (also when the tab closes): the same rules as
    "Spara utkast", answered in JSON."""
    user, access = _write_access(request, questionnaire_id, organisation_id)
    form = _posted_form(request, access)
    outcome = _save_posted(user, access, form)
    saved = outcome.saved
    if saved is None:
        return _not_saved(form)
    body = {
        "saved": not saved.collisions,
        "version": saved.response.version,
        "message": "Utkastet sparades automatiskt.",
        "errors": _errors(form),
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


NOT_CLEAN = (
    "Utkastet sparades inte här: skicka formuläret för att se vad som behöver "
    "rättas eller väljas."
)


@json_post
def response_save_draft(
    request: HttpRequest, questionnaire_id: int, organisation_id: int
) -> JsonResponse:
    """ "Spara utkast" from the page's script, so the page stays (issue #20): the
    same save as the form's POST, made only when it is clean (every answer
    valid, nothing of others' kept unseen, no collision). Anything else writes
    nothing and is answered 400/409, and the script then posts the form as
    without JavaScript, so that the page shows what it shows today (what was
    saved and what not, the errors, the collisions) for a save that did all of
    it. Had this save kept its valid part, that page would say "Inga svar
    ändrades" about answers this request had just saved."""
    user, access = _write_access(request, questionnaire_id, organisation_id)
    form = _posted_form(request, access)
    saved = _save_posted(user, access, form, whole=True).saved
    if saved is not None and (saved.kept or saved.collisions):
        return JsonResponse(
            {"saved": False, "message": NOT_CLEAN, "errors": _errors(form)},
            status=409,
        )
    if saved is None:
        return _not_saved(form)
    questions = form.questions
    notices = plausibility_notices(
        access.questionnaire,
        organisation_id=access.organisation.pk,
        questions=questions,
        cells={q.pk: saved.stored.get(q.variable, {}) for q in questions},
    )
    by_pk = {q.pk: q.variable for q in questions}
    return JsonResponse(
        {
            "saved": True,
            "version": saved.response.version,
            "message": DRAFT_SAVED,
            "saved_answers": saved.written,
            "bases": bases_after_save(form, saved),
            # What the page reloaded after the form's POST would show anew.
            "status": saved.response.get_status_display(),
            "notices": {by_pk[pk]: texts for pk, texts in notices.items()},
        }
    )
