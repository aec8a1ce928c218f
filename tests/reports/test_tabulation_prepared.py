"""On PostgreSQL a tabulation's statement is prepared once per database session
(reports.tabulation.compiled): later runs execute it without planning it
again, a new session prepares it again, and a failed run leaves no session
unable to prepare it. SQLite runs the statement as it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DataError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext

from reports.tabulation.compiled import PREFIX, Compiled
from reports.tabulation.counts import tabulate
from reports.tabulation.plan import plan_of
from reports.tabulation.results import Level, Selection
from surveys import server_prepared
from surveys.models import Questionnaire
from tests.conftest import require_postgresql
from tests.reports.conftest import EveryKind


@pytest.fixture(autouse=True)
def postgresql() -> None:
    require_postgresql(
        "DATABASE_URL is not PostgreSQL: SQLite has no prepared statements"
    )


def prepared_in_session(session: BaseDatabaseWrapper = connection) -> list[str]:
    with session.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE starts_with(name, %s)",
            [PREFIX],
        )
        return [name for (name,) in cursor.fetchall()]


def statement(questionnaire: object) -> Compiled:
    (queries,) = plan_of(questionnaire).compiled.values()  # type: ignore[arg-type]
    found: Compiled = queries.statement
    return found


@pytest.mark.django_db
def test_the_statement_is_prepared_once_and_then_executed(
    every_kind: EveryKind,
) -> None:
    questionnaire = every_kind.questionnaire
    with CaptureQueriesContext(connection) as first:
        before = tabulate(questionnaire, level=Level.REGION)
    name = statement(questionnaire).prepared
    assert name is not None and name in prepared_in_session()
    with CaptureQueriesContext(connection) as again:
        after = tabulate(questionnaire, level=Level.REGION)
    assert after == before
    assert [len(first), len(again)] == [1, 1]
    # The worker's session may hold the limit of earlier tests' statements, in
    # which case the oldest goes in the same round trip.
    assert re.fullmatch(
        rf"(DEALLOCATE \w+; )?PREPARE {name} AS .*; EXECUTE {name}",
        first[0]["sql"],
        flags=re.DOTALL,
    )
    assert again[0]["sql"] == f"EXECUTE {name}"


@contextmanager
def new_session() -> Iterator[BaseDatabaseWrapper]:
    """A second connection in place of the test's for a while: a new database
    session, which sees what is committed (the register and the shipped
    questionnaires), not the test's own rows."""
    own = connections["default"]
    other = own.copy()
    connections["default"] = other
    try:
        yield other
    finally:
        connections["default"] = own
        other.close()


@pytest.mark.django_db
def test_a_new_session_prepares_it_again(every_kind: EveryKind) -> None:
    questionnaire = every_kind.questionnaire
    tabulate(questionnaire, level=Level.RIKET)
    with new_session() as other, CaptureQueriesContext(other) as captured:
        elsewhere = tabulate(questionnaire, level=Level.RIKET)
    # Run, not taken for prepared: the questionnaire is uncommitted, unseen.
    assert elsewhere.respondents == 0
    assert len(captured) == 1
    assert captured[0]["sql"].startswith("PREPARE ")


@pytest.mark.django_db
def test_the_oldest_statement_of_a_session_is_deallocated_beyond_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(server_prepared, "MAX_PREPARED", 2)
    questionnaire = Questionnaire.objects.filter(audience="region").first()
    with new_session() as other:
        whole = tabulate(questionnaire, level=Level.RIKET)
        tabulate(questionnaire, level=Level.REGION)
        tabulate(questionnaire, level=Level.RIKET, selection=Selection.STARTED)
        assert len(prepared_in_session(other)) == 2
        # The first, deallocated, is prepared again.
        with CaptureQueriesContext(other) as captured:
            assert tabulate(questionnaire, level=Level.RIKET) == whole
        assert captured[0]["sql"].startswith("DEALLOCATE ")
        assert len(prepared_in_session(other)) == 2


@pytest.mark.django_db
def test_a_failed_first_run_leaves_the_session_able_to_run_it() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE divisor (n integer)")
    # Prepared, then fails when executed: nothing to divide by yet.
    failing = Compiled(
        sql="SELECT 10 / COUNT(*) FROM divisor",
        params=None,
        columns=("quotient",),
        using="default",
        converters=(),
        prepared=f"{PREFIX}test_failing",
    )
    with pytest.raises(DataError), transaction.atomic():
        failing.rows()
    assert failing.prepared in prepared_in_session()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO divisor VALUES (1), (2)")
    # Executed, not prepared a second time (which PostgreSQL refuses).
    with CaptureQueriesContext(connection) as captured:
        assert failing.rows() == [(5,)]
    assert captured[-1]["sql"] == f"EXECUTE {failing.prepared}"
