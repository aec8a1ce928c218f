"""Reads of the register and the questionnaires (docs/conventions.md §3)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from surveys.definitions.records import PreviousQuestion
from surveys.models.message_log import (
    Dispatch,
    DispatchStatus,
    Mailing,
    MailingKind,
    RoundStatus,
)
from surveys.models.questionnaires import (
    Cycle,
    MatrixRow,
    Option,
    Question,
    Questionnaire,
)
from surveys.models.register import (
    Kommun,
    Organisation,
    OrganisationKind,
    Population,
    RSSMembership,
    memberships_in_year,
)
from surveys.models.users import OrganisationRole
from surveys.plausibility import PopulationFigure
from surveys.prepared import Prepared
from surveys.revisions import QuestionContent


def previous_questions() -> list[PreviousQuestion]:
    """Every loaded question's lineage and content, for the loader's cross-year
    checks and footnotes: three queries."""
    rows = Question.objects.values_list(
        "pk",
        "questionnaire__cycle__year",
        "questionnaire__key",
        "lineage_key",
        "kind",
        "variable",
        "text",
        "source_question_id",
    )
    choices: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for what, model in (("options", Option), ("rows", MatrixRow)):
        for question_id, code, label in model.objects.order_by(
            "question_id", "position"
        ).values_list("question_id", "code", "label"):
            choices.setdefault((what, question_id), []).append((code, label))
    previous = []
    for pk, year, key, lineage, kind, variable, text, source_id in rows:
        # An RSS count's alternatives are its kommun question's, compared there
        # (QuestionnaireDef.content_of).
        own = source_id is None
        previous.append(
            PreviousQuestion(
                year=year,
                questionnaire_key=key,
                lineage_key=lineage,
                kind=kind,
                variable=variable,
                content=QuestionContent(
                    kind=kind,
                    text=text,
                    options=tuple(choices.get(("options", pk), [])) if own else (),
                    rows=tuple(choices.get(("rows", pk), [])) if own else (),
                ),
            )
        )
    return previous


def kommuner_of_rss(rss: Organisation, *, year: int) -> QuerySet[Kommun]:
    """The kommuner that belong to an RSS in a given year, in kommunkod order."""
    memberships = RSSMembership.objects.filter(memberships_in_year(year), rss=rss)
    return Kommun.objects.filter(pk__in=memberships.values("kommun_id")).order_by(
        "code"
    )


def rss_of_kommun(kommun: Organisation, *, year: int) -> Organisation | None:
    membership = (
        RSSMembership.objects.filter(memberships_in_year(year), kommun=kommun)
        .select_related("rss")
        .first()
    )
    return membership.rss if membership else None


def expected_respondents(questionnaire: Questionnaire) -> QuerySet[Organisation]:
    """The roster: every organisation expected to answer a questionnaire.

    Derived from the register, so it drives status, reminders, response rates and
    the kvalitetsdeklaration's frame. Kommuner count only while they belong to an
    RSS in the cycle's year (every kommun does, once the register is complete).
    """
    organisations = Organisation.objects.filter(kind=questionnaire.audience)
    if questionnaire.audience == OrganisationKind.KOMMUN:
        year = questionnaire.cycle.year
        organisations = organisations.filter(
            pk__in=RSSMembership.objects.filter(memberships_in_year(year)).values(
                "kommun_id"
            )
        )
    return organisations.order_by("sort_order", "code")


def active_register_years() -> list[int]:
    """Years the register must cover: every loaded cycle, and the current year."""
    years = set(Cycle.objects.values_list("year", flat=True))
    years.add(timezone.localdate().year)
    return sorted(years)


def cycles_with_questionnaires() -> QuerySet[Cycle]:
    """Cycles, newest first, with their questionnaires and question counts: two queries."""
    questionnaires = Questionnaire.objects.annotate(
        n_questions=Count("questions")
    ).order_by("is_supplementary", "audience", "key")
    return Cycle.objects.order_by("-year").prefetch_related(
        Prefetch("questionnaires", queryset=questionnaires)
    )


# --- the message log (issue #4) -------------------------------------------------------


@dataclass(frozen=True)
class ReminderRound:
    """One bulk round ("ordinarie påminnelse"), from Socialstyrelsen or one RSS."""

    sent_at: datetime.datetime
    scope: Organisation | None  # the RSS that sent it; None for Socialstyrelsen
    n_organisations: int
    n_emails: int


@dataclass(frozen=True)
class OrganisationReminders:
    organisation_id: int
    name: str
    n_reminders: int  # reminder mailings that reached it (rounds and single)
    last_sent_at: datetime.datetime


@dataclass(frozen=True)
class RemindersSent:
    """Reminders for one questionnaire, for the kvalitetsdeklaration's
    `n_reminders`: ordinary rounds are counted apart from ad-hoc reminders to one
    organisation, as the declaration asks. A reminder is a mailing (one send
    action), not an e-mail: a kommun with two contacts reminded once counts once."""

    n_rounds: int
    n_ad_hoc: int
    n_emails: int
    rounds: list[ReminderRound]  # oldest first
    rounds_by_level: dict[str, int]  # "socialstyrelsen" / "rss" -> rounds
    by_organisation: list[OrganisationReminders]  # in name order
    dates: list[datetime.date]  # local dates on which any reminder went

    @property
    def total(self) -> int:
        return self.n_rounds + self.n_ad_hoc


def reminders_sent(questionnaire: Questionnaire) -> RemindersSent:
    """Counts and dates of the reminders for a questionnaire: four queries."""
    # A scheduled round counts once it has gone; a cancelled one never (issue #15).
    reminder_mailings = Mailing.objects.filter(
        questionnaire=questionnaire, kind=MailingKind.REMINDER, status=RoundStatus.SENT
    )
    rounds = [
        ReminderRound(
            sent_at=m.created_at,
            scope=m.scope,
            n_organisations=m.n_organisations,
            n_emails=m.n_emails,
        )
        for m in reminder_mailings.filter(is_bulk=True)
        .select_related("scope")
        .annotate(
            n_organisations=Count("dispatches__organisation", distinct=True),
            n_emails=Count("dispatches"),
        )
        .order_by("created_at", "pk")
    ]
    totals = reminder_mailings.aggregate(
        n_ad_hoc=Count("pk", filter=Q(is_bulk=False), distinct=True),
        n_emails=Count("dispatches"),
    )
    per_organisation = (
        Dispatch.objects.filter(
            questionnaire=questionnaire,
            kind=MailingKind.REMINDER,
            organisation__isnull=False,
        )
        .values("organisation_id", "organisation__name")
        .annotate(n=Count("mailing", distinct=True), last=Max("created_at"))
        .order_by("organisation__name")
    )
    by_organisation = [
        OrganisationReminders(
            organisation_id=row["organisation_id"],
            name=row["organisation__name"],
            n_reminders=row["n"],
            last_sent_at=row["last"],
        )
        for row in per_organisation
    ]
    dates = {
        timezone.localtime(value).date()
        for value in reminder_mailings.values_list("created_at", flat=True)
    }
    return RemindersSent(
        n_rounds=len(rounds),
        n_ad_hoc=totals["n_ad_hoc"],
        n_emails=totals["n_emails"],
        rounds=rounds,
        rounds_by_level={
            "socialstyrelsen": sum(1 for r in rounds if r.scope is None),
            "rss": sum(1 for r in rounds if r.scope is not None),
        },
        by_organisation=by_organisation,
        dates=sorted(dates),
    )


ActiveContacts = Prefetch[
    Literal["roles"], QuerySet[OrganisationRole], Literal["active_roles"]
]


def active_contacts() -> ActiveContacts:
    """Prefetch an organisation's contacts who can still sign in, by e-mail address,
    as `organisation.active_roles` (each role with its user)."""
    return Prefetch(
        "roles",
        queryset=OrganisationRole.objects.filter(user__is_active=True)
        .select_related("user")
        .order_by("user__email"),
        to_attr="active_roles",
    )


def population_of(
    organisation_id: int, *, on_or_before: datetime.date
) -> PopulationFigure | None:
    """The organisation's latest population figure dated on or before a day (see
    `surveys.plausibility.population_reference_date`); None if the register has
    none. One query."""
    rows = _LATEST_POPULATION.rows(organisation_id, on_or_before=on_or_before)
    if not rows:
        return None
    population, reference_date, source = rows[0]
    return PopulationFigure(population, reference_date, source)


# Read on every form page: compiled once per reference date (surveys.prepared,
# issue #20).
_LATEST_POPULATION = Prepared(
    lambda organisation_id, on_or_before: (
        Population.objects.filter(
            organisation_id=organisation_id, reference_date__lte=on_or_before
        )
        .order_by("-reference_date")
        .values_list("population", "reference_date", "source")[:1]
    )
)


def rounds_of(questionnaire: Questionnaire) -> QuerySet[Mailing]:
    """The questionnaire's bulk mailings (staff's rounds and the RSS's reminder
    rounds), newest first, each with its e-mails counted by status: one query."""
    return (
        Mailing.objects.filter(questionnaire=questionnaire, is_bulk=True)
        .select_related("sent_by", "scope")
        .annotate(
            n_organisations=Count("dispatches__organisation", distinct=True),
            n_emails=Count("dispatches"),
            n_sent=Count(
                "dispatches", filter=Q(dispatches__status=DispatchStatus.SENT)
            ),
            n_skipped=Count(
                "dispatches", filter=Q(dispatches__status=DispatchStatus.SKIPPED)
            ),
            n_failed=Count(
                "dispatches", filter=Q(dispatches__status=DispatchStatus.FAILED)
            ),
        )
        # A scheduled round by its time, others (made and sent at once) by theirs.
        .order_by(Coalesce("scheduled_for", "created_at").desc(), "-pk")
    )
