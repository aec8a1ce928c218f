"""Faults in the services (issue #13 points 4 and 5), with real processes.

- Redis, a server of the test's own, stops in the middle of a request: no 500,
  and once it is back every e-mail goes exactly once.
- A Celery worker (a real `celery worker` process) is killed mid-export: the job
  is picked up again and finished.
- PostgreSQL ends the web process's connections between two requests (gunicorn,
  persistent connections): no 500.

Transactional (the worker and gunicorn must see committed rows); the flush after
each test empties the register, which is loaded again for the tests that follow.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connection, connections
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from intake.demo import demo_values
from intake.models import Channel, ResponseEvent, ResponseStatus
from intake.selectors import questions_of
from intake.services import get_or_create_response, save_answers
from outbox.models import OutboxState, OutboxTask
from outbox.services import redispatch_pending
from surveys.models import Dispatch, DispatchStatus, Kommun, Questionnaire, Region
from surveys.services import load_questionnaires, load_reference_data
from tests.brokers import RedisServer, broker_at
from tests.conftest import make_user, services_required
from tests.intake.test_response_views import edit_url, form_data

pytestmark = pytest.mark.services

REPO_ROOT = Path(__file__).resolve().parent.parent


def require_postgresql() -> None:
    if connection.vendor == "postgresql":
        return
    reason = "the fault tests need PostgreSQL (DATABASE_URL)"
    if services_required():
        pytest.fail(f"{reason}, and REQUIRE_SERVICES=1 forbids skipping it")
    pytest.skip(reason)


@pytest.fixture
def register_again(django_db_blocker: Any) -> Iterator[None]:
    """Requested before transactional_db, so that it tears down after the flush."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()
        load_questionnaires()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def pg_admin() -> psycopg.Connection[Any]:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        dbname=db["NAME"],
        autocommit=True,
    )


def process_env(broker_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "false",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


@contextmanager
def process(
    args: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_for(
    condition: Callable[[], bool],
    what: str,
    log: Path | None = None,
    timeout: float = 30,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


# --- Redis stops mid-request ------------------------------------------------------------


@contextmanager
def embedded_worker() -> Iterator[list[str]]:
    """A worker thread in this process (e-mail lands in mail.outbox); yields the
    names of the tasks it has run."""
    ran: list[str] = []

    def close_connections(sender: Any = None, **kwargs: Any) -> None:
        ran.append(sender.name)
        # The worker thread's own connection, so the test database can be dropped.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    changes = {
        "worker_enable_remote_control": False,
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf[key] for key in changes}
    app.conf.update(changes)
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
            yield ran
    finally:
        app.conf.update(saved)
        task_postrun.disconnect(close_connections)


def test_redis_stopping_mid_request_fails_nothing_and_every_email_goes_once(
    register_again: None,
    transactional_db: None,
    redis_server: RedisServer,
) -> None:
    require_postgresql()
    load_reference_data()
    load_questionnaires()
    region = Region.objects.get(code="04")
    respondent = make_user("kontakt@sormland.test", region)
    staff = make_user("staff@socialstyrelsen.test", is_staff=True, is_superuser=True)
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    answered = get_or_create_response(questionnaire, organisation=region)
    save_answers(
        answered,
        actor=respondent,
        channel=Channel.WEB,
        values=demo_values(questions_of(questionnaire.pk), random.Random(7)),
    )

    def stop_redis(**kwargs: Any) -> None:
        redis_server.stop()

    respondent_client, staff_client = Client(), Client()
    respondent_client.force_login(respondent)
    staff_client.force_login(staff)
    with broker_at(redis_server.url):
        post_save.connect(stop_redis, sender=ResponseEvent, weak=False)
        try:
            submitted = respondent_client.post(
                edit_url(questionnaire, region),
                form_data(questionnaire, region, action="submit"),
            )
        finally:
            post_save.disconnect(stop_redis, sender=ResponseEvent)
        assert submitted.status_code == 302
        invited = staff_client.post(
            reverse("surveys:user-invite"),
            {
                "email": "ny@vaxjo.test",
                "first_name": "Vera",
                "organisation": Kommun.objects.get(code="0780").pk,
            },
        )
        assert invited.status_code == 302
        answered.refresh_from_db()
        assert answered.status == ResponseStatus.SUBMITTED
        assert set(OutboxTask.objects.values_list("state", flat=True)) == {
            OutboxState.PENDING
        }
        assert mail.outbox == []

        redis_server.start()
        later = timezone.now() + timedelta(minutes=5)
        assert redispatch_pending(now=later) == 2
        assert redispatch_pending(now=later) == 0
        event = ResponseEvent.objects.get(response=answered)
        dispatch = Dispatch.objects.get(email="ny@vaxjo.test")
        # A second delivery of each, as after a lost acknowledgement.
        app.tasks["intake.tasks.send_receipt"].delay(event.pk)
        app.tasks["surveys.tasks.send_dispatch"].delay(dispatch.pk)
        with embedded_worker() as ran:
            # Each task twice: the outbox's dispatch and the duplicate.
            wait_for(lambda: len(ran) == 4, "four task runs")
    assert Dispatch.objects.get(pk=dispatch.pk).status == DispatchStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox) == [
        "kontakt@sormland.test",
        "ny@vaxjo.test",
    ]
