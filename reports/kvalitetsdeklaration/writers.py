"""The kvalitetsdeklaration as a Word document and as a worksheet.

Both follow `reports.kvalitetsdeklaration.outline` (the domain file's headings and
order) and write every figure as Swedish text (decimal comma, space between
thousands), since the declaration is a document: the table workbook's data sheets
carry the numbers as numbers.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from reports.kvalitetsdeklaration.figures import (
    ComputedDeclaration,
    compute_kvalitetsdeklaration,
)
from reports.kvalitetsdeklaration.outline import (
    Chapter,
    field_label,
    field_text,
    outline,
)
from reports.kvalitetsdeklaration.tables import Table
from reports.models import Kvalitetsdeklaration
from reports.tabulation.results import Tabulation
from surveys.models import Cycle
from surveys.sheet_text import clean

NOT_FILLED = "[Ej ifyllt]"
# One style object each, shared by every cell that uses it (openpyxl stores a
# workbook's styles once; a new object per cell only costs time).
BOLD = Font(bold=True)
ITALIC = Font(italic=True)
DOCX_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)


def kvalitetsdeklaration_of(cycle: Cycle) -> Kvalitetsdeklaration:
    """The cycle's declaration; before staff create it, an unsaved one with the
    standard texts, so that exports work from the first day of a cycle."""
    saved = Kvalitetsdeklaration.objects.filter(cycle=cycle).first()
    return saved or Kvalitetsdeklaration(cycle=cycle)


def _heading(chapter_or_part_number: str, title: str) -> str:
    return f"{chapter_or_part_number} {title}".strip()


def _texts(
    deklaration: Kvalitetsdeklaration,
    fields: tuple[str, ...],
    computed: ComputedDeclaration,
) -> list[tuple[str, str]]:
    return [
        (field_label(f), field_text(deklaration, f, computed) or NOT_FILLED)
        for f in fields
    ]


# --- Word ------------------------------------------------------------------------


def kvalitetsdeklaration_docx(cycle: Cycle) -> bytes:
    """The whole declaration as a .docx file."""
    computed = compute_kvalitetsdeklaration(cycle)
    deklaration = kvalitetsdeklaration_of(cycle)
    document = Document()
    document.core_properties.title = f"Kvalitetsdeklaration {cycle.year}"
    document.core_properties.language = "sv-SE"
    document.add_heading(f"Kvalitetsdeklaration: {computed.survey_name}", level=0)
    for chapter in outline(computed):
        _docx_chapter(document, chapter, deklaration, computed)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_chapter(
    document: DocxDocument,
    chapter: Chapter,
    deklaration: Kvalitetsdeklaration,
    computed: ComputedDeclaration,
) -> None:
    document.add_heading(_heading(chapter.number, chapter.title), level=1)
    for part in chapter.parts:
        if part.number != chapter.number or part.title != chapter.title:
            document.add_heading(_heading(part.number, part.title), level=2)
        for label, text in _texts(deklaration, part.fields, computed):
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{label}. ").bold = True
            paragraph.add_run(clean(text))
        for fact in part.facts:
            document.add_paragraph(fact)
        for table in part.tables:
            _docx_table(document, table)


def _docx_table(document: DocxDocument, table: Table) -> None:
    document.add_paragraph(table.caption, style="Caption")
    if not table.rows:
        document.add_paragraph(table.empty_text)
        return
    # Every row at once: python-docx builds the whole grid from one XML string,
    # where adding rows one by one copies and measures each new row.
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    rows = grid.rows
    for cell, text in zip(rows[0].cells, table.header, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.add_run().text = ""  # as `cell.text = ""` left it: same XML
        paragraph.add_run(text).bold = True
    for grid_row, row in zip(rows[1:], table.rows, strict=True):
        for cell, text in zip(grid_row.cells, row, strict=True):
            cell.paragraphs[0].add_run().text = text


# --- Excel -----------------------------------------------------------------------

SHEET_TITLE = "Kvalitetsdeklaration"


def write_kvalitetsdeklaration_sheet(
    workbook: Workbook, cycle: Cycle, *, riket: Tabulation | None = None
) -> Worksheet:
    """Add the declaration as one worksheet to a workbook (the table workbook
    includes it); returns the sheet. Texts in column B beside their label in A;
    each table as a caption row, a bold header row and its rows from column A.
    `riket`: a questionnaire's whole riket tabulation the caller already has
    (`compute_kvalitetsdeklaration`)."""
    computed = compute_kvalitetsdeklaration(cycle, riket=riket)
    deklaration = kvalitetsdeklaration_of(cycle)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.column_dimensions["A"].width = 45
    sheet.column_dimensions["B"].width = 80
    for column in "CDEFG":
        sheet.column_dimensions[column].width = 18
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([f"Kvalitetsdeklaration: {computed.survey_name}"])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=14)
    for chapter in outline(computed):
        sheet.append([])
        sheet.append([_heading(chapter.number, chapter.title)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=13)
        for part in chapter.parts:
            if part.number != chapter.number or part.title != chapter.title:
                sheet.append([_heading(part.number, part.title)])
                sheet.cell(sheet.max_row, 1).font = BOLD
            for label, text in _texts(deklaration, part.fields, computed):
                sheet.append([label, clean(text)])
                sheet.cell(sheet.max_row, 1).alignment = wrap
                sheet.cell(sheet.max_row, 2).alignment = wrap
            for fact in part.facts:
                sheet.append([fact])
            for table in part.tables:
                sheet.append([table.caption])
                sheet.cell(sheet.max_row, 1).font = ITALIC
                if not table.rows:
                    sheet.append([table.empty_text])
                    continue
                sheet.append(list(table.header))
                for index in range(1, len(table.header) + 1):
                    sheet.cell(sheet.max_row, index).font = BOLD
                for row in table.rows:
                    sheet.append(list(row))
    return sheet
