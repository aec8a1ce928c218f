"""Staff's pages for a questionnaire's lifecycle (issue #15): the questionnaires of
every cycle with their state, and per questionnaire its history, the buttons to
open, close or reopen it (each confirmed on a page of its own) and the deadlines
extended for one organisation.

Thin views (docs/conventions.md §4): staff only (403 for others, as the other
staff pages), the forms parse, surveys.services.lifecycle writes and records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from surveys.errors import shown_errors
from surveys.forms import DeadlineExtensionForm, LifecycleActionForm
from surveys.models import Questionnaire, QuestionnaireState, User
from surveys.permissions import questionnaire_or_404, require_cycle_staff
from surveys.selectors import cycles_with_questionnaires, expected_respondents
from surveys.services import (
    close_questionnaire,
    extend_deadline,
    open_questionnaire,
    reopen_questionnaire,
)


@dataclass(frozen=True)
class Action:
    slug: str
    label: str  # the button, and the confirmation page's heading
    from_state: QuestionnaireState
    explanation: str
    done: str
    service: Callable[..., Questionnaire]


ACTIONS = {
    action.slug: action
    for action in [
        Action(
            "oppna",
            "Öppna enkäten nu",
            QuestionnaireState.PREPARATION,
            "Enkäten öppnas före öppningsdagen. De svarande kan börja svara direkt, "
            "och inloggningslänkar och påminnelser kan skickas.",
            "Enkäten är öppnad.",
            open_questionnaire,
        ),
        Action(
            "stang",
            "Stäng enkäten",
            QuestionnaireState.OPEN,
            "De svarande kan inte längre spara eller skicka in, och inga länkar "
            "eller påminnelser skickas, inte heller sådana som redan är köade. "
            "Svaren och kvittona går fortfarande att läsa. Utkast som inte är "
            "inskickade förblir ej inskickade.",
            "Enkäten är stängd.",
            close_questionnaire,
        ),
        Action(
            "oppna-igen",
            "Öppna enkäten igen",
            QuestionnaireState.CLOSED,
            "De svarande kan åter spara och skicka in. Ange varför.",
            "Enkäten är öppen igen.",
            reopen_questionnaire,
        ),
    ]
}


def _staff(request: HttpRequest) -> User:
    return require_cycle_staff(
        request, refusal="Bara Socialstyrelsen hanterar enkäternas status."
    )


@login_required
def questionnaire_lifecycle_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(
        request,
        "surveys/lifecycle_list.html",
        {"cycles": cycles_with_questionnaires()},
    )


@login_required
def questionnaire_lifecycle(
    request: HttpRequest, questionnaire_id: int
) -> HttpResponse:
    _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    form = DeadlineExtensionForm(organisations=expected_respondents(questionnaire))
    return _render_lifecycle(request, questionnaire, form)


def _render_lifecycle(
    request: HttpRequest,
    questionnaire: Questionnaire,
    form: DeadlineExtensionForm,
    *,
    status: int = 200,
) -> HttpResponse:
    state = questionnaire.state
    return render(
        request,
        "surveys/lifecycle.html",
        {
            "questionnaire": questionnaire,
            "state": state,
            "actions": [a for a in ACTIONS.values() if a.from_state == state],
            "events": questionnaire.events.select_related("actor"),
            "extensions": questionnaire.extensions.select_related(
                "organisation", "granted_by"
            ),
            "form": form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_state_change(
    request: HttpRequest, questionnaire_id: int, action: str
) -> HttpResponse:
    """GET asks for confirmation; POST does it (and the service checks the state
    again, so a second click or a stale page is refused in Swedish)."""
    user = _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404("Åtgärden finns inte.")
    form = LifecycleActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with shown_errors(form=form) as outcome:
            chosen.service(
                questionnaire, actor=user, reason=form.cleaned_data["reason"]
            )
        if outcome.ok:
            messages.success(request, chosen.done)
            return redirect("surveys:questionnaire-lifecycle", questionnaire.pk)
    return render(
        request,
        "surveys/lifecycle_confirm.html",
        {
            "questionnaire": questionnaire,
            "action": chosen,
            "form": form,
            "wrong_state": questionnaire.state != chosen.from_state,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def questionnaire_deadline_extend(
    request: HttpRequest, questionnaire_id: int
) -> HttpResponse:
    user = _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    form = DeadlineExtensionForm(
        request.POST, organisations=expected_respondents(questionnaire)
    )
    if form.is_valid():
        with shown_errors(form=form) as outcome:
            extension = extend_deadline(
                questionnaire,
                organisation=form.cleaned_data["organisation"],
                closes_on=form.cleaned_data["closes_on"],
                reason=form.cleaned_data["reason"],
                actor=user,
            )
        if outcome.ok:
            messages.success(
                request,
                f"Svarstiden för {extension.organisation.name} är förlängd.",
            )
            return redirect("surveys:questionnaire-lifecycle", questionnaire.pk)
    return _render_lifecycle(request, questionnaire, form, status=400)
