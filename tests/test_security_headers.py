"""Security headers and session lifetime (issue #13 point 9): the
Content-Security-Policy and templates it allows, `Cache-Control: no-store` for
signed-in users, HSTS and the https redirect, sessions that end when idle, and
`manage.py check --deploy` with the production example `.env.example`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.middleware import (
    ACTIVITY_RESOLUTION_SECONDS,
    LAST_ACTIVITY,
    SIGNED_IN_AT,
)
from surveys.models import Questionnaire, Region, User

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"


# --- Content-Security-Policy ---------------------------------------------------------


def directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.django_db
def test_every_page_has_a_policy_without_inline_code(
    client: Client, region_user: User, staff_user: User
) -> None:
    pages = [reverse("surveys:home"), reverse("surveys:login")]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200
        policy = directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    client.force_login(region_user)
    assert "Content-Security-Policy" in client.get(reverse("intake:response-list"))
    client.force_login(staff_user)
    assert "Content-Security-Policy" in client.get(reverse("admin:index"))
    # Error pages too.
    assert "Content-Security-Policy" in client.get("/finns-inte/")


def served_templates() -> list[Path]:
    # E-mails are rendered into messages, never served under the policy.
    return [
        path
        for path in TEMPLATES.rglob("*.html")
        if "emails" not in path.relative_to(TEMPLATES).parts
    ]


# Anything a policy without 'unsafe-inline' refuses: a <script> without src, a
# <style> element, a style attribute, an on…= event handler, a javascript: URL.
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style>": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_has_inline_script_or_style() -> None:
    templates = served_templates()
    assert len(templates) > 30
    offenders = [
        f"{path.relative_to(ROOT)}: {kind}"
        for path in templates
        for kind, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_template_scan_sees_inline_code() -> None:
    # The patterns must catch what the templates used to hold.
    found = {
        kind
        for sample in [
            '<button type="button" onclick="window.print()">',
            '<caption class="muted" style="text-align:left">',
            "<style>\n  .x { }\n</style>",
            "<script>alert(1)</script>",
            '<a href="javascript:void(0)">',
        ]
        for kind, pattern in INLINE.items()
        if pattern.search(sample)
    }
    assert found == set(INLINE)
    assert not any(
        pattern.search('<script src="/static/intake/form.js" defer></script>')
        for pattern in INLINE.values()
    )


# --- Cache-Control -------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_for_signed_in_users_are_not_stored(
    client: Client, region_user: User, region: Region
) -> None:
    anonymous = client.get(reverse("surveys:home"))
    assert "no-store" not in anonymous.get("Cache-Control", "")
    client.force_login(region_user)
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    for path in [
        reverse("surveys:home"),
        reverse("intake:response-list"),
        reverse("intake:response-edit", args=[questionnaire.pk, region.pk]),
        reverse("surveys:password-set"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control, path
        assert "private" in cache_control, path
    # JSON answers too (autosave).
    autosave = client.post(
        reverse("intake:response-autosave", args=[questionnaire.pk, region.pk]),
        {"version": 0},
    )
    assert "no-store" in autosave["Cache-Control"]


# --- sessions ------------------------------------------------------------------------


def move_clock(client: Client, *, minutes: float, key: str = LAST_ACTIVITY) -> None:
    """Move time forward for this session: its stored time goes back by `minutes`."""
    session = client.session
    session[key] = float(session[key]) - minutes * 60
    session.save()


@pytest.mark.django_db
def test_an_idle_session_ends_after_sixty_minutes(
    client: Client, region_user: User
) -> None:
    client.force_login(region_user)
    assert client.get(reverse("intake:response-list")).status_code == 200
    move_clock(client, minutes=59)
    assert client.get(reverse("intake:response-list")).status_code == 200
    move_clock(client, minutes=61)
    response = client.get(reverse("intake:response-list"))
    assert response.status_code == 302
    assert response["Location"] == "/logga-in/?next=/mina-enkater/"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert (
        "Du har loggats ut eftersom du inte har använt tjänsten på 60 minuter." in page
    )


def session_writes(client: Client, path: str) -> int:
    """The writes of the session row while `path` is requested."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(
        q["sql"].startswith("UPDATE") and "django_session" in q["sql"] for q in queries
    )


@pytest.mark.django_db
def test_the_session_row_is_written_at_most_once_a_minute(
    client: Client, region_user: User
) -> None:
    path = reverse("intake:response-list")
    client.force_login(region_user)
    assert session_writes(client, path) == 0  # signing in recorded the activity
    assert session_writes(client, path) == 0
    move_clock(client, minutes=ACTIVITY_RESOLUTION_SECONDS / 60 + 0.1)
    before = client.session[LAST_ACTIVITY]
    assert session_writes(client, path) == 1
    assert client.session[LAST_ACTIVITY] > before + ACTIVITY_RESOLUTION_SECONDS
    assert session_writes(client, path) == 0


@pytest.mark.django_db
def test_an_unwritten_request_does_not_extend_the_session(
    client: Client, region_user: User
) -> None:
    """Idle time counts from the last activity written, at most a minute before
    the last request: the session ends up to a minute early, never late."""
    path = reverse("intake:response-list")
    client.force_login(region_user)
    move_clock(client, minutes=0.5)
    recorded = client.session[LAST_ACTIVITY]
    assert session_writes(client, path) == 0  # half a minute since the last write
    assert client.session[LAST_ACTIVITY] == recorded
    # 59 min 45 s after that request, 60 min 15 s after the activity written.
    move_clock(client, minutes=60 - 0.25)
    response = client.get(path)
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_autosaves_count_as_activity(
    client: Client, region_user: User, region: Region
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    autosave = reverse("intake:response-autosave", args=[questionnaire.pk, region.pk])
    client.force_login(region_user)
    assert client.get(reverse("intake:response-list")).status_code == 200
    # Someone writing a long answer: an autosave every 50 minutes keeps them in.
    version = 0
    for _ in range(3):
        move_clock(client, minutes=50)
        saved = client.post(autosave, {"version": version})
        assert saved.status_code == 200
        version = saved.json()["version"]  # the version the next save is based on
    assert client.get(reverse("intake:response-list")).status_code == 200


@pytest.mark.django_db
def test_a_session_ends_eight_hours_after_signing_in(
    client: Client, region_user: User
) -> None:
    response = client.post(
        reverse("surveys:login"),
        {"username": region_user.email, "password": "secret-password"},
    )
    assert response.status_code == 302
    started = client.session[SIGNED_IN_AT]
    assert abs(started - time.time()) < 60
    assert client.get(reverse("intake:response-list")).status_code == 200
    move_clock(client, minutes=8 * 60 + 1, key=SIGNED_IN_AT)
    response = client.get(reverse("intake:response-list"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "det har gått 8 timmar sedan du loggade in" in page


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser(
    client: Client, region_user: User, settings: LazySettings
) -> None:
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_IDLE_MINUTES == 60
    assert settings.SESSION_MAX_HOURS == 8
    response = client.post(
        reverse("surveys:login"),
        {"username": region_user.email, "password": "secret-password"},
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] is True


# --- HTTPS ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_hsts_and_the_https_redirect_follow_the_settings(
    settings: LazySettings,
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    response = client.get(reverse("surveys:home"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"
    response = client.get(reverse("surveys:home"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert (
        response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    )


@pytest.mark.django_db
def test_no_proxy_header_is_trusted_by_default(client: Client) -> None:
    response = client.get(reverse("surveys:home"), HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in response
    assert response.wsgi_request.is_secure() is False


def production_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            values[name.strip()] = value
    return values


def test_check_deploy_is_clean_with_the_production_example() -> None:
    example = production_example()
    for name in [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
    ]:
        assert example.get(name), f".env.example leaves {name} empty"
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in example and not name.startswith("DJANGO_")
    }
    env.update(example)
    # The example's SECRET_KEY is a placeholder ("change-me") that check --deploy
    # rightly refuses; production sets a long random one, as this does.
    assert example["SECRET_KEY"] == "change-me"
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
