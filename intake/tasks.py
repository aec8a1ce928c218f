"""E-mail sent after commit by Celery (docs/conventions.md §8): tasks take ids and load rows."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from intake.models import Response
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


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=60
)
def send_receipt(response_id: int) -> int:
    """The receipt: every answer as given, who submitted and when."""
    response = Response.objects.select_related(
        "questionnaire", "organisation", "submitted_by"
    ).get(pk=response_id)
    receipt_url = settings.SITE_URL + reverse(
        "intake:response-receipt",
        args=[response.questionnaire_id, response.organisation_id],
    )
    return _send(
        "receipt",
        response,
        {"items": receipt_items(response), "receipt_url": receipt_url},
    )


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=60
)
def send_reopened_notice(response_id: int, reason: str) -> int:
    response = Response.objects.select_related("questionnaire", "organisation").get(
        pk=response_id
    )
    form_url = settings.SITE_URL + reverse(
        "intake:response-edit",
        args=[response.questionnaire_id, response.organisation_id],
    )
    return _send("reopened", response, {"reason": reason, "form_url": form_url})
