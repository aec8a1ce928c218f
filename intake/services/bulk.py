"""Many responses of one questionnaire written at once (issue #20: a raw-data
import of 290 kommuner): created, saved and submitted in a fixed number of
queries, with the rules of the one-by-one services, whose pieces they share
(`saving.plan_save`, `answer_rows`, `write_answer_rows`; the same checks as
`lifecycle.submit_response`). All or nothing: the caller's transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from intake.cells import Cells
from intake.models import (
    Channel,
    Response,
    ResponseEvent,
    ResponseStatus,
)
from intake.selectors import (
    cells_by_response,
    missing_required,
    questions_of,
    stored_answers_of,
)
from intake.services.lifecycle import incomplete_message
from intake.services.saving import (
    AnswerRows,
    StaleResponseError,
    answer_rows,
    plan_save,
    write_answer_rows,
)
from intake.writable import require_writable
from outbox.services import enqueue
from surveys.errors import DomainError
from surveys.kinds import facts
from surveys.models import Organisation, OrganisationKind, Questionnaire, User

# Rows per INSERT of a bulk save: a bounded statement, a handful per import.
BULK_BATCH_SIZE = 2000


@transaction.atomic
def get_or_create_responses(
    questionnaire: Questionnaire,
    *,
    organisations: Sequence[Organisation],
    channel: Channel,
) -> list[Response]:
    """`get_or_create_response` for many organisations (in their order): two
    queries, whatever their number (a raw-data import, issue #20)."""
    for organisation in organisations:
        if organisation.kind != questionnaire.audience:
            raise DomainError(
                f"{organisation.name} hör inte till enkätens målgrupp ({questionnaire.get_audience_display()})."
            )
        require_writable(questionnaire, organisation=organisation, channel=channel)
    found = {
        r.organisation_id: r
        for r in Response.objects.filter(
            questionnaire=questionnaire, organisation__in=organisations
        )
    }
    created = Response.objects.bulk_create(
        Response(questionnaire=questionnaire, organisation=o)
        for o in organisations
        if o.pk not in found
    )
    found.update({r.organisation_id: r for r in created})
    responses = [found[o.pk] for o in organisations]
    for response, organisation in zip(responses, organisations, strict=True):
        # Shared, not fetched again: the caller's organisations and questionnaire.
        response.organisation = organisation
        response.questionnaire = questionnaire
    return responses


@dataclass(frozen=True)
class Submission:
    """One response of `submit_responses_in_bulk`, with `submit_response`'s
    options for it."""

    response: Response
    submitted_at: datetime.datetime | None = None
    require_complete: bool = True
    reason: str = ""


@transaction.atomic
def submit_responses_in_bulk(
    submissions: Sequence[Submission],
    *,
    actor: User,
    channel: Channel,
    notify: bool = True,
    cells: Mapping[int, dict[int, Cells]] | None = None,
) -> list[Response]:
    """`submit_response` for many responses of one questionnaire at once, with
    the same rules (complete unless told otherwise, writable, the version lock,
    an event each), in a fixed number of queries (a raw-data import, issue #20).
    All or nothing. Not for RSS responses, whose kommun counts are frozen one
    response at a time: `submit_response` does those. `cells` are the stored
    answers by response id when the caller has just written them in this
    transaction (`save_answers_in_bulk_with_cells`); otherwise they are read."""
    if not submissions:
        return []
    responses = [s.response for s in submissions]
    questionnaire = responses[0].questionnaire
    if questionnaire.audience == OrganisationKind.RSS:
        raise ValueError("RSS responses are submitted one by one (frozen counts)")
    for response in responses:
        if response.questionnaire_id != questionnaire.pk:
            raise ValueError("one questionnaire per bulk")
        if response.status == ResponseStatus.SUBMITTED:
            raise DomainError(f"{response.organisation}: enkäten är redan inskickad.")
        require_writable(
            questionnaire, organisation=response.organisation, channel=channel
        )
    questions = questions_of(questionnaire)
    if cells is None or any(r.pk not in cells for r in responses):
        cells = cells_by_response(responses)
    for submission in submissions:
        if not submission.require_complete:
            continue
        missing = missing_required(questions, cells.get(submission.response.pk, {}))
        if missing:
            raise DomainError(
                f"{submission.response.organisation}: {incomplete_message(missing)}"
            )
    now = timezone.now()
    lock_versions(
        responses,
        status=ResponseStatus.SUBMITTED,
        submitted_at=Case(
            *(
                When(pk__in=pks, then=Value(when))
                for when, pks in _by_time(submissions, now=now).items()
            ),
            output_field=DateTimeField(),
        ),
        submitted_by=actor,
        updated_at=now,
    )
    for submission in submissions:
        response = submission.response
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = submission.submitted_at or now
        response.submitted_by = actor
        response.version += 1
        response.updated_at = now
    events = ResponseEvent.objects.bulk_create(
        ResponseEvent(
            response=s.response,
            kind=ResponseEvent.Kind.SUBMITTED,
            actor=actor,
            reason=s.reason,
        )
        for s in submissions
    )
    if notify:
        for event in events:
            enqueue("intake.tasks.send_receipt", event.pk)
    return responses


def _by_time(
    submissions: Sequence[Submission], *, now: datetime.datetime
) -> dict[datetime.datetime, list[int]]:
    """The responses by the time they are submitted at (a branch per time, not
    per response, in the UPDATE's CASE)."""
    by_time: dict[datetime.datetime, list[int]] = {}
    for submission in submissions:
        by_time.setdefault(submission.submitted_at or now, []).append(
            submission.response.pk
        )
    return by_time


def lock_versions(responses: Sequence[Response], **changes: Any) -> None:
    """The optimistic lock of many responses in one UPDATE: each row changes
    only at the version it was read at, and its version goes up by one. Raises
    StaleResponseError (with the current version of the first response saved
    meanwhile) and changes nothing if any was; the caller's transaction then
    rolls back the rows this UPDATE did change."""
    # Grouped by the version read (all 0 for the responses an import creates):
    # a condition per version, not per response, for the ORM to build.
    by_version: dict[int, list[int]] = {}
    for response in responses:
        by_version.setdefault(response.version, []).append(response.pk)
    locked = Response.objects.filter(
        reduce(or_, (Q(version=v, pk__in=pks) for v, pks in by_version.items()))
    ).update(version=F("version") + 1, **changes)
    if locked == len(responses):
        return
    current = dict(
        Response.objects.filter(pk__in=[r.pk for r in responses]).values_list(
            "pk", "version"
        )
    )
    stale = next(r for r in responses if current[r.pk] != r.version + 1)
    raise StaleResponseError(current[stale.pk])


class BulkSaveError(Exception):
    """One save of a bulk refused: `index` in the caller's list, and why."""

    def __init__(self, index: int, error: ValidationError) -> None:
        self.index = index
        self.error = error
        super().__init__(f"save {index}: {error}")


def save_answers_in_bulk(
    saves: Sequence[tuple[Response, Mapping[str, Any]]],
    *,
    actor: User,
    channel: Channel,
    reason: str = "",
) -> list[Response]:
    """`save_answers_in_bulk_with_cells`, returning the responses only."""
    return save_answers_in_bulk_with_cells(
        saves, actor=actor, channel=channel, reason=reason
    ).responses


@dataclass(frozen=True)
class SavedInBulk:
    responses: list[Response]
    # Every stored answer after the saves, by response id, question id and slot:
    # what was written is known, so a submit in the same transaction need not
    # read it back (issue #20; `saving.SavedAnswers` for one response).
    cells: dict[int, dict[int, Cells]]


@transaction.atomic
def save_answers_in_bulk_with_cells(
    saves: Sequence[tuple[Response, Mapping[str, Any]]],
    *,
    actor: User,
    channel: Channel,
    reason: str = "",
) -> SavedInBulk:
    """`save_answers` for many responses of one questionnaire at once: the same
    validation, display conditions, history and version lock, in a fixed number
    of queries whatever the number of responses (a raw-data import of 290
    kommuner, issue #20). All or nothing: BulkSaveError names the refused save,
    StaleResponseError a response saved by someone else meanwhile.

    Not for RSS kommun counts (their adjustments are checked against the kommun
    answers response by response) nor corrections: `save_answers` does those.
    """
    if not saves:
        return SavedInBulk([], {})
    responses = [response for response, _ in saves]
    if len({r.pk for r in responses}) != len(responses):
        raise ValueError("a response may be saved once per bulk")
    questionnaire = responses[0].questionnaire
    questions = questions_of(questionnaire)
    if channel == Channel.CORRECTION or any(
        facts(q.kind).kommun_counts for q in questions
    ):
        raise ValueError("save_answers_in_bulk does not take corrections or counts")
    for response in responses:
        if response.questionnaire_id != questionnaire.pk:
            raise ValueError("one questionnaire per bulk")
        if response.status == ResponseStatus.SUBMITTED:
            raise DomainError(
                f"{response.organisation}: enkäten är inskickad och låst. "
                "Be Socialstyrelsen öppna den igen."
            )
        require_writable(
            questionnaire, organisation=response.organisation, channel=channel
        )
    existing = stored_answers_of(responses)
    planned = []
    for index, (response, values) in enumerate(saves):
        try:
            planned.append(
                plan_save(
                    response,
                    questions=questions,
                    existing=existing[response.pk],
                    values=values,
                    channel=channel,
                    reason=reason,
                    reasons=None,
                )
            )
        except ValidationError as exc:
            raise BulkSaveError(index, exc) from exc

    now = timezone.now()
    lock_versions(
        responses,
        status=Case(
            When(
                status=ResponseStatus.NOT_STARTED,
                then=Value(ResponseStatus.IN_PROGRESS),
            ),
            default=F("status"),
        ),
        updated_at=now,
    )
    for response in responses:
        response.version += 1
        if response.status == ResponseStatus.NOT_STARTED:
            response.status = ResponseStatus.IN_PROGRESS
        response.updated_at = now

    changes = AnswerRows()
    for response, plan in zip(responses, planned, strict=True):
        changes.extend(
            answer_rows(
                response,
                plan,
                questions=questions,
                existing=existing[response.pk],
                actor=actor,
                channel=channel,
                reason=reason,
                reasons=None,
            )
        )
    # On PostgreSQL by COPY (intake.services.answer_sql), which skips the ORM's
    # per-value preparation of an INSERT (about half the time of a 290-kommun
    # import, issue #20); elsewhere in batches of BULK_BATCH_SIZE.
    write_answer_rows(changes, batch_size=BULK_BATCH_SIZE)
    return SavedInBulk(
        responses,
        {
            response.pk: {qid: cells for qid, cells in plan.after.items() if cells}
            for response, plan in zip(responses, planned, strict=True)
        },
    )
