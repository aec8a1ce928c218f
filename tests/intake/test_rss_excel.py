"""The Excel channel on the RSS status page: per kommun a download link and, until
the kommun has submitted, an upload link; and every member kommun's copy in one
zip, through real requests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.excel.reader import read_kommun_workbook
from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from surveys.models import RSS, Kommun, Organisation, Questionnaire, User
from tests.conftest import make_user
from tests.intake.rss_helpers import Lan, answer, build_lan

pytestmark = pytest.mark.django_db

# Kronobergs län: Uppvidinge, Lessebo, Tingsryd, Alvesta, Älmhult, Markaryd,
# Växjö, Ljungby.
KRONOBERG = ["0760", "0761", "0763", "0764", "0765", "0767", "0780", "0781"]

Capture = Callable[..., Any]


def is_empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return value in ("", [], None)


def status_url(lan: Lan) -> str:
    return reverse("intake:rss-status", args=[lan.rss.pk, lan.questionnaire.pk])


def zip_url(rss: Organisation, questionnaire: Questionnaire) -> str:
    return reverse("intake:rss-excel-all", args=[rss.pk, questionnaire.pk])


def excel_url(name: str, questionnaire: Questionnaire, kommun: Organisation) -> str:
    return reverse(f"intake:excel-{name}", args=[questionnaire.pk, kommun.pk])


@pytest.fixture
def lan(django_capture_on_commit_callbacks: Capture) -> Lan:
    """Three kommuner: k0 has not started, k1 is in progress, k2 has submitted."""
    lan = build_lan(3, key="excel")
    with django_capture_on_commit_callbacks(execute=True):
        answer(lan, lan.kommuner[1], by=lan.coordinator, channel=Channel.PROXY)
        answer(
            lan, lan.kommuner[2], by=lan.coordinator, channel=Channel.WEB, submit=True
        )
    return lan


def test_each_kommun_has_a_download_link_and_an_upload_link_until_submitted(
    client: Client, lan: Lan
) -> None:
    client.force_login(lan.coordinator)
    html = client.get(status_url(lan)).content.decode()
    for kommun in lan.kommuner:
        assert f'href="{excel_url("download", lan.questionnaire, kommun)}"' in html
    k0, k1, k2 = lan.kommuner
    assert f'href="{excel_url("upload", lan.questionnaire, k0)}"' in html
    assert f'href="{excel_url("upload", lan.questionnaire, k1)}"' in html
    assert f'href="{excel_url("upload", lan.questionnaire, k2)}"' not in html
    assert f'href="{zip_url(lan.rss, lan.questionnaire)}"' in html
    assert "Ladda ned Excel för alla kommuner" in html
    assert "excel-link" not in html  # the placeholder slot is gone


def test_staff_get_download_links_but_no_upload_links(
    client: Client, lan: Lan, staff_user: User
) -> None:
    """Staff read but do not answer for a kommun (the upload would be 403)."""
    client.force_login(staff_user)
    html = client.get(status_url(lan)).content.decode()
    for kommun in lan.kommuner:
        assert f'href="{excel_url("download", lan.questionnaire, kommun)}"' in html
        assert f'href="{excel_url("upload", lan.questionnaire, kommun)}"' not in html
    assert client.get(zip_url(lan.rss, lan.questionnaire)).status_code == 200


def test_the_upload_link_opens_the_upload_page(client: Client, lan: Lan) -> None:
    client.force_login(lan.coordinator)
    url = excel_url("upload", lan.questionnaire, lan.kommuner[1])
    assert client.get(url).status_code == 200


def test_the_zip_holds_one_valid_workbook_per_member_kommun(
    client: Client, rss_user: User, rss: RSS, kommun: Kommun, kommun_user: User
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    response = get_or_create_response(questionnaire, organisation=kommun)
    save_answers(
        response,
        actor=kommun_user,
        channel=Channel.WEB,
        values={"k04_breddinfort": "ja", "k04a_exempel": "Mobila team"},
    )
    client.force_login(rss_user)
    reply = client.get(zip_url(rss, questionnaire))
    assert reply.status_code == 200
    assert reply["Content-Type"] == "application/zip"
    assert reply["Content-Disposition"].endswith('.zip"')
    archive = zipfile.ZipFile(io.BytesIO(reply.content))
    members = list(Kommun.objects.filter(code__in=KRONOBERG).order_by("code"))
    assert len(members) == 8
    names = archive.namelist()
    assert len(names) == 8
    for member, name in zip(members, names, strict=True):
        assert member.code in name
        # Each file is a copy the upload accepts for that kommun and no other.
        values = read_kommun_workbook(
            io.BytesIO(archive.read(name)),
            questionnaire=questionnaire,
            organisation=member,
        )
        if member == kommun:
            assert values["k04_breddinfort"] == "ja"
            assert values["k04a_exempel"] == "Mobila team"
        else:
            assert all(is_empty(v) for v in values.values()), member.name


def test_it_requires_login(client: Client, lan: Lan) -> None:
    response = client.get(zip_url(lan.rss, lan.questionnaire))
    assert response.status_code == 302
    assert response.url.startswith(reverse("surveys:login"))


@pytest.mark.parametrize("persona", ["region_user", "kommun_user", "rss_user"])
def test_others_get_404_for_the_zip(
    client: Client, lan: Lan, persona: str, request: pytest.FixtureRequest
) -> None:
    """rss_user coordinates another RSS (Kronoberg)."""
    client.force_login(request.getfixturevalue(persona))
    assert client.get(zip_url(lan.rss, lan.questionnaire)).status_code == 404


def test_a_kommun_contact_of_the_rss_gets_404_for_the_zip(
    client: Client, lan: Lan
) -> None:
    contact = make_user("kontakt@excel-k0.test", lan.kommuner[0])
    client.force_login(contact)
    assert client.get(zip_url(lan.rss, lan.questionnaire)).status_code == 404


def test_a_supplementary_questionnaire_has_no_zip(
    client: Client, rss_user: User, rss: RSS
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun-extra")
    client.force_login(rss_user)
    assert client.get(zip_url(rss, questionnaire)).status_code == 404


# --- query budget ------------------------------------------------------------------


def zip_queries(client: Client, size: int, key: str) -> int:
    lan = build_lan(size, key=key)
    for i, kommun in enumerate(lan.kommuner):
        answer(
            lan,
            kommun,
            by=lan.coordinator,
            channel=Channel.PROXY,
            submit=i % 3 == 0,
        )
    client.force_login(lan.coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(zip_url(lan.rss, lan.questionnaire))
    assert response.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == size
    return len(queries)


def test_the_zip_makes_the_same_number_of_queries_for_5_and_49_kommuner(
    client: Client,
) -> None:
    small = zip_queries(client, 5, "lzip")
    large = zip_queries(client, 49, "szip")
    assert small == large == EXPECTED_QUERIES


# session, user, questionnaire, RSS, role check, kommuner, responses, answers,
# questions with options and rows (3), which the answers saved before the count
# have built already (intake.selectors.questions_of); the kommuner's own
# deadlines (issue #15).
EXPECTED_QUERIES = 9
