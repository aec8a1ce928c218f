"""The generic side: django-survey-and-report (PyPI, module `survey`) in a virtual
environment of its own, a minimal Django project for it written into a temporary
directory, the equivalent survey and users, its client, and the check of what it
stored.

No code of the package is copied here: the project below only configures it
(settings, urls, wsgi) the way its README asks, and the setup script uses its
models.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import requests

from bench.compare.loadgen import OperationFailed, Timer
from bench.compare.plan import (
    QuestionSpec,
    generic_body,
    generic_post_values,
    plan,
    retyped,
)

PACKAGE = "django-survey-and-report==1.5.0"


def ensure_venv(venv: Path, *, django: str, gunicorn: str, psycopg_: str) -> Path:
    """The generic app's interpreter; its Django, gunicorn and psycopg are the
    versions ours runs, so only the application differs."""
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    wanted = (
        f"{PACKAGE} django=={django} gunicorn=={gunicorn} psycopg[binary]=={psycopg_}"
    )
    if stamp.exists() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", *wanted.split()], check=True
    )
    stamp.write_text(wanted)
    return python


SETTINGS = """\
import os

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "survey",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "benchproject.urls"
WSGI_APPLICATION = "benchproject.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["GENERIC_DB_NAME"],
        "USER": os.environ["GENERIC_DB_USER"],
        "PASSWORD": os.environ.get("GENERIC_DB_PASSWORD", ""),
        "HOST": os.environ["GENERIC_DB_HOST"],
        "PORT": os.environ["GENERIC_DB_PORT"],
        # As ours is deployed (.env.example): persistent, health-checked.
        "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
TIME_ZONE = "Europe/Stockholm"
STATIC_URL = "/static/"
LOGIN_URL = "/login/"
CHOICES_SEPARATOR = ","
"""

URLS = """\
from django.urls import include, path

urlpatterns = [path("survey/", include("survey.urls"))]
"""

WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproject.settings")
application = get_wsgi_application()
"""

# Run with the generic venv's python: migrate, the survey, users, answers of the
# filled ones and a signed-in session each; prints what the clients need (JSON).
SETUP = """\
import json, sys, uuid
from datetime import date

import django

django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from survey.models import Answer, Question, Response, Survey

job = json.load(open(sys.argv[1]))
call_command("migrate", verbosity=0)
survey = Survey.objects.create(
    name="Uppföljning region 2024 (bench)",
    description="The region questionnaire's questions",
    need_logged_user=True,
    editable_answers=True,
    display_method=Survey.ALL_IN_ONE_PAGE,
    # Both dates fixed: the package's default publication date is today in
    # TIME_ZONE, which it compares with the server's local date, so between
    # midnight in Stockholm and midnight UTC the survey was "not yet published".
    publish_date=date(2000, 1, 1),
    expire_date=date(2099, 12, 31),
)
ids = {}
for order, q in enumerate(job["questions"]):
    question = Question.objects.create(
        survey=survey,
        text=q["variable"],
        order=order,
        required=False,
        type=q["type"],
        choices=",".join(q["choices"]) or None,
    )
    ids[q["variable"]] = question.pk
sessions = []
for i, answers in enumerate(job["users"]):
    user = User.objects.create_user(f"bench{i}")
    if answers is not None:
        response = Response.objects.create(
            survey=survey, user=user, interview_uuid=uuid.uuid4().hex
        )
        for variable, body in answers.items():
            Answer.objects.create(
                question_id=ids[variable], response=response, body=body
            )
    client = Client()
    client.force_login(user)
    sessions.append(client.cookies["sessionid"].value)
print(json.dumps({"survey": survey.pk, "questions": ids, "sessions": sessions}))
"""


@dataclass
class GenericApp:
    python: Path
    project: Path
    database_url: str
    survey_id: int = 0
    question_ids: dict[str, int] = field(default_factory=dict)
    sessions: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        parts = urlsplit(self.database_url)
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="benchproject.settings",
            PYTHONPATH=str(self.project),
            GENERIC_DB_NAME=parts.path.lstrip("/"),
            GENERIC_DB_USER=parts.username or "postgres",
            GENERIC_DB_PASSWORD=parts.password or "",
            GENERIC_DB_HOST=parts.hostname or "127.0.0.1",
            GENERIC_DB_PORT=str(parts.port or 5432),
        )
        return env

    def gunicorn(self) -> list[str]:
        return [str(self.python.parent / "gunicorn"), "benchproject.wsgi:application"]


def write_project(directory: Path) -> Path:
    package = directory / "benchproject"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(SETTINGS)
    (package / "urls.py").write_text(URLS)
    (package / "wsgi.py").write_text(WSGI)
    (directory / "bench_setup.py").write_text(SETUP)
    return directory


def build(
    app: GenericApp, spec: list[QuestionSpec], filled: int, blank: int, seed: int
) -> None:
    """The same questions, and the same answers for the filled users as ours got
    (the same plan with the same seed)."""
    from bench.compare.plan import generic_choices, generic_kind

    rng = random.Random(seed)
    users: list[Any] = []
    for i in range(filled):
        values = plan(spec, rng, f"start-{i}")
        users.append({q.variable: _stored_text(q, values[q.variable]) for q in spec})
    users += [None] * blank
    job = {
        "questions": [
            {
                "variable": q.variable,
                "type": generic_kind(q),
                "choices": generic_choices(q),
            }
            for q in spec
        ],
        "users": users,
    }
    job_file = app.project / "job.json"
    job_file.write_text(json.dumps(job))
    out = subprocess.run(
        [str(app.python), str(app.project / "bench_setup.py"), str(job_file)],
        env=app.env(),
        cwd=app.project,
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    app.survey_id = result["survey"]
    app.question_ids = result["questions"]
    app.sessions = result["sessions"]


def _stored_text(question: QuestionSpec, value: Any) -> str | None:
    """A body as the app's own form save leaves it (str of the cleaned value)."""
    body = generic_body(question, value)
    return str(body) if isinstance(body, list) else body


@dataclass
class GenericClient:
    base_url: str
    app: GenericApp
    index: int
    spec: list[QuestionSpec]
    rng: random.Random
    http: requests.Session = field(default_factory=requests.Session)
    values: dict[str, Any] = field(default_factory=dict)  # what the form holds
    sent: dict[str, Any] = field(default_factory=dict)
    writes: int = 0
    counter: int = 0

    def __post_init__(self) -> None:
        self.http.cookies.set("sessionid", self.app.sessions[self.index])

    @property
    def url(self) -> str:
        return f"{self.base_url}/survey/{self.app.survey_id}/"

    def _tag(self) -> str:
        self.counter += 1
        return f"g{self.index}-{self.counter}"

    def _data(self) -> list[tuple[str, str]]:
        token = self.http.cookies.get("csrftoken")
        pairs = [("csrfmiddlewaretoken", token or "")]
        for q in self.spec:
            name = f"question_{self.app.question_ids[q.variable]}"
            pairs += [
                (name, v) for v in generic_post_values(q, self.values[q.variable])
            ]
        return pairs

    def open(self) -> None:
        """The page as the browser loads it before the user types (untimed): it
        sets the CSRF cookie the form posts back."""
        response = self.http.get(self.url)
        if response.status_code != 200:
            raise OperationFailed(f"generic form: HTTP {response.status_code}")

    def show(self, timer: Timer) -> None:
        response = timer(lambda: self.http.get(self.url))
        assert isinstance(response, requests.Response)
        if response.status_code != 200 or b"question_" not in response.content:
            raise OperationFailed(f"generic show: HTTP {response.status_code}")

    def _post(self, timer: Timer, follow: bool) -> None:
        if "csrftoken" not in self.http.cookies:
            self.open()
        data = self._data()
        posted = timer(
            lambda: self.http.post(self.url, data=data, allow_redirects=False)
        )
        assert isinstance(posted, requests.Response)
        if posted.status_code != 302 or "/confirm/" not in posted.headers.get(
            "Location", ""
        ):
            raise OperationFailed(f"generic save: HTTP {posted.status_code}")
        self.writes += 1
        self.sent.update(self.values)
        if follow:
            location = posted.headers["Location"]
            if location.startswith("/"):
                location = self.base_url + location
            page = timer(lambda: self.http.get(location))
            assert isinstance(page, requests.Response)
            if page.status_code != 200:
                raise OperationFailed(f"generic confirm: HTTP {page.status_code}")

    def save(self, timer: Timer) -> None:
        self.values = plan(self.spec, self.rng, self._tag())
        self._post(timer, follow=True)

    def save_nojs(self, timer: Timer) -> None:
        """The generic app's form has no script: its save is the same."""
        self.save(timer)

    def autosave(self, timer: Timer) -> None:
        """No autosave in the generic app: the nearest is posting the whole form
        with three texts retyped, without loading the page it redirects to."""
        if not self.values:
            raise OperationFailed("generic autosave before any save")
        self.values = {**self.values, **retyped(self.spec, self.rng, self._tag())}
        self._post(timer, follow=False)


def verify(app: GenericApp, clients: list[GenericClient]) -> list[str]:
    """What each user's answers hold is what its client sent last."""
    problems: list[str] = []
    by_id = {qid: variable for variable, qid in app.question_ids.items()}
    spec = {q.variable: q for q in clients[0].spec} if clients else {}
    with psycopg.connect(app.database_url) as connection:
        rows = connection.execute(
            "SELECT u.username, a.question_id, a.body, r.id FROM survey_answer a"
            " JOIN survey_response r ON r.id = a.response_id"
            " JOIN auth_user u ON u.id = r.user_id WHERE r.survey_id = %s",
            [app.survey_id],
        ).fetchall()
    stored: dict[str, dict[str, Any]] = {}
    responses: dict[str, set[int]] = {}
    for username, question_id, body, response_id in rows:
        stored.setdefault(username, {})[by_id[question_id]] = body
        responses.setdefault(username, set()).add(response_id)
    for client in clients:
        if not client.writes:
            continue
        username = f"bench{client.index}"
        if len(responses.get(username, ())) != 1:
            problems.append(
                f"generic user {client.index}: {responses.get(username)} responses"
            )
        for variable, value in client.sent.items():
            expected = generic_body(spec[variable], value)
            body = stored.get(username, {}).get(variable)
            if isinstance(expected, list):
                body = sorted(_parse_list(body))
            if body != expected:
                problems.append(
                    f"generic user {client.index} {variable}: stored {body!r}, sent {expected!r}"
                )
    return problems


def _parse_list(body: str | None) -> list[str]:
    """A select-multiple body is str() of a list of slugs: "['a', 'b']"."""
    import ast

    return list(ast.literal_eval(body)) if body else []
