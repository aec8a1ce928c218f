"""CPU every signed-in request pays, whatever its view (issue #20 point 2).

A view that does nothing (`login_required`, returns a few bytes; for a POST,
reads the posted form first, as the save does) reached through the WSGI
application with `DEBUG` off, a persistent connection and the whole MIDDLEWARE
of config/settings.py: the session and its user read, CSRF, OTP, the session
clocks, CSP, no-store, axes. `--bare` runs the same view with no middleware
at all, as the floor; `--write-session` has the view change the session, so
its row is written after it, as the session clocks do once a minute. It prints what bench/save_profile.py does: this
process's CPU per request, the PostgreSQL backend's, the queries and
statements, the load average.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> \\
        .venv/bin/python bench/request_cost.py [--build] [--post] [--bare]
            [--write-session]

`--build` drops and recreates that database, as bench/save_profile.py does;
the three can share one.
"""

from __future__ import annotations

import io
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.one_process import (  # noqa: E402
    CSRF_SECRET,
    arguments,
    environ,
    measure,
    start,
    targets,
)

PATH = "/kostnad-per-anrop/"
FORM = b"a=1&b=2&c=3&version=7"


def nothing(request: Any) -> Any:
    from django.http import HttpResponse

    if request.method == "POST" and "version" not in request.POST:
        return HttpResponse(status=400)
    if request.GET.get("write"):
        # What the session clocks do once a minute: the row is written after
        # the view.
        request.session["bench"] = time.time()
    return HttpResponse(b"ok", content_type="text/plain")


def install(*, login: bool = True) -> None:
    """Puts the view at PATH, before the real URLs (a signed-out request is
    sent to the login page)."""
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.urls import clear_url_caches, include, path

    urls = types.ModuleType("bench_request_cost_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path(PATH.strip("/") + "/", login_required(nothing) if login else nothing),
        path("", include("config.urls")),
    ]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    clear_url_caches()


def caller(
    application: Any, sessions: list[str], *, post: bool, write: bool = False
) -> Callable[[int], None]:
    """`call(i)`: the i-th request (the sessions in turn); anything but the
    view's answer stops the measurement."""

    def start_response(s: str, headers: list[tuple[str, str]]) -> None:
        status.append(s)

    status: list[str] = []

    def call(i: int) -> None:
        env = environ(PATH, sessions[i % len(sessions)])
        if write:
            env["QUERY_STRING"] = "write=1"
        if post:
            env.update(
                {
                    "REQUEST_METHOD": "POST",
                    "CONTENT_TYPE": "application/x-www-form-urlencoded",
                    "CONTENT_LENGTH": str(len(FORM)),
                    "HTTP_X_CSRFTOKEN": CSRF_SECRET,
                    "HTTP_ORIGIN": "http://127.0.0.1:8000",
                    "wsgi.input": io.BytesIO(FORM),
                }
            )
        result = application(env, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()  # request_finished, as a WSGI server sends it
        if not status[-1].startswith("200") or body != b"ok":
            raise SystemExit(f"request: {status[-1]} {body[:200]!r}")

    return call


def main() -> int:
    parser = arguments(__doc__ or "", requests=2000, warm=200)
    parser.add_argument("--post", action="store_true", help="POST with CSRF")
    parser.add_argument("--bare", action="store_true", help="no middleware")
    parser.add_argument(
        "--write-session", action="store_true", help="the view changes the session"
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        help="leave out the middleware whose path holds this (to weigh it)",
    )
    args = parser.parse_args()
    application = start(parser, args)
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    # Without middleware there is no request.user to require.
    install(login=not args.bare)
    if args.bare or args.without:
        settings.MIDDLEWARE = [
            m
            for m in settings.MIDDLEWARE
            if not args.bare and not any(part in m for part in args.without)
        ]
        application = WSGIHandler()
    call = caller(
        application,
        [session for _, session in targets(args.users)],
        post=args.post,
        write=args.write_session,
    )

    def step(i: int) -> Callable[[], None]:
        return lambda: call(i)

    measure(
        args,
        step,
        kind="POST" if args.post else "GET",
        users=args.users,
        note=(", no middleware" if args.bare else "")
        + "".join(f", without {part}" for part in args.without)
        + (", the session written" if args.write_session else ""),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
