"""What bench/show_profile.py and bench/save_profile.py share: one request at a
time through the WSGI application as gunicorn would pass it (`DEBUG` off, a
persistent connection), the respondents of `bench/compare` signed in, and the
measurement: this process's CPU per request (`time.process_time`), the
PostgreSQL backend's (from /proc), the queries of one request, the load
average and, with `--profile`, a cProfile in CPU time.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# A step: given the request's number, does its untimed preparation (the
# browser's work) and returns the request to time; what that returns, if
# anything, is called untimed afterwards (the browser taking in the answer).
Step = Callable[[int], Callable[[], Callable[[], None] | None]]


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


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement sent to PostgreSQL meanwhile, as psycopg sends it: the
    queries Django counts and those it does not (the connection's health
    check, BEGIN, COMMIT, COPY)."""
    import psycopg
    from psycopg._connection_base import BaseConnection

    sent: list[str] = []
    execute, copy = psycopg.Cursor.execute, psycopg.Cursor.copy
    command = BaseConnection._exec_command

    def counted_execute(self: Any, query: Any, *rest: Any, **named: Any) -> Any:
        sent.append(str(query))
        return execute(self, query, *rest, **named)

    def counted_copy(self: Any, statement: Any, *rest: Any, **named: Any) -> Any:
        sent.append(str(statement))
        return copy(self, statement, *rest, **named)

    def counted_command(self: Any, query: Any, *rest: Any, **named: Any) -> Any:
        sent.append(query.decode() if isinstance(query, bytes) else str(query))
        return command(self, query, *rest, **named)

    psycopg.Cursor.execute = counted_execute  # type: ignore[method-assign]
    psycopg.Cursor.copy = counted_copy  # type: ignore[method-assign]
    BaseConnection._exec_command = counted_command  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        psycopg.Cursor.copy = copy  # type: ignore[method-assign]
        BaseConnection._exec_command = command  # type: ignore[method-assign]


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


def arguments(doc: str, *, requests: int, warm: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--warm", type=int, default=warm)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--dump", help="write the profile to this file (pstats)")
    parser.add_argument("--queries", action="store_true", help="print the SQL")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="after the warm-up, freeze what is alive as a web worker does "
        "(config/gunicorn.py)",
    )
    parser.add_argument(
        "--callees", action="append", default=[], help="functions to break down"
    )
    return parser


def start(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Any:
    """Django set up on DATABASE_URL as in production; with `--build` that
    database dropped and made again with `--users` filled regions. Returns the
    WSGI application."""
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

    from bench.compare import ours

    if args.build:
        call_command("migrate", verbosity=0)
        ours.build(args.users, 0, seed=1)
    return get_wsgi_application()


def measure(
    args: argparse.Namespace, step: Step, *, kind: str, users: int, note: str = ""
) -> None:
    """`--warm` unreported steps, one whose queries are counted, then
    `--requests` timed ones; prints the figures (and the profile)."""
    from django.db import connection

    def run(i: int) -> None:
        done = step(i)()
        if done is not None:
            done()

    counter = iter(range(10**9))
    for _ in range(args.warm):
        run(next(counter))
    if args.gc_freeze:
        from config.gunicorn import freeze_long_lived

        freeze_long_lived()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    # Counted with a wrapper: Django empties connection.queries at each request.
    queries: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count), statements() as sent:
        run(next(counter))
    if args.queries:
        for sql in sent:
            print(sql[:300])
    load_before = os.getloadavg()
    # CPU time, as the figures: time waiting for PostgreSQL is not this process's.
    profile = cProfile.Profile(time.process_time) if args.profile else None
    times: list[float] = []
    db_before = backend_cpu(backend)
    for _ in range(args.requests):
        request = step(next(counter))
        if profile:
            profile.enable()
        start = time.process_time()
        done = request()
        times.append(time.process_time() - start)
        if profile:
            profile.disable()
        if done is not None:
            done()
    db_used = backend_cpu(backend) - db_before
    print(
        f"{args.requests} {kind}s over {users} users: CPU per {kind} "
        f"median {statistics.median(times) * 1000:.2f} ms, "
        f"min {min(times) * 1000:.2f} ms, mean {statistics.mean(times) * 1000:.2f} ms; "
        f"PostgreSQL backend {db_used / args.requests * 1000:.2f} ms; "
        f"{len(queries)} queries, {len(sent)} statements{note}"
    )
    print(f"load average before {load_before}, after {os.getloadavg()}")
    if profile:
        stats = pstats.Stats(profile)
        if args.dump:
            stats.dump_stats(args.dump)
        stats.sort_stats(args.sort).print_stats(args.lines)
        for name in args.callees:
            stats.print_callees(name)
