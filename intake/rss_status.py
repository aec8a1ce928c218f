"""Reads for the status boards (docs/conventions.md §3): per kommun, the status of its
response to a kommun questionnaire, who last changed it and through which
channel, its contacts and what has been sent to them; and the counts.

Everything is computed in the database in a fixed number of queries, whatever
the number of kommuner: one for the rows (status, times, counts as subqueries),
one for the contacts, one for the latest changes' authors, one for the counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import (
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from intake.models import AnswerChange, Channel, Response, ResponseStatus
from surveys.models import (
    RSS,
    Dispatch,
    Mailing,
    MailingKind,
    Organisation,
    OrganisationKind,
    Questionnaire,
    RSSMembership,
    User,
    memberships_in_year,
)
from surveys.selectors import active_contacts

STARTED = (ResponseStatus.IN_PROGRESS, ResponseStatus.REOPENED)


@dataclass(frozen=True)
class KommunStatus:
    kommun: Organisation
    status: ResponseStatus
    updated_at: datetime.datetime | None
    channel: Channel | None  # of the latest change to an answer
    entered_by: User | None  # who made that change
    contacts: Sequence[User]
    last_sent_at: datetime.datetime | None  # latest sign-in link or reminder
    last_sent_kind: MailingKind | None
    n_reminders: int  # reminder mailings to this kommun, not e-mails

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


@dataclass(frozen=True)
class StatusCounts:
    total: int
    not_started: int
    in_progress: int
    reopened: int
    submitted: int

    @property
    def started(self) -> int:
        """Started but not submitted (pågår or återöppnad)."""
        return self.in_progress + self.reopened


def _of_response(questionnaire: Questionnaire, field: str) -> Subquery:
    return Subquery(
        Response.objects.filter(
            questionnaire=questionnaire, organisation=OuterRef("pk")
        ).values(field)[:1]
    )


def kommun_statuses(
    questionnaire: Questionnaire,
    kommuner: QuerySet[Organisation],
    *,
    status: str = "",
    channel: str = "",
) -> list[KommunStatus]:
    """One row per kommun in `kommuner`, in kommunkod order; optionally only those
    with a given status or whose latest change came through a given channel."""
    sent = Dispatch.objects.filter(
        questionnaire=questionnaire,
        organisation=OuterRef("pk"),
        kind__in=[MailingKind.SIGN_IN_LINK, MailingKind.REMINDER],
    ).order_by("-created_at", "-pk")
    reminders = (
        Dispatch.objects.filter(
            questionnaire=questionnaire,
            organisation=OuterRef("pk"),
            kind=MailingKind.REMINDER,
        )
        .order_by()
        .values("organisation")
        .annotate(n=Count("mailing", distinct=True))
        .values("n")
    )
    latest_change = AnswerChange.objects.filter(
        response__questionnaire=questionnaire,
        response__organisation=OuterRef("pk"),
    ).order_by("-pk")
    rows = (
        kommuner.annotate(
            response_status=Coalesce(
                _of_response(questionnaire, "status"),
                Value(ResponseStatus.NOT_STARTED.value),
            ),
            response_updated_at=_of_response(questionnaire, "updated_at"),
            latest_change_id=Subquery(latest_change.values("pk")[:1]),
            latest_channel=Subquery(latest_change.values("channel")[:1]),
            last_sent_at=Subquery(sent.values("created_at")[:1]),
            last_sent_kind=Subquery(sent.values("kind")[:1]),
            n_reminders=Coalesce(
                Subquery(reminders, output_field=IntegerField()), Value(0)
            ),
        )
        .prefetch_related(active_contacts())
        .order_by("code")
    )
    if status:
        rows = rows.filter(response_status=status)
    if channel:
        rows = rows.filter(latest_channel=channel)
    kommun_rows = list(rows)
    change_ids = [k.latest_change_id for k in kommun_rows if k.latest_change_id]
    authors = {
        change.pk: change.changed_by
        for change in AnswerChange.objects.filter(pk__in=change_ids).select_related(
            "changed_by"
        )
    }
    return [
        KommunStatus(
            kommun=kommun,
            status=ResponseStatus(kommun.response_status),
            updated_at=kommun.response_updated_at,
            channel=Channel(kommun.latest_channel) if kommun.latest_channel else None,
            entered_by=authors.get(kommun.latest_change_id),
            contacts=[role.user for role in kommun.active_roles],
            last_sent_at=kommun.last_sent_at,
            last_sent_kind=MailingKind(kommun.last_sent_kind)
            if kommun.last_sent_kind
            else None,
            n_reminders=kommun.n_reminders,
        )
        for kommun in kommun_rows
    ]


def status_counts(
    questionnaire: Questionnaire, kommuner: QuerySet[Organisation]
) -> StatusCounts:
    """How many of `kommuner` have submitted, started or not: one query."""
    of_questionnaire = Q(responses__questionnaire=questionnaire)

    def with_status(*statuses: str) -> Count:
        return Count(
            "pk",
            filter=of_questionnaire & Q(responses__status__in=statuses),
            distinct=True,
        )

    counts = kommuner.order_by().aggregate(
        total=Count("pk", distinct=True),
        in_progress=with_status(ResponseStatus.IN_PROGRESS),
        reopened=with_status(ResponseStatus.REOPENED),
        submitted=with_status(ResponseStatus.SUBMITTED),
    )
    return StatusCounts(
        total=counts["total"],
        not_started=counts["total"]
        - counts["in_progress"]
        - counts["reopened"]
        - counts["submitted"],
        in_progress=counts["in_progress"],
        reopened=counts["reopened"],
        submitted=counts["submitted"],
    )


@dataclass(frozen=True)
class RSSRate:
    rss: Organisation
    total: int
    submitted: int
    started: int  # pågår or återöppnad


def response_rate_by_rss(questionnaire: Questionnaire) -> list[RSSRate]:
    """Per RSS (and so per län) of the questionnaire's year: its kommuner, and how
    many have submitted or started. One query."""
    year = questionnaire.cycle.year
    member = memberships_in_year(year, prefix="rss_memberships__")
    response = Q(rss_memberships__kommun__responses__questionnaire=questionnaire)

    def kommuner(condition: Q) -> Count:
        return Count("rss_memberships__kommun", filter=condition, distinct=True)

    rows = (
        RSS.objects.select_related("region")
        .annotate(
            n_total=kommuner(member),
            n_submitted=kommuner(
                member
                & response
                & Q(rss_memberships__kommun__responses__status=ResponseStatus.SUBMITTED)
            ),
            n_started=kommuner(
                member
                & response
                & Q(rss_memberships__kommun__responses__status__in=STARTED)
            ),
        )
        .filter(n_total__gt=0)
        .order_by("region__sort_order", "code")
    )
    return [
        RSSRate(rss=r, total=r.n_total, submitted=r.n_submitted, started=r.n_started)
        for r in rows
    ]


def kommuner_in_year(year: int) -> QuerySet[Organisation]:
    """Every kommun that belongs to an RSS in `year` (the kommun roster)."""
    return Organisation.objects.filter(
        kind=OrganisationKind.KOMMUN,
        pk__in=RSSMembership.objects.filter(memberships_in_year(year)).values(
            "kommun_id"
        ),
    )


def latest_bulk_send(
    questionnaire: Questionnaire, *, kind: MailingKind, scope: Organisation | None
) -> datetime.datetime | None:
    """When the latest round of `kind` to all went out from this scope: one query."""
    latest: datetime.datetime | None = Mailing.objects.filter(
        questionnaire=questionnaire, kind=kind, is_bulk=True, scope=scope
    ).aggregate(latest=Max("created_at"))["latest"]
    return latest
