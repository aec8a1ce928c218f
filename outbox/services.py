"""Record background work with the change that needs it, send it after commit.

`enqueue` is called inside the caller's transaction: the row commits or rolls
back with the change. After commit the task is published to the broker; if the
broker is down the error is logged, the row stays pending and the request that
made the change succeeds. Beat runs `redispatch_pending` every minute.

Dispatch is at least once (a publish whose acknowledgement was lost is sent
again), so every task started here must be idempotent: it claims what it is
about to do with a conditional UPDATE before doing it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.celery import app
from outbox.models import OutboxState, OutboxTask

logger = logging.getLogger(__name__)


def enqueue(task_name: str, *args: Any) -> OutboxTask:
    """One task, dispatched after the surrounding transaction commits."""
    return enqueue_many(task_name, [args])[0]


def enqueue_many(
    task_name: str, arg_lists: Sequence[Sequence[Any]]
) -> list[OutboxTask]:
    """One task per argument list, in one INSERT whatever their number."""
    if task_name not in app.tasks:
        # A typo would otherwise surface only in a worker's log, as lost work.
        raise LookupError(f"Unknown Celery task {task_name!r}")
    rows = OutboxTask.objects.bulk_create(
        OutboxTask(task_name=task_name, args=list(args)) for args in arg_lists
    )
    ids = [row.pk for row in rows]
    # PostgreSQL and SQLite return the new keys from bulk_create; without them
    # the rows would still go, a minute later, through redispatch_pending.
    if all(pk is not None for pk in ids):
        transaction.on_commit(lambda: dispatch(ids))
    return rows


def dispatch(ids: Sequence[int]) -> int:
    """Publish the pending rows `ids`; return how many the broker accepted.

    Never raises on a broker error: the change that needed the work is committed
    and the row is still pending, so redispatch_pending sends it later. In eager
    mode (demo, tests) the task runs here, and its own errors propagate, as
    CELERY_TASK_EAGER_PROPAGATES asks.
    """
    sent = 0
    rows = OutboxTask.objects.filter(pk__in=ids, state=OutboxState.PENDING).order_by(
        "pk"
    )
    for row in rows:
        if _publish(row):
            sent += 1
    return sent


def _publish(row: OutboxTask) -> bool:
    now = timezone.now()
    try:
        app.tasks[row.task_name].apply_async(
            args=row.args,
            retry=True,
            retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        )
    except Exception as exc:
        if app.conf.task_always_eager:
            raise
        logger.warning(
            "Outbox task %s (%s) not dispatched, will retry: %s",
            row.pk,
            row.task_name,
            exc,
        )
        OutboxTask.objects.filter(pk=row.pk, state=OutboxState.PENDING).update(
            attempts=row.attempts + 1,
            next_attempt_at=now + _backoff(row.attempts + 1),
            last_error=f"{type(exc).__name__}: {exc}"[:1000],
        )
        return False
    OutboxTask.objects.filter(pk=row.pk, state=OutboxState.PENDING).update(
        state=OutboxState.SENT,
        attempts=row.attempts + 1,
        dispatched_at=timezone.now(),
        last_error="",
    )
    return True


def _backoff(attempts: int) -> timedelta:
    # 1, 2, 4 ... minutes, at most an hour: a long outage costs one log line a
    # row an hour, not one a minute.
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def redispatch_pending(*, now: datetime | None = None, limit: int = 500) -> int:
    """Beat's sweep: publish rows still pending OUTBOX_REDISPATCH_AFTER_SECONDS
    after they were made (their on-commit dispatch failed or never ran)."""
    now = now or timezone.now()
    older_than = now - timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS)
    due = (
        OutboxTask.objects.filter(state=OutboxState.PENDING, created_at__lte=older_than)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return dispatch(list(due))


def delete_sent(*, now: datetime | None = None) -> int:
    """Sent rows are kept OUTBOX_RETENTION_DAYS for tracing, then deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    deleted, _ = OutboxTask.objects.filter(
        state=OutboxState.SENT, dispatched_at__lt=cutoff
    ).delete()
    return deleted
