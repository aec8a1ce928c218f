"""The health check of a reused PostgreSQL connection (config/postgresql,
issue #20; the restart it guards against is #13): no `SELECT 1` while the
connection is busy and quiet, and still a new connection, not an error, when
PostgreSQL has ended the old one or it sat unused."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from bench.one_process import statements
from config.postgresql.base import CHECK_AFTER_IDLE_SECONDS, DatabaseWrapper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL backend's check"
    ),
]


@pytest.fixture
def web() -> Iterator[DatabaseWrapper]:
    """A web process's persistent connection, past its first request: the test's
    own is inside the test's transaction."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    assert isinstance(other, DatabaseWrapper)
    other.settings_dict["CONN_MAX_AGE"] = 600
    other.settings_dict["CONN_HEALTH_CHECKS"] = True
    other.ensure_connection()
    try:
        yield other
    finally:
        other.close()


def next_request(web: DatabaseWrapper) -> None:
    """What Django does for the connection at a request's start."""
    web.close_if_unusable_or_obsolete()
    assert web.connection is not None and not web.health_check_done


def backend_pid(web: DatabaseWrapper) -> int:
    with web.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


def terminate(pid: int) -> None:
    """Ends that backend, as a restart does, and waits until it has gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(200):
            # The statistics are read once per transaction unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.01)
    raise AssertionError("the backend did not end")


def test_a_busy_quiet_connection_is_reused_without_select_1(
    web: DatabaseWrapper,
) -> None:
    pid = backend_pid(web)
    next_request(web)
    with statements() as sent:
        assert backend_pid(web) == pid
    assert sent == ["SELECT pg_backend_pid()"]


@pytest.mark.parametrize("checked", [True, False])
def test_a_connection_postgresql_ended_is_replaced_before_the_first_query(
    web: DatabaseWrapper, checked: bool
) -> None:
    pid = backend_pid(web)
    next_request(web)
    terminate(pid)
    if checked:
        with statements() as sent:
            assert backend_pid(web) != pid
        # Django's check found it dead; the query went to a new connection
        # (set up in between).
        assert sent[0] == "SELECT 1" and sent[-1] == "SELECT pg_backend_pid()"
    else:
        # The control: without the check the first query meets the dead one.
        web.health_check_done = True
        with pytest.raises(Exception, match="terminat|closed|lost"):
            backend_pid(web)


def test_a_connection_unused_for_a_while_is_checked_with_select_1(
    web: DatabaseWrapper,
) -> None:
    pid = backend_pid(web)
    next_request(web)
    web.healthy_at -= CHECK_AFTER_IDLE_SECONDS
    with statements() as sent:
        assert backend_pid(web) == pid
    assert sent == ["SELECT 1", "SELECT pg_backend_pid()"]
    next_request(web)
    with statements() as sent:
        backend_pid(web)
    assert sent == ["SELECT pg_backend_pid()"]
