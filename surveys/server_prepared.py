"""Statements prepared on the PostgreSQL server, once per database session
(issue #20).

PostgreSQL parses and plans a statement every time it is sent. For a
statement sent again and again with the same text (a tabulation's, a save's
replace of its answers) that is the same work each time: planning a whole
tabulation's statement took as long as running its GROUP BY, and the save's
replace statement spent some 0,9 ms of the backend's CPU per save being parsed
and planned (bench/RESULTS.md). Django binds parameters on the client with
psycopg 3, which then never prepares; so a statement is prepared here by SQL,
`PREPARE name(types) AS …`, and run by `EXECUTE name(…)`.

`execute` keeps, per database session (a DB-API connection: a reconnect is a
new session, which has prepared nothing), the names prepared in it, and
prepares a statement the first time a session runs it. Names are made of the
statement's text (`name`), so a changed text is another statement. The
parameter types are written out in the PREPARE, so the statement is planned
for the types it is planned for today.

Statements prepared by SQL are ours only: psycopg's own (protocol-level) ones
are not `from_sql` in pg_prepared_statements, which is how a session's list is
read back after a failure left it unknown. psycopg's prepare stays off (Django
sets no prepare_threshold): once it has prepared anything, psycopg answers a
ROLLBACK with DEALLOCATE ALL, which would drop these behind the registry.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# Per database session, the names prepared in it, oldest first. Weak keys: a
# closed connection's entry goes with it.
_prepared: weakref.WeakKeyDictionary[Any, dict[str, None]] = weakref.WeakKeyDictionary()
# The sessions in which a statement that prepares failed: which statements
# they hold is read from the server before the next one runs.
_unsure: weakref.WeakSet[Any] = weakref.WeakSet()
# Prepared statements kept per session: each holds its plan in the server
# process's memory (about 0,3 MB for a 2024 questionnaire's tabulation: at
# most some 10 MB a connection); the oldest is deallocated when a new one
# would exceed this.
MAX_PREPARED = 32


def name(prefix: str, sql: str, types: Sequence[str] = ()) -> str:
    """The name a statement is prepared under: `prefix` (a word and "_") and
    a hash of its text and parameter types."""
    text = "\n".join([sql, *types])
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:40]


def execute(
    connection: BaseDatabaseWrapper,
    cursor: Any,
    name: str,
    sql: str,
    types: Sequence[str] = (),
    params: Sequence[Any] | None = None,
) -> Any:
    """Run `sql`, a statement whose parameters are $1, $2… of `types`, with
    `params`, as the prepared statement `name` of the connection's session;
    return the cursor holding its result.

    `cursor` is one of `connection`'s. Django's cursor binds the arguments
    on the client, into the EXECUTE's text: PostgreSQL takes no bound
    parameters in an EXECUTE ("there is no parameter $1"). So the first run
    in a session prepares and executes in one round trip (a text that may
    hold several statements), a query as any other. A connection is used by
    one thread at a time, so its entry is too."""
    session = connection.connection
    if session in _unsure:
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE from_sql"
            " ORDER BY prepare_time"
        )
        _prepared[session] = dict.fromkeys(found for (found,) in cursor.fetchall())
        _unsure.discard(session)
    names = _prepared.get(session)
    if names is None:
        names = _prepared[session] = {}
    arguments = ", ".join(f"%s::{t}" for t in types)
    run = f"EXECUTE {name}({arguments})" if types else f"EXECUTE {name}"
    sent: list[str] = []
    if name not in names:
        # PREPARE is not undone by a rollback: the session keeps it.
        declared = f"({', '.join(types)})" if types else ""
        sent = [f"PREPARE {name}{declared} AS {sql}"]
        if len(names) >= MAX_PREPARED:
            oldest = next(iter(names))
            del names[oldest]
            sent.insert(0, f"DEALLOCATE {oldest}")
    try:
        if params is not None:
            # Only the EXECUTE's placeholders are the arguments'.
            sent = [text.replace("%", "%%") for text in sent]
        cursor.execute("; ".join([*sent, run]), params)
        # The rows are the last statement's result.
        for _ in sent:
            cursor.nextset()
    except Exception:
        if sent:
            # Some of these statements may have run (none of them is undone
            # with the transaction): ask the server next time.
            _unsure.add(session)
        raise
    if sent:
        names[name] = None
    return cursor
