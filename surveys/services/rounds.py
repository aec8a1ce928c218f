"""Staff's information letter and reminder rounds (issue #15, docs/conventions.md
§2, §8, §9): written from Swedish templates with placeholders, previewed for one
recipient, sent now or scheduled, to every organisation of the questionnaire's
audience that has not submitted or to a selection.

A round is a `Mailing` row with its text, time and selection (status
scheduled → sent, or cancelled); its e-mails are `Dispatch` rows made when it
goes, one per organisation and contact, and sent one by one by
`surveys.tasks.send_dispatch`. Idempotent throughout: `run_round` makes the rows
with a unique constraint (a second run adds nothing), then flips the status with
a conditional UPDATE; each e-mail is claimed before it is sent. Whether the
questionnaire is open and the organisation has not submitted is checked when the
round goes and again when each e-mail goes, not only when it was scheduled.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from outbox.services import enqueue, enqueue_many
from surveys.deadlines import deadline_for
from surveys.errors import DomainError
from surveys.formatting import swedish_date
from surveys.mailings import require_open_for_mail
from surveys.models.message_log import (
    ROUND_KINDS,
    Dispatch,
    DispatchStatus,
    Mailing,
    MailingKind,
    RoundStatus,
)
from surveys.models.questionnaires import Questionnaire
from surveys.models.register import Organisation
from surveys.models.users import OrganisationRole, User
from surveys.selectors import expected_respondents

# intake.models.ResponseStatus.SUBMITTED, by value: surveys does not import
# intake (tests/surveys/test_rounds.py checks that the two agree).
SUBMITTED = "submitted"

PLACEHOLDERS = {
    "organisation": "organisationens namn",
    "enkät": "enkätens titel",
    "sista_dag": "organisationens sista svarsdag (med förlängning)",
    "länk": "personlig inloggningslänk som fungerar en gång",
}
LINK_PREVIEW = "[personlig inloggningslänk, skapas när mejlet skickas]"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
    MailingKind.INFORMATION: (
        "{enkät}: information och inloggning",
        "Hej!\n\nSocialstyrelsen följer varje år upp omställningen till en god och "
        "nära vård. Nu är enkäten ”{enkät}” öppen för {organisation}.\n\n"
        "Sista dag att svara: {sista_dag}.\n\n"
        "Logga in och gå direkt till enkäten med den här personliga länken:\n{länk}\n\n"
        "Svaren sparas som utkast tills ni skickar in enkäten.\n\n"
        "Med vänlig hälsning\nSocialstyrelsen",
    ),
    MailingKind.REMINDER: (
        "Påminnelse: {enkät}",
        "Hej!\n\nEnkäten ”{enkät}” för {organisation} är ännu inte inskickad.\n\n"
        "Sista dag att svara: {sista_dag}.\n\n"
        "Logga in med den här personliga länken:\n{länk}\n\n"
        "Har enkäten redan skickats in av en kollega kan du bortse från mejlet.\n\n"
        "Med vänlig hälsning\nSocialstyrelsen",
    ),
    MailingKind.EXTRA_REMINDER: (
        "Sista påminnelse: {enkät}",
        "Hej!\n\nVi saknar fortfarande svaret från {organisation} på enkäten "
        "”{enkät}”. Era svar behövs för att den nationella bilden ska bli "
        "komplett.\n\nSista dag att svara: {sista_dag}.\n\n"
        "Logga in med den här personliga länken:\n{länk}\n\n"
        "Med vänlig hälsning\nSocialstyrelsen",
    ),
}


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with each known {placeholder} replaced; others are left as typed
    (refused when the round is written: `check_text`)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def round_values(dispatch: Dispatch, *, link: str) -> dict[str, str]:
    """The placeholders' values for one e-mail of a round."""
    questionnaire = dispatch.questionnaire
    organisation = dispatch.organisation
    assert questionnaire is not None and organisation is not None  # noqa: S101 - a round's rows
    return placeholder_values(questionnaire, organisation, link=link)


def placeholder_values(
    questionnaire: Questionnaire, organisation: Organisation, *, link: str
) -> dict[str, str]:
    deadline = deadline_for(questionnaire, organisation)
    return {
        "organisation": organisation.name,
        "enkät": questionnaire.title,
        "sista_dag": swedish_date(deadline.closes_on)
        + (" (förlängd för er)" if deadline.extended else ""),
        "länk": link,
    }


def preview(
    questionnaire: Questionnaire,
    *,
    subject: str,
    body: str,
    organisation: Organisation,
) -> tuple[str, str]:
    """The round's e-mail as one organisation would get it (the link is made
    when it is sent)."""
    values = placeholder_values(questionnaire, organisation, link=LINK_PREVIEW)
    return " ".join(fill(subject, values).split()), fill(body, values)


def check_text(subject: str, body: str) -> None:
    errors: dict[str, list[str]] = {}
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    for field, text in (("subject", subject), ("body", body)):
        unknown = sorted(
            {m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS}
        )
        if unknown:
            errors.setdefault(field, []).append(
                "Okänd platshållare: "
                + ", ".join("{" + u + "}" for u in unknown)
                + f". Möjliga: {known}."
            )
    if not subject.strip():
        errors.setdefault("subject", []).append("Skriv en ämnesrad.")
    if "{länk}" not in body:
        errors.setdefault("body", []).append(
            "Texten måste innehålla {länk}: utan den kan mottagaren inte logga in."
        )
    if errors:
        raise ValidationError(errors)


def not_submitted(questionnaire: Questionnaire) -> QuerySet[Organisation]:
    """The organisations of the audience that have not submitted: one query."""
    submitted = Organisation.objects.filter(
        responses__questionnaire=questionnaire, responses__status=SUBMITTED
    ).values("pk")
    return expected_respondents(questionnaire).exclude(pk__in=submitted)


def _require_staff(actor: User) -> None:
    if not actor.is_staff_member:
        raise DomainError(
            "Bara Socialstyrelsen skickar informationsbrev och påminnelser."
        )


@transaction.atomic
def schedule_round(
    questionnaire: Questionnaire,
    *,
    kind: MailingKind,
    subject: str,
    body: str,
    actor: User,
    send_at: datetime.datetime | None = None,
    organisations: Sequence[int] | None = None,
) -> Mailing:
    """Record a round to go now (`send_at` None) or at `send_at`, to the
    organisations chosen (ids) or to every one that has not submitted when it
    goes (None). Beat runs scheduled rounds (surveys.tasks.run_due_rounds)."""
    _require_staff(actor)
    if kind not in ROUND_KINDS:
        raise DomainError("Välj informationsbrev, ordinarie eller extra påminnelse.")
    require_open_for_mail(questionnaire)
    check_text(subject, body)
    now = timezone.now()
    if send_at is not None and send_at < now - datetime.timedelta(minutes=1):
        raise ValidationError(
            {"send_at": ["Tidpunkten har redan passerat. Välj en senare tidpunkt."]}
        )
    selection = None
    if organisations is not None:
        expected = set(expected_respondents(questionnaire).values_list("pk", flat=True))
        selection = sorted({int(pk) for pk in organisations} & expected)
        if not selection:
            raise ValidationError(
                {"organisations": ["Välj minst en organisation i enkätens målgrupp."]}
            )
    mailing = Mailing(
        kind=kind,
        questionnaire=questionnaire,
        is_bulk=True,
        scope=None,
        sent_by=actor,
        subject=subject.strip(),
        body=body.strip(),
        scheduled_for=send_at or now,
        status=RoundStatus.SCHEDULED,
        selection=selection,
    )
    mailing.full_clean()
    mailing.save()
    if send_at is None:
        # Through the outbox, after commit, like every other send (docs/background-work.md).
        enqueue("surveys.tasks.run_round", mailing.pk)
    return mailing


@transaction.atomic
def send_round_now(
    questionnaire: Questionnaire,
    *,
    kind: MailingKind,
    organisations: Sequence[int],
    actor: User,
    scope: Organisation | None = None,
) -> Mailing:
    """A round in the standard words of `kind` (templates/emails/) that goes at
    once to those of `organisations` that have not submitted: the RSS's
    "Påminn alla" and staff's links to all (intake.outreach), which decide who
    may send to whom. The same rows, run and checks as a scheduled round."""
    require_open_for_mail(questionnaire)
    mailing = Mailing(
        kind=kind,
        questionnaire=questionnaire,
        is_bulk=True,
        scope=scope,
        sent_by=actor,
        scheduled_for=timezone.now(),
        status=RoundStatus.SCHEDULED,
        selection=sorted(set(organisations)),
    )
    mailing.full_clean()
    mailing.save()
    run_round(mailing.pk)
    mailing.refresh_from_db()
    return mailing


@transaction.atomic
def cancel_round(mailing: Mailing, *, actor: User) -> Mailing:
    _require_staff(actor)
    cancelled = Mailing.objects.filter(
        pk=mailing.pk, status=RoundStatus.SCHEDULED
    ).update(status=RoundStatus.CANCELLED, note=f"Inställd av {actor.email}.")
    if not cancelled:
        raise DomainError("Utskicket har redan gått i väg eller är redan inställt.")
    mailing.refresh_from_db()
    return mailing


def due_rounds(now: datetime.datetime | None = None) -> list[int]:
    return list(
        Mailing.objects.filter(
            status=RoundStatus.SCHEDULED, scheduled_for__lte=now or timezone.now()
        )
        .order_by("scheduled_for", "pk")
        .values_list("pk", flat=True)
    )


def unreached_note(names: Sequence[str]) -> str:
    """The round's note naming the organisations it reached no one at, within
    the note's 300 characters."""
    if not names:
        return ""
    shown = ", ".join(names[:8])
    more = f" och {len(names) - 8} till" if len(names) > 8 else ""
    note = f"Ingen aktiv kontakt, inget mejl till: {shown}{more}."
    return note if len(note) <= 300 else note[:299] + "…"


@transaction.atomic
def run_round(mailing_id: int) -> int:
    """Make a due round's e-mails and queue them; the number made by this run.

    Safe to run any number of times, also at once: a round that is not due, is
    cancelled or already sent gets nothing new; the rows are unique per round,
    organisation and contact, so a second run adds none; the send tasks claim
    each e-mail before sending. A round whose questionnaire is no longer open is
    cancelled with a note.
    """
    mailing = (
        Mailing.objects.select_for_update(of=("self",))
        .select_related("questionnaire")
        .filter(pk=mailing_id, status=RoundStatus.SCHEDULED)
        .first()
    )
    if mailing is None:
        return 0
    now = timezone.now()
    if mailing.scheduled_for is not None and mailing.scheduled_for > now:
        return 0
    questionnaire = mailing.questionnaire
    if questionnaire is None or not questionnaire.is_open:
        Mailing.objects.filter(pk=mailing.pk).update(
            status=RoundStatus.CANCELLED,
            note="Gick inte i väg: enkäten var inte öppen.",
        )
        return 0
    targets = not_submitted(questionnaire)
    if mailing.selection is not None:
        targets = targets.filter(pk__in=mailing.selection)
    roles = OrganisationRole.objects.filter(
        organisation__in=targets, user__is_active=True
    ).select_related("user")
    rows = [
        Dispatch(
            mailing=mailing,
            kind=mailing.kind,
            questionnaire=questionnaire,
            organisation_id=role.organisation_id,
            recipient=role.user,
            email=role.user.email,
            sent_by=mailing.sent_by,
        )
        for role in roles.order_by("organisation_id", "user__email")
    ]
    before = mailing.dispatches.count()
    Dispatch.objects.bulk_create(rows, ignore_conflicts=True)
    made = mailing.dispatches.count() - before
    # A round to an organisation without an active contact reaches no one there:
    # say so on the round, or "Skickad" with 0 e-mails looks like success.
    unreached = list(
        targets.exclude(pk__in=roles.values("organisation_id"))
        .order_by("name")
        .values_list("name", flat=True)
    )
    Mailing.objects.filter(pk=mailing.pk, status=RoundStatus.SCHEDULED).update(
        status=RoundStatus.SENT, dispatched_at=now, note=unreached_note(unreached)
    )
    ids = list(
        mailing.dispatches.filter(
            status=DispatchStatus.QUEUED, claimed_at=None
        ).values_list("pk", flat=True)
    )
    enqueue_many("surveys.tasks.send_dispatch", [[pk] for pk in ids])
    return made
