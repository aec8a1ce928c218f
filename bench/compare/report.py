"""The side-by-side table of the comparison."""

from __future__ import annotations

from bench.compare.loadgen import PhaseResult

HEADER = (
    f"{'clients':>7} {'kind':9} | {'ours/s':>7} {'med ms':>7} {'p95 ms':>7} "
    f"{'cpu ms':>7} | {'generic/s':>9} {'med ms':>7} {'p95 ms':>7} {'cpu ms':>7} | "
    f"{'ratio/s':>7} {'ratio cpu':>9} {'ops':>9}"
)


def print_table(results: list[tuple[str, PhaseResult]]) -> None:
    """One line per concurrency and kind: operations per second, median and p95
    of each, the server and database CPU per operation, and the ratios
    ours/generic of throughput and generic/ours of CPU (above 1: ours serves
    more, or spends less)."""
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
        cpu_ratio = theirs.cpu_ms / mine.cpu_ms if mine.cpu_ms else float("inf")
        print(
            f"{key[0]:>7} {key[1]:9} | {mine.rate:7.1f} {mine.median_ms:7.0f} "
            f"{mine.p95_ms:7.0f} {mine.cpu_ms:7.1f} | {theirs.rate:9.1f} "
            f"{theirs.median_ms:7.0f} {theirs.p95_ms:7.0f} {theirs.cpu_ms:7.1f} | "
            f"{ratio:7.2f} {cpu_ratio:9.2f} "
            f"{len(mine.latencies):>4}/{len(theirs.latencies):<4}"
        )
