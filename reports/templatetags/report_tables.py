"""How a report table is laid out on screen (issue #17, WCAG 1.4.10 reflow).

A table with many columns and few rows (a 28-alternative question at the riket
level: one row, 29 columns, some 13 000 px wide) is shown transposed, one row
per column, so it reads down a phone's screen. Anything else keeps its layout
in a keyboard-scrollable box (templates/reports/_table.html). The exports keep
the published layout; this is only the page.
"""

from __future__ import annotations

from dataclasses import replace

from django import template

from reports.layouts import Table

register = template.Library()

# More columns than this, and fewer rows than columns, and the table turns.
MAX_COLUMNS = 6
MAX_ROWS_TO_TURN = 5


@register.filter
def for_screen(table: Table) -> Table:
    columns = len(table.header)
    rows = len(table.rows)
    if columns <= MAX_COLUMNS or rows > MAX_ROWS_TO_TURN or rows + 1 >= columns:
        return table
    header = ("Uppgift", *(row[0] for row in table.rows))
    turned = tuple(
        (table.header[j], *(row[j] for row in table.rows)) for j in range(1, columns)
    )
    return replace(table, header=header, rows=turned)
