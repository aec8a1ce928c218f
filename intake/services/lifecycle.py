"""A response's life: created for its organisation, its contact person kept,
submitted (an RSS's kommun counts frozen on the way), reopened by staff.

Separate from `saving`, which changes answers: these change the response's
status and tell the respondents (`intake.tasks`, through the outbox).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from intake.consolidation.freeze import (
    freeze_kommun_counts,
    record_consolidation_sources,
)
from intake.models import (
    Channel,
    ContactChange,
    Response,
    ResponseEvent,
    ResponseStatus,
)
from intake.selectors import MissingAnswer, missing_required_answers
from intake.services.saving import StaleResponseError, save_answers
from intake.writable import require_writable
from outbox.services import enqueue
from surveys.errors import DomainError
from surveys.models import (
    Organisation,
    OrganisationKind,
    Questionnaire,
    User,
)
from surveys.sheet_text import holdable


@transaction.atomic
def get_or_create_response(
    questionnaire: Questionnaire,
    *,
    organisation: Organisation,
    channel: Channel = Channel.WEB,
) -> Response:
    """The organisation's response, created on its first answer; `channel` is
    the way that answer comes (only respondents' are limited to open
    questionnaires: `intake.writable`)."""
    if organisation.kind != questionnaire.audience:
        raise DomainError(
            f"{organisation.name} hör inte till enkätens målgrupp ({questionnaire.get_audience_display()})."
        )
    require_writable(questionnaire, organisation=organisation, channel=channel)
    response, _ = Response.objects.get_or_create(
        questionnaire=questionnaire, organisation=organisation
    )
    return response


# --- submitting ----------------------------------------------------------------------


def incomplete_message(missing: Sequence[MissingAnswer]) -> str:
    """Why a response with required questions unanswered is not submitted."""
    return (
        "Enkäten kan inte skickas in förrän alla obligatoriska frågor är besvarade: "
        + ", ".join(f"fråga {m.number}" for m in missing)
        + "."
    )


@transaction.atomic
def submit_response(
    response: Response,
    *,
    actor: User,
    expected_version: int | None = None,
    submitted_at: datetime.datetime | None = None,
    notify: bool = True,
    freeze_counts: bool = True,
    require_complete: bool = True,
    channel: Channel = Channel.WEB,
    reason: str = "",
) -> Response:
    """Lock a complete response. Raises DomainError listing what is missing.

    An import of earlier years keeps the time the answers were first submitted
    (`submitted_at`) and sends no receipt (`notify=False`). An RSS response whose
    kommun counts were imported with their bases keeps them (`freeze_counts=False`):
    they are the record of an earlier submission, which the kommun answers now in
    the database (if any) need not match. It also keeps the item nonresponse of
    what was submitted then (`require_complete=False`), which the import says in
    the event's `reason`; it passes `channel=Channel.IMPORT`, as respondents may
    submit only while the questionnaire is open (`intake.writable`).
    """
    if response.status == ResponseStatus.SUBMITTED:
        raise DomainError("Enkäten är redan inskickad.")
    require_writable(
        response.questionnaire, organisation=response.organisation, channel=channel
    )
    missing = missing_required_answers(response) if require_complete else []
    if missing:
        raise DomainError(incomplete_message(missing))
    version = response.version if expected_version is None else expected_version
    sources: list[Any] = []
    if response.questionnaire.audience == OrganisationKind.RSS and freeze_counts:
        # The kommun counts as they stand become the RSS's answers (issue #4).
        response, sources = freeze_kommun_counts(
            response, actor=actor, expected_version=version, save=save_answers
        )
        version = response.version
    now = timezone.now()
    locked = Response.objects.filter(pk=response.pk, version=version).update(
        status=ResponseStatus.SUBMITTED,
        submitted_at=submitted_at or now,
        submitted_by=actor,
        version=F("version") + 1,
        updated_at=now,
    )
    if not locked:
        raise StaleResponseError(
            Response.objects.values_list("version", flat=True).get(pk=response.pk)
        )
    response.refresh_from_db()
    if sources:
        record_consolidation_sources(response, sources)
    event = ResponseEvent.objects.create(
        response=response,
        kind=ResponseEvent.Kind.SUBMITTED,
        actor=actor,
        reason=reason,
    )
    if notify:
        # Recorded with the submission; sent once per event (intake.tasks).
        enqueue("intake.tasks.send_receipt", event.pk)
    return response


def update_contact_details(
    response: Response,
    *,
    actor: User,
    name: str,
    email: str,
    phone: str,
    channel: Channel = Channel.WEB,
) -> Response:
    """The respondent's contact person (kvalitetsdeklaration: uppgiftslämnare).

    Personal data: shown to the organisation and staff only, and left out of raw
    data exports unless staff ask for them. Every change is kept in ContactChange
    (old and new value, who, when), which staff see in the response admin.
    """
    if response.status == ResponseStatus.SUBMITTED:
        raise DomainError(
            "Enkäten är inskickad och låst. Be Socialstyrelsen öppna den igen."
        )
    require_writable(
        response.questionnaire, organisation=response.organisation, channel=channel
    )
    values = {
        "contact_name": holdable(name).strip(),
        "contact_email": holdable(email).strip(),
        "contact_phone": holdable(phone).strip(),
    }
    changed = [
        field for field, value in values.items() if getattr(response, field) != value
    ]
    if not changed:
        # Every save of the form comes here: one that changes no contact detail
        # opens no transaction (an empty one is still a round trip, issue #20).
        return response
    old = {field: getattr(response, field) for field in changed}
    with transaction.atomic():
        for field in changed:
            setattr(response, field, values[field])
        response.full_clean(exclude=["questionnaire", "organisation", "submitted_by"])
        response.save(update_fields=[*changed, "updated_at"])
        ContactChange.objects.bulk_create(
            ContactChange(
                response=response,
                field=field,
                old_value=old[field],
                new_value=values[field],
                changed_by=actor,
            )
            for field in changed
        )
    return response


@transaction.atomic
def reopen_response(response: Response, *, actor: User, reason: str) -> Response:
    """Staff unlock a submitted response; the respondents are told by e-mail."""
    if not actor.is_staff_member:
        raise DomainError("Bara Socialstyrelsen kan öppna en inskickad enkät igen.")
    if response.status != ResponseStatus.SUBMITTED:
        raise DomainError("Enkäten är inte inskickad.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Ange varför enkäten öppnas igen."]})
    now = timezone.now()
    Response.objects.filter(pk=response.pk).update(
        status=ResponseStatus.REOPENED, version=F("version") + 1, updated_at=now
    )
    response.refresh_from_db()
    event = ResponseEvent.objects.create(
        response=response, kind=ResponseEvent.Kind.REOPENED, actor=actor, reason=reason
    )
    enqueue("intake.tasks.send_reopened_notice", event.pk)
    return response
