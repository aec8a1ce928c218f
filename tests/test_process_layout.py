"""Smoke test of the production process layout (compose.yaml): migrate, then
web, worker and beat.

Runs `./docker-entrypoint.sh migrate` once, then starts `web|worker|beat`, the
commands the image runs, with production settings (PRODUCTION=true) against a fresh
PostgreSQL database and Redis, and checks that the site answers, that beat's
heartbeat reaches the worker, and that /healthz then says all is well.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import yaml
from kombu import Connection
from psycopg import sql

from tests.conftest import services_required
from tests.object_storage import PREFIX, Bucket, s3_bucket

pytestmark = pytest.mark.services

REPO_ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = REPO_ROOT / "docker-entrypoint.sh"
ROLES = ("web", "worker", "beat")
# What each branch of docker-entrypoint.sh must run. The test starts the script
# itself; this only makes a change there show up here as a clear failure.
ENTRYPOINT_COMMANDS = {
    "migrate": ("python manage.py migrate",),
    "web": ("gunicorn config.wsgi:application --config python:config.gunicorn",),
    "worker": ("celery -A config worker",),
    "beat": ("celery -A config beat",),
}
DEADLINE_SECONDS = 60
HEARTBEAT_SECONDS = 2
HEARTBEAT_SENT = re.compile(r"Sending due task heartbeat \(health\.tasks\.heartbeat\)")
HEARTBEAT_DONE = re.compile(r"Task health\.tasks\.heartbeat\[[^\]]+\] succeeded")
# Run in the stack's environment once it is up: the register and questionnaires
# as the README's production section loads them, a staff account and an API
# token of its, printed for the test.
SETUP_STAFF_AND_TOKEN = """
from django.core.management import call_command
call_command("load_reference_data", verbosity=0)
call_command("load_questionnaires", verbosity=0)
from api.services import create_api_token
from surveys.models import Questionnaire, User
staff = User.objects.create_user(email="drift@example.se", password=None, is_staff=True)
token = create_api_token(actor=staff, name="rök", scope="write", days=1)
region = Questionnaire.objects.get(cycle__year=2024, key="region")
print("SETUP", token.secret, region.pk)
"""


def require_services() -> tuple[str, str]:
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    database_url = os.environ.get("DATABASE_URL", "")
    missing = []
    if not broker_url:
        missing.append("CELERY_BROKER_URL is not set")
    if not database_url.startswith("postgres"):
        missing.append("DATABASE_URL is not a PostgreSQL URL")
    if not missing:
        return broker_url, database_url
    reason = (
        f"{' and '.join(missing)}: the process-layout test needs PostgreSQL and Redis"
    )
    if services_required():
        pytest.fail(f"{reason}, and REQUIRE_SERVICES=1 forbids skipping it")
    pytest.skip(reason)


def entrypoint_branches() -> dict[str, str]:
    """The body of each `role)` branch of the entrypoint's case statement."""
    text = ENTRYPOINT.read_text()
    return dict(re.findall(r"^\s*(\w+)\)\n(.*?);;", text, re.MULTILINE | re.DOTALL))


def with_url_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


@contextmanager
def fresh_database(database_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on DATABASE_URL's server; dropped after."""
    name = f"naravard_smoke_{os.getpid()}_{time.time_ns()}"
    server = with_url_path(database_url, "/postgres")
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_url_path(database_url, f"/{name}")
    finally:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            )


def smoke_broker_url(broker_url: str) -> str:
    """The broker's Redis, in a database next to the configured one.

    The entrypoint's worker consumes the default queue, so the smoke test gets a
    Redis database of its own instead of a queue name of its own.
    """
    parts = urlsplit(broker_url)
    number = int(parts.path.strip("/") or 0)
    smoke_number = number - 1 if number > 0 else number + 1
    return urlunsplit(parts._replace(path=f"/{smoke_number}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def production_env(
    database_url: str, broker_url: str, port: int, tmp: Path
) -> dict[str, str]:
    env = dict(os.environ)
    # Nothing the settings read comes from the test run's own environment.
    for line in (REPO_ROOT / ".env.example").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            env.pop(line.split("=", 1)[0].strip(), None)
    env.update(
        {
            # The venv that runs the tests has gunicorn and celery.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
            # Gunicorn's control socket goes here, not to a shared ~/.gunicorn.
            "XDG_RUNTIME_DIR": str(tmp),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            # Long and varied enough for config/production.py.
            "SECRET_KEY": "smoke-test-secret-key-not-for-production-0123456789",
            "PRODUCTION": "true",
            # Nothing sends mail here; production only needs a server named.
            "EMAIL_HOST": "127.0.0.1",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            "CELERY_BEAT_SCHEDULE_FILE": str(tmp / "celerybeat-schedule"),
            "PORT": str(port),
            "STATIC_ROOT": str(tmp / "staticfiles"),
            "MEDIA_ROOT": str(tmp / "media"),
        }
    )
    return env


def log_tails(logs: dict[str, Path]) -> str:
    return "\n".join(
        f"--- {role} ({path}) ---\n{path.read_text(errors='replace')[-3000:]}"
        for role, path in logs.items()
    )


@contextmanager
def started(
    role: str, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`./docker-entrypoint.sh role`, output to `log`; SIGTERM, then SIGKILL, after."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ENTRYPOINT), role],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own process group, so gunicorn's and celery's children go too.
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
        with suppress(ProcessLookupError):  # The group is gone already.
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    token: str = "",
    body: dict[str, object] | None = None,
) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        payload = json.dumps(body)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def get(port: int, path: str) -> tuple[int, str]:
    status, body = request(port, path)
    return status, body.decode("utf-8", errors="replace")


def run_once(env: dict[str, str], *args: str) -> str:
    """`./docker-entrypoint.sh args…` to the end, as a one-off container runs;
    its output, which the assertion shows when it fails."""
    done = subprocess.run(
        [str(ENTRYPOINT), *args],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=DEADLINE_SECONDS,
    )
    output = done.stdout.decode(errors="replace")
    assert done.returncode == 0, f"{' '.join(args)} failed\n{output[-3000:]}"
    return output


def export_through_the_stack(
    env: dict[str, str], port: int, bucket: Bucket, logs: dict[str, Path]
) -> None:
    """An export ordered from web, made by the worker process into the bucket,
    downloaded from web: the two processes share files only through storage."""
    output = run_once(env, "python", "manage.py", "shell", "-c", SETUP_STAFF_AND_TOKEN)
    token, questionnaire_id = output.split("SETUP", 1)[1].split()
    status, body = request(
        port,
        "/api/v1/exports/",
        method="POST",
        token=token,
        body={
            "questionnaire_id": int(questionnaire_id),
            "kind": "svarsstatus",
            "format": "csv",
        },
    )
    assert status == 202, body
    job = json.loads(body)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while job["status"] not in ("done", "error") and time.monotonic() < deadline:
        time.sleep(0.5)
        status, body = request(port, f"/api/v1/exports/{job['id']}/", token=token)
        assert status == 200, body
        job = json.loads(body)
    assert job["status"] == "done", f"{job}\n{log_tails(logs)}"
    assert "run_export_job" in logs["worker"].read_text(errors="replace")

    status, downloaded = request(
        port, f"/api/v1/exports/{job['id']}/file/", token=token
    )
    assert status == 200
    (key,) = bucket.keys()
    assert key.startswith(f"{PREFIX}/exports/")
    assert downloaded == bucket.read(key.removeprefix(f"{PREFIX}/"))
    assert "Region Stockholm" in downloaded.decode("utf-8-sig")
    assert not (
        Path(env["MEDIA_ROOT"]).exists() and any(Path(env["MEDIA_ROOT"]).rglob("*"))
    )


def test_entrypoint_runs_the_commands_this_test_expects() -> None:
    branches = entrypoint_branches()
    assert "migrate" not in branches["web"], "web must not migrate (a one-off step)"
    for role in ENTRYPOINT_COMMANDS:
        assert role in branches, f"docker-entrypoint.sh has no {role!r} branch"
        for command in ENTRYPOINT_COMMANDS[role]:
            assert command in branches[role], (
                f"docker-entrypoint.sh {role} no longer runs {command!r}; "
                "update tests/test_process_layout.py to match"
            )


def test_web_worker_and_beat_run_with_production_settings(tmp_path: Path) -> None:
    configured_broker, configured_database = require_services()
    broker_url = smoke_broker_url(configured_broker)
    port = free_port()
    logs = {role: tmp_path / f"{role}.log" for role in ROLES}
    deadline = time.monotonic() + DEADLINE_SECONDS

    # A heartbeat left in the queue by an earlier run must not count as this one's.
    with Connection(broker_url, connect_timeout=5) as connection:
        connection.default_channel.queue_purge("celery")

    with ExitStack() as stack:
        database_url = stack.enter_context(fresh_database(configured_database))
        # Export files on S3-compatible storage, as a deployment with MinIO or
        # a cloud bucket would have them.
        bucket = stack.enter_context(s3_bucket())
        env = production_env(database_url, broker_url, port, tmp_path)
        env.update(bucket.environment())
        # The image runs collectstatic at build time (Dockerfile); so does this.
        run_once(env, "python", "manage.py", "collectstatic", "--noinput")
        # The one-off step compose.yaml runs before the processes start.
        run_once(env, "migrate")
        processes = {
            role: stack.enter_context(started(role, env, logs[role])) for role in ROLES
        }

        def crashed() -> list[str]:
            return [role for role, p in processes.items() if p.poll() is not None]

        pages: dict[str, tuple[int, str]] = {}
        home_status = 0  # 0 while nothing listens yet.
        health: tuple[int, str] = (0, "")
        heartbeat_seen = False
        while time.monotonic() < deadline and not crashed():
            if not pages:
                try:
                    home_status, _ = get(port, "/")
                except OSError:
                    home_status = 0
                if home_status == 200:
                    for path in ("/", "/admin/login/", "/static/admin/css/base.css"):
                        pages[path] = get(port, path)
            heartbeat_seen = bool(
                HEARTBEAT_SENT.search(logs["beat"].read_text(errors="replace"))
                and HEARTBEAT_DONE.search(logs["worker"].read_text(errors="replace"))
            )
            if pages and heartbeat_seen:
                # The worker records the heartbeat as it runs it.
                health = get(port, "/healthz")
                if health[0] == 200:
                    break
            time.sleep(0.5)

        # Checked while all three still run: none may have exited on its own.
        assert not crashed(), f"exited early: {crashed()}\n{log_tails(logs)}"
        if health[0] == 200:
            export_through_the_stack(env, port, bucket, logs)

    assert pages, f"web answered / with {home_status or 'nothing'}\n{log_tails(logs)}"
    status, body = pages["/"]
    assert status == 200
    assert "Nära vård-uppföljningen" in body
    assert pages["/admin/login/"][0] == 200
    # WhiteNoise serves the collected files with DEBUG off.
    assert pages["/static/admin/css/base.css"][0] == 200
    assert heartbeat_seen, (
        f"beat's heartbeat did not reach the worker within {DEADLINE_SECONDS} s\n"
        f"{log_tails(logs)}"
    )
    assert health[0] == 200, f"/healthz: {health}\n{log_tails(logs)}"
    assert '"status": "ok"' in health[1]


def test_compose_runs_the_same_commands_in_order_with_shared_files() -> None:
    """compose.yaml (no Docker engine here to run it): every entrypoint role is a
    service, migrate finishes before the others start, web and worker share the
    export files, and the services it needs keep their data in volumes."""
    compose = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    for role in ENTRYPOINT_COMMANDS:
        assert services[role]["command"] == [role]
    assert services["migrate"]["restart"] == "no"
    for role in ROLES:
        assert services[role]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    media = {v for role in ("web", "worker") for v in services[role]["volumes"]}
    assert media == {"media:/app/media"}
    assert services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert set(compose["volumes"]) >= {"pgdata", "media", "redisdata", "beat"}
