"""Django's database sessions, with the read every signed-in request makes
compiled once (issue #20).

The `db` backend reads a session with `Session.objects.get(session_key=…,
expire_date__gt=now)`, built and compiled by the ORM on every request: most of
the 1 ms the read costs. This backend reads the same row with a query compiled
once (`surveys.prepared`) and applies the same rule in Python: a session whose
row has expired is no session. Writing, cycling the key and clearing expired
sessions are the `db` backend's, unchanged.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from surveys.prepared import Prepared

_SESSION = Prepared(
    lambda session_key: Session.objects.filter(session_key=session_key).values_list(
        "session_data", "expire_date"
    )
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        rows = _SESSION.rows(key) if key is not None else []
        if key is None or not rows or rows[0][1] <= timezone.now():
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return Session(session_key=key, session_data=data, expire_date=expire_date)
