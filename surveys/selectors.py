"""Reads of the register and the questionnaires (STYLE.md §3)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from surveys.definitions import PreviousQuestion
from surveys.models import (
    Cycle,
    Kommun,
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)


def previous_questions() -> list[PreviousQuestion]:
    """Every loaded question's lineage, for the loader's cross-year checks."""
    rows = Question.objects.values_list(
        "questionnaire__cycle__year",
        "questionnaire__key",
        "lineage_key",
        "kind",
        "variable",
    )
    return [
        PreviousQuestion(
            year=year,
            questionnaire_key=key,
            lineage_key=lineage,
            kind=kind,
            variable=variable,
        )
        for year, key, lineage, kind, variable in rows
    ]


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
    from django.db.models import Count, Prefetch

    questionnaires = Questionnaire.objects.annotate(
        n_questions=Count("questions")
    ).order_by("is_supplementary", "audience", "key")
    return Cycle.objects.order_by("-year").prefetch_related(
        Prefetch("questionnaires", queryset=questionnaires)
    )
