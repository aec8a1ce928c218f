"""Reading raw data back: validation of a whole file before anything is saved
(issue #5 B). `reports.imports.jobs.import_responses` saves a valid plan.

The file has the raw-data export's layout (`reports.rawdata`), as CSV (UTF-8,
semicolon or comma) or .xlsx (the first sheet, or "Rådata"). Rules:

- The leading columns `orgkod`, `orgnamn`, `orgtyp`, `regionkod`, `rsskod`,
  `status` and `inskickad` must be there; only `orgkod`, `status` and
  `inskickad` are read (the others describe the row for a human).
  `kontakt_namn`, `kontakt_epost`, `kontakt_telefon` are optional.
- Question columns may be a subset: a question whose columns are all absent
  keeps its stored answers; a question with any column present is replaced by
  the file's value (blank cells count as no answer).
- Choice values: the option's number, its code or its label. Multiple choice:
  1 or 0. Numbers: with a decimal point or comma, spaces as thousands separators,
  and -3 or the escape label for the escape answer. Every missing-value code or
  label (-1, -2, «Ej aktuell», «Ej besvarad») and a blank cell mean no answer.
- RSS kommun counts (issue #4): every cell a whole number, 0 or more. The base
  of an item (a question, or a matrix row) is given whole or not at all: the
  three columns `…_svarat`, `…_ejsvarat`, `…_ejaktuell`. Their total must be the
  same for every item of the row and cannot exceed the RSS's member kommuner in
  the cycle's year (the register). An RSS adjusts a count only by moving
  kommuner that answered between the alternatives, never by adding answers
  (`intake.consolidation.count_limit_problem`), so no option count may exceed
  the item's `_svarat`, and where each kommun has one alternative (single
  choice, yes/no, a matrix row) neither may the sum of its option counts.
  Counts without their base are saved as the RSS's adjustments and frozen with
  the live base, so they are checked in the same way against the kommuner that
  have answered in the service (a blank cell follows the live count).
- Rows are numbered as in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from intake.cells import SVARAT, Cells, given_answer, is_answered
from intake.consolidation import (
    ONE_ALTERNATIVE_KINDS,
    KommunCount,
    adjustment_problems,
    consolidation_for,
)
from intake.models import Response, ResponseStatus
from intake.selectors import cells_by_response, questions_of
from intake.services import cells_for
from reports.rawdata.columns import (
    CONTACT_COLUMNS,
    LEADING_COLUMNS,
    MISSING_LABELS,
    Column,
    ColumnType,
    Missing,
    raw_columns,
)
from surveys.conditions import GivenAnswer, codebook_clause, holds
from surveys.errors import DomainError
from surveys.kinds import facts
from surveys.models import (
    Organisation,
    OrganisationKind,
    Question,
    Questionnaire,
    RSSMembership,
    memberships_in_year,
)
from surveys.selectors import expected_respondents
from surveys.sheet_text import from_csv_text, holdable
from surveys.xlsx_safety import (
    NOT_XLSX,
    Limits,
    UnsafeWorkbookError,
    open_workbook,
)

MAX_ERRORS = 200
# A raw-data file has a row per organisation (a few hundred) and a column per
# answer cell: these bound what an upload may make the web worker hold.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
MAX_IMPORT_CELLS = 500_000


def import_limits() -> Limits:
    return Limits(
        file_bytes=MAX_IMPORT_BYTES, rows=MAX_IMPORT_ROWS, cells=MAX_IMPORT_CELLS
    )


class RawDataImportError(DomainError):
    """The file has problems; `errors` lists each one in Swedish, naming row and
    column. Nothing has been saved."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__(f"Filen har {len(self.errors)} fel och ingenting har sparats.")


@dataclass(frozen=True)
class PlannedResponse:
    line: int
    organisation: Organisation
    response: Response | None
    values: dict[str, Any]  # variable -> value for save_answers (None clears)
    submit: bool
    submitted_at: datetime.datetime | None
    contacts: tuple[str, str, str] | None
    answered_questions: int
    carries_count_bases: bool = False  # RSS: kommun counts with their bases


@dataclass
class ImportPlan:
    questionnaire: Questionnaire
    rows: list[PlannedResponse] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Worth a look but not wrong: the file is still read (e.g. a submitted row
    # with item nonresponse on a question that is required in the web form).
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # rows of the frame without answers (status «Ej påbörjad»)

    @property
    def new_responses(self) -> int:
        return sum(1 for r in self.rows if r.response is None)

    @property
    def updated_responses(self) -> int:
        return sum(1 for r in self.rows if r.response is not None)

    @property
    def to_submit(self) -> int:
        return sum(1 for r in self.rows if r.submit)


# --- reading the file -------------------------------------------------------------


def read_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows as text, from .xlsx (detected by content) or CSV; text
    that no spreadsheet can hold is refused (surveys.sheet_text)."""
    header, rows = (
        _read_xlsx(content) if content[:4] == b"PK\x03\x04" else _read_csv(content)
    )
    errors: list[str] = []
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row):
            try:
                row[index] = holdable(value)
            except ValidationError as exc:
                name = header[index] if index < len(header) else str(index + 1)
                errors.append(f"Rad {number}, kolumn {name}: {exc.messages[0]}")
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise RawDataImportError(errors)
    return header, rows


def _read_csv(content: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RawDataImportError(
            ["Filen är varken en Excel-fil (.xlsx) eller en CSV-fil i UTF-8."]
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first or "," not in first else ","
    # csv builds a whole row before it can be cut: a file of nothing but
    # delimiters would be millions of fields in one list.
    if text.count(delimiter) > MAX_IMPORT_CELLS:
        raise RawDataImportError([_too_many_cells()])
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise RawDataImportError(["Filen är tom."])
    # Text our CSV export marked with an apostrophe (surveys.sheet_text) is read
    # back as it was entered.
    return [h.strip() for h in rows[0]], [
        [from_csv_text(c.strip()) for c in r] for r in rows[1:]
    ]


def _read_xlsx(content: bytes) -> tuple[list[str], list[list[str]]]:
    """The first sheet, or "Rådata", read within `import_limits()`: the header's
    width bounds every row, and rows missing in the file come back empty so the
    row numbers stay those of the spreadsheet."""
    try:
        workbook = open_workbook(content, import_limits())
    except UnsafeWorkbookError as exc:
        raise RawDataImportError([exc.message]) from None
    try:
        if not workbook.sheetnames:
            raise RawDataImportError([NOT_XLSX])
        name = "Rådata" if "Rådata" in workbook.sheetnames else workbook.sheetnames[0]
        header: list[str] = []
        rows: list[list[str]] = []
        # Row 1 is the header: nothing to the right of it is read.
        for number, values in workbook.rows(name, header_width=True):
            if number == 1:
                header = [_excel_text(v) for v in values]
                continue
            while len(rows) < number - 2:
                rows.append([])
            rows.append([_excel_text(v) for v in values])
    except UnsafeWorkbookError as exc:
        raise RawDataImportError([exc.message]) from None
    finally:
        workbook.close()
    while header and not header[-1]:
        header.pop()
    if not header:
        raise RawDataImportError(["Filen är tom."])
    width = len(header)
    return header, [r[:width] + [""] * (width - len(r)) for r in rows]


def _too_many_cells() -> str:
    return (
        f"Filen har fler än {MAX_IMPORT_CELLS:,} celler".replace(",", " ")
        + ", fler än en rådatafil kan ha. Kontrollera att det är rätt fil."
    )


def _excel_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).strip()


# --- one value --------------------------------------------------------------------


class _NoAnswer:
    """A blank cell or a missing-value code: the question has no answer."""


NO_ANSWER = _NoAnswer()
_MISSING_WORDS = {
    *(str(int(m)) for m in Missing),
    *(label.casefold() for label in MISSING_LABELS.values()),
}


def _choices_in_words(column: Column) -> str:
    return ", ".join(f"{k} = {v}" for k, v in column.value_labels.items())


def parse_value(column: Column, text: str) -> Any:
    """A cell's text as the column's value; raises ValueError with the Swedish
    reason (without row and column, which the caller adds)."""
    if text == "" or text.casefold() in _MISSING_WORDS:
        if text == str(int(Missing.ESCAPED)) and column.type == ColumnType.NUMBER:
            return _escape(column, text)
        return NO_ANSWER
    question = column.question
    assert question is not None  # noqa: S101 - only question columns get here
    if column.type == ColumnType.CODE:
        options = list(question.options.all())
        wanted = text.casefold()
        number = _as_int(text)
        for position, option in enumerate(options, start=1):
            if (
                number == position
                or option.code == wanted
                or option.label.casefold() == wanted
            ):
                return option.code
        raise ValueError(
            f"«{text}» är inget svarsalternativ ({_choices_in_words(column)})."
        )
    if column.type == ColumnType.FLAG:
        number = _as_int(text)
        if number in (0, 1):
            return number
        raise ValueError(f"«{text}» går inte; ange 1 (vald) eller 0 (ej vald).")
    if column.type == ColumnType.NUMBER:
        if (
            question.escape_label
            and text.casefold() == question.escape_label.casefold()
        ):
            return _escape(column, text)
        cleaned = (
            text.replace("\u00a0", "")
            .replace(" ", "")
            .removesuffix("%")
            .replace(",", ".")
        )
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(f"«{text}» är inget tal.") from None
        if not value.is_finite():
            raise ValueError(f"«{text}» är inget tal.")
        return value
    return text


def _escape(column: Column, text: str) -> Any:
    question = column.question
    if question is None or not question.escape_label:
        raise ValueError(f"«{text}» går inte; frågan har inget undantagssvar.")
    return {"escaped": True}


def _as_int(text: str) -> int | None:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite() or value != value.to_integral_value():
        return None
    return int(value)


def _question_value(question: Question, parsed: Mapping[Column, Any]) -> Any:
    """The value for save_answers from the question's columns in the file."""
    given = {c: v for c, v in parsed.items() if v is not NO_ANSWER}
    kind = question.kind
    if facts(kind).matrix:
        return {c.row_code: v for c, v in given.items()} or None
    if facts(kind).multiple:
        return [c.option_code for c, v in given.items() if v == 1] or None
    if facts(kind).kommun_counts:
        return {c.count_slot: v for c, v in given.items()} or None
    if not given:
        return None
    (value,) = given.values()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


# --- the whole file ----------------------------------------------------------------


def plan_import(
    questionnaire: Questionnaire, content: bytes, *, submit: bool = False
) -> ImportPlan:
    """Validate a whole file against the questionnaire and the register.

    Returns the plan: one entry per row to save, and every error found (empty
    when the file is valid). A fixed number of queries whatever the file's size,
    plus one consolidation per RSS whose kommun counts come without their base
    (at most the RSS of a cycle).
    """
    plan = ImportPlan(questionnaire)
    header, rows = read_table(content)
    questions = questions_of(questionnaire.pk)
    columns = {c.name: c for c in raw_columns(questions, include_contacts=True)}
    errors = plan.errors

    seen_headers: set[str] = set()
    for name in header:
        if name in seen_headers:
            errors.append(f"Rad 1, kolumn {name}: kolumnen förekommer två gånger.")
        seen_headers.add(name)
        if name not in columns:
            errors.append(
                f"Rad 1, kolumn {name or '(tom)'}: okänd kolumn; den finns inte i "
                f"rådatalayouten för {questionnaire}."
            )
    for name, _ in LEADING_COLUMNS:
        if name not in seen_headers:
            errors.append(f"Rad 1: kolumnen {name} saknas.")
    if errors:
        return plan

    index = {name: i for i, name in enumerate(header)}
    present = [columns[name] for name in header]
    by_question: dict[int, list[Column]] = {}
    for column in present:
        if column.question is not None:
            by_question.setdefault(column.question.pk, []).append(column)

    codes = [r[index["orgkod"]] if len(r) > index["orgkod"] else "" for r in rows]
    organisations: dict[str, list[Organisation]] = {}
    for known in Organisation.objects.filter(code__in=set(codes)):
        organisations.setdefault(known.code, []).append(known)
    frame = set(expected_respondents(questionnaire).values_list("pk", flat=True))
    existing = {
        r.organisation_id: r
        for r in Response.objects.filter(questionnaire=questionnaire)
    }
    stored = cells_by_response(existing.values())
    status_words = {
        **{value: value for value, _ in ResponseStatus.choices},
        **{label.casefold(): value for value, label in ResponseStatus.choices},
    }
    first_line: dict[str, int] = {}
    count_rules = _count_rules_of(questionnaire, questions, organisations)

    for offset, raw in enumerate(rows):
        line = offset + 2
        if not any(raw):
            continue
        if len(errors) >= MAX_ERRORS:
            errors.append(
                f"Fler än {MAX_ERRORS} fel; resten av filen är inte kontrollerad."
            )
            break
        cells = raw + [""] * (len(header) - len(raw))

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[index[name]] if name in index else ""

        row_errors: list[str] = []
        code = cell("orgkod")
        organisation = _organisation(
            code, organisations, questionnaire, frame, line, row_errors
        )
        if code and code in first_line:
            row_errors.append(
                f"Rad {line}, kolumn orgkod: «{code}» förekommer redan på rad "
                f"{first_line[code]}."
            )
        elif code:
            first_line[code] = line

        status_text = cell("status")
        status = status_words.get(status_text.casefold(), status_words.get(status_text))
        if status_text and status is None:
            row_errors.append(
                f"Rad {line}, kolumn status: «{status_text}» är ingen känd status ("
                + ", ".join(label for _, label in ResponseStatus.choices)
                + ")."
            )
        submitted_at = _timestamp(cell("inskickad"), line, row_errors)

        values: dict[str, Any] = {}
        file_cells: dict[int, Cells] = {}
        count_totals: dict[str, int] = {}  # first base column -> item total
        for question in questions:
            question_columns = by_question.get(question.pk)
            if not question_columns:
                continue
            parsed: dict[Column, Any] = {}
            for column in question_columns:
                try:
                    parsed[column] = parse_value(column, cell(column.name))
                except ValueError as exc:
                    row_errors.append(f"Rad {line}, kolumn {column.name}: {exc}")
            if len(parsed) < len(question_columns):
                continue
            value = _question_value(question, parsed)
            try:
                file_cells[question.pk] = cells_for(question, value)
            except ValidationError as exc:
                column_name = _column_of(question, parsed, value)
                row_errors.extend(
                    f"Rad {line}, kolumn {column_name}: {message}"
                    for message in exc.messages
                )
                continue
            if facts(question.kind).kommun_counts:
                count_errors = _count_errors(
                    question_columns,
                    file_cells[question.pk],
                    line,
                    count_totals,
                    count_rules(question, organisation),
                )
                if count_errors:
                    row_errors += count_errors
                    continue
            values[question.variable] = value

        if status == ResponseStatus.NOT_STARTED and not any(
            v is not None for v in values.values()
        ):
            plan.skipped += 1
            errors.extend(row_errors)
            continue

        response = existing.get(organisation.pk) if organisation else None
        if response is not None and response.status == ResponseStatus.SUBMITTED:
            row_errors.append(
                f"Rad {line}, kolumn orgkod: svaret från {response.organisation} är "
                "inskickat och låst; öppna det igen innan det ersätts."
            )
        merged = dict(stored.get(response.pk, {})) if response else {}
        merged.update(file_cells)
        will_submit = submit and status == ResponseStatus.SUBMITTED
        # Conditions and completeness are judged on valid values only: a wrong
        # parent value would otherwise be reported again on its follow-ups.
        if not row_errors:
            row_errors += _condition_errors(
                questions, merged, file_cells, by_question, line
            )
        if will_submit and not row_errors:
            plan.warnings += _missing_for_submit(questions, merged, line)

        errors.extend(row_errors)
        if row_errors or organisation is None:
            continue
        contacts = None
        if any(name in index for name, _ in CONTACT_COLUMNS):
            contacts = (
                cell("kontakt_namn"),
                cell("kontakt_epost"),
                cell("kontakt_telefon"),
            )
        plan.rows.append(
            PlannedResponse(
                line=line,
                organisation=organisation,
                response=response,
                values=values,
                submit=will_submit,
                submitted_at=submitted_at if will_submit else None,
                contacts=contacts,
                answered_questions=sum(1 for v in values.values() if v is not None),
                carries_count_bases=bool(count_totals),
            )
        )
    return plan


def _count_rules_of(
    questionnaire: Questionnaire,
    questions: Sequence[Question],
    organisations: Mapping[str, list[Organisation]],
) -> Callable[[Question, Organisation | None], _CountRules]:
    """The rules of every RSS kommun count in the file: two queries, plus the live
    counts of each RSS whose counts come without their base (at most one
    consolidation per RSS, a fixed number of queries each)."""
    counted = [q for q in questions if facts(q.kind).kommun_counts]
    if not counted:
        return lambda question, organisation: _CountRules(False, None, lambda: None)
    one_alternative = set(
        Question.objects.filter(
            pk__in=[q.source_question_id for q in counted],
            kind__in=ONE_ALTERNATIVE_KINDS,
        ).values_list("pk", flat=True)
    )
    rss_ids = [
        o.pk
        for found in organisations.values()
        for o in found
        if o.kind == OrganisationKind.RSS
    ]
    n_members = dict(
        RSSMembership.objects.filter(
            memberships_in_year(questionnaire.cycle.year), rss_id__in=rss_ids
        )
        .values("rss_id")
        .annotate(n=Count("kommun_id", distinct=True))
        .values_list("rss_id", "n")
        .order_by()
    )
    live: dict[int, dict[int, KommunCount]] = {}

    def live_count(
        question: Question, organisation: Organisation
    ) -> KommunCount | None:
        if organisation.pk not in live:
            consolidation = consolidation_for(
                questionnaire, organisation, response=None, questions=counted
            )
            live[organisation.pk] = consolidation.counts if consolidation else {}
        return live[organisation.pk].get(question.pk)

    def rules(question: Question, organisation: Organisation | None) -> _CountRules:
        if organisation is None or organisation.kind != OrganisationKind.RSS:
            return _CountRules(False, None, lambda: None)
        return _CountRules(
            one_alternative=question.source_question_id in one_alternative,
            n_members=n_members.get(organisation.pk, 0),
            live=lambda: live_count(question, organisation),
        )

    return rules


def _organisation(
    code: str,
    organisations: Mapping[str, list[Organisation]],
    questionnaire: Questionnaire,
    frame: set[int],
    line: int,
    errors: list[str],
) -> Organisation | None:
    if not code:
        errors.append(f"Rad {line}, kolumn orgkod: organisationskod saknas.")
        return None
    candidates = organisations.get(code, [])
    if not candidates:
        errors.append(
            f"Rad {line}, kolumn orgkod: «{code}» är ingen känd organisation."
        )
        return None
    for organisation in candidates:
        if organisation.pk in frame:
            return organisation
    errors.append(
        f"Rad {line}, kolumn orgkod: «{code}» ({candidates[0].name}) hör inte till "
        f"enkätens målgrupp ({questionnaire.get_audience_display().lower()} som "
        "ska svara)."
    )
    return None


def _timestamp(text: str, line: int, errors: list[str]) -> datetime.datetime | None:
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        errors.append(
            f"Rad {line}, kolumn inskickad: «{text}» är ingen tidpunkt "
            "(ange t.ex. 2025-03-14T10:22:05+01:00)."
        )
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _column_of(question: Question, parsed: Mapping[Column, Any], value: Any) -> str:
    """The column to blame: a kommun count's cell that is no whole number ≥ 0,
    or else the question's first column."""
    for column, given in parsed.items():
        if isinstance(given, Decimal) and (
            given < 0 or given != given.to_integral_value()
        ):
            return column.name
    return next(iter(parsed)).name if parsed else question.variable


@dataclass(frozen=True)
class _CountRules:
    """What the kommun counts of one RSS row are checked against."""

    one_alternative: bool  # each kommun has one alternative (per matrix row)
    n_members: int | None  # the RSS's member kommuner in the cycle's year
    live: Callable[[], KommunCount | None]  # the live counts, for items without base


def _count_errors(
    columns: Sequence[Column],
    cells: Cells,
    line: int,
    totals: dict[str, int],
    rules: _CountRules,
) -> list[str]:
    """The base checks of one RSS kommun count (see the module docstring).

    `totals` collects each item's total (by its first base column) across the
    row's questions, so that a total differing from the first one is reported.
    """
    errors: list[str] = []
    items: dict[str, list[Column]] = {}
    for column in columns:
        items.setdefault(column.row_code or "", []).append(column)
    for row_code, item in items.items():
        options = [c for c in item if c.base_slot is None]
        bases = [c for c in item if c.base_slot is not None]
        given = [c for c in bases if c.count_slot in cells]
        counts = {
            c: int(cells[c.count_slot].number or 0)
            for c in options
            if c.count_slot in cells
        }
        if not given:
            errors += _live_base_errors(counts, row_code, line, rules)
            continue
        if len(given) < len(bases):
            missing = next(c for c in bases if c not in given)
            errors.append(
                f"Rad {line}, kolumn {missing.name}: antalet saknas; ange antal "
                "kommuner som svarat, inte svarat och där frågan inte var aktuell, "
                "eller inget av dem."
            )
            continue
        total = sum(int(cells[c.count_slot].number or 0) for c in bases)
        svarat_column = next(c for c in bases if c.base_slot == SVARAT)
        svarat = int(cells[svarat_column.count_slot].number or 0)
        if not totals and rules.n_members is not None and total > rules.n_members:
            errors.append(
                f"Rad {line}, kolumn {bases[0].name}: svarat + inte svarat + ej "
                f"aktuell är {total} kommuner, men RSS:en har {rules.n_members} "
                "kommuner det året."
            )
        # An adjustment only moves kommuner that answered between the
        # alternatives (intake.consolidation.count_limit_problem).
        above = [(c, n) for c, n in counts.items() if n > svarat]
        for column, count in above:
            errors.append(
                f"Rad {line}, kolumn {column.name}: {count} kommuner är fler än de "
                f"{svarat} som har svarat ({svarat_column.name}); en justering kan "
                "bara flytta kommuner mellan svarsalternativen."
            )
        if rules.one_alternative and not above and sum(counts.values()) > svarat:
            errors.append(
                f"Rad {line}, kolumn {next(iter(counts)).name}: "
                + " + ".join(c.name for c in counts)
                + f" är {sum(counts.values())} kommuner, fler än de {svarat} som har "
                f"svarat ({svarat_column.name}); varje kommun har ett svar, så en "
                "justering kan bara flytta kommuner mellan svarsalternativen."
            )
        first_column, first_total = next(iter(totals.items()), (None, total))
        if total != first_total:
            errors.append(
                f"Rad {line}, kolumn {bases[0].name}: svarat + inte svarat + ej "
                f"aktuell är {total} kommuner men {first_total} i kolumn "
                f"{first_column}; RSS:en har lika många kommuner i varje fråga."
            )
        totals.setdefault(bases[0].name, total)
    return errors


def _live_base_errors(
    counts: Mapping[Column, int],
    row_code: str,
    line: int,
    rules: _CountRules,
) -> list[str]:
    """Counts without their base are saved as the RSS's adjustments, and frozen
    with the live base (`save_answers`, `submit_response`): they must fit the
    kommuner that have answered in the service; a blank cell follows the live
    count."""
    live = rules.live() if counts else None
    if live is None:
        return []
    problems = adjustment_problems(
        live, {c.count_slot: n for c, n in counts.items()}, rows={row_code}
    )
    return [f"Rad {line}, kolumn {next(iter(counts)).name}: {p}" for p in problems]


def _condition_errors(
    questions: Sequence[Question],
    merged: Mapping[int, Cells],
    file_cells: Mapping[int, Cells],
    by_question: Mapping[int, list[Column]],
    line: int,
) -> list[str]:
    """Answers in the file to follow-ups whose display condition does not hold."""
    errors = []
    given: dict[str, GivenAnswer] = {}
    by_variable = {q.variable: q for q in questions}
    for question in questions:
        condition = question.display_condition
        shown = holds(condition, given)
        if condition is not None and not shown and file_cells.get(question.pk):
            column = by_question[question.pk][0].name
            errors.append(
                f"Rad {line}, kolumn {column}: frågan har ett svar men ska bara "
                f"besvaras om {codebook_clause(condition, by_variable)}."
            )
        given[question.variable] = given_answer(
            merged.get(question.pk, {}) if shown else {}
        )
    return errors


def _missing_for_submit(
    questions: Sequence[Question], merged: Mapping[int, Cells], line: int
) -> list[str]:
    """A warning, not an error: the file says the response was submitted, and an
    earlier year's data keeps its item nonresponse (the 2019 kommun survey's bases
    were 220-225 of 226). The web form alone requires every required answer."""
    given: dict[str, GivenAnswer] = {}
    missing = []
    for question in questions:
        shown = holds(question.display_condition, given)
        cells = merged.get(question.pk, {}) if shown else {}
        given[question.variable] = given_answer(cells)
        if shown and question.required and not is_answered(question, cells):
            missing.append(question.number)
    if not missing:
        return []
    return [
        f"Rad {line}: svaret markeras som inskickat fast obligatoriska frågor "
        "saknar svar ("
        + ", ".join(f"fråga {n}" for n in missing)
        + "); de räknas som partiellt bortfall."
    ]


__all__ = [
    "ImportPlan",
    "PlannedResponse",
    "RawDataImportError",
    "parse_value",
    "plan_import",
    "read_table",
]
