"""Queries sent on every request, built with the ORM once and run with new
arguments (issue #20).

Building and compiling a small query with the ORM (resolving its lookups and
joins, compiling them to SQL) costs more Python than running it: the access
gateway's query with its three joins and EXISTS took some 3 ms of a form
page's 17. Its SQL depends only on the models, never on the arguments. A
`Prepared` query builds its queryset once per database with a marker in place
of each argument, finds the markers among the compiled parameters, and then
runs the same SQL with the arguments in their places, through the
connection's own cursor, so it is logged, counted and wrapped as a queryset's
query is. Rows come back as tuples with Django's converters applied: what the
queryset's `values_list()` gives.

Arguments are integers (ids) or strings (keys). An integer outside the
database's 64-bit range matches nothing, as the ORM's lookups have it (no
error, no query).

`reports.tabulation.compiled` keeps whole compiled tabulation queries, whose
arguments are part of their key; these are run with any ids.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

Converter = Callable[[Any, Any, Any], Any]
# Far outside any id a sequence gives out, and distinct per argument; a string
# marker is a private-use character no key contains.
_MARKER = -(2**62)
_TEXT_MARKER = "\ue000prepared-{}"
_BIGINT = range(-(2**63), 2**63)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # Per argument, the positions of its value among the parameters.
    slots: tuple[tuple[int, ...], ...]
    # (column, converters, expression) for the columns Django converts.
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]


class Prepared:
    """`build(*args, **fixed)` returns a `values_list()` queryset; `rows(*args,
    **fixed)` runs it. `build` must use each argument (an int or a str) only
    as a value compared, so that its SQL is the same whatever the values;
    `fixed` arguments (hashable, of few distinct values, such as a reference
    date) are compiled into the SQL, once per distinct value."""

    def __init__(self, build: Callable[..., QuerySet[Any]]) -> None:
        self._build = build
        self._compiled: dict[tuple[Any, ...], _Compiled] = {}
        self._lock = threading.Lock()

    def rows(
        self, *args: int | str, using: str = DEFAULT_DB_ALIAS, **fixed: Any
    ) -> list[tuple[Any, ...]]:
        if any(type(a) is not str and a not in _BIGINT for a in args):
            return []
        connection = connections[using]
        types = tuple(type(a) is str for a in args)
        compiled = self._compile(using, connection.vendor, types, fixed)
        params = list(compiled.params)
        for value, positions in zip(args, compiled.slots, strict=True):
            for position in positions:
                params[position] = value
        return run_compiled(using, compiled.sql, params, compiled.converters)

    def _compile(
        self, using: str, vendor: str, texts: tuple[bool, ...], fixed: dict[str, Any]
    ) -> _Compiled:
        key = (using, vendor, texts, *sorted(fixed.items()))
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        markers: list[int | str] = [
            _TEXT_MARKER.format(i) if text else _MARKER - i
            for i, text in enumerate(texts)
        ]
        queryset = self._build(*markers, **fixed).using(using)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        slots = tuple(
            tuple(
                i
                for i, p in enumerate(params)
                if type(p) is type(marker) and p == marker
            )
            for marker in markers
        )
        if not all(slots):
            raise RuntimeError("a prepared query must use each argument as a value")
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            converters=tuple(
                (position, tuple(functions), expression)
                for position, (functions, expression) in compiler.get_converters(
                    fields
                ).items()
            ),
        )
        with self._lock:
            self._compiled[key] = compiled
        return compiled


def run_compiled(
    using: str,
    sql: str,
    params: Sequence[Any] | None,
    converters: Sequence[tuple[int, Sequence[Converter], Any]],
) -> list[tuple[Any, ...]]:
    """Run SQL compiled once by the ORM and apply Django's converters for its
    columns (`(position, converters, expression)`), as iterating the queryset
    would: rows as tuples. Shared with `reports.tabulation.compiled`."""
    # The current thread's connection: compiled SQL is shared by threads, a
    # connection never is.
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return converted(rows, converters, connection)


def converted(
    rows: list[tuple[Any, ...]],
    converters: Sequence[tuple[int, Sequence[Converter], Any]],
    connection: Any,
) -> list[tuple[Any, ...]]:
    """The rows with Django's converters applied to their columns."""
    if not converters:
        return rows
    result = []
    for row in rows:
        values = list(row)
        for position, functions, expression in converters:
            for converter in functions:
                values[position] = converter(values[position], expression, connection)
        result.append(tuple(values))
    return result


def columns(model: Any, prefix: str = "") -> list[str]:
    """A model's concrete columns by attribute name, in the order `Model.from_db`
    takes them, optionally through a relation (`prefix`, e.g. "questionnaire__")."""
    return [prefix + f.attname for f in model._meta.concrete_fields]


def instance(model: Any, values: Sequence[Any], using: str = DEFAULT_DB_ALIAS) -> Any:
    """A model instance of a row's values in `columns(model)` order, as the ORM
    builds one it has read (`Model.from_db`)."""
    return model.from_db(
        using, [f.attname for f in model._meta.concrete_fields], values
    )
