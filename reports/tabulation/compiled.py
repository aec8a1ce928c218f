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
connection (`_run_prepared`, surveys.server_prepared): planning a whole
tabulation's statement, the same plan every time, took as long as running the
bare GROUP BY of its cells at the realistic year (bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from surveys import server_prepared
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


PREFIX = "tabulation_"


def _run_prepared(
    using: str,
    name: str,
    sql: str,
    converters: Sequence[tuple[int, Sequence[Converter], Any]],
) -> list[tuple[Any, ...]]:
    """Run a PostgreSQL statement as a prepared statement of the connection's
    session (surveys.server_prepared): planned once per session, not on every
    run. The first run in a session prepares and executes it in one round
    trip, so a tabulation is still one query."""
    # The current thread's connection: compiled SQL is shared by threads, a
    # connection never is.
    connection = connections[using]
    with connection.cursor() as cursor:
        server_prepared.execute(connection, cursor, name, sql)
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
        prepared = server_prepared.name(PREFIX, sql)
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
