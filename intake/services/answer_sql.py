"""New answer and history rows written on PostgreSQL without the ORM's
per-value preparation (issue #20): by COPY (`copy_rows`), for a form's save (66
answers and their history rows) as for a bulk save of tens of thousands of rows
(a raw-data import of 290 kommuner). For a form's save of 93 answer and 66
history rows COPY took half the CPU of the one `INSERT … SELECT * FROM UNNEST`
per table it replaced (1,5–2,2 ms against 3,3–4,6 ms, load 4–5): psycopg quoted
every array element into the statement's text.

Answers that replace stored ones (`replace_rows`) are one statement that updates
in place those whose cell stays, deletes and inserts the rest, with one array
per column: for a form's save it took half the PostgreSQL backend's CPU of the
DELETE and COPY, no more in the process. It is prepared once per database
session (surveys.server_prepared), not parsed and planned on every save; its
arrays go as one literal each in the EXECUTE, as psycopg's text parameters
went before (PostgreSQL binds no parameters into an EXECUTE).

`copy_rows` and `replace_rows` write every concrete column but the primary key,
and read each value the way `bulk_create` would send it (`_column_reader`): ids
of related rows, JSON encoded, auto_now and auto_now_add times set to the time
of the write. So a column added to Answer or AnswerChange needs no edit here. No
signals are lost: `bulk_create` sends none either. Other databases (SQLite in
development and tests) keep `bulk_create` (`insert_rows`) and a DELETE;
`tests/intake/test_answer_sql.py` and `tests/intake/test_bulk_saving.py` check
both store the same rows as it.
"""

from __future__ import annotations

import datetime
import functools
import json
import time
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

from intake.models import Answer, AnswerChange
from surveys import server_prepared

Reader = Callable[[Any], Any]


def insert_rows(
    model: type[Answer] | type[AnswerChange],
    rows: Sequence[models.Model],
    *,
    batch_size: int | None = None,
) -> None:
    """Insert new rows of `model` (an Answer or AnswerChange): by COPY on
    PostgreSQL, elsewhere by `bulk_create`, `batch_size` at a time; their
    primary keys are not read back."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=batch_size)  # type: ignore[arg-type]
        return
    copy_rows(model, rows)


def replace_rows(
    model: type[Answer],
    replaced: Sequence[int],
    objects: Sequence[Answer],
    *,
    batch_size: int | None = None,
) -> None:
    """Replace the rows of `model` whose ids are `replaced` by the unsaved
    `objects`: what deleting the one and inserting the other stores.

    On PostgreSQL, a replaced row whose key (the columns of the model's unique
    constraint) one of `objects` has is updated in place to it, in one
    statement with the deletes and inserts (`_replace_statement`): an update
    that keeps the indexed and foreign key columns (a changed number or text,
    most of a form's save) adds no index entries when its page has room (a HOT
    update) and needs no foreign key check, where an inserted row updates every
    index and checks every foreign key (issue #20). Elsewhere, a DELETE and
    `bulk_create`, `batch_size` rows at a time."""
    if connection.vendor != "postgresql" or not replaced or not objects:
        if replaced:
            model._default_manager.filter(pk__in=replaced).delete()
        insert_rows(model, objects, batch_size=batch_size)
        return
    fields = _written_fields(model)
    name, statement, types = _replace_statement(model)
    params: list[Any] = [[read(obj) for obj in objects] for read in _readers(fields)]
    params.append(list(replaced))
    with connection.cursor() as cursor:
        server_prepared.execute(connection, cursor, name, statement, types, params)


@functools.cache
def _replace_statement(model: type[models.Model]) -> tuple[str, str, tuple[str, ...]]:
    """The statement of `replace_rows` on PostgreSQL, prepared once per
    database session (surveys.server_prepared: parsing and planning it was
    some 0,9 ms of the backend's CPU per save): its name, its text and its
    parameters' types, a parameter per written column (an array of the new
    rows' values) and last the replaced rows' ids."""
    fields = _written_fields(model)
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    key = _key_columns(model)
    columns = _column_list(fields)
    types = (
        *(f"{f.db_type(connection)}[]" for f in fields),
        f"{model._meta.pk.rel_db_type(connection)}[]",
    )
    arrays = ", ".join(f"${i}" for i in range(1, len(fields) + 1))
    replaced = f"${len(types)}"
    changed = ", ".join(
        f"{quote(str(f.column))} = new.{quote(str(f.column))}"
        for f in fields
        if f.column not in key
    )

    def same_key(a: str, b: str) -> str:
        return " AND ".join(f"{a}.{quote(c)} = {b}.{quote(c)}" for c in key)

    # The parts see the table as it was before the statement, so each row is
    # touched once: a replaced row is updated (its key is new) or deleted (it
    # is not); a new row is inserted when no replaced row has its key.
    # Names from the model, values bound as parameters (S608).
    statement = f"""
        WITH new AS (SELECT * FROM unnest({arrays}) AS new ({columns})),
        old AS (
            SELECT {pk}, {", ".join(quote(c) for c in key)}
            FROM {table} WHERE {pk} = ANY({replaced})
        ),
        updated AS (
            UPDATE {table} AS a SET {changed} FROM old, new
            WHERE a.{pk} = old.{pk} AND {same_key("old", "new")}
        ),
        deleted AS (
            DELETE FROM {table} AS a WHERE a.{pk} = ANY({replaced})
            AND NOT EXISTS (SELECT FROM new WHERE {same_key("new", "a")})
        )
        INSERT INTO {table} ({columns})
        SELECT {columns} FROM new
        WHERE NOT EXISTS (SELECT FROM old WHERE {same_key("old", "new")})
    """  # noqa: S608
    return server_prepared.name("answers_", statement, types), statement, types


def _key_columns(model: type[models.Model]) -> list[str]:
    """The columns of the model's one unconditional unique constraint."""
    (constraint,) = (
        c
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.condition is None
    )
    fields = {f.name: f for f in model._meta.concrete_fields}
    return [str(fields[name].column) for name in constraint.fields]


def copy_rows(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert unsaved `objects` of `model` with PostgreSQL's COPY; no ids are
    read back. Logged as a query, so query counts see it."""
    if not objects:
        return
    fields = _written_fields(model)
    readers = _readers(fields)
    quote = connection.ops.quote_name
    statement = (
        f"COPY {quote(model._meta.db_table)} ({_column_list(fields)}) FROM STDIN"
    )
    started = time.monotonic()
    # psycopg's own cursor copies; its errors become Django's (IntegrityError…)
    # as they would from a query.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(statement) as copy,
    ):
        for obj in objects:
            copy.write_row([read(obj) for read in readers])
    if connection.queries_logged:
        connection.queries_log.append(
            {
                "sql": f"{statement} -- {len(objects)} rows",
                "time": f"{time.monotonic() - started:.3f}",
            }
        )


def _written_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _column_list(fields: Sequence[models.Field[Any, Any]]) -> str:
    return ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)


def _readers(fields: Sequence[models.Field[Any, Any]]) -> list[Reader]:
    # One time for the whole write, as bulk_create's pre_save gives each row.
    now = timezone.now()
    return [_column_reader(field, now=now) for field in fields]


def _column_reader(field: models.Field[Any, Any], *, now: datetime.datetime) -> Reader:
    """How one column's value is read from an unsaved object."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: now
    if isinstance(field, models.JSONField):
        read, encoder = attrgetter(field.attname), field.encoder

        def encoded(obj: Any) -> str | None:
            # As JSONField sends it; None is SQL NULL, not JSON null.
            value = read(obj)
            return None if value is None else json.dumps(value, cls=encoder)

        return encoded
    return attrgetter(field.attname)
