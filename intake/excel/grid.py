"""What reading a returned Excel copy works on: a sheet's values by cell, read
once (`_Grid`), and the problems found, each with its sheet and cell
(`WorkbookError`). Below both the reader's checks and the value parsing, which
report problems the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl.utils import get_column_letter

from surveys.xlsx_safety import (
    SafeWorkbook,
)

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


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
