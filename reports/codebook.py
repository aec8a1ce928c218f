"""The codebook: one row per column of the raw data (issue #5 B).

It documents what a reader of the raw data needs without the questionnaire at
hand: the question, its kind, the values and their labels, the missing-value
codes, when a follow-up is asked (in words), unit, reference period, the
lineage key that ties the question to other years, and the question's
footnotes (a wording or option change since the previous cycle among them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from openpyxl import Workbook

from intake.selectors import questions_of
from reports.rawdata.columns import (
    KIND_LABELS,
    STATA_MISSING,
    STATUS_LABELS,
    Column,
    ColumnType,
    Missing,
    Target,
)
from reports.rawdata.kinds import raw_columns
from reports.rawdata.spreadsheets import append_manifest_sheet, open_binary
from surveys import conditions
from surveys.models import Question, Questionnaire
from surveys.sheet_text import CSV_TEXT_NOTE, csv_text, xlsx_row

CODEBOOK_HEADERS: tuple[tuple[str, str], ...] = (
    ("variable", "Variabel"),
    ("number", "Fråga"),
    ("text", "Frågetext"),
    ("label", "Etikett"),
    ("kind", "Frågetyp"),
    ("values", "Värden"),
    ("missing", "Saknade värden"),
    ("condition", "Villkor"),
    ("unit", "Enhet"),
    ("reference_period", "Referensperiod"),
    ("lineage_key", "Linjenyckel"),
    ("footnotes", "Fotnoter"),
)


@dataclass(frozen=True)
class CodebookRow:
    variable: str
    number: str
    text: str
    label: str
    kind: str
    values: str
    missing: str
    condition: str
    unit: str
    reference_period: str
    lineage_key: str
    # The question's footnotes (Question.footnotes), as under its tables.
    footnotes: str = ""


def _labels(codes: Mapping[Any, str]) -> str:
    return "; ".join(f"{code} = {label}" for code, label in codes.items())


def missing_in_words(column: Column) -> str:
    """E.g. "-1 = Ej aktuell (Stata .a); -2 = Ej besvarad (Stata .b)"."""
    return "; ".join(
        f"{int(code)} = {label} (Stata .{STATA_MISSING[code]})"
        for code, label in sorted(
            column.missing_labels.items(), key=lambda item: -int(item[0])
        )
    )


def condition_in_words(
    condition: Mapping[str, Any] | None, questions: Mapping[str, Question]
) -> str:
    """A display condition as a reader says it: "Besvaras om r02 = Ja"."""
    return conditions.for_codebook(conditions.parse_stored(condition), questions)


# Said in the codebook of every multiple-choice column (issue #16 point 7).
NONE_OF_NOTE = (
    "0 i alla frågans kolumner: svarat «Inget av alternativen» (räknas i basen)"
)


def _values_in_words(column: Column) -> str:
    if column.type == ColumnType.FLAG:
        return f"{_labels(column.value_labels)}; {NONE_OF_NOTE}"
    if column.type == ColumnType.CODE:
        return _labels(column.value_labels)
    question = column.question
    if column.base_slot is not None:
        return (
            "Antal kommuner (heltal, minst 0); svarat + inte svarat + ej aktuell "
            "= RSS:ens kommuner"
        )
    if column.type == ColumnType.NUMBER and question is not None:
        low = question.min_value
        high = question.max_value
        bounds = []
        if low is not None:
            bounds.append(f"minst {low.normalize():f}")
        if high is not None:
            bounds.append(f"högst {high.normalize():f}")
        return "Tal" + (f" ({', '.join(bounds)})" if bounds else "")
    if column.type == ColumnType.TEXT and question is not None:
        return CSV_TEXT_NOTE
    return ""


def codebook_rows(
    questionnaire: Questionnaire, *, include_contacts: bool = False
) -> list[CodebookRow]:
    """One row per raw-data column, in the same order: four queries."""
    questions = questions_of(questionnaire)
    by_variable = {q.variable: q for q in questions}
    rows = []
    for column in raw_columns(questions, include_contacts=include_contacts):
        question = column.question
        if question is None:
            rows.append(
                CodebookRow(
                    variable=column.name,
                    number="",
                    text=column.label,
                    label=column.label,
                    kind="Bakgrund",
                    values=_leading_values(column.name),
                    missing="",
                    condition="",
                    unit="",
                    reference_period="",
                    lineage_key="",
                )
            )
            continue
        rows.append(
            CodebookRow(
                variable=column.name,
                number=question.number,
                text=question.text,
                label=column.label,
                kind=question.get_kind_display(),
                values=_values_in_words(column),
                missing=missing_in_words(column),
                condition=conditions.for_codebook(
                    question.display_condition, by_variable
                ),
                unit=question.unit,
                reference_period=question.reference_text
                or question.get_reference_period_display(),
                lineage_key=question.lineage_key,
                footnotes=" ".join(question.footnotes),
            )
        )
    return rows


def _leading_values(name: str) -> str:

    if name == "orgtyp":
        return _labels(KIND_LABELS)
    if name == "status":
        return _labels(STATUS_LABELS)
    if name == "inskickad":
        return "ISO 8601, svensk tid"
    if name.startswith("kontakt_"):
        return CSV_TEXT_NOTE
    return ""


def write_codebook_csv(rows: Sequence[CodebookRow], target: Target) -> int:
    binary, owned = open_binary(target)
    try:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow([title for _, title in CODEBOOK_HEADERS])
        for row in rows:
            values = asdict(row)
            writer.writerow(
                [
                    csv_text(v) if isinstance(v, str) else v
                    for v in (values[key] for key, _ in CODEBOOK_HEADERS)
                ]
            )
        text.flush()
        text.detach()
    finally:
        if owned:
            binary.close()
    return len(rows)


def write_codebook_xlsx(
    rows: Sequence[CodebookRow],
    target: Target,
    *,
    manifest: Mapping[str, Any] | None = None,
) -> int:

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Kodbok")
    sheet.append([title for _, title in CODEBOOK_HEADERS])
    for row in rows:
        values = asdict(row)
        sheet.append(xlsx_row(sheet, [values[key] for key, _ in CODEBOOK_HEADERS]))
    if manifest is not None:
        append_manifest_sheet(workbook, manifest)
    workbook.save(target)
    return len(rows)


__all__ = [
    "CODEBOOK_HEADERS",
    "CodebookRow",
    "Missing",
    "codebook_rows",
    "condition_in_words",
    "write_codebook_csv",
    "write_codebook_xlsx",
]
