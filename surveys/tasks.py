"""Background work for accounts (STYLE.md §8): tasks take ids and load rows."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_query_string

from surveys.models import User


@shared_task(name="surveys.tasks.heartbeat")
def heartbeat() -> str:
    """A no-op that proves a worker consumes what beat or the web process enqueues."""
    return "ok"


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=60
)
def send_invitation(user_id: int) -> int:
    """E-mail a one-time sign-in link (django-sesame), valid for SESAME_MAX_AGE.

    The token is made here, at sending time, so a retry sends a link that is as
    fresh as the e-mail. Inactive users get nothing: sesame would refuse the link.
    """
    user = User.objects.get(pk=user_id)
    if not user.is_active:
        return 0
    link = settings.SITE_URL + reverse("surveys:magic-login") + get_query_string(user)
    context = {
        "user": user,
        "link": link,
        "expires_at": timezone.now() + timedelta(seconds=settings.SESAME_MAX_AGE),
        "organisations": [
            role.organisation
            for role in user.roles.select_related("organisation").order_by(
                "organisation__name"
            )
        ],
        "login_url": settings.SITE_URL + reverse("surveys:login"),
        "password_url": settings.SITE_URL + reverse("surveys:password-set"),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/invitation.subject.txt", context).strip(),
        body=render_to_string("emails/invitation.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("emails/invitation.html", context), "text/html"
    )
    return message.send()


@shared_task(name="surveys.tasks.delete_old_sign_in_records", soft_time_limit=300)
def delete_old_sign_in_records() -> dict[str, int]:
    """Beat runs this daily: sign-in records are kept AXES_LOG_RETENTION_DAYS."""
    # Imported here: surveys.services enqueues this module's tasks.
    from surveys.services import delete_old_sign_in_records as delete

    deleted = delete(age_days=settings.AXES_LOG_RETENTION_DAYS)
    return {
        "attempts": deleted.attempts,
        "logs": deleted.logs,
        "failure_logs": deleted.failure_logs,
    }
