"""Sign-in by e-mail and password, the lockout after repeated failures (django-axes),
and sign-out (choosing a password: test_password_change.py). Real requests through the test client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import LazySettings
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from signin.backends import OidcBackend
from surveys.auth import EmailBackend, user_by_email
from surveys.models import User
from tests.second_factor import current_code, totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "secret-password"  # tests/conftest.py make_user


def sign_in(client: Client, email: str, password: str, **extra: Any) -> HttpResponse:
    data = {"username": email, "password": password, **extra.pop("data", {})}
    response: HttpResponse = client.post(reverse("surveys:login"), data, **extra)
    return response


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get(SESSION_KEY)
    return int(user_id) if user_id is not None else None


@pytest.fixture
def small_limit(settings: LazySettings) -> int:
    settings.AXES_FAILURE_LIMIT = 3
    return 3


def lock_out(client: Client, email: str, limit: int, **extra: Any) -> HttpResponse:
    for _ in range(limit - 1):
        assert sign_in(client, email, "wrong-password", **extra).status_code == 200
    return sign_in(client, email, "wrong-password", **extra)


# --- the login page ------------------------------------------------------------------


def test_the_login_page_is_swedish_and_labelled(client: Client) -> None:
    response = client.get(reverse("surveys:login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="sv">' in page
    assert "<h1>Logga in</h1>" in page
    assert '<label for="id_username">E-postadress</label>' in page
    assert '<label for="id_password">Lösenord</label>' in page
    assert 'type="email" name="username"' in page
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page
    assert '<button type="submit">Logga in</button>' in page
    assert reverse("surveys:login") == "/logga-in/"


def test_the_header_links_to_the_login_page(client: Client) -> None:
    page = client.get(reverse("surveys:home")).content.decode()
    assert f'<a href="{reverse("surveys:login")}">Logga in</a>' in page
    assert "Logga ut" not in page


def test_protected_pages_send_visitors_to_the_login_page(client: Client) -> None:
    response = client.get(reverse("intake:response-list"))
    assert response.status_code == 302
    assert response["Location"] == "/logga-in/?next=/mina-enkater/"


# --- signing in ----------------------------------------------------------------------


def test_it_signs_in_with_the_address_in_any_case(
    client: Client, region_user: User
) -> None:
    response = sign_in(client, "  Kontakt@SORMLAND.test ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:home")
    assert signed_in_as(client) == region_user.pk
    page = client.get(reverse("surveys:home")).content.decode()
    assert "Logga ut" in page


def test_it_returns_to_the_page_that_asked_for_login(
    client: Client, kommun_user: User
) -> None:
    response = sign_in(
        client, kommun_user.email, PASSWORD, data={"next": "/mina-enkater/"}
    )
    assert response["Location"] == "/mina-enkater/"


def test_it_ignores_a_next_page_on_another_site(
    client: Client, kommun_user: User
) -> None:
    response = sign_in(
        client, kommun_user.email, PASSWORD, data={"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("surveys:home")


def test_a_wrong_password_shows_a_swedish_error_and_keeps_the_address(
    client: Client, region_user: User
) -> None:
    response = sign_in(client, "Kontakt@sormland.test", "wrong-password")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Det gick inte att logga in" in page
    assert (
        '<p id="inloggningsfel">Fel e-postadress eller lösenord. '
        "Kontrollera uppgifterna och försök igen.</p>"
    ) in page
    assert 'value="Kontakt@sormland.test"' in page
    assert "wrong-password" not in page
    assert page.count('aria-describedby="inloggningsfel"') == 2
    assert signed_in_as(client) is None


def test_an_unknown_address_gets_the_same_message(client: Client) -> None:
    page = sign_in(client, "ingen@example.test", PASSWORD).content.decode()
    assert "Fel e-postadress eller lösenord." in page


def test_empty_fields_are_marked_next_to_the_fields_and_at_the_top(
    client: Client,
) -> None:
    page = sign_in(client, "", "").content.decode()
    assert (
        '<a href="#id_username">E-postadress: Det här fältet är obligatoriskt.</a>'
        in page
    )
    assert '<ul class="errorlist" id="id_username_error">' in page
    assert 'aria-invalid="true" aria-describedby="id_username_error"' in page
    assert 'aria-invalid="true" aria-describedby="id_password_error"' in page


def test_an_inactive_user_cannot_sign_in(client: Client, region_user: User) -> None:
    region_user.is_active = False
    region_user.save(update_fields=["is_active"])
    response = sign_in(client, region_user.email, PASSWORD)
    assert response.status_code == 200
    assert signed_in_as(client) is None


# --- the lockout (django-axes) -------------------------------------------------------


def test_the_failure_limit_locks_out_even_the_right_password(
    client: Client, region_user: User, small_limit: int
) -> None:
    response = lock_out(client, region_user.email, small_limit)
    assert response.status_code == 429
    response = sign_in(client, region_user.email, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "<h1>För många inloggningsförsök</h1>" in page
    assert "Försök igen om 15 minuter." in page
    assert signed_in_as(client) is None


def test_the_default_limit_is_five(client: Client, region_user: User) -> None:
    for _ in range(4):
        assert sign_in(client, region_user.email, "wrong").status_code == 200
    assert sign_in(client, region_user.email, "wrong").status_code == 429


def test_changing_the_case_of_the_address_does_not_reset_the_count(
    client: Client, region_user: User, small_limit: int
) -> None:
    for email in ["kontakt@sormland.test", "KONTAKT@sormland.test"]:
        assert sign_in(client, email, "wrong").status_code == 200
    assert sign_in(client, "Kontakt@Sormland.test", "wrong").status_code == 429
    assert sign_in(client, "kontakt@sormland.TEST", PASSWORD).status_code == 429


def test_the_lockout_is_per_address_and_ip(
    client: Client, region_user: User, other_region_user: User, small_limit: int
) -> None:
    lock_out(client, region_user.email, small_limit)
    # A colleague on the same network signs in...
    assert sign_in(Client(), other_region_user.email, PASSWORD).status_code == 302
    # ...and so does the locked-out user from another address.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(elsewhere, region_user.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(
    client: Client, region_user: User, small_limit: int
) -> None:
    for _ in range(small_limit - 1):
        sign_in(client, region_user.email, "wrong")
    assert sign_in(client, region_user.email, PASSWORD).status_code == 302
    again = Client()
    for _ in range(small_limit - 1):
        assert sign_in(again, region_user.email, "wrong").status_code == 200
    assert sign_in(again, region_user.email, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cooloff(
    client: Client, region_user: User, small_limit: int
) -> None:
    lock_out(client, region_user.email, small_limit)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert sign_in(client, region_user.email, PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_address_counts(
    client: Client, region_user: User, small_limit: int, settings: LazySettings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    lock_out(client, region_user.email, small_limit, HTTP_X_FORWARDED_FOR="203.0.113.5")
    # The client cannot escape by adding an address in front of the proxy's entry.
    forged = sign_in(
        client,
        region_user.email,
        PASSWORD,
        HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5",
    )
    assert forged.status_code == 429
    # Another client behind the same proxy is not locked out.
    other = sign_in(
        Client(), region_user.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert other.status_code == 302


def test_the_admin_login_still_works(client: Client, staff_user: User) -> None:
    response = client.post(
        reverse("admin:login"),
        {
            "username": "Staff@Socialstyrelsen.test",
            "password": PASSWORD,
            "next": "/admin/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    # Staff then pass their second factor (issue #18 point 4) before the admin.
    refused = client.get(reverse("admin:index"))
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("signin:second-factor"))
    client.post(
        reverse("signin:second-factor"),
        {"token": current_code(totp_device(staff_user))},
    )
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_is_throttled_too(
    client: Client, staff_user: User, small_limit: int
) -> None:
    for _ in range(small_limit):
        response = client.post(
            reverse("admin:login"), {"username": staff_user.email, "password": "wrong"}
        )
    assert response.status_code == 429
    response = client.post(
        reverse("admin:login"), {"username": staff_user.email, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert signed_in_as(client) is None


# --- signing out ---------------------------------------------------------------------


def test_signing_out_takes_a_post(client: Client, region_user: User) -> None:
    client.force_login(region_user)
    assert client.get(reverse("surveys:logout")).status_code == 405
    assert signed_in_as(client) == region_user.pk
    response = client.post(reverse("surveys:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:home")
    assert signed_in_as(client) is None


def test_the_header_has_a_logout_button_for_signed_in_users(
    client: Client, kommun_user: User
) -> None:
    client.force_login(kommun_user)
    page = client.get(reverse("surveys:home")).content.decode()
    assert f'<form method="post" action="{reverse("surveys:logout")}"' in page
    assert ">Logga ut</button>" in page
    assert ">Logga in</a>" not in page


def test_the_one_user_finder_matches_the_address_in_any_case(
    region_user: User,
) -> None:
    assert user_by_email("  Kontakt@Sormland.TEST ") == region_user
    assert user_by_email("kontakt@kronoberg.test") is None


# --- the user of every signed-in request (surveys.auth.SessionUserBackend) ---------


def test_each_request_reads_the_user_as_the_orm_does(
    client: Client, region_user: User
) -> None:
    """The backend's compiled read gives the user the ORM's `get` gives, field
    by field, and the page it serves is the signed-in user's."""
    read = EmailBackend().get_user(region_user.pk)
    expected = User.objects.get(pk=region_user.pk)
    assert read is not None
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname)
    assert read._state.adding is False and read._state.db == "default"
    client.force_login(region_user, backend="surveys.auth.EmailBackend")
    page = client.get(reverse("intake:response-list"))
    assert page.status_code == 200
    assert region_user.email in page.content.decode()


def test_a_deactivated_user_is_signed_out_on_the_next_request(
    client: Client, region_user: User
) -> None:
    client.force_login(region_user, backend="surveys.auth.EmailBackend")
    assert client.get(reverse("intake:response-list")).status_code == 200
    User.objects.filter(pk=region_user.pk).update(is_active=False)
    response = client.get(reverse("intake:response-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:login"))


@pytest.mark.parametrize("user_id", [10**9, 2**63, "x", None])
def test_an_unknown_or_malformed_id_is_no_user(user_id: Any) -> None:
    assert EmailBackend().get_user(user_id) is None
    assert OidcBackend().get_user(user_id) is None
