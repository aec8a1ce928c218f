"""Export files on S3-compatible object storage (issue #18 point 3), configured
as production would configure it: STORAGE_BACKEND names django-storages' S3
storage and its options point at the endpoint. The endpoint is a real S3 server
(tests/object_storage.py) spoken to over HTTP, so the path tested is the one a
deployment with MinIO or a cloud bucket takes: the worker writes the file into
the bucket, the web process streams it back, housekeeping deletes it, and
nothing lands on the local disk. tests/test_process_layout.py does the same
across the production processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from storages.backends.s3 import S3Storage

from reports.exports.jobs import delete_expired_export_files, request_export
from reports.models import ExportJob, ExportStatus
from surveys.models import Questionnaire, User
from tests.object_storage import BUCKET, PREFIX, S3_BACKEND, Bucket, s3_bucket

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket(settings: LazySettings) -> Iterator[Bucket]:
    with s3_bucket() as bucket:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": S3_BACKEND, "OPTIONS": bucket.options},
        }
        yield bucket


def test_the_environment_configures_object_storage() -> None:
    """What an operator writes in the environment (.env.example) is what the
    settings module builds: a fresh process, as the web and worker start."""
    bucket = Bucket("http://127.0.0.1:9", client=None)
    probe = (
        "import django; django.setup();"
        "from django.core.files.storage import storages;"
        "s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.location)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, **bucket.environment()},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["S3Storage", BUCKET, bucket.endpoint, PREFIX]


def test_an_export_goes_to_the_bucket_and_back_and_is_deleted_there(
    bucket: Bucket,
    media_root: Path,
    status_questionnaire: Questionnaire,
    staff_user: User,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert isinstance(storages["default"], S3Storage)
    with django_capture_on_commit_callbacks(execute=True):
        job = request_export(
            status_questionnaire, actor=staff_user, kind="svarsstatus", format="xlsx"
        )
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error

    # In the bucket, under the configured prefix, and only there.
    assert bucket.keys() == [f"{PREFIX}/{job.file.name}"]
    assert not media_root.exists() or not any(media_root.rglob("*"))
    stored = bucket.read(job.file.name or "")
    assert hashlib.sha256(stored).hexdigest() == job.manifest["sha256"]

    # The web process streams the object back byte for byte.
    client.force_login(staff_user)
    response = client.get(reverse("reports:export-download", args=[job.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == stored
    assert job.file_name in response["Content-Disposition"]

    # Housekeeping deletes the object; the row and its manifest stay.
    later = timezone.now() + timedelta(days=365)
    assert delete_expired_export_files(now=later) == 1
    assert bucket.keys() == []
    job.refresh_from_db()
    assert not job.has_file and job.manifest["sha256"]
    gone = client.get(reverse("reports:export-download", args=[job.pk]))
    assert gone.status_code == 404


def test_a_missing_object_is_a_swedish_404_not_a_500(
    bucket: Bucket,
    status_questionnaire: Questionnaire,
    staff_user: User,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Someone emptied the bucket behind the service's back."""
    with django_capture_on_commit_callbacks(execute=True):
        job = request_export(
            status_questionnaire, actor=staff_user, kind="svarsstatus", format="csv"
        )
    job.refresh_from_db()
    bucket.delete(job.file.name or "")

    client.force_login(staff_user)
    response = client.get(reverse("reports:export-download", args=[job.pk]))
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.DONE
