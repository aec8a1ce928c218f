"""Writes for reaching kommuner (issue #4, docs/conventions.md §2): their contacts, sign-in
links and reminders, one kommun at a time or in bulk.

Every send is logged through `surveys.mailings.record_mailing` (one Mailing per
action, one Dispatch per e-mail) and the e-mails go from a Celery task after
commit. A kommun that has submitted is never reminded. A bulk round cannot be
repeated within BULK_GUARD of the last one from the same sender scope, so a
double click or a second coordinator does not mail every kommun twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from intake.models import Response, ResponseStatus
from intake.permissions import may_manage_kommun
from intake.services.contacts import record_contact_change
from surveys.errors import DomainError
from surveys.mailings import Recipient, record_mailing
from surveys.models import (
    Mailing,
    MailingKind,
    Organisation,
    OrganisationKind,
    OrganisationRole,
    Questionnaire,
    User,
)
from surveys.selectors import active_contacts, kommuner_of_rss
from surveys.services import account_for
from surveys.services.rounds import send_round_now

# A second bulk round of the same kind from the same scope is refused this soon.
BULK_GUARD = datetime.timedelta(minutes=30)


def _require_manager(actor: User, kommun: Organisation, *, year: int) -> None:
    if not may_manage_kommun(actor, kommun, year=year):
        raise DomainError(
            f"Du kan inte hantera kontakter eller utskick för {kommun.name}."
        )


def _require_kommun_questionnaire(questionnaire: Questionnaire) -> None:
    if questionnaire.audience != OrganisationKind.KOMMUN:
        raise DomainError("Enkäten går inte till kommuner.")


# --- contacts ----------------------------------------------------------------------


@transaction.atomic
def add_kommun_contact(
    kommun: Organisation,
    *,
    year: int,
    email: str,
    actor: User,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Make someone a contact (respondent) for a kommun: an account for the address
    (reused when it exists, in any case) with a role for the kommun. Nothing is
    e-mailed: the sign-in link is sent from the status page when wanted."""
    _require_manager(actor, kommun, year=year)
    user = account_for(
        email,
        first_name=first_name,
        last_name=last_name,
        inactive="Kontakta Socialstyrelsen.",
    )
    if not OrganisationRole.objects.filter(user=user, organisation=kommun).exists():
        role = OrganisationRole(user=user, organisation=kommun)
        role.full_clean()
        role.save()
        record_contact_change(kommun, old="", new=user.email, actor=actor)
    return user


@transaction.atomic
def remove_kommun_contact(
    kommun: Organisation, *, year: int, user: User, actor: User
) -> None:
    """Take away a contact's right to answer for a kommun (the account stays)."""
    _require_manager(actor, kommun, year=year)
    deleted, _ = OrganisationRole.objects.filter(
        user=user, organisation=kommun
    ).delete()
    if not deleted:
        raise DomainError(f"{user.email} är inte kontakt för {kommun.name}.")
    record_contact_change(kommun, old=user.email, new="", actor=actor)


def kommun_contacts(kommun: Organisation) -> list[User]:
    return list(
        User.objects.filter(roles__organisation=kommun, is_active=True).order_by(
            "email"
        )
    )


# --- sending -----------------------------------------------------------------------


def _is_submitted(questionnaire: Questionnaire, kommun: Organisation) -> bool:
    return Response.objects.filter(
        questionnaire=questionnaire,
        organisation=kommun,
        status=ResponseStatus.SUBMITTED,
    ).exists()


@transaction.atomic
def send_sign_in_link(
    questionnaire: Questionnaire, *, kommun: Organisation, actor: User
) -> Mailing:
    """E-mail each of a kommun's contacts a personal sign-in link to the form.
    Sending again is a resend: a new link, logged as a new mailing."""
    return _send_one(MailingKind.SIGN_IN_LINK, questionnaire, kommun, actor)


@transaction.atomic
def send_reminder(
    questionnaire: Questionnaire, *, kommun: Organisation, actor: User
) -> Mailing:
    """Remind a kommun's contacts (with a fresh link); refused once it has submitted."""
    if _is_submitted(questionnaire, kommun):
        raise DomainError(
            f"{kommun.name} har redan skickat in enkäten och påminns inte."
        )
    return _send_one(MailingKind.REMINDER, questionnaire, kommun, actor)


def _send_one(
    kind: MailingKind,
    questionnaire: Questionnaire,
    kommun: Organisation,
    actor: User,
) -> Mailing:
    _require_kommun_questionnaire(questionnaire)
    _require_manager(actor, kommun, year=questionnaire.cycle.year)
    contacts = kommun_contacts(kommun)
    if not contacts:
        raise DomainError(
            f"{kommun.name} saknar kontakt. Lägg till en e-postadress först."
        )
    return record_mailing(
        kind,
        recipients=[Recipient(user, kommun) for user in contacts],
        actor=actor,
        questionnaire=questionnaire,
    )


@dataclass(frozen=True)
class BulkResult:
    mailing: Mailing
    n_kommuner: int
    n_emails: int
    without_contact: Sequence[Organisation]


@transaction.atomic
def send_to_all_not_submitted(
    questionnaire: Questionnaire,
    *,
    kind: MailingKind,
    kommuner: QuerySet[Organisation],
    scope: Organisation | None,
    actor: User,
) -> BulkResult:
    """One round to every kommun in `kommuner` that has not submitted: a reminder
    ("Påminn alla som inte har skickat in"), or sign-in links (staff, for a
    supplementary questionnaire). Kommuner without a contact are skipped and
    named in the result.

    `scope` is the RSS sending to its kommuner, or None for Socialstyrelsen; the
    caller's access gateway has limited `kommuner` to it, and every kommun is
    checked again here. Refused within BULK_GUARD of the last round of the same
    kind from the same scope.
    """
    _require_kommun_questionnaire(questionnaire)
    if kind == MailingKind.INVITATION:
        raise DomainError("Inbjudningar skickas inte till alla på en gång.")
    if not actor.is_staff_member:
        # A coordinator reaches only the kommuner of their own RSS that year.
        if (
            scope is None
            or not OrganisationRole.objects.filter(
                user=actor, organisation=scope, organisation__kind=OrganisationKind.RSS
            ).exists()
        ):
            raise DomainError("Bara Socialstyrelsen kan skicka till alla kommuner.")
        kommuner = kommuner.filter(
            pk__in=kommuner_of_rss(scope, year=questionnaire.cycle.year).values("pk")
        )
    # Serialise bulk rounds of one questionnaire so that two clicks cannot both
    # pass the guard (a row lock on PostgreSQL; SQLite serialises writers anyway).
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    now = timezone.now()
    recent = (
        Mailing.objects.filter(
            questionnaire=questionnaire,
            kind=kind,
            is_bulk=True,
            scope=scope,
            created_at__gte=now - BULK_GUARD,
        )
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        at = date_format(timezone.localtime(recent.created_at), "H:i")
        wait = recent.created_at + BULK_GUARD - now
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise DomainError(
            f"Ett utskick av typen ”{MailingKind(kind).label.lower()}” till alla "
            f"gick redan i väg kl. {at}. För att ingen ska få samma mejl två gånger "
            f"kan du skicka igen om {minutes} minuter."
        )
    submitted = Response.objects.filter(
        questionnaire=questionnaire,
        organisation=OuterRef("pk"),
        status=ResponseStatus.SUBMITTED,
    )
    targets = list(
        kommuner.filter(kind=OrganisationKind.KOMMUN)
        .exclude(Exists(submitted))
        .prefetch_related(active_contacts())
        .order_by("code")
    )
    recipients = [
        Recipient(role.user, kommun)
        for kommun in targets
        for role in kommun.active_roles
    ]
    without_contact = [k for k in targets if not k.active_roles]
    if not recipients:
        raise DomainError(
            "Det finns ingen att skicka till: alla har skickat in eller saknar kontakt."
        )
    # A round like staff's (surveys.services.rounds): the same e-mail rows, made
    # once per kommun and contact, and the same checks when each e-mail goes.
    mailing = send_round_now(
        questionnaire,
        kind=kind,
        organisations=[k.pk for k in targets if k.active_roles],
        actor=actor,
        scope=scope,
    )
    return BulkResult(
        mailing=mailing,
        n_kommuner=len(targets) - len(without_contact),
        n_emails=len(recipients),
        without_contact=without_contact,
    )
