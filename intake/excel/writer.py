"""Writing a kommun's Excel copy of a questionnaire (`build_kommun_workbook`):
instructions, one row per answer cell with drop-down lists and number/length
validation, the sheet protected except the answer cells, the kommun's current
answers filled in, and the hidden "Metadata" sheet. Plain functions, no writes
to the database.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from intake.cells import Cells
from intake.excel.layout import (
    CELL_MAP_ROW,
    FIRST_ROW,
    HEADER_ROW,
    INSTRUCTIONS,
    KOMMUN_CODE_CELL,
    KOMMUN_NAME_CELL,
    METADATA,
    NOTE_COLUMN,
    NUMBER_COLUMN,
    OPTIONS,
    TEXT_COLUMN,
    LayoutRow,
    _identity,
    answer_cells_of,
    workbook_layout,
)
from intake.excel.terms import ESCAPE_SLOT, SURVEY, YES
from intake.kinds import behaviour
from surveys.formatting import swedish_date
from surveys.models import Organisation, Question, Questionnaire
from surveys.sheet_text import clean

ANSWER_FILL = PatternFill("solid", fgColor="FFF4C2")
SECTION_FILL = PatternFill("solid", fgColor="DCE6F0")
THIN = Side(style="thin", color="999999")
ANSWER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


# --- writing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookContext:
    """What the instructions say besides the questions: where the file goes back."""

    return_to: str  # e.g. "RSS Kronobergs län (rss@example.se)"
    upload_url: str
    downloaded_on: date
    # The kommun's own deadline when staff extended it (issue #15).
    closes_on: date | None = None


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
    closes = context.closes_on or questionnaire.closes_on
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
        # Each kind's validation (intake.kinds); none: a «Ja» cell.
        validation = behaviour(question.kind).workbook_validation(
            question, slot, options_range
        )
        if validation is None:
            yes_list.add(cell.coordinate)
            chosen = (
                any(c.escaped for c in current.values())
                if slot == ESCAPE_SLOT
                else slot in current
            )
            if chosen:
                _put(cell, YES)
            continue
        sheet.add_data_validation(validation)
        validation.add(cell.coordinate)
        _put(cell, _prefill(question, current, slot))


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
