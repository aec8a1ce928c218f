"""Side by side: this service and a generic survey app under the same load (issue #20).

    python bench/compare_bench.py --ours-db URL --generic-db URL [options]
    (or: make bench-compare; see bench/README.md)

Builds both applications on PostgreSQL, each in its own database (DROPPED AND
RECREATED: give throwaway names): ours with the 2024 region questionnaire, the
generic one (django-survey-and-report from PyPI, in .bench-venv/) with an
equivalent survey of as many questions of matching kinds. Both get the same
number of users, one organisation each, the filled ones with the same answers,
and a signed-in session each. Both run behind gunicorn with the same number of
sync workers and DEBUG off. One closed-loop load generator
(bench/compare/loadgen.py) drives both with 1 and 20 concurrent clients, each
client its own user, through five kinds of operation:

- show:      GET the filled form;
- save:      post the whole form with every answer changed ("Spara utkast")
             as the browser does: ours through the page's script to its JSON
             save (the page stays), the generic app's form post and the page it
             redirects to;
- save-nojs: the same without JavaScript: ours the form's post and the page it
             redirects to (the generic app: as save);
- first:     save for a user who has not answered yet (the page is loaded
             first, untimed);
- autosave:  post the whole form with three texts retyped to the autosave
             endpoint (the generic app has none: its form post, not following
             the redirect).

It prints operations per second, median and p95 latency per kind side by side
with the ratio, then checks in both databases that what each client sent last
is stored and (ours) that every save raised the response's version once. It
exits non-zero if any operation failed or any stored value differs; it asserts
nothing about timings.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.compare import generic, ours  # noqa: E402
from bench.compare.loadgen import Operation, PhaseResult, counted, run_phase  # noqa: E402
from bench.compare.report import print_table  # noqa: E402
from bench.compare.servers import gunicorn, recreate_database, used_between  # noqa: E402

KINDS = ("show", "save", "save-nojs", "autosave", "first")


def setup_django(database_url: str, broker: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    if broker:
        os.environ["CELERY_BROKER_URL"] = broker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def our_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.ours_db,
        DATABASE_CONN_MAX_AGE=str(args.conn_max_age),
        DEBUG="false",
        DJANGO_SETTINGS_MODULE="config.settings",
        # The pages' static files are not fetched (as a browser's cache would
        # have them); an empty folder spares whitenoise's warning.
        STATIC_ROOT=args.static_root,
    )
    if args.broker:
        env["CELERY_BROKER_URL"] = args.broker
    return env


def filled_operations(
    clients: list[Any], kind: str, total: int
) -> list[Callable[[], Operation | None]]:
    def next_of(client: Any, left: list[int]) -> Callable[[], Operation | None]:
        def next_operation() -> Operation | None:
            if left[0] <= 0:
                return None
            left[0] -= 1
            return getattr(client, kind.replace("-", "_"))  # type: ignore[no-any-return]

        return next_operation

    return [
        next_of(client, [n])
        for client, n in zip(clients, counted(total, len(clients)), strict=True)
    ]


def first_operations(
    pool: list[Any], done: list[Any], clients: int, total: int
) -> list[Callable[[], Operation | None]]:
    """Each operation takes a user who has not answered: load the page
    (untimed), then save the whole form as the browser does (`save`)."""

    def next_of(left: list[int]) -> Callable[[], Operation | None]:
        def next_operation() -> Operation | None:
            if left[0] <= 0 or not pool:
                return None
            left[0] -= 1
            client = pool.pop()
            done.append(client)

            def operation(timer: Any) -> None:
                client.open()
                client.save(timer)

            return operation

        return next_operation

    return [next_of([n]) for n in counted(total, clients)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ours-db", default=os.environ.get("BENCH_OURS_DB", ""))
    parser.add_argument("--generic-db", default=os.environ.get("BENCH_GENERIC_DB", ""))
    parser.add_argument("--broker", default=os.environ.get("CELERY_BROKER_URL", ""))
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20])
    parser.add_argument(
        "--requests", type=int, default=200, help="operations per kind and concurrency"
    )
    parser.add_argument(
        "--first", type=int, default=40, help="first saves per concurrency"
    )
    parser.add_argument(
        "--users", type=int, default=100, help="users with a filled response"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--no-gunicorn-config",
        action="store_true",
        help="start ours without config/gunicorn.py (its garbage collector untuned)",
    )
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--venv", type=Path, default=ROOT / ".bench-venv")
    parser.add_argument(
        "--kind", action="append", choices=KINDS, help="only these kinds"
    )
    args = parser.parse_args(argv)
    if not args.ours_db or not args.generic_db:
        parser.error("--ours-db and --generic-db (PostgreSQL URLs) are required")
    if max(args.clients) > args.users:
        parser.error("--users must be at least the largest --clients")
    kinds = args.kind or list(KINDS)
    blank = args.first * len(args.clients) if "first" in kinds else 0

    print(f"load before: {os.getloadavg()}", flush=True)
    recreate_database(args.ours_db)
    recreate_database(args.generic_db)
    setup_django(args.ours_db, args.broker)
    ours_setup = ours.build(args.users, blank, args.seed)
    print(
        f"ours: {len(ours_setup.spec)} questions, {len(ours_setup.users)} users",
        flush=True,
    )

    import django
    import gunicorn as gunicorn_package
    import psycopg

    python = generic.ensure_venv(
        args.venv,
        django=django.__version__,
        gunicorn=gunicorn_package.__version__,
        psycopg_=psycopg.__version__,
    )
    with tempfile.TemporaryDirectory(prefix="bench-generic-") as tmp:
        app = generic.GenericApp(
            python, generic.write_project(Path(tmp)), args.generic_db
        )
        generic.build(app, ours_setup.spec, args.users, blank, args.seed)
        print(
            f"generic: {len(app.question_ids)} questions, {len(app.sessions)} users",
            flush=True,
        )
        args.static_root = str(Path(tmp) / "static")
        Path(args.static_root).mkdir()
        results, problems = run(args, kinds, ours_setup, app)
    print_table(results)
    print(f"load after: {os.getloadavg()}")
    failures = [f for _, r in results for f in r.failures]
    for failure in failures[:20]:
        print(f"FAILED: {failure}")
    for problem in problems[:50]:
        print(f"MISMATCH: {problem}")
    print(
        f"Failed operations: {len(failures)}; stored values that differ: {len(problems)}"
    )
    return 1 if failures or problems else 0


def run(
    args: argparse.Namespace, kinds: list[str], ours_setup: Any, app: Any
) -> tuple[list[tuple[str, PhaseResult]], list[str]]:
    spec = ours_setup.spec
    fields = ours.Fields()
    filled = [u for u in ours_setup.users if not u.blank]
    blanks = [u for u in ours_setup.users if u.blank]
    results: list[tuple[str, PhaseResult]] = []
    with (
        gunicorn(
            # The web process's own settings, as docker-entrypoint.sh starts it.
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi:application",
                *(
                    ()
                    if args.no_gunicorn_config
                    else ("--config", "python:config.gunicorn")
                ),
            ],
            workers=args.workers,
            env=our_env(args),
            cwd=ROOT,
            ready_path="/logga-in/",
            database_url=args.ours_db,
        ) as ours_server,
        gunicorn(
            app.gunicorn(),
            workers=args.workers,
            env=app.env() | {"DATABASE_CONN_MAX_AGE": str(args.conn_max_age)},
            cwd=app.project,
            ready_path="/survey/",
            database_url=args.generic_db,
        ) as generic_server,
    ):
        ours_url, generic_url = ours_server.url, generic_server.url
        ours_clients = [
            ours.OurClient(ours_url, u, spec, fields, random.Random(u.index))
            for u in filled
        ]
        generic_clients = [
            generic.GenericClient(
                generic_url, app, u.index, spec, random.Random(u.index)
            )
            for u in filled
        ]
        ours_pool = [
            ours.OurClient(ours_url, u, spec, fields, random.Random(u.index))
            for u in blanks
        ]
        generic_pool = [
            generic.GenericClient(
                generic_url, app, u.index, spec, random.Random(u.index)
            )
            for u in blanks
        ]
        ours_first: list[Any] = []
        generic_first: list[Any] = []
        for n in args.clients:
            for clients in (ours_clients, generic_clients):
                # Warm-up, not reported: every worker has served the form.
                run_phase("warm-up", filled_operations(clients[:n], "show", 2 * n))
            for kind in kinds:
                for side, server, clients, pool, done in (
                    ("ours", ours_server, ours_clients, ours_pool, ours_first),
                    (
                        "generic",
                        generic_server,
                        generic_clients,
                        generic_pool,
                        generic_first,
                    ),
                ):
                    if kind == "first":
                        operations = first_operations(pool, done, n, args.first)
                    else:
                        operations = filled_operations(clients[:n], kind, args.requests)
                    app_before, db_before = server.cpu()
                    client_before = time.process_time()
                    result = run_phase(kind, operations)
                    result.client_cpu = time.process_time() - client_before
                    app_after, db_after = server.cpu()
                    result.app_cpu = used_between(app_before, app_after)
                    result.db_cpu = used_between(db_before, db_after)
                    results.append((side, result))
                    print(
                        f"  {side:8} {n:>2} clients {kind:9} {len(result.latencies):>4} ops "
                        f"{result.rate:7.1f}/s  median {result.median_ms:6.0f} ms  "
                        f"p95 {result.p95_ms:6.0f} ms  CPU {result.cpu_ms:5.1f} ms/op "
                        f"(server {result.app_cpu:.1f} s, database {result.db_cpu:.1f} s; "
                        f"load generator {result.client_cpu_ms:.1f} ms/op)"
                        f"  failed {len(result.failures)}",
                        flush=True,
                    )
    problems = ours.verify(ours_setup, ours_clients + ours_first)
    problems += generic.verify(app, generic_clients + generic_first)
    return results, problems


def _stop(signum: int, frame: Any) -> None:
    # SIGTERM (make interrupted, a CI timeout) unwinds like Ctrl-C, so the
    # gunicorn processes this script started are stopped on the way out.
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        print(exc.stderr or exc, file=sys.stderr)
        raise
