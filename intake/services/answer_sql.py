"""New answer and history rows written on PostgreSQL without the ORM's
per-value preparation (issue #20).

A form's save (some 60 to 100 changed answers and as many history rows) is one
statement (`write_rows`): it updates in place the stored answers whose cell
stays, deletes and inserts the rest, and inserts the history rows. It is
prepared once per database session (surveys.server_prepared), not parsed and
planned on every save. Its rows go as one JSON text per table, an array per
column (`_json_columns`), which json.dumps writes in C and PostgreSQL reads in
one function call: psycopg had dumped the array parameter per column element
by element in Python, its biggest function in a save's profile (1,1 ms of the
process's CPU per save, bench/RESULTS.md), and the history had gone in by a
COPY of its own, a second round trip.

A bulk save's rows (tens of thousands for a raw-data import of 290 kommuner)
are inserted by COPY (`copy_rows`), which PostgreSQL inserts in batches: for a
form's save of 93 answer and 66 history rows COPY took half the CPU of the
`INSERT … SELECT * FROM UNNEST` per table it replaced, when psycopg quoted every
array element into the statement's text.

Both write every concrete column but the primary key, and read each value the
way `bulk_create` would send it (`_column_reader`): ids of related rows, JSON
encoded, auto_now and auto_now_add times set to the time of the write. So a
column added to Answer or AnswerChange needs no edit here. No signals are
lost: `bulk_create` sends none either. Other databases (SQLite in development
and tests) keep `bulk_create` (`insert_rows`) and a DELETE;
`tests/intake/test_answer_sql.py` and `tests/intake/test_bulk_saving.py` check
both store the same rows as it, whatever the values.
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


def write_rows(
    replaced: Sequence[int],
    answers: Sequence[Answer],
    history: Sequence[AnswerChange],
    *,
    batch_size: int | None = None,
) -> None:
    """Replace the answers whose ids are `replaced` by the unsaved `answers`
    (what deleting the one and inserting the other stores) and insert the
    unsaved `history` rows.

    On PostgreSQL, for a form's save, one prepared statement does both
    (`_write_statement`), its rows sent as one JSON text per table
    (`_json_columns`). A replaced answer whose key (the columns of the
    model's unique constraint) one of `answers` has is updated in place to
    it: an update that keeps the indexed and foreign key columns (a changed
    number or text, most of a form's save) adds no index entries when its
    page has room (a HOT update) and needs no foreign key check, where an
    inserted row updates every index and checks every foreign key (issue
    #20). More rows than `COPY_ABOVE` (a bulk save) are inserted by COPY.
    Elsewhere, a DELETE and `bulk_create`, `batch_size` rows at a time."""
    if connection.vendor != "postgresql":
        if replaced:
            Answer._default_manager.filter(pk__in=replaced).delete()
        insert_rows(Answer, answers, batch_size=batch_size)
        insert_rows(AnswerChange, history, batch_size=batch_size)
        return
    # One time for the whole write, as bulk_create's pre_save gives each row.
    now = timezone.now()
    if len(answers) + len(history) > COPY_ABOVE:
        if replaced:
            _write(replaced, answers, (), now=now)
        else:
            copy_rows(Answer, answers, now=now)
        copy_rows(AnswerChange, history, now=now)
        return
    if replaced or answers or history:
        _write(replaced, answers, history, now=now)


def _write(
    replaced: Sequence[int],
    answers: Sequence[Answer],
    history: Sequence[AnswerChange],
    *,
    now: datetime.datetime,
) -> None:
    name, statement, types = _write_statement()
    # The ids as an array's text: they are ints (int() refuses anything else),
    # and psycopg dumped a list element by element in Python.
    ids = "{" + ",".join(str(int(pk)) for pk in replaced) + "}"
    params = [
        _json_columns(Answer, answers, now=now),
        ids,
        _json_columns(AnswerChange, history, now=now),
    ]
    with connection.cursor() as cursor:
        server_prepared.execute(connection, cursor, name, statement, types, params)


# Rows of both tables above which a write inserts by COPY rather than the one
# statement: a bulk save's tens of thousands of rows (the import of 290
# kommuner), which COPY streams where the statement's JSON texts would be
# built and parsed whole.
COPY_ABOVE = 2000


@functools.cache
def _write_statement() -> tuple[str, str, tuple[str, ...]]:
    """The statement of `write_rows` on PostgreSQL, prepared once per
    database session (surveys.server_prepared: parsing and planning it was
    some 0,9 ms of the backend's CPU per save): its name, its text and its
    parameters' types: the new answers as JSON (`_json_columns`), the
    replaced answers' ids, the history rows as JSON."""
    quote = connection.ops.quote_name
    table, pk = quote(Answer._meta.db_table), quote(str(Answer._meta.pk.column))
    fields = _written_fields(Answer)
    key = _key_columns(Answer)
    columns = _column_list(fields)
    changed = ", ".join(
        f"{quote(str(f.column))} = new.{quote(str(f.column))}"
        for f in fields
        if f.column not in key
    )
    types = ("jsonb", f"{Answer._meta.pk.rel_db_type(connection)}[]", "jsonb")

    def same_key(a: str, b: str) -> str:
        return " AND ".join(f"{a}.{quote(c)} = {b}.{quote(c)}" for c in key)

    # The parts see the tables as they were before the statement, so each
    # answer is touched once: a replaced row is updated (its key is new) or
    # deleted (it is not); a new row is inserted when no replaced row has its
    # key. Every part runs, whether or not the last one reads it.
    # Names from the models, values bound as parameters (S608).
    statement = f"""
        WITH new AS ({_rows_from_json(Answer, "$1")}),
        old AS (
            SELECT {pk}, {", ".join(quote(c) for c in key)}
            FROM {table} WHERE {pk} = ANY($2)
        ),
        updated AS (
            UPDATE {table} AS a SET {changed} FROM old, new
            WHERE a.{pk} = old.{pk} AND {same_key("old", "new")}
        ),
        deleted AS (
            DELETE FROM {table} AS a USING old WHERE a.{pk} = old.{pk}
            AND NOT EXISTS (SELECT FROM new WHERE {same_key("new", "old")})
        ),
        inserted AS (
            INSERT INTO {table} ({columns})
            SELECT {columns} FROM new
            WHERE NOT EXISTS (SELECT FROM old WHERE {same_key("old", "new")})
        )
        INSERT INTO {quote(AnswerChange._meta.db_table)}
            ({_column_list(_written_fields(AnswerChange))})
        {_rows_from_json(AnswerChange, "$3")}
    """  # noqa: S608
    return server_prepared.name("rows_", statement, types), statement, types


def _rows_from_json(model: type[models.Model], param: str) -> str:
    """A SELECT of the rows in the JSON text `param` (`_json_columns`), one
    column per written field, of the field's type."""
    quote = connection.ops.quote_name
    fields = _written_fields(model)
    names = [quote(str(f.column)) for f in fields]
    declared, selected, arrays = [], [], []
    for n, f in zip(names, fields, strict=True):
        db_type = f.db_type(connection)
        if _embedded(f):
            # The column's values as one JSON array, its rows' values read by
            # position: a PostgreSQL jsonb[] would take a value that is itself
            # an array for another dimension of the array. A JSON null is SQL
            # NULL, as JSONField writes None.
            declared.append(f"{n} jsonb")
            selected.append(f"NULLIF(c.{n} -> (r._position - 1)::integer, 'null')")
            continue
        if isinstance(f, models.JSONField):
            # The text of the value, as its encoder writes it.
            declared.append(f"{n} text[]")
            selected.append(f"r.{n}::{db_type}")
        else:
            declared.append(f"{n} {db_type}[]")
            selected.append(f"r.{n}")
        arrays.append(n)
    unnested = ", ".join(f"c.{n}" for n in arrays)
    # Names and types from the model, the rows a bound parameter (S608).
    return (
        f"SELECT {', '.join(selected)}"  # noqa: S608
        f" FROM jsonb_to_record({param}) AS c({', '.join(declared)}),"
        f" unnest({unnested}) WITH ORDINALITY AS r({', '.join(arrays)}, _position)"
    )


def _embedded(field: models.Field[Any, Any]) -> bool:
    """Whether the field's values go into the JSON text as they are (a
    JSONField with json's own encoder), not as the text of each."""
    return isinstance(field, models.JSONField) and field.encoder is None


def _json_columns(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    now: datetime.datetime,
) -> str:
    """Unsaved `objects` of `model` as one JSON object of arrays, one per
    written column (its name), each value as `_column_reader` reads it and
    JSON holds it (`_to_json`); the values of a JSONField without an encoder
    as they are, not encoded one by one (`_embedded`). PostgreSQL parses it
    in one function call (jsonb_to_record), where psycopg dumped a parameter
    per column element by element in Python: 1,1 ms of a form's save (issue
    #20)."""
    fields = _written_fields(model)
    readers = [
        attrgetter(f.attname) if _embedded(f) else _to_json(f, read)
        for f, read in zip(fields, _readers(fields, now), strict=True)
    ]
    document = {
        str(f.column): [read(obj) for obj in objects]
        for f, read in zip(fields, readers, strict=True)
    }
    # No `default`: a value JSON cannot hold fails as json.dumps did before.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _to_json(field: models.Field[Any, Any], read: Reader) -> Reader:
    """`read`, and its value as JSON holds it where JSON has no such type:
    decimals and times as the text PostgreSQL reads them from."""
    if isinstance(field, models.DecimalField | models.UUIDField):

        def text(obj: Any) -> str | None:
            value = read(obj)
            return None if value is None else str(value)

        return text
    if isinstance(field, models.DateTimeField | models.DateField | models.TimeField):

        def iso(obj: Any) -> str | None:
            value = read(obj)
            return None if value is None else value.isoformat()

        return iso
    return read


def _key_columns(model: type[models.Model]) -> list[str]:
    """The columns of the model's one unconditional unique constraint."""
    (constraint,) = (
        c
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.condition is None
    )
    fields = {f.name: f for f in model._meta.concrete_fields}
    return [str(fields[name].column) for name in constraint.fields]


def copy_rows(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    now: datetime.datetime | None = None,
) -> None:
    """Insert unsaved `objects` of `model` with PostgreSQL's COPY, their
    auto_now times `now` (by default the time of the call); no ids are read
    back. Logged as a query, so query counts see it."""
    if not objects:
        return
    fields = _written_fields(model)
    readers = _readers(fields, timezone.now() if now is None else now)
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


def _readers(
    fields: Sequence[models.Field[Any, Any]], now: datetime.datetime
) -> list[Reader]:
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
