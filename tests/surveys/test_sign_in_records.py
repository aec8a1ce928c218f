"""Sign-in records (django-axes) are personal data: a nightly task deletes those
older than AXES_LOG_RETENTION_DAYS and keeps the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from celery.schedules import crontab
from django.conf import LazySettings, settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from surveys.errors import DomainError
from surveys.models import User
from surveys.services.sign_in_records import delete_old_sign_in_records
from surveys.tasks import delete_old_sign_in_records as delete_task

pytestmark = pytest.mark.django_db

AccessModel = type[AccessAttempt] | type[AccessLog] | type[AccessFailureLog]


def record(model: AccessModel, username: str, days_ago: float) -> None:
    """One row as axes writes it, then moved back in time (attempt_time is
    auto_now_add)."""
    fields = {
        "user_agent": "pytest",
        "ip_address": "127.0.0.1",
        "username": username,
        "http_accept": "*/*",
        "path_info": "/logga-in/",
    }
    if model is AccessAttempt:
        fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
    row = model.objects.create(**fields)
    model.objects.filter(pk=row.pk).update(
        attempt_time=timezone.now() - timedelta(days=days_ago)
    )


def usernames(model: AccessModel) -> set[str]:
    return set(model.objects.values_list("username", flat=True))


MODELS: list[AccessModel] = [AccessAttempt, AccessLog, AccessFailureLog]


def test_the_task_deletes_records_older_than_90_days_and_keeps_the_rest() -> None:
    assert settings.AXES_LOG_RETENTION_DAYS == 90
    for model in MODELS:
        record(model, "gammal@example.test", days_ago=91)
        record(model, "precis-for-gammal@example.test", days_ago=90.01)
        record(model, "ny@example.test", days_ago=89)
        record(model, "idag@example.test", days_ago=0)

    result = delete_task.delay().get()

    assert result == {"attempts": 2, "logs": 2, "failure_logs": 2}
    for model in MODELS:
        assert usernames(model) == {"ny@example.test", "idag@example.test"}


def test_the_retention_follows_the_setting(settings: LazySettings) -> None:
    settings.AXES_LOG_RETENTION_DAYS = 30
    for model in MODELS:
        record(model, "45-dagar@example.test", days_ago=45)
        record(model, "20-dagar@example.test", days_ago=20)
    delete_task.delay()
    for model in MODELS:
        assert usernames(model) == {"20-dagar@example.test"}


def test_real_sign_ins_are_kept_until_they_are_old(region_user: User) -> None:
    """The rows axes itself writes for a failed and a successful sign-in."""
    client = Client()
    client.post(
        reverse("surveys:login"), {"username": region_user.email, "password": "fel"}
    )
    client.post(
        reverse("surveys:login"),
        {"username": region_user.email, "password": "secret-password"},
    )
    assert AccessLog.objects.count() == 1
    assert delete_old_sign_in_records(age_days=90).logs == 0
    assert AccessLog.objects.count() == 1
    AccessLog.objects.update(attempt_time=timezone.now() - timedelta(days=91))
    assert delete_old_sign_in_records(age_days=90).logs == 1
    assert not AccessLog.objects.exists()


def test_a_retention_under_one_day_is_refused() -> None:
    record(AccessLog, "idag@example.test", days_ago=0)
    with pytest.raises(DomainError):
        delete_old_sign_in_records(age_days=0)
    assert AccessLog.objects.count() == 1


def test_beat_runs_the_task_every_night() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["delete-old-sign-in-records"]
    assert entry["task"] == "surveys.tasks.delete_old_sign_in_records"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(hour=3, minute=17)
