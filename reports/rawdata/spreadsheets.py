"""The raw data as CSV and Excel: each value as text or as an Excel cell, in
codes or labels, and the writers that stream the rows. The codebook writes its
files with the same helpers (`open_binary`, `append_manifest_sheet`)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook

from reports.rawdata.columns import (
    KIND_LABELS,
    STATUS_LABELS,
    Column,
    ColumnType,
    Missing,
    RawData,
    Target,
    Value,
    ValueStyle,
    WriteResult,
)
from reports.xlsx_rows import add_rows_sheet
from surveys.formatting import swedish_number
from surveys.sheet_text import csv_text, xlsx_row

# --- formatting ---------------------------------------------------------------------


def number_text(value: Decimal, *, decimal_comma: bool = False) -> str:
    """As stored, trailing zeros removed; no thousands separator in raw data."""
    if decimal_comma:
        return swedish_number(value, thousands=False)
    return f"{value.normalize():f}"


def _label_of(column: Column, value: Value) -> Value:
    """A value as its label (labels style): options and missing values in words."""
    if isinstance(value, Missing):
        return column.missing_labels.get(value, str(int(value)))
    if column.type == ColumnType.CODE and isinstance(value, int):
        return column.value_labels.get(value, str(value))
    if column.name == "status" and isinstance(value, str):
        return STATUS_LABELS.get(value, value)
    if column.name == "orgtyp" and isinstance(value, str):
        return KIND_LABELS.get(value, value)
    return value


def text_cell(
    column: Column, value: Value, *, style: ValueStyle, decimal_comma: bool
) -> str:
    if style == "labels":
        value = _label_of(column, value)
    if value is None:
        return ""
    if type(value) is int:  # an option's code: most cells, and never a formula
        return str(value)
    if isinstance(value, Missing):
        return str(int(value))
    if isinstance(value, Decimal):
        return number_text(value, decimal_comma=decimal_comma)
    return csv_text(str(value))


def excel_cell(column: Column, value: Value, *, style: ValueStyle) -> Any:
    if style == "labels":
        value = _label_of(column, value)
    if value is None or type(value) is int:  # most cells: an option's number
        return value
    if isinstance(value, Missing):
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- writers ------------------------------------------------------------------------


def open_binary(target: Target) -> tuple[IO[bytes], bool]:
    if isinstance(target, str | os.PathLike):
        return open(target, "wb"), True  # noqa: SIM115 - closed by the caller
    return target, False


def write_csv(
    data: RawData,
    target: Target,
    *,
    values: ValueStyle = "codes",
    decimal_comma: bool = False,
) -> WriteResult:
    """UTF-8 with BOM and semicolons, as Swedish Excel opens it; streams rows."""
    binary, owned = open_binary(target)
    try:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.name for c in data.columns])
        count = 0
        for row in data.rows:
            writer.writerow(
                [
                    text_cell(c, v, style=values, decimal_comma=decimal_comma)
                    for c, v in zip(data.columns, row, strict=True)
                ]
            )
            count += 1
        text.flush()
        text.detach()
    finally:
        if owned:
            binary.close()
    return WriteResult(rows=count, columns=len(data.columns))


def write_xlsx(
    data: RawData,
    target: Target,
    *,
    values: ValueStyle = "codes",
    manifest: Mapping[str, Any] | None = None,
) -> WriteResult:
    """A write-only workbook (rows stream to disk): sheet "Rådata", and "Manifest"
    with the export's metadata when given."""

    workbook = Workbook(write_only=True)
    sheet = add_rows_sheet(workbook, "Rådata")
    sheet.append(xlsx_row(sheet, [c.name for c in data.columns]))
    count = 0
    for row in data.rows:
        sheet.append(
            xlsx_row(
                sheet,
                [
                    excel_cell(c, v, style=values)
                    for c, v in zip(data.columns, row, strict=True)
                ],
            )
        )
        count += 1
    if manifest is not None:
        append_manifest_sheet(workbook, manifest)
    workbook.save(target)
    return WriteResult(rows=count, columns=len(data.columns))


def append_manifest_sheet(workbook: Any, manifest: Mapping[str, Any]) -> None:

    sheet = workbook.create_sheet("Manifest")
    sheet.append(["Uppgift", "Värde"])
    for key, value in manifest.items():
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        sheet.append(xlsx_row(sheet, [key, value]))
