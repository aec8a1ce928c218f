"""The Excel channel of kommun-audience questionnaires (issue #4, part B).

Plain functions, no writes: `build_kommun_workbook` makes a per-kommun .xlsx copy
of a questionnaire (instructions, one row per answer cell with drop-down lists
and number/length validation, the sheet protected except the answer cells, the
kommun's current answers filled in); `read_kommun_workbook` reads a returned
copy into the `values` mapping that `intake.services.save_answers` takes, or
raises `WorkbookError` listing every problem with its sheet and cell.

Both sides derive the sheet's layout from the same function (`workbook_layout`),
so the reader knows where every answer must be. A hidden, protected sheet
("Metadata") names the questionnaire (id, key, cycle, version, content hash),
the kommun and the cell of every answer; the reader compares it, and the
question numbers and texts in the visible rows, with the layout of the current
definition, so a file for another kommun or questionnaire version, or one whose
rows were moved or deleted, is refused instead of read into the wrong questions.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from intake.cells import Cells, is_answered
from intake.selectors import answer_in_words, questions_of, shown_questions
from intake.services.values import cells_for
from surveys.conditions import Condition, for_respondent
from surveys.formatting import swedish_date, swedish_number
from surveys.kinds import (
    NUMBER_KINDS,
    ONE_ALTERNATIVE_KINDS,
    SINGLE_VALUE_KINDS,
    WORKBOOK_KINDS,
    facts,
)
from surveys.models import Organisation, Question, Questionnaire
from surveys.sheet_text import clean
from surveys.xlsx_safety import (
    EXCEL_ROWS,
    Limits,
    SafeWorkbook,
    UnsafeWorkbookError,
    open_workbook,
)

FORMAT = "naravard-kommun-excel"
FORMAT_VERSION = 1

INSTRUCTIONS = "Instruktioner"
SURVEY = "Enkät"
METADATA = "Metadata"
OPTIONS = "Alternativ"

NUMBER_COLUMN = "A"
TEXT_COLUMN = "B"
NOTE_COLUMN = "C"
ANSWER_COLUMN = "D"
KOMMUN_NAME_CELL = "B3"
KOMMUN_CODE_CELL = "B4"
HEADER_ROW = 6
FIRST_ROW = 7
# Metadata sheet: key/value pairs from row 1, the cell map from CELL_MAP_ROW.
CELL_MAP_ROW = 12
ESCAPE_SLOT = "__escaped"  # not a valid row or option code, so it cannot collide
YES = "Ja"
# A layout problem makes every later row meaningless: list this many, then stop.
MAX_LAYOUT_PROBLEMS = 10


ANSWER_FILL = PatternFill("solid", fgColor="FFF4C2")
SECTION_FILL = PatternFill("solid", fgColor="DCE6F0")
THIN = Side(style="thin", color="999999")
ANSWER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


# --- the layout, shared by writer and reader ------------------------------------------


@dataclass(frozen=True)
class AnswerCell:
    """Where one answer goes: the question's variable and the workbook slot ("" for a
    single value, a matrix row code, a multiple-choice option code, or ESCAPE_SLOT)."""

    row: int
    variable: str
    slot: str

    @property
    def ref(self) -> str:
        return f"{ANSWER_COLUMN}{self.row}"


@dataclass(frozen=True)
class LayoutRow:
    row: int
    number: str
    text: str
    note: str = ""
    style: str = "item"  # "section" | "question" | "item"
    answer: AnswerCell | None = None
    question: Question | None = None


def workbook_layout(questions: Sequence[Question]) -> list[LayoutRow]:
    """The rows of the "Enkät" sheet, from FIRST_ROW on."""
    by_variable = {q.variable: q for q in questions}
    rows: list[LayoutRow] = []
    section_id: int | None = None

    def add(**kwargs: Any) -> None:
        rows.append(LayoutRow(row=FIRST_ROW + len(rows), **kwargs))

    def answer(variable: str, slot: str) -> AnswerCell:
        return AnswerCell(FIRST_ROW + len(rows), variable, slot)

    for question in questions:
        if question.kind not in WORKBOOK_KINDS:
            continue
        if question.section_id != section_id:
            section_id = question.section_id
            add(number="", text=question.section.title, style="section")
        note = "\n".join(
            part
            for part in (
                describe_condition(question.display_condition, by_variable),
                question.help_text.strip(),
                _hint(question),
            )
            if part
        )
        text = question.text.strip()
        if not question.required:
            text += " (frivillig)"
        if question.unit:
            text += f" ({question.unit})"
        var = question.variable
        if facts(question.kind).matrix:
            add(number=question.number, text=text, note=note, style="question")
            for matrix_row in question.rows.all():
                add(
                    number="",
                    text=matrix_row.label,
                    answer=answer(var, matrix_row.code),
                    question=question,
                )
        elif facts(question.kind).multiple:
            add(number=question.number, text=text, note=note, style="question")
            for option in question.options.all():
                add(
                    number="",
                    text=option.label,
                    answer=answer(var, option.code),
                    question=question,
                )
        else:
            add(
                number=question.number,
                text=text,
                note=note,
                style="question",
                answer=answer(var, ""),
                question=question,
            )
            if question.kind in NUMBER_KINDS and question.escape_label:
                add(
                    number="",
                    text=question.escape_label,
                    note=f"Välj «{YES}» om värdet inte kan uppskattas; lämna då "
                    "cellen ovan tom.",
                    answer=answer(var, ESCAPE_SLOT),
                    question=question,
                )
    return rows


def answer_cells_of(layout: Sequence[LayoutRow]) -> list[AnswerCell]:
    return [r.answer for r in layout if r.answer is not None]


def _hint(question: Question) -> str:
    kind = question.kind
    if kind in SINGLE_VALUE_KINDS:
        return "Välj ett alternativ i listan i kolumn D."
    if facts(kind).matrix:
        return "Välj ett alternativ i listan för varje rad."
    if facts(kind).multiple:
        return f"Välj «{YES}» för varje alternativ som stämmer; lämna övriga tomma."
    if kind in NUMBER_KINDS:
        whole = "Ett heltal" if facts(kind).whole_number else "Ett tal"
        return f"{whole}, {_range_words(question)}."
    return f"Fritext, högst {_max_length(question)} tecken."


def _range_words(question: Question) -> str:
    low, high = _bounds(question)
    # As typed in the cell: no thousands separator.
    low_text = None if low is None else swedish_number(low, thousands=False)
    high_text = None if high is None else swedish_number(high, thousands=False)
    if low_text is not None and high_text is not None:
        return f"{low_text}–{high_text}"
    if low_text is not None:
        return f"minst {low_text}"
    if high_text is not None:
        return f"högst {high_text}"
    return "utan gränser"


def _bounds(question: Question) -> tuple[Decimal | None, Decimal | None]:
    low, high = question.min_value, question.max_value
    if facts(question.kind).percentage:
        low = Decimal(0) if low is None else low
        high = Decimal(100) if high is None else high
    return low, high


def _max_length(question: Question) -> int:
    return question.max_length or 4000


def describe_condition(
    condition: Condition | None, by_variable: Mapping[str, Question]
) -> str:
    """A display condition in words: "Besvaras om du svarat «Ja» på fråga 3."""
    return for_respondent(condition, by_variable)


# --- writing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookContext:
    """What the instructions say besides the questions: where the file goes back."""

    return_to: str  # e.g. "RSS Kronobergs län (rss@example.se)"
    upload_url: str
    downloaded_on: date


def build_kommun_workbook(
    questionnaire: Questionnaire,
    *,
    organisation: Organisation,
    questions: Sequence[Question],
    cells: Mapping[int, Cells],
    context: WorkbookContext,
) -> bytes:
    """The kommun's Excel copy of a questionnaire, its current answers filled in."""
    layout = workbook_layout(questions)
    workbook = Workbook()
    instructions = workbook.active
    assert isinstance(instructions, Worksheet)  # noqa: S101 - a new workbook has one
    instructions.title = INSTRUCTIONS
    _write_instructions(instructions, questionnaire, organisation, context)
    survey = workbook.create_sheet(SURVEY)
    lists = workbook.create_sheet(OPTIONS)
    metadata = workbook.create_sheet(METADATA)
    _write_survey(survey, lists, questionnaire, organisation, layout, cells)
    _write_metadata(metadata, questionnaire, organisation, layout)
    for sheet in (lists, metadata):
        sheet.sheet_state = "veryHidden"
        sheet.protection.sheet = True
    # No password: the protection keeps the layout from being changed by mistake;
    # the reader checks the layout anyway.
    workbook.security = WorkbookProtection(lockStructure=True)
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _put(cell: Cell, value: Any) -> None:
    """Write a value; text is always stored as text (never a formula)."""
    if isinstance(value, str):
        cell.value = clean(value)
        cell.data_type = "s"
    else:
        cell.value = value


def _write_instructions(
    sheet: Worksheet,
    questionnaire: Questionnaire,
    organisation: Organisation,
    context: WorkbookContext,
) -> None:
    closes = questionnaire.closes_on
    lines = [
        (f"{questionnaire.title} – {organisation.name} ({organisation.code})", "h1"),
        ("", ""),
        ("Så här fyller du i", "h2"),
        (
            f"1. Fyll i svaren på bladet «{SURVEY}», i kolumn D (de gula cellerna). "
            "Övriga celler är låsta.",
            "",
        ),
        (
            "2. Välj svaret i cellens lista där det finns en. Vid flervalsfrågor väljer "
            f"du «{YES}» på raden för varje alternativ som stämmer och lämnar övriga "
            "tomma.",
            "",
        ),
        (
            "3. Tal skrivs med siffror, andelar i procent (0–100). Om ett värde inte kan "
            f"uppskattas väljer du «{YES}» på raden under frågan och lämnar talet tomt.",
            "",
        ),
        (
            "4. Följdfrågor besvaras bara när villkoret i kolumn C är uppfyllt. Svar på "
            "följdfrågor som inte gäller sparas inte.",
            "",
        ),
        (
            "5. Svar som redan är lämnade är ifyllda. En cell som töms tar bort svaret "
            "när filen laddas upp.",
            "",
        ),
        (
            "6. Ändra inte filens upplägg: flytta, lägg inte till och ta inte bort rader, "
            "kolumner eller blad, och byt inte namn på bladen. Filen kontrolleras när den "
            "laddas upp, och en fil med ändrat upplägg tas inte emot.",
            "",
        ),
        ("", ""),
        ("Sista dag", "h2"),
        (
            f"Enkäten stänger {swedish_date(closes)}. "
            "RSS kan ha bestämt ett tidigare datum för när kommunens svar ska lämnas.",
            "",
        ),
        ("", ""),
        ("Skicka tillbaka filen", "h2"),
        (
            f"Skicka den ifyllda filen till {context.return_to}, som laddar upp den i "
            "Nära vård-uppföljningen. Kommunens egna användare kan också ladda upp den "
            f"själva: {context.upload_url}",
            "",
        ),
        ("", ""),
        ("Om filen", "h2"),
        (
            f"Filen gäller bara {organisation.name} ({organisation.code}) och version "
            f"{questionnaire.version} av enkäten. Hämtad {context.downloaded_on.isoformat()}. "
            "Om enkäten har ändrats sedan dess tas filen inte emot; hämta då en ny kopia.",
            "",
        ),
    ]
    sheet.column_dimensions["A"].width = 110
    for index, (text, style) in enumerate(lines, start=1):
        cell = sheet.cell(row=index, column=1)
        _put(cell, text)
        cell.alignment = WRAP
        if style == "h1":
            cell.font = Font(bold=True, size=14)
        elif style == "h2":
            cell.font = Font(bold=True, size=12)
    sheet.protection.sheet = True


def _write_survey(
    sheet: Worksheet,
    lists: Worksheet,
    questionnaire: Questionnaire,
    organisation: Organisation,
    layout: Sequence[LayoutRow],
    cells: Mapping[int, Cells],
) -> None:
    for column, width in zip("ABCD", (8, 70, 45, 45), strict=True):
        sheet.column_dimensions[column].width = width
    _put(sheet["A1"], questionnaire.title)
    sheet["A1"].font = Font(bold=True, size=14)
    _put(sheet["A3"], "Kommun")
    _put(sheet[KOMMUN_NAME_CELL], organisation.name)
    _put(sheet["A4"], "Kommunkod")
    _put(sheet[KOMMUN_CODE_CELL], organisation.code)
    for ref in ("A3", "A4", KOMMUN_NAME_CELL, KOMMUN_CODE_CELL):
        sheet[ref].font = Font(bold=True)
    for column, title in zip(
        "ABCD",
        ("Fråga", "Fråga och svarsalternativ", "Hjälp och villkor", "Svar"),
        strict=True,
    ):
        cell = sheet[f"{column}{HEADER_ROW}"]
        _put(cell, title)
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{FIRST_ROW}"
    # Locked layout, answer cells unlocked, no password; rows and columns may still
    # be resized to read long texts.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False

    yes_list = DataValidation(
        type="list",
        formula1=f'"{YES}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Ogiltigt svar",
        error=f"Välj «{YES}» eller lämna cellen tom.",
    )
    sheet.add_data_validation(yes_list)
    list_column = 0
    list_ranges: dict[str, str] = {}

    def options_range(question: Question) -> str:
        """The question's option labels on the hidden sheet; a reference, because an
        inline list cannot hold labels with commas or more than 255 characters."""
        nonlocal list_column
        if question.variable not in list_ranges:
            list_column += 1
            letter = get_column_letter(list_column)
            labels = [o.label for o in question.options.all()]
            _put(lists.cell(row=1, column=list_column), question.variable)
            for index, text in enumerate(labels, start=2):
                _put(lists.cell(row=index, column=list_column), text)
            list_ranges[question.variable] = (
                f"'{OPTIONS}'!${letter}$2:${letter}${len(labels) + 1}"
            )
        return list_ranges[question.variable]

    for item in layout:
        _put(sheet[f"{NUMBER_COLUMN}{item.row}"], item.number)
        _put(sheet[f"{TEXT_COLUMN}{item.row}"], item.text)
        _put(sheet[f"{NOTE_COLUMN}{item.row}"], item.note)
        for column in "ABC":
            sheet[f"{column}{item.row}"].alignment = WRAP
        if item.style == "section":
            for column in "ABCD":
                sheet[f"{column}{item.row}"].fill = SECTION_FILL
            sheet[f"{TEXT_COLUMN}{item.row}"].font = Font(bold=True, size=12)
        elif item.style == "question":
            sheet[f"{NUMBER_COLUMN}{item.row}"].font = Font(bold=True)
            sheet[f"{TEXT_COLUMN}{item.row}"].font = Font(bold=True)
        if item.answer is None or item.question is None:
            continue
        question = item.question
        cell = sheet[item.answer.ref]
        cell.protection = Protection(locked=False)
        cell.fill = ANSWER_FILL
        cell.border = ANSWER_BORDER
        cell.alignment = WRAP
        current = cells.get(question.pk, {})
        slot = item.answer.slot
        kind = question.kind
        if facts(kind).multiple or slot == ESCAPE_SLOT:
            yes_list.add(cell.coordinate)
            chosen = (
                any(c.escaped for c in current.values())
                if slot == ESCAPE_SLOT
                else slot in current
            )
            if chosen:
                _put(cell, YES)
            continue
        validation = _validation(question, options_range)
        sheet.add_data_validation(validation)
        validation.add(cell.coordinate)
        _put(cell, _prefill(question, current, slot))


def _validation(question: Question, options_range: Any) -> DataValidation:
    kind = question.kind
    common: dict[str, Any] = {
        "allow_blank": True,
        "showErrorMessage": True,
        "showInputMessage": True,
        "errorTitle": "Ogiltigt svar",
    }
    if kind in ONE_ALTERNATIVE_KINDS:
        return DataValidation(
            type="list",
            formula1=options_range(question),
            error="Välj ett av alternativen i listan.",
            **common,
        )
    if kind in NUMBER_KINDS:
        low, high = _bounds(question)
        bounds: dict[str, Any]
        if low is not None and high is not None:
            bounds = {
                "operator": "between",
                "formula1": _plain(low),
                "formula2": _plain(high),
            }
        elif low is not None:
            bounds = {"operator": "greaterThanOrEqual", "formula1": _plain(low)}
        elif high is not None:
            bounds = {"operator": "lessThanOrEqual", "formula1": _plain(high)}
        else:
            bounds = {"operator": "between", "formula1": "-1E+12", "formula2": "1E+12"}
        whole = facts(kind).whole_number
        return DataValidation(
            type="whole" if whole else "decimal",
            error=f"Ange {'ett heltal' if whole else 'ett tal'}, {_range_words(question)}.",
            promptTitle="Tal",
            prompt=_hint(question)[:255],
            **bounds,
            **common,
        )
    return DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1=str(_max_length(question)),
        error=f"Svaret får vara högst {_max_length(question)} tecken.",
        **common,
    )


def _plain(value: Decimal) -> str:
    """A bound as Excel reads it in a formula: 100.00 -> "100"."""
    return f"{value.normalize():f}"


def _prefill(question: Question, current: Cells, slot: str) -> Any:
    labels = {o.code: o.label for o in question.options.all()}
    cell = current.get(slot)
    if cell is None:
        return None
    if cell.option is not None:
        return labels.get(cell.option)
    if cell.number is not None:
        number = cell.number.normalize()
        return int(number) if number == number.to_integral_value() else number
    return cell.text or None


def _write_metadata(
    sheet: Worksheet,
    questionnaire: Questionnaire,
    organisation: Organisation,
    layout: Sequence[LayoutRow],
) -> None:
    for row, (key, value) in enumerate(
        _identity(questionnaire, organisation).items(), start=1
    ):
        _put(sheet.cell(row=row, column=1), key)
        _put(sheet.cell(row=row, column=2), value)
    for column, title in enumerate(("cell", "variable", "slot"), start=1):
        _put(sheet.cell(row=CELL_MAP_ROW - 1, column=column), title)
    for row, answer in enumerate(answer_cells_of(layout), start=CELL_MAP_ROW):
        _put(sheet.cell(row=row, column=1), answer.ref)
        _put(sheet.cell(row=row, column=2), answer.variable)
        _put(sheet.cell(row=row, column=3), answer.slot)


def _identity(
    questionnaire: Questionnaire, organisation: Organisation
) -> dict[str, str]:
    # Every value as text, so that what is read back compares equal.
    return {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "questionnaire_id": str(questionnaire.pk),
        "questionnaire_key": questionnaire.key,
        "cycle": str(questionnaire.cycle.year),
        "questionnaire_version": str(questionnaire.version),
        "content_hash": questionnaire.content_hash,
        "kommun_code": organisation.code,
        "kommun_name": organisation.name,
    }


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        if self.sheet and self.cell:
            return f"Bladet {self.sheet}, cell {self.cell}: {self.message}"
        if self.sheet:
            return f"Bladet {self.sheet}: {self.message}"
        return self.message


class WorkbookError(ValidationError):
    """A returned workbook that cannot be read; `problems` lists every one found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__([str(p) for p in self.problems])


@dataclass
class _Grid:
    """A sheet's values by (row, column letter), read once."""

    values: dict[tuple[int, str], Any] = field(default_factory=dict)

    def get(self, ref: str) -> Any:
        column = ref.rstrip("0123456789")
        return self.values.get((int(ref[len(column) :]), column))


def _read_grid(
    workbook: SafeWorkbook, sheet: str, *, max_row: int, max_col: int
) -> _Grid:
    grid = _Grid()
    for row_index, row in workbook.rows(sheet, max_row=max_row, max_col=max_col):
        for col_index, value in enumerate(row, start=1):
            if value is not None:
                grid.values[(row_index, get_column_letter(col_index))] = value
    return grid


def max_upload_bytes() -> int:
    return int(settings.EXCEL_UPLOAD_MAX_BYTES)


def upload_limits() -> Limits:
    """A filled-in copy has a few hundred rows of four columns; Excel may add
    formatted empty cells, never a hundred thousand values."""
    return Limits(file_bytes=max_upload_bytes(), rows=EXCEL_ROWS, cells=100_000)


def read_kommun_workbook(
    file: IO[bytes],
    *,
    questionnaire: Questionnaire,
    organisation: Organisation,
    questions: Sequence[Question] | None = None,
) -> dict[str, Any]:
    """The answers in a returned copy, as `save_answers` values by variable.

    Every question of the workbook gets a value (an empty cell clears the answer).
    Numbers come back as text ("55.5"), so the values are JSON-able. Raises
    WorkbookError listing every problem; nothing is returned in part.
    """
    if questions is None:
        questions = questions_of(questionnaire.pk)
    layout = workbook_layout(questions)
    answers = answer_cells_of(layout)
    try:
        workbook = open_workbook(file, upload_limits())
    except UnsafeWorkbookError as exc:
        raise WorkbookError([Problem(exc.message)]) from None
    try:
        missing = [s for s in (SURVEY, METADATA) if s not in workbook.sheetnames]
        if missing:
            raise WorkbookError(
                [
                    Problem(
                        f"Bladet «{name}» saknas. Filen är inte en oförändrad Excel-kopia "
                        "av enkäten från Nära vård-uppföljningen; hämta en ny kopia."
                    )
                    for name in missing
                ]
            )
        metadata = _read_grid(
            workbook, METADATA, max_row=CELL_MAP_ROW + len(answers) + 1, max_col=3
        )
        last_row = layout[-1].row if layout else FIRST_ROW
        survey = _read_grid(workbook, SURVEY, max_row=last_row + 1, max_col=4)
    except UnsafeWorkbookError as exc:
        raise WorkbookError([Problem(exc.message)]) from None
    finally:
        workbook.close()

    _check_identity(metadata, survey, questionnaire, organisation)
    _check_layout(metadata, survey, layout, answers)
    return _values(survey, questions, answers)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_identity(
    metadata: _Grid,
    survey: _Grid,
    questionnaire: Questionnaire,
    organisation: Organisation,
) -> None:
    given = {
        _text(metadata.get(f"A{row}")): (f"B{row}", _text(metadata.get(f"B{row}")))
        for row in range(1, CELL_MAP_ROW - 1)
    }
    expected = _identity(questionnaire, organisation)

    def value(key: str) -> str:
        return given.get(key, ("", ""))[1]

    if value("format") != FORMAT or value("format_version") != str(FORMAT_VERSION):
        raise WorkbookError(
            [
                Problem(
                    "Uppgifterna om vilken enkät filen gäller saknas eller är ändrade. "
                    "Hämta en ny kopia.",
                    METADATA,
                )
            ]
        )
    problems: list[Problem] = []
    if (
        value("questionnaire_key") != expected["questionnaire_key"]
        or value("cycle") != expected["cycle"]
        or value("questionnaire_id") != expected["questionnaire_id"]
    ):
        problems.append(
            Problem(
                f"Filen gäller en annan enkät ({value('questionnaire_key')} "
                f"{value('cycle')}), inte {questionnaire.title}.",
                METADATA,
                given.get("questionnaire_key", ("B4", ""))[0],
            )
        )
    elif (
        value("questionnaire_version") != expected["questionnaire_version"]
        or value("content_hash") != expected["content_hash"]
    ):
        problems.append(
            Problem(
                "Filen är gjord för en annan version av enkäten än den som gäller nu. "
                "Hämta en ny kopia och för över svaren.",
                METADATA,
                given.get("content_hash", ("B7", ""))[0],
            )
        )
    shown_code = _text(survey.get(KOMMUN_CODE_CELL))
    if value("kommun_code") != organisation.code:
        problems.append(
            Problem(
                f"Filen gäller {value('kommun_name') or 'en annan kommun'} "
                f"(kommunkod {value('kommun_code')}), inte {organisation.name} "
                f"(kommunkod {organisation.code}).",
                SURVEY,
                KOMMUN_CODE_CELL,
            )
        )
    elif shown_code != organisation.code:
        problems.append(
            Problem(
                f"Kommunkoden är ändrad till «{shown_code}»; filen gäller "
                f"{organisation.name} (kommunkod {organisation.code}).",
                SURVEY,
                KOMMUN_CODE_CELL,
            )
        )
    if problems:
        raise WorkbookError(problems)


def _check_layout(
    metadata: _Grid,
    survey: _Grid,
    layout: Sequence[LayoutRow],
    answers: Sequence[AnswerCell],
) -> None:
    problems: list[Problem] = []
    given_map = [
        (
            _text(metadata.get(f"A{row}")),
            _text(metadata.get(f"B{row}")),
            _text(metadata.get(f"C{row}")),
        )
        for row in range(CELL_MAP_ROW, CELL_MAP_ROW + len(answers) + 1)
    ]
    expected_map = [(a.ref, a.variable, a.slot) for a in answers] + [("", "", "")]
    if given_map != expected_map:
        problems.append(
            Problem(
                "Förteckningen över svarscellerna stämmer inte med enkäten; filens mall "
                "har ändrats. Hämta en ny kopia.",
                METADATA,
            )
        )
    for item in layout:
        if len(problems) >= MAX_LAYOUT_PROBLEMS:
            break
        number = _text(survey.get(f"{NUMBER_COLUMN}{item.row}"))
        text = _text(survey.get(f"{TEXT_COLUMN}{item.row}"))
        if number != item.number or text != item.text.strip():
            what = f"fråga {item.number}" if item.number else f"«{_short(item.text)}»"
            problems.append(
                Problem(
                    f"Raden stämmer inte med mallen (här ska {what} stå). Rader har "
                    "flyttats, lagts till eller tagits bort; hämta en ny kopia och för "
                    "över svaren.",
                    SURVEY,
                    f"{TEXT_COLUMN}{item.row}",
                )
            )
    if problems:
        raise WorkbookError(problems)


def _short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _values(
    survey: _Grid, questions: Sequence[Question], answers: Sequence[AnswerCell]
) -> dict[str, Any]:
    by_variable: dict[str, list[AnswerCell]] = {}
    for answer in answers:
        by_variable.setdefault(answer.variable, []).append(answer)
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for question in questions:
        cells = by_variable.get(question.variable)
        if not cells:
            continue
        found = list(_question_value(question, cells, survey))
        cell_problems = [p for p in found if isinstance(p, Problem)]
        if cell_problems:
            problems.extend(cell_problems)
            continue
        raw = found[0] if found else None
        try:
            cells_for(question, raw)
        except ValidationError as exc:
            # The domain's own rule (range, decimals, length), at the first cell.
            shown = _text(survey.get(cells[0].ref))
            prefix = f"«{_short(shown)}»: " if question.kind in NUMBER_KINDS else ""
            problems.extend(
                Problem(prefix + message, SURVEY, cells[0].ref)
                for message in exc.messages
            )
            continue
        values[question.variable] = raw
    if problems:
        raise WorkbookError(problems)
    return values


def _label_codes(question: Question) -> dict[str, str]:
    return {
        " ".join(o.label.split()).casefold(): o.code for o in question.options.all()
    }


def _not_an_option(question: Question, given: str) -> str:
    labels = ", ".join(o.label for o in question.options.all())
    return f"«{_short(given)}» finns inte bland svarsalternativen ({labels})."


def _question_value(
    question: Question, cells: Sequence[AnswerCell], survey: _Grid
) -> Iterator[Any]:
    """Yield the question's raw value, or a Problem per bad cell."""
    kind = question.kind
    if kind in SINGLE_VALUE_KINDS:
        given = _text(survey.get(cells[0].ref))
        code = _label_codes(question).get(" ".join(given.split()).casefold())
        if given and code is None:
            yield Problem(_not_an_option(question, given), SURVEY, cells[0].ref)
            return
        yield code or ""
    elif facts(kind).matrix:
        codes = _label_codes(question)
        matrix: dict[str, str] = {}
        bad = False
        for cell in cells:
            given = _text(survey.get(cell.ref))
            code = codes.get(" ".join(given.split()).casefold())
            if given and code is None:
                bad = True
                yield Problem(_not_an_option(question, given), SURVEY, cell.ref)
            matrix[cell.slot] = code or ""
        if not bad:
            yield matrix
    elif facts(kind).multiple:
        chosen: list[str] = []
        bad = False
        for cell in cells:
            given = _text(survey.get(cell.ref))
            if given.casefold() == YES.casefold():
                chosen.append(cell.slot)
            elif given:
                bad = True
                yield Problem(
                    f"«{_short(given)}» går inte att tolka; välj «{YES}» eller lämna "
                    "cellen tom.",
                    SURVEY,
                    cell.ref,
                )
        if not bad:
            yield chosen
    elif kind in NUMBER_KINDS:
        yield from _number_value(question, cells, survey)
    else:
        yield _text(survey.get(cells[0].ref))


def _number_value(
    question: Question, cells: Sequence[AnswerCell], survey: _Grid
) -> Iterator[Any]:
    number_cell = cells[0]
    raw = survey.get(number_cell.ref)
    escaped = False
    if len(cells) > 1:
        given = _text(survey.get(cells[1].ref))
        if given and given.casefold() != YES.casefold():
            yield Problem(
                f"«{_short(given)}» går inte att tolka; välj «{YES}» eller lämna "
                "cellen tom.",
                SURVEY,
                cells[1].ref,
            )
            return
        escaped = bool(given)
    number: Decimal | None = None
    if isinstance(raw, bool | datetime | date):
        yield Problem(f"«{_text(raw)}» är inte ett tal.", SURVEY, number_cell.ref)
        return
    if isinstance(raw, int | float | Decimal):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    elif raw is not None and _text(raw):
        typed = _text(raw).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(typed)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            yield Problem(
                f"«{_short(_text(raw))}» är inte ett tal.", SURVEY, number_cell.ref
            )
            return
    if escaped and number is not None:
        yield Problem(
            f"Ange antingen ett värde eller «{question.escape_label}», inte båda.",
            SURVEY,
            number_cell.ref,
        )
        return
    if escaped:
        yield {"escaped": True}
    elif number is None:
        yield ""
    else:
        yield f"{number:f}"


# --- the preview -----------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewItem:
    question: Question
    current: list[str]
    in_file: list[str]
    changed: bool
    not_applicable: bool  # the file answers a follow-up that does not apply
    missing: bool  # required, applies, and empty after the upload


def preview_workbook_values(
    questions: Sequence[Question],
    current: Mapping[int, Cells],
    values: Mapping[str, Any],
) -> list[PreviewItem]:
    """What saving `values` would change, question by question, with the same
    display conditions `save_answers` applies. Raises ValidationError if a value no
    longer fits the definition."""
    after: dict[int, Cells] = {qid: dict(c) for qid, c in current.items()}
    given: dict[int, Cells] = {}
    for question in questions:
        if question.variable in values:
            given[question.pk] = cells_for(question, values[question.variable])
            after[question.pk] = given[question.pk]
    shown = shown_questions(questions, after)
    items = []
    for question in questions:
        if question.kind not in WORKBOOK_KINDS:
            continue
        before = current.get(question.pk, {})
        applies = question.pk in shown
        final = after.get(question.pk, {}) if applies else {}
        items.append(
            PreviewItem(
                question=question,
                current=answer_in_words(question, before),
                # A follow-up that does not apply shows what the file says, marked
                # as not stored.
                in_file=answer_in_words(
                    question, final if applies else given.get(question.pk, {})
                ),
                changed=final != before,
                not_applicable=not applies and bool(given.get(question.pk)),
                missing=applies
                and question.required
                and not is_answered(question, final),
            )
        )
    return items
