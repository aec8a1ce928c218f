"""Export files on S3-compatible object storage (issue #18 point 3), configured
as production would configure it: STORAGE_BACKEND names django-storages' S3
storage and its options point at the endpoint. The endpoint is a real S3 server
(moto's) on a free port, spoken to over HTTP by boto3, so the path tested is the
one a deployment with MinIO or a cloud bucket takes: the worker writes the file
into the bucket, the web process streams it back, housekeeping deletes it, and
nothing lands on the local disk."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.conf import LazySettings
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from reports.exports.jobs import delete_expired_export_files, request_export
from reports.models import ExportJob, ExportStatus
from surveys.models import Questionnaire, User
from tests.brokers import free_port

pytestmark = pytest.mark.django_db

BUCKET = "naravard-exporter"
CREDENTIALS = {"access_key": "testnyckel", "secret_key": "testhemlighet"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> Any:
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _options(endpoint: str) -> dict[str, str]:
    return {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "location": "exporter",
        **CREDENTIALS,
    }


@pytest.fixture
def object_storage(settings: LazySettings, s3_endpoint: str) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": _options(s3_endpoint),
        },
    }


def test_the_environment_configures_object_storage(s3_endpoint: str) -> None:
    """What an operator writes in the environment (.env.example) is what the
    settings module builds: a fresh process, as the web and worker start."""
    environment = {
        **os.environ,
        "STORAGE_BACKEND": "storages.backends.s3.S3Storage",
        "STORAGE_OPTIONS": json.dumps(_options(s3_endpoint)),
    }
    probe = (
        "import django; django.setup();"
        "from django.core.files.storage import storages;"
        "s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.location)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["S3Storage", BUCKET, s3_endpoint, "exporter"]


def _keys(bucket: Any) -> list[str]:
    return [
        item["Key"]
        for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    ]


def test_an_export_goes_to_the_bucket_and_back_and_is_deleted_there(
    object_storage: None,
    bucket: Any,
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
    assert _keys(bucket) == [f"exporter/{job.file.name}"]
    assert not media_root.exists() or not any(media_root.rglob("*"))
    stored = bucket.get_object(Bucket=BUCKET, Key=f"exporter/{job.file.name}")
    stored_bytes = stored["Body"].read()
    assert hashlib.sha256(stored_bytes).hexdigest() == job.manifest["sha256"]

    # The web process streams the object back byte for byte.
    client.force_login(staff_user)
    response = client.get(reverse("reports:export-download", args=[job.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == stored_bytes
    assert job.file_name in response["Content-Disposition"]

    # Housekeeping deletes the object; the row and its manifest stay.
    later = timezone.now() + timedelta(days=365)
    assert delete_expired_export_files(now=later) == 1
    assert _keys(bucket) == []
    job.refresh_from_db()
    assert not job.has_file and job.manifest["sha256"]
    gone = client.get(reverse("reports:export-download", args=[job.pk]))
    assert gone.status_code == 404


def test_a_missing_object_is_a_swedish_404_not_a_500(
    object_storage: None,
    bucket: Any,
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
    bucket.delete_object(Bucket=BUCKET, Key=f"exporter/{job.file.name}")

    client.force_login(staff_user)
    response = client.get(reverse("reports:export-download", args=[job.pk]))
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.DONE
