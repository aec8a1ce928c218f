"""Access to the kvalitetsdeklaration (STYLE.md §5).

Staff only, like the other staff pages (`surveys.views.user_invite`): a signed-in
respondent gets 403, since the page exists but is not theirs to see; a cycle that
does not exist answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from surveys.models import Cycle, User


def get_cycle_for_staff(user: User, *, year: int) -> Cycle:
    if not user.is_active:
        raise PermissionDenied("Kontot är inte aktivt.")
    if not user.is_staff:
        raise PermissionDenied("Bara Socialstyrelsen ser kvalitetsdeklarationen.")
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise Http404("Omgången finns inte.")
    return cycle
