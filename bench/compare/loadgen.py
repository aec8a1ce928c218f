"""The closed-loop load generator both applications are driven with.

Each client is a thread with its own HTTP session (its own signed-in user); it
sends one operation, waits for the answer, and sends the next, so the offered
load is exactly the number of clients. An operation may be several requests (a
save and the page it redirects to, as a browser follows it); only the requests
are timed, not the parsing the client does between operations.

No Django here: the same code drives our service and the generic app.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


class OperationFailed(Exception):
    """An answer the client did not expect (a status, a missing field)."""


@dataclass
class Timer:
    """Time spent in requests within one operation (parsing excluded)."""

    seconds: float = 0.0

    def __call__(self, request: Callable[[], object]) -> object:
        start = time.perf_counter()
        try:
            return request()
        finally:
            self.seconds += time.perf_counter() - start


# One client's operation: given a Timer to wrap its requests in.
Operation = Callable[[Timer], None]


@dataclass
class PhaseResult:
    kind: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    # CPU seconds the server's processes and its database backends used.
    app_cpu: float = 0.0
    db_cpu: float = 0.0
    # CPU seconds the load generator itself used (this process, every client
    # thread): on a 2-core machine it competes with the server for the cores.
    client_cpu: float = 0.0

    @property
    def cpu_ms(self) -> float:
        """Server and database CPU per completed operation."""
        done = len(self.latencies)
        return (self.app_cpu + self.db_cpu) * 1000 / done if done else 0.0

    @property
    def client_cpu_ms(self) -> float:
        """The load generator's CPU per completed operation."""
        done = len(self.latencies)
        return self.client_cpu * 1000 / done if done else 0.0

    @property
    def rate(self) -> float:
        """Completed operations per second over the whole phase."""
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else 0.0

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies, 95) * 1000


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (the value at rank ceil(pct/100 * n))."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def run_phase(
    kind: str, operations: Sequence[Callable[[], Operation | None]]
) -> PhaseResult:
    """Run one closed loop per client until each has no operation left.

    `operations[i]` returns client i's next operation, or None when it is done.
    All clients start together (a barrier) and the phase ends when the last one
    finishes; failures are recorded, not raised, so one bad answer does not hide
    the rest of the figures.
    """
    result = PhaseResult(kind=kind, clients=len(operations))
    lock = threading.Lock()
    # One client runs in this thread: no thread to wait for, and the smoke test
    # (tests/test_compare_bench.py) keeps its database connection.
    threaded = len(operations) > 1
    barrier = threading.Barrier(len(operations) + 1 if threaded else 1)

    def loop(next_operation: Callable[[], Operation | None]) -> None:
        barrier.wait()
        while True:
            operation = next_operation()
            if operation is None:
                return
            timer = Timer()
            try:
                operation(timer)
            except Exception as exc:  # noqa: BLE001 - counted and printed
                with lock:
                    result.failures.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                result.latencies.append(timer.seconds)

    if not threaded:
        start = time.perf_counter()
        for next_operation in operations:
            loop(next_operation)
        result.wall_seconds = time.perf_counter() - start
        return result
    threads = [
        threading.Thread(target=loop, args=(op,), daemon=True) for op in operations
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - start
    return result


def counted(total: int, clients: int) -> list[int]:
    """`total` operations shared out over `clients` as evenly as possible."""
    return [
        total // clients + (1 if i < total % clients else 0) for i in range(clients)
    ]
