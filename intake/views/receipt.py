"""After submitting: the receipt page, and staff reopening a submitted response."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from intake.consolidation.live import consolidation_for
from intake.consolidation.stale import (
    stale_for,
)
from intake.permissions import (
    get_response_access,
)
from intake.selectors import (
    questions_of,
    receipt_items,
)
from intake.services.lifecycle import (
    reopen_response,
)
from intake.views.form import _url
from surveys.auth import request_user
from surveys.errors import shown_errors


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
            questions=questions_of(access.questionnaire),
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
    with shown_errors(request) as outcome:
        reopen_response(
            access.response, actor=user, reason=request.POST.get("reason", "")
        )
    if outcome.ok:
        messages.success(
            request, "Enkäten är öppnad igen och de svarande har fått besked."
        )
    return redirect(_url("intake:response-edit", access))
