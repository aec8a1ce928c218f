"""The message log's one write (docs/conventions.md §2, §8): record a mailing and its e-mails,
then send each e-mail from a Celery task after commit.

Every e-mail to a respondent (staff invitations, sign-in links, reminders) goes
through `record_mailing`, so the log is complete: who sent what to whom, for
which organisation and questionnaire, and whether it went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from surveys.models import (
    Dispatch,
    Mailing,
    MailingKind,
    Organisation,
    Questionnaire,
    User,
)
from surveys.tasks import send_dispatch


@dataclass(frozen=True)
class Recipient:
    user: User
    organisation: Organisation | None


@transaction.atomic
def record_mailing(
    kind: MailingKind,
    *,
    recipients: Sequence[Recipient],
    actor: User,
    questionnaire: Questionnaire | None = None,
    is_bulk: bool = False,
    scope: Organisation | None = None,
) -> Mailing:
    """Log one mailing with a queued row per e-mail; each is sent after commit.

    A fixed number of queries whatever the number of recipients.
    """
    mailing = Mailing(
        kind=kind,
        questionnaire=questionnaire,
        is_bulk=is_bulk,
        scope=scope,
        sent_by=actor,
    )
    mailing.full_clean()
    mailing.save()
    Dispatch.objects.bulk_create(
        [
            Dispatch(
                mailing=mailing,
                kind=kind,
                questionnaire=questionnaire,
                organisation=recipient.organisation,
                recipient=recipient.user,
                email=recipient.user.email,
                sent_by=actor,
            )
            for recipient in recipients
        ]
    )
    # Read back rather than rely on bulk_create returning keys (it does not on
    # every database); the tasks load their rows by id, so they run after commit.
    ids = list(mailing.dispatches.order_by("pk").values_list("pk", flat=True))
    transaction.on_commit(lambda: _enqueue(ids))
    return mailing


def _enqueue(ids: list[int]) -> None:
    for dispatch_id in ids:
        send_dispatch.delay(dispatch_id)
