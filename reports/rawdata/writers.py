"""One questionnaire's raw data in one of the formats (`FORMATS`): picks the
writer (`reports.rawdata.spreadsheets` or `reports.rawdata.statistical`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from reports.rawdata.columns import RawData, RawDataOptions, Target, WriteResult
from reports.rawdata.rows import build_raw_data
from reports.rawdata.spreadsheets import write_csv, write_xlsx
from reports.rawdata.statistical import write_dta, write_sav
from surveys.models import Questionnaire

RawFormat = Literal["csv", "xlsx", "sav", "dta"]
FORMATS: tuple[RawFormat, ...] = ("csv", "xlsx", "sav", "dta")


def write_raw_data(
    questionnaire: Questionnaire,
    target: Target,
    *,
    format: RawFormat,
    options: RawDataOptions | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> WriteResult:
    """Write one questionnaire's raw data in one format to a path or binary file."""
    options = options or RawDataOptions()
    data = build_raw_data(questionnaire, options=options)
    return write_data(data, target, format=format, options=options, manifest=manifest)


def write_data(
    data: RawData,
    target: Target,
    *,
    format: RawFormat,
    options: RawDataOptions,
    manifest: Mapping[str, Any] | None = None,
) -> WriteResult:
    if format == "csv":
        return write_csv(
            data, target, values=options.values, decimal_comma=options.decimal_comma
        )
    if format == "xlsx":
        return write_xlsx(data, target, values=options.values, manifest=manifest)
    if format == "sav":
        return write_sav(data, target)
    if format == "dta":
        return write_dta(data, target)
    raise ValueError(f"Okänt format: {format}")
