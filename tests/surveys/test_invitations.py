"""Invitations: staff invite by e-mail, the one-time sign-in link (django-sesame),
the user admin's action and the invite page. E-mail goes through the real
on-commit path and the (eager) Celery task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import LazySettings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from surveys.errors import DomainError
from surveys.models import Kommun, OrganisationRole, Region, User
from surveys.services.accounts import invite_user, send_invitation, set_user_password

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def link_in(message: mail.EmailMessage) -> str:
    """The sign-in link in an invitation, as a path for the test client."""
    (line,) = [
        line for line in message.body.splitlines() if "/inloggning/lank/" in line
    ]
    parts = urlsplit(line.strip())
    return f"{parts.path}?{parts.query}"


def token_in(link: str) -> str:
    return parse_qs(urlsplit(link).query)["sesame"][0]


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get(SESSION_KEY)
    return int(user_id) if user_id is not None else None


@pytest.fixture
def invited(
    staff_user: User, region: Region, django_capture_on_commit_callbacks: Capture
) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        return invite_user(
            email="Ny.Kontakt@Sormland.test",
            organisation=region,
            actor=staff_user,
            first_name="Nora",
            last_name="Nilsson",
        )


# --- the service and the e-mail ------------------------------------------------------


def test_inviting_sends_one_email_after_commit(
    staff_user: User,
    region: Region,
    django_capture_on_commit_callbacks: Capture,
    settings: LazySettings,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        user = invite_user(
            email="Ny.Kontakt@Sormland.test",
            organisation=region,
            actor=staff_user,
            first_name="Nora",
        )
    assert mail.outbox == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()

    (message,) = mail.outbox
    assert message.to == ["ny.kontakt@sormland.test"]
    assert message.subject == "Inbjudan till Nära vård-uppföljningen"
    assert message.body.startswith("Hej Nora!")
    assert "Du kan svara för: Region Sörmland." in message.body
    assert "Länken fungerar en gång och gäller till och med" in message.body
    assert f"{settings.SITE_URL}/konto/losenord/" in message.body
    link = next(line for line in message.body.splitlines() if "sesame=" in line)
    assert link.startswith(f"{settings.SITE_URL}/inloggning/lank/?sesame=")
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html

    assert user.email == user.username == "ny.kontakt@sormland.test"
    assert not user.has_usable_password()
    assert OrganisationRole.objects.filter(user=user, organisation=region).exists()


def test_inviting_an_existing_user_reuses_the_account(
    staff_user: User,
    region_user: User,
    other_region: Region,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    users_before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        user = invite_user(
            email="KONTAKT@sormland.test",
            organisation=other_region,
            actor=staff_user,
            first_name="Karin",
        )
    assert user.pk == region_user.pk
    assert User.objects.count() == users_before
    user.refresh_from_db()
    assert user.check_password("secret-password"), "the password is kept"
    assert user.first_name == "Karin", "a blank name is filled in"
    assert set(user.roles.values_list("organisation__code", flat=True)) == {"04", "07"}
    assert len(mail.outbox) == 1


def test_inviting_twice_keeps_one_role(
    staff_user: User,
    invited: User,
    region: Region,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite_user(email=invited.email, organisation=region, actor=staff_user)
    assert invited.roles.count() == 1
    assert len(mail.outbox) == 2


def test_staff_can_invite_without_an_organisation(
    staff_user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = invite_user(
            email="analytiker@socialstyrelsen.test", organisation=None, actor=staff_user
        )
    assert not user.roles.exists()
    (message,) = mail.outbox
    assert "Du kan svara för" not in message.body


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_invite(
    persona: str,
    region: Region,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    actor = request.getfixturevalue(persona)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError, match="Bara Socialstyrelsen"),
    ):
        invite_user(email="ny@sormland.test", organisation=region, actor=actor)
    assert not User.objects.filter(email="ny@sormland.test").exists()
    assert mail.outbox == []


def test_an_invalid_address_is_refused(staff_user: User) -> None:
    with pytest.raises(ValidationError) as caught:
        invite_user(email="inte en adress", organisation=None, actor=staff_user)
    assert "email" in caught.value.message_dict


def test_an_inactive_account_is_not_invited(
    staff_user: User, region_user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    region_user.is_active = False
    region_user.save(update_fields=["is_active"])
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError, match="avstängt"),
    ):
        invite_user(email=region_user.email, organisation=None, actor=staff_user)
    assert mail.outbox == []


# --- the link ------------------------------------------------------------------------


def confirm(client: Client, link: str) -> Any:
    """Open the link and press "Logga in" on the page it shows."""
    page = client.get(link)
    assert page.status_code == 200
    token = token_in(link)
    return client.post(reverse("surveys:magic-login"), {"sesame": token})


def test_opening_the_link_asks_before_signing_in(client: Client, invited: User) -> None:
    link = link_in(mail.outbox[0])
    response = client.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Logga in med inloggningslänken</h1>" in page
    assert "ny.kontakt@sormland.test" in page
    assert f'<form method="post" action="{reverse("surveys:magic-login")}">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    token = token_in(link)
    assert f'<input type="hidden" name="sesame" value="{token}">' in page
    assert '<button type="submit">Logga in</button>' in page
    assert "no-store" in response["Cache-Control"]
    assert signed_in_as(client) is None
    invited.refresh_from_db()
    assert invited.last_login is None, "a GET does not spend the link"


def test_a_mail_scanner_opening_the_link_does_not_use_it_up(
    client: Client, invited: User
) -> None:
    link = link_in(mail.outbox[0])
    scanner = Client()
    assert scanner.get(link).status_code == 200
    assert scanner.get(link).status_code == 200
    assert signed_in_as(scanner) is None
    response = confirm(client, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:home")
    assert signed_in_as(client) == invited.pk


def test_the_link_signs_the_user_in_once(client: Client, invited: User) -> None:
    link = link_in(mail.outbox[0])
    response = confirm(client, link)
    assert response.status_code == 302
    assert signed_in_as(client) == invited.pk

    token = token_in(link)
    second = Client()
    response = second.post(reverse("surveys:magic-login"), {"sesame": token})
    assert response.status_code == 403
    assert "Inloggningslänken fungerar inte" in response.content.decode()
    assert signed_in_as(second) is None
    # Opening the used link again says so at once, before any button.
    response = Client().get(link)
    assert response.status_code == 403
    assert "Inloggningslänken fungerar inte" in response.content.decode()


def test_the_confirmation_needs_the_csrf_token(invited: User) -> None:
    link = link_in(mail.outbox[0])
    client = Client(enforce_csrf_checks=True)
    token = token_in(link)
    response = client.post(reverse("surveys:magic-login"), {"sesame": token})
    assert response.status_code == 403
    assert signed_in_as(client) is None
    invited.refresh_from_db()
    assert invited.last_login is None


def test_the_link_keeps_a_safe_next_page(client: Client, invited: User) -> None:
    link = link_in(mail.outbox[0]) + "&next=/mina-enkater/"
    page = client.get(link).content.decode()
    assert '<input type="hidden" name="next" value="/mina-enkater/">' in page
    token = token_in(link_in(mail.outbox[0]))
    response = client.post(
        reverse("surveys:magic-login"), {"sesame": token, "next": "/mina-enkater/"}
    )
    assert response["Location"] == "/mina-enkater/"


def test_the_link_ignores_a_next_page_on_another_site(
    client: Client, invited: User
) -> None:
    link = link_in(mail.outbox[0])
    page = client.get(link + "&next=https://evil.example/").content.decode()
    assert "evil.example" not in page
    token = token_in(link)
    response = client.post(
        reverse("surveys:magic-login"),
        {"sesame": token, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("surveys:home")


def test_an_expired_link_is_refused(
    client: Client, invited: User, settings: LazySettings
) -> None:
    link = link_in(mail.outbox[0])
    assert client.get(link).status_code == 200
    # Any token is at least 0 seconds old: with a limit of 0, every link has expired.
    settings.SESAME_MAX_AGE = 0
    response = client.get(link)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Inloggningslänken fungerar inte" in page
    assert f'href="{reverse("surveys:login")}"' in page
    token = token_in(link)
    response = client.post(reverse("surveys:magic-login"), {"sesame": token})
    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_the_link_expires_after_seven_days_by_default(settings: LazySettings) -> None:
    assert settings.SESAME_MAX_AGE == 7 * 24 * 60 * 60
    assert settings.SESAME_ONE_TIME is True


def test_choosing_a_password_voids_unused_links(client: Client, invited: User) -> None:
    link = link_in(mail.outbox[0])
    set_user_password(invited, actor=invited, password="Sörmland-svarar-2025")
    assert client.get(link).status_code == 403


def test_a_deactivated_users_link_is_refused(client: Client, invited: User) -> None:
    link = link_in(mail.outbox[0])
    User.objects.filter(pk=invited.pk).update(is_active=False)
    assert client.get(link).status_code == 403
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    "query", ["", "?sesame=", "?sesame=AAAAAAAAAAAAAAAAAAAAAAAAAAAA"]
)
def test_a_damaged_link_is_refused_in_swedish(client: Client, query: str) -> None:
    response = client.get(reverse("surveys:magic-login") + query)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Inloggningslänken fungerar inte" in page
    assert f'href="{reverse("surveys:login")}"' in page
    token = query.removeprefix("?sesame=")
    response = client.post(reverse("surveys:magic-login"), {"sesame": token})
    assert response.status_code == 403
    assert "Inloggningslänken fungerar inte" in response.content.decode()


def test_after_the_link_the_user_chooses_a_password(
    client: Client, invited: User
) -> None:
    confirm(client, link_in(mail.outbox[0]))
    assert client.get(reverse("surveys:password-set")).status_code == 200
    response = client.post(
        reverse("surveys:password-set"),
        {
            "new_password1": "Sörmland-svarar-2025",
            "new_password2": "Sörmland-svarar-2025",
        },
    )
    assert response.status_code == 302
    response = Client().post(
        reverse("surveys:login"),
        {"username": invited.email, "password": "Sörmland-svarar-2025"},
    )
    assert response.status_code == 302


# --- the user admin's action ---------------------------------------------------------


def run_action(client: Client, users: list[User], **extra: Any) -> Any:
    return client.post(
        reverse("admin:surveys_user_changelist"),
        {"action": "send_invitation_link", "_selected_action": [u.pk for u in users]},
        **extra,
    )


def test_staff_send_invitations_from_the_user_admin(
    client: Client,
    staff_user: User,
    region_user: User,
    kommun_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(staff_user)
    changelist = client.get(reverse("admin:surveys_user_changelist")).content.decode()
    assert "Skicka inbjudan med inloggningslänk" in changelist
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, [region_user, kommun_user], follow=True)
    assert response.status_code == 200
    assert (
        "Inbjudan med inloggningslänk skickas till 2 användare."
        in response.content.decode()
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [kommun_user.email, region_user.email]
    )
    # The links work.
    for message in mail.outbox:
        assert confirm(Client(), link_in(message)).status_code == 302


def test_the_admin_action_skips_inactive_users(
    client: Client,
    staff_user: User,
    region_user: User,
    kommun_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    kommun_user.is_active = False
    kommun_user.save(update_fields=["is_active"])
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, [region_user, kommun_user], follow=True)
    page = response.content.decode()
    assert (
        f"Kontot för {kommun_user.email} är avstängt; ingen inbjudan skickades." in page
    )
    assert "skickas till 1 användare" in page
    assert [m.to for m in mail.outbox] == [[region_user.email]]


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_use_the_admin_action(
    client: Client,
    persona: str,
    region_user: User,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, [region_user])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert mail.outbox == []


def test_the_service_refuses_a_respondent(region_user: User, kommun_user: User) -> None:
    with pytest.raises(DomainError):
        send_invitation(kommun_user, actor=region_user)


# --- the invite page -----------------------------------------------------------------


def test_staff_invite_from_the_invite_page(
    client: Client,
    staff_user: User,
    kommun: Kommun,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(staff_user)
    page = client.get(reverse("surveys:user-invite")).content.decode()
    assert "<h1>Bjud in användare</h1>" in page
    assert '<label for="id_email">E-postadress</label>' in page
    assert "Växjö (kommun)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("surveys:user-invite"),
            {"email": "Ny@Vaxjo.test", "first_name": "Vera", "organisation": kommun.pk},
            follow=True,
        )
    assert response.redirect_chain == [(reverse("surveys:user-invite"), 302)]
    assert (
        "En inbjudan med inloggningslänk har skickats till ny@vaxjo.test."
        in response.content.decode()
    )
    user = User.objects.get(email="ny@vaxjo.test")
    assert list(user.roles.values_list("organisation", flat=True)) == [kommun.pk]
    (message,) = mail.outbox
    assert "Du kan svara för: Växjö." in message.body


def test_the_invite_page_shows_errors_and_keeps_the_input(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    response = client.post(
        reverse("surveys:user-invite"),
        {"email": "inte en adress", "first_name": "Vera"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Inbjudan skickades inte" in page
    assert "Ange en giltig mejladress." in page
    assert 'value="Vera"' in page
    assert mail.outbox == []


def test_the_invite_page_requires_login(client: Client) -> None:
    response = client.get(reverse("surveys:user-invite"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:login"))


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_open_the_invite_page(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("surveys:user-invite")).status_code == 403
    response = client.post(reverse("surveys:user-invite"), {"email": "ny@vaxjo.test"})
    assert response.status_code == 403
    assert not User.objects.filter(email="ny@vaxjo.test").exists()
