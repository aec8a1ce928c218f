"""The access gateway for exports (STYLE.md §5).

Exports cover every organisation's answers, so only Socialstyrelsen's staff may
request, follow or download them. Anyone else signed in gets 403 on every export
page, before any job is looked up, as on the project's other staff-only pages
(the invitation page); a job that does not exist is 404 for staff.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from reports.models import ExportJob
from surveys.models import User


def require_staff(user: User) -> User:
    if not user.is_active:
        raise PermissionDenied("Kontot är inte aktivt.")
    if not user.is_staff:
        raise PermissionDenied("Exporterna är bara för Socialstyrelsens medarbetare.")
    return user


def export_jobs_visible_to(user: User) -> QuerySet[ExportJob]:
    """Every job for staff (colleagues share exports), none for anyone else."""
    if not (user.is_active and user.is_staff):
        return ExportJob.objects.none()
    return ExportJob.objects.all()


def get_export_job_for_user(user: User, job_id: int) -> ExportJob:
    """One job; PermissionDenied unless staff, Http404 if it does not exist."""
    require_staff(user)
    job = (
        export_jobs_visible_to(user)
        .select_related("cycle", "questionnaire")
        .filter(pk=job_id)
        .first()
    )
    if job is None:
        raise Http404("Exporten finns inte.")
    return job
