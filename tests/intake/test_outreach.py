"""Contacts, sign-in links and reminders from the RSS status page (issue #4):
message-log rows and outgoing mail through the real on-commit path and the
(eager) Celery task; submitted kommuner are not reminded; bulk rounds are
guarded; every POST is refused outside the coordinator's RSS."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from intake.models import Channel
from intake.outreach import BULK_GUARD
from surveys.models import (
    Dispatch,
    DispatchStatus,
    Mailing,
    MailingKind,
    OrganisationRole,
    User,
)
from surveys.selectors import reminders_sent
from surveys.tasks import DISPATCH_MAX_RETRIES
from tests.conftest import make_user
from tests.factories import UserFactory
from tests.intake.rss_helpers import Lan, answer, build_lan

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture
def lan(django_capture_on_commit_callbacks: Capture) -> Lan:
    """Four kommuner: k0 with two contacts, k1 with one who has submitted, k2 with
    one contact and in progress, k3 without a contact."""
    lan = build_lan(4)
    k = lan.kommuner
    make_user("anna@k0.test", k[0], first_name="Anna")
    make_user("bo@k0.test", k[0])
    with django_capture_on_commit_callbacks(execute=True):
        answer(
            lan, k[1], by=make_user("c@k1.test", k[1]), channel=Channel.WEB, submit=True
        )
        answer(lan, k[2], by=make_user("d@k2.test", k[2]), channel=Channel.WEB)
    mail.outbox.clear()  # the receipt
    return lan


def url(name: str, lan: Lan, *kommun: Any) -> str:
    return reverse(
        f"intake:{name}",
        args=[lan.rss.pk, lan.questionnaire.pk, *[k.pk for k in kommun]],
    )


@pytest.fixture
def coordinator(client: Client, lan: Lan) -> Client:
    client.force_login(lan.coordinator)
    return client


def post(client: Client, path: str, capture: Capture, data: Any = None) -> Any:
    with capture(execute=True):
        return client.post(path, data or {})


# --- sign-in links ---------------------------------------------------------------------


def test_sending_a_link_mails_each_contact_and_logs_it(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    k0 = lan.kommuner[0]
    response = post(
        coordinator, url("rss-send-link", lan, k0), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@k0.test", "bo@k0.test"]
    message = next(m for m in mail.outbox if m.to == ["anna@k0.test"])
    assert (
        message.subject == f"{lan.questionnaire.title}: inloggningslänk för {k0.name}"
    )
    assert message.body.startswith("Hej Anna!")
    assert "Sista dag att svara: 31 mars 2040." in message.body
    link = next(line for line in message.body.splitlines() if "sesame=" in line)
    form_path = reverse("intake:response-edit", args=[lan.questionnaire.pk, k0.pk])
    assert parse_qs(urlsplit(link).query)["next"] == [form_path]

    (mailing,) = Mailing.objects.all()
    assert (mailing.kind, mailing.is_bulk, mailing.sent_by) == (
        MailingKind.SIGN_IN_LINK,
        False,
        lan.coordinator,
    )
    dispatches = Dispatch.objects.order_by("email")
    assert [
        (d.email, d.organisation, d.questionnaire, d.status) for d in dispatches
    ] == [
        ("anna@k0.test", k0, lan.questionnaire, DispatchStatus.SENT),
        ("bo@k0.test", k0, lan.questionnaire, DispatchStatus.SENT),
    ]
    assert all(
        d.sent_at is not None and d.sent_by == lan.coordinator for d in dispatches
    )


def test_the_link_signs_the_contact_in_and_opens_the_form(
    client: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    client.force_login(lan.coordinator)
    post(
        client,
        url("rss-send-link", lan, lan.kommuner[2]),
        django_capture_on_commit_callbacks,
    )
    client.logout()
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "sesame=" in line)
    parts = urlsplit(link)
    # Opening the link asks for a confirmation (mail scanners follow links);
    # the confirmation signs in and leads to the form.
    confirm = client.get(f"{parts.path}?{parts.query}")
    assert confirm.status_code == 200
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    response = client.post(parts.path, query)
    form_path = reverse(
        "intake:response-edit", args=[lan.questionnaire.pk, lan.kommuner[2].pk]
    )
    assert response.status_code == 302
    assert response.url == form_path
    assert client.get(form_path).status_code == 200


def test_resending_makes_a_second_logged_mailing(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    path = url("rss-send-link", lan, lan.kommuner[2])
    post(coordinator, path, django_capture_on_commit_callbacks)
    page = coordinator.get(url("rss-status", lan)).content.decode()
    assert "Skicka länk igen" in page
    post(coordinator, path, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert Mailing.objects.filter(kind=MailingKind.SIGN_IN_LINK).count() == 2


def test_a_kommun_without_contact_gets_a_swedish_message(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    response = post(
        coordinator,
        url("rss-send-link", lan, lan.kommuner[3]),
        django_capture_on_commit_callbacks,
    )
    page = coordinator.get(response.url).content.decode()
    assert f"{lan.kommuner[3].name} saknar kontakt." in page
    assert mail.outbox == [] and not Mailing.objects.exists()


# --- reminders -------------------------------------------------------------------------


def test_reminding_one_kommun(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    post(
        coordinator,
        url("rss-send-reminder", lan, lan.kommuner[2]),
        django_capture_on_commit_callbacks,
    )
    (message,) = mail.outbox
    assert message.to == ["d@k2.test"]
    assert message.subject.startswith("Påminnelse: ")
    assert "är ännu inte inskickad" in message.body
    (dispatch,) = Dispatch.objects.all()
    assert dispatch.kind == MailingKind.REMINDER
    row = next(
        r
        for r, _ in coordinator.get(url("rss-status", lan)).context["rows"]
        if r.kommun == lan.kommuner[2]
    )
    assert row.n_reminders == 1
    assert row.last_sent_kind == MailingKind.REMINDER


def test_a_submitted_kommun_is_not_reminded(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    response = post(
        coordinator,
        url("rss-send-reminder", lan, lan.kommuner[1]),
        django_capture_on_commit_callbacks,
    )
    page = coordinator.get(response.url).content.decode()
    assert "har redan skickat in enkäten och påminns inte" in page
    assert mail.outbox == [] and not Dispatch.objects.exists()


def test_remind_all_skips_submitted_and_contactless_kommuner(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    response = post(
        coordinator, url("rss-remind-all", lan), django_capture_on_commit_callbacks
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@k0.test",
        "bo@k0.test",
        "d@k2.test",
    ]
    (mailing,) = Mailing.objects.all()
    assert mailing.is_bulk and mailing.scope_id == lan.rss.pk
    page = coordinator.get(response.url).content.decode()
    assert "Påminnelser skickas till 2 kommuner (3 e-postadresser)." in page
    assert f"Saknar kontakt och fick inget: {lan.kommuner[3].name}." in page

    summary = reminders_sent(lan.questionnaire)
    assert (summary.n_rounds, summary.n_ad_hoc, summary.n_emails, summary.total) == (
        1,
        0,
        3,
        1,
    )
    assert summary.rounds[0].n_organisations == 2
    assert summary.rounds_by_level == {"socialstyrelsen": 0, "rss": 1}
    assert [(o.name, o.n_reminders) for o in summary.by_organisation] == [
        (lan.kommuner[0].name, 1),
        (lan.kommuner[2].name, 1),
    ]


def test_a_second_bulk_reminder_is_refused_within_the_guard(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    path = url("rss-remind-all", lan)
    post(coordinator, path, django_capture_on_commit_callbacks)
    response = post(coordinator, path, django_capture_on_commit_callbacks)
    page = coordinator.get(response.url).content.decode()
    assert "gick redan i väg kl." in page
    assert len(mail.outbox) == 3 and Mailing.objects.count() == 1

    # Once the guard has passed, a second ordinary round goes.
    Mailing.objects.update(
        created_at=Mailing.objects.get().created_at
        - BULK_GUARD
        - datetime.timedelta(seconds=1)
    )
    post(coordinator, path, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 6
    summary = reminders_sent(lan.questionnaire)
    assert summary.n_rounds == 2
    assert [o.n_reminders for o in summary.by_organisation] == [2, 2]


def test_single_and_bulk_reminders_are_counted_apart(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    post(
        coordinator,
        url("rss-send-reminder", lan, lan.kommuner[0]),
        django_capture_on_commit_callbacks,
    )
    post(coordinator, url("rss-remind-all", lan), django_capture_on_commit_callbacks)
    summary = reminders_sent(lan.questionnaire)
    # k0 had two contacts: one ad-hoc reminder is one reminder, two e-mails.
    assert (summary.n_rounds, summary.n_ad_hoc, summary.n_emails) == (1, 1, 5)
    assert [o.n_reminders for o in summary.by_organisation] == [2, 1]
    assert len(summary.dates) == 1


# --- contacts --------------------------------------------------------------------------


def test_the_coordinator_adds_a_contact(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    k3 = lan.kommuner[3]
    prefix = f"k{k3.pk}"
    response = post(
        coordinator,
        url("rss-contact-add", lan, k3),
        django_capture_on_commit_callbacks,
        {f"{prefix}-email": " Ny.Kontakt@K3.test ", f"{prefix}-first_name": "Nils"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="ny.kontakt@k3.test")
    assert user.first_name == "Nils" and not user.has_usable_password()
    assert OrganisationRole.objects.filter(user=user, organisation=k3).exists()
    assert mail.outbox == [], "the link is sent separately"


def test_an_invalid_address_keeps_the_input_and_says_why(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    k3 = lan.kommuner[3]
    prefix = f"k{k3.pk}"
    response = post(
        coordinator,
        url("rss-contact-add", lan, k3),
        django_capture_on_commit_callbacks,
        {f"{prefix}-email": "inte-en-adress", f"{prefix}-first_name": "Nils"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="inte-en-adress"' in html and 'value="Nils"' in html
    assert "Ange en giltig mejladress." in html
    assert "<details open>" in html
    assert 'aria-invalid="true"' in html
    assert not OrganisationRole.objects.filter(organisation=k3).exists()


def test_a_refused_contact_keeps_the_input_and_shows_the_reason(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    k3 = lan.kommuner[3]
    prefix = f"k{k3.pk}"
    UserFactory(email="avstangd@k3.test", is_active=False)
    response = post(
        coordinator,
        url("rss-contact-add", lan, k3),
        django_capture_on_commit_callbacks,
        {f"{prefix}-email": "avstangd@k3.test", f"{prefix}-first_name": "Nils"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kontot för avstangd@k3.test är avstängt." in html
    assert 'value="avstangd@k3.test"' in html and 'value="Nils"' in html
    assert not OrganisationRole.objects.filter(organisation=k3).exists()


def test_the_coordinator_removes_a_contact(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    bo = User.objects.get(email="bo@k0.test")
    post(
        coordinator,
        url("rss-contact-remove", lan, lan.kommuner[0]),
        django_capture_on_commit_callbacks,
        {"user": bo.pk},
    )
    assert not OrganisationRole.objects.filter(user=bo).exists()
    assert User.objects.filter(pk=bo.pk).exists(), "the account stays"


def test_removing_someone_who_is_not_a_contact_changes_nothing(
    coordinator: Client, lan: Lan, django_capture_on_commit_callbacks: Capture
) -> None:
    bo = User.objects.get(email="bo@k0.test")
    response = post(
        coordinator,
        url("rss-contact-remove", lan, lan.kommuner[2]),
        django_capture_on_commit_callbacks,
        {"user": bo.pk},
    )
    assert (
        "Personen är inte kontakt för" in coordinator.get(response.url).content.decode()
    )
    assert OrganisationRole.objects.filter(user=bo).exists()


# --- access for every POST -------------------------------------------------------------

POSTS = [
    ("rss-remind-all", False),
    ("rss-send-link", True),
    ("rss-send-reminder", True),
    ("rss-contact-add", True),
    ("rss-contact-remove", True),
]


@pytest.mark.parametrize(("name", "per_kommun"), POSTS)
@pytest.mark.parametrize("persona", ["region_user", "kommun_user", "rss_user"])
def test_others_cannot_post(
    client: Client,
    lan: Lan,
    name: str,
    per_kommun: bool,
    persona: str,
    request: pytest.FixtureRequest,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """rss_user coordinates Kronoberg, not this RSS."""
    client.force_login(request.getfixturevalue(persona))
    path = url(name, lan, *([lan.kommuner[0]] if per_kommun else []))
    k0 = lan.kommuner[0]
    data = {
        f"k{k0.pk}-email": "x@y.test",
        "user": User.objects.get(email="bo@k0.test").pk,
    }
    response = post(client, path, django_capture_on_commit_callbacks, data)
    assert response.status_code == 404
    assert mail.outbox == [] and not Mailing.objects.exists()
    assert OrganisationRole.objects.filter(organisation=k0).count() == 2


@pytest.mark.parametrize(("name", "per_kommun"), POSTS)
def test_it_requires_login_to_post(
    client: Client, lan: Lan, name: str, per_kommun: bool
) -> None:
    path = url(name, lan, *([lan.kommuner[0]] if per_kommun else []))
    response = client.post(path)
    assert response.status_code == 302 and "/logga-in/" in response.url


@pytest.mark.parametrize(
    "name", ["rss-send-link", "rss-send-reminder", "rss-contact-add"]
)
def test_the_coordinator_cannot_reach_a_kommun_of_another_rss(
    coordinator: Client,
    lan: Lan,
    name: str,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    other = build_lan(1, key="annat")
    make_user("kontakt@annat.test", other.kommuner[0])
    response = post(
        coordinator,
        url(name, lan, other.kommuner[0]),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 404
    assert mail.outbox == []


def test_get_is_not_allowed_on_a_send(coordinator: Client, lan: Lan) -> None:
    assert coordinator.get(url("rss-remind-all", lan)).status_code == 405
    assert not Mailing.objects.exists()


def test_staff_may_send_from_any_rss_page(
    client: Client,
    lan: Lan,
    staff_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(staff_user)
    post(
        client,
        url("rss-send-reminder", lan, lan.kommuner[2]),
        django_capture_on_commit_callbacks,
    )
    (dispatch,) = Dispatch.objects.all()
    assert dispatch.sent_by == staff_user


# --- the task ----------------------------------------------------------------------------


class FailingBackend:
    """An SMTP server that is down: the only thing mocked is what leaves the process."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    attempts = 0

    def send_messages(self, messages: Any) -> int:
        FailingBackend.attempts += 1
        raise ConnectionRefusedError("SMTP nere")


def test_a_failed_send_is_retried_then_recorded_on_its_row(
    coordinator: Client,
    lan: Lan,
    settings: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    # Eager tasks re-run a retry in-process only when errors do not propagate.
    celery_app.conf.task_eager_propagates = False
    try:
        post(
            coordinator,
            url("rss-send-reminder", lan, lan.kommuner[2]),
            django_capture_on_commit_callbacks,
        )
    finally:
        celery_app.conf.task_eager_propagates = True
    (dispatch,) = Dispatch.objects.all()
    assert dispatch.status == DispatchStatus.FAILED
    assert dispatch.error == "SMTP nere"
    assert dispatch.sent_at is None
    assert FailingBackend.attempts == 1 + DISPATCH_MAX_RETRIES
