"""Freezing the kommun counts into an RSS response when it is submitted (issue #4),
and recording which kommun responses, at which version, the frozen figures came
from (`ConsolidationSource`).

The write goes through `save_answers`, which `intake.services.lifecycle` passes
in: saving checks adjustments against the live counts (this package), so this
package does not import the services back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from intake.consolidation.limits import CountsAboveBaseError, rows_above_base
from intake.consolidation.live import consolidation_for
from intake.models import (
    Channel,
    ConsolidationSource,
    Response,
    ResponseStatus,
)
from intake.selectors import questions_of
from surveys.models import (
    Questionnaire,
    User,
)

FROZEN_REASON = "Fastställt när RSS:en skickade in enkäten"


# --- freezing on submit ------------------------------------------------------------------


class SaveAnswers(Protocol):
    """`intake.services.saving.save_answers`, as the freeze calls it."""

    def __call__(
        self,
        response: Response,
        *,
        actor: User,
        channel: Channel,
        values: Mapping[str, Any],
        expected_version: int | None = None,
        reason: str = "",
    ) -> Response: ...


def freeze_kommun_counts(
    response: Response, *, actor: User, expected_version: int, save: SaveAnswers
) -> tuple[Response, list[ConsolidationSource]]:
    """Write the counts as they stand into an RSS response that is being submitted.

    Called by `intake.services.lifecycle.submit_response` inside its transaction.
    Each cell gets the RSS's adjustment or else the live count, plus the base slots
    `_svarat`, `_ej_svarat` and `_ej_aktuell` (per row of a matrix), through
    `save` (`save_answers`, passed in by the caller: see the module docstring) with
    the COMPUTED channel, so the history shows the frozen figures. The member
    kommuner's responses are locked first, so that the counts and the provenance
    returned (unsaved ConsolidationSource rows, which the caller stamps with the
    submitted version) are one snapshot. Raises
    CountsAboveBaseError, writing nothing, when an adjustment no longer fits the
    kommuner that have answered.
    """
    assert transaction.get_connection().in_atomic_block  # noqa: S101
    if Response.questionnaire.is_cached(response) and Questionnaire.cycle.is_cached(
        response.questionnaire
    ):
        questionnaire = response.questionnaire  # the view's, read with its cycle
    else:
        questionnaire = Questionnaire.objects.select_related("cycle").get(
            pk=response.questionnaire_id
        )
    questions = questions_of(questionnaire)
    # The counts only (the texts are not frozen), with the member kommuner's
    # responses locked before their answers are read.
    consolidation = consolidation_for(
        questionnaire,
        response.organisation,
        response=response,
        questions=questions,
        texts=False,
        lock=True,
    )
    if consolidation is None:
        return response, []
    # Adjustments are checked when saved, but a kommun may have withdrawn an
    # answer since: then the base is smaller and nothing is frozen.
    above = [
        (count.question, row)
        for count in consolidation.counts.values()
        for row in rows_above_base(count)
    ]
    if above:
        raise CountsAboveBaseError(above)
    values = {
        count.question.variable: count.frozen_values()
        for count in consolidation.counts.values()
    }
    if values:
        response = save(
            response,
            actor=actor,
            channel=Channel.COMPUTED,
            values=values,
            expected_version=expected_version,
            reason=FROZEN_REASON,
        )
    by_pair = {
        (r.questionnaire_id, r.organisation_id): r
        for r in consolidation.kommun_responses
    }
    now = timezone.now()
    sources = []
    for member in consolidation.members:
        for questionnaire_id in consolidation.source_questionnaire_ids:
            kommun_response = by_pair.get((questionnaire_id, member.pk))
            sources.append(
                ConsolidationSource(
                    rss_response=response,
                    kommun=member,
                    questionnaire_id=questionnaire_id,
                    kommun_response=kommun_response,
                    kommun_response_version=kommun_response.version
                    if kommun_response
                    else None,
                    kommun_response_status=kommun_response.status
                    if kommun_response
                    else ResponseStatus.NOT_STARTED,
                    frozen_at=now,
                )
            )
    return response, sources


def record_consolidation_sources(
    response: Response, sources: Iterable[ConsolidationSource]
) -> None:
    """Save the provenance of a freeze, stamped with the submitted RSS version."""
    sources = list(sources)
    for source in sources:
        source.rss_response_version = response.version
    ConsolidationSource.objects.bulk_create(sources)
