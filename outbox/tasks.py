"""Beat's outbox sweeps (docs/background-work.md)."""

from __future__ import annotations

from celery import shared_task

from outbox.services import delete_sent, redispatch_pending


@shared_task(name="outbox.tasks.redispatch_pending", soft_time_limit=120)
def redispatch_pending_task() -> int:
    return redispatch_pending()


@shared_task(name="outbox.tasks.delete_sent", soft_time_limit=300)
def delete_sent_task() -> int:
    return delete_sent()
