"""Staff's page for a questionnaire's information letter and reminder rounds
(issue #15): the rounds sent and scheduled, with their e-mails counted by
status, and the form to write one from a Swedish template, preview it for one
recipient and send it now or schedule it.

Thin views (docs/conventions.md §4): staff only (403 for others), the form
parses, surveys.services.rounds writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from surveys.errors import shown_errors
from surveys.forms import RoundForm
from surveys.models import Mailing, MailingKind, Questionnaire, User
from surveys.permissions import questionnaire_or_404, require_cycle_staff
from surveys.selectors import rounds_of
from surveys.services.rounds import (
    DEFAULT_TEXTS,
    PLACEHOLDERS,
    cancel_round,
    check_text,
    not_submitted,
    preview,
    schedule_round,
)


def _staff(request: HttpRequest) -> User:
    return require_cycle_staff(
        request, refusal="Bara Socialstyrelsen skickar utskick till alla."
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_rounds(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    user = _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    targets = not_submitted(questionnaire)
    if request.method != "POST":
        kind = request.GET.get("typ", MailingKind.INFORMATION)
        if kind not in DEFAULT_TEXTS:
            kind = MailingKind.INFORMATION
        subject, body = DEFAULT_TEXTS[kind]
        form = RoundForm(
            initial={"kind": kind, "subject": subject, "body": body, "when": "now"},
            organisations=targets,
        )
        return _render(request, questionnaire, form)
    form = RoundForm(request.POST, organisations=targets)
    if not form.is_valid():
        return _render(request, questionnaire, form, status=400)
    if request.POST.get("action") == "send":
        with shown_errors(form=form) as outcome:
            mailing = schedule_round(
                questionnaire,
                kind=MailingKind(form.cleaned_data["kind"]),
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                actor=user,
                send_at=form.send_at(),
                organisations=form.selection(),
            )
        if outcome.ok:
            messages.success(request, _sent_message(mailing))
            return redirect("surveys:questionnaire-rounds", questionnaire.pk)
        return _render(request, questionnaire, form, status=400)
    # "Förhandsgranska": the e-mail as the first chosen (or first) recipient
    # would get it; the input stays for sending.
    shown: dict[str, Any] | None = None
    with shown_errors(form=form) as outcome:
        check_text(form.cleaned_data["subject"], form.cleaned_data["body"])
    chosen = form.cleaned_data.get("organisations")
    organisation = chosen[0] if chosen else targets.first()
    if outcome.ok and organisation is not None:
        subject, body = preview(
            questionnaire,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            organisation=organisation,
        )
        shown = {"organisation": organisation, "subject": subject, "body": body}
    return _render(
        request, questionnaire, form, preview=shown, status=200 if outcome.ok else 400
    )


def _sent_message(mailing: Mailing) -> str:
    if mailing.status == "sent" or mailing.scheduled_for is None:
        return "Utskicket har gått i väg."
    at = timezone.localtime(mailing.scheduled_for)
    if at <= timezone.localtime():
        return "Utskicket går i väg nu."
    return f"Utskicket är schemalagt till {at:%Y-%m-%d %H:%M}."


def _render(
    request: HttpRequest,
    questionnaire: Questionnaire,
    form: RoundForm,
    *,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "surveys/rounds.html",
        {
            "questionnaire": questionnaire,
            "state": questionnaire.state,
            "rounds": rounds_of(questionnaire),
            "form": form,
            "preview": preview,
            "placeholders": PLACEHOLDERS,
            "kinds": DEFAULT_TEXTS,
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def questionnaire_round_cancel(
    request: HttpRequest, questionnaire_id: int, mailing_id: int
) -> HttpResponse:
    user = _staff(request)
    questionnaire = questionnaire_or_404(questionnaire_id)
    mailing = Mailing.objects.filter(
        pk=mailing_id, questionnaire=questionnaire, is_bulk=True
    ).first()
    if mailing is None:
        raise Http404("Utskicket finns inte.")
    with shown_errors(request) as outcome:
        cancel_round(mailing, actor=user)
    if outcome.ok:
        messages.success(request, "Det schemalagda utskicket är inställt.")
    return redirect("surveys:questionnaire-rounds", questionnaire.pk)
