"""Access to the kvalitetsdeklaration (STYLE.md §5).

Staff only. Everyone else gets 404, the answer for anything outside one's scope,
as on the other report pages (main's `reports.permissions.require_report_access`,
which this can delegate to at merge); a cycle that does not exist is 404 too.
"""

from __future__ import annotations

from django.http import Http404

from surveys.models import Cycle, User


def get_cycle_for_staff(user: User, *, year: int) -> Cycle:
    if not user.is_active:
        raise Http404("Sidan finns inte.")
    if not user.is_staff:
        raise Http404("Sidan finns inte.")
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise Http404("Omgången finns inte.")
    return cycle
