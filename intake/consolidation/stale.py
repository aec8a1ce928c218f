"""Frozen consolidations gone stale (issue #4): submitted RSS responses whose
member kommuner changed answers after the freeze, for the staff page and the RSS
form's notice. The frozen answers are left as they are until staff reopen the RSS
response; this module only finds and describes them.
"""

from __future__ import annotations

from django.db.models import (
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from intake.consolidation.live import kommun_counts
from intake.consolidation.results import Consolidation, StaleConsolidation
from intake.models import (
    ConsolidationSource,
    Response,
    ResponseStatus,
)

# --- later changes, flagged --------------------------------------------------------------


def changed_sources(
    rss_responses: QuerySet[Response] | None = None,
) -> QuerySet[ConsolidationSource]:
    """Provenance rows of submitted RSS responses whose kommun response has moved
    past the frozen version, or begun since: one query."""
    current = Response.objects.filter(
        questionnaire_id=OuterRef("questionnaire_id"),
        organisation_id=OuterRef("kommun_id"),
    ).values("version")[:1]
    sources = ConsolidationSource.objects.filter(
        rss_response__status=ResponseStatus.SUBMITTED,
        rss_response_version=F("rss_response__version"),
    )
    if rss_responses is not None:
        sources = sources.filter(rss_response__in=rss_responses)
    return (
        sources.annotate(current_version=Subquery(current))
        .filter(
            Q(current_version__gt=F("kommun_response_version"))
            | Q(kommun_response_version__isnull=True, current_version__gt=0)
        )
        .select_related(
            "kommun", "rss_response__organisation", "rss_response__questionnaire"
        )
        .order_by("rss_response_id", "kommun__code")
    )


def stale_consolidations(
    rss_responses: QuerySet[Response] | None = None,
) -> list[StaleConsolidation]:
    """Submitted RSS responses whose member kommuner changed answers after the
    freeze: the kommuner, and the count questions whose live figure now differs
    from the frozen one. The frozen answers are left as they are until staff
    reopen the RSS response and the RSS submits again.

    One query to find them, then the counts of each RSS concerned (at most the
    24 RSS of a cycle).
    """
    by_response: dict[int, StaleConsolidation] = {}
    for source in changed_sources(rss_responses):
        stale = by_response.setdefault(
            source.rss_response_id, StaleConsolidation(source.rss_response, [])
        )
        if source.kommun.name not in stale.kommuner:
            stale.kommuner.append(source.kommun.name)
    for stale in by_response.values():
        counts = kommun_counts(stale.rss_response)
        stale.questions.extend(
            c.question for c in counts.values() if c.differs_from_frozen()
        )
    return list(by_response.values())


def n_stale_consolidations() -> int:
    """How many submitted RSS responses are flagged on the staff page: one query."""
    return changed_sources().values("rss_response_id").distinct().count()


def stale_for(
    consolidation: Consolidation, response: Response | None
) -> StaleConsolidation | None:
    """The stale notice for one RSS response whose consolidation is already computed."""
    if response is None or response.status != ResponseStatus.SUBMITTED:
        return None
    kommuner: list[str] = []
    for source in changed_sources(Response.objects.filter(pk=response.pk)):
        if source.kommun.name not in kommuner:
            kommuner.append(source.kommun.name)
    if not kommuner:
        return None
    return StaleConsolidation(
        response,
        kommuner,
        [c.question for c in consolidation.counts.values() if c.differs_from_frozen()],
    )
