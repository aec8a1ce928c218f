"""Export jobs through the real call path: service -> on_commit -> eager Celery task."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import LazySettings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.exporters import (
    ExportKind,
    ExportTarget,
    Manifest,
    Progress,
    base_manifest,
    register,
    unregister,
)
from reports.exports.jobs import fail_stale_export_jobs, request_export, run_export
from reports.models import ExportJob, ExportStatus
from reports.tasks import delete_expired_export_files_task, fail_stale_export_jobs_task
from surveys.errors import DomainError
from surveys.models import Cycle, Questionnaire, User

pytestmark = pytest.mark.django_db


def request(
    target: Any,
    actor: User,
    capture: Any,
    *,
    kind: str = "svarsstatus",
    format: str = "csv",
    options: Mapping[str, str] | None = None,
) -> ExportJob:
    with capture(execute=True):
        job = request_export(
            target, actor=actor, kind=kind, format=format, options=options
        )
    job.refresh_from_db()
    return job


def test_a_requested_export_runs_after_commit_and_stores_file_and_manifest(
    status_questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    job = request(
        status_questionnaire,
        staff_user,
        django_capture_on_commit_callbacks,
        format="xlsx",
        options={"urval": "ej-inskickade"},
    )
    assert job.status == ExportStatus.DONE
    assert (job.progress, job.progress_message, job.error) == (100, "Klar", "")
    assert job.started_at is not None and job.finished_at is not None
    assert job.file_name == "svarsstatus-2041-region.xlsx"
    stored = media_root / job.file.name
    assert stored.is_file()
    assert job.file.name.startswith("exports/")
    assert job.file.name.endswith("-svarsstatus-2041-region.xlsx")
    manifest = job.manifest
    assert manifest["sha256"] == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert manifest["file_name"] == "svarsstatus-2041-region.xlsx"
    assert manifest["row_counts"] == {"ram": 21, "inskickade": 1, "rader": 20}
    assert manifest["options"] == {"urval": "ej-inskickade"}
    assert (manifest["kind"], manifest["format"], manifest["cycle"]) == (
        "svarsstatus",
        "xlsx",
        2041,
    )


def test_options_left_out_get_their_defaults(
    status_questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = request(status_questionnaire, staff_user, django_capture_on_commit_callbacks)
    assert job.options == {"urval": "alla"}
    assert job.manifest["row_counts"]["rader"] == 21


@pytest.mark.parametrize(
    ("kind", "format", "options", "field", "message"),
    [
        ("okand", "csv", {}, "kind", "Exporttypen ”okand” finns inte."),
        (
            "svarsstatus",
            "sav",
            {},
            "format",
            "Svarsstatus kan inte exporteras som sav (välj csv, xlsx).",
        ),
        (
            "svarsstatus",
            "csv",
            {"urval": "några"},
            "options",
            "Urval: välj alla eller ej-inskickade (inte ”några”).",
        ),
        (
            "svarsstatus",
            "csv",
            {"färg": "blå"},
            "options",
            "Okänd inställning färg för Svarsstatus (tillåtna: urval).",
        ),
    ],
)
def test_a_bad_request_is_refused_in_swedish_and_queues_nothing(
    status_questionnaire: Questionnaire,
    staff_user: User,
    kind: str,
    format: str,
    options: dict[str, str],
    field: str,
    message: str,
) -> None:
    with pytest.raises(ValidationError) as caught:
        request_export(
            status_questionnaire,
            actor=staff_user,
            kind=kind,
            format=format,
            options=options,
        )
    assert caught.value.message_dict == {field: [message]}
    assert not ExportJob.objects.exists()


def test_a_questionnaire_export_needs_a_questionnaire(staff_user: User) -> None:
    with pytest.raises(ValidationError) as caught:
        request_export(
            Cycle.objects.get(year=2024),
            actor=staff_user,
            kind="svarsstatus",
            format="csv",
        )
    assert "target" in caught.value.message_dict


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_request_an_export(
    status_questionnaire: Questionnaire, persona: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(DomainError):
        request_export(
            status_questionnaire,
            actor=request.getfixturevalue(persona),
            kind="svarsstatus",
            format="csv",
        )
    assert not ExportJob.objects.exists()


# --- exporters registered by the tests -------------------------------------------------


@pytest.fixture
def test_kind() -> Iterator[dict[str, Any]]:
    """A kind whose writer the test sets: `behaviour["write"]`."""
    behaviour: dict[str, Any] = {}

    def write(
        target: Any, *, options: Mapping[str, str], output: BinaryIO, progress: Progress
    ) -> Manifest:
        behaviour["write"](target, output, progress)
        output.write(b"ok\n")
        return base_manifest(
            target, kind="test", format="csv", options=options, row_counts={"rader": 1}
        )

    register(
        ExportKind(
            key="test",
            label="Testexport",
            target=ExportTarget.CYCLE,
            writers={"csv": write},
        )
    )
    yield behaviour
    unregister("test")


def test_a_failing_exporter_fails_the_job_with_a_swedish_message_and_logs_it(
    test_kind: dict[str, Any],
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
    media_root: Path,
) -> None:
    def boom(target: Any, output: BinaryIO, progress: Progress) -> None:
        progress(30, "Räknar")
        raise ZeroDivisionError("division by zero")

    test_kind["write"] = boom
    with caplog.at_level(logging.ERROR, logger="reports.exports.jobs"):
        job = request(
            Cycle.objects.get(year=2024),
            staff_user,
            django_capture_on_commit_callbacks,
            kind="test",
        )
    assert job.status == ExportStatus.FAILED
    assert job.error == (
        "Exporten misslyckades på grund av ett oväntat fel (ZeroDivisionError). "
        "Felet är loggat; försök igen eller kontakta förvaltningen."
    )
    assert (job.progress, job.progress_message) == (30, "Misslyckades")
    assert not job.file
    assert job.finished_at is not None
    assert "ZeroDivisionError" in caplog.text
    assert not list(media_root.rglob("*.csv"))


def test_a_job_past_its_soft_time_limit_says_so(
    test_kind: dict[str, Any],
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def slow(target: Any, output: BinaryIO, progress: Progress) -> None:
        raise SoftTimeLimitExceeded()

    test_kind["write"] = slow
    job = request(
        Cycle.objects.get(year=2024),
        staff_user,
        django_capture_on_commit_callbacks,
        kind="test",
    )
    assert job.status == ExportStatus.FAILED
    assert job.error.startswith(
        "Exporten avbröts eftersom den tog längre tid än 30 minuter"
    )


def test_progress_is_written_to_the_row_while_the_export_runs_throttled(
    test_kind: dict[str, Any],
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    settings: LazySettings,
) -> None:
    settings.EXPORT_PROGRESS_INTERVAL_SECONDS = 3600
    seen: list[tuple[str, int, str]] = []

    def read_row() -> None:
        job = ExportJob.objects.get(kind="test")
        seen.append((job.status, job.progress, job.progress_message))

    def steps(target: Any, output: BinaryIO, progress: Progress) -> None:
        read_row()
        progress(20, "Läser svar")
        read_row()
        progress(40, "Läser svar")  # same message within the interval: not written
        read_row()
        progress(60, "Skriver filen")
        read_row()
        progress(150, "Nästan klar")  # capped: 100 is for a finished job
        read_row()

    test_kind["write"] = steps
    job = request(
        Cycle.objects.get(year=2024),
        staff_user,
        django_capture_on_commit_callbacks,
        kind="test",
    )
    assert seen == [
        ("running", 0, "Startar"),
        ("running", 20, "Läser svar"),
        ("running", 20, "Läser svar"),
        ("running", 60, "Skriver filen"),
        ("running", 99, "Nästan klar"),
    ]
    assert (job.status, job.progress) == ("done", 100)
    assert job.manifest["cycle"] == 2024
    assert job.manifest["questionnaire"] is None


def test_a_job_runs_only_once(
    status_questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = request(status_questionnaire, staff_user, django_capture_on_commit_callbacks)
    first = (job.file.name, job.finished_at, job.manifest["sha256"])
    again = run_export(job)
    assert (again.file.name, again.finished_at, again.manifest["sha256"]) == first
    assert again.status == ExportStatus.DONE


def make_job(user: User, **fields: Any) -> ExportJob:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    return ExportJob.objects.create(
        requested_by=user,
        cycle=questionnaire.cycle,
        questionnaire=questionnaire,
        kind="svarsstatus",
        format="csv",
        **fields,
    )


def test_jobs_running_past_the_time_limit_are_failed(
    staff_user: User, settings: LazySettings
) -> None:
    settings.EXPORT_JOB_TIMEOUT_SECONDS = 600
    now = timezone.now()
    stuck = make_job(
        staff_user, status="running", started_at=now - timedelta(seconds=600 + 121)
    )
    busy = make_job(
        staff_user, status="running", started_at=now - timedelta(seconds=600 + 119)
    )
    queued = make_job(staff_user, status="queued")
    assert fail_stale_export_jobs_task.delay().get() == 1
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED
    assert stuck.error.startswith(
        "Exporten avbröts: den blev inte klar inom 10 minuter"
    )
    busy.refresh_from_db()
    queued.refresh_from_db()
    assert (busy.status, queued.status) == ("running", "queued")
    assert fail_stale_export_jobs(now=now) == 0


def test_a_job_failed_as_stale_keeps_that_verdict_when_its_worker_finishes(
    test_kind: dict[str, Any],
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    def overtaken(target: Any, output: BinaryIO, progress: Progress) -> None:
        ExportJob.objects.filter(kind="test").update(
            started_at=timezone.now() - timedelta(days=1)
        )
        fail_stale_export_jobs()

    test_kind["write"] = overtaken
    job = request(
        Cycle.objects.get(year=2024),
        staff_user,
        django_capture_on_commit_callbacks,
        kind="test",
    )
    assert job.status == ExportStatus.FAILED
    assert not job.file
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_retention_deletes_old_files_and_keeps_the_rows(
    staff_user: User, settings: LazySettings, media_root: Path
) -> None:
    settings.EXPORT_RETENTION_DAYS = 30
    now = timezone.now()
    old = make_job(
        staff_user, status="done", finished_at=now - timedelta(days=30, minutes=1)
    )
    recent = make_job(
        staff_user, status="done", finished_at=now - timedelta(days=29, hours=23)
    )
    for job in (old, recent):
        job.file.save("svarsstatus-2024-region.csv", ContentFile(b"Kod;\n"), save=True)
    old_path = media_root / old.file.name
    assert old_path.is_file()
    assert delete_expired_export_files_task.delay().get() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old_path.exists()
    assert old.file.name == ""
    assert old.file_deleted_at is not None
    assert old.status == ExportStatus.DONE and not old.has_file
    assert recent.has_file and (media_root / recent.file.name).is_file()
