"""The markers a table cell shows instead of a number, and their legend.

The one place for the rule (issue #16 point 5), after the symbols of Sveriges
officiella statistik (SCB, "Teckenförklaring"): a cell shows 0 only for a
counted zero (answers were counted and none chose the alternative); where
nothing could be counted it shows a marker:

- `NO_DATA` «..»: no data. Nobody in the group gave an answer to count from
  (an RSS where no kommun answered, a group without a base), so there is no
  count, share, sum or mean to show; a 0 would claim one.
- `NOTHING_TO_REPORT` «–»: nothing to report. One organisation that was asked
  but did not answer the item (item nonresponse, or no response at all).
- `NOT_TICKED` «.»: an answered multiple choice where this alternative was
  left unticked (its «Ja» counterpart is `TICKED`).
- `NOT_APPLICABLE`, an empty cell: the question was not shown to this
  organisation (a follow-up that only appears after certain answers).

Layouts (reports/layouts.py) pick the marker; the workbook's index sheet and
the report pages print `LEGEND` beside the tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

NO_DATA = ".."
NOTHING_TO_REPORT = "–"
NOT_TICKED = "."
TICKED = "Ja"
NOT_APPLICABLE = ""

LEGEND_TITLE = "Teckenförklaring"
EMPTY_CELL = "Tom cell"
LEGEND: tuple[tuple[str, str], ...] = (
    (NO_DATA, "Uppgift saknas: ingen i gruppen har svarat på frågan."),
    (NOTHING_TO_REPORT, "Inget att redovisa: organisationen har inte svarat."),
    (NOT_TICKED, "Alternativet är inte markerat (flervalsfråga)."),
    ("0", "Noll: svaren har räknats och inget föll på alternativet."),
    (EMPTY_CELL, "Frågan ställdes inte (följdfråga som bara visas efter vissa svar)."),
)


def legend_for(rows: Iterable[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    """The legend's lines for the markers these table rows use (the first cell
    of a row is its label, not a value), in the legend's order."""
    used: set[str] = set()
    for row in rows:
        used.update(row[1:])
    symbols = {
        NO_DATA: NO_DATA in used,
        NOTHING_TO_REPORT: NOTHING_TO_REPORT in used,
        NOT_TICKED: NOT_TICKED in used,
        "0": False,  # a counted zero is a number: the full legend explains it
        EMPTY_CELL: NOT_APPLICABLE in used,
    }
    return tuple(line for line in LEGEND if symbols[line[0]])
