"""The side-by-side benchmark's instrument cannot rot (issue #20 point 1): its
load generator drives our real form and its script's endpoints, and its check finds a
save that was not stored as sent.

No gunicorn here: the clients' HTTP goes through a requests adapter into Django's
test client in this process (CSRF checks on), so the test runs on the test
database in its transaction. The generic app needs its own virtual environment
and PostgreSQL; `make bench-compare` runs it.
"""

from __future__ import annotations

import email.message
import random
from typing import Any

import pytest
import requests
from django.test import Client
from requests.adapters import BaseAdapter
from urllib3 import HTTPResponse

from bench.compare import ours
from bench.compare.loadgen import counted, percentile, run_phase
from bench.compare.plan import (
    QuestionSpec,
    generic_body,
    generic_post_values,
    plan,
)
from bench.compare.servers import used_between
from bench.compare_bench import filled_operations, first_operations
from intake.models import Answer, Response

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


class _Original:
    """What requests reads Set-Cookie from (`response.raw._original_response.msg`)."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.msg = email.message.Message()
        for name, value in headers:
            self.msg[name] = value


class DjangoAdapter(BaseAdapter):
    """Sends a requests call to Django's test client, as gunicorn would to the app."""

    def __init__(self) -> None:
        super().__init__()
        self.client = Client(enforce_csrf_checks=True)

    def send(self, request: Any, **kwargs: Any) -> requests.Response:
        path = request.url.removeprefix(BASE)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        self.client.cookies.clear()  # the session's cookies come in the header
        answer = self.client.generic(
            request.method,
            path,
            data=request.body or b"",
            content_type=request.headers.get("Content-Type", ""),
            headers=headers,
        )
        header_list = list(answer.items()) + [
            ("Set-Cookie", morsel.OutputString()) for morsel in answer.cookies.values()
        ]
        raw = HTTPResponse(
            body=answer.content,
            headers=header_list,
            status=answer.status_code,
            preload_content=False,
        )
        raw._original_response = _Original(header_list)  # type: ignore[attr-defined]
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = requests.structures.CaseInsensitiveDict(answer.items())
        response._content = answer.content
        response.raw = raw
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass


def client_for(user: ours.OurUser, setup: ours.OurSetup) -> ours.OurClient:
    client = ours.OurClient(
        BASE, user, setup.spec, ours.Fields(), random.Random(user.index)
    )
    client.http.mount(BASE, DjangoAdapter())
    return client


@pytest.fixture
def setup() -> ours.OurSetup:
    return ours.build(filled=2, blank=1, seed=3)


def test_it_builds_the_region_questionnaire_filled_and_blank(
    setup: ours.OurSetup,
) -> None:
    assert len(setup.spec) == 66
    assert [u.blank for u in setup.users] == [False, False, True]
    responses = Response.objects.filter(questionnaire_id=setup.questionnaire_id)
    assert responses.filter(organisation__code__startswith="xbench").count() == 2
    # Every question of a planned form is answered and kept (all shown).
    assert Answer.objects.filter(response__in=responses).values(
        "question_id"
    ).distinct().count() == len(setup.spec)


def test_it_drives_every_kind_and_finds_every_save_stored(
    setup: ours.OurSetup,
) -> None:
    filled = [client_for(u, setup) for u in setup.users if not u.blank]
    pool = [client_for(u, setup) for u in setup.users if u.blank]
    first: list[Any] = []
    for kind in ("show", "save", "save-nojs", "autosave"):
        result = run_phase(kind, filled_operations(filled[:1], kind, 3))
        assert result.failures == []
        assert len(result.latencies) == 3
    result = run_phase("first", first_operations(pool, first, 1, 1))
    assert result.failures == [] and len(result.latencies) == 1
    assert filled[0].writes == 9 and first[0].writes == 1
    # 66 questions of the last save, 3 texts retyped by each autosave after it.
    assert len(filled[0].sent) == 66

    assert ours.verify(setup, filled + first) == []


def test_the_check_finds_a_value_not_stored_as_sent(setup: ours.OurSetup) -> None:
    client = client_for(setup.users[0], setup)
    run_phase("save", filled_operations([client], "save", 2))
    text = next(q.variable for q in setup.spec if q.kind == "text")
    Answer.objects.filter(
        response__organisation_id=setup.users[0].organisation_id,
        question__variable=text,
    ).update(text="något annat")

    problems = ours.verify(setup, [client])

    assert len(problems) == 1 and text in problems[0]


def test_the_check_finds_a_lost_save(setup: ours.OurSetup) -> None:
    client = client_for(setup.users[0], setup)
    run_phase("save", filled_operations([client], "save", 1))
    client.writes += 1  # as if a second save had answered but stored nothing

    problems = ours.verify(setup, [client])

    assert len(problems) == 1 and "version" in problems[0]


def test_a_save_the_server_refuses_is_a_failure_not_a_figure(
    setup: ours.OurSetup,
) -> None:
    client = client_for(setup.users[0], setup)
    client.open()
    client.pairs = [(k, v) for k, v in client.pairs if k != "csrfmiddlewaretoken"]

    result = run_phase("save", filled_operations([client], "save", 1))

    assert result.latencies == []
    assert result.failures == ["OperationFailed: save: HTTP 403"]


def test_the_generic_app_gets_the_same_answers_in_its_own_terms() -> None:
    matrix = QuestionSpec("m", "matrix", ("ja", "nej"), ("a", "b"))
    multiple = QuestionSpec("x", "multiple_choice", ("p", "q", "r"))
    share = QuestionSpec("s", "percentage", parent=True)
    values = plan([matrix, multiple, share], random.Random(1), "t")

    assert sorted(generic_post_values(matrix, values["m"])) == [
        f"a-{values['m']['a']}",
        f"b-{values['m']['b']}",
    ]
    assert generic_body(multiple, values["x"]) == sorted(values["x"])
    # The condition parent is escaped (its follow-up shown); the generic app
    # has no escape box and stores no number.
    assert values["s"] == {"escaped": True}
    assert generic_body(share, values["s"]) is None


def test_percentiles_and_shares() -> None:
    assert percentile([0.1, 0.2, 0.3, 0.4], 50) == 0.2
    assert percentile(list(range(1, 101)), 95) == 95
    assert counted(7, 3) == [3, 2, 2]


def test_cpu_is_counted_per_process_and_never_negative() -> None:
    # Process 1 ran on, 2 ended (its connection closed), 3 started in between.
    before = {1: 10.0, 2: 50.0}
    after = {1: 12.5, 3: 0.5}
    assert used_between(before, after) == 3.0
