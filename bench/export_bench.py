"""Benchmark every registered exporter on a realistic year and on one N times larger.

    python bench/export_bench.py [--scale N] [--seed S]     (or: make bench SCALE=N)

Builds a throwaway database (a SQLite file in a temporary directory; with
DATABASE_URL set to PostgreSQL, a fresh database named bench_<name> beside it,
dropped at the end), loads the register and the questionnaires, and bulk-creates
a complete, submitted response with plausible answers (intake/demo.py, parsed by
intake.services.cells_for) for every organisation to every 2024 questionnaire:
21 regions, 24 RSS and 290 kommuner. It runs every exporter in every format over
every target, then adds synthetic organisations until the frame is N times
larger (default 100) and runs them again.

It prints wall time, peak Python memory (tracemalloc, which also slows the run a
little) and the number of SQL queries per exporter, format, target and scale. It
asserts nothing about timings: the figures are for reading and comparing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 500  # responses per bulk insert


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def kommun_counts(question: Any, kommuner: int, rng: random.Random) -> dict[str, int]:
    """Counts of kommuner per alternative (RSS questions): per row when it has rows."""
    options = [o.code for o in question.options.all()]
    rows = [r.code for r in question.rows.all()]
    if not rows:
        return {code: rng.randint(0, kommuner) for code in options}
    counts: dict[str, int] = {}
    for row in rows:
        left = kommuner
        for code in options[:-1]:
            taken = rng.randint(0, left)
            counts[f"{row}.{code}"] = taken
            left -= taken
        counts[f"{row}.{options[-1]}"] = left
    return counts


def populate(
    questionnaire: Any,
    organisations: Sequence[Any],
    staff: Any,
    rng: random.Random,
    kommuner_of: dict[int, int],
) -> tuple[int, int]:
    """Submitted responses with answers for these organisations: (responses, answers)."""
    from django.utils import timezone

    from intake.demo import demo_values
    from intake.models import Answer, Channel, Response, ResponseStatus
    from intake.services import cells_for
    from surveys.models import QuestionKind

    questions = list(
        questionnaire.questions.order_by("position").prefetch_related("options", "rows")
    )
    option_ids = {(q.pk, o.code): o.pk for q in questions for o in q.options.all()}
    row_ids = {(q.pk, r.code): r.pk for q in questions for r in q.rows.all()}
    now = timezone.now()
    n_responses = n_answers = 0
    for batch in chunks(organisations, BATCH):
        responses = Response.objects.bulk_create(
            Response(
                questionnaire=questionnaire,
                organisation=organisation,
                status=ResponseStatus.SUBMITTED,
                version=1,
                submitted_at=now,
                submitted_by=staff,
            )
            for organisation in batch
        )
        answers = []
        for response, organisation in zip(responses, batch, strict=True):
            values = demo_values(questions, rng)
            for question in questions:
                raw = values.get(question.variable)
                if (
                    question.kind == QuestionKind.KOMMUN_COUNT
                    and not question.condition
                ):
                    raw = kommun_counts(
                        question, kommuner_of.get(organisation.pk, 8), rng
                    )
                if raw is None:
                    continue
                for slot, cell in cells_for(question, raw).items():
                    answers.append(
                        Answer(
                            response=response,
                            question=question,
                            slot=slot,
                            option_id=option_ids[(question.pk, cell.option)]
                            if cell.option
                            else None,
                            row_id=row_ids[(question.pk, cell.row)]
                            if cell.row
                            else None,
                            number=cell.number,
                            text=cell.text,
                            escaped=cell.escaped,
                            channel=Channel.IMPORT,
                            entered_by=staff,
                        )
                    )
        Answer.objects.bulk_create(answers, batch_size=5000)
        n_responses += len(responses)
        n_answers += len(answers)
    return n_responses, n_answers


def add_synthetic_copies(copy: int) -> dict[str, list[Any]]:
    """One synthetic copy of every region, RSS and kommun (with 2024 memberships)."""
    from surveys.models import Organisation, RSSMembership, memberships_in_year

    originals = list(Organisation.objects.exclude(code__startswith="x").order_by("pk"))
    copies = Organisation.objects.bulk_create(
        Organisation(
            kind=o.kind,
            code=f"x{copy}-{o.code}",
            name=f"{o.name} (syntetisk {copy})",
            short_name=f"{o.short_name} {copy}",
            lan_name=o.lan_name,
            region_id=o.region_id,
            sort_order=copy * 10_000 + o.sort_order,
        )
        for o in originals
    )
    copy_of = {o.pk: c for o, c in zip(originals, copies, strict=True)}
    memberships = RSSMembership.objects.filter(memberships_in_year(2024)).filter(
        kommun_id__in=copy_of
    )
    RSSMembership.objects.bulk_create(
        RSSMembership(
            rss=copy_of[m.rss_id], kommun=copy_of[m.kommun_id], valid_from=2024
        )
        for m in memberships
    )
    by_kind: dict[str, list[Any]] = {}
    for organisation in copies:
        by_kind.setdefault(organisation.kind, []).append(organisation)
    return by_kind


def kommuner_per_rss() -> dict[int, int]:
    from django.db.models import Count

    from surveys.models import Organisation, memberships_in_year

    return dict(
        Organisation.objects.filter(kind="rss")
        .annotate(
            n=Count(
                "rss_memberships",
                filter=memberships_in_year(2024, prefix="rss_memberships__"),
            )
        )
        .values_list("pk", "n")
    )


def fill(
    questionnaires: Sequence[Any],
    by_kind: dict[str, list[Any]],
    staff: Any,
    rng: random.Random,
) -> tuple[int, int]:
    kommuner_of = kommuner_per_rss()
    total = (0, 0)
    for questionnaire in questionnaires:
        made = populate(
            questionnaire,
            by_kind.get(questionnaire.audience, []),
            staff,
            rng,
            kommuner_of,
        )
        total = (total[0] + made[0], total[1] + made[1])
    return total


def measure(scale: int, directory: Path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.exporters import ExportTarget, export_kinds, run_exporter
    from surveys.models import Cycle, Questionnaire

    cycle = Cycle.objects.get(year=2024)
    questionnaires = list(
        Questionnaire.objects.filter(cycle=cycle)
        .select_related("cycle")
        .order_by("key")
    )
    for kind in export_kinds():
        targets: list[Any] = (
            questionnaires if kind.target == ExportTarget.QUESTIONNAIRE else [cycle]
        )
        options = kind.clean_options({})
        for fmt in kind.formats:
            for target in targets:
                label = (
                    target.key
                    if isinstance(target, Questionnaire)
                    else str(target.year)
                )
                path = directory / f"{kind.key}-{label}.{fmt}"
                tracemalloc.start()
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    manifest = run_exporter(
                        target,
                        kind=kind,
                        format=fmt,
                        options=options,
                        path=path,
                        file_name=path.name,
                    )
                elapsed = time.perf_counter() - started
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                rows = sum(manifest.row_counts.values()) if manifest.row_counts else 0
                rows = manifest.row_counts.get("rader", rows)
                print(
                    f"{scale:>6} {kind.key:<16} {fmt:<5} {label:<13} {rows:>9} "
                    f"{elapsed:>9.2f} {peak / 2**20:>9.1f} {len(queries):>8} "
                    f"{path.stat().st_size / 1024:>10.0f}",
                    flush=True,
                )
                path.unlink()


HEADER = (
    f"{'scale':>6} {'kind':<16} {'fmt':<5} {'target':<13} {'rows':>9} "
    f"{'seconds':>9} {'peak MiB':>9} {'queries':>8} {'size KiB':>10}"
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=int, default=100, help="frame multiple (default 100)"
    )
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")

    directory = Path(tempfile.mkdtemp(prefix="naravard-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    database = connections["default"].settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = str(directory / "bench.sqlite3")
    else:
        # Beside the configured database, never in it (nor in pytest's test_<name>).
        database["TEST"]["NAME"] = f"bench_{database['NAME']}"
    started = time.perf_counter()
    old = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        from surveys.models import Organisation, Questionnaire, User
        from surveys.services import load_questionnaires, load_reference_data

        load_reference_data()
        load_questionnaires()
        staff = User.objects.create_user(
            email="bench@socialstyrelsen.test", is_staff=True
        )
        rng = random.Random(args.seed)  # noqa: S311 - invented answers, not security
        questionnaires = list(
            Questionnaire.objects.filter(cycle__year=2024).select_related("cycle")
        )
        by_kind: dict[str, list[Any]] = {}
        for organisation in Organisation.objects.order_by("pk"):
            by_kind.setdefault(organisation.kind, []).append(organisation)
        responses, answers = fill(questionnaires, by_kind, staff, rng)
        print(
            f"Scale 1: {responses} responses, {answers} answers "
            f"(built in {time.perf_counter() - started:.1f} s; database {database['ENGINE'].rsplit('.', 1)[-1]})",
            flush=True,
        )
        print(HEADER, flush=True)
        measure(1, directory)
        if args.scale > 1:
            started = time.perf_counter()
            for copy in range(1, args.scale):
                made = fill(questionnaires, add_synthetic_copies(copy), staff, rng)
                responses, answers = responses + made[0], answers + made[1]
            print(
                f"Scale {args.scale}: {responses} responses, {answers} answers "
                f"(built in {time.perf_counter() - started:.1f} s)",
                flush=True,
            )
            print(HEADER, flush=True)
            measure(args.scale, directory)
    finally:
        teardown_databases(old, verbosity=0)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
