"""The message log's one write (docs/conventions.md §2, §8): record a mailing and its e-mails,
then send each e-mail from a Celery task after commit (through the outbox).

Every e-mail to a respondent (staff invitations, sign-in links, reminders) goes
through `record_mailing`, so the log is complete: who sent what to whom, for
which organisation and questionnaire, and whether it went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from outbox.services import enqueue_many
from surveys.errors import DomainError
from surveys.models.message_log import Dispatch, Mailing, MailingKind
from surveys.models.questionnaires import Questionnaire
from surveys.models.register import Organisation
from surveys.models.users import User


@dataclass(frozen=True)
class Recipient:
    user: User
    organisation: Organisation | None


NOT_OPEN_FOR_MAIL = (
    "{title} är {state}. Inga inloggningslänkar, inbjudningar eller påminnelser "
    "skickas för en enkät som inte är öppen."
)


def require_open_for_mail(questionnaire: Questionnaire) -> None:
    """The one rule for mail about a questionnaire: only while it is open (as
    stored now: staff may have closed it since the page was loaded)."""
    questionnaire.refresh_from_db(fields=["opens_on", "opened_at", "closed_at"])
    if not questionnaire.is_open:
        raise DomainError(
            NOT_OPEN_FOR_MAIL.format(
                title=questionnaire.title, state=questionnaire.state.label.lower()
            )
        )


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

    The send tasks are outbox rows in this transaction, so a broker that is down
    delays the e-mails instead of losing them (docs/background-work.md). A fixed
    number of queries whatever the number of recipients.

    Nothing is sent for a questionnaire that is not open (issue #15): refused
    here, and checked again when each e-mail goes (surveys.tasks.send_dispatch).
    """
    if questionnaire is not None:
        require_open_for_mail(questionnaire)
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
    enqueue_many("surveys.tasks.send_dispatch", [[pk] for pk in ids])
    return mailing
