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

import http.client
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import LazySettings
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
from reports.exports.jobs import recover_export_jobs
from reports.models import ExportJob, ExportStatus
from surveys.models import Dispatch, DispatchStatus, Kommun, Questionnaire, Region
from surveys.services import load_questionnaires, load_reference_data
from tests.battery import Tally
from tests.brokers import RedisServer, broker_at, free_port
from tests.conftest import make_user, require_postgresql
from tests.intake.test_response_views import edit_url, form_data

pytestmark = pytest.mark.services

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    """Autouse, so it runs before the transactional set-up it would waste."""
    require_postgresql("the fault tests need PostgreSQL (DATABASE_URL)")


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
    battery: Tally,
) -> None:
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
        battery.inputs += 1
        battery.server_errors += submitted.status_code >= 500
        assert submitted.status_code == 302
        invited = staff_client.post(
            reverse("surveys:user-invite"),
            {
                "email": "ny@vaxjo.test",
                "first_name": "Vera",
                "organisation": Kommun.objects.get(code="0780").pk,
            },
        )
        battery.inputs += 1
        battery.server_errors += invited.status_code >= 500
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
    expected = ["kontakt@sormland.test", "ny@vaxjo.test"]
    sent = [m.to[0] for m in mail.outbox]
    battery.emails_expected += len(expected)
    battery.emails_sent_once += sum(sent.count(address) == 1 for address in expected)
    battery.email_duplicates += sum(sent.count(address) > 1 for address in expected)
    battery.tasks_lost += sum(address not in sent for address in expected)
    assert Dispatch.objects.get(pk=dispatch.pk).status == DispatchStatus.SENT
    assert sorted(sent) == expected


# --- a worker killed mid-export -----------------------------------------------------------


def celery_worker(env: dict[str, str], log: Path) -> Any:
    return process(
        [sys.executable, "-m", "celery", "-A", "config", "worker"]
        + ["--pool=prefork", "--concurrency=1", "--loglevel=INFO"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        env,
        log,
    )


def test_a_worker_killed_mid_export_leaves_no_job_unfinished(
    register_again: None,
    transactional_db: None,
    redis_server: RedisServer,
    settings: LazySettings,
    tmp_path: Path,
    battery: Tally,
) -> None:
    load_reference_data()
    load_questionnaires()
    settings.EXPORT_HEARTBEAT_SECONDS = 1
    settings.EXPORT_STALE_SECONDS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    env = process_env(
        redis_server.url,
        tmp_path,
        EXPORT_HEARTBEAT_SECONDS="1",
        EXPORT_STALE_SECONDS="3",
    )
    staff = make_user("staff@socialstyrelsen.test", is_staff=True, is_superuser=True)
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    client = Client()
    client.force_login(staff)
    log = tmp_path / "worker.log"
    with ExitStack() as stack, pg_admin() as blocker:
        stack.enter_context(broker_at(redis_server.url))
        first = stack.enter_context(celery_worker(env, log))
        # Holds the export inside its first query of responses: the worker is
        # then certainly mid-export when it is killed.
        blocker.execute("BEGIN")
        blocker.execute("LOCK TABLE intake_response IN ACCESS EXCLUSIVE MODE")
        ordered = client.post(
            reverse("reports:export-list"),
            {
                "target": f"questionnaire:{questionnaire.pk}",
                "kind": "svarsstatus",
                "format": "csv",
            },
        )
        battery.inputs += 1
        battery.server_errors += ordered.status_code >= 500
        assert ordered.status_code == 302
        job = ExportJob.objects.get()

        def running() -> bool:
            job.refresh_from_db()
            return job.status == ExportStatus.RUNNING

        wait_for(running, "the first worker to start the export", log)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        blocker.execute("ROLLBACK")
        assert job.status == ExportStatus.RUNNING and job.attempts == 1

        stack.enter_context(celery_worker(env, log))

        def recovered() -> bool:
            # What beat does every minute.
            return recover_export_jobs().requeued == 1

        wait_for(recovered, "the heartbeat to go stale", log)

        def finished() -> bool:
            job.refresh_from_db()
            return job.status in (ExportStatus.DONE, ExportStatus.FAILED)

        wait_for(finished, "the second worker to finish the export", log)
    battery.tasks_lost += job.status != ExportStatus.DONE
    assert (job.status, job.attempts, job.error) == (ExportStatus.DONE, 2, "")
    assert (tmp_path / "media" / job.file.name).is_file()


# --- PostgreSQL ends the connections between requests ------------------------------------


def get(port: int, path: str, session: str) -> int:
    web = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        web.request("GET", path, headers={"Cookie": f"sessionid={session}"})
        response = web.getresponse()
        response.read()
        return response.status
    finally:
        web.close()


def terminate_web_connections(admin: psycopg.Connection[Any]) -> int:
    """End the test database's backends except this test's own two."""
    django_pid = connection.connection.info.backend_pid  # type: ignore[union-attr]
    row = admin.execute(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s",
        [django_pid],
    ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.parametrize("health_checks", [True, False])
def test_postgresql_ending_connections_between_requests(
    register_again: None,
    transactional_db: None,
    tmp_path: Path,
    health_checks: bool,
    battery: Tally,
) -> None:
    user = make_user("kontakt@sormland.test")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    connection.ensure_connection()
    port = free_port()
    log = tmp_path / "web.log"
    env = process_env(
        f"redis://127.0.0.1:{free_port()}/0",
        tmp_path,
        DATABASE_CONN_MAX_AGE="600",
        DATABASE_CONN_HEALTH_CHECKS="true" if health_checks else "false",
    )
    path = reverse("intake:response-list")
    with (
        process(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env,
            log,
        ),
        pg_admin() as admin,
    ):

        def answers() -> bool:
            with suppress(OSError):
                return get(port, path, session) == 200
            return False

        wait_for(answers, "gunicorn", log)
        assert terminate_web_connections(admin) == 1, "the web process's connection"
        status = get(port, path, session)
    if health_checks:
        battery.inputs += 1
        battery.server_errors += status >= 500
        assert status == 200
    else:
        # The control: without health checks the reused, dead connection fails.
        assert status == 500
