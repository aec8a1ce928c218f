"""PRODUCTION=true (set by the image) refuses to start on unsafe settings
(config/production.py): a repository or weak key, DEBUG, no e-mail server
(sign-in links would go to the log), open ALLOWED_HOSTS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
GOOD = {
    "PRODUCTION": "true",
    "SECRET_KEY": STRONG_KEY,
    "DEBUG": "false",
    "EMAIL_HOST": "smtp.example.se",
    "ALLOWED_HOSTS": "naravard.example.se",
}


def start(**changes: str) -> subprocess.CompletedProcess[str]:
    """Loads the settings in a fresh interpreter, as a process of the image does."""
    env = {k: v for k, v in os.environ.items() if k not in GOOD}
    env.update({**GOOD, **changes})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_good_production_settings_start() -> None:
    result = start()
    assert result.returncode == 0, result.stderr[-2000:]
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is unset or a value from the repository"),
        ({"SECRET_KEY": "change-me"}, "value from the repository"),
        ({"SECRET_KEY": "short-but-not-default"}, "SECRET_KEY is weak"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY is weak"),
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"EMAIL_HOST": ""}, "EMAIL_HOST is unset"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must name"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must name"),
        (
            {
                "OIDC_CLIENT_ID": "naravard",
                "OIDC_CLIENT_SECRET": "s",
                "OIDC_ISSUER": "http://idp.example.se",
            },
            "OIDC_DISCOVERY_URL (or OIDC_ISSUER) must be an https:// URL",
        ),
        (
            {"OIDC_CLIENT_ID": "naravard", "OIDC_ISSUER": "https://idp.example.se"},
            "OIDC_CLIENT_SECRET is unset",
        ),
    ],
)
def test_unsafe_production_settings_refuse_to_start(
    changes: dict[str, str], message: str
) -> None:
    result = start(**changes)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_starts_with_an_identity_provider() -> None:
    result = start(
        OIDC_CLIENT_ID="naravard",
        OIDC_CLIENT_SECRET="provider-secret",
        OIDC_ISSUER="https://idp.example.se/realms/region",
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_without_production_the_local_defaults_start() -> None:
    # `make demo` and the tests: no key, no e-mail server.
    result = start(PRODUCTION="false", SECRET_KEY="", EMAIL_HOST="", ALLOWED_HOSTS="")
    assert result.returncode == 0, result.stderr[-2000:]
