"""A layout table (reports/layouts.py) and a legend of markers written into a
worksheet: the cells of the table workbook's question sheets
(reports/workbook.py), with numbers as numbers (reports/cells.py)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from reports.cells import Cell, text_cell
from reports.layouts import Table
from reports.markers import LEGEND_TITLE

# One style object each, shared by every cell that uses it (openpyxl stores a
# workbook's styles once; a new object per cell only costs time).
BOLD = Font(bold=True)
ITALIC = Font(italic=True)
# The headings under a column that holds a count and its share (reports/cells.py).
SPLIT_HEADINGS = ("Antal", "Procent")


def _excel_number(value: int | Decimal) -> int | float:
    """A figure as the number type Excel stores (a Decimal would be written in
    exponent notation)."""
    if isinstance(value, int) or value == value.to_integral_value():
        return int(value)
    return float(value)


def _table_cells(table: Table) -> tuple[tuple[Cell, ...], ...]:
    if table.cells:
        return table.cells
    return tuple(tuple(text_cell(text) for text in row) for row in table.rows)


def write_table(sheet: Worksheet, table: Table, *, row: int) -> int:
    """A layout table from `row`: title, subtitle, header, rows, footnotes.
    Returns the next free row (after one empty row).

    Numbers are numbers (reports/cells.py): a column whose cells hold a count
    and its share («3 (75)») is written as two columns, «Antal» and «Procent»,
    under its heading; words and markers stay text."""
    cells = _table_cells(table)
    spans = [
        max([len(line[index].figures) for line in cells if index < len(line)] + [1])
        for index in range(len(table.header))
    ]
    sheet.cell(row=row, column=1, value=table.title).font = BOLD
    row += 1
    if table.subtitle:
        sheet.cell(row=row, column=1, value=table.subtitle).font = ITALIC
        row += 1
    split = any(span > 1 for span in spans)
    column = 1
    for text, span in zip(table.header, spans, strict=True):
        sheet.cell(row=row, column=column, value=text).font = BOLD
        if span > 1:
            sheet.merge_cells(
                start_row=row,
                start_column=column,
                end_row=row,
                end_column=column + span - 1,
            )
            for offset, part in enumerate(SPLIT_HEADINGS[:span]):
                sheet.cell(row=row + 1, column=column + offset, value=part).font = BOLD
        column += span
    row += 2 if split else 1
    for line in cells:
        column = 1
        for cell, span in zip(line, spans, strict=True):
            if cell.figures:
                for offset, figure in enumerate(cell.figures):
                    written = sheet.cell(
                        row=row,
                        column=column + offset,
                        value=_excel_number(figure.value),
                    )
                    written.number_format = figure.number_format
            else:  # a word or a marker, in each of the column's cells
                for offset in range(span):
                    sheet.cell(row=row, column=column + offset, value=cell.text)
            column += span
        row += 1
    for note in table.notes:
        sheet.cell(row=row, column=1, value=note)
        row += 1
    return row + 1


def write_legend(
    sheet: Worksheet, legend: Iterable[tuple[str, str]], *, row: int
) -> int:
    """«Teckenförklaring» and one line per marker; returns the next free row
    (after one empty row)."""
    sheet.cell(row=row, column=1, value=LEGEND_TITLE).font = BOLD
    for symbol, meaning in legend:
        row += 1
        sheet.cell(row=row, column=1, value=symbol)
        sheet.cell(row=row, column=2, value=meaning)
    return row + 2
