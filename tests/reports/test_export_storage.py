"""Export files go through Django's storage API only (issue #18): with another
storage configured (here Django's in-memory one, standing in for object storage
shared by web and worker) an export is stored, listed and downloaded, and nothing
is written to MEDIA_ROOT."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.core.files.storage import InMemoryStorage, default_storage
from django.test import Client
from django.urls import reverse

from reports.exports.jobs import request_export
from reports.models import ExportStatus
from surveys.models import Questionnaire, User

pytestmark = pytest.mark.django_db


def test_an_export_is_stored_and_downloaded_through_the_configured_storage(
    settings: LazySettings,
    media_root: Path,
    status_questionnaire: Questionnaire,
    staff_user: User,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert isinstance(default_storage._wrapped, InMemoryStorage) or isinstance(
        default_storage, InMemoryStorage
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = request_export(
            status_questionnaire, actor=staff_user, kind="svarsstatus", format="csv"
        )
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert default_storage.exists(job.file.name)
    assert not media_root.exists() or not any(media_root.rglob("*"))

    client.force_login(staff_user)
    response = client.get(reverse("reports:export-download", args=[job.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(body).hexdigest() == job.manifest["sha256"]
    assert "svarsstatus" in response["Content-Disposition"]
