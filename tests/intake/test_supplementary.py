"""Staff's page for supplementary questionnaires sent straight to every kommun
(the 2024 `kommun-extra` case): response rate against 290 and per RSS, sign-in
links and reminders to all, kommuner without a contact, and access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from intake.models import Channel
from intake.services import get_or_create_response, save_answers, submit_response
from surveys.models import (
    RSS,
    Dispatch,
    Kommun,
    Mailing,
    MailingKind,
    OrganisationRole,
    Questionnaire,
    User,
)
from surveys.selectors import reminders_sent
from tests.conftest import make_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture
def extra() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="kommun-extra")


def page(extra: Questionnaire) -> str:
    return reverse("intake:supplementary-status", args=[extra.pk])


def submit(extra: Questionnaire, kommun: Kommun, user: User) -> None:
    response = get_or_create_response(extra, organisation=kommun)
    response = save_answers(
        response,
        actor=user,
        channel=Channel.WEB,
        values={"kx01_resultat": "Färre återinskrivningar."},
    )
    submit_response(response, actor=user)


@pytest.fixture
def answered(
    extra: Questionnaire,
    kommun_user: User,
    kommun: Kommun,
    django_capture_on_commit_callbacks: Capture,
) -> dict[str, User]:
    """Växjö (Kronoberg) has submitted; Ljungby (Kronoberg) has a contact and has
    started; Stockholm has a contact and nothing else; every other kommun lacks a
    contact."""
    ljungby = make_user("kontakt@ljungby.test", Kommun.objects.get(code="0781"))
    stockholm = make_user("kontakt@stockholm.test", Kommun.objects.get(code="0180"))
    with django_capture_on_commit_callbacks(execute=True):
        submit(extra, kommun, kommun_user)
        response = get_or_create_response(
            extra, organisation=Kommun.objects.get(code="0781")
        )
        save_answers(
            response, actor=ljungby, channel=Channel.WEB, values={"kx01_resultat": "x"}
        )
    mail.outbox.clear()
    return {"ljungby": ljungby, "stockholm": stockholm}


def test_staff_see_the_rate_against_290_and_per_rss(
    client: Client, staff_user: User, extra: Questionnaire, answered: Any
) -> None:
    client.force_login(staff_user)
    response = client.get(page(extra))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 av 290 kommuner har skickat in." in html
    assert "1 har påbörjat men inte skickat in, 288 har inte påbörjat." in html
    assert "287 kommuner saknar kontakt." in html
    by_rss = {r.rss.code: r for r in response.context["by_rss"]}
    assert len(by_rss) == 24
    assert sum(r.total for r in by_rss.values()) == 290
    kronoberg = by_rss["rss-07"]
    assert (kronoberg.total, kronoberg.submitted, kronoberg.started) == (8, 1, 1)
    assert (by_rss["rss-01"].total, by_rss["rss-01"].submitted) == (26, 0)


def test_the_list_of_supplementary_questionnaires(
    client: Client, staff_user: User, extra: Questionnaire, answered: Any
) -> None:
    client.force_login(staff_user)
    response = client.get(reverse("intake:supplementary-list"))
    html = response.content.decode()
    assert f'href="{page(extra)}"' in html
    assert "1 av 290 kommuner" in html
    assert "Hjälpenkät" not in html, "only supplementary questionnaires"
    mina = client.get(reverse("intake:response-list")).content.decode()
    assert reverse("intake:supplementary-list") in mina


def test_links_to_all_go_to_every_kommun_with_a_contact_that_has_not_submitted(
    client: Client,
    staff_user: User,
    extra: Questionnaire,
    answered: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("intake:supplementary-send-links", args=[extra.pk])
        )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "kontakt@ljungby.test",
        "kontakt@stockholm.test",
    ]
    assert "Kompletterande fråga" in mail.outbox[0].subject
    (mailing,) = Mailing.objects.all()
    assert (mailing.kind, mailing.is_bulk, mailing.scope) == (
        MailingKind.SIGN_IN_LINK,
        True,
        None,
    )
    text = client.get(response.url).content.decode()
    assert "Inloggningslänkar skickas till 2 kommuner (2 e-postadresser)." in text


def test_reminders_to_all_skip_the_submitted_and_are_guarded(
    client: Client,
    staff_user: User,
    extra: Questionnaire,
    answered: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(staff_user)
    path = reverse("intake:supplementary-remind-all", args=[extra.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
        response = client.post(path)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "kontakt@ljungby.test",
        "kontakt@stockholm.test",
    ]
    assert "gick redan i väg" in client.get(response.url).content.decode()
    summary = reminders_sent(extra)
    assert (summary.n_rounds, summary.rounds_by_level["socialstyrelsen"]) == (1, 1)
    assert summary.rounds[0].n_organisations == 2


def test_staff_add_a_contact_to_any_kommun(
    client: Client, staff_user: User, extra: Questionnaire, answered: Any
) -> None:
    client.force_login(staff_user)
    kiruna = Kommun.objects.get(code="2584")
    response = client.post(
        reverse("intake:supplementary-contact-add", args=[extra.pk]),
        {"kommun": kiruna.pk, "email": "kontakt@kiruna.test"},
    )
    assert response.status_code == 302
    assert OrganisationRole.objects.filter(
        organisation=kiruna, user__email="kontakt@kiruna.test"
    ).exists()
    assert "286 kommuner saknar kontakt." in client.get(page(extra)).content.decode()


def test_an_invalid_contact_keeps_the_input(
    client: Client, staff_user: User, extra: Questionnaire
) -> None:
    client.force_login(staff_user)
    response = client.post(
        reverse("intake:supplementary-contact-add", args=[extra.pk]),
        {"kommun": "", "email": "kontakt@kiruna.test"},
    )
    assert response.status_code == 400
    assert 'value="kontakt@kiruna.test"' in response.content.decode()
    assert not User.objects.filter(email="kontakt@kiruna.test").exists()


def test_a_refused_contact_keeps_the_input_and_shows_the_reason(
    client: Client, staff_user: User, extra: Questionnaire
) -> None:
    client.force_login(staff_user)
    kiruna = Kommun.objects.get(code="2584")
    UserFactory(email="avstangd@kiruna.test", is_active=False)
    response = client.post(
        reverse("intake:supplementary-contact-add", args=[extra.pk]),
        {"kommun": kiruna.pk, "email": "avstangd@kiruna.test"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kontot för avstangd@kiruna.test är avstängt." in html
    assert 'value="avstangd@kiruna.test"' in html
    assert not OrganisationRole.objects.filter(organisation=kiruna).exists()


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_get_404(
    client: Client,
    extra: Questionnaire,
    persona: str,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("intake:supplementary-list")).status_code == 404
    assert client.get(page(extra)).status_code == 404
    for name in (
        "supplementary-send-links",
        "supplementary-remind-all",
        "supplementary-contact-add",
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse(f"intake:{name}", args=[extra.pk]),
                {"kommun": Kommun.objects.get(code="0780").pk, "email": "x@y.test"},
            )
        assert response.status_code == 404
    assert not Mailing.objects.exists() and not Dispatch.objects.exists()
    assert not User.objects.filter(email="x@y.test").exists()


def test_the_hjalpenkat_has_no_supplementary_page(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    hjalpenkat = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    assert client.get(page(hjalpenkat)).status_code == 404


def test_a_kommun_user_sees_and_fills_the_supplementary_questionnaire(
    client: Client, kommun_user: User, kommun: Kommun, extra: Questionnaire
) -> None:
    client.force_login(kommun_user)
    html = client.get(reverse("intake:response-list")).content.decode()
    form = reverse("intake:response-edit", args=[extra.pk, kommun.pk])
    assert f'href="{form}"' in html
    response = client.post(
        form, {"version": 0, "action": "save", "kx01_resultat": "Kortare väntetider."}
    )
    assert response.status_code == 302
    assert extra.responses.get(organisation=kommun).answers.get().text == (
        "Kortare väntetider."
    )


def test_a_coordinator_cannot_bulk_send_to_every_kommun(
    rss_user: User, rss: RSS, extra: Questionnaire
) -> None:
    from intake.outreach import send_to_all_not_submitted
    from intake.rss_status import kommuner_in_year
    from surveys.errors import DomainError

    with pytest.raises(DomainError):
        send_to_all_not_submitted(
            extra,
            kind=MailingKind.REMINDER,
            kommuner=kommuner_in_year(2024),
            scope=None,
            actor=rss_user,
        )
