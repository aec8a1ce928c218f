"""The kvalitetsdeklaration's adapters to other parts of the service: the reminder
log, the questionnaires' lifecycle and the tabulation's item nonresponse.

Separate from the figures because their contract is the boundary with other
parts of the service: an adapter that returns None is shown as "uppgift saknas",
never as 0.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils import timezone

from reports.tabulation.nonresponse import ItemNonresponse as TabulatedItemNonresponse
from reports.tabulation.nonresponse import (
    item_nonresponse as tabulation_item_nonresponse,
)
from reports.tabulation.nonresponse import (
    item_nonresponse_of as tabulation_item_nonresponse_of,
)
from reports.tabulation.results import Level, Selection, Tabulation
from surveys.models import (
    DeadlineExtension,
    Mailing,
    MailingKind,
    Questionnaire,
    QuestionnaireEvent,
    RoundStatus,
)

# --- adapters to other parts of the service --------------------------------------


@dataclass(frozen=True)
class ReminderRound:
    """One reminder round: one sending to the respondents of a questionnaire who had
    not submitted, counted once however many e-mails it took."""

    sent_on: datetime.date
    recipients: int
    ordinary: bool  # an "ordinarie påminnelse"; False for an ad hoc reminder


RemindersAdapter = Callable[[Questionnaire], Sequence[ReminderRound] | None]


def reminders_for(questionnaire: Questionnaire) -> Sequence[ReminderRound] | None:
    """The reminder rounds sent for a questionnaire, oldest first, from the
    message log (`surveys.Mailing`).

    One `ReminderRound` per reminder mailing (one send action, however many
    e-mails it took): a bulk mailing of the ordinary kind ("Påminn alla som inte
    har skickat in", or staff's "ordinarie påminnelse" round) is an ordinary
    round; staff's "extra påminnelse" rounds and a reminder to one organisation
    are the others. An empty sequence when none were sent. One query.
    """
    mailings = (
        # A round staff scheduled counts once it has gone (issue #15).
        Mailing.objects.filter(
            questionnaire=questionnaire,
            kind__in=[MailingKind.REMINDER, MailingKind.EXTRA_REMINDER],
            status=RoundStatus.SENT,
        )
        .annotate(recipients=Count("dispatches__organisation", distinct=True))
        .order_by("created_at", "pk")
        .values_list("created_at", "recipients", "is_bulk", "kind")
    )
    return [
        ReminderRound(
            sent_on=timezone.localdate(created_at),
            recipients=recipients,
            ordinary=is_bulk and kind == MailingKind.REMINDER,
        )
        for created_at, recipients, is_bulk, kind in mailings
    ]


@dataclass(frozen=True)
class Lifecycle:
    """What happened to a questionnaire's period (issue #15), from the lifecycle
    record and the message log rather than from staff's text."""

    opened_on: datetime.date  # the opening day, or the day staff opened it early
    # The day staff closed it; None while open, and for a questionnaire closed
    # without a staff member's record (the earlier cycles closed by the
    # migration that introduced the lifecycle): then `closed` is still true.
    closed_on: datetime.date | None
    closed: bool
    n_extended: int  # organisations given a later deadline
    latest_extension: datetime.date | None
    information_letters: tuple[tuple[datetime.date, int], ...]  # (day, recipients)


def lifecycles_of(questionnaires: Sequence[Questionnaire]) -> dict[int, Lifecycle]:
    """Each questionnaire's actual period, extensions and information letters:
    three queries whatever the number of questionnaires or organisations."""
    closings = {
        row["questionnaire_id"]: row["last"]
        for row in QuestionnaireEvent.objects.filter(
            questionnaire__in=questionnaires,
            kind=QuestionnaireEvent.Kind.CLOSED,
            actor__isnull=False,
        )
        .order_by()
        .values("questionnaire_id")
        .annotate(last=Max("created_at"))
    }
    extensions = {
        row["questionnaire_id"]: (row["n"], row["latest"])
        for row in DeadlineExtension.objects.filter(questionnaire__in=questionnaires)
        .order_by()
        .values("questionnaire_id")
        .annotate(n=Count("organisation", distinct=True), latest=Max("closes_on"))
    }
    letters: dict[int, list[tuple[datetime.date, int]]] = {}
    for questionnaire_id, created_at, recipients in (
        Mailing.objects.filter(
            questionnaire__in=questionnaires,
            kind=MailingKind.INFORMATION,
            status=RoundStatus.SENT,
        )
        .annotate(recipients=Count("dispatches__organisation", distinct=True))
        .order_by("created_at", "pk")
        .values_list("questionnaire_id", "created_at", "recipients")
    ):
        letters.setdefault(questionnaire_id, []).append(
            (timezone.localdate(created_at), recipients)
        )
    result = {}
    for questionnaire in questionnaires:
        opened_on = questionnaire.opens_on
        if questionnaire.opened_at is not None:
            opened_on = min(opened_on, timezone.localdate(questionnaire.opened_at))
        n_extended, latest = extensions.get(questionnaire.pk, (0, None))
        result[questionnaire.pk] = Lifecycle(
            opened_on=opened_on,
            closed_on=timezone.localdate(closings[questionnaire.pk])
            if questionnaire.closed_at and questionnaire.pk in closings
            else None,
            closed=questionnaire.closed_at is not None,
            n_extended=n_extended,
            latest_extension=latest,
            information_letters=tuple(letters.get(questionnaire.pk, [])),
        )
    return result


@dataclass(frozen=True)
class ItemNonresponse:
    """One item's nonresponse among the respondents (as the tables count them).

    base = answered + not_answered + escape: the respondents to which the item
    applied (it was shown). not_applicable: respondents routed past it by a
    display condition. base + not_applicable = respondents.
    """

    variable: str
    number: str
    label: str
    base: int
    answered: int
    not_answered: int
    not_applicable: int
    escape: int


ItemNonresponseAdapter = Callable[[Questionnaire], Sequence[ItemNonresponse] | None]


def item_nonresponse_for(
    questionnaire: Questionnaire, *, riket: Tabulation | None = None
) -> Sequence[ItemNonresponse] | None:
    """Item nonresponse per question (matrix rows apart), in questionnaire order,
    from the tabulation (`reports.tabulation.nonresponse.item_nonresponse`): the same
    respondents, bases and three kinds of "no number" as the published tables,
    in a fixed number of queries (none when `riket`, the questionnaire's whole
    riket tabulation, is given).
    """
    return _declared(tabulation_item_nonresponse(questionnaire, riket=riket))


def item_nonresponse_of_all(
    questionnaires: Sequence[Questionnaire], *, riket: Tabulation | None = None
) -> ItemNonresponseAdapter:
    """The default `item_nonresponse` adapter of a declaration: every
    questionnaire of the cycle counted at once (six queries in all,
    `reports.tabulation.nonresponse.item_nonresponse_of`), then looked up per questionnaire.

    `riket`: one questionnaire's whole riket tabulation of submitted responses
    when the caller already has it (the table workbook): that questionnaire's
    items are read from it (`item_nonresponse_for`, the same figures, tested in
    tests/reports/test_export_reuse.py) and only the others are counted, which
    at national scale saves the largest aggregation of the declaration."""
    reused = riket if riket is not None and _reusable(riket) else None
    counted = [
        q for q in questionnaires if reused is None or q.pk != reused.questionnaire_id
    ]
    computed = tabulation_item_nonresponse_of(counted) if counted else {}

    def adapter(questionnaire: Questionnaire) -> Sequence[ItemNonresponse] | None:
        if reused is not None and questionnaire.pk == reused.questionnaire_id:
            return item_nonresponse_for(questionnaire, riket=reused)
        if questionnaire.pk not in computed:
            return item_nonresponse_for(questionnaire)
        return _declared(computed[questionnaire.pk])

    return adapter


def _reusable(riket: Tabulation) -> bool:
    """A riket tabulation of submitted responses: what the declaration counts
    (a preliminary one, of started responses too, is not)."""
    return riket.level == Level.RIKET and riket.selection == Selection.SUBMITTED


def _declared(items: Iterable[TabulatedItemNonresponse]) -> list[ItemNonresponse]:
    return [
        ItemNonresponse(
            variable=item.variable,
            number=item.number,
            label=f"{item.label}: {item.row}" if item.row else item.label,
            base=item.base,
            answered=item.answered,
            not_answered=item.not_answered,
            not_applicable=item.not_applicable,
            escape=item.escaped,
        )
        for item in items
    ]
