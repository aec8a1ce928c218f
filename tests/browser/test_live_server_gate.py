"""The browser tests' live server answers only while a test runs (conftest's
LiveServerGate): a request arriving after its test ended must not reach the
database while it is flushed for the next test."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.browser.conftest import LiveServerGate

pytestmark = pytest.mark.django_db(transaction=True)


def status_of(url: str, data: bytes | None = None) -> int:
    try:
        # Only the live server's own http:// address is opened here.
        with urllib.request.urlopen(url, data=data, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_request_after_the_gate_closes_is_refused_without_the_database(
    live_server: Any,
) -> None:
    gate = live_server.thread.httpd.get_app()
    assert isinstance(gate, LiveServerGate)
    login = f"{live_server.url}/logga-in/"
    assert status_of(login) == 200

    gate.close()
    try:
        assert status_of(login) == 503
        # Django would refuse this post for its missing CSRF token (403): the
        # gate's 503 shows it never reached the application.
        assert status_of(login, b"username=x&password=y") == 503
    finally:
        gate.open()
    assert status_of(login) == 200
    assert status_of(login, b"username=x&password=y") == 403
