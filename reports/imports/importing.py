"""Reading raw data back: validation of a whole file before anything is saved
(issue #5 B), row by row into a plan. Reading the file (`reading`), one cell's
value (`values`) and the RSS kommun counts' rules (`counts`) are modules of
their own. `reports.imports.jobs.import_responses` saves a valid plan.

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
- Submitting (issue #16 point 8): a row to be submitted (`submit`, status
  «Inskickad») with a shown required question unanswered is refused, as the web
  form refuses it, unless staff import it as historical data (`historical`):
  then its item nonresponse is kept, with a warning, and recorded in the answer
  history, the submission's event and the import's summary.
- Rows are numbered as in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from intake.cells import Cells, given_answer, is_answered
from intake.models import Response, ResponseStatus
from intake.selectors import cells_by_response, questions_of
from intake.services import cells_for
from reports.imports.counts import count_rules_of, kommun_count_errors
from reports.imports.reading import MAX_ERRORS, RawDataImportError, read_table
from reports.imports.values import parse_value, question_value
from reports.rawdata.columns import (
    CONTACT_COLUMNS,
    LEADING_COLUMNS,
    Column,
)
from reports.rawdata.kinds import raw_columns
from surveys.conditions import GivenAnswer, codebook_clause, holds
from surveys.kinds import facts
from surveys.models import Organisation, Question, Questionnaire
from surveys.selectors import expected_respondents


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
    # Historical data only: the numbers of the required questions it submits
    # without an answer (item nonresponse as it was), for the history.
    incomplete: tuple[str, ...] = ()


@dataclass
class ImportPlan:
    questionnaire: Questionnaire
    rows: list[PlannedResponse] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Worth a look but not wrong: the file is still read (e.g. a submitted row
    # of historical data with item nonresponse on a required question).
    warnings: list[str] = field(default_factory=list)
    historical: bool = False
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


# --- the whole file ----------------------------------------------------------------


def plan_import(
    questionnaire: Questionnaire,
    content: bytes,
    *,
    submit: bool = False,
    historical: bool = False,
) -> ImportPlan:
    """Validate a whole file against the questionnaire and the register.

    Returns the plan: one entry per row to save, and every error found (empty
    when the file is valid). A fixed number of queries whatever the file's size,
    plus one consolidation per RSS whose kommun counts come without their base
    (at most the RSS of a cycle).
    """
    plan = ImportPlan(questionnaire, historical=historical)
    header, rows = read_table(content)
    questions = questions_of(questionnaire)
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
    # Only the file's organisations: their stored answers are merged with the
    # file's; everyone else's stay as they are and need not be read.
    existing = {
        r.organisation_id: r
        for r in Response.objects.filter(
            questionnaire=questionnaire, organisation__code__in=set(codes)
        )
    }
    stored = cells_by_response(existing.values())
    status_words = {
        **{value: value for value, _ in ResponseStatus.choices},
        **{label.casefold(): value for value, label in ResponseStatus.choices},
    }
    first_line: dict[str, int] = {}
    count_rules = count_rules_of(questionnaire, questions, organisations)

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
            value = question_value(question, parsed)
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
                count_errors = kommun_count_errors(
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
        incomplete: list[str] = []
        if will_submit and not row_errors:
            incomplete = _missing_for_submit(questions, merged)
        if incomplete and historical:
            plan.warnings.append(
                f"Rad {line}: svaret markeras som inskickat fast obligatoriska "
                f"frågor saknar svar ({_numbers(incomplete)}); historiska "
                "uppgifter: de räknas som partiellt bortfall."
            )
        elif incomplete:
            row_errors.append(
                f"Rad {line}: svaret är markerat som inskickat men obligatoriska "
                f"frågor saknar svar ({_numbers(incomplete)}). Läs in raden som "
                "ej inskickad, eller välj «Historiska uppgifter» om svaret "
                "skickades in så i ett tidigare år."
            )

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
                incomplete=tuple(incomplete),
            )
        )
    return plan


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
    questions: Sequence[Question], merged: Mapping[int, Cells]
) -> list[str]:
    """The numbers of the required questions shown but unanswered in a row to
    be submitted: refused, as the web form refuses them, unless the import is of
    historical data (issue #16 point 8), whose item nonresponse is kept as it
    was (the 2019 kommun survey's bases were 220-225 of 226)."""
    given: dict[str, GivenAnswer] = {}
    missing = []
    for question in questions:
        shown = holds(question.display_condition, given)
        cells = merged.get(question.pk, {}) if shown else {}
        given[question.variable] = given_answer(cells)
        if shown and question.required and not is_answered(question, cells):
            missing.append(question.number)
    return missing


def _numbers(numbers: Sequence[str]) -> str:
    return ", ".join(f"fråga {n}" for n in numbers)


# RawDataImportError is raised while reading (`reports.imports.reading`); callers
# outside the app catch it under this module's name.
__all__ = [
    "ImportPlan",
    "PlannedResponse",
    "RawDataImportError",
    "plan_import",
]
