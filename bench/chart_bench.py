"""Draw the chart zip's PNGs at national scale, without a database.

    python bench/chart_bench.py [--charts 52] [--bars 2400] [--seed 2024]

At 100 times the realistic year (bench/export_bench.py --scale 100) the chart
zip of the kommun questionnaire (reports/export_kinds.py `write_diagram_zip`)
draws 52 charts of 2 400 bars, one per kommun and synthetic copy. This draws as
many charts of as many bars the way the export does (one `ChartText` for the
zip): the register's kommuner named as the copies
are ("Ale (syntetisk 17)"), a random share each. It prints the CPU time per
chart (user and system: the kernel's page zeroing counts) and in all, the bytes
of PNG, and the process's peak resident memory (ru_maxrss). It asserts nothing
about timings: the figures are for reading and comparing (bench/RESULTS.md),
and the export bench measures the whole export.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KOMMUNER = ROOT / "surveys" / "reference" / "kommuner.csv"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def chart(bars: int, rng: random.Random, *, title: str) -> Any:
    from reports.charts import BarChartData

    with KOMMUNER.open(encoding="utf-8") as file:
        names = [row["name"] for row in csv.DictReader(file)]
    categories = [
        f"{names[i % len(names)]} (syntetisk {i // len(names)})"
        if i >= len(names)
        else names[i]
        for i in range(bars)
    ]
    return BarChartData(
        title=title,
        categories=categories,
        # As the export rounds them (reports/question_parts.py chart_data).
        values=[Decimal(str(round(rng.uniform(0, 100), 1))) for _ in range(bars)],
        value_format="percent",
        source_line="Källa: Socialstyrelsen, uppföljning av omställningen till "
        "nära vård 2024.",
        base_note=f"Bas: {bars} kommuner har svarat.",
    )


def main(argv: Sequence[str] | None = None, out: Any = sys.stdout) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charts", type=int, default=52)
    parser.add_argument("--bars", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)

    from reports.charts import ChartText, bar_chart_png

    rng = random.Random(args.seed)  # noqa: S311 - invented shares, not security
    chart_text = ChartText()
    total = size = 0.0
    for number in range(1, args.charts + 1):
        data = chart(args.bars, rng, title=f"Fråga {number}: andel kommuner")
        started = cpu_seconds()
        png = bar_chart_png(data, chart_text=chart_text)
        seconds = cpu_seconds() - started
        total += seconds
        size += len(png)
        print(
            f"chart {number:>3}: {args.bars} bars, {seconds:6.3f} s CPU, "
            f"{len(png) / 2**20:6.1f} MiB",
            file=out,
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.charts} charts of {args.bars} bars: {total:.1f} s CPU "
        f"({total / max(args.charts, 1):.3f} s a chart), "
        f"{size / 2**20:.0f} MiB of PNG, peak {peak:.0f} MiB",
        file=out,
        flush=True,
    )


if __name__ == "__main__":
    main()
