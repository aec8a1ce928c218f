"""The gateway of the staff pages that run the cycle (questionnaires' state,
rounds): staff only, and the questionnaire or a Swedish 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from surveys.auth import request_user
from surveys.models import Questionnaire, User


def require_cycle_staff(request: HttpRequest, *, refusal: str) -> User:
    """The signed-in staff member; PermissionDenied with `refusal` for anyone else."""
    user = request_user(request)
    if not user.is_staff_member:
        raise PermissionDenied(refusal)
    return user


def questionnaire_or_404(questionnaire_id: int) -> Questionnaire:
    questionnaire = (
        Questionnaire.objects.select_related("cycle")
        .filter(pk=questionnaire_id)
        .first()
    )
    if questionnaire is None:
        raise Http404("Enkäten finns inte.")
    return questionnaire
