"""Background work for accounts (docs/conventions.md §8): tasks take ids and load rows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_query_string

from surveys.deadlines import deadline_for
from surveys.models.message_log import (
    ROUND_KINDS,
    Dispatch,
    DispatchStatus,
    MailingKind,
)
from surveys.models.register import Organisation
from surveys.services.rounds import (
    SUBMITTED,
    due_rounds,
    fill,
    round_values,
)
from surveys.services.rounds import run_round as run_round_service
from surveys.services.sign_in_records import (
    delete_old_sign_in_records as delete_sign_in_records,
)

# Retries back off from 30 seconds; after the last one the row says "failed".
DISPATCH_MAX_RETRIES = 5

TEMPLATES = {
    MailingKind.INVITATION: "invitation",
    MailingKind.SIGN_IN_LINK: "sign_in_link",
    MailingKind.REMINDER: "reminder",
}


@shared_task(bind=True, max_retries=DISPATCH_MAX_RETRIES, soft_time_limit=60)
def send_dispatch(self: Task[Any, Any], dispatch_id: int) -> int:
    """Send one logged e-mail with a one-time sign-in link (django-sesame) and
    record on its row that it went, or failed.

    The token is made here, at sending time, so a retry sends a link that is as
    fresh as the e-mail. Idempotent (the task is started through the outbox and
    may be delivered twice): the row is claimed with a conditional UPDATE before
    sending, and only the delivery that claimed it sends. An inactive user gets
    nothing (sesame would refuse the link); the row says why.
    """
    claimed = Dispatch.objects.filter(
        pk=dispatch_id, status=DispatchStatus.QUEUED, claimed_at=None
    ).update(claimed_at=timezone.now())
    if not claimed:
        return 0
    dispatch = Dispatch.objects.select_related(
        "mailing", "recipient", "organisation", "questionnaire", "questionnaire__cycle"
    ).get(pk=dispatch_id)
    user = dispatch.recipient
    if not user.is_active:
        _mark_failed(dispatch_id, "Kontot är avstängt.")
        return 0
    questionnaire = dispatch.questionnaire
    if questionnaire is not None and not questionnaire.is_open:
        # Closed (or back in preparation) since the e-mail was queued (issue #15).
        _mark_skipped(
            dispatch_id,
            f"Enkäten var {questionnaire.state.label.lower()} vid utskicket.",
        )
        return 0
    if dispatch.kind in ROUND_KINDS and _has_submitted(dispatch):
        # A reminder never reaches an organisation that has submitted since it
        # was queued (issue #15).
        _mark_skipped(dispatch_id, "Organisationen hade redan skickat in.")
        return 0
    message = _message(dispatch)
    try:
        sent = message.send()
    except OSError as exc:
        if self.request.retries < DISPATCH_MAX_RETRIES:
            # Unclaimed, so that the retry may send it.
            Dispatch.objects.filter(pk=dispatch_id).update(claimed_at=None)
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        _mark_failed(dispatch_id, str(exc) or exc.__class__.__name__)
        return 0
    Dispatch.objects.filter(pk=dispatch_id).update(
        status=DispatchStatus.SENT, sent_at=timezone.now(), error=""
    )
    return sent


def _mark_failed(dispatch_id: int, error: str) -> None:
    Dispatch.objects.filter(pk=dispatch_id).update(
        status=DispatchStatus.FAILED, error=error[:1000]
    )


def _has_submitted(dispatch: Dispatch) -> bool:
    if dispatch.organisation_id is None or dispatch.questionnaire_id is None:
        return False
    return Organisation.objects.filter(
        pk=dispatch.organisation_id,
        responses__questionnaire_id=dispatch.questionnaire_id,
        responses__status=SUBMITTED,
    ).exists()


def _mark_skipped(dispatch_id: int, reason: str) -> None:
    Dispatch.objects.filter(pk=dispatch_id).update(
        status=DispatchStatus.SKIPPED, error=reason[:1000]
    )


def _message(dispatch: Dispatch) -> EmailMultiAlternatives:
    user = dispatch.recipient
    link = settings.SITE_URL + reverse("surveys:magic-login") + get_query_string(user)
    questionnaire = dispatch.questionnaire
    form_url = ""
    if questionnaire is not None and dispatch.organisation is not None:
        form_path = reverse(
            "intake:response-edit", args=[questionnaire.pk, dispatch.organisation.pk]
        )
        # After signing in, straight to the form (sesame accepts a safe `next`).
        link += "&" + urlencode({"next": form_path})
        form_url = settings.SITE_URL + form_path
    context = {
        "user": user,
        "link": link,
        "expires_at": timezone.now() + timedelta(seconds=settings.SESAME_MAX_AGE),
        "organisation": dispatch.organisation,
        "organisations": [
            role.organisation
            for role in user.roles.select_related("organisation").order_by(
                "organisation__name"
            )
        ],
        "questionnaire": questionnaire,
        # The organisation's own deadline, extension included (issue #15).
        "deadline": deadline_for(questionnaire, dispatch.organisation)
        if questionnaire is not None and dispatch.organisation is not None
        else None,
        "form_url": form_url,
        "login_url": settings.SITE_URL + reverse("surveys:login"),
        "password_url": settings.SITE_URL + reverse("surveys:password-set"),
        "site_url": settings.SITE_URL,
    }
    if dispatch.mailing.body:
        # A round staff wrote themselves (surveys.services.rounds): plain text.
        values = round_values(dispatch, link=link)
        return EmailMultiAlternatives(
            subject=" ".join(fill(dispatch.mailing.subject, values).split()),
            body=fill(dispatch.mailing.body, values),
            to=[dispatch.email],
        )
    template = TEMPLATES[MailingKind(dispatch.kind)]
    message = EmailMultiAlternatives(
        subject=render_to_string(f"emails/{template}.subject.txt", context).strip(),
        body=render_to_string(f"emails/{template}.txt", context),
        to=[dispatch.email],
    )
    message.attach_alternative(
        render_to_string(f"emails/{template}.html", context), "text/html"
    )
    return message


@shared_task(name="surveys.tasks.run_round", soft_time_limit=300)
def run_round(mailing_id: int) -> int:
    """Send a round now: make its e-mails and queue them (idempotent)."""
    return run_round_service(mailing_id)


@shared_task(name="surveys.tasks.run_due_rounds", soft_time_limit=300)
def run_due_rounds() -> int:
    """Beat runs this every minute: every scheduled round whose time has come.
    Each run is idempotent, so a round fires once however often this runs."""
    return sum(run_round_service(mailing_id) for mailing_id in due_rounds())


@shared_task(name="surveys.tasks.delete_old_sign_in_records", soft_time_limit=300)
def delete_old_sign_in_records() -> dict[str, int]:
    """Beat runs this daily: sign-in records are kept AXES_LOG_RETENTION_DAYS."""
    deleted = delete_sign_in_records(age_days=settings.AXES_LOG_RETENTION_DAYS)
    return {
        "attempts": deleted.attempts,
        "logs": deleted.logs,
        "failure_logs": deleted.failure_logs,
    }
