"""The kvalitetsdeklaration per cycle: creating it (prefilled from the previous
cycle's texts) and editing its texts under an optimistic lock, with the
history of changes. Its downloads are in `reports.views.downloads`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from reports.forms import KvalitetsdeklarationForm
from reports.kvalitetsdeklaration.figures import (
    ComputedDeclaration,
    compute_kvalitetsdeklaration,
)
from reports.kvalitetsdeklaration.outline import field_text, outline
from reports.kvalitetsdeklaration.services import (
    StaleKvalitetsdeklarationError,
    create_kvalitetsdeklaration,
    previous_kvalitetsdeklaration,
    update_kvalitetsdeklaration,
)
from reports.models import Kvalitetsdeklaration, KvalitetsdeklarationChange
from reports.permissions import get_cycle_for_staff
from surveys.auth import request_user
from surveys.errors import DomainError, shown_errors
from surveys.models import Cycle

HISTORY_SHOWN = 50


@login_required
def kvalitetsdeklaration_edit(request: HttpRequest, year: int) -> HttpResponse:
    user = request_user(request)
    cycle = get_cycle_for_staff(user, year=year)
    deklaration = (
        Kvalitetsdeklaration.objects.select_related("prefilled_from__cycle")
        .filter(cycle=cycle)
        .first()
    )
    if deklaration is None:
        if request.method == "POST":
            messages.error(
                request, "Skapa kvalitetsdeklarationen innan du sparar text."
            )
            return redirect("reports:kvalitetsdeklaration-edit", year=year)
        return _render(request, cycle, None, None)
    if request.method != "POST":
        return _render(
            request, cycle, deklaration, KvalitetsdeklarationForm(instance=deklaration)
        )

    form = KvalitetsdeklarationForm(request.POST, instance=deklaration)
    if not form.is_valid():
        return _render(request, cycle, deklaration, form, status=400)
    seen = form.cleaned_data["version"]
    try:
        update_kvalitetsdeklaration(
            deklaration, actor=user, values=form.text_values(), expected_version=seen
        )
    except StaleKvalitetsdeklarationError as exc:
        form.add_error(None, exc.message)
        # The typed text stays; the next save is based on the current version.
        data = request.POST.copy()
        data["version"] = str(exc.current_version)
        form.data = data
        conflict = list(
            deklaration.changes.filter(version__gt=seen).select_related("changed_by")
        )
        return _render(request, cycle, deklaration, form, conflict=conflict, status=409)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render(request, cycle, deklaration, form, status=400)
    messages.success(request, "Kvalitetsdeklarationen är sparad.")
    return redirect("reports:kvalitetsdeklaration-edit", year=year)


def _render(
    request: HttpRequest,
    cycle: Cycle,
    deklaration: Kvalitetsdeklaration | None,
    form: KvalitetsdeklarationForm | None,
    *,
    conflict: list[KvalitetsdeklarationChange] | None = None,
    status: int = 200,
) -> HttpResponse:
    computed = compute_kvalitetsdeklaration(cycle)
    shown = deklaration or Kvalitetsdeklaration(cycle=cycle)
    history = (
        list(
            deklaration.changes.select_related("changed_by").order_by(
                "-changed_at", "-pk"
            )[:HISTORY_SHOWN]
        )
        if deklaration
        else []
    )
    return render(
        request,
        "reports/kvalitetsdeklaration.html",
        {
            "cycle": cycle,
            "computed": computed,
            "deklaration": deklaration,
            "previous": None if deklaration else previous_kvalitetsdeklaration(cycle),
            "form": form,
            "chapters": _chapters(computed, shown, form),
            "conflict": conflict or [],
            "history": history,
        },
        status=status,
    )


def _chapters(
    computed: ComputedDeclaration,
    deklaration: Kvalitetsdeklaration,
    form: KvalitetsdeklarationForm | None,
) -> list[dict[str, Any]]:
    """The outline with, per part, the bound form fields (or the texts to read)."""
    chapters = []
    for chapter in outline(computed):
        parts = []
        for part in chapter.parts:
            parts.append(
                {
                    "part": part,
                    "own_heading": (part.number, part.title)
                    != (chapter.number, chapter.title),
                    "fields": [form[f] for f in part.fields] if form else [],
                    "texts": [
                        field_text(deklaration, f, computed) for f in part.fields
                    ],
                }
            )
        chapters.append({"chapter": chapter, "parts": parts})
    return chapters


@login_required
@require_POST
def kvalitetsdeklaration_create(request: HttpRequest, year: int) -> HttpResponse:
    user = request_user(request)
    cycle = get_cycle_for_staff(user, year=year)
    with shown_errors(request) as outcome:
        deklaration = create_kvalitetsdeklaration(cycle, actor=user)
    if outcome.ok:
        if deklaration.prefilled_from:
            messages.success(
                request,
                "Kvalitetsdeklarationen är skapad med texterna från "
                f"{deklaration.prefilled_from.cycle.year}. Granska dem.",
            )
        else:
            messages.success(
                request, "Kvalitetsdeklarationen är skapad med standardtexterna."
            )
    return redirect("reports:kvalitetsdeklaration-edit", year=year)
