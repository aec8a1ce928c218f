"""Personal API tokens: created and revoked by their owner from the browser,
stored hashed, shown once, with scope, expiry and revocation enforced."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from api.services import create_api_token
from surveys.formatting import swedish_datetime
from surveys.models import Questionnaire, Region, User
from tests.api.conftest import ApiClient, TokenFor

pytestmark = pytest.mark.django_db

PAGE = "/konto/api-nycklar/"


def test_the_page_creates_a_token_shown_once_and_stored_hashed(
    client: Client, region_user: User
) -> None:
    client.force_login(region_user)
    answer = client.post(PAGE, {"name": "Ärendesystem", "scope": "read", "days": "30"})
    assert answer.status_code == 200
    secret = answer.context["created"].secret
    assert secret.startswith("nv_")
    assert secret in answer.content.decode()
    token = ApiToken.objects.get(user=region_user)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert secret not in client.get(PAGE).content.decode(), "shown only once"
    assert ApiClient(secret).get("/api/v1/responses/").status_code == 200


def test_the_page_keeps_input_and_says_what_is_wrong(
    client: Client, region_user: User
) -> None:
    client.force_login(region_user)
    answer = client.post(PAGE, {"name": "System X", "scope": "read", "days": "9999"})
    assert answer.status_code == 400
    assert "System X" in answer.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_requires_login(client: Client) -> None:
    answer = client.get(PAGE)
    assert answer.status_code == 302
    assert "/logga-in/" in answer["Location"]


def test_the_owner_revokes_a_token_and_it_stops_working(
    client: Client, api_as: TokenFor, region_user: User
) -> None:
    api = api_as(region_user)
    assert api.get("/api/v1/responses/").status_code == 200
    client.force_login(region_user)
    token = ApiToken.objects.get(user=region_user)
    assert client.post(f"{PAGE}{token.pk}/aterkalla/").status_code == 302
    answer = api.get("/api/v1/responses/")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Nyckeln är återkallad."


def test_it_hides_other_users_tokens(
    client: Client, api_as: TokenFor, region_user: User, other_region_user: User
) -> None:
    api_as(region_user)
    token = ApiToken.objects.get(user=region_user)
    client.force_login(other_region_user)
    assert client.post(f"{PAGE}{token.pk}/aterkalla/").status_code == 404
    assert list(client.get(PAGE).context["tokens"]) == []
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_expired_token_is_refused(api_as: TokenFor, region_user: User) -> None:
    api = api_as(region_user)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = api.get("/api/v1/responses/")
    assert answer.status_code == 401
    assert "gått ut" in answer.json()["detail"]


def test_a_deactivated_users_token_is_refused(
    api_as: TokenFor, region_user: User
) -> None:
    api = api_as(region_user)
    User.objects.filter(pk=region_user.pk).update(is_active=False)
    assert api.get("/api/v1/responses/").status_code == 401


def test_a_read_token_reads_but_cannot_write(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    api = api_as(region_user, "read")
    url = f"/api/v1/responses/{region_questionnaire.pk}/{region.pk}/"
    assert api.get(url).status_code == 200
    answer = api.patch(url + "answers/", {"answers": {}}, **{"If-Match": '"0"'})
    assert answer.status_code == 403
    assert "bara läsa" in answer.json()["detail"]
    assert api.post(url + "submit/", **{"If-Match": '"0"'}).status_code == 403


def test_a_write_token_writes(
    api_as: TokenFor,
    region_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    url = f"/api/v1/responses/{region_questionnaire.pk}/{region.pk}/answers/"
    answer = api_as(region_user, "write").patch(
        url, {"answers": {}}, **{"If-Match": '"0"'}
    )
    assert answer.status_code == 200


def test_a_token_cannot_manage_tokens(api_as: TokenFor, region_user: User) -> None:
    api = api_as(region_user, "write")
    assert api.get("/api/v1/tokens/").status_code == 403
    created = api.post("/api/v1/tokens/", {"name": "x", "scope": "write", "days": 365})
    assert created.status_code == 403
    token = ApiToken.objects.get(user=region_user)
    assert api.delete(f"/api/v1/tokens/{token.pk}/").status_code == 403
    assert ApiToken.objects.count() == 1


def test_the_session_manages_tokens_through_the_api_with_csrf(
    region_user: User,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(region_user)
    refused = client.post(
        "/api/v1/tokens/",
        {"name": "x", "scope": "read"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get(PAGE)  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    created = client.post(
        "/api/v1/tokens/",
        {"name": "Integration", "scope": "read", "days": 7},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("nv_")
    listed = client.get("/api/v1/tokens/").json()
    assert [t["name"] for t in listed] == ["Integration"]
    assert "secret" not in listed[0]
    revoked = client.delete(
        f"/api/v1/tokens/{body['id']}/", headers={"X-CSRFToken": csrf}
    )
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False
    assert ApiClient(body["secret"]).get("/api/v1/responses/").status_code == 401


def test_a_token_writes_without_a_csrf_token(
    region_user: User, region: Region, region_questionnaire: Questionnaire
) -> None:
    """CSRF protects the session's cookie; a token is not sent by browsers on
    their own, so a program's write needs none."""
    secret = create_api_token(actor=region_user, name="x", scope="write", days=1).secret
    client = Client(enforce_csrf_checks=True)
    answer = client.patch(
        f"/api/v1/responses/{region_questionnaire.pk}/{region.pk}/answers/",
        data={"answers": {}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "If-Match": '"0"'},
    )
    assert answer.status_code == 200


def test_the_page_shows_when_a_token_was_last_used(
    client: Client, api_as: TokenFor, region_user: User
) -> None:
    api_as(region_user).get("/api/v1/questionnaires/")
    token = ApiToken.objects.get(user=region_user)
    assert token.last_used_at is not None
    client.force_login(region_user)
    page = client.get(PAGE).content.decode()
    assert swedish_datetime(token.last_used_at) in page
