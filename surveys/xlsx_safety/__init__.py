"""Reading uploaded .xlsx files with bounded memory and time (issue #13 point 6).

Every upload of a workbook (the kommun's Excel copy, the staff's raw-data import)
is opened here and nowhere else. An .xlsx is a zip of XML parts, and anyone who
can upload can make those parts hostile: a 263 KB file whose styles.xml unpacks
to 85 MB drove openpyxl to 2.2 GB, a sheet that declares `A1:XFD1048576` made
openpyxl pad a billion empty cells, and a DTD with nested entities (billion
laughs) or a malformed part ended in a 500. So this module does not hand the
file to openpyxl's reader at all:

- Before anything is parsed, every part is unpacked once with a cap on its
  real size (the zip header's sizes are the sender's claim, not a fact), and the
  sum of all parts has a cap too.
- The parts are read with expat as a stream, in chunks, with handlers that
  keep only what is needed: sheet names, the shared strings, which styles are
  dates, and the cells of the rows asked for. No tree is built.
- A DTD is refused outright (no real workbook has one), so no entity can be
  declared, let alone expanded; any XML error ends as `UnsafeWorkbookError`.
- The sheet's declared dimension is never read. Rows come as they are in the
  file, only up to the row and column asked for, and a cap on rows and cells
  bounds what a caller can collect.

Values are converted as openpyxl does with `data_only=True` (numbers as int or
float, dates as datetime, booleans, shared and inline strings, cached formula
results), so callers see what they saw before.

One module per step: `limits` (what an upload may cost, and the error),
`opening` (the size checks on the zip before anything is parsed) and `workbook`
(the streaming reader). Other apps import from `surveys.xlsx_safety` as before.
"""

from __future__ import annotations

from surveys.xlsx_safety.limits import (
    EXCEL_ROWS,
    NOT_XLSX,
    Limits,
    UnsafeWorkbookError,
)
from surveys.xlsx_safety.opening import open_workbook
from surveys.xlsx_safety.workbook import SafeWorkbook

__all__ = [
    "EXCEL_ROWS",
    "NOT_XLSX",
    "Limits",
    "SafeWorkbook",
    "UnsafeWorkbookError",
    "open_workbook",
]
