"""The chart bench (bench/chart_bench.py) at a toy size, so that it cannot rot:
it draws the charts it names and prints a figure for each and in all."""

from __future__ import annotations

import io
import random

from bench.chart_bench import chart, main


def test_the_chart_bench_names_the_bars_as_the_synthetic_copies() -> None:
    data = chart(300, random.Random(1), title="Fråga 1")
    assert len(data.categories) == len(set(data.categories)) == 300
    assert data.categories[0] == "Upplands Väsby"
    assert data.categories[290] == "Upplands Väsby (syntetisk 1)"


def test_the_chart_bench_prints_a_line_per_chart_and_the_total() -> None:
    out = io.StringIO()
    main(["--charts", "2", "--bars", "3"], out=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["chart   1", "chart   2"]
    assert lines[2].startswith("2 charts of 3 bars: ")
    assert "MiB of PNG, peak" in lines[2]
