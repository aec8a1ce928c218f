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

By sub-domain: `layout` (shared by both sides), `writer`, `grid` (what the reader
works on, and its problems), `reader`, `values` (parsing the answer cells),
`preview` (what an upload would change). Inside `intake`, import from those
modules. The package re-exports nothing: each kind's Excel hooks
(`intake.kinds`) use `grid` and `terms`, and importing the reader here would
import them back.
"""
