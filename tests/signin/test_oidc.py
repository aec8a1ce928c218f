"""OpenID Connect sign-in against a real provider in its own process (issue #18
point 4): discovery, the authorization code flow with PKCE, the token endpoint,
userinfo and the ID token's signature against the provider's JWKS."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from signin.models import OidcIdentity
from surveys.models import OrganisationRole, Region, User
from tests.conftest import make_user
from tests.signin.conftest import Provider

pytestmark = pytest.mark.django_db


def authorize_at_provider(
    client: Client, provider: Provider, sub: str, **extra: str
) -> tuple[str, dict[str, list[str]]]:
    """Our service's redirect to the provider, and the provider's redirect back
    after `sub` signed in there (the test plays the person at the provider)."""
    start = client.get(reverse("signin:oidc-start"), {"next": "/konto/losenord/"})
    assert start.status_code == 302
    location = start["Location"]
    assert location.startswith(f"{provider.url}/authorize?")
    query = parse_qs(urlsplit(location).query)
    at_provider = requests.get(
        location + "&" + urlencode({"user": sub, **extra}),
        allow_redirects=False,
        timeout=10,
    )
    assert at_provider.status_code == 302, at_provider.text
    back = at_provider.headers["Location"]
    assert back.startswith("http://testserver/logga-in/oidc/retur/?")
    return back.removeprefix("http://testserver"), query


def sign_in(client: Client, provider: Provider, sub: str, **extra: str):  # type: ignore[no-untyped-def]
    callback, _ = authorize_at_provider(client, provider, sub, **extra)
    return client.get(callback)


def signed_in_user(client: Client) -> object:
    return client.get(reverse("surveys:home")).wsgi_request.user


def test_the_login_page_offers_the_provider(
    client: Client, oidc_settings: Provider
) -> None:
    page = client.get(reverse("surveys:login"))
    assert "Logga in via din organisation" in page.content.decode()
    assert reverse("signin:oidc-start") in page.content.decode()


def test_without_configuration_there_is_no_button_and_no_flow(client: Client) -> None:
    assert (
        "Logga in via din organisation"
        not in client.get(reverse("surveys:login")).content.decode()
    )
    assert client.get(reverse("signin:oidc-start")).status_code == 404


def test_the_flow_uses_pkce_state_and_nonce(
    client: Client, oidc_settings: Provider
) -> None:
    _, query = authorize_at_provider(client, oidc_settings, "sub-known")
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid email profile"]


def test_a_verified_email_matches_the_account_and_the_subject_is_recorded(
    client: Client, oidc_settings: Provider, region: Region
) -> None:
    user = make_user("kand.person@region.test", region)
    response = sign_in(client, oidc_settings, "sub-known")
    assert response.status_code == 302
    assert response["Location"] == "/konto/losenord/"
    assert signed_in_user(client) == user
    identity = OidcIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (oidc_settings.url, "sub-known")


def test_a_recorded_subject_matches_even_after_the_address_changed(
    client: Client, oidc_settings: Provider, region: Region
) -> None:
    user = make_user("ny.adress@region.test", region)
    OidcIdentity.objects.create(
        user=user, issuer=oidc_settings.url, subject="sub-known"
    )
    assert sign_in(client, oidc_settings, "sub-known").status_code == 302
    assert signed_in_user(client) == user


def test_an_unknown_person_is_refused_and_gets_no_account(
    client: Client, oidc_settings: Provider
) -> None:
    response = sign_in(client, oidc_settings, "sub-stranger")
    assert response.status_code == 403
    assert "Det finns inget konto" in response.content.decode()
    assert not User.objects.filter(email="okand@region.test").exists()
    assert not signed_in_user(client).is_authenticated  # type: ignore[attr-defined]


def test_unknown_people_get_an_account_only_where_configured(
    client: Client, oidc_settings: Provider, settings: object
) -> None:
    settings.OIDC_CREATE_USERS = True  # type: ignore[attr-defined]
    assert sign_in(client, oidc_settings, "sub-stranger").status_code == 302
    created = User.objects.get(email="okand@region.test")
    assert not OrganisationRole.objects.filter(user=created).exists()
    assert signed_in_user(client) == created


def test_an_unverified_email_matches_nobody(
    client: Client, oidc_settings: Provider, staff_user: User
) -> None:
    response = sign_in(client, oidc_settings, "sub-unverified")
    assert response.status_code == 403
    assert not OidcIdentity.objects.exists()
    assert not signed_in_user(client).is_authenticated  # type: ignore[attr-defined]


def test_an_inactive_account_is_refused(
    client: Client, oidc_settings: Provider
) -> None:
    make_user("avstangd@region.test", is_active=False)
    response = sign_in(client, oidc_settings, "sub-inactive")
    assert response.status_code == 403
    assert "Ditt konto är avstängt" in response.content.decode()
    assert not signed_in_user(client).is_authenticated  # type: ignore[attr-defined]


def test_a_bad_state_is_refused(
    client: Client, oidc_settings: Provider, region: Region
) -> None:
    make_user("kand.person@region.test", region)
    callback, _ = authorize_at_provider(client, oidc_settings, "sub-known")
    forged = callback.replace("state=", "state=x")
    response = client.get(forged)
    assert response.status_code == 400
    assert "Börja om från inloggningssidan" in response.content.decode()
    assert not signed_in_user(client).is_authenticated  # type: ignore[attr-defined]


def test_a_callback_from_another_browser_is_refused(
    client: Client, oidc_settings: Provider, region: Region
) -> None:
    """A code and state started in one session and replayed in another (login CSRF)."""
    make_user("kand.person@region.test", region)
    callback, _ = authorize_at_provider(client, oidc_settings, "sub-known")
    other = Client()
    assert other.get(callback).status_code == 400
    assert not signed_in_user(other).is_authenticated  # type: ignore[attr-defined]


def test_a_bad_nonce_is_refused(
    client: Client,
    oidc_settings: Provider,
    region: Region,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The provider signs the nonce it was sent; one swapped on the way is refused."""
    make_user("kand.person@region.test", region)
    start = client.get(reverse("signin:oidc-start"))
    location = start["Location"].replace("nonce=", "nonce=swapped")
    at_provider = requests.get(
        location + "&user=sub-known", allow_redirects=False, timeout=10
    )
    callback = at_provider.headers["Location"].removeprefix("http://testserver")
    response = client.get(callback)
    assert response.status_code == 400
    assert "Invalid claim: 'nonce'" in caplog.text
    assert not OidcIdentity.objects.exists()
    assert not signed_in_user(client).is_authenticated  # type: ignore[attr-defined]


def test_an_id_token_signed_with_another_key_is_refused(
    client: Client,
    oidc_settings: Provider,
    region: Region,
    caplog: pytest.LogCaptureFixture,
) -> None:
    make_user("kand.person@region.test", region)
    response = sign_in(client, oidc_settings, "sub-known", rogue_key="1")
    assert response.status_code == 400
    assert "bad_signature" in caplog.text
    assert not signed_in_user(client).is_authenticated  # type: ignore[attr-defined]


def test_the_provider_reporting_an_error_is_shown_in_swedish(
    client: Client, oidc_settings: Provider
) -> None:
    client.get(reverse("signin:oidc-start"))
    response = client.get(
        reverse("signin:oidc-callback"), {"error": "access_denied", "state": "x"}
    )
    assert response.status_code == 400
    assert "kunde inte slutföras" in response.content.decode()


def test_staff_signed_in_through_the_provider_still_need_the_second_factor(
    client: Client, oidc_settings: Provider, staff_user: User
) -> None:
    assert sign_in(client, oidc_settings, "sub-staff").status_code == 302
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin:second-factor"))
