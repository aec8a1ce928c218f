"""A query compiled to SQL once and run many times (issue #20 point 4).

Building a query with the ORM (resolving its expressions, the display
conditions' EXISTS, compiling it to SQL) was about half of a small
tabulation's Python time, yet the SQL depends only on the questionnaire's
structure and the tabulation's arguments, never on the data. A `Compiled`
keeps what Django's compiler produced: the SQL, its parameters, the column
names and the converters Django applies to each column (the backends'
conversions of decimals and booleans), and runs it through the connection's
own cursor, so a query is logged, counted and wrapped exactly as when the
queryset runs. Rows come back as tuples, in the columns' order, not as one
dict per row.

On PostgreSQL a compiled statement is also prepared on the server, once per
connection (`_run_prepared`): planning a whole tabulation's statement, the
same plan every time, took as long as running the bare GROUP BY of its cells
at the realistic year (bench/RESULTS.md).
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from surveys.prepared import Converter, converted, run_compiled


@dataclass(frozen=True)
class Compiled:
    # None: the filters can match nothing (Django raises EmptyResultSet), so the
    # query is not sent, as a queryset would not send it.
    sql: str | None
    # None: the values are in `sql` already (PostgreSQL, `compiled`).
    params: tuple[Any, ...] | None
    columns: tuple[str, ...]
    using: str
    # (column, converters, expression) for the columns Django converts.
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]
    # PostgreSQL: the name the statement is prepared under in a connection's
    # session, made of its SQL (the same text is the same statement, so a
    # changed questionnaire, whose SQL names its other ids, never runs another
    # version's statement).
    prepared: str | None = None

    def rows(self) -> Sequence[Sequence[Any]]:
        if self.sql is None:
            return []
        if self.prepared is not None:
            return _run_prepared(self.using, self.prepared, self.sql, self.converters)
        return run_compiled(self.using, self.sql, self.params, self.converters)


# Per database session (a DB-API connection: a reconnect is a new one, whose
# session has prepared nothing), the names prepared in it, oldest first.
# Weak keys: a closed connection's entry goes with it.
_prepared: weakref.WeakKeyDictionary[Any, dict[str, None]] = weakref.WeakKeyDictionary()
# The sessions in which a statement that prepares failed: which of its
# statements it holds is read from the server before the next one runs.
_unsure: weakref.WeakSet[Any] = weakref.WeakSet()
PREFIX = "tabulation_"
# Prepared statements kept per session: each holds its plan in the server
# process's memory (about 0,3 MB for a 2024 questionnaire's statement: at most
# some 10 MB a connection); the oldest is deallocated when a new one would
# exceed this.
MAX_PREPARED = 32


def _run_prepared(
    using: str,
    name: str,
    sql: str,
    converters: Sequence[tuple[int, Sequence[Converter], Any]],
) -> list[tuple[Any, ...]]:
    """Run a PostgreSQL statement as a prepared statement of the connection's
    session: planned once per session, not on every run. The first run in a
    session prepares and executes it in one round trip (psycopg sends a text
    without parameters as a simple query, which may hold several
    statements), so a tabulation is still one query. A connection is used by
    one thread at a time, so its entry is too."""
    # The current thread's connection: compiled SQL is shared by threads, a
    # connection never is.
    connection = connections[using]
    with connection.cursor() as cursor:
        session = connection.connection
        if session in _unsure:
            cursor.execute(
                "SELECT name FROM pg_prepared_statements WHERE name LIKE %s"
                " ORDER BY prepare_time",
                [PREFIX.replace("_", "\\_") + "%"],
            )
            _prepared[session] = dict.fromkeys(found for (found,) in cursor.fetchall())
            _unsure.discard(session)
        names = _prepared.get(session)
        if names is None:
            names = _prepared[session] = {}
        if name in names:
            cursor.execute(f"EXECUTE {name}")
        else:
            # PREPARE is not undone by a rollback: the session keeps it.
            sent = [f"PREPARE {name} AS {sql}", f"EXECUTE {name}"]
            if len(names) >= MAX_PREPARED:
                oldest = next(iter(names))
                del names[oldest]
                sent.insert(0, f"DEALLOCATE {oldest}")
            try:
                cursor.execute("; ".join(sent))
            except Exception:
                # Some of these statements may have run (none of them is
                # undone with the transaction): ask the server next time.
                _unsure.add(session)
                raise
            names[name] = None
            # The rows are the last statement's result.
            for _ in sent[1:]:
                cursor.nextset()
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return converted(rows, converters, connection)


def compiled(queryset: QuerySet[Any]) -> Compiled:
    """A `values()` queryset compiled; its rows are what iterating it gives, as
    tuples of the values in `columns` order."""
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    # The names in the order of the row, as Django's ValuesIterable reads them.
    if query.selected:
        columns = tuple(query.selected)
    else:
        columns = (
            *query.extra_select,
            *query.values_select,
            *query.annotation_select,
        )
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return Compiled(None, (), columns, queryset.db, ())
    connection = connections[queryset.db]
    bound: tuple[Any, ...] | None = tuple(params)
    prepared = None
    if connection.vendor == "postgresql" and sql:
        # The values bound into the SQL once, as psycopg's client-side binding
        # (Django's default) would do on every run: sent without parameters,
        # the statement is not parsed for placeholders again, which for a
        # whole tabulation's statement (longer than psycopg caches) was a
        # tenth of a small tabulation's Python (bench/RESULTS.md).
        compose = connection.ops.compose_sql  # type: ignore[attr-defined]
        sql, bound = compose(sql, bound), None
        prepared = PREFIX + hashlib.sha256(sql.encode()).hexdigest()[:40]
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = {
        position: (needed, expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
        if (needed := tuple(f for f in functions if not _identity(f, expression)))
    }
    return Compiled(
        sql=sql or None,
        params=bound,
        columns=columns,
        using=queryset.db,
        converters=tuple(
            (position, functions, expression)
            for position, (functions, expression) in converters.items()
        ),
        prepared=prepared,
    )


def _identity(converter: Converter, expression: Any) -> bool:
    """An expression's own conversion to int or Decimal, which changes nothing
    here: both drivers return an int for an integer column (a COUNT, a
    constant), psycopg a Decimal for a numeric one, and on SQLite the backend's
    converter, which runs first and is kept, has already made the Decimal of a
    decimal column. Skipped, it saves a Python call per row and column (the
    statement's NULL columns of the other parts are integers too)."""
    convert_value = getattr(expression, "convert_value", None)
    if converter is not convert_value:
        return False
    internal_type = expression.output_field.get_internal_type()
    return bool(
        internal_type.endswith("IntegerField") or internal_type == "DecimalField"
    )
