"""Export jobs on Celery (docs/conventions.md §8): tasks take ids and call one service."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings

from reports.exports.jobs import (
    delete_expired_export_files,
    fail_stale_export_jobs,
    recover_export_jobs,
    run_export,
)
from reports.imports.jobs import recover_import_jobs, run_import
from reports.models import ExportJob, ImportJob


# The soft limit raises inside the exporter (the job is marked failed with a
# Swedish message); the hard limit, a minute later, kills a stuck worker, and
# fail_stale_export_jobs then closes the row. Acknowledged only when done, and
# returned to the queue if the worker process dies, so that another worker runs
# it; the job's claim (run_export) keeps a duplicate from running it twice.
@shared_task(
    bind=True,
    name="reports.tasks.run_export_job",
    soft_time_limit=settings.EXPORT_JOB_TIMEOUT_SECONDS,
    time_limit=settings.EXPORT_JOB_TIMEOUT_SECONDS + 60,
    acks_late=True,
    reject_on_worker_lost=True,
)
def run_export_job(self: Task[Any, Any], job_id: int) -> str:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return str(run_export(job, heartbeat=not self.request.is_eager).status)


@shared_task(name="reports.tasks.recover_export_jobs")
def recover_export_jobs_task() -> dict[str, int]:
    # Import jobs share the sweep: the same worker pool, the same failure.
    recovered = recover_export_jobs()
    imports = recover_import_jobs()
    return {
        "requeued": recovered.requeued,
        "failed": recovered.failed,
        "redispatched": recovered.redispatched,
        "imports_requeued": imports.requeued,
        "imports_failed": imports.failed,
    }


@shared_task(
    name="reports.tasks.run_import_job",
    soft_time_limit=settings.EXPORT_JOB_TIMEOUT_SECONDS,
    time_limit=settings.EXPORT_JOB_TIMEOUT_SECONDS + 60,
    acks_late=True,
)
def run_import_job(job_id: int) -> str:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return str(run_import(job).status)


@shared_task(name="reports.tasks.fail_stale_export_jobs")
def fail_stale_export_jobs_task() -> int:
    return fail_stale_export_jobs()


@shared_task(name="reports.tasks.delete_expired_export_files")
def delete_expired_export_files_task() -> int:
    return delete_expired_export_files()
