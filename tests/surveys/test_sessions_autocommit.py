"""The session backend's write outside a transaction (surveys.sessions, issue
#20): an existing row rewritten with one UPDATE in autocommit.

Apart from tests/surveys/test_sessions.py because these need real commits
(transactional_db): without a module-wide `django_db` mark, `register_again`
is set up before the transactional database and so reloads the register
after its flush, for the tests that run after these in the same worker.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session

from surveys.sessions import SessionStore
from tests.surveys.test_sessions import written


def test_an_existing_session_is_written_with_one_statement(
    register_again: None, transactional_db: None
) -> None:
    store = SessionStore()
    store["who"] = "någon"
    store.create()
    store["who"] = "någon annan"
    sent = written(store)
    assert len(sent) == 1 and sent[0].startswith("UPDATE"), sent
    again = SessionStore(store.session_key)
    assert again.load() == {"who": "någon annan"}
    expiry = Session.objects.get(session_key=store.session_key).expire_date
    assert abs(expiry - store.get_expiry_date()) < datetime.timedelta(seconds=5)


def test_a_session_ended_meanwhile_is_not_written_again(
    register_again: None, transactional_db: None
) -> None:
    """As Django's: the row deleted (signed out in another tab) is an
    UpdateError, which SessionMiddleware answers with a 400, not a new row."""
    store = SessionStore()
    store["who"] = "någon"
    store.create()
    Session.objects.filter(session_key=store.session_key).delete()
    store["who"] = "någon annan"
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()
