"""/healthz (health/): the database, the broker, the age of beat's heartbeat and
the file storage, 200 when all are fine and 503 naming what is not; open without signing in."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from health.models import Heartbeat
from health.tasks import BEAT, heartbeat
from tests.brokers import RedisServer, broker_at, free_port
from tests.object_storage import S3_BACKEND, Bucket, s3_bucket

pytestmark = pytest.mark.django_db


def checks(client: Client) -> tuple[int, dict[str, bool]]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    return response.status_code, {k: v["ok"] for k, v in body["checks"].items()}


def test_in_process_tasks_need_no_broker_or_beat(client: Client) -> None:
    # The demo and the tests run tasks in the web process: nothing to wait for.
    assert checks(client) == (
        200,
        {"database": True, "broker": True, "beat": True, "storage": True},
    )


@pytest.fixture
def real_broker(settings: LazySettings) -> LazySettings:
    """Settings as a deployment has them (a broker, tasks in a worker), with the
    broker unreachable unless a test says otherwise."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTH_BEAT_MAX_AGE_SECONDS = 180
    settings.HEALTH_TIMEOUT_SECONDS = 1
    return settings


def test_beat_is_unhealthy_until_its_first_heartbeat_and_when_it_is_old(
    client: Client, real_broker: LazySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("health.checks.broker", lambda: _ok("broker"))
    status, found = checks(client)
    assert (status, found["beat"]) == (503, False)
    heartbeat()  # as a worker runs it when beat sends it
    assert checks(client) == (
        200,
        {"database": True, "broker": True, "beat": True, "storage": True},
    )
    Heartbeat.objects.filter(name=BEAT).update(
        at=timezone.now() - timedelta(seconds=181)
    )
    status, found = checks(client)
    assert (status, found["beat"]) == (503, False)
    assert "gräns 180 s" in client.get("/healthz").json()["checks"]["beat"]["detail"]


def test_the_broker_check_connects_to_the_broker(
    client: Client, real_broker: LazySettings
) -> None:
    heartbeat()
    server = RedisServer()
    server.start()
    try:
        with broker_at(server.url):
            assert checks(client) == (
                200,
                {"database": True, "broker": True, "beat": True, "storage": True},
            )
    finally:
        server.stop()
    # Nothing listens on this port: reported within the timeout, not hung.
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        started = timezone.now()
        status, found = checks(client)
    assert (status, found) == (
        503,
        {"database": True, "broker": False, "beat": True, "storage": True},
    )
    assert timezone.now() - started < timedelta(seconds=10)


def test_a_lost_database_connection_is_503_not_500(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise connection.OperationalError("server closed the connection")

    # The check's own query fails as it would with the server gone; the view
    # still answers, naming the database.
    monkeypatch.setattr(connection, "cursor", broken)
    status, found = checks(client)
    assert (status, found["database"]) == (503, False)


def test_the_probe_reads_one_row_at_most(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert len(queries) <= 2  # SELECT 1, and the heartbeat when a broker is used


def _ok(name: str) -> object:
    from health.checks import Check

    return Check(name, True, "ok")


def test_favicon_ico_leads_to_the_site_icon(client: Client) -> None:
    """Found in QA of the demo: /api/docs/ made the browser ask for /favicon.ico,
    a 404 in the console and the server log."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("surveys/favicon.svg")
    assert finders.find("surveys/favicon.svg")


def _storage_at(settings: LazySettings, backend: str, options: dict[str, Any]) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": backend, "OPTIONS": options},
    }


def test_the_storage_check_needs_a_folder_that_can_take_files(
    client: Client, settings: LazySettings, tmp_path: Path
) -> None:
    backend = "django.core.files.storage.FileSystemStorage"
    # Not made yet (the first export makes it): its parent takes it.
    _storage_at(settings, backend, {"location": str(tmp_path / "media" / "exports")})
    assert checks(client)[1]["storage"] is True
    # A path through a file can never be a folder.
    (tmp_path / "fil").write_text("inte en mapp")
    _storage_at(settings, backend, {"location": str(tmp_path / "fil" / "media")})
    status, found = checks(client)
    assert (status, found["storage"]) == (503, False)
    assert (
        "kan inte skriva i"
        in client.get("/healthz").json()["checks"]["storage"]["detail"]
    )


def test_the_storage_check_asks_the_bucket_and_gives_up_in_time(
    client: Client, settings: LazySettings
) -> None:
    # Time enough for a loaded machine: the first probe builds boto3's client,
    # which took over a second in a full CI pass (a 503 from a healthy bucket).
    settings.HEALTH_TIMEOUT_SECONDS = 10
    with s3_bucket() as bucket:
        _storage_at(settings, S3_BACKEND, bucket.options)
        assert checks(client) == (
            200,
            {"database": True, "broker": True, "beat": True, "storage": True},
        )
        _storage_at(settings, S3_BACKEND, {**bucket.options, "bucket_name": "saknas"})
        status, found = checks(client)
        assert (status, found["storage"]) == (503, False)

    # An endpoint that accepts the connection and never answers: the probe
    # reports it within its timeout instead of waiting for botocore's minute.
    settings.HEALTH_TIMEOUT_SECONDS = 1
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        _storage_at(
            settings,
            S3_BACKEND,
            {**Bucket(f"http://127.0.0.1:{port}", client=None).options},
        )
        started = time.monotonic()
        response = client.get("/healthz")
        assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {
        "ok": False,
        "detail": "svarar inte inom 1 s",
    }
