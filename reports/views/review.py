"""Granskning: the number answers a plausibility check flags, and staff's
corrections of them. Separate from the report pages because it writes (through
`intake.services.correct_answer`) and keeps a failed correction on its form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from intake.services import StaleResponseError, correct_answer
from reports.forms import CorrectionForm
from reports.permissions import get_questionnaire_for_report, get_response_for_review
from reports.plausibility import plausibility_review
from surveys.auth import request_user
from surveys.errors import DomainError
from surveys.models import Questionnaire, User


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
