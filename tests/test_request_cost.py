"""bench/request_cost.py cannot rot (issue #20 point 2): its request passes the
whole MIDDLEWARE signed in (a GET and a POST with CSRF) and anything but the
view's answer stops the measurement; the statement count of the one-process
scripts sees what Django's query count does not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test import Client
from django.urls import clear_url_caches

from bench.one_process import statements
from bench.request_cost import caller, install
from surveys.sessions import SessionStore
from tests.conftest import make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("wsgi_keeps_the_test_s_connection"),
]


@pytest.fixture
def view(settings: object) -> Iterator[None]:
    install()  # on `settings`' ROOT_URLCONF, restored after the test
    yield
    clear_url_caches()


@pytest.mark.usefixtures("view")
@pytest.mark.parametrize("post", [False, True])
@pytest.mark.parametrize("write", [False, True])
def test_a_signed_in_request_reaches_the_view(post: bool, write: bool) -> None:
    client = Client()
    client.force_login(make_user("kostnad@region.test"))
    key = client.cookies["sessionid"].value
    call = caller(get_wsgi_application(), [key], post=post, write=write)
    call(0)
    call(1)
    assert ("bench" in SessionStore(key).load()) is write


@pytest.mark.usefixtures("view")
def test_a_signed_out_request_stops_the_measurement() -> None:
    call = caller(get_wsgi_application(), ["no-such-session"], post=False)
    with pytest.raises(SystemExit, match="request: 302"):
        call(0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's statements")
def test_statements_count_what_django_does_not() -> None:
    # A connection of its own: the test's is inside the test's transaction.
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with statements() as sent:
            other.execute("SELECT 1")
            other.commit()
    finally:
        other.close()
    # A query is listed when it is called, before the BEGIN psycopg sends for it.
    assert sent == ["SELECT 1", "BEGIN", "COMMIT"]
