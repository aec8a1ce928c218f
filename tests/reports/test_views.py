"""The staff report pages through real requests: access both ways, the tables
with their bases, and a fixed number of queries whatever the number of
respondents."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from surveys.models import RSS, Kommun, Questionnaire, Region, User
from tests.factories import mark_submitted

pytestmark = pytest.mark.django_db


def kommun_2019() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2019, key="kommun")


def region_2024() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def urls() -> list[str]:
    return [
        reverse("reports:index"),
        reverse("reports:questionnaire", args=[kommun_2019().pk]),
        reverse("reports:question", args=[kommun_2019().pk, "q3_balans"]),
    ]


def answer_2019(kommuner: list[Kommun], actor: User) -> None:
    for i, kommun in enumerate(kommuner):
        response = get_or_create_response(kommun_2019(), organisation=kommun)
        save_answers(
            response,
            actor=actor,
            channel=Channel.WEB,
            values={
                "q2_malbild": "nej" if i % 3 else "ja",
                "q2a_tar_fram": "ja",
                "q3_balans": {"ssk": "brist", "arbter": "balans" if i % 2 else "brist"},
            },
        )
        mark_submitted(response)


def test_it_requires_login(client: Client) -> None:
    for url in urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert "next=" in response["Location"]


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_see_the_reports(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for url in urls():
        assert client.get(url).status_code == 404, url


def test_an_inactive_staff_user_cannot_see_the_reports(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    assert client.get(urls()[0]).status_code in (302, 404)


def test_staff_see_the_index_and_the_questions(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    index = client.get(reverse("reports:index")).content.decode()
    assert "Enkät till kommunerna 2019" in index
    answer_2019(list(Kommun.objects.order_by("code")[:3]), staff_user)
    page = client.get(reverse("reports:questionnaire", args=[kommun_2019().pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Svarande: <strong>3</strong> av 290 (1 %)" in text
    assert "Farmaceut" in text
    assert reverse("reports:question", args=[kommun_2019().pk, "q2a_tar_fram"]) in text


def test_the_question_page_shows_counts_bases_and_exclusions(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    answer_2019(list(Kommun.objects.order_by("code")[:6]), staff_user)
    url = reverse("reports:question", args=[kommun_2019().pk, "q2a_tar_fram"])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    # i = 0 and 3 answer Q2 = ja: 2 not applicable; the other 4 answer Q2a Ja.
    assert '<td class="num">4 (100)</td>' in text
    assert "4 kommuner har svarat på denna fråga." in text
    assert "2 kommuner fick inte frågan" in text
    assert "<caption id=" in text and 'scope="row"' in text
    assert 'role="region" tabindex="0" aria-labelledby="tabell-1-' in text
    assert "Diagram:" in text


def test_staff_choose_the_level_and_an_rss(client: Client, staff_user: User) -> None:
    client.force_login(staff_user)
    vaxjo = Kommun.objects.get(code="0780")
    answer_2019([vaxjo, Kommun.objects.get(code="0114")], staff_user)
    url = reverse("reports:question", args=[kommun_2019().pk, "q2_malbild"])
    per_region = client.get(url, {"niva": "region", "avrundning": "half_up"})
    assert per_region.status_code == 200
    assert "Västra Götaland" in per_region.content.decode()
    missing_rss = client.get(url, {"niva": "kommun", "avrundning": "half_up"})
    assert "Välj vilket RSS:s kommuner som ska visas." in missing_rss.content.decode()
    per_kommun = client.get(
        url,
        {
            "niva": "kommun",
            "rss": RSS.objects.get(code="rss-07").pk,
            "avrundning": "half_up",
        },
    )
    text = per_kommun.content.decode()
    assert "Växjö" in text and "Upplands Väsby" not in text
    assert "Totalt" in text


def test_the_region_level_of_the_region_survey_is_the_bilaga_3_table(
    client: Client, staff_user: User, region: Region
) -> None:
    client.force_login(staff_user)
    response = get_or_create_response(region_2024(), organisation=region)
    save_answers(
        response, actor=staff_user, channel=Channel.WEB, values={"r35_andel": "57"}
    )
    mark_submitted(response)
    url = reverse("reports:question", args=[region_2024().pk, "r35_andel"])
    text = client.get(url, {"niva": "region", "avrundning": "half_up"}).content.decode()
    assert '<th scope="row">Riket</th><td class="num">57 %</td>' in text
    assert '<th scope="row">Sörmland</th><td class="num">57 %</td>' in text
    assert '<th scope="row">Stockholm</th><td class="num">–</td>' in text


def test_an_unknown_question_or_questionnaire_is_not_found(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    assert (
        client.get(
            reverse("reports:question", args=[kommun_2019().pk, "nix"])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("reports:questionnaire", args=[999999])).status_code == 404
    )


def count_queries(client: Client, **params: Any) -> list[int]:
    counts = []
    for url, query in [
        (reverse("reports:questionnaire", args=[kommun_2019().pk]), {}),
        (reverse("reports:question", args=[kommun_2019().pk, "q3_balans"]), {}),
        (
            reverse("reports:question", args=[kommun_2019().pk, "q2a_tar_fram"]),
            {"niva": "rss", "avrundning": "largest_remainder"},
        ),
        (
            reverse("reports:question", args=[kommun_2019().pk, "q2_malbild"]),
            {
                "niva": "kommun",
                "rss": RSS.objects.get(code="rss-07").pk,
                "avrundning": "half_up",
            },
        ),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, query).status_code == 200
        counts.append(len(queries))
    return counts


def test_the_pages_make_the_same_number_of_queries_at_two_sizes(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    kommuner = list(Kommun.objects.order_by("code"))
    answer_2019(kommuner[:3] + [Kommun.objects.get(code="0780")], staff_user)
    small = count_queries(client)
    answer_2019(
        kommuner[3:40]
        + list(Kommun.objects.filter(code__startswith="07").exclude(code="0780")),
        staff_user,
    )
    large = count_queries(client)
    assert small == large
    # Pinned so that a new query shows up in review: questionnaire page, riket,
    # per RSS, per kommun within an RSS (two tabulations: the RSS total row);
    # each includes the staff's verified second-factor device. None of these
    # questions is a multiple choice, so no tabulation counts distinct
    # respondents in a query of its own (reports.tabulation.counts). The
    # tabulations take the questions from the structure built once per
    # questionnaire version (reports.tabulation.plan; built here by the saves):
    # three queries fewer each than [10, 11, 12, 19] before. Each tabulation is
    # one statement (reports.tabulation.queries): [7, 8, 9, 13] when its groups,
    # frame, respondents and cells were a query each.
    assert small == [5, 6, 6, 8]
