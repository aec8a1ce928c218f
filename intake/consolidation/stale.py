"""Frozen consolidations gone stale (issues #4, #16 point 6): submitted RSS
responses with a frozen count that no longer matches its member kommuner's
answers, for the staff page and the RSS form's notice. The frozen answers are
left as they are until staff reopen the RSS response; this module only finds
and describes them.

A kommun response that moved past its frozen version (or began) since the
freeze is a candidate (`changed_sources`, one query) only when its
questionnaire feeds a frozen count of the RSS questionnaire: answers to the
supplementary kommun questionnaire, which feeds a text summary only, never are.
A candidate RSS response is stale only when one of the counts fed by a changed
questionnaire now differs from its frozen figure, and the flag names those
counts: a kommun that saved again without changing what is counted flags
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from intake.consolidation.live import kommun_counts
from intake.consolidation.results import (
    Consolidation,
    KommunCount,
    StaleConsolidation,
)
from intake.models import (
    ConsolidationSource,
    Response,
    ResponseStatus,
)
from surveys.kinds import QuestionKind
from surveys.models import Question

# --- later changes, flagged --------------------------------------------------------------


def changed_sources(
    rss_responses: QuerySet[Response] | None = None,
) -> QuerySet[ConsolidationSource]:
    """Provenance rows of submitted RSS responses whose kommun response has moved
    past the frozen version, or begun since, in a kommun questionnaire that
    feeds a frozen count of the RSS questionnaire: one query."""
    current = Response.objects.filter(
        questionnaire_id=OuterRef("questionnaire_id"),
        organisation_id=OuterRef("kommun_id"),
    ).values("version")[:1]
    feeds_a_count = Question.objects.filter(
        questionnaire_id=OuterRef("rss_response__questionnaire_id"),
        kind=QuestionKind.KOMMUN_COUNT,
        source_question__questionnaire_id=OuterRef("questionnaire_id"),
    )
    sources = ConsolidationSource.objects.filter(
        Exists(feeds_a_count),
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


def _stale(
    response: Response,
    sources: Iterable[ConsolidationSource],
    counts: Mapping[int, KommunCount],
) -> StaleConsolidation | None:
    """The notice for one candidate RSS response: the counts fed by a changed
    kommun questionnaire that now differ from the frozen figures, and the
    kommuner whose response there changed; None when no such count differs."""
    sources = list(sources)
    changed = {source.questionnaire_id for source in sources}
    differing = [
        count
        for count in counts.values()
        if count.source_questionnaire_id in changed and count.differs_from_frozen()
    ]
    if not differing:
        return None
    feeding = {count.source_questionnaire_id for count in differing}
    kommuner: list[str] = []
    for source in sources:
        if source.questionnaire_id in feeding and source.kommun.name not in kommuner:
            kommuner.append(source.kommun.name)
    return StaleConsolidation(response, kommuner, [c.question for c in differing])


def stale_consolidations(
    rss_responses: QuerySet[Response] | None = None,
) -> list[StaleConsolidation]:
    """Submitted RSS responses with a frozen count that now differs (module
    docstring): the kommuner whose answers changed, and the counts. The frozen
    answers are left as they are until staff reopen the RSS response and the
    RSS submits again.

    One query to find the candidates, then the counts of each candidate RSS (at
    most the 24 RSS of a cycle).
    """
    by_response: dict[int, list[ConsolidationSource]] = {}
    for source in changed_sources(rss_responses):
        by_response.setdefault(source.rss_response_id, []).append(source)
    found = []
    for sources in by_response.values():
        response = sources[0].rss_response
        stale = _stale(response, sources, kommun_counts(response))
        if stale is not None:
            found.append(stale)
    return found


def n_stale_consolidations() -> int:
    """How many submitted RSS responses are flagged on the staff page: one query
    when no kommun questionnaire feeding a count changed since a freeze, else
    the counts of each candidate RSS (as `stale_consolidations`)."""
    if not changed_sources().exists():
        return 0
    return len(stale_consolidations())


def stale_for(
    consolidation: Consolidation, response: Response | None
) -> StaleConsolidation | None:
    """The stale notice for one RSS response whose consolidation is already computed."""
    if response is None or response.status != ResponseStatus.SUBMITTED:
        return None
    sources = list(changed_sources(Response.objects.filter(pk=response.pk)))
    if not sources:
        return None
    return _stale(response, sources, consolidation.counts)
