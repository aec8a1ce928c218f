"""Throwaway PostgreSQL databases and gunicorn processes for the comparison."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests
from psycopg import sql


def recreate_database(url: str) -> None:
    """Drop and create the database the URL names (through the server's
    `postgres` database): every run starts from the same empty state."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name == "postgres":
        raise SystemExit(f"Refusing to recreate the database of {url}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """User and system CPU time each process has used so far (Linux /proc); a
    process that has ended is left out."""
    used: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return used


def used_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings by the processes alive at the second: a
    process started in between counts whole. One that ended in between (a
    database connection past its CONN_MAX_AGE) is missed, so this can only
    undercount."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@dataclass
class Server:
    """A running gunicorn and the database it uses. `cpu()` is the CPU time used
    so far by its master and workers, and by the PostgreSQL backends serving its
    database: on a shared machine the work an operation costs, which the
    neighbours' load does not inflate as it does wall time."""

    url: str
    pid: int
    database_url: str

    def cpu(self) -> tuple[dict[int, float], dict[int, float]]:
        app = cpu_seconds([self.pid, *children(self.pid)])
        name = urlsplit(self.database_url).path.lstrip("/")
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            backends = [
                pid
                for (pid,) in connection.execute(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                )
            ]
        return app, cpu_seconds(backends)


@contextlib.contextmanager
def gunicorn(
    command: list[str],
    *,
    workers: int,
    env: dict[str, str],
    cwd: Path,
    ready_path: str,
    database_url: str,
) -> Iterator[Server]:
    """A gunicorn with `workers` sync workers on a free port; yields its base URL
    once `ready_path` answers, and stops it (only this process) afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [
            *command,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=cwd,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({process.returncode}): {command}")
            try:
                requests.get(base + ready_path, timeout=30)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not answer: {command}") from None
                time.sleep(0.2)
        yield Server(base, process.pid, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
