"""Staff's writes to a questionnaire's lifecycle (issue #15, docs/conventions.md §2):
open it before its opening date, close it, reopen it, and extend the deadline
for one organisation. Each is recorded with who, when and why.

The state is derived (`Questionnaire.state`): open from `opens_on`, closed only
when staff close it. The deadline (`closes_on`, or an organisation's extension)
is what respondents are told; answers after it are still accepted until staff
close the questionnaire, as the collection has always worked.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from surveys.errors import DomainError
from surveys.models.lifecycle import DeadlineExtension, QuestionnaireEvent
from surveys.models.questionnaires import Questionnaire, QuestionnaireState
from surveys.models.register import Organisation
from surveys.models.users import User

STAFF_ONLY = "Bara Socialstyrelsen kan öppna, stänga eller förlänga en enkät."


def _require_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise DomainError(STAFF_ONLY)


def _locked(questionnaire: Questionnaire) -> Questionnaire:
    # Two staff members pressing at once: the second sees the first one's state.
    return Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)


def _carry_over(locked: Questionnaire, questionnaire: Questionnaire) -> Questionnaire:
    # The caller's instance says what was just done, too.
    questionnaire.opened_at = locked.opened_at
    questionnaire.closed_at = locked.closed_at
    return locked


def _record(
    questionnaire: Questionnaire,
    kind: QuestionnaireEvent.Kind,
    *,
    actor: User,
    reason: str = "",
) -> None:
    event = QuestionnaireEvent(
        questionnaire=questionnaire, kind=kind, actor=actor, reason=reason
    )
    event.full_clean()
    event.save()


@transaction.atomic
def open_questionnaire(
    given: Questionnaire, *, actor: User, reason: str = ""
) -> Questionnaire:
    """Open a questionnaire in preparation now, before its opening date."""
    _require_staff(actor)
    questionnaire = _locked(given)
    state = questionnaire.state
    if state == QuestionnaireState.OPEN:
        raise DomainError(f"{questionnaire.title} är redan öppen.")
    if state == QuestionnaireState.CLOSED:
        raise DomainError(
            f"{questionnaire.title} är stängd. Öppna den igen med en anledning."
        )
    questionnaire.opened_at = timezone.now()
    questionnaire.save(update_fields=["opened_at"])
    _record(questionnaire, QuestionnaireEvent.Kind.OPENED, actor=actor, reason=reason)
    return _carry_over(questionnaire, given)


@transaction.atomic
def close_questionnaire(
    given: Questionnaire, *, actor: User, reason: str = ""
) -> Questionnaire:
    """Close a questionnaire: from now on its answers are read-only and nothing
    more is sent for it. Drafts stay as they are (not submitted)."""
    _require_staff(actor)
    questionnaire = _locked(given)
    if questionnaire.state == QuestionnaireState.CLOSED:
        raise DomainError(f"{questionnaire.title} är redan stängd.")
    questionnaire.closed_at = timezone.now()
    questionnaire.save(update_fields=["closed_at"])
    _record(questionnaire, QuestionnaireEvent.Kind.CLOSED, actor=actor, reason=reason)
    return _carry_over(questionnaire, given)


@transaction.atomic
def reopen_questionnaire(
    given: Questionnaire, *, actor: User, reason: str
) -> Questionnaire:
    """Open a closed questionnaire again (a mistake, or a late collection)."""
    _require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Ange varför enkäten öppnas igen."]})
    questionnaire = _locked(given)
    if questionnaire.state != QuestionnaireState.CLOSED:
        raise DomainError(f"{questionnaire.title} är inte stängd.")
    questionnaire.closed_at = None
    questionnaire.save(update_fields=["closed_at"])
    _record(questionnaire, QuestionnaireEvent.Kind.REOPENED, actor=actor, reason=reason)
    return _carry_over(questionnaire, given)


@transaction.atomic
def extend_deadline(
    questionnaire: Questionnaire,
    *,
    organisation: Organisation,
    closes_on: datetime.date,
    reason: str,
    actor: User,
) -> DeadlineExtension:
    """Give one organisation a later deadline; it sees it on its pages and in the
    letters it is sent."""
    _require_staff(actor)
    if organisation.kind != questionnaire.audience:
        raise DomainError(
            f"{organisation.name} hör inte till enkätens målgrupp "
            f"({questionnaire.get_audience_display().lower()})."
        )
    if questionnaire.state == QuestionnaireState.CLOSED:
        raise DomainError(
            f"{questionnaire.title} är stängd. Öppna den igen innan svarstiden "
            "förlängs."
        )
    errors: dict[str, list[str]] = {}
    if closes_on < questionnaire.closes_on:
        errors["closes_on"] = [
            "Den nya sista dagen kan inte ligga före enkätens sista dag."
        ]
    if not reason.strip():
        errors["reason"] = ["Ange varför svarstiden förlängs."]
    if errors:
        raise ValidationError(errors)
    extension = DeadlineExtension(
        questionnaire=questionnaire,
        organisation=organisation,
        closes_on=closes_on,
        reason=reason.strip(),
        granted_by=actor,
    )
    extension.full_clean()
    extension.save()
    return extension
