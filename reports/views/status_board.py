"""Staff's status board of a cycle (issue #15 point 2): the page with its
filters and sorting, its download as Excel, and a reminder round to the
organisations selected on it.

Thin views (docs/conventions.md §4): staff only through the reports gateway
(404 for others), reports.status_board reads, surveys.services.rounds writes.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from reports.permissions import get_cycle_for_staff
from reports.status_board import (
    SORT_KEYS,
    BoardFilter,
    filtered_rows,
    status_board,
)
from reports.status_board_xlsx import status_board_workbook
from reports.views.downloads import XLSX_CONTENT_TYPE
from surveys.auth import request_user
from surveys.errors import shown_errors
from surveys.models import MailingKind, Questionnaire
from surveys.services.rounds import DEFAULT_TEXTS, schedule_round

FILTER_PARAMS = ("enkat", "status", "lan", "rss", "sortera")
BOARD_ROUND_KINDS: dict[str, str] = {
    MailingKind.REMINDER: "Ordinarie påminnelse",
    MailingKind.EXTRA_REMINDER: "Extra påminnelse",
}


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def board_filter(params: QueryDict) -> BoardFilter:
    """The filter from the query string; unknown values filter nothing."""
    return BoardFilter(
        questionnaire_id=_number(params.get("enkat")),
        status=params.get("status", ""),
        region_id=_number(params.get("lan")),
        rss_id=_number(params.get("rss")),
    )


def _query(params: QueryDict) -> str:
    kept = {name: params[name] for name in FILTER_PARAMS if params.get(name)}
    return urlencode(kept)


@login_required
@require_http_methods(["GET"])
def cycle_status_board(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_staff(request_user(request), year=year)
    board = status_board(cycle)
    chosen = board_filter(request.GET)
    sort = request.GET.get("sortera", "")
    rows = filtered_rows(board, chosen, sort=sort)
    selected = next(
        (q for q in board.questionnaires if q.pk == chosen.questionnaire_id), None
    )
    query = _query(request.GET)
    sorts = []
    for key, (label, _) in SORT_KEYS.items():
        params = request.GET.copy()
        params["sortera"] = f"-{key}" if sort == key else key
        sorts.append((key, label, _query(params), sort.removeprefix("-") == key))
    return render(
        request,
        "reports/status_board.html",
        {
            "board": board,
            "rows": rows,
            "chosen": chosen,
            "sort": sort,
            "sorts": sorts,
            "selected": selected,
            "can_remind": selected is not None and selected.is_open,
            "query": query,
            "round_kinds": BOARD_ROUND_KINDS,
        },
    )


@login_required
@require_http_methods(["GET"])
def cycle_status_board_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_staff(request_user(request), year=year)
    board = status_board(cycle)
    rows = filtered_rows(
        board, board_filter(request.GET), sort=request.GET.get("sortera", "")
    )
    response = HttpResponse(
        status_board_workbook(board, rows), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="status-{cycle.year}.xlsx"'
    return response


@login_required
@require_http_methods(["POST"])
def cycle_status_board_remind(request: HttpRequest, year: int) -> HttpResponse:
    """A reminder round in the standard words to the organisations ticked on
    the board (one questionnaire at a time); the round machinery checks again
    who has submitted when it goes."""
    user = request_user(request)
    cycle = get_cycle_for_staff(user, year=year)
    back = reverse("reports:status-board", args=[cycle.year])
    query = _query(request.POST)
    if query:
        back = f"{back}?{query}"
    questionnaire_id = _number(request.POST.get("enkat"))
    questionnaire = (
        Questionnaire.objects.filter(cycle=cycle, pk=questionnaire_id).first()
        if questionnaire_id is not None
        else None
    )
    if questionnaire is None:
        messages.error(request, "Välj en enkät i filtret innan du påminner.")
        return redirect(back)
    kind = request.POST.get("typ", "")
    if kind not in BOARD_ROUND_KINDS:
        messages.error(request, "Välj ordinarie eller extra påminnelse.")
        return redirect(back)
    selection = [int(pk) for pk in request.POST.getlist("valda") if pk.isdigit()]
    if not selection:
        messages.error(request, "Välj minst en organisation att påminna.")
        return redirect(back)
    subject, body = DEFAULT_TEXTS[kind]
    with shown_errors(request) as outcome:
        mailing = schedule_round(
            questionnaire,
            kind=MailingKind(kind),
            subject=subject,
            body=body,
            actor=user,
            organisations=selection,
        )
    if outcome.ok:
        messages.success(
            request,
            f"{BOARD_ROUND_KINDS[kind]} till {len(mailing.selection or [])} "
            "organisationer har gått i väg. De som redan har skickat in påminns inte.",
        )
    return redirect(back)
