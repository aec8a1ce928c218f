"""The staff's second factor (issue #18 point 4): enrolment with a QR code,
verification, recovery codes (hashed, each once), and every staff page and the
API refusing a staff session without it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.models import RecoveryCode, recovery_digest
from surveys.models import Region, User
from tests.conftest import make_user
from tests.second_factor import current_code, totp_device, unverified_force_login

pytestmark = pytest.mark.django_db

PASSWORD = "secret-password"
STEP = "/logga-in/tvastegs/"
ENROL = "/logga-in/tvastegs/aktivera/"


def password_sign_in(client: Client, user: User) -> None:
    response = client.post(
        reverse("surveys:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def enrol(client: Client, user: User) -> list[str]:
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"token": current_code(device)})
    assert response.status_code == 200
    codes: list[str] = response.context["codes"]
    return codes


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/konto/api-nycklar/",
        "/konto/bjud-in/",
        "/",
    ],
)
def test_a_staff_session_without_the_second_factor_is_sent_to_it(
    client: Client, staff_user: User, path: str
) -> None:
    password_sign_in(client, staff_user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{STEP}?next=")


def test_the_api_refuses_a_staff_session_without_the_second_factor(
    client: Client, staff_user: User
) -> None:
    password_sign_in(client, staff_user)
    response = client.get("/api/v1/questionnaires/")
    assert response.status_code == 403
    assert "andra faktor" in response.json()["detail"]


def test_staff_create_no_api_token_without_the_second_factor(
    client: Client, staff_user: User
) -> None:
    """A token is made by a verified session only (docs/api.md): neither the
    page nor the API creates one for a staff session past its password alone."""
    password_sign_in(client, staff_user)
    page = client.post(
        "/konto/api-nycklar/", {"name": "Skript", "scope": "read", "days": "30"}
    )
    assert page.status_code == 302
    api = client.post(
        "/api/v1/tokens/",
        {"name": "Skript", "scope": "read", "days": 30},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert not staff_user.api_tokens.exists()


def test_other_users_need_no_second_factor(client: Client, region: Region) -> None:
    user = make_user("kontakt@region.test", region)
    password_sign_in(client, user)
    assert client.get("/").status_code == 200
    assert client.get(ENROL).status_code == 404


def test_enrolment_shows_an_svg_qr_code_and_a_wrong_code_is_refused(
    client: Client, staff_user: User
) -> None:
    password_sign_in(client, staff_user)
    # Without an app yet, the step sends staff to enrolment.
    step = client.get(STEP)
    assert step.status_code == 302 and step["Location"] == ENROL
    page = client.get(ENROL)
    html = page.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "otpauth" not in svg and "style=" not in svg  # drawn, not linked; CSP-safe
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    wrong = f"{(int(current_code(device)) + 1) % 1000000:06d}"
    response = client.post(ENROL, {"token": wrong})
    assert response.status_code == 200
    assert "Koden stämmer inte" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_enrolment_confirms_the_app_and_shows_ten_recovery_codes_once(
    client: Client, staff_user: User
) -> None:
    password_sign_in(client, staff_user)
    codes = enrol(client, staff_user)
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    stored = set(
        RecoveryCode.objects.filter(user=staff_user).values_list("digest", flat=True)
    )
    assert stored == {recovery_digest(code) for code in codes}
    assert not any(code in digest for code in codes for digest in stored)
    # The session is verified now; enrolling again is not offered.
    assert client.get("/admin/").status_code == 200
    assert client.get(ENROL).status_code == 302


def test_the_code_from_the_app_verifies_a_new_session(
    client: Client, staff_user: User
) -> None:
    device = totp_device(staff_user)
    password_sign_in(client, staff_user)
    response = client.post(STEP, {"token": current_code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_in_swedish_and_the_session_stays_unverified(
    client: Client, staff_user: User
) -> None:
    device = totp_device(staff_user)
    password_sign_in(client, staff_user)
    wrong = f"{(int(current_code(device)) + 1) % 1000000:06d}"
    response = client.post(STEP, {"token": wrong})
    assert response.status_code == 200
    assert "Koden stämmer inte" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # django-otp's throttle: the next try, even with the right code, must wait.
    again = client.post(STEP, {"token": current_code(device)})
    assert "Vänta en stund" in again.content.decode()


def test_a_recovery_code_works_once(staff_user: User) -> None:
    first = Client()
    password_sign_in(first, staff_user)
    codes = enrol(first, staff_user)
    second = Client()
    password_sign_in(second, staff_user)
    response = second.post(STEP, {"token": codes[3].upper()})
    assert response.status_code == 302
    assert second.get("/admin/").status_code == 200
    assert (
        RecoveryCode.objects.filter(user=staff_user, used_at__isnull=False).count() == 1
    )
    third = Client()
    password_sign_in(third, staff_user)
    reused = third.post(STEP, {"token": codes[3]})
    assert reused.status_code == 200
    assert "Koden stämmer inte" in reused.content.decode()
    assert third.get("/admin/").status_code == 302


def test_force_login_alone_leaves_staff_unverified(
    client: Client, staff_user: User
) -> None:
    """The test suite's verified force_login is a fixture, not a switch in settings."""
    unverified_force_login(client, staff_user)
    assert client.get("/admin/").status_code == 302


def test_signing_out_stays_possible_before_the_second_factor(
    client: Client, staff_user: User
) -> None:
    password_sign_in(client, staff_user)
    response = client.post(reverse("surveys:logout"))
    assert response.status_code == 302
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_the_admin_lists_devices_without_their_keys(
    client: Client, staff_user: User
) -> None:
    """Staff delete a colleague's lost device in the admin, but cannot read its
    key or QR code and so cannot copy the colleague's second factor."""
    colleague = make_user(
        "kollega@socialstyrelsen.test", is_staff=True, is_superuser=True
    )
    device = totp_device(colleague)
    client.force_login(staff_user)
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200
    assert "kollega@socialstyrelsen.test" in listing.content.decode()
    change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key not in change.content.decode()
    assert (
        client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
    )
