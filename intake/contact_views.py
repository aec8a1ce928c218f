"""Staff's pages for the contact persons of regions and RSS (issue #15 point
3): the list with add, remove and invite; each organisation's history of
changes; importing a contact list with a preview.

Thin views (docs/conventions.md §4): staff only (403 for others), forms parse,
intake.services.contacts writes. The preview carries the checked rows to the
confirmation signed, so nothing is stored between the two requests and the
rows cannot be altered on the way; they are checked again when saved.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from intake.contact_import import (
    MAX_CONTACT_FILE_BYTES,
    ContactFileError,
    ContactPreview,
    read_contact_file,
)
from intake.models import ContactChange
from intake.rss_forms import ContactForm
from intake.services.contacts import (
    STAFF_KINDS,
    ContactRow,
    add_organisation_contact,
    import_organisation_contacts,
    invite_organisation_contacts,
    remove_organisation_contact,
)
from surveys.auth import request_user
from surveys.errors import shown_errors
from surveys.models import Organisation, User
from surveys.selectors import active_contacts

IMPORT_SALT = "intake.contact-import"
# A preview is confirmed within the hour or uploaded again.
IMPORT_MAX_AGE = 3600


class ContactFileForm(forms.Form):
    file = forms.FileField(
        label="Kontaktlista (.xlsx eller .csv)",
        help_text="Kolumner: Organisation (länskod, RSS-kod eller namn), E-post, "
        "Förnamn, Efternamn.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CONTACT_FILE_BYTES:
            raise forms.ValidationError("Filen är större än 2 MB. Dela upp listan.")
        return upload


def _staff(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.is_staff_member:
        raise PermissionDenied("Bara Socialstyrelsen hanterar kontakterna.")
    return user


def _organisation(organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(
        pk=organisation_id, kind__in=STAFF_KINDS
    ).first()
    if organisation is None:
        raise Http404("Organisationen finns inte.")
    return organisation


def _prefix(organisation: Organisation) -> str:
    # One add form per organisation on the page: distinct field ids.
    return f"org{organisation.pk}"


def _render_list(
    request: HttpRequest,
    *,
    form_for: int | None = None,
    form: ContactForm | None = None,
    file_form: ContactFileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organisations = (
        Organisation.objects.filter(kind__in=STAFF_KINDS)
        .prefetch_related(active_contacts())
        .order_by("-kind", "sort_order", "code")
    )
    rows = [
        (
            o,
            form
            if o.pk == form_for and form is not None
            else ContactForm(prefix=_prefix(o)),
        )
        for o in organisations
    ]
    return render(
        request,
        "intake/staff_contacts.html",
        {"rows": rows, "file_form": file_form or ContactFileForm()},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def staff_contacts(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return _render_list(request)


@login_required
@require_http_methods(["POST"])
def staff_contact_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor = _staff(request)
    organisation = _organisation(organisation_id)
    form = ContactForm(request.POST, prefix=_prefix(organisation))
    if form.is_valid():
        with shown_errors(form=form, field="email") as outcome:
            user = add_organisation_contact(
                organisation,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                actor=actor,
            )
        if outcome.ok:
            messages.success(
                request, f"{user.email} är nu kontakt för {organisation.name}."
            )
            return redirect("intake:staff-contacts")
    form.mark_errors()
    return _render_list(request, form_for=organisation.pk, form=form, status=400)


@login_required
@require_http_methods(["POST"])
def staff_contact_remove(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor = _staff(request)
    organisation = _organisation(organisation_id)
    user = User.objects.filter(pk=request.POST.get("user") or 0).first()
    if user is None:
        raise Http404("Kontakten finns inte.")
    with shown_errors(request) as outcome:
        remove_organisation_contact(organisation, user=user, actor=actor)
    if outcome.ok:
        messages.success(
            request, f"{user.email} är inte längre kontakt för {organisation.name}."
        )
    return redirect("intake:staff-contacts")


@login_required
@require_http_methods(["POST"])
def staff_contact_invite(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor = _staff(request)
    organisation = _organisation(organisation_id)
    chosen = User.objects.filter(pk=request.POST.get("user") or 0).first()
    with shown_errors(request) as outcome:
        invited = invite_organisation_contacts(
            organisation, actor=actor, users=[chosen] if chosen else None
        )
    if outcome.ok:
        messages.success(
            request,
            "Inbjudan med en personlig inloggningslänk har skickats till "
            + ", ".join(u.email for u in invited)
            + ".",
        )
    return redirect("intake:staff-contacts")


@login_required
@require_http_methods(["GET"])
def staff_contact_history(request: HttpRequest, organisation_id: int) -> HttpResponse:
    _staff(request)
    organisation = _organisation(organisation_id)
    changes = (
        ContactChange.objects.filter(organisation=organisation)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    )
    return render(
        request,
        "intake/staff_contact_history.html",
        {"organisation": organisation, "changes": changes},
    )


@login_required
@require_http_methods(["POST"])
def staff_contact_import(request: HttpRequest) -> HttpResponse:
    """Upload: read and check the file, then show the preview to confirm."""
    _staff(request)
    file_form = ContactFileForm(request.POST, request.FILES)
    if not file_form.is_valid():
        return _render_list(request, file_form=file_form, status=400)
    try:
        preview = read_contact_file(file_form.cleaned_data["file"].read())
    except ContactFileError as exc:
        file_form.add_error("file", exc.message)
        return _render_list(request, file_form=file_form, status=400)
    token = signing.dumps([asdict(row) for row in preview.rows], salt=IMPORT_SALT)
    return _render_preview(request, preview, token)


def _render_preview(
    request: HttpRequest, preview: ContactPreview, token: str, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "intake/staff_contact_import.html",
        {"preview": preview, "token": token},
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def staff_contact_import_confirm(request: HttpRequest) -> HttpResponse:
    actor = _staff(request)
    try:
        data = signing.loads(
            request.POST.get("rader", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
        )
        rows = [ContactRow(**row) for row in data]
    except (signing.BadSignature, TypeError):
        messages.error(
            request,
            "Förhandsgranskningen är för gammal eller ändrad. Ladda upp listan igen.",
        )
        return redirect("intake:staff-contacts")
    with shown_errors(request) as outcome:
        added = import_organisation_contacts(rows, actor=actor)
    if outcome.ok:
        messages.success(
            request,
            f"{added} nya kontakter har lagts till"
            + (f"; {len(rows) - added} fanns redan." if len(rows) > added else "."),
        )
    return redirect("intake:staff-contacts")
