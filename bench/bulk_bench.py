"""The bulk paths where staff and coordinators wait (issue #20 point 3).

    python bench/bulk_bench.py [--repeat R] [--profile]
    (PostgreSQL: DATABASE_URL=postgres://…/<name>; the database used is
    bench_<name>, created and dropped by the script, as bench/export_bench.py)

On a throwaway database with the register and the 2024 questionnaires:

1. **Raw-data import of every kommun**: a CSV in the raw-data export's layout
   (every kommun's response to the kommun questionnaire, every answer from
   intake/demo.py, submitted) is imported as staff confirm it in the worker
   (`reports.imports.jobs.import_responses(..., submit=True)`: the whole file
   checked, then every row saved and submitted). Before each run the kommun
   responses are deleted, so each run creates 290 responses.
2. **The RSS consolidation page and its submit**: the RSS with the most member
   kommuner (Västra Götaland's 49), every fifth member not started, the others
   with a kommun answer (half submitted, every third also the supplementary
   question), the RSS's own answers and one adjustment. Through Django's test
   client signed in as its coordinator: GET the questionnaire page, then POST
   the page's own form data with «Skicka in» (save, freeze the kommun counts,
   submit). Each submit runs in a transaction rolled back afterwards, so every
   run starts from the same state.

Prints wall and CPU time (this process; with PostgreSQL's backend CPU read from
/proc) of each run, the fastest, the median and the number of queries, then
the load average. With --profile, the top of a cProfile of one run of each.
It asserts nothing about timings (docs/conventions.md §15).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_bench import throwaway_database  # noqa: E402

SEED = 2024


def backend_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (0 elsewhere)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the server on another machine
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def timed(
    label: str,
    run: Callable[[], Any],
    *,
    repeat: int,
    before: Callable[[], Any] | None = None,
    profile: bool = False,
    show_queries: bool = False,
) -> None:
    """Run `run` `repeat` times (after `before`, untimed) and print its figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, cpus, db_cpus, queries = [], [], [], 0
    for _ in range(repeat):
        if before:
            before()
        db_started = backend_cpu()
        cpu_started = time.process_time()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
        db_cpus.append(backend_cpu() - db_started)
        queries = len(captured)
    print(
        f"{label:<32} wall {min(walls) * 1000:8.1f} ms (median "
        f"{statistics.median(walls) * 1000:8.1f})  cpu {min(cpus) * 1000:8.1f} ms "
        f"(median {statistics.median(cpus) * 1000:8.1f})  db cpu "
        f"{statistics.median(db_cpus) * 1000:7.1f} ms  queries {queries:>4}",
        flush=True,
    )
    if show_queries:
        for query in captured.captured_queries:
            print(f"{'':>6}{query['time']:>7}s  {query['sql'][:150]}")
    if profile:
        if before:
            before()
        profiler = cProfile.Profile()
        profiler.runcall(run)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue(), flush=True)


# --- 1. the raw-data import ---------------------------------------------------------


def import_file(staff: Any) -> tuple[Any, bytes]:
    """Every kommun's complete, submitted answers as a raw-data CSV (the export's
    own writer); the responses are deleted again."""
    from intake.demo import demo_values
    from intake.models import Channel, Response
    from intake.selectors import questions_of
    from intake.services import (
        Submission,
        get_or_create_responses,
        save_answers_in_bulk,
        submit_responses_in_bulk,
    )
    from reports.rawdata.rows import build_raw_data
    from reports.rawdata.spreadsheets import write_csv
    from surveys.models import Kommun, Questionnaire

    questionnaire = Questionnaire.objects.select_related("cycle").get(
        cycle__year=2024, key="kommun"
    )
    rng = random.Random(SEED)  # noqa: S311 - invented answers, not security
    questions = questions_of(questionnaire)
    kommuner = list(Kommun.objects.order_by("code"))
    responses = get_or_create_responses(
        questionnaire, organisations=kommuner, channel=Channel.IMPORT
    )
    save_answers_in_bulk(
        [(r, demo_values(questions, rng)) for r in responses],
        actor=staff,
        channel=Channel.IMPORT,
    )
    submit_responses_in_bulk(
        [Submission(r) for r in responses],
        actor=staff,
        channel=Channel.IMPORT,
        notify=False,
    )
    buffer = io.BytesIO()
    write_csv(build_raw_data(questionnaire), buffer)
    Response.objects.filter(questionnaire=questionnaire).delete()
    return questionnaire, buffer.getvalue()


def bench_import(staff: Any, *, repeat: int, profile: bool, queries: bool) -> None:
    from intake.models import AnswerChange, Response
    from reports.imports.jobs import import_responses

    questionnaire, content = import_file(staff)

    def clear() -> None:
        Response.objects.filter(questionnaire=questionnaire).delete()

    def run() -> None:
        summary = import_responses(
            questionnaire, content, actor=staff, file_name="bench.csv", submit=True
        )
        assert summary.submitted == summary.rows  # noqa: S101 - a broken run

    def check() -> None:
        return import_responses(
            questionnaire, content, actor=staff, submit=True, dry_run=True
        )

    timed("import check (dry run)", check, repeat=repeat, before=clear)
    timed(
        "import (check + save + submit)",
        run,
        repeat=repeat,
        before=clear,
        show_queries=queries,
    )
    responses = Response.objects.filter(questionnaire=questionnaire)
    print(
        f"  {responses.count()} responses, "
        f"{sum(r.answers.count() for r in responses[:1]) * responses.count()} answers "
        f"(about), {AnswerChange.objects.filter(response__in=responses).count()} "
        "history rows per import",
        flush=True,
    )
    if profile:
        timed("import (profiled)", run, repeat=1, before=clear, profile=True)
    clear()


# --- 2. the RSS page and its submit ------------------------------------------------------


class Rollback(Exception):
    """Raised to undo a timed submit."""


def build_rss(size: int) -> tuple[str, Any]:
    """An RSS of `size` kommuner with their answers; (page URL, coordinator)."""
    from django.urls import reverse

    from intake.demo import demo_values
    from intake.models import Channel
    from intake.selectors import questions_of
    from intake.services import (
        Submission,
        get_or_create_response,
        get_or_create_responses,
        save_answers,
        save_answers_in_bulk,
        submit_responses_in_bulk,
    )
    from surveys.models import (
        Organisation,
        OrganisationKind,
        OrganisationRole,
        Questionnaire,
        RSSMembership,
        User,
    )

    rng = random.Random(SEED)  # noqa: S311 - invented answers, not security
    # Västra Götaland's 49 kommuner, the most of any county; as the query
    # budget test (tests/intake/test_consolidation_query_budget.py), an RSS of
    # its own with kommuner of its own, beside the register's.
    rss = Organisation.objects.create(
        kind=OrganisationKind.RSS, code="rss-bench", name="RSS Mätlän"
    )
    members = []
    for i in range(size):
        kommun = Organisation.objects.create(
            kind=OrganisationKind.KOMMUN, code=f"mk{i:02d}", name=f"Mätkommun {i}"
        )
        RSSMembership.objects.create(rss=rss, kommun=kommun, valid_from=2024)
        members.append(kommun)
    coordinator = User.objects.create_user(email="samordnare@bench.test")
    OrganisationRole.objects.create(user=coordinator, organisation=rss)
    for key, every in (("kommun", 1), ("kommun-extra", 3)):
        questionnaire = Questionnaire.objects.select_related("cycle").get(
            cycle__year=2024, key=key
        )
        questions = questions_of(questionnaire)
        chosen = [k for i, k in enumerate(members) if i % 5 and i % every == 0]
        responses = get_or_create_responses(
            questionnaire, organisations=chosen, channel=Channel.PROXY
        )
        save_answers_in_bulk(
            [(r, demo_values(questions, rng)) for r in responses],
            actor=coordinator,
            channel=Channel.PROXY,
        )
        submit_responses_in_bulk(
            [Submission(r) for i, r in enumerate(responses) if i % 2],
            actor=coordinator,
            channel=Channel.PROXY,
            notify=False,
        )
    questionnaire = Questionnaire.objects.select_related("cycle").get(
        cycle__year=2024, key="rss"
    )
    response = get_or_create_response(questionnaire, organisation=rss)
    save_answers(
        response,
        actor=coordinator,
        channel=Channel.WEB,
        values=demo_values(questions_of(questionnaire), rng),
    )
    save_answers(
        response,
        actor=coordinator,
        channel=Channel.WEB,
        values={"s06_breddinfort": {"ja": 0}},
        reason="En kommun har rättat sitt svar per telefon",
    )
    print(f"{rss.name}: {len(members)} member kommuner", flush=True)
    return reverse("intake:response-edit", args=[questionnaire.pk, rss.pk]), coordinator


def bench_rss(size: int, *, repeat: int, profile: bool, queries: bool) -> None:
    import lxml.html
    from django.db import transaction
    from django.test import Client

    from intake.consolidation.tallies import forget_tallies

    url, coordinator = build_rss(size)
    client = Client()
    client.force_login(coordinator)

    def page() -> None:
        shown = client.get(url)
        assert shown.status_code == 200  # noqa: S101

    page()  # the questionnaire's structure, built once per process
    form = next(
        f
        for f in lxml.html.fromstring(client.get(url).content).forms
        if f.get("id") == "svarsformular"
    )
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    data["action"] = ["submit"]

    def submit() -> None:
        try:
            with transaction.atomic():
                posted = client.post(url, data)
                assert posted.status_code == 302, posted.content[-3000:]  # noqa: S101
                raise Rollback
        except Rollback:
            pass

    # Each run counts the kommun answers anew, as a request served by another
    # worker than the page's would (intake/consolidation/tallies.py); then the
    # page again in the same thread, which reuses the last tallies.
    timed(
        "RSS page (GET)",
        page,
        repeat=repeat,
        before=forget_tallies,
        show_queries=queries,
    )
    timed("RSS page (GET, same answers again)", page, repeat=repeat)
    timed(
        "RSS submit (POST, rolled back)",
        submit,
        repeat=repeat,
        before=forget_tallies,
        show_queries=queries,
    )
    if profile:
        timed(
            "RSS submit (profiled)",
            submit,
            repeat=1,
            before=forget_tallies,
            profile=True,
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each (7)")
    parser.add_argument("--profile", action="store_true", help="cProfile one run")
    parser.add_argument("--queries", action="store_true", help="print the SQL")
    parser.add_argument(
        "--members", type=int, default=49, help="kommuner of the RSS (49)"
    )
    parser.add_argument(
        "--only", choices=["import", "rss"], help="one of the two parts"
    )
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="naravard-bulk-bench-"))
    with throwaway_database(directory) as staff:
        print(f"load before: {os.getloadavg()}", flush=True)
        if args.only != "rss":
            bench_import(
                staff, repeat=args.repeat, profile=args.profile, queries=args.queries
            )
        if args.only != "import":
            bench_rss(
                args.members,
                repeat=args.repeat,
                profile=args.profile,
                queries=args.queries,
            )
        print(f"load after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
