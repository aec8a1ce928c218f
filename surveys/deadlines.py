"""Each organisation's deadline for a questionnaire (issue #15): the
questionnaire's `closes_on`, or the latest extension staff granted it.

Reads only; the extensions are written by surveys.services.lifecycle.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from surveys.models.lifecycle import DeadlineExtension
from surveys.models.questionnaires import Questionnaire
from surveys.models.register import Organisation
from surveys.prepared import Prepared


@dataclass(frozen=True)
class Deadline:
    closes_on: datetime.date
    extended: bool = False


def deadline_for(questionnaire: Questionnaire, organisation: Organisation) -> Deadline:
    """One query."""
    rows = _LATEST_EXTENSION.rows(questionnaire.pk, organisation.pk)
    if not rows:
        return Deadline(questionnaire.closes_on)
    return Deadline(rows[0][0], extended=True)


# Read on every form page: compiled once (surveys.prepared, issue #20).
_LATEST_EXTENSION = Prepared(
    lambda questionnaire_id, organisation_id: (
        DeadlineExtension.objects.filter(
            questionnaire_id=questionnaire_id, organisation_id=organisation_id
        )
        .order_by("-granted_at", "-pk")
        .values_list("closes_on")[:1]
    )
)


def deadlines_for(
    pairs: Iterable[tuple[Questionnaire, Organisation]],
) -> dict[tuple[int, int], Deadline]:
    """The deadline of every (questionnaire, organisation) pair, keyed by their
    ids: one query whatever the number of pairs."""
    pairs = list(pairs)
    deadlines = {(q.pk, o.pk): Deadline(q.closes_on) for q, o in pairs}
    if not deadlines:
        return deadlines
    extensions = DeadlineExtension.objects.filter(
        questionnaire_id__in={q for q, _ in deadlines},
        organisation_id__in={o for _, o in deadlines},
    ).order_by("granted_at", "pk")
    # Oldest first, so the latest extension of a pair is the one left standing.
    for questionnaire_id, organisation_id, closes_on in extensions.values_list(
        "questionnaire_id", "organisation_id", "closes_on"
    ):
        key = (questionnaire_id, organisation_id)
        if key in deadlines:
            deadlines[key] = Deadline(closes_on, extended=True)
    return deadlines
