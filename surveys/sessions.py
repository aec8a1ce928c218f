"""Django's database sessions, with the read every signed-in request makes
compiled once and an existing session's write made in one statement (issue
#20).

The `db` backend reads a session with `Session.objects.get(session_key=…,
expire_date__gt=now)`, built and compiled by the ORM on every request: most of
the 1 ms the read costs. This backend reads the same row with a query compiled
once (`surveys.prepared`) and applies the same rule in Python: a session whose
row has expired is no session.

It rewrites an existing session's row with a single UPDATE, where the `db`
backend saves a model inside a transaction (BEGIN, UPDATE, COMMIT: three round
trips, the UPDATE built by the ORM), ~1,5 ms of CPU in all per write; the
session clocks (surveys.middleware) write each signed-in user's row once a
minute. One statement needs no transaction of its own. A row that is no longer
there (the session ended meanwhile) is Django's UpdateError, as before.
Creating a session, cycling its key and clearing expired ones are the `db`
backend's, unchanged.
"""

from __future__ import annotations

import functools

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from surveys.prepared import Prepared

_SESSION = Prepared(
    lambda session_key: Session.objects.filter(session_key=session_key).values_list(
        "session_data", "expire_date"
    )
)


@functools.cache
def _update_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    data, expiry, key = map(quote, ("session_data", "expire_date", "session_key"))
    table = quote(Session._meta.db_table)
    # Names of Django's model, quoted; the values are bound.
    return f"UPDATE {table} SET {data} = %s, {expiry} = %s WHERE {key} = %s"  # noqa: S608


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        rows = _SESSION.rows(key) if key is not None else []
        if key is None or not rows or rows[0][1] <= timezone.now():
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return Session(session_key=key, session_data=data, expire_date=expire_date)

    def save(self, must_create: bool = False) -> None:
        connection: BaseDatabaseWrapper = connections[router.db_for_write(Session)]
        # Inside a transaction, the `db` backend's savepoint keeps a failed
        # write from breaking it.
        if must_create or self.session_key is None or connection.in_atomic_block:
            super().save(must_create=must_create)
            return
        # The data as the `db` backend saves it (loaded if this request has not).
        row = self.create_model_instance(self._get_session())  # type: ignore[attr-defined]
        params = [
            row.session_data,
            connection.ops.adapt_datetimefield_value(row.expire_date),
            row.session_key,
        ]
        try:
            with connection.cursor() as cursor:
                cursor.execute(_update_sql(connection.alias), params)
                updated = cursor.rowcount
        except DatabaseError as error:
            raise UpdateError from error
        if updated != 1:
            raise UpdateError
