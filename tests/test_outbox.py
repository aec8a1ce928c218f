"""The outbox (outbox/services.py): a broker that is down when a change commits
fails no request, and the e-mail goes once, later.

The broker here is a closed port on this machine: publishing meets a real
connection refusal. Every other test runs Celery eagerly (tests/conftest.py);
`broker_at` turns that off for the block, so a task can only run when the outbox
dispatches it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.demo import demo_values
from intake.models import Channel, Response, ResponseEvent, ResponseStatus
from intake.selectors import questions_of
from intake.services import get_or_create_response, save_answers, submit_response
from intake.tasks import send_receipt
from outbox.models import OutboxState, OutboxTask
from outbox.services import delete_sent, enqueue, redispatch_pending
from surveys.models import Dispatch, DispatchStatus, Kommun, Region, User
from surveys.tasks import send_dispatch
from tests.brokers import broker_at, free_port
from tests.intake.test_response_views import edit_url, form_data, region_questionnaire

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def broker_down() -> Any:
    return broker_at(f"redis://127.0.0.1:{free_port()}/0")


def later() -> Any:
    # Past the redispatch delay and the first back-off.
    return timezone.now() + timedelta(minutes=5)


@pytest.fixture
def answered(region: Region, region_user: User) -> Response:
    questionnaire = region_questionnaire()
    response = get_or_create_response(questionnaire, organisation=region)
    values = demo_values(questions_of(questionnaire.pk), random.Random(7))
    return save_answers(response, actor=region_user, channel=Channel.WEB, values=values)


def test_submit_with_the_broker_down_succeeds_and_the_receipt_goes_once_later(
    client: Client,
    answered: Response,
    region: Region,
    region_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    q = answered.questionnaire
    client.force_login(region_user)
    started = time.monotonic()
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(q, region), form_data(q, region, action="submit")
        )
    assert time.monotonic() - started < 10, (
        "a broker that is down must not hold the request"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "intake:response-receipt", args=[q.pk, region.pk]
    )
    answered.refresh_from_db()
    assert answered.status == ResponseStatus.SUBMITTED
    assert mail.outbox == []
    (row,) = OutboxTask.objects.all()
    event = ResponseEvent.objects.get(response=answered)
    assert (row.task_name, row.args, row.state) == (
        "intake.tasks.send_receipt",
        [event.pk],
        OutboxState.PENDING,
    )
    assert row.attempts == 1 and row.last_error != ""

    # Not yet due: the first back-off is a minute.
    assert redispatch_pending() == 0
    assert redispatch_pending(now=later()) == 1
    (message,) = mail.outbox
    assert message.subject.startswith("Kvitto:")
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and row.dispatched_at is not None

    # Dispatched once only; and a second delivery of the task sends nothing.
    assert redispatch_pending(now=later()) == 0
    assert send_receipt.delay(event.pk).get() == 0
    assert len(mail.outbox) == 1


def test_reopen_with_the_broker_down_succeeds_and_the_notice_goes_once_later(
    client: Client,
    answered: Response,
    region_user: User,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    submit_response(answered, actor=region_user, notify=False)
    url = reverse(
        "intake:response-reopen",
        args=[answered.questionnaire_id, answered.organisation_id],
    )
    client.force_login(staff_user)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Fråga 36 ser ut att vara en andel."})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.status == ResponseStatus.REOPENED
    assert mail.outbox == []
    assert redispatch_pending(now=later()) == 1
    assert redispatch_pending(now=later()) == 0
    (message,) = mail.outbox
    assert "Fråga 36 ser ut att vara en andel." in message.body


def test_an_invitation_with_the_broker_down_is_sent_once_later(
    client: Client,
    staff_user: User,
    kommun: Kommun,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(staff_user)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("surveys:user-invite"),
            {"email": "ny@vaxjo.test", "first_name": "Vera", "organisation": kommun.pk},
        )
    assert response.status_code == 302
    dispatch = Dispatch.objects.get(email="ny@vaxjo.test")
    assert dispatch.status == DispatchStatus.QUEUED
    assert mail.outbox == []

    assert redispatch_pending(now=later()) == 1
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.SENT
    # A redelivery of the same task: the row is claimed already.
    assert send_dispatch.delay(dispatch.pk).get() == 0
    (message,) = mail.outbox
    assert message.to == ["ny@vaxjo.test"]


def test_a_dispatched_row_runs_its_task_in_process_when_eager(
    answered: Response,
    region_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submit_response(answered, actor=region_user)
    (row,) = OutboxTask.objects.all()
    assert row.state == OutboxState.SENT and row.attempts == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_leaves_no_task(
    answered: Response,
    region_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit_response(answered, actor=region_user)
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert not OutboxTask.objects.exists()
    assert mail.outbox == []


def test_an_unknown_task_name_is_refused_at_once(db: None) -> None:
    with pytest.raises(LookupError):
        enqueue("intake.tasks.no_such_task", 1)


def test_dispatched_rows_are_deleted_after_the_retention(
    answered: Response,
    region_user: User,
    django_capture_on_commit_callbacks: Capture,
    settings: Any,
) -> None:
    settings.OUTBOX_RETENTION_DAYS = 14
    with django_capture_on_commit_callbacks(execute=True):
        submit_response(answered, actor=region_user)
    assert delete_sent() == 0
    assert delete_sent(now=timezone.now() + timedelta(days=15)) == 1
