"""Status boards (issue #4): an RSS's page for its kommuner's hjälpenkät, and
staff's page for a supplementary questionnaire sent straight to every kommun.

Thin views (docs/conventions.md §4): the gateway in `intake.permissions` answers 404
outside the user's scope, the forms parse, `intake.outreach` writes and sends,
`intake.rss_status` reads. Every POST redirects back to its page, or re-renders
it with the error and the user's input.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from intake.outreach import (
    BULK_GUARD,
    add_kommun_contact,
    remove_kommun_contact,
    send_reminder,
    send_sign_in_link,
    send_to_all_not_submitted,
)
from intake.permissions import (
    RSSStatusAccess,
    get_expected_kommun,
    get_member_kommun,
    get_rss_status_access,
    get_supplementary_questionnaire,
)
from intake.rss_forms import ContactForm, KommunContactForm, StatusFilterForm
from intake.rss_status import (
    kommun_statuses,
    kommuner_in_year,
    latest_bulk_send,
    response_rate_by_rss,
    status_counts,
)
from surveys.auth import request_user
from surveys.errors import shown_errors
from surveys.models import (
    MailingKind,
    Organisation,
    OrganisationKind,
    Questionnaire,
    User,
)
from surveys.selectors import kommuner_of_rss


def _add_contact(
    request: HttpRequest,
    form: forms.Form,
    kommun: Organisation,
    *,
    year: int,
    data: dict[str, Any],
) -> bool:
    """Add a contact for the kommun and say so; when the service refuses, put its
    Swedish message on the form's e-mail field (the typed input stays) and
    return False."""
    with shown_errors(form=form, field="email") as outcome:
        contact = add_kommun_contact(
            kommun, year=year, actor=request_user(request), **data
        )
    if not outcome.ok:
        return False
    messages.success(request, f"{contact.email} är nu kontakt för {kommun.name}.")
    return True


# --- the RSS status page -----------------------------------------------------------


def _access(
    request: HttpRequest, rss_id: int, questionnaire_id: int
) -> RSSStatusAccess:
    return get_rss_status_access(
        request_user(request), rss_id=rss_id, questionnaire_id=questionnaire_id
    )


def _status_url(access: RSSStatusAccess) -> str:
    return reverse("intake:rss-status", args=[access.rss.pk, access.questionnaire.pk])


def _members(access: RSSStatusAccess) -> QuerySet[Organisation]:
    return kommuner_of_rss(access.rss, year=access.year)


@login_required
def rss_status(
    request: HttpRequest, rss_id: int, questionnaire_id: int
) -> HttpResponse:
    return _render_rss_status(request, _access(request, rss_id, questionnaire_id))


def _render_rss_status(
    request: HttpRequest,
    access: RSSStatusAccess,
    *,
    contact_kommun_id: int | None = None,
    contact_form: ContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    filters = StatusFilterForm(request.GET or None)
    members = _members(access)
    rows = kommun_statuses(access.questionnaire, members, **filters.filters())
    with_forms = [
        (
            row,
            contact_form
            if contact_form is not None and row.kommun.pk == contact_kommun_id
            else ContactForm(prefix=f"k{row.kommun.pk}"),
        )
        for row in rows
    ]
    return render(
        request,
        "intake/rss_status.html",
        {
            "access": access,
            "questionnaire": access.questionnaire,
            "rss": access.rss,
            "counts": status_counts(access.questionnaire, members),
            "rows": with_forms,
            "filters": filters,
            "is_filtered": any(filters.filters().values()),
            "last_bulk": latest_bulk_send(
                access.questionnaire, kind=MailingKind.REMINDER, scope=access.rss
            ),
            "guard_minutes": int(BULK_GUARD.total_seconds() // 60),
            # Staff read the kommuner's forms; nobody writes to a closed one.
            "read_only_form": request_user(request).is_staff_member
            or not access.questionnaire.is_open,
        },
        status=status,
    )


@login_required
@require_POST
def rss_contact_add(
    request: HttpRequest, rss_id: int, questionnaire_id: int, kommun_id: int
) -> HttpResponse:
    access = _access(request, rss_id, questionnaire_id)
    kommun = get_member_kommun(access, kommun_id=kommun_id)
    form = ContactForm(request.POST, prefix=f"k{kommun.pk}")
    if form.is_valid() and _add_contact(
        request, form, kommun, year=access.year, data=form.cleaned_data
    ):
        return redirect(_status_url(access))
    form.mark_errors()
    return _render_rss_status(
        request, access, contact_kommun_id=kommun.pk, contact_form=form, status=400
    )


@login_required
@require_POST
def rss_contact_remove(
    request: HttpRequest, rss_id: int, questionnaire_id: int, kommun_id: int
) -> HttpResponse:
    access = _access(request, rss_id, questionnaire_id)
    kommun = get_member_kommun(access, kommun_id=kommun_id)
    user_id = _int(request.POST.get("user"))
    contact = (
        User.objects.filter(pk=user_id, roles__organisation=kommun).first()
        if user_id is not None
        else None
    )
    if contact is None:
        messages.error(request, f"Personen är inte kontakt för {kommun.name}.")
        return redirect(_status_url(access))
    with shown_errors(request) as outcome:
        remove_kommun_contact(
            kommun, year=access.year, user=contact, actor=request_user(request)
        )
    if outcome.ok:
        messages.success(
            request, f"{contact.email} är inte längre kontakt för {kommun.name}."
        )
    return redirect(_status_url(access))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@require_POST
def rss_send_link(
    request: HttpRequest, rss_id: int, questionnaire_id: int, kommun_id: int
) -> HttpResponse:
    access = _access(request, rss_id, questionnaire_id)
    kommun = get_member_kommun(access, kommun_id=kommun_id)
    _send_one(
        request, send_sign_in_link, access.questionnaire, kommun, "En inloggningslänk"
    )
    return redirect(_status_url(access))


@login_required
@require_POST
def rss_send_reminder(
    request: HttpRequest, rss_id: int, questionnaire_id: int, kommun_id: int
) -> HttpResponse:
    access = _access(request, rss_id, questionnaire_id)
    kommun = get_member_kommun(access, kommun_id=kommun_id)
    _send_one(request, send_reminder, access.questionnaire, kommun, "En påminnelse")
    return redirect(_status_url(access))


def _send_one(
    request: HttpRequest,
    service: Any,
    questionnaire: Questionnaire,
    kommun: Organisation,
    what: str,
) -> None:
    with shown_errors(request) as outcome:
        mailing = service(questionnaire, kommun=kommun, actor=request_user(request))
    if not outcome.ok:
        return
    n = mailing.dispatches.count()
    messages.success(
        request,
        f"{what} till {kommun.name} skickas till {n} "
        f"{'kontakt' if n == 1 else 'kontakter'}.",
    )


@login_required
@require_POST
def rss_remind_all(
    request: HttpRequest, rss_id: int, questionnaire_id: int
) -> HttpResponse:
    access = _access(request, rss_id, questionnaire_id)
    _send_bulk(
        request,
        access.questionnaire,
        kind=MailingKind.REMINDER,
        kommuner=_members(access),
        scope=access.rss,
    )
    return redirect(_status_url(access))


def _send_bulk(
    request: HttpRequest,
    questionnaire: Questionnaire,
    *,
    kind: MailingKind,
    kommuner: QuerySet[Organisation],
    scope: Organisation | None,
) -> None:
    with shown_errors(request) as outcome:
        result = send_to_all_not_submitted(
            questionnaire,
            kind=kind,
            kommuner=kommuner,
            scope=scope,
            actor=request_user(request),
        )
    if not outcome.ok:
        return
    what = "Påminnelser" if kind == MailingKind.REMINDER else "Inloggningslänkar"
    text = (
        f"{what} skickas till {result.n_kommuner} kommuner "
        f"({result.n_emails} e-postadresser)."
    )
    if result.without_contact:
        text += " Saknar kontakt och fick inget: " + ", ".join(
            k.name for k in result.without_contact
        )
        text += "."
    messages.success(request, text)


# --- supplementary questionnaires (staff) ------------------------------------------


@login_required
def supplementary_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.is_staff_member:
        raise Http404("Sidan finns inte.")
    questionnaires = list(
        Questionnaire.objects.filter(
            audience=OrganisationKind.KOMMUN, is_supplementary=True
        )
        .select_related("cycle")
        .order_by("-cycle__year", "key")
    )
    rows = [
        {
            "questionnaire": q,
            "counts": status_counts(q, kommuner_in_year(q.cycle.year)),
        }
        for q in questionnaires
    ]
    return render(request, "intake/supplementary_list.html", {"rows": rows})


def _supplementary_url(questionnaire: Questionnaire) -> str:
    return reverse("intake:supplementary-status", args=[questionnaire.pk])


@login_required
def supplementary_status(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = get_supplementary_questionnaire(
        request_user(request), questionnaire_id=questionnaire_id
    )
    return _render_supplementary(request, questionnaire)


def _render_supplementary(
    request: HttpRequest,
    questionnaire: Questionnaire,
    *,
    contact_form: KommunContactForm | None = None,
    status: int = 200,
) -> HttpResponse:
    kommuner = kommuner_in_year(questionnaire.cycle.year)
    filters = StatusFilterForm(request.GET or None)
    rows = kommun_statuses(questionnaire, kommuner, **filters.filters())
    return render(
        request,
        "intake/supplementary_status.html",
        {
            "questionnaire": questionnaire,
            "counts": status_counts(questionnaire, kommuner),
            "by_rss": response_rate_by_rss(questionnaire),
            "rows": rows,
            "without_contact": [r for r in rows if not r.contacts],
            "filters": filters,
            "is_filtered": any(filters.filters().values()),
            "last_links": latest_bulk_send(
                questionnaire, kind=MailingKind.SIGN_IN_LINK, scope=None
            ),
            "last_reminders": latest_bulk_send(
                questionnaire, kind=MailingKind.REMINDER, scope=None
            ),
            "guard_minutes": int(BULK_GUARD.total_seconds() // 60),
            "contact_form": contact_form or KommunContactForm(kommuner=kommuner),
        },
        status=status,
    )


@login_required
@require_POST
def supplementary_send_all(
    request: HttpRequest, questionnaire_id: int, kind: str
) -> HttpResponse:
    questionnaire = get_supplementary_questionnaire(
        request_user(request), questionnaire_id=questionnaire_id
    )
    _send_bulk(
        request,
        questionnaire,
        kind=MailingKind.REMINDER if kind == "paminn" else MailingKind.SIGN_IN_LINK,
        kommuner=kommuner_in_year(questionnaire.cycle.year),
        scope=None,
    )
    return redirect(_supplementary_url(questionnaire))


@login_required
@require_POST
def supplementary_contact_add(
    request: HttpRequest, questionnaire_id: int
) -> HttpResponse:
    user = request_user(request)
    questionnaire = get_supplementary_questionnaire(
        user, questionnaire_id=questionnaire_id
    )
    form = KommunContactForm(
        request.POST, kommuner=kommuner_in_year(questionnaire.cycle.year)
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        kommun = get_expected_kommun(questionnaire, kommun_id=data.pop("kommun").pk)
        if _add_contact(
            request, form, kommun, year=questionnaire.cycle.year, data=data
        ):
            return redirect(_supplementary_url(questionnaire))
    form.mark_errors()
    return _render_supplementary(request, questionnaire, contact_form=form, status=400)
