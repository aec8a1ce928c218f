"""An S3-compatible server of the test's own: moto's, on a free port, spoken to
over HTTP (boto3 in the test, django-storages in the service), with one bucket.
What a deployment with MinIO or a cloud bucket configures, the tests configure
the same way: STORAGE_BACKEND and STORAGE_OPTIONS (see .env.example)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from tests.brokers import free_port

S3_BACKEND = "storages.backends.s3.S3Storage"
BUCKET = "naravard-exporter"
PREFIX = "exporter"  # the storage's `location`: objects go under it
CREDENTIALS = {"access_key": "testnyckel", "secret_key": "testhemlighet"}


@dataclass(frozen=True)
class Bucket:
    endpoint: str
    client: Any  # boto3's S3 client, untyped

    @property
    def options(self) -> dict[str, str]:
        """STORAGE_OPTIONS for the service, as an operator would write them."""
        return {
            "bucket_name": BUCKET,
            "endpoint_url": self.endpoint,
            "region_name": "us-east-1",
            "location": PREFIX,
            **CREDENTIALS,
        }

    def environment(self) -> dict[str, str]:
        return {
            "STORAGE_BACKEND": S3_BACKEND,
            "STORAGE_OPTIONS": json.dumps(self.options),
        }

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return [item["Key"] for item in listed]

    def read(self, name: str) -> bytes:
        """The object the service stored as `name` (a FileField's name)."""
        body: bytes = self.client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")[
            "Body"
        ].read()
        return body

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")


@contextmanager
def s3_bucket() -> Iterator[Bucket]:
    """A started server with an empty bucket; stopped after."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
        )
        client.create_bucket(Bucket=BUCKET)
        yield Bucket(endpoint, client)
    finally:
        server.stop()
