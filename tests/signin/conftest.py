"""A real OpenID Connect provider (tests/oidc_provider.py) in a process of its own."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import LazySettings

PROVIDER = Path(__file__).resolve().parent.parent / "oidc_provider.py"
# The people the provider knows; the tests decide which of them have accounts.
PEOPLE = [
    {"sub": "sub-known", "email": "Kand.Person@Region.test", "name": "Känd Person"},
    {"sub": "sub-stranger", "email": "okand@region.test"},
    {
        "sub": "sub-unverified",
        "email": "staff@socialstyrelsen.test",
        "email_verified": False,
    },
    {"sub": "sub-inactive", "email": "avstangd@region.test"},
    {"sub": "sub-staff", "email": "staff@socialstyrelsen.test"},
]


@dataclass
class Provider:
    url: str
    client_id: str = "naravard-test"
    client_secret: str = "provider-test-secret"  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(PROVIDER), str(port), json.dumps(PEOPLE)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{url}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield Provider(url)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def oidc_settings(settings: LazySettings, oidc_provider: Provider) -> Provider:
    settings.OIDC_DISCOVERY_URL = (
        f"{oidc_provider.url}/.well-known/openid-configuration"
    )
    settings.OIDC_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_CREATE_USERS = False
    return oidc_provider
