"""Project-wide guards (docs/conventions.md §16): migrations, templates, pages and admin access."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from surveys.models import RSS, Kommun, Question, RSSMembership, User

pytestmark = pytest.mark.django_db


def test_there_are_no_pending_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_every_template_compiles() -> None:
    root = Path(settings.BASE_DIR) / "templates"
    names = [str(p.relative_to(root)) for p in root.rglob("*.html")]
    assert "base.html" in names
    for name in names:
        get_template(name)


def test_the_home_page_lists_the_cycles_and_questionnaires(client: Client) -> None:
    response = client.get(reverse("surveys:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enkät till regionerna 2024" in page
    assert "Hjälpenkät till kommunerna 2024" in page
    assert "Enkät till kommunerna 2019" in page
    assert '<html lang="sv">' in page


def test_the_home_page_makes_a_fixed_number_of_queries(
    client: Client, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(2):  # type: ignore[operator]
        client.get(reverse("surveys:home"))


def admin_changelists() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]


def test_staff_can_open_every_admin_list(client: Client, staff_user: User) -> None:
    client.force_login(staff_user)
    for url in admin_changelists():
        response = client.get(url)
        assert response.status_code == 200, url


def test_staff_can_open_a_question_an_rss_and_a_kommun(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    question = Question.objects.get(
        questionnaire__cycle__year=2024, questionnaire__key="region", number="8"
    )
    for url in [
        reverse("admin:surveys_question_change", args=[question.pk]),
        reverse(
            "admin:surveys_rss_change", args=[RSS.objects.get(code="rss-14-gr").pk]
        ),
        reverse(
            "admin:surveys_kommun_change", args=[Kommun.objects.get(code="0780").pk]
        ),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(
        reverse("admin:surveys_rss_change", args=[RSS.objects.get(code="rss-14-gr").pk])
    )
    assert "Lilla Edet" in page.content.decode()


def test_questions_cannot_be_edited_in_the_admin(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    question = Question.objects.filter(questionnaire__key="region").first()
    assert question is not None
    response = client.post(
        reverse("admin:surveys_question_change", args=[question.pk]), {"text": "Ändrad"}
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.text != "Ändrad"


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_open_the_admin(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for url in admin_changelists():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_requires_login(client: Client) -> None:
    response = client.get(reverse("admin:surveys_kommun_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_refuses_a_second_rss_for_the_same_years(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    vaxjo = Kommun.objects.get(code="0780")
    response = client.post(
        reverse("admin:surveys_rssmembership_add"),
        {
            "rss": RSS.objects.get(code="rss-06").pk,
            "kommun": vaxjo.pk,
            "valid_from": 2024,
        },
    )
    assert response.status_code == 200
    assert "Kommunen tillhör redan ett RSS under samma år" in response.content.decode()
    assert RSSMembership.objects.filter(kommun=vaxjo).count() == 1


def test_the_admin_accepts_a_move_that_ends_the_old_membership(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    vaxjo = Kommun.objects.get(code="0780")
    RSSMembership.objects.filter(kommun=vaxjo).update(valid_to=2024)
    response = client.post(
        reverse("admin:surveys_rssmembership_add"),
        {
            "rss": RSS.objects.get(code="rss-06").pk,
            "kommun": vaxjo.pk,
            "valid_from": 2025,
        },
    )
    assert response.status_code == 302
    assert RSSMembership.objects.filter(kommun=vaxjo).count() == 2


def test_denials_are_explained_in_swedish(
    client: Client, region_user: User, staff_user: User
) -> None:
    from surveys.models import Questionnaire, Region

    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    other = Region.objects.get(code="01")
    client.force_login(region_user)
    not_found = client.get(
        reverse("intake:response-edit", args=[questionnaire.pk, other.pk])
    )
    assert not_found.status_code == 404
    assert "Sidan finns inte" in not_found.content.decode()
    client.force_login(staff_user)
    forbidden = client.post(
        reverse("intake:response-edit", args=[questionnaire.pk, other.pk]),
        {"version": 0},
    )
    assert forbidden.status_code == 403
    assert "Du har inte behörighet" in forbidden.content.decode()
