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

import io
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.one_process import (  # noqa: E402
    arguments,
    environ,
    measure,
    start,
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

    def token(self) -> str:
        """The page's CSRF token (its hidden field), which form.js sends."""
        return dict(self.pairs).get("csrfmiddlewaretoken", "")

    def post(self, encoded: bytes, token: str) -> dict[str, Any]:
        """The save of this form data, encoded as form.js sends it
        (surveys.http.form_json), with the page's token in its header."""
        env = environ(self.save_path, self.session)
        env.update(
            {
                "REQUEST_METHOD": "POST",
                "CONTENT_TYPE": "application/json",
                "CONTENT_LENGTH": str(len(encoded)),
                "HTTP_ACCEPT": "application/json",
                "HTTP_X_CSRFTOKEN": token,
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
    parser = arguments(__doc__ or "", requests=200, warm=30)
    args = parser.parse_args()
    application = start(parser, args)
    from bench.compare import ours
    from bench.compare.plan import plan
    from surveys.http import form_json

    people = [Respondent(application, p, s) for p, s in targets(args.users)]
    spec = ours.question_spec()
    fields = ours.Fields()
    rng = random.Random(2)

    def step(i: int) -> Callable[[], Callable[[], None]]:
        person = people[i % len(people)]
        # The form data is built before the clock starts: it is the browser's work.
        data = fields.replace(person.pairs, plan(spec, rng, f"s{i}"))
        encoded, token = form_json(data), person.token()

        def request() -> Callable[[], None]:
            answer = person.post(encoded, token)
            return lambda: person.apply(data, answer)

        return request

    measure(args, step, kind="save", users=len(people))
    return 0


if __name__ == "__main__":
    sys.exit(main())
