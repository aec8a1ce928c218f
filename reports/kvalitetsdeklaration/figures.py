"""The kvalitetsdeklaration's computed parts, and its outline.

Everything here is read from the database in a fixed number of queries, whatever
the number of respondents or questions (docs/conventions.md §3, §15); the structure follows
docs/domain/kvalitetsdeklaration.md. The staff-entered texts are on
`reports.models.Kvalitetsdeklaration`.

Two figures come from other parts of the service through adapters whose contract
is stated below: `reminders_for` (the reminder log) and `item_nonresponse_of_all`
(the tabulation). An adapter that returns None is shown as "uppgift saknas",
never as 0.

This module holds the computed figures (collection, response rates, revisions);
the adapters are in `reports.kvalitetsdeklaration.adapters`, the outline in
`reports.kvalitetsdeklaration.outline` and its tables in
`reports.kvalitetsdeklaration.tables`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils import timezone

from intake.models import Response, ResponseEvent, ResponseStatus
from reports.kvalitetsdeklaration.adapters import (
    ItemNonresponse,
    ItemNonresponseAdapter,
    Lifecycle,
    ReminderRound,
    RemindersAdapter,
    item_nonresponse_of_all,
    lifecycles_of,
    reminders_for,
)
from reports.tabulation.results import Tabulation
from surveys.formatting import swedish_percent_of
from surveys.models import (
    RSS,
    Cycle,
    OrganisationKind,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.revisions import Revision, revisions_of
from surveys.selectors import expected_respondents

# --- computed figures ------------------------------------------------------------

LEVEL_LABELS: dict[str, str] = {
    OrganisationKind.REGION: "Regioner",
    OrganisationKind.RSS: "RSS",
    OrganisationKind.KOMMUN: "Kommuner",
}
AUDIENCE_ORDER: dict[str, int] = {
    OrganisationKind.REGION: 0,
    OrganisationKind.RSS: 1,
    OrganisationKind.KOMMUN: 2,
}


@dataclass(frozen=True)
class CollectionFigures:
    """One questionnaire's frame, responses and collection period."""

    key: str
    title: str
    level: str
    audience: str
    is_supplementary: bool
    n_questions: int
    frame: int  # expected respondents from the register in the cycle's year
    submitted: int
    started: int  # started (in progress, or reopened) but not submitted
    opens_on: datetime.date
    closes_on: datetime.date
    first_submitted_on: datetime.date | None
    last_submitted_on: datetime.date | None
    reminders: tuple[ReminderRound, ...] | None
    # What actually happened (issue #15): opened, extended, closed, letters sent.
    lifecycle: Lifecycle | None = None

    @property
    def unit_nonresponse(self) -> int:
        return self.frame - self.submitted

    @property
    def response_rate(self) -> str:
        return swedish_percent_of(self.submitted, self.frame, decimals=1)

    @property
    def response_rate_whole(self) -> str:
        return swedish_percent_of(self.submitted, self.frame, decimals=0)

    @property
    def response_rate_words(self) -> str:
        """As in running text: "78 procent"."""
        return self.response_rate_whole.replace(" %", " procent")

    @property
    def ordinary_reminders(self) -> int | None:
        if self.reminders is None:
            return None
        return sum(1 for r in self.reminders if r.ordinary)

    @property
    def extra_reminders(self) -> int | None:
        if self.reminders is None:
            return None
        return sum(1 for r in self.reminders if not r.ordinary)


@dataclass(frozen=True)
class QuestionnaireFigures:
    collection: CollectionFigures
    revision: Revision
    item_nonresponse: tuple[ItemNonresponse, ...] | None


@dataclass(frozen=True)
class ComputedDeclaration:
    year: int
    survey_name: str
    reference_period: str
    frames: dict[str, int]  # audience -> frame size, for the audiences asked
    n_lan: int | None  # distinct län over the RSS, when RSS are asked
    questionnaires: tuple[QuestionnaireFigures, ...]

    def frame_of(self, audience: str) -> int | None:
        return self.frames.get(audience)


def compute_kvalitetsdeklaration(
    cycle: Cycle,
    *,
    reminders: RemindersAdapter = reminders_for,
    item_nonresponse: ItemNonresponseAdapter | None = None,
    riket: Tabulation | None = None,
) -> ComputedDeclaration:
    """Every computed figure of a cycle's declaration.

    Queries: one for the questionnaires, one per audience for the frame, one for
    the län, one for the response counts, one for the submission dates, three for
    the lifecycle (closings, extensions, information letters), one for the earlier versions and three for their questions; plus what the adapters
    make per questionnaire. None of it grows with respondents or questions.
    Without an `item_nonresponse` adapter, `item_nonresponse_of_all` counts
    every questionnaire's items at once, except those of `riket`'s
    questionnaire when a caller gives its whole riket tabulation (read from it).
    """
    questionnaires = sorted(
        Questionnaire.objects.filter(cycle=cycle)
        .select_related("cycle")
        .annotate(n_questions=Count("questions")),
        key=lambda q: (q.is_supplementary, AUDIENCE_ORDER.get(q.audience, 9), q.key),
    )
    frames: dict[str, int] = {}
    for questionnaire in questionnaires:
        if questionnaire.audience not in frames:
            frames[questionnaire.audience] = expected_respondents(questionnaire).count()
    n_lan = (
        RSS.objects.values("region_id").distinct().count()
        if OrganisationKind.RSS in frames
        else None
    )
    if item_nonresponse is None:
        item_nonresponse = item_nonresponse_of_all(questionnaires, riket=riket)
    counts = _response_counts(cycle)
    dates = _submission_dates(cycle)
    lifecycles = lifecycles_of(questionnaires)
    revisions = revisions_of(questionnaires)

    figures = []
    for questionnaire in questionnaires:
        count = counts.get(questionnaire.pk, {})
        first, last = dates.get(questionnaire.pk, (None, None))
        sent = reminders(questionnaire)
        level = LEVEL_LABELS.get(questionnaire.audience, questionnaire.audience)
        if questionnaire.is_supplementary:
            level = f"{level}, kompletterande enkät"
        nonresponse = item_nonresponse(questionnaire)
        figures.append(
            QuestionnaireFigures(
                collection=CollectionFigures(
                    key=questionnaire.key,
                    title=questionnaire.title,
                    level=level,
                    audience=questionnaire.audience,
                    is_supplementary=questionnaire.is_supplementary,
                    n_questions=questionnaire.n_questions,
                    frame=frames[questionnaire.audience],
                    submitted=count.get("submitted", 0),
                    started=count.get("started", 0),
                    opens_on=questionnaire.opens_on,
                    closes_on=questionnaire.closes_on,
                    first_submitted_on=first,
                    last_submitted_on=last,
                    reminders=None if sent is None else tuple(sent),
                    lifecycle=lifecycles[questionnaire.pk],
                ),
                revision=revisions[questionnaire.pk],
                item_nonresponse=None if nonresponse is None else tuple(nonresponse),
            )
        )
    return ComputedDeclaration(
        year=cycle.year,
        survey_name=cycle.name,
        reference_period=cycle.reference_period,
        frames=frames,
        n_lan=n_lan,
        questionnaires=tuple(figures),
    )


def _framed_responses(cycle: Cycle) -> QuerySet[Response]:
    """The cycle's responses from organisations in the frame (`expected_respondents`):
    the questionnaire's audience, and for kommuner membership of an RSS that year."""
    in_rss = RSSMembership.objects.filter(memberships_in_year(cycle.year)).values(
        "kommun_id"
    )
    return Response.objects.filter(
        Q(organisation__kind=F("questionnaire__audience")),
        ~Q(questionnaire__audience=OrganisationKind.KOMMUN)
        | Q(organisation_id__in=in_rss),
        questionnaire__cycle=cycle,
    )


def _response_counts(cycle: Cycle) -> dict[int, dict[str, int]]:
    rows = (
        _framed_responses(cycle)
        .values("questionnaire_id")
        .annotate(
            submitted=Count("pk", filter=Q(status=ResponseStatus.SUBMITTED)),
            started=Count(
                "pk",
                filter=Q(
                    status__in=[ResponseStatus.IN_PROGRESS, ResponseStatus.REOPENED]
                ),
            ),
        )
        .order_by()
    )
    return {
        row["questionnaire_id"]: {
            "submitted": row["submitted"],
            "started": row["started"],
        }
        for row in rows
    }


def _submission_dates(
    cycle: Cycle,
) -> dict[int, tuple[datetime.date | None, datetime.date | None]]:
    """First and last submission per questionnaire, from the submission events (a
    response reopened and submitted again keeps its first submission)."""
    rows = (
        ResponseEvent.objects.filter(
            kind=ResponseEvent.Kind.SUBMITTED, response__in=_framed_responses(cycle)
        )
        .values("response__questionnaire_id")
        .annotate(first=Min("created_at"), last=Max("created_at"))
        .order_by()
    )
    return {
        row["response__questionnaire_id"]: (
            timezone.localdate(row["first"]),
            timezone.localdate(row["last"]),
        )
        for row in rows
    }
