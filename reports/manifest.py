"""The manifest written with every export (issue #5 B): what was exported, from
which definition, as of when, with which options and software, and the SHA-256 of
every file, so a published figure can be traced back to its data."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from surveys.models import Questionnaire

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class ExportedFile:
    name: str
    kind: str  # "rådata", "kodbok"
    format: str
    rows: int
    columns: int | None
    sha256: str
    bytes: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def exported_file(
    path: Path, *, kind: str, rows: int, columns: int | None
) -> ExportedFile:
    return ExportedFile(
        name=path.name,
        kind=kind,
        format=path.suffix.lstrip("."),
        rows=rows,
        columns=columns,
        sha256=sha256_of(path),
        bytes=path.stat().st_size,
    )


def package_version() -> str:
    """The installed `naravard` version, or "okänd" when it is not installed."""
    try:
        return metadata.version("naravard")
    except metadata.PackageNotFoundError:
        return "okänd"


@functools.cache
def git_commit() -> str:
    """The commit the code runs from: GIT_COMMIT (the one variable, set when the
    image is built: it has no .git; see Dockerfile and .env.example), else
    `git rev-parse HEAD` in the checkout, else empty. Every manifest, inner or
    outer, records it from here."""
    from_env = os.environ.get("GIT_COMMIT", "").strip()
    if from_env:
        return from_env
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH is the point
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    commit = result.stdout.strip()
    return commit if result.returncode == 0 else ""


def software_version() -> dict[str, str | None]:
    """The package version and commit, as the raw-data package's manifest has them."""
    return {
        "package": "naravard",
        "version": package_version(),
        "git_commit": git_commit() or None,
    }


@dataclass
class Manifest:
    questionnaire: Questionnaire
    data_as_of: datetime
    options: Mapping[str, Any]
    rows: int
    columns: int
    files: list[ExportedFile] = field(default_factory=list)
    created_at: datetime = field(default_factory=timezone.now)

    def header(self) -> dict[str, Any]:
        """Everything but the file list: what the xlsx's "Manifest" sheet holds
        (a file cannot carry its own checksum)."""
        q = self.questionnaire
        return {
            "cycle": q.cycle.year,
            "cycle_name": q.cycle.name,
            "questionnaire_key": q.key,
            "questionnaire_title": q.title,
            "questionnaire_version": q.version,
            "questionnaire_content_hash": q.content_hash,
            "audience": q.audience,
            "data_as_of": timezone.localtime(self.data_as_of).isoformat(),
            "created_at": timezone.localtime(self.created_at).isoformat(),
            "options": dict(self.options),
            "software": software_version(),
            "rows": self.rows,
            "columns": self.columns,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.header(),
            "files": [vars(f) for f in self.files],
        }

    def write(self, directory: Path) -> Path:
        path = directory / MANIFEST_NAME
        path.write_text(
            json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        return path
