"""CPU per show of the filled region form in one process (issue #20 point 2).

The request gunicorn would hand Django: a GET of the form page of a region
respondent with a complete draft (the data of `bench/compare`), through the WSGI
application with `DEBUG` off and a persistent connection, as in production. It
prints the CPU time of this process per request (`time.process_time`, median
and minimum of `--requests` shows after `--warm` unreported ones, spread over
`--users` respondents), the CPU of the PostgreSQL backend per request (from
/proc), the queries and the page's size, and the load average; `--profile` adds
a cProfile of the timed shows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> \\
        .venv/bin/python bench/show_profile.py [--build] [--requests 300] [--profile]

`--build` drops and recreates that database (give a name nothing else uses)
with the register, the questionnaires and `--users` regions with a complete
draft; without it the database of an earlier `--build` is reused.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


CSRF_SECRET = "a" * 32  # the length of the secret Django's cookie holds


def environ(path: str, session: str) -> dict[str, Any]:
    """What gunicorn passes for a browser's GET of `path` (HTTP/1.1, gzip
    accepted, the session cookie)."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "text/html,application/xhtml+xml",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "HTTP_USER_AGENT": "python-requests/2",
        # A browser sends back the CSRF cookie it got with the first page.
        "HTTP_COOKIE": f"sessionid={session}; csrftoken={CSRF_SECRET}",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def targets(users: int) -> list[tuple[str, str]]:
    """The form page's path and a signed-in session of each of the first
    `users` respondents of `bench/compare`'s regions."""
    from django.test import Client
    from django.urls import reverse

    from bench.compare import ours
    from surveys.models import User

    q = ours.questionnaire()
    found = []
    for user in (
        User.objects.filter(email__endswith="@region-bench.example")
        .prefetch_related("roles")
        .order_by("pk")[:users]
    ):
        client = Client()
        client.force_login(user)
        organisation_id = user.roles.all()[0].organisation_id
        found.append(
            (
                reverse("intake:response-edit", args=[q.pk, organisation_id]),
                client.cookies["sessionid"].value,
            )
        )
    return found


def shower(application: Any, targets: list[tuple[str, str]]) -> Callable[[int], int]:
    """`show(i)`: the i-th show (the targets in turn) through the WSGI
    application; its page's size. Anything but the filled form is an error."""
    status: list[str] = []

    def start_response(s: str, headers: list[tuple[str, str]]) -> None:
        status.append(s)

    def show(i: int) -> int:
        path, session = targets[i % len(targets)]
        result = application(environ(path, session), start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()  # request_finished, as a WSGI server sends it
        if not status[-1].startswith("200") or b'id="svarsformular"' not in body:
            raise SystemExit(f"show: {status[-1]}")
        return len(body)

    return show


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warm", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--queries", action="store_true", help="print the SQL")
    parser.add_argument(
        "--callees", action="append", default=[], help="functions to break down"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        parser.error("DATABASE_URL must name a PostgreSQL database")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("STATIC_ROOT", "/tmp/show-profile-static")  # noqa: S108
    Path(os.environ["STATIC_ROOT"]).mkdir(exist_ok=True)
    if args.build:
        from bench.compare.servers import recreate_database

        recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from bench.compare import ours

    if args.build:
        call_command("migrate", verbosity=0)
        ours.build(args.users, 0, seed=1)
    application = get_wsgi_application()
    users = targets(args.users)
    show = shower(application, users)
    for i in range(args.warm):
        show(i)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    # Counted with a wrapper: Django empties connection.queries at each request.
    queries: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        size = show(0)
    if args.queries:
        for sql in queries:
            print(sql[:300])
    load_before = os.getloadavg()
    # CPU time, as the figures: time waiting for PostgreSQL is not this process's.
    profile = cProfile.Profile(time.process_time) if args.profile else None
    times: list[float] = []
    db_before = backend_cpu(backend)
    for i in range(args.requests):
        if profile:
            profile.enable()
        start = time.process_time()
        show(i)
        times.append(time.process_time() - start)
        if profile:
            profile.disable()
    db_used = backend_cpu(backend) - db_before
    print(
        f"{args.requests} shows over {len(users)} users: CPU per show "
        f"median {statistics.median(times) * 1000:.2f} ms, "
        f"min {min(times) * 1000:.2f} ms, mean {statistics.mean(times) * 1000:.2f} ms; "
        f"PostgreSQL backend {db_used / args.requests * 1000:.2f} ms; "
        f"{len(queries)} queries, {size} bytes"
    )
    print(f"load average before {load_before}, after {os.getloadavg()}")
    if profile:
        stats = pstats.Stats(profile)
        stats.sort_stats(args.sort).print_stats(args.lines)
        for name in args.callees:
            stats.print_callees(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
