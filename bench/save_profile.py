"""CPU per "Spara utkast" in place of a whole-form rewrite, in one process
(issue #20 point 2).

The request gunicorn would hand Django when the page's script posts the form to
its data-save-url: every question of the region questionnaire answered anew
(`bench/compare`'s `save` kind), through the WSGI application with `DEBUG` off
and a persistent connection. Each respondent's form is loaded once (untimed);
after each save the new version and bases go into its form as form.js does.
It prints this process's CPU per save (median, minimum, mean of `--requests`
after `--warm` unreported ones), the PostgreSQL backend's CPU per save (from
/proc), the queries and the load average; `--profile` adds a cProfile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> \\
        .venv/bin/python bench/save_profile.py [--build] [--requests 200] [--profile]

`--build` drops and recreates that database (give a name nothing else uses),
as bench/show_profile.py does; the two can share one.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.show_profile import (  # noqa: E402
    CSRF_SECRET,
    backend_cpu,
    environ,
    targets,
)


class Respondent:
    """One respondent's page: its form data, as the browser holds it."""

    def __init__(self, application: Any, path: str, session: str) -> None:
        import lxml.html

        self.application = application
        self.session = session
        status, body = self.call(environ(path, session))
        if not status.startswith("200"):
            raise SystemExit(f"form: {status}")
        form = next(
            f
            for f in lxml.html.fromstring(body).forms
            if f.get("id") == "svarsformular"
        )
        self.pairs: list[tuple[str, str]] = list(form.form_values())
        self.save_path = form.get("data-save-url", "")
        if not self.save_path:
            raise SystemExit("form: the page offers no data-save-url")

    def call(self, env: dict[str, Any]) -> tuple[str, bytes]:
        status: list[str] = []

        def start_response(s: str, headers: list[tuple[str, str]]) -> None:
            status.append(s)

        result = self.application(env, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()  # request_finished, as a WSGI server sends it
        return status[-1], body

    def post(self, encoded: bytes) -> dict[str, Any]:
        """The save of this form data, encoded as the browser sends it."""
        env = environ(self.save_path, self.session)
        env.update(
            {
                "REQUEST_METHOD": "POST",
                "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "CONTENT_LENGTH": str(len(encoded)),
                "HTTP_ACCEPT": "application/json",
                "HTTP_X_CSRFTOKEN": CSRF_SECRET,
                "HTTP_ORIGIN": "http://127.0.0.1:8000",
                "wsgi.input": io.BytesIO(encoded),
            }
        )
        status, body = self.call(env)
        answer = json.loads(body)
        if not status.startswith("200") or not answer.get("saved"):
            raise SystemExit(f"save: {status} {body[:300]!r}")
        return answer

    def apply(self, data: list[tuple[str, str]], body: dict[str, Any]) -> None:
        """As form.js's applySaved: the posted values, the new version and bases."""
        bases = {f"{v}__bas": base for v, base in body["bases"].items()}
        self.pairs = [
            (k, str(body["version"]) if k == "version" else bases.get(k, v))
            for k, v in data
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warm", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=60)
    parser.add_argument("--dump", help="write the profile to this file (pstats)")
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
    from bench.compare.plan import plan

    if args.build:
        call_command("migrate", verbosity=0)
        ours.build(args.users, 0, seed=1)
    application = get_wsgi_application()
    people = [Respondent(application, p, s) for p, s in targets(args.users)]
    spec = ours.question_spec()
    fields = ours.Fields()
    rng = random.Random(2)

    def save(i: int) -> None:
        person = people[i % len(people)]
        data = fields.replace(person.pairs, plan(spec, rng, f"s{i}"))
        person.apply(data, person.post(urlencode(data).encode()))

    counter = iter(range(10**9))
    for _ in range(args.warm):
        save(next(counter))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    queries: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        save(next(counter))
    if args.queries:
        for sql in queries:
            print(sql[:300])
    load_before = os.getloadavg()
    profile = cProfile.Profile(time.process_time) if args.profile else None
    times: list[float] = []
    db_before = backend_cpu(backend)
    for _ in range(args.requests):
        i = next(counter)
        person = people[i % len(people)]
        # The form data is built before the clock starts: it is the browser's work.
        data = fields.replace(person.pairs, plan(spec, rng, f"s{i}"))
        encoded = urlencode(data).encode()
        if profile:
            profile.enable()
        start = time.process_time()
        body = person.post(encoded)
        times.append(time.process_time() - start)
        if profile:
            profile.disable()
        person.apply(data, body)
    db_used = backend_cpu(backend) - db_before
    print(
        f"{args.requests} saves over {len(people)} users: CPU per save "
        f"median {statistics.median(times) * 1000:.2f} ms, "
        f"min {min(times) * 1000:.2f} ms, mean {statistics.mean(times) * 1000:.2f} ms; "
        f"PostgreSQL backend {db_used / args.requests * 1000:.2f} ms; "
        f"{len(queries)} queries"
    )
    print(f"load average before {load_before}, after {os.getloadavg()}")
    if profile:
        stats = pstats.Stats(profile)
        if args.dump:
            stats.dump_stats(args.dump)
        stats.sort_stats(args.sort).print_stats(args.lines)
        for name in args.callees:
            stats.print_callees(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
