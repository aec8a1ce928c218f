"""How close the tabulation comes to the database's own limit (issue #20 point 4).

    python bench/tabulation_bench.py [--scale N] [--repeat R]
    (also run by make bench-compare; see bench/README.md)

On the export benchmark's throwaway database (bench/export_bench.py: a realistic
year of submitted responses from every organisation, then synthetic copies until
the frame is N times larger), it times `tabulate()` of every question of each
2024 questionnaire, riket and per region, against one bare SQL GROUP BY over the
same answer rows with the same filters (the questionnaire's submitted responses;
per region also grouped by the organisation's region): the least any tabulation
must read. It prints both times (the fastest of R runs) and their ratio; the
issue's target is within 2x, at scale 1 and at scale N. It asserts nothing.

What each side computes (the comparison is the tabulation against a query that
does less, not like against like):

- GROUP BY: the answer cells (question, slot, row, option, escape answer) with
  their count and the sum of their numbers, for the groups that have answers.
- tabulate(): the same cells (one query, the same GROUP BY), and besides, for
  every group of the level in the register (also those without answers: at
  scale N the synthetic regions are N times as many, while their organisations
  keep the real regions, so per region 21 groups have answers and the rest
  none): the frame (the roster), the respondents and the begun but not
  submitted responses, those shown each follow-up whose display condition
  needs an EXISTS and the respondents who ticked an option of each multiple
  choice (an EXISTS each), counted over the responses; the frame; the groups'
  names (per region); all of it and the cells in one statement (a UNION ALL,
  one round trip; on PostgreSQL prepared once per database session, so not
  planned again, while the bare GROUP BY is planned on every run); and in
  Python one
  ItemCounts per group and item with its base, escape answers, item
  nonresponse and not applicable.

"py ms" is the tabulation's own Python CPU time (time.process_time, the
fastest of R runs), which the load of a shared machine moves less than the
wall times; on SQLite the database runs inside the process and is counted in
it.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_bench import build_year, scale_up, throwaway_database  # noqa: E402

HEADER = (
    f"{'scale':>6} {'questionnaire':<13} {'level':<7} {'answers':>9} "
    f"{'tabulate ms':>12} {'GROUP BY ms':>12} {'ratio':>6} {'queries':>8} "
    f"{'py ms':>7}"
)


def bare_group_by(questionnaire: Any, *, per_region: bool) -> Callable[[], list[Any]]:
    """One GROUP BY over the questionnaire's submitted answers: the cells the
    tabulation counts, with their count and sum, and nothing else."""
    from django.db import connection

    from intake.models import Answer, Response, ResponseStatus
    from surveys.models import Organisation

    answer = Answer._meta.db_table
    response = Response._meta.db_table
    organisation = Organisation._meta.db_table
    group = "o.region_id, " if per_region else ""
    join = f" JOIN {organisation} o ON o.id = r.organisation_id" if per_region else ""
    query = (
        f"SELECT {group}a.question_id, a.slot, a.row_id, a.option_id, a.escaped,"
        f" COUNT(*), SUM(a.number) FROM {answer} a"
        f" JOIN {response} r ON r.id = a.response_id{join}"
        f" WHERE r.questionnaire_id = %s AND r.status = %s"
        f" GROUP BY {group}a.question_id, a.slot, a.row_id, a.option_id, a.escaped"
    )
    params = [questionnaire.pk, ResponseStatus.SUBMITTED.value]

    def run() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    return run


def fastest(run: Callable[[], Any], repeat: int) -> float:
    return fastest_with_cpu(run, repeat)[0]


def fastest_with_cpu(run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """The fastest wall time of `repeat` runs, and the least CPU time of this
    process (its Python, not the database's) in one of them."""
    best = cpu = float("inf")
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - cpu_started)
    return best, cpu


def measure(
    scale: int, repeat: int, *, show_queries: bool = False
) -> list[tuple[str, str, float]]:
    """Print a line per questionnaire and level; return (key, level, ratio)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intake.models import Answer
    from reports.tabulation import Level, tabulate
    from surveys.models import Questionnaire

    ratios = []
    for questionnaire in (
        Questionnaire.objects.filter(cycle__year=2024)
        .select_related("cycle")
        .order_by("key")
    ):
        answers = Answer.objects.filter(
            response__questionnaire=questionnaire,
            response__status="submitted",
        ).count()
        for level in (Level.RIKET, Level.REGION):
            ours, python = fastest_with_cpu(
                lambda q=questionnaire, lv=level: tabulate(q, level=lv), repeat
            )
            bare = fastest(
                bare_group_by(questionnaire, per_region=level == Level.REGION), repeat
            )
            with CaptureQueriesContext(connection) as queries:
                tabulate(questionnaire, level=level)
            ratio = ours / bare if bare else float("inf")
            ratios.append((questionnaire.key, level.value, ratio))
            print(
                f"{scale:>6} {questionnaire.key:<13} {level.value:<7} {answers:>9} "
                f"{ours * 1000:>12.1f} {bare * 1000:>12.1f} {ratio:>6.2f} "
                f"{len(queries):>8} {python * 1000:>7.1f}",
                flush=True,
            )
            if show_queries:
                for query in queries.captured_queries:
                    print(f"{'':>15} {query['time']:>7}s  {query['sql'][:90]}")
    return ratios


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--queries", action="store_true", help="print each query's time at scale N"
    )
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="naravard-tabulation-"))
    with throwaway_database(directory) as staff:
        build_year(staff, random.Random(args.seed))
        # Measured on the statistics a kept database has at scale 1 too: this
        # PostgreSQL may run without autovacuum, and a table never analysed
        # gets other plans (bench/RESULTS.md, "tabregion").
        _analyse()
        print(HEADER, flush=True)
        measure(1, args.repeat)
        if args.scale > 1:
            started = time.perf_counter()
            scale_up(args.scale)
            _analyse()
            print(
                f"Scale {args.scale} built in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            print(HEADER, flush=True)
            measure(args.scale, args.repeat, show_queries=args.queries)


def _analyse() -> None:
    """Table statistics as autovacuum would have them on a real database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
