"""Choosing and changing a password (surveys.views.password_set, issue #13 point 9):
a password is changed with the current one, except the first choice after a
sign-in link or when there is none yet. Real requests through the test client."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from sesame.utils import get_token

from surveys.errors import DomainError
from surveys.models import User
from surveys.services import set_user_password

pytestmark = pytest.mark.django_db

PASSWORD = "secret-password"  # tests/conftest.py make_user
NEW_PASSWORD = "Sörmland-svarar-2025"
URL = reverse("surveys:password-set")


def signs_in(email: str, password: str) -> bool:
    response = Client().post(
        reverse("surveys:login"), {"username": email, "password": password}
    )
    return response.status_code == 302


def sign_in_with_link(client: Client, user: User) -> None:
    response = client.post(reverse("surveys:magic-login"), {"sesame": get_token(user)})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == user.pk


def change(client: Client, **data: str) -> HttpResponse:
    response: HttpResponse = client.post(URL, data)
    return response


def test_choosing_a_password_requires_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/logga-in/?next=/konto/losenord/"


# --- with a password: the current one is asked for -----------------------------------


def test_changing_a_password_asks_for_the_current_one(
    client: Client, region_user: User
) -> None:
    response = client.post(
        reverse("surveys:login"), {"username": region_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "<h1>Byt lösenord</h1>" in page
    assert '<label for="id_old_password">Nuvarande lösenord</label>' in page
    assert 'autocomplete="current-password"' in page
    assert '<label for="id_new_password1">Nytt lösenord</label>' in page

    # Without the current password, nothing changes.
    response = change(client, new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD)
    assert response.status_code == 200
    assert "Lösenordet sparades inte" in response.content.decode()
    region_user.refresh_from_db()
    assert region_user.check_password(PASSWORD)


def test_a_wrong_current_password_is_refused_in_swedish(
    client: Client, region_user: User
) -> None:
    client.force_login(region_user)
    response = change(
        client,
        old_password="not-it",
        new_password1=NEW_PASSWORD,
        new_password2=NEW_PASSWORD,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Det nuvarande lösenordet stämmer inte. Skriv det igen." in page
    region_user.refresh_from_db()
    assert region_user.check_password(PASSWORD)


def test_a_user_changes_the_password_with_the_current_one(
    client: Client, region_user: User
) -> None:
    client.force_login(region_user)
    response = change(
        client,
        old_password=PASSWORD,
        new_password1=NEW_PASSWORD,
        new_password2=NEW_PASSWORD,
    )
    assert response["Location"] == reverse("surveys:password-set-done")
    # Still signed in, although the session is tied to the password hash.
    assert "Lösenordet är sparat" in client.get(response["Location"]).content.decode()
    assert signs_in(region_user.email, NEW_PASSWORD)
    assert not signs_in(region_user.email, PASSWORD)


def test_mismatched_passwords_are_refused_in_swedish(
    client: Client, region_user: User
) -> None:
    client.force_login(region_user)
    response = change(
        client,
        old_password=PASSWORD,
        new_password1=NEW_PASSWORD,
        new_password2=NEW_PASSWORD + "x",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lösenordet sparades inte" in page
    assert "De två lösenordsfälten stämmer inte överens." in page
    region_user.refresh_from_db()
    assert region_user.check_password(PASSWORD)


def test_django_s_own_messages_are_swedish_whatever_the_browser_asks_for(
    region_user: User,
) -> None:
    """Swedish is the only language: no middleware picks one per request (not
    even from a browser set to English), and Django's own texts are Swedish."""
    client = Client(headers={"accept-language": "en-GB,en;q=0.9"})
    client.force_login(region_user)
    response = change(
        client,
        old_password=PASSWORD,
        new_password1=NEW_PASSWORD,
        new_password2=NEW_PASSWORD + "x",
    )
    page = response.content.decode()
    assert "De två lösenordsfälten stämmer inte överens." in page
    assert "didn’t match" not in page


def test_a_short_password_is_refused(client: Client, region_user: User) -> None:
    client.force_login(region_user)
    response = change(
        client, old_password=PASSWORD, new_password1="kort", new_password2="kort"
    )
    assert response.status_code == 200
    assert "minst 8 tecken" in response.content.decode()
    region_user.refresh_from_db()
    assert region_user.check_password(PASSWORD)


# --- after a sign-in link, or without a password: no current one ----------------------


def test_an_invited_user_without_a_password_chooses_one(
    client: Client, region_user: User
) -> None:
    region_user.set_unusable_password()
    region_user.save()
    client.force_login(region_user)
    page = client.get(URL).content.decode()
    assert "<h1>Välj lösenord</h1>" in page
    assert "id_old_password" not in page
    response = change(client, new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD)
    assert response["Location"] == reverse("surveys:password-set-done")
    assert signs_in(region_user.email, NEW_PASSWORD)


def test_after_a_link_sign_in_the_first_choice_needs_no_current_password(
    client: Client, region_user: User
) -> None:
    # Someone who forgot the password is sent a link, then chooses a new one.
    sign_in_with_link(client, region_user)
    page = client.get(URL).content.decode()
    assert "<h1>Välj lösenord</h1>" in page
    assert "id_old_password" not in page
    response = change(client, new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD)
    assert response["Location"] == reverse("surveys:password-set-done")
    assert signs_in(region_user.email, NEW_PASSWORD)

    # The exemption is spent: the next change asks for the current password.
    page = client.get(URL).content.decode()
    assert "<h1>Byt lösenord</h1>" in page
    response = change(client, new_password1=PASSWORD, new_password2=PASSWORD)
    assert response.status_code == 200
    region_user.refresh_from_db()
    assert region_user.check_password(NEW_PASSWORD)


def test_a_password_sign_in_gets_no_exemption(
    client: Client, region_user: User
) -> None:
    response = client.post(
        reverse("surveys:login"), {"username": region_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = change(client, new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD)
    assert response.status_code == 200
    region_user.refresh_from_db()
    assert region_user.check_password(PASSWORD)


def test_nobody_sets_another_users_password(
    region_user: User, other_region_user: User
) -> None:
    with pytest.raises(DomainError):
        set_user_password(region_user, actor=other_region_user, password=NEW_PASSWORD)
    region_user.refresh_from_db()
    assert region_user.check_password(PASSWORD)
