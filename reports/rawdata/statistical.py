"""The raw data as SPSS (.sav) and Stata (.dta) files through pyreadstat:
variable and value labels cut to the formats' limits, and the missing-value
codes declared as user-missing (SPSS) or extended missing values (Stata).
Separate because the formats' rules (lengths, missing values, paths only) are
their own."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from reports.rawdata.columns import (
    SPSS_LABEL_MAX_BYTES,
    SPSS_VALUE_LABEL_MAX_BYTES,
    STATA_LABEL_MAX,
    STATA_MISSING,
    ColumnType,
    Missing,
    RawData,
    Target,
    WriteResult,
)
from surveys.sheet_text import clean


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _truncate_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _statistical_frame(
    data: RawData, *, stata: bool
) -> tuple[
    Any, dict[str, str | None], dict[str, dict[Any, str]], dict[str, list[Any]], int
]:
    """Columns for pyreadstat: values, variable labels, value labels, missing."""
    # Imported here for start-up cost: pandas and pyreadstat are only needed for
    # the statistical formats.
    import pandas as pd

    rows = list(data.rows)
    frame: dict[str, list[Any]] = {}
    labels: dict[str, str | None] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    missing: dict[str, list[Any]] = {}
    for index, column in enumerate(data.columns):
        cells = [row[index] for row in rows]
        label = (
            _truncate_chars(column.label, STATA_LABEL_MAX)
            if stata
            else _truncate_bytes(column.label, SPSS_LABEL_MAX_BYTES)
        )
        labels[column.name] = label
        if column.type == ColumnType.TEXT:
            frame[column.name] = [
                ""
                if v is None
                else str(int(v))
                if isinstance(v, Missing)
                else clean(str(v))
                for v in cells
            ]
            if column.question is not None and not stata:
                missing[column.name] = [str(int(m)) for m in column.missing_labels]
            continue
        codes: dict[Any, str] = dict(column.value_labels)
        out: list[Any] = []
        for value in cells:
            if value is None:
                out.append(float("nan"))
            elif isinstance(value, Missing):
                out.append(STATA_MISSING[value] if stata else float(int(value)))
            else:
                out.append(float(value))
        frame[column.name] = out
        for code, text in column.missing_labels.items():
            codes[STATA_MISSING[code] if stata else int(code)] = text
        if codes:
            value_labels[column.name] = {
                k: (
                    _truncate_chars(v, STATA_LABEL_MAX)
                    if stata
                    else _truncate_bytes(v, SPSS_VALUE_LABEL_MAX_BYTES)
                )
                for k, v in codes.items()
            }
        if column.missing_labels:
            missing[column.name] = (
                [STATA_MISSING[m] for m in column.missing_labels]
                if stata
                else [int(m) for m in column.missing_labels]
            )
    text_columns = {c.name for c in data.columns if c.type == ColumnType.TEXT}

    def dtype(name: str, values: list[Any]) -> str:
        # Explicit: with no rows (or only missing values) pandas would guess
        # "object", and pyreadstat would write a numeric column as text.
        if name in text_columns or (stata and any(isinstance(v, str) for v in values)):
            return "object"
        return "float64"

    df = pd.DataFrame(
        {
            name: pd.Series(values, dtype=dtype(name, values))
            for name, values in frame.items()
        }
    )
    return df, labels, value_labels, missing, len(rows)


def _write_via_path(target: Target, suffix: str, write: Any) -> None:
    """pyreadstat writes to paths only; a file object gets a temporary file's bytes."""
    if isinstance(target, str | os.PathLike):
        write(os.fspath(target))
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"radata{suffix}"
        write(str(path))
        target.write(path.read_bytes())


def write_sav(data: RawData, target: Target) -> WriteResult:
    """SPSS .sav: variable labels, value labels and the codes -1/-2/-3 declared
    as user-missing values."""
    # Imported here for start-up cost, as pandas in _statistical_frame.
    import pyreadstat

    df, labels, value_labels, missing, count = _statistical_frame(data, stata=False)
    _write_via_path(
        target,
        ".sav",
        lambda path: pyreadstat.write_sav(
            df,
            path,
            file_label=_truncate_bytes(str(data.questionnaire), 64),
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
        ),
    )
    return WriteResult(rows=count, columns=len(data.columns))


def write_dta(data: RawData, target: Target) -> WriteResult:
    """Stata .dta: variable labels, value labels and the extended missing values
    .a (ej aktuell), .b (ej besvarad) and .c (undantagssvaret)."""
    # Imported here for start-up cost, as pandas in _statistical_frame.
    import pyreadstat

    df, labels, value_labels, missing, count = _statistical_frame(data, stata=True)
    _write_via_path(
        target,
        ".dta",
        lambda path: pyreadstat.write_dta(
            df,
            path,
            file_label=_truncate_chars(str(data.questionnaire), 80),
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_user_values=missing,
        ),
    )
    return WriteResult(rows=count, columns=len(data.columns))
