"""Django's PostgreSQL backend, with the health check of a reused connection
made without a round trip while the connection is busy (issue #20).

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of
every request that reuses a persistent connection, so that a PostgreSQL
restart costs a reconnect, not a 500 (#13): a round trip and a statement in
the backend on every request (~0,07 ms of this process's CPU and ~0,04 ms of
the backend's). But a PostgreSQL that ends a connection (a restart,
`pg_terminate_backend`, its idle timeouts) says so: it sends its error and
closes the socket, which then has something to read, while a healthy idle
connection has nothing to read. Only a server that vanished without closing
(its host switched off, a firewall that forgot the connection) says nothing,
and neither happens between two requests a few seconds apart without a query
failing (which makes Django check the connection at the end of that request).

So `SELECT 1` is sent, as before, when the socket has something to read or
the connection was last found healthy CHECK_AFTER_IDLE_SECONDS ago or more;
otherwise the connection is taken as healthy, as a new one is.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base

CHECK_AFTER_IDLE_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    # Django's, which its type stubs leave out.
    health_check_enabled: bool
    health_check_done: bool
    # When the connection was made or last found healthy (time.monotonic()).
    healthy_at = 0.0

    def connect(self) -> None:
        super().connect()
        self.healthy_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return
        now = time.monotonic()
        if now - self.healthy_at < CHECK_AFTER_IDLE_SECONDS and self.quiet():
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()  # SELECT 1; closes if it fails
        if self.connection is not None:
            self.healthy_at = now

    def quiet(self) -> bool:
        """Whether the connection is open with nothing from the server to read:
        the server has neither ended it nor said anything since the last reply."""
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
