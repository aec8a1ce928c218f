"""E-mail sent after commit by Celery (docs/conventions.md §8): tasks take ids and load rows.

Each task e-mails about one ResponseEvent and is started through the outbox, so
it may be delivered more than once: it claims the event (`notified_at`) with a
conditional UPDATE before sending, and a second delivery sends nothing.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from intake.models import Response, ResponseEvent
from intake.selectors import receipt_items


def _recipients(response: Response) -> list[str]:
    """The organisation's users and the response's contact person, without duplicates."""
    emails = list(
        response.organisation.roles.filter(user__is_active=True).values_list(
            "user__email", flat=True
        )
    )
    if response.submitted_by is not None:
        emails.append(response.submitted_by.email)
    if response.contact_email:
        emails.append(response.contact_email)
    return sorted({e.lower() for e in emails if e})


def _send(template: str, response: Response, context: dict[str, object]) -> int:
    recipients = _recipients(response)
    if not recipients:
        return 0
    context = {"response": response, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string(f"emails/{template}.html", context), "text/html"
    )
    return message.send()


def _claim(event_id: int) -> ResponseEvent | None:
    """The event, if this delivery is the one that sends its e-mail."""
    claimed = ResponseEvent.objects.filter(pk=event_id, notified_at=None).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return None
    return ResponseEvent.objects.select_related(
        "response__questionnaire", "response__organisation", "response__submitted_by"
    ).get(pk=event_id)


def _release(event_id: int) -> None:
    # The mail server refused: let the retry claim the event again.
    ResponseEvent.objects.filter(pk=event_id).update(notified_at=None)


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=60
)
def send_receipt(event_id: int) -> int:
    """The receipt of one submission: every answer as given, who submitted and when."""
    event = _claim(event_id)
    if event is None:
        return 0
    response = event.response
    receipt_url = settings.SITE_URL + reverse(
        "intake:response-receipt",
        args=[response.questionnaire_id, response.organisation_id],
    )
    try:
        return _send(
            "receipt",
            response,
            {"items": receipt_items(response), "receipt_url": receipt_url},
        )
    except OSError:
        _release(event_id)
        raise


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=60
)
def send_reopened_notice(event_id: int) -> int:
    """The notice that staff reopened a response, with their reason."""
    event = _claim(event_id)
    if event is None:
        return 0
    response = event.response
    form_url = settings.SITE_URL + reverse(
        "intake:response-edit",
        args=[response.questionnaire_id, response.organisation_id],
    )
    try:
        return _send(
            "reopened", response, {"reason": event.reason, "form_url": form_url}
        )
    except OSError:
        _release(event_id)
        raise
