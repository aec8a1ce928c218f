"""Error pages in Swedish, in the site's layout, with no technical text; JSON for
the page scripts' endpoints, whatever the error (issue #13, point 8)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from config import errors, urls
from intake.services import get_or_create_response
from surveys.models import Questionnaire, Region, User

pytestmark = pytest.mark.django_db

TECHNICAL = (
    "Server Error",
    "Not Found",
    "Forbidden",
    "Bad Request",
    "CSRF",
    "Traceback",
)


def assert_swedish_page(result: object, status: int, heading: str) -> None:
    assert result.status_code == status  # type: ignore[attr-defined]
    assert result["Content-Type"].startswith("text/html")  # type: ignore[index]
    page = result.content.decode()  # type: ignore[attr-defined]
    assert '<html lang="sv">' in page and 'class="brand"' in page  # the layout
    assert f"<h1>{heading}</h1>" in page
    assert "Till startsidan" in page
    for word in TECHNICAL:
        assert word not in page


def assert_json_error(result: object, status: int) -> dict[str, object]:
    assert result.status_code == status  # type: ignore[attr-defined]
    body = result.json()  # type: ignore[attr-defined]
    assert body["saved"] is False and body["message"]
    return body  # type: ignore[no-any-return]


def region_urls(region: Region) -> tuple[str, str]:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    return (
        reverse("intake:response-edit", args=[questionnaire.pk, region.pk]),
        reverse("intake:response-autosave", args=[questionnaire.pk, region.pk]),
    )


def test_the_handlers_are_named_in_the_urlconf_and_settings(settings: object) -> None:
    assert urls.handler400 is errors.bad_request
    assert urls.handler403 is errors.permission_denied
    assert urls.handler404 is errors.page_not_found
    assert urls.handler500 is errors.server_error
    assert settings.CSRF_FAILURE_VIEW == "config.errors.csrf_failure"  # type: ignore[attr-defined]


def test_404(client: Client, region_user: User) -> None:
    client.force_login(region_user)
    assert_swedish_page(client.get("/finns-inte/"), 404, "Sidan finns inte")
    missing = reverse("intake:response-autosave", args=[999999, 999999])
    assert_json_error(client.post(missing, {"version": 0}), 404)


def test_403(client: Client, staff_user: User, region: Region) -> None:
    # Staff may read a region's response but not write it.
    form_url, autosave_url = region_urls(region)
    get_or_create_response(
        Questionnaire.objects.get(cycle__year=2024, key="region"), organisation=region
    )
    client.force_login(staff_user)
    result = client.post(form_url, {"version": 0, "action": "save"})
    assert_swedish_page(result, 403, "Du har inte behörighet till det här")
    assert_json_error(client.post(autosave_url, {"version": 0}), 403)


def test_400(client: Client, region_user: User, region: Region) -> None:
    """More fields than a request may carry (DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    form_url, autosave_url = region_urls(region)
    client.force_login(region_user)
    flood = {f"falt{i}": "x" for i in range(1100)}
    assert_swedish_page(client.post(form_url, flood), 400, "Sidan kunde inte visas")
    assert_json_error(client.post(autosave_url, flood), 400)


@pytest.mark.urls("tests.error_urls")
def test_500(region_user: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(region_user)
    assert_swedish_page(client.get("/trasig/"), 500, "Något gick fel")
    assert_json_error(client.post("/trasig/autospara/"), 500)
    # A script asking for JSON gets JSON from any URL.
    result = client.get("/trasig/", HTTP_ACCEPT="application/json")
    assert_json_error(result, 500)
    # The REST API answers in its own shape (docs/api.md), also to a browser.
    api = client.get("/api/v1/trasig/", HTTP_ACCEPT="text/html")
    assert api.status_code == 500
    assert api.json() == {"detail": errors.SERVER_ERROR}


def test_csrf_failure_is_a_swedish_page_with_a_way_back(
    region_user: User, region: Region
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(region_user)
    form_url, autosave_url = region_urls(region)
    referer = f"http://testserver{form_url}"
    result = client.post(form_url, {"version": 0}, HTTP_REFERER=referer)
    assert_swedish_page(result, 403, "Sidan har blivit inaktuell")
    assert f'href="{referer}"' in result.content.decode()
    # Not a way back to another site.
    other = client.post(form_url, {"version": 0}, HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in other.content.decode()
    body = assert_json_error(client.post(autosave_url, {"version": 0}), 403)
    assert body["csrf_failed"] is True


def test_a_fresh_token_lets_the_page_save_again(
    region_user: User, region: Region
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(region_user)
    _, autosave_url = region_urls(region)
    token = client.get(reverse("csrf-token")).json()["csrf_token"]
    result = client.post(autosave_url, {"version": 0, "csrfmiddlewaretoken": token})
    assert result.status_code == 200 and result.json()["saved"] is True


def test_a_script_endpoint_answers_another_method_in_json(
    client: Client, region_user: User, region: Region
) -> None:
    _, autosave_url = region_urls(region)
    client.force_login(region_user)
    result = client.get(autosave_url)
    assert_json_error(result, 405)
    assert result["Allow"] == "POST"
