"""The RSS status page (issue #4): counts against hand-computed figures for a
whole synthetic län, filters, access for every persona, and a query budget that
does not grow with the number of kommuner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import Channel, ResponseStatus
from intake.rss_status import kommun_statuses, status_counts
from intake.services import get_or_create_response, reopen_response
from surveys.models import RSS, Kommun, Organisation, Questionnaire, User
from surveys.selectors import kommuner_of_rss
from tests.conftest import make_user
from tests.factories import OrganisationFactory, RSSMembershipFactory
from tests.intake.rss_helpers import Lan, answer, build_lan

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def status_url(rss: Organisation, questionnaire: Questionnaire) -> str:
    return reverse("intake:rss-status", args=[rss.pk, questionnaire.pk])


@pytest.fixture
def lan(staff_user: User, django_capture_on_commit_callbacks: Capture) -> Lan:
    """Ten kommuner: k0–k2 have nothing, k3 has an empty response row, k4 and k5
    are in progress on the web, k6 in progress by proxy, k7 submitted on the web,
    k8 submitted by proxy, k9 submitted and reopened by staff."""
    lan = build_lan(10)
    k = lan.kommuner
    get_or_create_response(lan.questionnaire, organisation=k[3])
    with django_capture_on_commit_callbacks(execute=True):
        for i in (4, 5, 7, 9):
            user = make_user(f"kontakt{i}@kommun.test", k[i])
            answer(lan, k[i], by=user, channel=Channel.WEB, submit=i in (7, 9))
        answer(lan, k[6], by=lan.coordinator, channel=Channel.PROXY)
        answer(lan, k[8], by=lan.coordinator, channel=Channel.PROXY, submit=True)
        response = k[9].responses.get()
        reopen_response(response, actor=staff_user, reason="Fel siffra i fråga 1")
    return lan


def test_the_counts_match_the_hand_computed_figures(lan: Lan) -> None:
    counts = status_counts(lan.questionnaire, kommuner_of_rss(lan.rss, year=2041))
    assert counts.total == 10
    assert counts.submitted == 2  # k7, k8
    assert counts.in_progress == 3  # k4, k5, k6
    assert counts.reopened == 1  # k9
    assert counts.started == 4
    assert counts.not_started == 4  # k0–k3


def test_a_kommun_of_another_rss_or_year_does_not_count(lan: Lan) -> None:
    other = build_lan(1, key="annat")
    user = make_user("kontakt@annan.test", other.kommuner[0])
    answer(other, other.kommuner[0], by=user, channel=Channel.WEB, submit=True)
    gone = OrganisationFactory(kind="kommun", name="Gammal kommun")
    RSSMembershipFactory(rss=lan.rss, kommun=gone, valid_from=2019, valid_to=2040)

    rows = kommun_statuses(lan.questionnaire, kommuner_of_rss(lan.rss, year=2041))
    assert [r.kommun.pk for r in rows] == [k.pk for k in lan.kommuner]
    assert (
        status_counts(lan.questionnaire, kommuner_of_rss(lan.rss, year=2041)).total
        == 10
    )


def test_the_page_shows_every_kommun_with_status_channel_and_author(
    client: Client, lan: Lan
) -> None:
    client.force_login(lan.coordinator)
    response = client.get(status_url(lan.rss, lan.questionnaire))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 av 10 kommuner har skickat in." in html
    assert "4 har påbörjat men inte skickat in (varav 1 återöppnade)" in html
    assert "4 har inte påbörjat." in html
    rows = {row.kommun.pk: row for row, _form in response.context["rows"]}
    k = lan.kommuner
    assert [rows[x.pk].status for x in k] == [
        ResponseStatus.NOT_STARTED,
        ResponseStatus.NOT_STARTED,
        ResponseStatus.NOT_STARTED,
        ResponseStatus.NOT_STARTED,
        ResponseStatus.IN_PROGRESS,
        ResponseStatus.IN_PROGRESS,
        ResponseStatus.IN_PROGRESS,
        ResponseStatus.SUBMITTED,
        ResponseStatus.SUBMITTED,
        ResponseStatus.REOPENED,
    ]
    assert rows[k[6].pk].channel == Channel.PROXY
    assert rows[k[6].pk].entered_by == lan.coordinator
    assert rows[k[4].pk].channel == Channel.WEB
    assert rows[k[4].pk].entered_by.email == "kontakt4@kommun.test"
    assert rows[k[0].pk].channel is None and rows[k[0].pk].updated_at is None
    assert rows[k[3].pk].updated_at is not None, "the empty response row has a time"
    assert [c.email for c in rows[k[5].pk].contacts] == ["kontakt5@kommun.test"]
    assert rows[k[0].pk].contacts == []
    assert "Saknar kontakt" in html
    # Each row links to proxy entry with the existing form.
    proxy = reverse("intake:response-edit", args=[lan.questionnaire.pk, k[0].pk])
    assert f'href="{proxy}"' in html
    assert "Fyll i åt kommunen" in html
    # And to the Excel channel (tests/intake/test_rss_excel.py): a reopened
    # response can be uploaded again.
    upload = reverse("intake:excel-upload", args=[lan.questionnaire.pk, k[9].pk])
    assert f'href="{upload}"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=submitted", [7, 8]),
        ("status=not_started", [0, 1, 2, 3]),
        ("status=reopened", [9]),
        ("kanal=proxy", [6, 8]),
        ("status=in_progress&kanal=web", [4, 5]),
        ("status=nonsense", list(range(10))),
    ],
)
def test_the_filters(client: Client, lan: Lan, query: str, expected: list[int]) -> None:
    client.force_login(lan.coordinator)
    response = client.get(status_url(lan.rss, lan.questionnaire) + "?" + query)
    assert response.status_code == 200
    shown = [row.kommun.pk for row, _ in response.context["rows"]]
    assert shown == [lan.kommuner[i].pk for i in expected]
    # The headline counts the whole RSS whatever the filter.
    assert "2 av 10 kommuner har skickat in." in response.content.decode()


# --- access ----------------------------------------------------------------------


def test_it_requires_login(client: Client, lan: Lan) -> None:
    response = client.get(status_url(lan.rss, lan.questionnaire))
    assert response.status_code == 302
    assert response.url.startswith(reverse("surveys:login"))


@pytest.mark.parametrize("persona", ["region_user", "kommun_user", "rss_user"])
def test_others_get_404(
    client: Client, lan: Lan, persona: str, request: pytest.FixtureRequest
) -> None:
    """rss_user coordinates another RSS (Kronoberg)."""
    client.force_login(request.getfixturevalue(persona))
    assert client.get(status_url(lan.rss, lan.questionnaire)).status_code == 404


def test_a_kommun_contact_of_the_rss_gets_404(client: Client, lan: Lan) -> None:
    client.force_login(lan.kommuner[4].roles.get().user)
    assert client.get(status_url(lan.rss, lan.questionnaire)).status_code == 404


def test_staff_see_any_rss(client: Client, lan: Lan, staff_user: User) -> None:
    client.force_login(staff_user)
    response = client.get(status_url(lan.rss, lan.questionnaire))
    assert response.status_code == 200
    assert "Visa svaren" in response.content.decode()


def test_the_coordinator_sees_the_real_rss_and_hjalpenkat(
    client: Client, rss_user: User, rss: RSS, kommun: Kommun
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    client.force_login(rss_user)
    response = client.get(status_url(rss, questionnaire))
    assert response.status_code == 200
    assert "0 av 8 kommuner har skickat in." in response.content.decode()
    assert kommun.name in response.content.decode()


@pytest.mark.parametrize("key", ["region", "rss", "kommun-extra"])
def test_only_the_kommun_helper_questionnaire_has_a_status_page(
    client: Client, rss_user: User, rss: RSS, key: str
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key=key)
    client.force_login(rss_user)
    assert client.get(status_url(rss, questionnaire)).status_code == 404


def test_a_region_is_not_an_rss(client: Client, staff_user: User, region: Any) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    client.force_login(staff_user)
    assert client.get(status_url(region, questionnaire)).status_code == 404


def test_mina_enkater_links_the_coordinator_to_the_status_page(
    client: Client, rss_user: User, rss: RSS
) -> None:
    client.force_login(rss_user)
    html = client.get(reverse("intake:response-list")).content.decode()
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    assert f'href="{status_url(rss, questionnaire)}"' in html
    assert "Kommunernas svar" in html


def test_mina_enkater_has_no_status_pages_for_a_kommun(
    client: Client, kommun_user: User
) -> None:
    client.force_login(kommun_user)
    html = client.get(reverse("intake:response-list")).content.decode()
    assert "Kommunernas svar" not in html
    assert "/rss/" not in html


# --- query budget ------------------------------------------------------------------


def page_queries(client: Client, size: int, key: str) -> int:
    lan = build_lan(size, key=key)
    # Something in every column: answers by web and proxy, a submission, contacts,
    # a reminder, so that no lazy relation hides.
    for i, kommun in enumerate(lan.kommuner):
        user = make_user(f"k{i}-{key}@kommun.test", kommun)
        answer(
            lan,
            kommun,
            by=user if i % 2 else lan.coordinator,
            channel=Channel.WEB if i % 2 else Channel.PROXY,
            submit=i % 3 == 0,
        )
    client.force_login(lan.coordinator)
    client.post(
        reverse("intake:rss-remind-all", args=[lan.rss.pk, lan.questionnaire.pk])
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(status_url(lan.rss, lan.questionnaire))
    assert response.status_code == 200
    assert len(response.context["rows"]) == size
    return len(queries)


def test_the_page_makes_the_same_number_of_queries_for_5_and_49_kommuner(
    client: Client,
) -> None:
    small = page_queries(client, 5, "liten")
    large = page_queries(client, 49, "stor")
    assert small == large == EXPECTED_QUERIES


# session, user, questionnaire, RSS, role check, rows, contacts, authors of the
# latest changes, counts, latest bulk round.
EXPECTED_QUERIES = 10
