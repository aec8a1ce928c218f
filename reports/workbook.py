"""The table workbook (issue #5 point 3): one .xlsx with every question's tables.

Sheets, in order:

- "Innehåll": cycle, questionnaire, data as of, level; one row per question
  with its number (a hyperlink to its sheet), label, kind and base at riket;
  the legend of the markers (reports/markers.py).
- One sheet per question, named "Fråga <number>" (≤ 31 characters, unique):
  the question text as title, the tables for the level (below), each with its
  footnotes (bases, excluded counts), the "Källa:" line, the markers its tables
  use, and per chart (`reports.question_parts.question_charts`: at riket the
  share per option of closed and RSS count questions; at the region or RSS
  level one bar per group, numbers included) a "Diagramunderlag" table with a
  native Excel bar chart that references it (reports/charts.py), its base and
  its source under it.
- "Kvalitetsdeklaration" (reports/kvalitetsdeklaration/writers.py).
- "Manifest": what the file is (reports/exporters.py `Manifest`).

Which tables (`reports.question_parts.question_tables`): riket always (the
«antal (procent)» frequency table, or the number table); at the questionnaire's own level (regions for the
region questionnaire, RSS for the RSS questionnaire) also the Bilaga 3 table,
one row per organisation with «Riket» first; at a level that groups several
respondents (RSS or region for kommuner) also one «antal (procent)» table per
group. `WorkbookLevel.STANDARD` picks the own level for region and RSS
questionnaires and RSS for kommun questionnaires.

Numbers: the tables are the published layouts (reports/layouts.py) cell for cell,
so the workbook reads like the report and the golden tests cover it, but every
count and share is a numeric cell (reports/cells.py) whose number format shows
it as printed in Swedish Excel: counts "#,##0" ("1 600"), shares as fractions
"0 %" ("72 %"), «19/21» as the count 19 formatted '#,##0"/21"'. A column of
«antal (procent)» is two columns, «Antal» and «Procent», under the option's
heading. Only words and markers (reports/markers.py, explained on the index
sheet) are text. The chart data are numbers too.

Queries: the questionnaire is tabulated once per level (riket, and the chosen
level), never per question; the number of queries does not depend on the number
of questions or respondents.
"""

from __future__ import annotations

import enum
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from reports.bases import conventions
from reports.charts import add_bar_chart
from reports.comparison_layouts import comparison_source
from reports.exporters import base_manifest, data_as_of
from reports.kvalitetsdeklaration.writers import write_kvalitetsdeklaration_sheet
from reports.layouts import Rounding
from reports.markers import LEGEND, legend_for
from reports.question_parts import (
    OWN_LEVEL,
    chart_data,
    question_charts,
    question_tables,
    source_line,
)
from reports.sheet_tables import BOLD, write_legend, write_table
from reports.tabulation.comparison import compare, previous_version
from reports.tabulation.counts import tabulate
from reports.tabulation.results import (
    Level,
    QuestionTabulation,
    Selection,
    Tabulation,
    levels_for,
)
from reports.themes.exports import write_theme_sheets
from reports.xlsx_rows import TextRowsWriter
from reports.year_sheet import comparison_sheet_name, write_comparison_sheet
from surveys.errors import DomainError
from surveys.models import OrganisationKind, QuestionKind, Questionnaire
from surveys.sheet_text import harden_workbook

Progress = Callable[[int, str], None]

SHEET_INDEX = "Innehåll"
SHEET_MANIFEST = "Manifest"
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class WorkbookLevel(enum.StrEnum):
    STANDARD = "standard"
    RIKET = "riket"
    REGION = "region"
    RSS = "rss"
    KOMMUN = "kommun"


def resolve_level(questionnaire: Questionnaire, level: str) -> Level:
    """The tabulation level for a workbook level; DomainError (Swedish) for a level
    the questionnaire's audience lacks."""
    if level == WorkbookLevel.STANDARD:
        if questionnaire.audience == OrganisationKind.KOMMUN:
            return Level.RSS
        return OWN_LEVEL.get(questionnaire.audience, Level.RIKET)
    try:
        resolved = Level(level)
    except ValueError:
        raise DomainError(f"Nivån ”{level}” finns inte.") from None
    if resolved not in levels_for(questionnaire.audience):
        allowed = ", ".join(str(lv) for lv in levels_for(questionnaire.audience))
        raise DomainError(
            f"Nivån ”{level}” finns inte för {questionnaire.title} (välj {allowed})."
        )
    return resolved


# --- sheets ----------------------------------------------------------------------------


def sheet_name(number: str, taken: set[str]) -> str:
    """ "Fråga 1a": at most 31 characters, no characters Excel forbids, unique."""
    return unique_sheet_name(f"Fråga {number}", taken)


def unique_sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name from `title`: at most 31 characters, none Excel forbids, unique."""
    base = _SHEET_FORBIDDEN.sub("-", title)[:SHEET_NAME_MAX]
    name, suffix = base, 2
    while name.lower() in taken:
        tail = f" ({suffix})"
        name = base[: SHEET_NAME_MAX - len(tail)] + tail
        suffix += 1
    taken.add(name.lower())
    return name


@dataclass(frozen=True)
class QuestionSheet:
    name: str
    tables: int
    charts: int


def write_question_sheet(
    workbook: Workbook,
    riket: QuestionTabulation,
    grouped: QuestionTabulation | None,
    *,
    name: str,
    audience: str,
    level: Level,
    rounding: Rounding,
    source: str,
    total_label: str = "Riket",
) -> QuestionSheet:
    """One question's sheet: title, tables, "Källa:", chart data and charts."""
    ref = riket.question
    sheet = workbook.create_sheet(name)
    sheet.column_dimensions["A"].width = 40
    # B to K in one dimension, written as one <col min="2" max="11"> element,
    # instead of ten (each one an object to build and to serialise).
    tables = sheet.column_dimensions["B"]
    tables.width = 16
    tables.min, tables.max = 2, 11
    sheet["A1"] = f"Fråga {ref.number}. {ref.text}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = f"{level.label}. {ref.label}"
    row = 4
    tables = question_tables(
        riket,
        grouped,
        audience=audience,
        level=level,
        rounding=rounding,
        source=source,
        total_label=total_label,
    )
    if not tables:
        sheet.cell(row=row, column=1, value="Fritextfrågor redovisas inte i tabell.")
        row += 2
    for table in tables:
        row = write_table(sheet, table, row=row)
    sheet.cell(row=row, column=1, value=source)
    row += 2
    legend = legend_for(line for table in tables for line in table.rows)
    if legend:
        row = write_legend(sheet, legend, row=row)
    charts = [
        chart_data(chart, source=source)
        for chart in question_charts(riket, grouped, audience=audience, level=level)
    ]
    for data in charts:
        sheet.cell(
            row=row, column=1, value=f"Diagramunderlag: {data.title}"
        ).font = BOLD
        last = add_bar_chart(sheet, data, header_row=row + 1, anchor=f"D{row}")
        # Under the chart's data, as under the printed figure: base, source
        # and the question's footnotes.
        sheet.cell(row=last + 1, column=1, value=data.base_note)
        sheet.cell(row=last + 2, column=1, value=data.source_line)
        for offset, note in enumerate(data.footnotes, start=3):
            sheet.cell(row=last + offset, column=1, value=note)
        last += len(data.footnotes)
        # Room for the chart (its height grows with the number of bars).
        row = max(last + 4, row + 10 + 2 * len(data.values))
    return QuestionSheet(name=name, tables=len(tables), charts=len(charts))


def _riket_base(question: QuestionTabulation) -> int | str:
    bases = [item.by_group[0].base for item in question.items]
    if not bases:
        return ""
    low, high = min(bases), max(bases)
    return low if low == high else f"{low}–{high}"


def write_index_sheet(
    sheet: Worksheet,
    questionnaire: Questionnaire,
    riket: Tabulation,
    names: Mapping[str, str],
    *,
    level: Level,
    data_as_of: Any,
) -> None:
    sheet.title = SHEET_INDEX
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 22
    sheet.column_dimensions["D"].width = 16
    sheet.column_dimensions["E"].width = 20
    sheet["A1"] = f"Tabeller: {questionnaire.title}"
    sheet["A1"].font = Font(bold=True, size=14)
    as_of = (
        f"{timezone.localtime(data_as_of):%Y-%m-%d %H:%M}"
        if data_as_of
        else "inga svar"
    )
    facts = [
        ("Omgång", questionnaire.cycle.year),
        ("Enkät", f"{questionnaire.title} (version {questionnaire.version})"),
        ("Data per", as_of),
        ("Nivå", str(level.label)),
        (
            "Svarande",
            f"{riket.respondents} av {riket.frame}",
        ),
        ("Svar som ingår", riket.selection_note),
    ]
    for offset, (label, value) in enumerate(facts, start=3):
        sheet.cell(row=offset, column=1, value=label).font = BOLD
        sheet.cell(row=offset, column=2, value=value)
    header_row = 3 + len(facts) + 1
    headings = ("Fråga", "Text", "Typ", "Bas (riket)", "Andelar av")
    for column, text in enumerate(headings, start=1):
        sheet.cell(row=header_row, column=column, value=text).font = BOLD
    row = header_row + 1
    link_font = Font(color="0563C1", underline="single")
    for question in riket.questions:
        ref = question.question
        name = names[ref.variable]
        cell = sheet.cell(row=row, column=1, value=f"Fråga {ref.number}")
        cell.hyperlink = Hyperlink(
            ref=cell.coordinate, location=f"'{name}'!A1", display=cell.value
        )
        cell.font = link_font
        sheet.cell(row=row, column=2, value=ref.label)
        sheet.cell(row=row, column=3, value=str(QuestionKind(ref.kind).label))
        sheet.cell(row=row, column=4, value=_riket_base(question))
        # The question's base convention (reports/bases.py), as the manifest has it.
        sheet.cell(row=row, column=5, value=conventions([ref]).get(ref.number))
        row += 1
    write_legend(sheet, LEGEND, row=row + 1)
    sheet.freeze_panes = f"A{header_row + 1}"


def write_manifest_sheet(workbook: Workbook, manifest: Mapping[str, Any]) -> None:

    sheet = workbook.create_sheet(SHEET_MANIFEST)
    sheet.append(["Uppgift", "Värde"])
    for key, value in manifest.items():
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        sheet.append([key, value])


def _ignore(percent: int, message: str) -> None:
    return None


class _InMemoryExcelWriter(ExcelWriter):  # type: ignore[misc]
    """openpyxl's writer, except that each worksheet's XML is built in memory.

    openpyxl writes every worksheet to a temporary file, copies it into the zip
    and deletes it; for the ~70 sheets of a table workbook the file system calls
    took a third of the save (issue #5 point 9). The method body is openpyxl's
    (3.1) `ExcelWriter.write_worksheet` for workbooks that are not write-only,
    with a BytesIO, which openpyxl's `WorksheetWriter.read` supports, and the
    rows of plain cells written as text (`reports.xlsx_rows.TextRowsWriter`,
    issue #20); tests/reports/test_workbook.py checks the file equals
    openpyxl's own save.
    """

    def write_worksheet(self, ws: Worksheet) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = TextRowsWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def save_workbook(workbook: Workbook, output: BinaryIO) -> None:
    """`workbook.save(output)` for a workbook that is not write-only, without a
    temporary file per worksheet; as openpyxl.writer.excel.save_workbook."""
    workbook.properties.modified = timezone.now().replace(tzinfo=None)
    harden_workbook(workbook)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        _InMemoryExcelWriter(workbook, archive).write_data()


@dataclass(frozen=True)
class TabulatedQuestionnaire:
    riket: Tabulation
    grouped: Tabulation | None
    level: Level

    def pairs(
        self,
    ) -> Iterable[tuple[QuestionTabulation, QuestionTabulation | None]]:
        grouped = (
            self.grouped.questions
            if self.grouped
            else [None] * len(self.riket.questions)
        )
        return zip(self.riket.questions, grouped, strict=True)


def tabulate_for_workbook(
    questionnaire: Questionnaire,
    *,
    level: Level,
    variables: Iterable[str] | None = None,
    selection: Selection = Selection.SUBMITTED,
) -> TabulatedQuestionnaire:
    """Riket and the level, each tabulated once for the whole questionnaire."""
    chosen = list(variables) if variables is not None else None
    riket = tabulate(
        questionnaire, level=Level.RIKET, variables=chosen, selection=selection
    )
    grouped = (
        tabulate(questionnaire, level=level, variables=chosen, selection=selection)
        if level != Level.RIKET
        else None
    )
    return TabulatedQuestionnaire(riket=riket, grouped=grouped, level=level)


def write_table_workbook(
    questionnaire: Questionnaire,
    output: BinaryIO,
    *,
    level: str = WorkbookLevel.STANDARD,
    rounding: Rounding = Rounding.HALF_UP,
    selection: Selection = Selection.SUBMITTED,
    progress: Progress = _ignore,
    manifest: Callable[[dict[str, int], dict[str, Any]], Mapping[str, Any]]
    | None = None,
) -> dict[str, int]:
    """Write the table workbook (module docstring) to `output`; returns row
    counts: questions, sheets, tables, charts, respondents and frame.

    `manifest(row_counts, extra)` returns what the "Manifest" sheet holds; by
    default `base_manifest` of the "tabeller" kind with the level and rounding.
    `extra` records each question's base convention (reports/bases.py).
    """

    resolved = resolve_level(questionnaire, level)
    progress(5, "Räknar tabellerna")
    tabulated = tabulate_for_workbook(
        questionnaire, level=resolved, selection=selection
    )
    audience = questionnaire.audience
    source = source_line(questionnaire, selection)

    workbook = Workbook()
    index = workbook.active
    assert isinstance(index, Worksheet)  # noqa: S101 - a new workbook has one sheet
    taken = {SHEET_INDEX.lower(), SHEET_MANIFEST.lower(), "kvalitetsdeklaration"}
    names: dict[str, str] = {}
    tables = charts = 0
    total = max(len(tabulated.riket.questions), 1)
    for position, (riket, grouped) in enumerate(tabulated.pairs()):
        ref = riket.question
        names[ref.variable] = sheet_name(ref.number, taken)
        written = write_question_sheet(
            workbook,
            riket,
            grouped,
            name=names[ref.variable],
            audience=audience,
            level=resolved,
            rounding=rounding,
            source=source,
        )
        tables += written.tables
        charts += written.charts
        progress(10 + 70 * (position + 1) // total, "Skriver frågornas blad")
    # Year over year (issue #19 point 2): beside the previous version's figures.
    previous = previous_version(questionnaire)
    comparison = (
        compare(
            questionnaire,
            level=resolved,
            selection=selection,
            previous=previous,
            current=tabulated.grouped or tabulated.riket,
        )
        if previous is not None
        else None
    )
    if comparison is not None and comparison.linked:
        write_comparison_sheet(
            workbook,
            comparison,
            audience=audience,
            rounding=rounding,
            source=comparison_source(source, comparison),
            name=unique_sheet_name(comparison_sheet_name(comparison), taken),
        )
    # Free-text themes (issue #19): a sheet per question with a fastställd coding.
    write_theme_sheets(
        workbook, questionnaire, lambda title: unique_sheet_name(title, taken)
    )
    write_index_sheet(
        index,
        questionnaire,
        tabulated.riket,
        names,
        level=resolved,
        data_as_of=data_as_of(questionnaire),
    )
    progress(85, "Skriver kvalitetsdeklarationen")
    # The declaration counts submitted responses (its own item nonresponse),
    # whichever responses the tables were asked to count; this questionnaire's
    # items from its riket tabulation when that counted the same (issue #20).
    write_kvalitetsdeklaration_sheet(
        workbook, questionnaire.cycle, riket=tabulated.riket
    )
    counts = {
        "frågor": len(tabulated.riket.questions),
        "tabeller": tables,
        "diagram": charts,
        "svarande": tabulated.riket.respondents,
        "ej_inskickade": tabulated.riket.not_submitted,
        "ram": tabulated.riket.frame,
    }
    extra = {"bas": conventions(q.question for q in tabulated.riket.questions)}
    if manifest is None:
        manifest_values = base_manifest(
            questionnaire,
            kind="tabeller",
            format="xlsx",
            options={
                "niva": str(level),
                "avrundning": str(rounding),
                "svar": str(selection),
            },
            row_counts=counts,
            extra=extra,
        ).as_dict()
    else:
        manifest_values = dict(manifest(counts, extra))
    write_manifest_sheet(workbook, manifest_values)
    progress(95, "Sparar filen")
    save_workbook(workbook, output)
    return counts
