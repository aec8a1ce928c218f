"""The manifest written with every export (issue #5 B): what was exported, from
which definition, as of when, with which options and software, and the SHA-256 of
every file, so a published figure can be traced back to its data."""

from __future__ import annotations

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


def software_version() -> dict[str, str | None]:
    """The `naravard` package version and, where there is one, the git commit.

    NARAVARD_GIT_COMMIT wins (images are built without .git); otherwise git is
    asked, and a missing git or repository gives None rather than an error.
    """
    try:
        version: str | None = metadata.version("naravard")
    except metadata.PackageNotFoundError:
        version = None
    commit = os.environ.get("NARAVARD_GIT_COMMIT") or _git_commit()
    return {"package": "naravard", "version": version, "git_commit": commit}


def _git_commit() -> str | None:
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
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and commit else None


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
