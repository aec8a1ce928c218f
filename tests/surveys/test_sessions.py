"""The session backend (surveys.sessions, issue #20): Django's database sessions
with the read compiled once, and the same rule for an expired row."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_it_is_the_configured_backend() -> None:
    assert settings.SESSION_ENGINE == "surveys.sessions"


def test_a_saved_session_is_read_back() -> None:
    store = SessionStore()
    store["who"] = "någon"
    store.create()
    again = SessionStore(store.session_key)
    assert again.load() == {"who": "någon"}
    assert again.session_key == store.session_key


def test_an_expired_session_is_no_session() -> None:
    store = SessionStore()
    store["who"] = "någon"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    again = SessionStore(store.session_key)
    assert again.load() == {}
    assert again.session_key is None


def test_an_unknown_key_is_no_session() -> None:
    again = SessionStore("x" * 32)
    assert again.load() == {}
    assert again.session_key is None


def written(store: SessionStore) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        store.save()
    return [q["sql"] for q in queries]


def test_inside_a_transaction_the_db_backend_writes() -> None:
    store = SessionStore()
    store["who"] = "någon"
    store.create()
    store["who"] = "någon annan"
    assert any("SAVEPOINT" in sql for sql in written(store))
    assert SessionStore(store.session_key).load() == {"who": "någon annan"}
