"""Raw data: one row per organisation, one column per answer cell (issue #5 B).

The layout, which `reports.imports.importing` reads back:

- Leading columns: `orgkod`, `orgnamn`, `orgtyp`, `regionkod`, `rsskod` (a
  kommun's RSS in the cycle's year), `status`, `inskickad` (ISO 8601, local time);
  then, only when asked for (personal data), `kontakt_namn`, `kontakt_epost`,
  `kontakt_telefon`.
- One column per question, in questionnaire order, named by its `variable`:
  yes/no, yes/partly/no and single choice hold the option's number (its position,
  1, 2, …) with value labels; integers and percentages the number; text the text.
- Matrix: one column per row, `<variable>_<row>`, coded like a single choice.
- Multiple choice: one column per option, `<variable>_<option>`, 1 = ticked and
  0 = not ticked (published as «.»); missing when the question has no answer.
- RSS kommun counts: one column per cell, `<variable>_<row>_<option>` (or
  `<variable>_<option>` without rows), each row's options followed by its base,
  the number of member kommuner that answered the item, did not, and for which
  it did not apply: `<variable>[_<row>]_svarat`, `_ejsvarat`, `_ejaktuell` (the
  stored slots `[<row>.]_svarat`, `_ej_svarat`, `_ej_aktuell`). Without the base
  an analyst cannot compute kommun shares.
- A name longer than 28 characters (STATA_NAME_MAX: Stata's 32 less room for
  pyreadstat's value-label set names) is made by position instead:
  `<variable>_r<row number>`, `<variable>_o<option number>`,
  `<variable>_r<row number>_<option number>` and, for the base,
  `<variable>_r<row number>_b1` (svarat), `_b2` (ej svarat), `_b3` (ej aktuell).
  The codebook names each column.

Three kinds of "no value" are kept apart (docs/design.md), with reserved codes in every
question column:

- -1 = ej aktuell: a follow-up whose display condition does not hold;
- -2 = ej besvarad: shown but not answered (item nonresponse);
- -3 = the question's escape answer, e.g. «Andelen kan inte uppskattas»
  (numbers only).

In SPSS they are declared user-missing values with labels; in Stata they are the
extended missing values .a, .b and .c with labels (Stata has no missing values
for strings, so a text column carries "-1"/"-2" there too). With `values="labels"`
the CSV and Excel files show the missing values' labels instead of the codes.
An organisation of the frame without a response (`include_nonrespondents`) has
empty question columns (system missing); its `status` says why.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum
from itertools import groupby
from pathlib import Path
from typing import IO, Any, Literal

from django.utils import timezone
from openpyxl import Workbook

from intake.cells import EJ_AKTUELL, EJ_SVARAT, SVARAT, Cell, Cells
from intake.models import Answer, Response, ResponseStatus
from intake.selectors import questions_of, shown_questions
from surveys.formatting import swedish_number
from surveys.kinds import NUMBER_KINDS, SINGLE_VALUE_KINDS, facts
from surveys.models import (
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import expected_respondents
from surveys.sheet_text import clean, csv_text, xlsx_row

ValueStyle = Literal["codes", "labels"]
Target = str | os.PathLike[str] | IO[bytes]

# Stata allows 32 characters in a name, but pyreadstat names each value-label
# set `<variable><n>` (n counting the label sets, up to four digits here), and
# that name must fit too: keep variable names to 28.
STATA_NAME_MAX = 28
STATA_LABEL_MAX = 80
SPSS_LABEL_MAX_BYTES = 256
SPSS_VALUE_LABEL_MAX_BYTES = 120


class Missing(IntEnum):
    """Reserved codes for the three kinds of "no value"."""

    NOT_APPLICABLE = -1
    NOT_ANSWERED = -2
    ESCAPED = -3


MISSING_LABELS = {
    Missing.NOT_APPLICABLE: "Ej aktuell",
    Missing.NOT_ANSWERED: "Ej besvarad",
}
STATA_MISSING = {
    Missing.NOT_APPLICABLE: "a",
    Missing.NOT_ANSWERED: "b",
    Missing.ESCAPED: "c",
}


class ColumnType(StrEnum):
    TEXT = "text"  # leading columns and free-text answers
    CODE = "code"  # an option's number, with value labels
    FLAG = "flag"  # 1/0: a multiple-choice option ticked or not
    NUMBER = "number"  # integers, percentages, kommun counts


LEADING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("orgkod", "Organisationens kod"),
    ("orgnamn", "Organisationens namn"),
    ("orgtyp", "Typ av organisation"),
    ("regionkod", "Region (län)"),
    ("rsskod", "RSS som kommunen tillhör omgångens år"),
    ("status", "Svarets status"),
    ("inskickad", "Inskickad (tidpunkt)"),
)
CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kontakt_namn", "Kontaktperson (personuppgift)"),
    ("kontakt_epost", "Kontaktpersonens e-post (personuppgift)"),
    ("kontakt_telefon", "Kontaktpersonens telefon (personuppgift)"),
)
FLAG_LABELS: Mapping[int, str] = {1: "Vald", 0: "Ej vald"}
STATUS_LABELS: Mapping[str, str] = dict(ResponseStatus.choices)
KIND_LABELS: Mapping[str, str] = dict(OrganisationKind.choices)
# The base of an RSS kommun count: (stored slot, column suffix, label).
KOMMUN_BASE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (SVARAT, "svarat", "antal kommuner som svarat"),
    (EJ_SVARAT, "ejsvarat", "antal kommuner som inte svarat"),
    (EJ_AKTUELL, "ejaktuell", "antal kommuner där frågan inte var aktuell"),
)


@dataclass(frozen=True, eq=False)  # hashed by identity: a key in lookups
class Column:
    """One column of the raw data, and what the codebook says about it."""

    name: str
    label: str
    type: ColumnType
    question: Question | None = None
    row_code: str | None = None
    option_code: str | None = None
    value_labels: Mapping[int, str] = field(default_factory=dict)
    missing_labels: Mapping[Missing, str] = field(default_factory=dict)
    base_slot: str | None = None  # kommun counts: "_svarat", "_ej_svarat", …

    @property
    def count_slot(self) -> str:
        """The stored slot of a kommun-count column: `[<row>.]<option or base>`."""
        cell = self.base_slot or self.option_code or ""
        return f"{self.row_code}.{cell}" if self.row_code else cell


Value = str | int | Decimal | Missing | None


@dataclass(frozen=True)
class RawDataOptions:
    """What goes into the raw data, and how CSV and Excel show it."""

    values: ValueStyle = "codes"
    include_nonrespondents: bool = False
    include_contacts: bool = False
    decimal_comma: bool = False  # CSV only: 59,5 instead of 59.5

    def as_dict(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "include_nonrespondents": self.include_nonrespondents,
            "include_contacts": self.include_contacts,
            "decimal_comma": self.decimal_comma,
        }


@dataclass
class RawData:
    """Columns and rows of one questionnaire's raw data.

    `rows` is an iterator: the answers are read by one ordered query when it is
    first consumed, and rows are built as it goes. Use it once.
    """

    questionnaire: Questionnaire
    columns: list[Column]
    rows: Iterator[list[Value]]
    row_count: int
    data_as_of: Any  # datetime


@dataclass(frozen=True)
class WriteResult:
    rows: int
    columns: int


# --- columns ----------------------------------------------------------------------


def _question_label(question: Question, *parts: str) -> str:
    return " – ".join([f"{question.number}. {question.label}", *parts])


def question_columns(question: Question) -> list[Column]:
    """The raw-data columns of one question (options and rows prefetched)."""
    options = list(question.options.all())
    rows = list(question.rows.all())
    codes = {i: o.label for i, o in enumerate(options, start=1)}
    base_missing = dict(MISSING_LABELS)
    kind = question.kind
    if kind in SINGLE_VALUE_KINDS:
        return [
            Column(
                question.variable,
                _question_label(question),
                ColumnType.CODE,
                question,
                value_labels=codes,
                missing_labels=base_missing,
            )
        ]
    if facts(kind).matrix:
        return [
            Column(
                _cell_name(question.variable, [row.code], f"r{i}"),
                _question_label(question, row.label),
                ColumnType.CODE,
                question,
                row_code=row.code,
                value_labels=codes,
                missing_labels=base_missing,
            )
            for i, row in enumerate(rows, start=1)
        ]
    if facts(kind).multiple:
        return [
            Column(
                _cell_name(question.variable, [option.code], f"o{j}"),
                _question_label(question, option.label),
                ColumnType.FLAG,
                question,
                option_code=option.code,
                value_labels=FLAG_LABELS,
                missing_labels=base_missing,
            )
            for j, option in enumerate(options, start=1)
        ]
    if kind in NUMBER_KINDS:
        missing = dict(base_missing)
        if question.escape_label:
            missing[Missing.ESCAPED] = question.escape_label
        return [
            Column(
                question.variable,
                _question_label(question),
                ColumnType.NUMBER,
                question,
                missing_labels=missing,
            )
        ]
    if facts(kind).kommun_counts:
        columns = []
        for i, row in enumerate(rows or [None], start=1):
            for j, option in enumerate(options, start=1):
                parts = [row.code, option.code] if row else [option.code]
                name = _cell_name(question.variable, parts, f"r{i}_{j}")
                labels = [row.label, option.label] if row else [option.label]
                columns.append(
                    Column(
                        name,
                        _question_label(question, *labels),
                        ColumnType.NUMBER,
                        question,
                        row_code=row.code if row else None,
                        option_code=option.code,
                        missing_labels=base_missing,
                    )
                )
            for k, (slot, suffix, label) in enumerate(KOMMUN_BASE_COLUMNS, start=1):
                parts = [row.code, suffix] if row else [suffix]
                labels = [row.label, label] if row else [label]
                columns.append(
                    Column(
                        _cell_name(question.variable, parts, f"r{i}_b{k}"),
                        _question_label(question, *labels),
                        ColumnType.NUMBER,
                        question,
                        row_code=row.code if row else None,
                        missing_labels=base_missing,
                        base_slot=slot,
                    )
                )
        return columns
    return [
        Column(
            question.variable,
            _question_label(question),
            ColumnType.TEXT,
            question,
            missing_labels=base_missing,
        )
    ]


def raw_columns(
    questions: Sequence[Question], *, include_contacts: bool = False
) -> list[Column]:
    """Every column of the raw data, in order. Raises ValueError on a name clash."""
    columns = [Column(n, label, ColumnType.TEXT) for n, label in LEADING_COLUMNS]
    if include_contacts:
        columns += [Column(n, label, ColumnType.TEXT) for n, label in CONTACT_COLUMNS]
    for question in questions:
        columns += question_columns(question)
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            raise ValueError(f"Kolumnnamnet {column.name} förekommer två gånger.")
        seen.add(column.name)
    return columns


# --- rows ---------------------------------------------------------------------------


def _option_numbers(question: Question) -> dict[str, int]:
    return {o.code: i for i, o in enumerate(question.options.all(), start=1)}


def question_values(
    question: Question, columns: Sequence[Column], cells: Cells, *, shown: bool
) -> list[Value]:
    """The values of one question's columns for one response."""
    if not shown:
        return [Missing.NOT_APPLICABLE] * len(columns)
    if not cells:
        return [Missing.NOT_ANSWERED] * len(columns)
    kind = question.kind
    numbers = _option_numbers(question)
    if kind in SINGLE_VALUE_KINDS:
        cell = cells.get("")
        return [numbers[cell.option] if cell and cell.option else Missing.NOT_ANSWERED]
    if facts(kind).matrix:
        values: list[Value] = []
        for column in columns:
            cell = cells.get(column.row_code or "")
            values.append(
                numbers[cell.option] if cell and cell.option else Missing.NOT_ANSWERED
            )
        return values
    if facts(kind).multiple:
        return [1 if column.option_code in cells else 0 for column in columns]
    if kind in NUMBER_KINDS:
        cell = cells.get("")
        if cell is None:
            return [Missing.NOT_ANSWERED]
        if cell.escaped:
            return [Missing.ESCAPED]
        return [cell.number if cell.number is not None else Missing.NOT_ANSWERED]
    if facts(kind).kommun_counts:
        values = []
        for column in columns:
            cell = cells.get(column.count_slot)
            values.append(
                cell.number
                if cell and cell.number is not None
                else Missing.NOT_ANSWERED
            )
        return values
    cell = cells.get("")
    return [cell.text if cell and cell.text else Missing.NOT_ANSWERED]


def build_raw_data(
    questionnaire: Questionnaire, *, options: RawDataOptions | None = None
) -> RawData:
    """Fetch one questionnaire's raw data in a fixed number of queries.

    Queries: questions, options, rows (3), responses (1), the frame (1, with
    `include_nonrespondents`), RSS memberships (1, kommun questionnaires) and the
    answers (1, ordered by organisation, pivoted into rows as they stream).
    """
    options = options or RawDataOptions()
    data_as_of = timezone.now()
    questions = questions_of(questionnaire.pk)
    columns = raw_columns(questions, include_contacts=options.include_contacts)
    by_question: dict[int, list[Column]] = {}
    for column in columns:
        if column.question is not None:
            by_question.setdefault(column.question.pk, []).append(column)

    responses = list(
        Response.objects.filter(questionnaire=questionnaire)
        .select_related("organisation__region")
        .order_by("organisation__sort_order", "organisation__code")
    )
    entries: list[tuple[Organisation, Response | None]] = [
        (r.organisation, r) for r in responses
    ]
    if options.include_nonrespondents:
        answered = {r.organisation_id for r in responses}
        entries += [
            (organisation, None)
            for organisation in expected_respondents(questionnaire).select_related(
                "region"
            )
            if organisation.pk not in answered
        ]
        entries.sort(key=lambda e: (e[0].sort_order, e[0].code))

    rss_codes: dict[int, str] = {}
    if questionnaire.audience == OrganisationKind.KOMMUN:
        year = questionnaire.cycle.year
        rss_codes = dict(
            RSSMembership.objects.filter(memberships_in_year(year)).values_list(
                "kommun_id", "rss__code"
            )
        )

    def rows() -> Iterator[list[Value]]:
        answers = (
            Answer.objects.filter(response__questionnaire=questionnaire)
            .order_by(
                "response__organisation__sort_order",
                "response__organisation__code",
                "question_id",
                "slot",
            )
            .values_list(
                "response_id",
                "question_id",
                "slot",
                "row__code",
                "option__code",
                "number",
                "text",
                "escaped",
            )
        )
        grouped = groupby(answers.iterator(chunk_size=2000), key=lambda a: a[0])
        pending = next(grouped, None)
        for organisation, response in entries:
            cells: dict[int, Cells] = {}
            if response is not None and pending and pending[0] == response.pk:
                for _, qid, slot, row, option, number, text, escaped in pending[1]:
                    cells.setdefault(qid, {})[slot] = Cell(
                        option=option,
                        row=row,
                        number=number,
                        text=text,
                        escaped=escaped,
                    )
                pending = next(grouped, None)
            yield _row(organisation, response, cells)

    def _row(
        organisation: Organisation, response: Response | None, cells: dict[int, Cells]
    ) -> list[Value]:
        submitted = (
            timezone.localtime(response.submitted_at).isoformat()
            if response and response.submitted_at
            else ""
        )
        values: list[Value] = [
            organisation.code,
            organisation.name,
            organisation.kind,
            organisation.region.code if organisation.region else "",
            rss_codes.get(organisation.pk, ""),
            response.status if response else ResponseStatus.NOT_STARTED.value,
            submitted,
        ]
        if options.include_contacts:
            values += (
                [response.contact_name, response.contact_email, response.contact_phone]
                if response
                else ["", "", ""]
            )
        shown = shown_questions(questions, cells) if response else set()
        for question in questions:
            question_cols = by_question[question.pk]
            if response is None:
                values += [None] * len(question_cols)
            else:
                values += question_values(
                    question,
                    question_cols,
                    cells.get(question.pk, {}),
                    shown=question.pk in shown,
                )
        return values

    return RawData(
        questionnaire=questionnaire,
        columns=columns,
        rows=rows(),
        row_count=len(entries),
        data_as_of=data_as_of,
    )


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
    if isinstance(value, Missing):
        return str(int(value))
    if isinstance(value, Decimal):
        return number_text(value, decimal_comma=decimal_comma)
    return csv_text(str(value))


def excel_cell(column: Column, value: Value, *, style: ValueStyle) -> Any:
    if style == "labels":
        value = _label_of(column, value)
    if value is None:
        return None
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
    sheet = workbook.create_sheet("Rådata")
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


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _truncate_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell_name(variable: str, codes: list[str], positions: str) -> str:
    """`<variable>_<code>[_<code>]`, or by position (`<variable>_r2`, `_o14`,
    `_r1_3`) when that would not fit STATA_NAME_MAX."""
    name = "_".join([variable, *codes])
    return name if len(name) <= STATA_NAME_MAX else f"{variable}_{positions}"


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


def replay(data: RawData, rows: Sequence[list[Value]]) -> RawData:
    """The same raw data over rows already read, so that several files written
    from it show one snapshot."""
    return RawData(
        questionnaire=data.questionnaire,
        columns=data.columns,
        rows=iter(rows),
        row_count=len(rows),
        data_as_of=data.data_as_of,
    )
