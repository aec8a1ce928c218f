"""surveys.server_prepared: a statement with parameters prepared once per
database session and executed with each call's arguments; a new session (a
reconnect) prepares it again; a failed run leaves the session able to run
it. SQLite has no prepared statements."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DataError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext

from surveys import server_prepared
from tests.conftest import require_postgresql

pytestmark = pytest.mark.django_db

# A "%" of the statement's own (not a placeholder) and a text argument with
# a quote: both reach the server as they are.
SQL = "SELECT $1 || n FROM unnest($2) AS n WHERE n % 2 = 1 ORDER BY n"
TYPES = ("text", "integer[]")
NAME = server_prepared.name("test_", SQL, TYPES)


@pytest.fixture(autouse=True)
def postgresql() -> None:
    require_postgresql(
        "DATABASE_URL is not PostgreSQL: SQLite has no prepared statements"
    )


def run(session: BaseDatabaseWrapper, *args: Any) -> list[str]:
    with session.cursor() as cursor:
        server_prepared.execute(session, cursor, NAME, SQL, TYPES, args)
        return [text for (text,) in cursor.fetchall()]


def prepared_in(session: BaseDatabaseWrapper) -> list[str]:
    with session.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE from_sql")
        return [name for (name,) in cursor.fetchall()]


def test_each_call_s_arguments_give_its_own_rows() -> None:
    other = connection.copy()
    try:
        with CaptureQueriesContext(other) as captured:
            assert run(other, "a", [1, 2, 3]) == ["a1", "a3"]
            assert run(other, "b's ", [4, 5]) == ["b's 5"]
        assert prepared_in(other) == [NAME]
    finally:
        other.close()
    # One query each: prepared with the first, executed by both.
    assert len(captured) == 2
    assert captured[0]["sql"].startswith(f"PREPARE {NAME}(text, integer[]) AS ")
    assert captured[1]["sql"].startswith(f"EXECUTE {NAME}(")


def test_a_reconnect_prepares_it_again() -> None:
    other = connection.copy()
    try:
        run(other, "a", [1])
        other.close()
        # A new database session, which has prepared nothing.
        with CaptureQueriesContext(other) as captured:
            assert run(other, "c", [7]) == ["c7"]
        assert prepared_in(other) == [NAME]
    finally:
        other.close()
    assert [q["sql"].split(" ", 1)[0] for q in captured] == ["PREPARE"]


def test_a_failed_first_run_leaves_the_session_able_to_run_it() -> None:
    sql = "SELECT 10 / $1"
    name = server_prepared.name("test_", sql, ("integer",))

    def quotient(divisor: int) -> Any:
        with connection.cursor() as cursor:
            server_prepared.execute(
                connection, cursor, name, sql, ("integer",), [divisor]
            )
            return cursor.fetchone()[0]

    # Prepared, then fails when executed.
    with pytest.raises(DataError), transaction.atomic():
        quotient(0)
    assert name in prepared_in(connection)
    # Executed, not prepared a second time (which PostgreSQL refuses).
    with CaptureQueriesContext(connection) as captured:
        assert quotient(5) == 2
    assert captured[-1]["sql"].startswith(f"EXECUTE {name}(")
