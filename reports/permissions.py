"""The access gateway for report pages (docs/conventions.md §5).

Tables, exports and the kvalitetsdeklaration are Socialstyrelsen's: only active
staff users see them. Everyone else gets 404, the answer for anything outside
one's scope, so the pages do not reveal what exists.
Exports cover every organisation's answers: the same rule, checked before any
job is looked up, so job ids do not leak.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from intake.models import Response
from reports.models import ExportJob
from surveys.kinds import TYPED_TEXT_KINDS
from surveys.models import Cycle, Question, Questionnaire, User


def require_report_access(user: User) -> None:
    """Raise Http404 unless the user is active staff."""
    if not user.is_active:
        raise Http404("Sidan finns inte.")
    if not user.is_staff_member:
        raise Http404("Sidan finns inte.")


def get_questionnaire_for_report(user: User, questionnaire_id: int) -> Questionnaire:
    """A questionnaire (with its cycle) for the report pages; Http404 otherwise."""
    require_report_access(user)
    questionnaire = (
        Questionnaire.objects.select_related("cycle")
        .filter(pk=questionnaire_id)
        .first()
    )
    if questionnaire is None:
        raise Http404("Enkäten finns inte.")
    return questionnaire


def get_response_for_review(
    user: User, questionnaire: Questionnaire, response_id: int
) -> Response:
    """One response to the questionnaire, for staff's review and correction of its
    answers (reports/plausibility.py); Http404 for anyone else, and for a response
    to another questionnaire."""
    require_report_access(user)
    response = (
        Response.objects.select_related("organisation", "questionnaire__cycle")
        .filter(pk=response_id, questionnaire=questionnaire)
        .first()
    )
    if response is None:
        raise Http404("Svaret finns inte.")
    return response


def get_cycle_for_staff(user: User, *, year: int) -> Cycle:
    """A cycle for the kvalitetsdeklaration pages; Http404 otherwise."""
    require_report_access(user)
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise Http404("Omgången finns inte.")
    return cycle


def require_staff(user: User) -> User:
    require_report_access(user)
    return user


def export_jobs_visible_to(user: User) -> QuerySet[ExportJob]:
    """Every job for staff (colleagues share exports), none for anyone else."""
    if not user.is_staff_member:
        return ExportJob.objects.none()
    return ExportJob.objects.all()


def get_export_job_for_user(user: User, job_id: int) -> ExportJob:
    """One job; Http404 unless staff and the job exists."""
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


def get_free_text_question(
    user: User, questionnaire_id: int, variable: str
) -> Question:
    """A free-text question (its kind has typed text) of a questionnaire, for the
    theme coding pages; Http404 for anyone but staff and for any other question."""
    questionnaire = get_questionnaire_for_report(user, questionnaire_id)
    question = (
        questionnaire.questions.select_related("questionnaire__cycle")
        .filter(variable=variable, kind__in=TYPED_TEXT_KINDS)
        .first()
    )
    if question is None:
        raise Http404("Frågan finns inte eller har inga fritextsvar.")
    return question
