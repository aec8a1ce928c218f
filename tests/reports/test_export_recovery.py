"""Export jobs whose worker died, or that never reached one, are picked up again
or failed with a clear message (reports.exports.jobs.recover_export_jobs); a
redelivered task re-runs a job a dead worker left running."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboxState, OutboxTask
from outbox.services import redispatch_pending
from reports.exports.jobs import ProgressRecorder, recover_export_jobs
from reports.models import ExportJob, ExportStatus
from reports.tasks import recover_export_jobs_task, run_export_job
from surveys.models import Questionnaire, User
from tests.brokers import broker_at, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def timings(settings: LazySettings) -> None:
    settings.EXPORT_STALE_SECONDS = 120
    settings.EXPORT_MAX_ATTEMPTS = 2
    settings.EXPORT_QUEUE_TIMEOUT_SECONDS = 7200


def job_of(questionnaire: Questionnaire, user: User, **fields: Any) -> ExportJob:
    return ExportJob.objects.create(
        requested_by=user,
        cycle=questionnaire.cycle,
        questionnaire=questionnaire,
        kind="svarsstatus",
        format="csv",
        **fields,
    )


def ago(seconds: int) -> Any:
    return timezone.now() - timedelta(seconds=seconds)


def test_an_order_with_the_broker_down_is_queued_and_runs_when_redispatched(
    client: Client,
    staff_user: User,
    status_questionnaire: Questionnaire,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    # The fixture's submissions left their receipts' rows: not this test's.
    OutboxTask.objects.all().delete()
    client.force_login(staff_user)
    with (
        broker_at(f"redis://127.0.0.1:{free_port()}/0"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("reports:export-list"),
            {
                "target": f"questionnaire:{status_questionnaire.pk}",
                "kind": "svarsstatus",
                "format": "csv",
            },
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.QUEUED
    assert OutboxTask.objects.get().state == OutboxState.PENDING
    # The status page still answers while the job waits.
    assert client.get(reverse("reports:export-list")).status_code == 200

    assert redispatch_pending(now=timezone.now() + timedelta(minutes=5)) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 1


def test_a_redelivered_task_reruns_a_job_its_dead_worker_left_running(
    staff_user: User, status_questionnaire: Questionnaire, media_root: Path
) -> None:
    job = job_of(
        status_questionnaire,
        staff_user,
        status=ExportStatus.RUNNING,
        attempts=1,
        started_at=ago(600),
        heartbeat_at=ago(121),
        progress=40,
    )
    assert run_export_job.delay(job.pk).get() == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (ExportStatus.DONE, 2, 100)
    assert job.file


def test_a_redelivered_task_leaves_a_job_whose_worker_is_alive(
    staff_user: User, status_questionnaire: Questionnaire
) -> None:
    job = job_of(
        status_questionnaire,
        staff_user,
        status=ExportStatus.RUNNING,
        attempts=1,
        started_at=ago(600),
        heartbeat_at=ago(100),
        progress=40,
    )
    assert run_export_job.delay(job.pk).get() == "running"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (ExportStatus.RUNNING, 1, 40)


def test_the_sweep_requeues_a_job_that_lost_its_worker_and_it_finishes(
    staff_user: User,
    status_questionnaire: Questionnaire,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    lost = job_of(
        status_questionnaire,
        staff_user,
        status=ExportStatus.RUNNING,
        attempts=1,
        started_at=ago(300),
        heartbeat_at=ago(121),
    )
    alive = job_of(
        status_questionnaire,
        staff_user,
        status=ExportStatus.RUNNING,
        attempts=1,
        started_at=ago(300),
        heartbeat_at=ago(10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        recovered = recover_export_jobs_task.delay().get()
    assert recovered == {
        "requeued": 1,
        "failed": 0,
        "redispatched": 0,
        "imports_requeued": 0,
        "imports_failed": 0,
    }
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert (lost.status, lost.attempts) == (ExportStatus.DONE, 2)
    assert alive.status == ExportStatus.RUNNING


def test_a_job_whose_worker_died_on_every_run_is_failed_with_a_clear_message(
    staff_user: User, status_questionnaire: Questionnaire
) -> None:
    job = job_of(
        status_questionnaire,
        staff_user,
        status=ExportStatus.RUNNING,
        attempts=2,
        started_at=ago(300),
        heartbeat_at=ago(121),
    )
    assert recover_export_jobs().failed == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error.startswith("Exporten avbröts eftersom arbetsprocessen")
    assert job.error.endswith("Beställ den igen.")
    assert job.finished_at is not None


def test_a_queued_job_is_sent_again_and_never_waits_for_ever(
    staff_user: User,
    status_questionnaire: Questionnaire,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    waiting = job_of(status_questionnaire, staff_user)
    fresh = job_of(status_questionnaire, staff_user)
    forgotten = job_of(status_questionnaire, staff_user)
    ExportJob.objects.filter(pk=waiting.pk).update(updated_at=ago(121))
    ExportJob.objects.filter(pk=forgotten.pk).update(
        created_at=ago(7201), updated_at=ago(7201)
    )
    with django_capture_on_commit_callbacks(execute=True):
        recovered = recover_export_jobs()
    assert (recovered.redispatched, recovered.failed) == (1, 1)
    waiting.refresh_from_db()
    fresh.refresh_from_db()
    forgotten.refresh_from_db()
    assert waiting.status == ExportStatus.DONE
    assert fresh.status == ExportStatus.QUEUED
    assert forgotten.status == ExportStatus.FAILED
    assert forgotten.error.endswith("Beställ den igen.")


def test_a_replaced_run_cannot_overwrite_the_run_that_replaced_it(
    staff_user: User, status_questionnaire: Questionnaire, media_root: Path
) -> None:
    job = job_of(
        status_questionnaire,
        staff_user,
        status=ExportStatus.RUNNING,
        attempts=1,
        heartbeat_at=ago(121),
    )
    stale_view = ExportJob.objects.get(pk=job.pk)
    assert run_export_job.delay(job.pk).get() == "done"
    # The first run wakes up and reports progress under its old number.
    ProgressRecorder(job.pk, interval=0, attempt=stale_view.attempts)(50, "Gammal")
    job.refresh_from_db()
    assert (job.status, job.progress, job.progress_message) == (
        ExportStatus.DONE,
        100,
        "Klar",
    )
