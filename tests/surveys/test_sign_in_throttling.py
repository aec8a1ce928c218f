"""Sign-in throttling across users (issue #13 point 9): a sign-in link's failures
count under that link, not against everyone behind the same IP address, and a
separate limit per IP address catches many failures spread over addresses and
links. Real requests through the test client; django-axes' real database handler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import LazySettings
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_token

from surveys.auth import LINK_KEY_PREFIX
from surveys.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "secret-password"  # tests/conftest.py make_user
OFFICE = "203.0.113.10"
HOME = "198.51.100.7"


def office() -> Client:
    """A browser in the office: every colleague shares one IP address."""
    return Client(REMOTE_ADDR=OFFICE)


def spent_token(user: User) -> str:
    """A link the user has already used (the one-time token is spent)."""
    token = get_token(user)
    response = Client().post(reverse("surveys:magic-login"), {"sesame": token})
    assert response.status_code == 302
    return token


def open_link(client: Client, token: str) -> HttpResponse:
    response: HttpResponse = client.get(
        reverse("surveys:magic-login"), {"sesame": token}
    )
    return response


def press_sign_in(client: Client, token: str) -> HttpResponse:
    response: HttpResponse = client.post(
        reverse("surveys:magic-login"), {"sesame": token}
    )
    return response


def sign_in(client: Client, email: str, password: str) -> HttpResponse:
    response: HttpResponse = client.post(
        reverse("surveys:login"), {"username": email, "password": password}
    )
    return response


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get(SESSION_KEY)
    return int(user_id) if user_id is not None else None


# --- per link ------------------------------------------------------------------------


def test_spent_links_from_one_office_do_not_lock_out_other_links(
    region_user: User, other_region_user: User, kommun_user: User
) -> None:
    # The issue: five clicks on spent links from one office IP locked out every
    # link sign-in from that IP for 15 minutes.
    spent = [spent_token(region_user), spent_token(other_region_user)]
    for _ in range(5):
        for token in spent:
            assert open_link(office(), token).status_code in (403, 429)
    # A colleague's fresh link from the same office still signs in.
    colleague = office()
    token = get_token(kommun_user)
    assert open_link(colleague, token).status_code == 200
    response = press_sign_in(colleague, token)
    assert response.status_code == 302
    assert signed_in_as(colleague) == kommun_user.pk
    # And so does a password sign-in from the office.
    assert sign_in(office(), region_user.email, PASSWORD).status_code == 302


def test_a_link_is_locked_after_the_failure_limit(
    region_user: User, other_region_user: User
) -> None:
    token = spent_token(region_user)
    for _ in range(4):
        response = open_link(office(), token)
        assert response.status_code == 403
        assert "Inloggningslänken fungerar inte" in response.content.decode()
    response = press_sign_in(office(), token)
    assert response.status_code == 429
    page = response.content.decode()
    assert "<h1>För många inloggningsförsök</h1>" in page
    assert "Den här inloggningslänken har använts utan att fungera 5 gånger" in page
    assert "Försök igen om 15 minuter." in page
    # Opening it again while locked says the same.
    response = open_link(office(), token)
    assert response.status_code == 429
    assert "Den här inloggningslänken har använts" in response.content.decode()
    # Neither the page nor the attempt rows show the token or its hash to anyone.
    assert token not in page
    assert LINK_KEY_PREFIX not in page
    assert AccessAttempt.objects.filter(username__contains=token).count() == 0
    attempt = AccessAttempt.objects.get()
    assert attempt.username.startswith(LINK_KEY_PREFIX)
    assert attempt.failures_since_start == 6
    assert token not in attempt.get_data + attempt.post_data
    # The lockout is that link's: another user's link from the office works.
    token = get_token(other_region_user)
    assert press_sign_in(office(), token).status_code == 302


def test_a_locked_password_address_does_not_lock_links(
    region_user: User, settings: LazySettings
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(office(), region_user.email, "wrong")
    assert sign_in(office(), region_user.email, PASSWORD).status_code == 429
    # The link sent to the same person still signs in from the office.
    client = office()
    assert press_sign_in(client, get_token(region_user)).status_code == 302
    assert signed_in_as(client) == region_user.pk


# --- per IP address ------------------------------------------------------------------


@pytest.fixture
def ip_limit(settings: LazySettings) -> int:
    settings.AXES_IP_FAILURE_LIMIT = 8
    return 8


def test_the_ip_limit_counts_failures_across_addresses_and_links(
    region_user: User, other_region_user: User, ip_limit: int
) -> None:
    # Spraying: a few tries on many addresses, each under the per-address limit,
    # and some broken links.
    for number in range(ip_limit - 2):
        assert (
            sign_in(office(), f"gissning{number}@example.test", "x").status_code == 200
        )
    assert open_link(office(), "trasig-lank-1").status_code == 403
    response = open_link(office(), "trasig-lank-2")
    # The failure that reaches the limit gets the lockout page.
    assert response.status_code == 429
    assert "alla inloggningar därifrån" in response.content.decode()
    # Now nothing from that address signs in, not even a right password or link.
    response = sign_in(office(), other_region_user.email, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert (
        "Väldigt många inloggningsförsök har misslyckats från din uppkoppling" in page
    )
    assert "Försök igen om 60 minuter." in page
    assert press_sign_in(office(), get_token(region_user)).status_code == 429
    # Other addresses are not affected.
    assert (
        sign_in(Client(REMOTE_ADDR=HOME), region_user.email, PASSWORD).status_code
        == 302
    )


def test_the_ip_limit_ends_when_the_failures_leave_the_window(
    region_user: User, ip_limit: int
) -> None:
    for number in range(ip_limit):
        sign_in(office(), f"gissning{number}@example.test", "x")
    assert sign_in(office(), region_user.email, PASSWORD).status_code == 429
    # An hour and a minute later (the window is AXES_IP_FAILURE_WINDOW_MINUTES).
    AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(minutes=61))
    assert sign_in(office(), region_user.email, PASSWORD).status_code == 302


def test_the_default_ip_limit_is_a_hundred_an_hour() -> None:
    assert django_settings.AXES_IP_FAILURE_LIMIT == 100
    assert django_settings.AXES_IP_FAILURE_WINDOW_MINUTES == 60
    # Axes' own per-address (and per-link) limit stays five.
    assert django_settings.AXES_FAILURE_LIMIT == 5
