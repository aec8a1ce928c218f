"""A task travels through the real broker (Redis) to a real worker and back.

Every other test runs Celery eagerly (tests/conftest.py). This one turns that off
for its own duration, so it fails rather than passes if the broker is not used.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from celery.signals import task_prerun
from kombu.exceptions import OperationalError

from config.celery import app
from health.models import Heartbeat
from health.tasks import BEAT, heartbeat
from tests.conftest import services_required

pytestmark = pytest.mark.services


def require_broker() -> str:
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if broker_url:
        return broker_url
    reason = "CELERY_BROKER_URL is not set: the broker test needs Redis"
    if services_required():
        pytest.fail(f"{reason}, and REQUIRE_SERVICES=1 forbids skipping it")
    pytest.skip(reason)


def forget_result_backend() -> None:
    # Celery caches the result backend per thread (or app-wide if thread-safe).
    # Eager tests that ran earlier in this process cached the disabled one, so
    # drop the cache for the new result_backend to take effect.
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def through_broker(broker_url: str, queue: str) -> Iterator[None]:
    """The project's app, not eager, results in Redis, routed to `queue` only."""
    changes: dict[str, Any] = {
        "task_always_eager": False,
        # The broker's Redis database also stores the results, so .get() works.
        "result_backend": broker_url,
        # A queue of this run's own: another worker on the same broker (an
        # xdist process, the process-layout test, another run) cannot take it.
        "task_default_queue": queue,
        # No pidbox queue or broadcast: less to start, nothing left behind.
        "worker_enable_remote_control": False,
        # start_worker sets up logging; leave the test process's handlers alone.
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf[key] for key in changes}
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    app.conf.update(changes)
    forget_result_backend()
    try:
        yield
    finally:
        app.conf.update(saved)
        forget_result_backend()
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        # Tidying only: if the broker is down, the test has failed already.
        with suppress(OperationalError), app.connection_for_write() as connection:
            # Kombu deletes only the bindings its channel knows, hence the declare.
            declared = app.amqp.queues[queue].bind(connection.default_channel)
            declared.declare()
            declared.delete()


# The worker thread records the heartbeat on a connection of its own.
@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_in_a_worker_through_the_broker() -> None:
    broker_url = require_broker()
    queue = f"naravard-test-broker-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    ran_in: list[int] = []

    def record_thread(**kwargs: Any) -> None:
        ran_in.append(threading.get_ident())

    task_prerun.connect(record_thread, sender=heartbeat, weak=False)
    try:
        with (
            through_broker(broker_url, queue),
            # The project registers no celery.ping task, so no ping check.
            start_worker(app, queues=[queue], perform_ping_check=False),
        ):
            result = heartbeat.delay()
            assert not isinstance(result, EagerResult)
            assert result.get(timeout=10) == "ok"
            assert result.successful()
            result.forget()
    finally:
        task_prerun.disconnect(record_thread, sender=heartbeat)

    # Ran once, in the embedded worker's thread, not in the caller's.
    assert len(ran_in) == 1
    assert ran_in[0] != threading.get_ident()
    # What /healthz reads (health/checks.py).
    assert Heartbeat.objects.filter(name=BEAT).count() == 1
