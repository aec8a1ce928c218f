"""A load run of the respondent form against a running server (issue #20): the
figures of bench/RESULTS.md, "Form show/save".

Each client signs in as its own region's contact and, for `--seconds`, either
shows the filled region form (`get`), saves it as the browser does ("Spara
utkast": the whole form posted with its CSRF token, version and per-question
bases, one text changed, then the redirected page, whose version and bases the
next save posts; `save`), or autosaves it (`autosave`, the page's script's
request). It prints requests per second, the median and 95th percentile, and,
with `--pidfile` (gunicorn's), the CPU the server's workers used per request.

Against a throwaway database only: it needs a region contact per region
(`bench<N>@region.example`, password `bench-password-1234`, for the region with
id N + 1) and the 2024 region responses in progress. On a database set up with
`make setup-demo`:

    .venv/bin/python manage.py shell -c "
    from surveys.models import User, OrganisationRole, Region
    from intake.models import Response
    for i, region in enumerate(Region.objects.order_by('pk')):
        email = f'bench{i}@region.example'
        user = (User.objects.filter(email=email).first()
                or User.objects.create_user(email, 'bench-password-1234'))
        OrganisationRole.objects.get_or_create(user=user, organisation=region)
    Response.objects.filter(questionnaire__key='region').update(status='in_progress')
    "

Then, e.g. with gunicorn (2 workers, DEBUG off) on port 8714:

    .venv/bin/python bench/form_load.py --base http://127.0.0.1:8714 \\
        --questionnaire 4 --mode save --clients 20 --seconds 10 --pidfile gunicorn.pid
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveys.http import form_json  # noqa: E402 - the page script's encoding

PASSWORD = "bench-password-1234"  # noqa: S105 - throwaway bench accounts
TEXT_FIELD = "r01_omstallning"  # the first text question, always shown
VERSION = re.compile(r'name="version" value="(\d+)"')
BASE = re.compile(r'name="(\w+__bas)" value="(\w*)"')


class FormFields(HTMLParser):
    """What the browser would post from the answer form: name and value pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[list[str]] = []
        self._in_form = False
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id") == "svarsformular":
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name") or ""
        if tag == "input" and name:
            kind = a.get("type") or "text"
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.pairs.append([name, a.get("value") or "on"])
            elif kind != "submit":
                self.pairs.append([name, a.get("value") or ""])
        elif tag == "textarea":
            self._textarea = [name, ""]
            self.pairs.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1] += data


class Client:
    def __init__(self, base: str, questionnaire: int, organisation: int) -> None:
        self.base, self.organisation = base, organisation
        self.url = f"{base}/svar/{questionnaire}/{organisation}/"
        self.session = requests.Session()
        self.session.get(f"{base}/logga-in/")
        self.session.post(
            f"{base}/logga-in/",
            data={
                "username": f"bench{organisation - 1}@region.example",
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            },
            allow_redirects=False,
        )
        page = self.session.get(self.url)
        if page.status_code != 200:
            raise SystemExit(f"{self.url}: {page.status_code}")
        fields = FormFields()
        fields.feed(page.text)
        self.pairs = fields.pairs
        self.n = 0

    def _data(self) -> list[tuple[str, str]]:
        self.n += 1
        data = [
            (name, f"Ändrad {self.n}" if name == TEXT_FIELD else value)
            for name, value in self.pairs
        ]
        return [*data, ("action", "save")]

    def _update(self, version: str, bases: dict[str, str]) -> None:
        for pair in self.pairs:
            if pair[0] == "version":
                pair[1] = version
            elif pair[0] in bases:
                pair[1] = bases[pair[0]]

    def get(self) -> float:
        start = time.perf_counter()
        response = self.session.get(self.url)
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - start

    def save(self) -> float:
        """The POST's time; the redirected page is fetched as the browser does."""
        start = time.perf_counter()
        posted = self.session.post(self.url, data=self._data(), allow_redirects=False)
        took = time.perf_counter() - start
        assert posted.status_code == 302, posted.status_code
        page = self.session.get(self.base + posted.headers["Location"])
        assert page.status_code == 200, page.status_code
        match = VERSION.search(page.text)
        assert match is not None
        self._update(match.group(1), dict(BASE.findall(page.text)))
        return took

    def autosave(self) -> float:
        # As the page's script posts it: without the button, which FormData
        # leaves out, and with the token in the header.
        body = form_json((n, v) for n, v in self._data() if n != "action")
        start = time.perf_counter()
        response = self.session.post(
            self.url + "autospara/",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": self.session.cookies["csrftoken"],
            },
        )
        took = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        body = response.json()
        bases = {f"{v}__bas": fp for v, fp in body["bases"].items()}
        self._update(str(body["version"]), bases)
        return took


def worker_cpu(pidfile: Path | None) -> float:
    """CPU seconds the server's worker processes have used (Linux /proc)."""
    if pidfile is None:
        return 0.0
    master = pidfile.read_text().strip()
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = 0
    for child in children:
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--questionnaire", type=int, required=True)
    parser.add_argument("--mode", choices=["get", "save", "autosave"], default="get")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pidfile", type=Path)
    args = parser.parse_args()
    # The regions with a demo response (Sörmland, id 3, is the demo's own).
    organisations = [o for o in range(1, 22) if o != 3][: args.clients]
    clients = [Client(args.base, args.questionnaire, o) for o in organisations]
    for client in clients:  # warm both workers and every client
        for _ in range(2):
            getattr(client, args.mode)()
    times: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + args.seconds

    def run(client: Client) -> None:
        try:
            while time.perf_counter() < stop:
                times.append(getattr(client, args.mode)())
        except Exception as exc:  # reported below, with the figures
            errors.append(repr(exc))

    start, cpu = time.perf_counter(), worker_cpu(args.pidfile)
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - start, worker_cpu(args.pidfile) - cpu
    requests_served = len(times) * (2 if args.mode == "save" else 1)
    print(
        f"{args.mode:8} clients={args.clients:2} n={len(times):5} "
        f"rate={len(times) / wall:6.1f}/s p50={percentile(times, 50) * 1000:6.1f} ms "
        f"p95={percentile(times, 95) * 1000:6.1f} ms"
        + (
            f" worker CPU {cpu / requests_served * 1000:.1f} ms/request"
            if args.pidfile
            else ""
        )
        + (f" errors: {len(errors)} {errors[:1]}" if errors else "")
    )


if __name__ == "__main__":
    main()
