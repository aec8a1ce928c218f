"""Staff pages of the intake: the RSS consolidations whose kommuner changed
answers after the RSS submitted.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from intake.consolidation.stale import (
    stale_consolidations,
)
from surveys.auth import request_user


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
