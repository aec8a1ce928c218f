"""Staff invitations are logged in the message log like every other e-mail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from surveys.models import Dispatch, DispatchStatus, Mailing, MailingKind, Region, User
from surveys.services.accounts import invite_user, send_invitation

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def test_an_invitation_is_logged_and_marked_sent(
    staff_user: User, region: Region, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = invite_user(
            email="ny@sormland.test", organisation=region, actor=staff_user
        )
    (mailing,) = Mailing.objects.all()
    assert (mailing.kind, mailing.questionnaire, mailing.sent_by) == (
        MailingKind.INVITATION,
        None,
        staff_user,
    )
    (dispatch,) = Dispatch.objects.all()
    assert (dispatch.recipient, dispatch.email, dispatch.organisation) == (
        user,
        "ny@sormland.test",
        region,
    )
    assert dispatch.status == DispatchStatus.SENT and dispatch.sent_at is not None
    assert len(mail.outbox) == 1


def test_a_resent_invitation_is_a_second_row(
    staff_user: User, region_user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_invitation(region_user, actor=staff_user)
        send_invitation(region_user, actor=staff_user)
    assert (
        Dispatch.objects.filter(
            recipient=region_user, kind=MailingKind.INVITATION
        ).count()
        == 2
    )


def test_an_inactive_recipient_is_recorded_as_failed(
    staff_user: User, region_user: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_invitation(region_user, actor=staff_user)
    User.objects.filter(pk=region_user.pk).update(is_active=False)
    for callback in callbacks:
        callback()
    (dispatch,) = Dispatch.objects.all()
    assert dispatch.status == DispatchStatus.FAILED
    assert dispatch.error == "Kontot är avstängt."
    assert mail.outbox == []
