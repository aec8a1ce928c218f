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


@dataclass(frozen=True)
class Deadline:
    closes_on: datetime.date
    extended: bool = False


def deadline_for(questionnaire: Questionnaire, organisation: Organisation) -> Deadline:
    """One query."""
    extension = (
        DeadlineExtension.objects.filter(
            questionnaire=questionnaire, organisation=organisation
        )
        .order_by("-granted_at", "-pk")
        .values_list("closes_on", flat=True)
        .first()
    )
    if extension is None:
        return Deadline(questionnaire.closes_on)
    return Deadline(extension, extended=True)


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
