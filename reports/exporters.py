"""The registry of export kinds, the manifest every export carries, and the
runner. The table writers the tabular exporters share are in
`reports.exports.tables`, the response-status export in
`reports.exports.svarsstatus` and the others in `reports.export_kinds`.

An export kind is a key, a Swedish label, what it is run over (one questionnaire,
or a whole cycle), the options it accepts, and one writer per file format. A
writer has the signature of `ExportWriter`:

    def write(target, *, options, output, progress) -> Manifest

`target` is a Questionnaire or a Cycle (with `cycle` loaded), `options` the
cleaned options (every declared option present, as a string), `output` a binary
file open for writing, and `progress(percent, message)` reports how far it has
come in Swedish. It returns `base_manifest(...)` with its row counts; the runner
(`run_exporter`) adds the file name and the SHA-256 of what was written.

The same runner serves the Celery task behind the staff pages
(`reports.exports.jobs.run_export`) and the `export` management command, so a kind
registered here is available in both:

    register(ExportKind(key="bilaga3", label="Bilaga 3 …", target=ExportTarget.QUESTIONNAIRE,
                        writers={"xlsx": write_bilaga3_xlsx}))
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from intake.models import Response
from reports.manifest import git_commit, package_version
from surveys.errors import DomainError
from surveys.models import Cycle, Questionnaire

Target = Questionnaire | Cycle
Progress = Callable[[int, str], None]


class ExportTarget(StrEnum):
    QUESTIONNAIRE = "questionnaire"
    CYCLE = "cycle"


@dataclasses.dataclass(frozen=True)
class FileFormat:
    key: str
    label: str
    extension: str
    content_type: str


# Every file format an export kind may offer. Add one here before a kind uses it.
FORMATS: dict[str, FileFormat] = {
    f.key: f
    for f in [
        FileFormat("csv", "CSV (semikolon, UTF-8)", "csv", "text/csv"),
        FileFormat(
            "xlsx",
            "Excel (.xlsx)",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        FileFormat("sav", "SPSS (.sav)", "sav", "application/x-spss-sav"),
        FileFormat("dta", "Stata (.dta)", "dta", "application/x-stata-dta"),
        FileFormat("png", "Bild (.png)", "png", "image/png"),
        FileFormat(
            "docx",
            "Word (.docx)",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        FileFormat("pdf", "PDF", "pdf", "application/pdf"),
        FileFormat("json", "JSON", "json", "application/json"),
        FileFormat("zip", "Zip-arkiv (.zip)", "zip", "application/zip"),
    ]
}


@dataclasses.dataclass(frozen=True)
class Manifest:
    """What an export is, so a file found on a disk years later explains itself."""

    kind: str
    kind_label: str
    format: str
    cycle: int
    questionnaire: dict[str, Any] | None
    data_as_of: str | None
    generated_at: str
    options: dict[str, str]
    software_version: str
    git_commit: str
    row_counts: dict[str, int]
    file_name: str = ""
    sha256: str = ""
    # Anything kind-specific (bases, filters in words, source lines).
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class ExportWriter(Protocol):
    def __call__(
        self,
        target: Any,
        *,
        options: Mapping[str, str],
        output: BinaryIO,
        progress: Progress,
    ) -> Manifest: ...


@dataclasses.dataclass(frozen=True)
class ExportOption:
    """An option a kind accepts (`--option key=value`, or `key=value` in the form)."""

    key: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    default: str = ""


@dataclasses.dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    target: ExportTarget
    writers: Mapping[str, ExportWriter]
    description: str = ""
    options: tuple[ExportOption, ...] = ()
    # Checks the cleaned options against the target before a job is queued (e.g.
    # a level the questionnaire's audience lacks), so the person ordering the
    # export is told at once instead of by a failed job; raises DomainError.
    check: Callable[[Any, Mapping[str, str]], None] | None = None

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(self.writers)

    def clean_options(self, raw: Mapping[str, str]) -> dict[str, str]:
        """Every declared option, defaults filled in; Swedish errors for the rest."""
        declared = {o.key: o for o in self.options}
        errors = []
        unknown = sorted(set(raw) - set(declared))
        if unknown:
            allowed = ", ".join(declared) or "inga"
            errors.append(
                f"Okänd inställning {', '.join(unknown)} för {self.label} "
                f"(tillåtna: {allowed})."
            )
        cleaned: dict[str, str] = {}
        for option in self.options:
            value = str(raw.get(option.key, option.default)).strip()
            codes = [code for code, _ in option.choices]
            if codes and value not in codes:
                errors.append(
                    f"{option.label}: välj {' eller '.join(codes)} (inte ”{value}”)."
                )
            cleaned[option.key] = value
        if errors:
            raise ValidationError(errors)
        return cleaned


_REGISTRY: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    unknown = [f for f in kind.formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"{kind.key}: unknown formats {unknown}")
    if kind.key in _REGISTRY and _REGISTRY[kind.key] is not kind:
        raise ValueError(f"export kind {kind.key!r} is already registered")
    _REGISTRY[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """For tests that register a kind of their own."""
    _REGISTRY.pop(key, None)


def export_kinds() -> list[ExportKind]:
    return list(_REGISTRY.values())


def get_kind(key: str) -> ExportKind | None:
    return _REGISTRY.get(key)


# --- validation shared by the service and the command -------------------------------


def parse_option_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """`["urval=ej-inskickade"]` -> `{"urval": "ej-inskickade"}`; Swedish errors."""
    options: dict[str, str] = {}
    for pair in pairs:
        pair = pair.strip()
        if not pair:
            continue
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationError(
                f"Skriv inställningar som nyckel=värde, inte ”{pair}”."
            )
        options[key.strip()] = value.strip()
    return options


def clean_export_request(
    target: Target, *, kind: str, format: str, options: Mapping[str, str]
) -> tuple[ExportKind, dict[str, str]]:
    """The kind and cleaned options, or ValidationError keyed by field (Swedish)."""
    export_kind = get_kind(kind)
    if export_kind is None:
        raise ValidationError({"kind": [f"Exporttypen ”{kind}” finns inte."]})
    if format not in export_kind.formats:
        offered = ", ".join(export_kind.formats)
        raise ValidationError(
            {
                "format": [
                    f"{export_kind.label} kan inte exporteras som {format} "
                    f"(välj {offered})."
                ]
            }
        )
    if export_kind.target == ExportTarget.QUESTIONNAIRE and not isinstance(
        target, Questionnaire
    ):
        raise ValidationError(
            {"target": [f"Välj en enkät: {export_kind.label} gäller en enkät i taget."]}
        )
    try:
        cleaned = export_kind.clean_options(options)
    except ValidationError as exc:
        raise ValidationError({"options": exc.messages}) from None
    if export_kind.check is not None:
        try:
            export_kind.check(target, cleaned)
        except DomainError as exc:
            raise ValidationError({"options": [exc.message]}) from None
    return export_kind, cleaned


# --- the manifest ------------------------------------------------------------------


def cycle_of(target: Target) -> Cycle:
    return target.cycle if isinstance(target, Questionnaire) else target


def data_as_of(target: Target) -> datetime | None:
    """When the newest answer or status change in the target was saved: one query."""

    responses = Response.objects.all()
    if isinstance(target, Questionnaire):
        responses = responses.filter(questionnaire=target)
    else:
        responses = responses.filter(questionnaire__cycle=target)
    latest: datetime | None = responses.aggregate(latest=Max("updated_at"))["latest"]
    return latest


def base_manifest(
    target: Target,
    *,
    kind: str,
    format: str,
    options: Mapping[str, str],
    row_counts: Mapping[str, int],
    extra: Mapping[str, Any] | None = None,
) -> Manifest:
    export_kind = get_kind(kind)
    questionnaire = None
    if isinstance(target, Questionnaire):
        questionnaire = {
            "key": target.key,
            "title": target.title,
            "version": target.version,
            "content_hash": target.content_hash,
        }
    as_of = data_as_of(target)
    return Manifest(
        kind=kind,
        kind_label=export_kind.label if export_kind else kind,
        format=format,
        cycle=cycle_of(target).year,
        questionnaire=questionnaire,
        data_as_of=as_of.isoformat() if as_of else None,
        generated_at=timezone.now().isoformat(),
        options=dict(options),
        software_version=package_version(),
        git_commit=git_commit(),
        row_counts=dict(row_counts),
        extra=dict(extra or {}),
    )


# --- running an exporter -------------------------------------------------------------


def _ignore_progress(percent: int, message: str) -> None:
    return None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_exporter(
    target: Target,
    *,
    kind: ExportKind,
    format: str,
    options: Mapping[str, str],
    path: Path,
    file_name: str,
    progress: Progress = _ignore_progress,
) -> Manifest:
    """Write one export to `path` and return its complete manifest.

    `options` must already be cleaned (`clean_export_request`). `file_name` is the
    name the file is known by (the download name), recorded in the manifest.
    """
    writer = kind.writers[format]
    with path.open("wb") as output:
        manifest = writer(target, options=options, output=output, progress=progress)
    return dataclasses.replace(manifest, file_name=file_name, sha256=sha256_of(path))


def download_name(target: Target, *, kind: ExportKind, format: str) -> str:
    """A file name that says what the file is: "svarsstatus-2024-region.xlsx"."""

    parts = [slugify(kind.key), str(cycle_of(target).year)]
    if isinstance(target, Questionnaire):
        parts.append(slugify(target.key))
    return "-".join(parts) + "." + FORMATS[format].extension
