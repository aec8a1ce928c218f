"""The response-status export (Svarsstatus): per organisation of the frame, its
status, when it was submitted and how many required questions it has answered,
as CSV or Excel. Registered when the app is ready (`reports.apps`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, BinaryIO

from django.utils import timezone

from reports.exporters import (
    ExportKind,
    ExportOption,
    ExportTarget,
    Manifest,
    Progress,
    base_manifest,
    register,
)
from reports.exports.tables import write_csv, write_xlsx_table
from reports.selectors import response_status_rows
from surveys.models import Questionnaire

# --- Svarsstatus ----------------------------------------------------------------------

SVARSSTATUS_HEADER = (
    "Kod",
    "Organisation",
    "Status",
    "Inskickad",
    "Besvarade obligatoriska frågor",
    "Obligatoriska frågor",
)
SVARSSTATUS_OPTIONS = (
    ExportOption(
        key="urval",
        label="Urval",
        choices=(("alla", "Alla i ramen"), ("ej-inskickade", "Bara ej inskickade")),
        default="alla",
    ),
)


def _status_rows(
    questionnaire: Questionnaire, options: Mapping[str, str], progress: Progress
) -> tuple[list[Any], dict[str, int]]:

    progress(5, "Läser ramen och svaren")
    rows = response_status_rows(questionnaire)
    counts = {
        "ram": len(rows),
        "inskickade": sum(1 for r in rows if r.is_submitted),
    }
    if options.get("urval") == "ej-inskickade":
        rows = [r for r in rows if not r.is_submitted]
    counts["rader"] = len(rows)
    progress(60, "Skriver filen")
    return rows, counts


def _submitted_local(row: Any) -> datetime | None:
    if row.submitted_at is None:
        return None
    # Excel has no time zones: local (Swedish) time, without the offset.
    local: datetime = timezone.localtime(row.submitted_at).replace(tzinfo=None)
    return local


def write_svarsstatus_csv(
    target: Questionnaire,
    *,
    options: Mapping[str, str],
    output: BinaryIO,
    progress: Progress,
) -> Manifest:
    rows, counts = _status_rows(target, options, progress)
    write_csv(
        output,
        SVARSSTATUS_HEADER,
        (
            (
                r.code,
                r.name,
                r.status_label,
                f"{_submitted_local(r):%Y-%m-%d %H:%M}" if r.submitted_at else "",
                r.answered,
                r.required,
            )
            for r in rows
        ),
    )
    return base_manifest(
        target, kind="svarsstatus", format="csv", options=options, row_counts=counts
    )


def write_svarsstatus_xlsx(
    target: Questionnaire,
    *,
    options: Mapping[str, str],
    output: BinaryIO,
    progress: Progress,
) -> Manifest:
    rows, counts = _status_rows(target, options, progress)
    now = timezone.localtime()
    write_xlsx_table(
        output,
        sheet_title="Svarsstatus",
        title=f"Svarsstatus: {target.title}",
        notes=[
            f"{counts['inskickade']} av {counts['ram']} har skickat in "
            f"(uttaget {now:%Y-%m-%d %H:%M}).",
        ],
        header=SVARSSTATUS_HEADER,
        rows=(
            (
                r.code,
                r.name,
                r.status_label,
                _submitted_local(r),
                r.answered,
                r.required,
            )
            for r in rows
        ),
        number_formats={3: "yyyy-mm-dd hh:mm"},
        column_widths=(10, 40, 14, 18, 16, 16),
    )
    return base_manifest(
        target, kind="svarsstatus", format="xlsx", options=options, row_counts=counts
    )


SVARSSTATUS = register(
    ExportKind(
        key="svarsstatus",
        label="Svarsstatus",
        description="Status per organisation i enkätens ram: inskickad, pågår eller "
        "ej påbörjad, när den skickades in och hur många obligatoriska frågor som "
        "är besvarade.",
        target=ExportTarget.QUESTIONNAIRE,
        writers={"csv": write_svarsstatus_csv, "xlsx": write_svarsstatus_xlsx},
        options=SVARSSTATUS_OPTIONS,
    )
)
