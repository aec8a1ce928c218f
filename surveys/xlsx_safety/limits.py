"""What one uploaded workbook may cost, Excel's own limits, and the error a
refused upload raises. The lowest piece of the package: both the size checks and
the reader use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from surveys.errors import DomainError

NOT_XLSX = (
    "Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den som "
    "Excel-arbetsbok (.xlsx) och försök igen."
)
CHUNK = 64 * 1024
# Excel's own limits: a cell holds at most 32 767 characters; a sheet has
# 1 048 576 rows and 16 384 columns.
MAX_CELL_CHARS = 32_767
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
MAX_PARTS = 2_000


class UnsafeWorkbookError(DomainError):
    """The upload cannot be read within the limits, or is not a workbook; the
    message is Swedish and names no technical detail."""


@dataclass(frozen=True)
class Limits:
    """What one upload may cost. Parts the reader keeps in memory (shared
    strings) and parts it streams (sheets) share `part_bytes`; every other part
    (workbook, relations, styles, themes, pictures) has `small_part_bytes`."""

    file_bytes: int
    part_bytes: int = field(default_factory=lambda: settings.XLSX_PART_MAX_BYTES)
    small_part_bytes: int = field(
        default_factory=lambda: settings.XLSX_SMALL_PART_MAX_BYTES
    )
    unpacked_bytes: int = field(
        default_factory=lambda: settings.XLSX_UNPACKED_MAX_BYTES
    )
    rows: int = 100_000
    cells: int = 1_000_000

    @property
    def elements(self) -> int:
        """XML elements one sheet or the shared strings may have: parsing costs
        about a microsecond each, so this bounds the time too. A cell is two or
        three (c, v or is/t)."""
        return 3 * self.cells + 10_000
