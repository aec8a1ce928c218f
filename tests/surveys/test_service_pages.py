"""The accessibility statement, the personal-data page, and Swedish in the
third-party admin pages (issue #17)."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from surveys.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["surveys:accessibility", "surveys:personal-data"])
def test_every_page_links_the_statement_and_the_personal_data_page(
    client: Client, name: str
) -> None:
    for url in (reverse("surveys:home"), reverse(name)):
        page = client.get(url).content.decode()
        assert f'href="{reverse("surveys:accessibility")}"' in page
        assert f'href="{reverse("surveys:personal-data")}"' in page


def test_the_statement_follows_diggs_model(client: Client) -> None:
    page = client.get(reverse("surveys:accessibility")).content.decode()
    for part in (
        "delvis förenlig",
        "Innehåll som inte är tillgängligt",
        "Rapportera brister",
        "Myndigheten för digital förvaltning",
        "https://www.digg.se/tdosanmalan",
        "Senaste bedömningen gjordes den",
    ):
        assert part in page


def test_the_personal_data_page_states_the_configured_retention(
    client: Client, settings: LazySettings
) -> None:
    settings.AXES_LOG_RETENTION_DAYS = 45
    settings.OUTBOX_RETENTION_DAYS = 9
    page = client.get(reverse("surveys:personal-data")).content.decode()
    assert "tas bort efter 45 dagar" in page
    assert "tas bort 9 dagar efter det" in page


@pytest.mark.parametrize("name", ["surveys:accessibility", "surveys:personal-data"])
def test_both_pages_give_the_deployments_contact(
    client: Client, settings: LazySettings, name: str
) -> None:
    settings.SERVICE_CONTACT_EMAIL = "naravard@region.example"
    settings.SERVICE_CONTACT_PHONE = "010-123 45 67"
    page = client.get(reverse(name)).content.decode()
    assert 'href="mailto:naravard@region.example"' in page
    assert "010-123 45 67" in page
    assert "socialstyrelsen@socialstyrelsen.se" not in page


def test_the_sign_in_records_admin_is_in_swedish(
    client: Client, staff_user: User
) -> None:
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Inloggningar" in index and "Access attempts" not in index
    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    page = changelist.content.decode()
    assert "inloggningsförsök" in page and "access attempt" not in page.lower()


def test_the_favicon_is_linked(client: Client) -> None:
    page = client.get(reverse("surveys:home")).content.decode()
    assert 'rel="icon" href="/static/surveys/favicon.svg"' in page
