"""Every role against every response page (issue #3, point 2), for a region's and
a kommun's response: 302 to the login page for visitors (401 JSON from the
script endpoints, which the page's script reads: issue #13), 404 outside one's scope,
403 where one may read but not write, and the page itself otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Response
from intake.services import get_or_create_response
from surveys.models import Organisation, Questionnaire

pytestmark = pytest.mark.django_db

# (page, method, data)
PAGES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "form": ("intake:response-edit", "get", {}),
    "save": ("intake:response-edit", "post", {"version": 0, "action": "save"}),
    "follow-ups": ("intake:response-visibility", "post", {}),
    "autosave": ("intake:response-autosave", "post", {"version": 0}),
    "receipt": ("intake:response-receipt", "get", {}),
    "reopen": ("intake:response-reopen", "post", {"reason": "Kontroll"}),
}
ANSWERING = {
    "form": 200,
    "save": 302,
    "follow-ups": 200,
    "autosave": 200,
    "receipt": 200,
    "reopen": 403,
}
STAFF = {
    "form": 200,
    "save": 403,
    "follow-ups": 200,
    "autosave": 403,
    "receipt": 200,
    # Allowed; this response is not submitted, so it only says so and returns.
    "reopen": 302,
}
OUTSIDE = dict.fromkeys(PAGES, 404)
# The script endpoints say "signed out" in JSON instead of redirecting to HTML.
VISITOR = {**dict.fromkeys(PAGES, 302), "follow-ups": 401, "autosave": 401}

TARGETS = {
    # Region Sörmland's answers to the 2024 region questionnaire.
    "region": ("region", "04"),
    # Växjö's answers to the 2024 hjälpenkät, which RSS Kronoberg may enter.
    "kommun": ("kommun", "0780"),
}
EXPECTED = {
    "region": {
        None: VISITOR,
        "region_user": ANSWERING,
        "other_region_user": OUTSIDE,
        "rss_user": OUTSIDE,
        "kommun_user": OUTSIDE,
        "staff_user": STAFF,
    },
    "kommun": {
        None: VISITOR,
        "region_user": OUTSIDE,
        "other_region_user": OUTSIDE,  # Kronoberg's region, but not its kommuner
        "rss_user": ANSWERING,  # proxy entry
        "kommun_user": ANSWERING,
        "staff_user": STAFF,
    },
}
CASES = [
    (target, persona, page)
    for target, by_persona in EXPECTED.items()
    for persona in by_persona
    for page in PAGES
]


@pytest.mark.parametrize(("target", "persona", "page"), CASES)
def test_every_role_against_every_response_page(
    client: Client,
    request: pytest.FixtureRequest,
    target: str,
    persona: str | None,
    page: str,
) -> None:
    key, code = TARGETS[target]
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key=key)
    organisation = Organisation.objects.get(kind=key, code=code)
    response = get_or_create_response(questionnaire, organisation=organisation)
    if persona is not None:
        client.force_login(request.getfixturevalue(persona))
    name, method, data = PAGES[page]
    url = reverse(name, args=[questionnaire.pk, organisation.pk])
    result = getattr(client, method)(url, data)
    expected = EXPECTED[target][persona][page]
    assert result.status_code == expected
    if expected == 302 and persona is None:
        assert result["Location"].startswith(reverse("surveys:login"))
    if expected == 401:
        assert result.json()["session_ended"] is True
        assert result.json()["login_url"] == reverse("surveys:login")
    if expected in (403, 404):
        # Nothing was written by a refused request.
        assert Response.objects.get(pk=response.pk).version == 0


@pytest.mark.parametrize("with_response", [False, True])
def test_a_questionnaire_opened_for_another_kind_of_organisation_is_not_found(
    client: Client, request: pytest.FixtureRequest, with_response: bool
) -> None:
    """The gateway reads an existing response together with its questionnaire
    and organisation (issue #20): the organisation must still be of the kind the
    questionnaire is for, whether or not a (stray) response row exists."""
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    kommun = Organisation.objects.get(kind="kommun", code="0780")
    if with_response:
        Response.objects.create(questionnaire=questionnaire, organisation=kommun)
    client.force_login(request.getfixturevalue("staff_user"))
    url = reverse("intake:response-edit", args=[questionnaire.pk, kommun.pk])
    assert client.get(url).status_code == 404
    missing = reverse("intake:response-edit", args=[questionnaire.pk, 999_999])
    assert client.get(missing).status_code == 404
    # Ids beyond the column's range are not found either (not a 500).
    huge = reverse("intake:response-edit", args=[2**70, 2**70])
    assert client.get(huge).status_code == 404
