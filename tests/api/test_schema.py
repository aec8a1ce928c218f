"""The API against its own OpenAPI schema (issue #18 point 2): Schemathesis
generates requests from /api/schema/ for every operation, sends them with a
region contact's write token through the WSGI application, and checks that
none is a server error and every answer matches the schema (status code,
content type, body). A bounded number of examples per operation keeps it fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.services import create_api_token
from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from surveys.models import Questionnaire, Region, User

# Per operation; about 15 operations, so a few hundred requests in all.
MAX_EXAMPLES = 15


@pytest.fixture
def wsgi_app(db: None) -> Iterator[WSGIHandler]:
    """The real WSGI application inside the test's transaction: like Django's
    test client, it must not close the connection between requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(region_user: User, region: Region) -> str:
    # Something to read and write: the region's draft of the 2024 questionnaire.
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    response = get_or_create_response(questionnaire, organisation=region)
    variable = questionnaire.questions.get(number="2").variable
    save_answers(
        response, actor=region_user, channel=Channel.WEB, values={variable: "ja"}
    )
    OWN.update(questionnaire_id=questionnaire.pk, organisation_id=region.pk)
    return create_api_token(
        actor=region_user, name="schemathesis", scope="write", days=1
    ).secret


# The schema as drf-spectacular generates it (no database needed), loaded when
# the module is collected so that Schemathesis makes one test per operation;
# the requests go to the WSGI application, inside each test's transaction.
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True)
)
schema.app = WSGIHandler()
# The region's own ids, set by the `token` fixture before any request.
OWN: dict[str, int] = {}


@schema.hook
def map_path_parameters(
    context: Any, path_parameters: dict[str, Any]
) -> dict[str, Any]:
    """Half the cases on the region's own response and questionnaire, the rest as
    generated (mostly ids that do not exist, or are not the caller's)."""
    if path_parameters and hash(tuple(sorted(path_parameters.items()))) % 2:
        for name in ("questionnaire_id", "organisation_id"):
            if name in path_parameters:
                path_parameters[name] = OWN[name]
    return path_parameters


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_keeps_to_its_schema(
    case: Any, wsgi_app: WSGIHandler, token: str, settings: Any
) -> None:
    # The throttles would answer 429 to a fast generator; they are tested apart.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": [],
    }
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CHECKS)


def test_the_schema_and_its_page_are_public_and_served_without_a_cdn(
    client: Client, db: None
) -> None:
    schema_answer = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert schema_answer.status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html
    assert "<script>" not in html, "no inline script: the CSP forbids it"
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
