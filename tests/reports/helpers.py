"""Small helpers shared by the raw-data tests: CSV in and out of the export."""

from __future__ import annotations

import csv
import io
from typing import Any

from reports.rawdata import RawDataOptions, write_raw_data
from surveys.models import Questionnaire


def export_bytes(
    questionnaire: Questionnaire, fmt: str = "csv", **options: Any
) -> bytes:
    out = io.BytesIO()
    write_raw_data(questionnaire, out, format=fmt, options=RawDataOptions(**options))  # type: ignore[arg-type]
    return out.getvalue()


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def csv_bytes(rows: list[list[str]], *, delimiter: str = ";") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")
