"""The rows of a save written with one `INSERT … SELECT * FROM UNNEST(…)` per table
on PostgreSQL (issue #20).

Django's `bulk_create` already sends one such statement, but it first passes
every value of every row through its field's preparation; for the 66 answers
and 66 history rows of a whole-form save that was some 5 ms of a 30 ms request.
Here each column is one array of the rows' values, converted only where the
database needs it (a choice as its value, JSON as text, the time of the write).
No signals are lost: `bulk_create` sends none either. Other databases (SQLite
in development and tests) keep `bulk_create`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from intake.models import Answer, AnswerChange


def _json(value: Any) -> str | None:
    # As Django's JSONField sends it (json.dumps, no encoder); None is SQL NULL.
    return None if value is None else json.dumps(value)


# Per model, every column but the primary key, with how its value is taken from
# a row (`None`: the attribute as it is). `tests/intake/test_answer_sql.py`
# checks that no column of the models is missing.
Convert = Callable[[Any, datetime], Any]
COLUMNS: dict[type[Model], dict[str, Convert | None]] = {
    Answer: {
        "response_id": None,
        "question_id": None,
        "slot": None,
        "row_id": None,
        "option_id": None,
        "number": None,
        "text": None,
        "escaped": None,
        "channel": lambda row, now: str(row.channel),
        "entered_by_id": None,
        # auto_now: the time of the write, as Django's pre_save gives it.
        "updated_at": lambda row, now: now,
    },
    AnswerChange: {
        "response_id": None,
        "question_id": None,
        "slot": None,
        "old_value": lambda row, now: _json(row.old_value),
        "new_value": lambda row, now: _json(row.new_value),
        "channel": lambda row, now: str(row.channel),
        "changed_by_id": None,
        # auto_now_add
        "changed_at": lambda row, now: now,
        "reason": None,
        "response_version": None,
    },
}


def insert_rows(
    model: type[Answer] | type[AnswerChange],
    rows: Sequence[Model],
    *,
    batch_size: int | None = None,
) -> None:
    """Insert new rows of `model` (an Answer or AnswerChange), `batch_size` at a
    time; their primary keys are not read back."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=batch_size)  # type: ignore[arg-type]
        return
    columns = COLUMNS[model]
    fields = [_column(model, name) for name in columns]
    # Only names and types from the models' definitions; the values are parameters.
    sql = "INSERT INTO {} ({}) SELECT * FROM UNNEST({})".format(  # noqa: S608
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(name) for name, _ in fields),
        ", ".join(f"%s::{db_type}[]" for _, db_type in fields),
    )
    now = timezone.now()
    size = batch_size or len(rows) or 1
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                sql,
                [
                    [getattr(row, name) for row in batch]
                    if convert is None
                    else [convert(row, now) for row in batch]
                    for name, convert in columns.items()
                ],
            )


def _column(model: type[Model], attname: str) -> tuple[str, str]:
    """The column's name and type (a foreign key's: its target's, bigint)."""
    field = model._meta.get_field(attname.removesuffix("_id"))
    column = getattr(field, "column", None)
    db_type = field.db_type(connection) if isinstance(field, Field) else None
    if not column or not db_type or getattr(field, "attname", None) != attname:
        raise RuntimeError(
            f"{model.__name__} has no column {attname}"
        )  # pragma: no cover
    return column, db_type
