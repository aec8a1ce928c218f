"""The staff status board of a cycle (issue #15 point 2): every organisation
expected to answer each of the cycle's questionnaires (21 regions, 24 RSS, the
290 kommuner through their RSS, the supplementary questionnaire straight to the
kommuner), with status, progress, last activity, contacts, deadline (and
extension) and the reminders sent; response rates per level and per län.

Reads only (docs/conventions.md §3), in a fixed number of queries whatever the
number of organisations: one for the questionnaires, `response_status_rows`
per questionnaire (status and progress: `intake.selectors.progress` is the one
rule, counted in SQL there), one for the organisations with their län, one for
their contacts, one for the kommuner's RSS, one for the deadlines, one for the
reminders, and one per questionnaire for the response rates per län.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q

from intake.models import ResponseStatus
from reports.selectors import StatusRow, response_status_rows
from surveys.deadlines import deadlines_for
from surveys.models import (
    Cycle,
    Dispatch,
    MailingKind,
    Organisation,
    OrganisationKind,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import active_contacts, expected_respondents

REMINDER_KINDS = (MailingKind.REMINDER, MailingKind.EXTRA_REMINDER)


def level_label(questionnaire: Questionnaire) -> str:
    """The audience as staff name it on the board."""
    if questionnaire.audience == OrganisationKind.REGION:
        return "Regioner"
    if questionnaire.audience == OrganisationKind.RSS:
        return "RSS"
    if questionnaire.is_supplementary:
        return "Kommuner (kompletterande enkät)"
    return "Kommuner (via RSS)"


@dataclass(frozen=True)
class BoardRow:
    questionnaire: Questionnaire
    organisation_id: int
    code: str
    name: str
    region_id: int | None
    lan: str
    rss_id: int | None  # a kommun's RSS that year, an RSS itself; None for a region
    rss_name: str
    status: str
    status_label: str
    answered: int
    required: int
    updated_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    contacts: Sequence[str]
    deadline: datetime.date
    extended: bool
    n_reminders: int  # reminder mailings that reached it, not e-mails
    last_reminder_at: datetime.datetime | None

    @property
    def level(self) -> str:
        return level_label(self.questionnaire)

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED

    @property
    def share_answered(self) -> float:
        """The share of the required questions shown that are answered, 0-1."""
        return self.answered / self.required if self.required else 0.0

    @property
    def percent_answered(self) -> int:
        return round(100 * self.share_answered)


@dataclass(frozen=True)
class Rate:
    """How many of an audience (in one län, or all) have submitted."""

    label: str
    total: int
    submitted: int
    started: int

    @property
    def share(self) -> float:
        return self.submitted / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.share)


@dataclass(frozen=True)
class LevelRates:
    questionnaire: Questionnaire
    level: str
    overall: Rate
    by_lan: list[Rate]


@dataclass(frozen=True)
class Board:
    cycle: Cycle
    questionnaires: list[Questionnaire]
    rows: list[BoardRow]
    rates: list[LevelRates]
    lans: list[tuple[int, str]]  # (region id, name) in published order
    rss: list[tuple[int, str]]
    statuses: list[tuple[str, str]] = field(
        default_factory=lambda: list(ResponseStatus.choices)
    )


def cycle_questionnaires(cycle: Cycle) -> list[Questionnaire]:
    return list(
        Questionnaire.objects.filter(cycle=cycle)
        .select_related("cycle")
        .order_by("is_supplementary", "audience", "key")
    )


def _rss_of_kommuner(year: int) -> dict[int, tuple[int, str]]:
    return {
        kommun_id: (rss_id, name)
        for kommun_id, rss_id, name in RSSMembership.objects.filter(
            memberships_in_year(year)
        ).values_list("kommun_id", "rss_id", "rss__name")
    }


def _reminders(
    questionnaires: Sequence[Questionnaire],
) -> dict[tuple[int, int], tuple[int, datetime.datetime]]:
    """Per (questionnaire, organisation): reminder mailings and the latest."""
    rows = (
        Dispatch.objects.filter(
            questionnaire__in=questionnaires,
            kind__in=REMINDER_KINDS,
            organisation__isnull=False,
        )
        .order_by()
        .values("questionnaire_id", "organisation_id")
        .annotate(n=Count("mailing", distinct=True), last=Max("created_at"))
    )
    return {
        (row["questionnaire_id"], row["organisation_id"]): (row["n"], row["last"])
        for row in rows
    }


def rates_by_lan(questionnaire: Questionnaire) -> LevelRates:
    """Submitted, started and expected per län, counted in SQL: one query."""
    of_questionnaire = Q(responses__questionnaire=questionnaire)
    started = (ResponseStatus.IN_PROGRESS, ResponseStatus.REOPENED)
    rows = (
        expected_respondents(questionnaire)
        .order_by()
        .values("region_id", "region__short_name", "region__sort_order")
        .annotate(
            total=Count("pk", distinct=True),
            submitted=Count(
                "pk",
                filter=of_questionnaire & Q(responses__status=ResponseStatus.SUBMITTED),
                distinct=True,
            ),
            started=Count(
                "pk",
                filter=of_questionnaire & Q(responses__status__in=started),
                distinct=True,
            ),
        )
        .order_by("region__sort_order")
    )
    by_lan = [
        Rate(
            label=row["region__short_name"] or "Utan län",
            total=row["total"],
            submitted=row["submitted"],
            started=row["started"],
        )
        for row in rows
    ]
    overall = Rate(
        label="Alla",
        total=sum(r.total for r in by_lan),
        submitted=sum(r.submitted for r in by_lan),
        started=sum(r.started for r in by_lan),
    )
    return LevelRates(
        questionnaire=questionnaire,
        level=level_label(questionnaire),
        overall=overall,
        by_lan=by_lan,
    )


def status_board(cycle: Cycle) -> Board:
    """Every expected organisation of every questionnaire of the cycle."""
    questionnaires = cycle_questionnaires(cycle)
    statuses: dict[int, list[StatusRow]] = {
        q.pk: response_status_rows(q) for q in questionnaires
    }
    ids = {row.organisation_id for rows in statuses.values() for row in rows}
    organisations = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=ids)
        .select_related("region")
        .prefetch_related(active_contacts())
    }
    rss_of = _rss_of_kommuner(cycle.year)
    deadlines = deadlines_for(
        (q, organisations[row.organisation_id])
        for q in questionnaires
        for row in statuses[q.pk]
    )
    reminders = _reminders(questionnaires)
    rows: list[BoardRow] = []
    for questionnaire in questionnaires:
        for status in statuses[questionnaire.pk]:
            organisation = organisations[status.organisation_id]
            region = organisation.region
            if organisation.kind == OrganisationKind.RSS:
                rss: tuple[int | None, str] = (organisation.pk, organisation.name)
            else:
                rss = rss_of.get(organisation.pk, (None, ""))
            deadline = deadlines[(questionnaire.pk, organisation.pk)]
            n_reminders, last = reminders.get(
                (questionnaire.pk, organisation.pk), (0, None)
            )
            rows.append(
                BoardRow(
                    questionnaire=questionnaire,
                    organisation_id=organisation.pk,
                    code=status.code,
                    name=status.name,
                    region_id=region.pk if region else None,
                    lan=region.short_name if region else "",
                    rss_id=rss[0],
                    rss_name=rss[1],
                    status=status.status,
                    status_label=status.status_label,
                    answered=status.answered,
                    required=status.required,
                    updated_at=status.updated_at,
                    submitted_at=status.submitted_at,
                    contacts=[role.user.email for role in organisation.active_roles],
                    deadline=deadline.closes_on,
                    extended=deadline.extended,
                    n_reminders=n_reminders,
                    last_reminder_at=last,
                )
            )
    lans = sorted(
        {
            (o.region.sort_order, o.region.pk, o.region.short_name)
            for o in organisations.values()
            if o.region is not None
        }
    )
    rss_names = sorted({(r.rss_name, r.rss_id) for r in rows if r.rss_id})
    return Board(
        cycle=cycle,
        questionnaires=questionnaires,
        rows=rows,
        rates=[rates_by_lan(q) for q in questionnaires],
        lans=[(pk, name) for _, pk, name in lans],
        rss=[(pk, name) for name, pk in rss_names if pk is not None],
    )


# --- filters and sorting (on the rows already read: no further queries) ---------


@dataclass(frozen=True)
class BoardFilter:
    questionnaire_id: int | None = None
    status: str = ""
    region_id: int | None = None
    rss_id: int | None = None

    def keeps(self, row: BoardRow) -> bool:
        return (
            (
                self.questionnaire_id is None
                or row.questionnaire.pk == self.questionnaire_id
            )
            and (not self.status or row.status == self.status)
            and (self.region_id is None or row.region_id == self.region_id)
            and (self.rss_id is None or row.rss_id == self.rss_id)
        )


_FAR_PAST = datetime.datetime.min.replace(tzinfo=datetime.UTC)
_STATUS_ORDER = {value: i for i, (value, _) in enumerate(ResponseStatus.choices)}

SORT_KEYS: dict[str, tuple[str, Callable[[BoardRow], Any]]] = {
    "namn": ("Namn", lambda r: (r.name.casefold(), r.questionnaire.pk)),
    "status": ("Status", lambda r: (_STATUS_ORDER.get(r.status, 0), r.name)),
    "framsteg": ("Besvarat", lambda r: (r.share_answered, r.name)),
    "aktivitet": (
        "Senaste aktivitet",
        lambda r: (r.updated_at or _FAR_PAST, r.name),
    ),
    "sista-dag": ("Sista dag", lambda r: (r.deadline, r.name)),
    "paminnelser": ("Påminnelser", lambda r: (r.n_reminders, r.name)),
}


def filtered_rows(
    board: Board, board_filter: BoardFilter, *, sort: str = ""
) -> list[BoardRow]:
    """The rows the filter keeps, sorted by `sort` (a key of SORT_KEYS, "-"
    before it for descending); the board's own order otherwise."""
    rows = [row for row in board.rows if board_filter.keeps(row)]
    key = sort.removeprefix("-")
    if key in SORT_KEYS:
        rows.sort(key=SORT_KEYS[key][1], reverse=sort.startswith("-"))
    return rows
