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

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.one_process import arguments, environ, measure, start, targets  # noqa: E402


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
    parser = arguments(__doc__ or "", requests=300, warm=40)
    args = parser.parse_args()
    application = start(parser, args)
    users = targets(args.users)
    show = shower(application, users)
    size = show(0)

    def step(i: int) -> Callable[[], None]:
        def request() -> None:
            show(i)

        return request

    measure(
        args,
        step,
        kind="show",
        users=len(users),
        note=f", {size} bytes",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
