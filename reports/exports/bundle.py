"""One call that writes a questionnaire's raw data in every format, its codebook,
the corrections made by Socialstyrelsen and the manifest into a directory: what an export job or the `export` command
wraps (issue #5 B)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from reports.codebook import codebook_rows, write_codebook_csv, write_codebook_xlsx
from reports.manifest import Manifest, exported_file
from reports.plausibility import Correction, corrections_of
from reports.rawdata.columns import Missing, RawDataOptions
from reports.rawdata.rows import build_raw_data, replay
from reports.rawdata.writers import FORMATS, RawFormat, write_data
from surveys.models import Questionnaire
from surveys.sheet_text import csv_text


def export_raw_data(
    questionnaire: Questionnaire,
    directory: Path,
    *,
    formats: Sequence[RawFormat] = FORMATS,
    options: RawDataOptions | None = None,
    codebook: bool = True,
) -> Manifest:
    """Write `<year>_<key>_radata.<format>` for each format, the codebook
    (`_kodbok.xlsx`, `_kodbok.csv`) and `manifest.json` into `directory`.

    The answers are read once, so every file shows the same snapshot (the
    manifest's `data_as_of`). Returns the manifest, which lists every file with
    its row and column counts and SHA-256.
    """
    options = options or RawDataOptions()
    directory.mkdir(parents=True, exist_ok=True)
    data = build_raw_data(questionnaire, options=options)
    rows = list(data.rows)
    manifest = Manifest(
        questionnaire=questionnaire,
        data_as_of=data.data_as_of,
        options={**options.as_dict(), "formats": list(formats)},
        rows=len(rows),
        columns=len(data.columns),
    )
    stem = f"{questionnaire.cycle.year}_{questionnaire.key}"
    for fmt in formats:
        path = directory / f"{stem}_radata.{fmt}"
        result = write_data(
            replay(data, rows),
            path,
            format=fmt,
            options=options,
            manifest=manifest.header() if fmt == "xlsx" else None,
        )
        manifest.files.append(
            exported_file(path, kind="rådata", rows=result.rows, columns=result.columns)
        )
    if codebook:
        corrections = directory / f"{stem}_rattningar.csv"
        count = write_corrections_csv(corrections_of(questionnaire), corrections)
        manifest.files.append(
            exported_file(
                corrections,
                kind="rättningar",
                rows=count,
                columns=len(CORRECTION_COLUMNS),
            )
        )
        entries = codebook_rows(
            questionnaire, include_contacts=options.include_contacts
        )
        xlsx = directory / f"{stem}_kodbok.xlsx"
        write_codebook_xlsx(entries, xlsx, manifest=manifest.header())
        manifest.files.append(
            exported_file(xlsx, kind="kodbok", rows=len(entries), columns=None)
        )
        csv_path = directory / f"{stem}_kodbok.csv"
        write_codebook_csv(entries, csv_path)
        manifest.files.append(
            exported_file(csv_path, kind="kodbok", rows=len(entries), columns=None)
        )
    manifest.write(directory)
    return manifest


# The raw data carries corrected values (Socialstyrelsen's, with a reason); this
# file says which, with the value as the respondent gave it, so that an analyst
# can recompute with either. Values are coded as in the raw data.
CORRECTION_COLUMNS = (
    "orgkod",
    "orgnamn",
    "variabel",
    "fraga",
    "varde_fore",
    "varde_efter",
    "skal",
    "rattad",
)


def correction_value(snapshot: dict[str, Any] | None) -> str:
    """A history snapshot as the raw data codes it: the number, -3 for the
    escape answer, blank for none."""
    if not snapshot:
        return ""
    if snapshot.get("escaped"):
        return str(int(Missing.ESCAPED))
    number = snapshot.get("number")
    return format(Decimal(number).normalize(), "f") if number is not None else ""


def write_corrections_csv(corrections: Sequence[Correction], path: Path) -> int:
    with path.open("w", encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow(CORRECTION_COLUMNS)
        for correction in corrections:
            row = [
                correction.organisation.code,
                correction.organisation.name,
                correction.question.variable,
                correction.question.number,
                correction_value(correction.old_snapshot),
                correction_value(correction.new_snapshot),
                correction.reason,
                timezone.localtime(correction.changed_at).isoformat(timespec="seconds"),
            ]
            # Free text (the reason, a text answer): safe to open (sheet_text).
            writer.writerow([csv_text(value) for value in row])
    return len(corrections)
