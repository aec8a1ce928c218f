"""The side-by-side table of the comparison."""

from __future__ import annotations

from bench.compare.loadgen import PhaseResult

HEADER = (
    f"{'clients':>7} {'kind':9} | {'ours/s':>7} {'med ms':>7} {'p95 ms':>7} | "
    f"{'generic/s':>9} {'med ms':>7} {'p95 ms':>7} | {'ratio/s':>7} {'ops':>9}"
)


def print_table(results: list[tuple[str, PhaseResult]]) -> None:
    """One line per concurrency and kind: operations per second, median and p95
    of each, and ours/generic throughput (above 1: ours serves more)."""
    ours = {(r.clients, r.kind): r for side, r in results if side == "ours"}
    generic = {(r.clients, r.kind): r for side, r in results if side == "generic"}
    print()
    print(HEADER)
    print("-" * len(HEADER))
    for key, mine in ours.items():
        theirs = generic.get(key)
        if theirs is None:
            continue
        ratio = mine.rate / theirs.rate if theirs.rate else float("inf")
        print(
            f"{key[0]:>7} {key[1]:9} | {mine.rate:7.1f} {mine.median_ms:7.0f} "
            f"{mine.p95_ms:7.0f} | {theirs.rate:9.1f} {theirs.median_ms:7.0f} "
            f"{theirs.p95_ms:7.0f} | {ratio:7.2f} "
            f"{len(mine.latencies):>4}/{len(theirs.latencies):<4}"
        )
