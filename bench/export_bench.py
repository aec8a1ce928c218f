"""Benchmark every registered exporter on a realistic year and on one N times larger.

    python bench/export_bench.py [--scale N] [--seed S] [--kind KEY]... [--repeat R] [--keep]
    (or: make bench SCALE=N BENCH_ARGS="--kind diagram --repeat 5")

Builds a throwaway database (a SQLite file in a temporary directory, with
durability traded for speed; with DATABASE_URL set to PostgreSQL, a fresh
database named bench_<name> beside it, dropped at the end), loads the register
and the questionnaires, and bulk-creates a complete, submitted response with
plausible answers (intake/demo.py) for every organisation to every 2024
questionnaire: 21 regions, 24 RSS and 290 kommuner. The rows (answers, history,
the submit event, an RSS's frozen kommun counts with their base slots) are those
save_answers and submit_response leave for the same values; tests/test_bench.py
compares them. It runs every registered exporter (or those given with --kind)
in every format over every target, then adds synthetic copies of every organisation and its responses
(INSERT ... SELECT, no Python per row) until the frame is N times larger
(default 100) and runs them again. On PostgreSQL each build ends with ANALYZE,
as autovacuum would do soon after in production: on tables never analysed the
tabulation's plans are minutes instead of seconds.

Each export runs in a forked child process, as in a fresh worker. It prints wall
and CPU time (with --repeat R the fastest of R runs, since on a shared machine
the slower ones mostly time the neighbours), the child's peak resident memory
(ru_maxrss: what the process holds at its fullest, the issue's 500 MB) and the
number of SQL queries per exporter, format, target and scale, then whether every
export made as many queries at scale N as at scale 1. It asserts nothing about
timings: the figures are for reading and comparing (bench/RESULTS.md).

With PostgreSQL, --keep keeps the database at the end, and a later run with
--keep and the same --scale measures on it (scale N only) instead of building
the year again, which at scale 100 takes minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 500  # responses per bulk insert
ROW_BATCH = 5000  # answer and history rows per INSERT batch
SYNTHETIC = "x"  # synthetic organisation codes start with it; real ones never do


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def kommun_counts(question: Any, kommuner: int, rng: random.Random) -> dict[str, int]:
    """Counts of kommuner per alternative (RSS questions) as an RSS freezes them on
    submit (intake.consolidation.KommunCount.frozen_values): every alternative per
    row, plus the base slots; here every member kommun answered. Where a kommun
    has one alternative (yes/no, single choice, a matrix row) the counts share
    the kommuner out, as the service requires; a multiple choice ticks freely."""
    from intake.cells import EJ_AKTUELL, EJ_SVARAT, SVARAT
    from intake.consolidation import ONE_ALTERNATIVE_KINDS

    options = [o.code for o in question.options.all()]
    rows = [r.code for r in question.rows.all()] or [""]
    source = question.source_question
    one_alternative = source is not None and source.kind in ONE_ALTERNATIVE_KINDS
    counts: dict[str, int] = {}
    for row in rows:
        prefix = f"{row}." if row else ""
        if one_alternative:
            left = kommuner
            for code in options[:-1]:
                taken = rng.randint(0, left)
                counts[f"{prefix}{code}"] = taken
                left -= taken
            counts[f"{prefix}{options[-1]}"] = left
        else:
            counts.update(
                {f"{prefix}{code}": rng.randint(0, kommuner) for code in options}
            )
        counts.update(
            {f"{prefix}{SVARAT}": kommuner, f"{prefix}{EJ_SVARAT}": 0}
            | {f"{prefix}{EJ_AKTUELL}": 0}
        )
    return counts


@dataclass(frozen=True)
class Stage:
    """One call of save_answers: the values, the channel and the reason."""

    values: dict[str, Any]
    channel: str
    reason: str = ""


def stages_for(
    questionnaire: Any,
    questions: Sequence[Any],
    rng: random.Random,
    n_kommuner: int,
) -> list[Stage]:
    """How a complete response comes about: the respondent's answers (here through
    the import), and for an RSS the kommun counts frozen when it submits."""
    from intake.consolidation import FROZEN_REASON
    from intake.demo import demo_values
    from intake.models import Channel
    from surveys.models import QuestionKind

    stages = [Stage(demo_values(list(questions), rng), Channel.IMPORT, "Import")]
    counts = {
        q.variable: kommun_counts(q, n_kommuner, rng)
        for q in questions
        if q.kind == QuestionKind.KOMMUN_COUNT
    }
    if counts:
        stages.append(Stage(counts, Channel.COMPUTED, FROZEN_REASON))
    return stages


def answer_rows(
    response: Any, questions: Sequence[Any], stages: Sequence[Stage], *, actor: Any
) -> tuple[list[Any], list[Any]]:
    """The Answer and AnswerChange rows that `save_answers`, called once per stage
    on a new response, leaves behind (version k after stage k): the values parsed
    by the same `cells_for`, the same display conditions, the same slots, order
    and history. tests/test_bench.py compares the two."""
    from intake.models import Answer, AnswerChange
    from intake.services import HIDDEN_REASON, _apply_display_conditions, cells_for

    by_variable = {q.variable: q for q in questions}
    stored: dict[tuple[int, str], Any] = {}
    changes: list[Any] = []
    cells: dict[int, Any] = {}
    for version, stage in enumerate(stages, start=1):
        before = {pk: dict(c) for pk, c in cells.items()}
        for variable, raw in stage.values.items():
            cells[by_variable[variable].pk] = cells_for(by_variable[variable], raw)
        hidden = _apply_display_conditions(questions, cells)
        for question in questions:
            old_cells, new_cells = (
                before.get(question.pk, {}),
                cells.get(question.pk, {}),
            )
            options = {o.code: o.pk for o in question.options.all()}
            rows = {r.code: r.pk for r in question.rows.all()}
            for slot in sorted(set(old_cells) | set(new_cells)):
                old, new = old_cells.get(slot), new_cells.get(slot)
                if old == new:
                    continue
                reason = stage.reason
                if question.pk in hidden and new is None:
                    reason = HIDDEN_REASON
                stored.pop((question.pk, slot), None)
                if new is not None:
                    stored[(question.pk, slot)] = Answer(
                        response=response,
                        question_id=question.pk,
                        slot=slot,
                        row_id=rows[new.row] if new.row else None,
                        option_id=options[new.option] if new.option else None,
                        number=new.number,
                        text=new.text,
                        escaped=new.escaped,
                        channel=stage.channel,
                        entered_by=actor,
                    )
                changes.append(
                    AnswerChange(
                        response=response,
                        question_id=question.pk,
                        slot=slot,
                        old_value=old.as_json() if old else None,
                        new_value=new.as_json() if new else None,
                        channel=stage.channel,
                        changed_by=actor,
                        reason=reason,
                        response_version=version,
                    )
                )
    return list(stored.values()), changes


def populate(
    questionnaire: Any,
    organisations: Sequence[Any],
    staff: Any,
    rng: random.Random,
    kommuner_of: dict[int, int],
) -> tuple[int, int]:
    """Submitted responses for these organisations, bulk-created in the shape
    save_answers + submit_response leave: (responses, answers)."""
    from django.utils import timezone

    from intake.models import (
        Answer,
        AnswerChange,
        Response,
        ResponseEvent,
        ResponseStatus,
    )

    questions = list(
        questionnaire.questions.order_by("position")
        .select_related("source_question")
        .prefetch_related("options", "rows")
    )
    now = timezone.now()
    n_responses = n_answers = 0
    for batch in chunks(organisations, BATCH):
        stages = [
            stages_for(questionnaire, questions, rng, kommuner_of.get(o.pk, 8))
            for o in batch
        ]
        responses = Response.objects.bulk_create(
            Response(
                questionnaire=questionnaire,
                organisation=organisation,
                status=ResponseStatus.SUBMITTED,
                version=len(steps) + 1,  # one per save_answers, one for the submit
                submitted_at=now,
                submitted_by=staff,
            )
            for organisation, steps in zip(batch, stages, strict=True)
        )
        answers: list[Any] = []
        changes: list[Any] = []
        for response, steps in zip(responses, stages, strict=True):
            made = answer_rows(response, questions, steps, actor=staff)
            answers += made[0]
            changes += made[1]
        Answer.objects.bulk_create(answers, batch_size=ROW_BATCH)
        AnswerChange.objects.bulk_create(changes, batch_size=ROW_BATCH)
        ResponseEvent.objects.bulk_create(
            ResponseEvent(response=r, kind=ResponseEvent.Kind.SUBMITTED, actor=staff)
            for r in responses
        )
        n_responses += len(responses)
        n_answers += len(answers)
    return n_responses, n_answers


def add_synthetic_copies(copy: int) -> dict[str, list[Any]]:
    """One synthetic copy of every region, RSS and kommun (with 2024 memberships)."""
    from surveys.models import Organisation, RSSMembership, memberships_in_year

    originals = list(
        Organisation.objects.exclude(code__startswith=SYNTHETIC).order_by("pk")
    )
    copies = Organisation.objects.bulk_create(
        Organisation(
            kind=o.kind,
            code=f"{SYNTHETIC}{copy}-{o.code}",
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


def _columns(model: Any, *, skip: str) -> list[str]:
    return [
        f.column
        for f in model._meta.concrete_fields
        if not f.primary_key and f.column != skip
    ]


def copy_responses(copy: int) -> tuple[int, int]:
    """Give synthetic copy `copy` the real organisations' responses, answers,
    history and events, row for row, in a few INSERT ... SELECT statements (no
    Python per row): the synthetic year in minutes, not hours. The copies answer
    exactly as their originals did, which is all the exporters' costs depend on."""
    from django.db import connection

    from intake.models import Answer, AnswerChange, Response, ResponseEvent
    from surveys.models import Organisation

    qn = connection.ops.quote_name
    org = qn(Organisation._meta.db_table)
    resp = qn(Response._meta.db_table)
    prefix = f"{SYNTHETIC}{copy}-"
    columns = _columns(Response, skip="organisation_id")
    with connection.cursor() as cursor:
        cursor.execute(
            # Table and column names come from the models; values are parameters.
            f"INSERT INTO {resp} (organisation_id, {', '.join(map(qn, columns))}) "
            f"SELECT c.id, {', '.join('r.' + qn(c) for c in columns)} "
            f"FROM {resp} r JOIN {org} o ON o.id = r.organisation_id "
            f"JOIN {org} c ON c.code = %s || o.code WHERE o.code NOT LIKE %s",
            [prefix, f"{SYNTHETIC}%"],
        )
        n_responses = cursor.rowcount
        # Original response -> its copy, in an indexed table of its own, so that
        # each row below finds its copy by key (a join on the derived table makes
        # SQLite scan it once per answer).
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy (old integer PRIMARY KEY, new integer)"
        )
        cursor.execute(
            f"INSERT INTO bench_copy (old, new) SELECT r.id, n.id "
            f"FROM {resp} r JOIN {org} o ON o.id = r.organisation_id "
            f"JOIN {org} c ON c.code = %s || o.code "
            f"JOIN {resp} n ON n.organisation_id = c.id "
            f"AND n.questionnaire_id = r.questionnaire_id "
            f"WHERE o.code NOT LIKE %s",
            [prefix, f"{SYNTHETIC}%"],
        )
        n_answers = 0
        for model in (Answer, AnswerChange, ResponseEvent):
            table = qn(model._meta.db_table)
            columns = _columns(model, skip="response_id")
            cursor.execute(
                f"INSERT INTO {table} (response_id, {', '.join(map(qn, columns))}) "
                f"SELECT m.new, {', '.join('a.' + qn(c) for c in columns)} "
                f"FROM {table} a JOIN bench_copy m ON m.old = a.response_id"
            )
            if model is Answer:
                n_answers = cursor.rowcount
        cursor.execute("DROP TABLE bench_copy")
    return n_responses, n_answers


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


def build_year(
    staff: Any, rng: random.Random, *, limit: int | None = None
) -> tuple[int, int]:
    """The realistic year: a complete, submitted response from every region, RSS
    and kommun to each 2024 questionnaire for its audience (or from the first
    `limit` of each kind, for tests). Returns (responses, answers)."""
    from surveys.models import Organisation, Questionnaire

    questionnaires = list(
        Questionnaire.objects.filter(cycle__year=2024).select_related("cycle")
    )
    by_kind: dict[str, list[Any]] = {}
    for organisation in Organisation.objects.exclude(
        code__startswith=SYNTHETIC
    ).order_by("pk"):
        by_kind.setdefault(organisation.kind, []).append(organisation)
    if limit is not None:
        by_kind = {kind: orgs[:limit] for kind, orgs in by_kind.items()}
    return fill(questionnaires, by_kind, staff, rng)


def scale_up(scale: int) -> tuple[int, int]:
    """Add synthetic copies 1 .. scale-1 of every organisation and its responses:
    the frame and the respondents grow `scale` times. Returns what was added."""
    responses = answers = 0
    for copy in range(1, scale):
        add_synthetic_copies(copy)
        made = copy_responses(copy)
        responses, answers = responses + made[0], answers + made[1]
    return responses, answers


Key = tuple[str, str, str]  # kind, format, target


@dataclass(frozen=True)
class Run:
    """One run of one export: wall and CPU seconds, SQL queries, rows, and the
    peak resident memory of the process that ran it (KiB; 0 when not measured)."""

    seconds: float
    cpu: float
    queries: int
    rows: int
    peak_kib: int = 0


def run_once(export: Any) -> Run:
    """Run the export in this process, as a fresh worker would: the
    questionnaire's structure not yet built (its 3 queries counted), so the
    counts do not depend on the order of exports; nor the tabulation's plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intake.selectors import forget_question_structures
    from reports.tabulation.plan import forget_plans

    forget_question_structures()
    forget_plans()
    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        manifest = export()
    rows = sum(manifest.row_counts.values()) if manifest.row_counts else 0
    return Run(
        seconds=time.perf_counter() - started,
        cpu=time.process_time() - cpu,
        queries=len(queries),
        rows=manifest.row_counts.get("rader", rows),
    )


def run_forked(export: Any) -> Run:
    """Run the export in a forked child process and read its peak resident
    memory (ru_maxrss) from the kernel when it ends: what a worker process
    holds at its fullest, the issue's 500 MB (#20 point 3), not only Python's
    own allocations. The child starts with this process's pages (Django, the
    loaded code), as a Celery worker does, and its own database connection."""
    from django.db import connections

    connections.close_all()  # the child must not share this process's socket
    sys.stdout.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report through the pipe, never return
        code = 1
        try:
            os.close(read)
            run = run_once(export)
            with os.fdopen(write, "w") as pipe:
                json.dump(dataclasses.asdict(run), pipe)
            connections.close_all()
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        reported = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    if status != 0 or not reported:
        raise RuntimeError(f"the export failed in its child process ({status})")
    return dataclasses.replace(Run(**json.loads(reported)), peak_kib=usage.ru_maxrss)


def resident_mib() -> float:
    """This process's resident memory now (Linux), for the header line."""
    with contextlib.suppress(OSError), open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return 0.0


def measure(
    scale: int,
    directory: Path,
    *,
    memory: bool = True,
    out: Any = sys.stdout,
    kinds: Sequence[str] = (),
    repeat: int = 1,
) -> dict[Key, int]:
    """Run every registered exporter (or those in `kinds`) in every format over
    every target `repeat` times; print a line each and return the SQL query
    counts. With `memory`, each run is a forked child process whose peak
    resident memory is read when it ends; the fastest run gives the times (on
    a shared machine the others mostly measure the neighbours), the largest the
    peak, the last the queries. Without it (the tests: a child cannot see an
    open test transaction) the runs are in this process and the peak is 0."""
    from reports.exporters import ExportTarget, export_kinds, run_exporter
    from surveys.models import Cycle, Questionnaire

    cycle = Cycle.objects.get(year=2024)
    questionnaires = list(
        Questionnaire.objects.filter(cycle=cycle)
        .select_related("cycle")
        .order_by("key")
    )
    if memory:
        print(
            f"(each export in a fresh child of this {resident_mib():.0f} MiB "
            "process; peak MiB is the child's resident peak)",
            file=out,
            flush=True,
        )
    counts: dict[Key, int] = {}
    for kind in export_kinds():
        if kinds and kind.key not in kinds:
            continue
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

                export = functools.partial(
                    run_exporter,
                    target,
                    kind=kind,
                    format=fmt,
                    options=options,
                    path=path,
                    file_name=path.name,
                )
                runs = [
                    run_forked(export) if memory else run_once(export)
                    for _ in range(repeat)
                ]
                counts[(kind.key, fmt, label)] = runs[-1].queries
                print(
                    f"{scale:>6} {kind.key:<16} {fmt:<5} {label:<13} "
                    f"{runs[-1].rows:>9} {min(r.seconds for r in runs):>9.3f} "
                    f"{min(r.cpu for r in runs):>8.3f} "
                    f"{max(r.peak_kib for r in runs) / 1024:>9.1f} "
                    f"{runs[-1].queries:>8} {path.stat().st_size / 1024:>10.0f}",
                    file=out,
                    flush=True,
                )
                path.unlink()
    return counts


def compare_query_counts(
    small: dict[Key, int], large: dict[Key, int], *, scale: int
) -> tuple[bool, str]:
    """Whether every export made as many queries at `scale` as at 1, in words."""
    grown = [
        f"{'/'.join(key)} {small[key]} -> {large.get(key)}"
        for key in small
        if large.get(key) != small[key]
    ]
    if not grown:
        return True, (
            f"Query counts equal at scale 1 and {scale}: YES ({len(small)} exports)"
        )
    return False, (
        f"Query counts equal at scale 1 and {scale}: NO ({len(grown)} of "
        f"{len(small)} differ: {'; '.join(grown)})"
    )


HEADER = (
    f"{'scale':>6} {'kind':<16} {'fmt':<5} {'target':<13} {'rows':>9} "
    f"{'seconds':>9} {'cpu s':>8} {'peak MiB':>9} {'queries':>8} {'size KiB':>10}"
)


def tune_sqlite() -> None:
    """A throwaway file database: trade durability for speed (nothing here
    needs to survive a crash), and give SQLite a larger page cache."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for pragma in (
            "journal_mode = WAL",
            "synchronous = OFF",
            "temp_store = MEMORY",
            "cache_size = -262144",  # KiB: 256 MiB
        ):
            cursor.execute(f"PRAGMA {pragma}")


@contextlib.contextmanager
def throwaway_database(directory: Path, *, keep: bool = False) -> Iterator[Any]:
    """Django on a fresh database with the register and the questionnaires;
    yields a staff user. A SQLite file in `directory`, or with DATABASE_URL set
    to PostgreSQL a database named bench_<name> beside it; dropped at the end,
    and `directory` removed. With `keep` (PostgreSQL only) the database is kept
    at the end, and one kept earlier is used as it is."""
    started = time.perf_counter()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.db import connection, connections
    from django.test.utils import setup_databases, teardown_databases

    database = connections["default"].settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        if keep:
            raise SystemExit("--keep needs DATABASE_URL pointing at PostgreSQL")
        database["TEST"]["NAME"] = str(directory / "bench.sqlite3")
    else:
        # Beside the configured database, never in it (nor in pytest's test_<name>).
        database["TEST"]["NAME"] = f"bench_{database['NAME']}"
    old = setup_databases(
        verbosity=0,
        interactive=False,
        keepdb=keep,
        aliases={"default"},
        # Not serialised for test rollbacks: a kept year is millions of rows.
        serialized_aliases=set(),
    )
    try:
        tune_sqlite()
        from surveys.models import Questionnaire, User
        from surveys.services import load_questionnaires, load_reference_data

        if not Questionnaire.objects.exists():
            load_reference_data()
            load_questionnaires()
        staff, _ = User.objects.get_or_create(
            email="bench@socialstyrelsen.test", defaults={"is_staff": True}
        )
        print(
            f"Register and questionnaires loaded in "
            f"{time.perf_counter() - started:.1f} s "
            f"(database {connection.vendor} {database['NAME']}, "
            f"{os.cpu_count()} CPUs)",
            flush=True,
        )
        yield staff
    finally:
        if not keep:
            teardown_databases(old, verbosity=0)
        shutil.rmtree(directory, ignore_errors=True)


def analyze() -> None:
    """PostgreSQL: gather the planner's statistics of the year just built, as
    autovacuum would soon after in production. Without them (a server with
    autovacuum off, or a run right after the build) the planner takes the
    bulk-inserted tables for empty, and the tabulation's query ran for over ten
    minutes at scale 100 instead of seconds."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def built_scale() -> int:
    """The scale of the year already in the database (0 when empty): a kept
    database from an earlier run holds synthetic copies 1 .. scale-1."""
    from intake.models import Response
    from surveys.models import Organisation

    if not Response.objects.exists():
        return 0
    copies = {
        code.split("-", 1)[0]
        for code in Organisation.objects.filter(code__startswith=SYNTHETIC).values_list(
            "code", flat=True
        )
    }
    return len(copies) + 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=int, default=100, help="frame multiple (default 100)"
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--kind",
        action="append",
        default=[],
        metavar="KEY",
        help="only this export kind (repeatable; default every kind)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="untraced runs per export; the fastest is reported (default 1)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="PostgreSQL: keep the database at the end; if one was kept, measure "
        "on it (scale N only) instead of building the year again",
    )
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")

    directory = Path(tempfile.mkdtemp(prefix="naravard-bench-"))
    with throwaway_database(directory, keep=args.keep) as staff:
        from reports.exporters import export_kinds

        unknown = set(args.kind) - {kind.key for kind in export_kinds()}
        if unknown:
            parser.error(f"unknown export kind: {', '.join(sorted(unknown))}")
        built = built_scale()
        if built:
            if built != args.scale:
                parser.error(f"the kept database holds scale {built}, not {args.scale}")
            print(f"Scale {built}: the kept database, as built before", flush=True)
            print(HEADER, flush=True)
            measure(built, directory, kinds=args.kind, repeat=args.repeat)
            return
        started = time.perf_counter()
        rng = random.Random(args.seed)  # noqa: S311 - invented answers, not security
        responses, answers = build_year(staff, rng)
        analyze()
        print(
            f"Scale 1: {responses} responses, {answers} answers "
            f"(built in {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        print(HEADER, flush=True)
        small = measure(1, directory, kinds=args.kind, repeat=args.repeat)
        if args.scale > 1:
            started = time.perf_counter()
            made = scale_up(args.scale)
            analyze()
            responses, answers = responses + made[0], answers + made[1]
            print(
                f"Scale {args.scale}: {responses} responses, {answers} answers "
                f"(built in {time.perf_counter() - started:.1f} s)",
                flush=True,
            )
            print(HEADER, flush=True)
            large = measure(args.scale, directory, kinds=args.kind, repeat=args.repeat)
            print(compare_query_counts(small, large, scale=args.scale)[1], flush=True)


if __name__ == "__main__":
    main()
