"""Where staff and RSS coordinators find the RSS pages: the staff links on the
home page and under "Mina enkäter", and the RSS questionnaire's link to the
kommuner's status page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import RSS, Questionnaire, Region, User

pytestmark = pytest.mark.django_db

STAFF_LINKS = [
    reverse("intake:supplementary-list"),
    reverse("intake:consolidation-stale"),
    reverse("reports:import-upload"),
]


def form_url(questionnaire: Questionnaire, organisation: RSS | Region) -> str:
    return reverse("intake:response-edit", args=[questionnaire.pk, organisation.pk])


@pytest.mark.parametrize("page", ["surveys:home", "intake:response-list"])
def test_staff_find_the_coordination_pages(
    client: Client, staff_user: User, page: str
) -> None:
    client.force_login(staff_user)
    html = client.get(reverse(page)).content.decode()
    for url in STAFF_LINKS:
        assert f'href="{url}"' in html


def test_mina_enkater_says_when_nothing_is_flagged(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    html = client.get(reverse("intake:response-list")).content.decode()
    assert "(inga flaggade)" in html


@pytest.mark.parametrize("persona", ["rss_user", "kommun_user", "region_user"])
@pytest.mark.parametrize("page", ["surveys:home", "intake:response-list"])
def test_respondents_do_not_get_the_staff_links(
    client: Client, persona: str, page: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse(page)).content.decode()
    for url in STAFF_LINKS:
        assert f'href="{url}"' not in html


def test_the_rss_questionnaire_links_to_the_kommuner_status_page(
    client: Client, rss_user: User, rss: RSS
) -> None:
    rss_q = Questionnaire.objects.get(cycle__year=2024, key="rss")
    helper = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    extra = Questionnaire.objects.get(cycle__year=2024, key="kommun-extra")
    client.force_login(rss_user)
    html = client.get(form_url(rss_q, rss)).content.decode()
    status = reverse("intake:rss-status", args=[rss.pk, helper.pk])
    assert f'<a href="{status}">Se kommunernas svar</a>' in html
    # The supplementary questionnaire also feeds the counts, but has no RSS page.
    assert reverse("intake:rss-status", args=[rss.pk, extra.pk]) not in html
    assert client.get(status).status_code == 200


def test_staff_get_the_same_link(client: Client, staff_user: User, rss: RSS) -> None:
    rss_q = Questionnaire.objects.get(cycle__year=2024, key="rss")
    client.force_login(staff_user)
    assert "Se kommunernas svar" in client.get(form_url(rss_q, rss)).content.decode()


def test_a_region_questionnaire_has_no_such_link(
    client: Client, region_user: User, region: Region
) -> None:
    region_q = Questionnaire.objects.get(cycle__year=2024, key="region")
    client.force_login(region_user)
    html = client.get(form_url(region_q, region)).content.decode()
    assert "Se kommunernas svar" not in html
