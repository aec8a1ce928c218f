"""Our side of the comparison: the 2024 region questionnaire, its data, sessions,
the client's operations through the real form and its script's endpoints, and
the check of what was stored.

Setup and verification run in the benchmark's own process with Django set up on
the benchmark's database; the clients only speak HTTP to gunicorn.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lxml.html
import requests

from bench.compare.loadgen import OperationFailed, Timer
from bench.compare.plan import QuestionSpec, plan, retyped

QUESTIONNAIRE = (2024, "region")
CODE_PREFIX = "xbench"  # synthetic regions; real codes are 01-25


def _read_variables(condition: Any) -> set[str]:
    """Every question a display condition reads (nested all/any included)."""
    found: set[str] = set()
    if isinstance(condition, dict):
        if isinstance(condition.get("question"), str):
            found.add(condition["question"])
        for value in condition.values():
            found |= _read_variables(value)
    elif isinstance(condition, list):
        for item in condition:
            found |= _read_variables(item)
    return found


@dataclass
class OurUser:
    index: int
    organisation_id: int
    session: str
    edit_path: str
    autosave_path: str
    blank: bool


@dataclass
class OurSetup:
    questionnaire_id: int
    spec: list[QuestionSpec]
    users: list[OurUser]
    start_versions: dict[int, int]  # organisation id -> version after setup


def questionnaire() -> Any:
    from surveys.models import Questionnaire

    year, key = QUESTIONNAIRE
    return Questionnaire.objects.select_related("cycle").get(cycle__year=year, key=key)


def question_spec() -> list[QuestionSpec]:
    from intake.selectors import questions_of

    questions = questions_of(questionnaire())
    parents: set[str] = set()
    for q in questions:
        parents |= _read_variables(q.condition)
    return [
        QuestionSpec(
            variable=q.variable,
            kind=q.kind,
            options=tuple(o.code for o in q.options.all()),
            rows=tuple(r.code for r in q.rows.all()),
            parent=q.variable in parents,
        )
        for q in questions
    ]


def check_plan_shows_all(spec: list[QuestionSpec]) -> None:
    """A planned form must show every question, or the service would (rightly)
    clear the hidden ones and the check of what was stored would fail."""
    from intake.selectors import questions_of, shown_questions
    from intake.services.values import cells_for

    questions = questions_of(questionnaire())
    values = plan(spec, random.Random(0), "check")
    cells = {q.pk: cells_for(q, values[q.variable]) for q in questions}
    hidden = [
        q.variable for q in questions if q.pk not in shown_questions(questions, cells)
    ]
    if hidden:
        raise SystemExit(
            f"The planned answers hide {hidden}: fix bench/compare/plan.py"
        )


def build(filled: int, blank: int, seed: int) -> OurSetup:
    """`filled` regions with a complete draft, `blank` regions not started, one
    respondent each, signed in beforehand (respondents have no second factor)."""
    from django.core.management import call_command
    from django.db.models import F
    from django.test import Client
    from django.urls import reverse

    from intake.models import Channel, Response
    from intake.services import get_or_create_response, save_answers
    from surveys.models import Organisation, OrganisationRole, User

    for command in ("load_reference_data", "load_questionnaires"):
        call_command(command, verbosity=0)
    q = questionnaire()
    spec = question_spec()
    check_plan_shows_all(spec)
    rng = random.Random(seed)
    total = filled + blank
    organisations = Organisation.objects.bulk_create(
        Organisation(
            kind="region",
            code=f"{CODE_PREFIX}{i:04d}",
            name=f"Region Bench {i}",
            short_name=f"Bench {i}",
            sort_order=1000 + i,
        )
        for i in range(total)
    )
    Organisation.objects.filter(code__startswith=CODE_PREFIX).update(region_id=F("pk"))
    users = []
    for i, organisation in enumerate(organisations):
        user = User.objects.create_user(f"bench{i}@region-bench.example")
        OrganisationRole.objects.create(user=user, organisation=organisation)
        users.append(user)
    for i in range(filled):
        response = get_or_create_response(
            q, organisation=organisations[i], channel=Channel.WEB
        )
        save_answers(
            response,
            actor=users[i],
            channel=Channel.WEB,
            values=plan(spec, rng, f"start-{i}"),
        )
    our_users = []
    for i, (organisation, user) in enumerate(zip(organisations, users, strict=True)):
        client = Client()
        client.force_login(user)
        args = [q.pk, organisation.pk]
        our_users.append(
            OurUser(
                index=i,
                organisation_id=organisation.pk,
                session=client.cookies["sessionid"].value,
                edit_path=reverse("intake:response-edit", args=args),
                autosave_path=reverse("intake:response-autosave", args=args),
                blank=i >= filled,
            )
        )
    versions = dict(
        Response.objects.filter(questionnaire=q).values_list(
            "organisation_id", "version"
        )
    )
    return OurSetup(q.pk, spec, our_users, versions)


def _post_pairs(question_fields: dict[str, Any]) -> list[tuple[str, str]]:
    """A browser's form data for one question's fields (intake.forms.field_values)."""
    pairs: list[tuple[str, str]] = []
    for name, value in question_fields.items():
        if isinstance(value, list):
            pairs.extend((name, str(v)) for v in value)
        elif value is True:
            pairs.append((name, "on"))
        elif value not in (False, "", None):
            pairs.append((name, str(value)))
    return pairs


class Fields:
    """Our form's field names per question (built once, read by every client)."""

    def __init__(self) -> None:
        from intake.selectors import questions_of

        self.questions = {q.variable: q for q in questions_of(questionnaire())}

    def replace(
        self, pairs: list[tuple[str, str]], values: dict[str, Any]
    ) -> list[tuple[str, str]]:
        """The page's form data with these questions answered instead."""
        from intake.forms import field_values, value_fields
        from intake.services.values import cells_for

        replaced: set[str] = set()
        added: list[tuple[str, str]] = []
        for variable, raw in values.items():
            question = self.questions[variable]
            replaced.update(value_fields(question))
            added += _post_pairs(field_values(question, cells_for(question, raw)))
        return [(k, v) for k, v in pairs if k not in replaced] + added


@dataclass
class OurClient:
    """One signed-in respondent in a browser: the page it last loaded is its state."""

    base_url: str
    user: OurUser
    spec: list[QuestionSpec]
    fields: Fields
    rng: random.Random
    http: requests.Session = field(default_factory=requests.Session)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    sent: dict[str, Any] = field(default_factory=dict)  # last value sent per variable
    writes: int = 0
    counter: int = 0
    save_path: str = ""

    def __post_init__(self) -> None:
        self.http.cookies.set("sessionid", self.user.session)

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _load(self, response: requests.Response) -> None:
        if response.status_code != 200:
            raise OperationFailed(f"form: HTTP {response.status_code}")
        page = lxml.html.fromstring(response.content)
        forms = [f for f in page.forms if f.get("id") == "svarsformular"]
        if not forms:
            raise OperationFailed("form: no #svarsformular on the page")
        self.pairs = list(forms[0].form_values())
        # Where the script sends "Spara utkast" (only a page that offers it).
        self.save_path = forms[0].get("data-save-url", "")

    def _tag(self) -> str:
        self.counter += 1
        return f"u{self.user.index}-{self.counter}"

    def show(self, timer: Timer) -> None:
        response = timer(lambda: self.http.get(self._url(self.user.edit_path)))
        assert isinstance(response, requests.Response)
        if response.status_code != 200 or b'id="svarsformular"' not in response.content:
            raise OperationFailed(f"show: HTTP {response.status_code}")

    def open(self) -> None:
        """Load the form as the browser does before the user types (untimed)."""
        self._load(self.http.get(self._url(self.user.edit_path)))

    def save(self, timer: Timer) -> None:
        """ "Spara utkast" as the page's script sends it (issue #20): the whole
        form with every question answered anew, posted to the page's
        data-save-url and answered in JSON; the new version and bases go into
        the form, and the page stays (no page is fetched)."""
        if not self.pairs:
            self.open()
        if not self.save_path:
            raise OperationFailed("save: the page offers no data-save-url")
        self._post_json(timer, "save", self.save_path, plan)

    def save_nojs(self, timer: Timer) -> None:
        """ "Spara utkast" without JavaScript: the form's POST with every
        question answered anew, then the page it redirects to (the form again,
        with the new version and bases)."""
        if not self.pairs:
            self.open()
        values = plan(self.spec, self.rng, self._tag())
        data = self.fields.replace(self.pairs, values) + [("action", "save")]
        url = self._url(self.user.edit_path)
        posted = timer(lambda: self.http.post(url, data=data, allow_redirects=False))
        assert isinstance(posted, requests.Response)
        if posted.status_code != 302:
            raise OperationFailed(f"save-nojs: HTTP {posted.status_code}")
        self.sent.update(values)
        self.writes += 1
        page = timer(lambda: self.http.get(self._url(posted.headers["Location"])))
        assert isinstance(page, requests.Response)
        self._load(page)

    def autosave(self, timer: Timer) -> None:
        """The page's script: the whole form's data with three texts retyped,
        answered in JSON; the new version and bases go into the form."""
        if not self.pairs:
            self.open()
        self._post_json(timer, "autosave", self.user.autosave_path, retyped)

    def _post_json(
        self, timer: Timer, kind: str, path: str, values_of: Callable[..., Any]
    ) -> None:
        """The form's data with `values_of`'s new values, posted as the page's
        script posts it (JSON pairs, the page's token in the X-CSRFToken
        header: surveys.http.form_json); a clean save's version and bases go
        into the form."""
        from surveys.http import form_json

        values = values_of(self.spec, self.rng, self._tag())
        data = self.fields.replace(self.pairs, values)
        url = self._url(path)
        encoded = form_json(data)
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "X-CSRFToken": dict(data).get("csrfmiddlewaretoken", ""),
        }
        posted = timer(lambda: self.http.post(url, data=encoded, headers=headers))
        assert isinstance(posted, requests.Response)
        body = posted.json() if posted.status_code in (200, 400, 409) else {}
        if posted.status_code != 200 or not body.get("saved"):
            detail = f" {body}" if body else ""
            raise OperationFailed(f"{kind}: HTTP {posted.status_code}{detail}")
        self.sent.update(values)
        self.writes += 1
        self._apply(data, body)

    def _apply(self, data: list[tuple[str, str]], body: dict[str, Any]) -> None:
        """As form.js's applySaved: the posted values, the new version and bases."""
        bases = {f"{variable}__bas": base for variable, base in body["bases"].items()}
        updated = dict(data)
        updated["version"] = str(body["version"])
        updated.update(bases)
        self.pairs = [
            (k, updated[k] if k == "version" or k in bases else v) for k, v in data
        ]


def verify(setup: OurSetup, clients: list[OurClient]) -> list[str]:
    """Every value each client sent last is what is stored, and every save it
    made raised the response's version once (none lost, none doubled)."""
    from intake.models import Response
    from intake.selectors import answer_cells, questions_of
    from intake.services.values import cells_for

    questions = {q.variable: q for q in questions_of(questionnaire())}
    problems: list[str] = []
    for client in clients:
        if not client.writes:
            continue
        organisation_id = client.user.organisation_id
        response = Response.objects.get(
            questionnaire_id=setup.questionnaire_id, organisation_id=organisation_id
        )
        start = setup.start_versions.get(organisation_id, 0)
        if response.version != start + client.writes:
            problems.append(
                f"ours user {client.user.index}: version {response.version}, "
                f"expected {start} + {client.writes} saves"
            )
        stored = answer_cells(response)
        for variable, raw in client.sent.items():
            question = questions[variable]
            expected = cells_for(question, raw)
            if stored.get(question.pk, {}) != expected:
                problems.append(
                    f"ours user {client.user.index} {variable}: stored "
                    f"{stored.get(question.pk)!r}, sent {expected!r}"
                )
    return problems
