"""Export jobs on Celery (STYLE.md §8): tasks take ids and call one service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from reports.models import ExportJob, ImportJob
from reports.services import (
    delete_expired_export_files,
    fail_stale_export_jobs,
    run_export,
    run_import,
)


# The soft limit raises inside the exporter (the job is marked failed with a
# Swedish message); the hard limit, a minute later, kills a stuck worker, and
# fail_stale_export_jobs then closes the row.
@shared_task(
    name="reports.tasks.run_export_job",
    soft_time_limit=settings.EXPORT_JOB_TIMEOUT_SECONDS,
    time_limit=settings.EXPORT_JOB_TIMEOUT_SECONDS + 60,
    acks_late=True,
)
def run_export_job(job_id: int) -> str:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return str(run_export(job).status)


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
