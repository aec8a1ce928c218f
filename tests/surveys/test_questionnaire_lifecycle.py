"""Staff's pages for a questionnaire's lifecycle (issue #15): open, close and
reopen with confirmation, extend one organisation's deadline; every action
recorded with who and when; non-staff are refused every page and every action."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from surveys.errors import DomainError
from surveys.models import (
    DeadlineExtension,
    Kommun,
    Questionnaire,
    QuestionnaireEvent,
    QuestionnaireState,
    Region,
    User,
)
from surveys.services import (
    close_questionnaire,
    extend_deadline,
    open_questionnaire,
    reopen_questionnaire,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


@pytest.fixture
def staff(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


def change_url(questionnaire: Questionnaire, action: str) -> str:
    return reverse(
        "surveys:questionnaire-state-change", args=[questionnaire.pk, action]
    )


def page_url(questionnaire: Questionnaire) -> str:
    return reverse("surveys:questionnaire-lifecycle", args=[questionnaire.pk])


def extend_url(questionnaire: Questionnaire) -> str:
    return reverse("surveys:questionnaire-deadline-extend", args=[questionnaire.pk])


def test_the_list_shows_every_questionnaire_with_its_state(
    staff: Client, questionnaire: Questionnaire, staff_user: User
) -> None:
    close_questionnaire(
        Questionnaire.objects.get(cycle__year=2019, key="kommun"), actor=staff_user
    )
    page = staff.get(reverse("surveys:questionnaire-lifecycle-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert questionnaire.title in html
    assert "Öppen" in html
    assert "Stängd" in html


def test_closing_asks_for_confirmation_then_closes_and_records_it(
    staff: Client, questionnaire: Questionnaire, staff_user: User
) -> None:
    confirm = staff.get(change_url(questionnaire, "stang"))
    assert confirm.status_code == 200
    assert "Ja, stäng enkäten" in confirm.content.decode()
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.OPEN  # GET changes nothing

    done = staff.post(change_url(questionnaire, "stang"), {"reason": "Slut"})
    assert done.status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.CLOSED
    (event,) = QuestionnaireEvent.objects.filter(questionnaire=questionnaire)
    assert (event.kind, event.actor, event.reason) == ("closed", staff_user, "Slut")
    history = staff.get(page_url(questionnaire)).content.decode()
    assert "Stängd" in history
    assert staff_user.email in history
    assert "Öppna enkäten igen" in history


def test_closing_twice_is_refused_in_swedish(
    staff: Client, questionnaire: Questionnaire, staff_user: User
) -> None:
    close_questionnaire(questionnaire, actor=staff_user)
    again = staff.post(change_url(questionnaire, "stang"), {"reason": ""})
    assert again.status_code == 400
    assert "är redan stängd" in again.content.decode()
    assert QuestionnaireEvent.objects.filter(questionnaire=questionnaire).count() == 1


def test_reopening_needs_a_reason(
    staff: Client, questionnaire: Questionnaire, staff_user: User
) -> None:
    close_questionnaire(questionnaire, actor=staff_user)
    refused = staff.post(change_url(questionnaire, "oppna-igen"), {"reason": " "})
    assert refused.status_code == 400
    assert "Ange varför enkäten öppnas igen." in refused.content.decode()
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.CLOSED
    done = staff.post(
        change_url(questionnaire, "oppna-igen"), {"reason": "Stängd av misstag"}
    )
    assert done.status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.OPEN


def test_a_questionnaire_in_preparation_can_be_opened_early(
    staff: Client, questionnaire: Questionnaire
) -> None:
    Questionnaire.objects.filter(pk=questionnaire.pk).update(
        opens_on=datetime.date(2099, 11, 1), closes_on=datetime.date(2099, 12, 31)
    )
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.PREPARATION
    assert staff.post(change_url(questionnaire, "oppna"), {}).status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.OPEN
    assert questionnaire.events.get().kind == "opened"


def test_an_unknown_action_is_404(staff: Client, questionnaire: Questionnaire) -> None:
    assert staff.get(change_url(questionnaire, "radera")).status_code == 404


def test_staff_extend_one_regions_deadline(
    staff: Client, questionnaire: Questionnaire, region: Region, staff_user: User
) -> None:
    done = staff.post(
        extend_url(questionnaire),
        {"organisation": region.pk, "closes_on": "2025-05-15", "reason": "Sjukdom"},
    )
    assert done.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert (
        extension.organisation,
        extension.closes_on,
        extension.reason,
        extension.granted_by,
    ) == (region, datetime.date(2025, 5, 15), "Sjukdom", staff_user)
    page = staff.get(page_url(questionnaire)).content.decode()
    assert "15 maj 2025" in page
    assert "Sjukdom" in page


def test_the_organisation_is_chosen_in_swedish(
    staff: Client, questionnaire: Questionnaire
) -> None:
    page = staff.get(page_url(questionnaire)).content.decode()
    assert "Välj organisation" in page
    assert "---------" not in page
    refused = staff.post(
        extend_url(questionnaire), {"closes_on": "2025-05-15", "reason": "Sjukdom"}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Välj den organisation som får ny sista dag." in html
    assert "Sjukdom" in html
    assert not DeadlineExtension.objects.exists()


def test_an_earlier_date_is_refused_and_the_input_kept(
    staff: Client, questionnaire: Questionnaire, region: Region
) -> None:
    refused = staff.post(
        extend_url(questionnaire),
        {"organisation": region.pk, "closes_on": "2024-01-01", "reason": "Tidigare"},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "kan inte ligga före enkätens sista dag" in html
    assert "Tidigare" in html
    assert not DeadlineExtension.objects.exists()


def test_an_organisation_outside_the_audience_cannot_be_chosen(
    staff: Client, questionnaire: Questionnaire, kommun: Kommun, staff_user: User
) -> None:
    refused = staff.post(
        extend_url(questionnaire),
        {"organisation": kommun.pk, "closes_on": "2025-05-15", "reason": "Fel"},
    )
    assert refused.status_code == 400
    assert not DeadlineExtension.objects.exists()
    with pytest.raises(DomainError, match="hör inte till enkätens målgrupp"):
        extend_deadline(
            questionnaire,
            organisation=kommun,
            closes_on=datetime.date(2025, 5, 15),
            reason="Fel",
            actor=staff_user,
        )


# --- denials -----------------------------------------------------------------------------


def test_it_requires_login(client: Client, questionnaire: Questionnaire) -> None:
    for url in (
        reverse("surveys:questionnaire-lifecycle-list"),
        page_url(questionnaire),
        change_url(questionnaire, "stang"),
    ):
        assert client.get(url).status_code == 302, url
    assert client.post(change_url(questionnaire, "stang")).status_code == 302
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.OPEN


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_open_close_or_extend(
    client: Client,
    questionnaire: Questionnaire,
    region: Region,
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    assert (
        client.get(reverse("surveys:questionnaire-lifecycle-list")).status_code == 403
    )
    assert client.get(page_url(questionnaire)).status_code == 403
    for action in ("stang", "oppna", "oppna-igen"):
        assert (
            client.post(change_url(questionnaire, action), {"reason": "x"}).status_code
            == 403
        )
    assert (
        client.post(
            extend_url(questionnaire),
            {"organisation": region.pk, "closes_on": "2025-05-15", "reason": "x"},
        ).status_code
        == 403
    )
    questionnaire.refresh_from_db()
    assert questionnaire.state == QuestionnaireState.OPEN
    assert not DeadlineExtension.objects.exists()
    assert not QuestionnaireEvent.objects.exists()


def test_the_services_refuse_non_staff(
    questionnaire: Questionnaire, region_user: User, region: Region
) -> None:
    for write in (open_questionnaire, close_questionnaire):
        with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
            write(questionnaire, actor=region_user)
    with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
        reopen_questionnaire(questionnaire, actor=region_user, reason="x")
    with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
        extend_deadline(
            questionnaire,
            organisation=region,
            closes_on=datetime.date(2025, 5, 15),
            reason="x",
            actor=region_user,
        )
