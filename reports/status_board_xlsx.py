"""The status board as an Excel workbook (issue #15 point 2): the rows the
staff member filtered, and the response rates per level and per län. Numbers
are numbers and dates are dates, so staff can sort and sum in Excel."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from reports.status_board import Board, BoardRow
from surveys.sheet_text import harden_workbook, xlsx_value

HEADER = [
    "Målgrupp",
    "Enkät",
    "Kod",
    "Organisation",
    "Län",
    "RSS",
    "Status",
    "Besvarade obligatoriska frågor",
    "Obligatoriska frågor som visas",
    "Andel besvarade",
    "Senaste aktivitet",
    "Inskickad",
    "Sista dag",
    "Förlängd",
    "Antal påminnelser",
    "Senaste påminnelse",
    "Kontakter",
]
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
PERCENT = "0%"


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    """Excel has no time zones: the local time, as staff saw it on the board."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _row(row: BoardRow) -> list[object]:
    return [
        row.level,
        row.questionnaire.title,
        row.code,
        row.name,
        row.lan,
        row.rss_name,
        row.status_label,
        row.answered,
        row.required,
        row.share_answered,
        _local(row.updated_at),
        _local(row.submitted_at),
        row.deadline,
        "Ja" if row.extended else "Nej",
        row.n_reminders,
        _local(row.last_reminder_at),
        ", ".join(row.contacts),
    ]


_FORMATS = {10: PERCENT, 11: DATETIME, 12: DATETIME, 13: DATE, 16: DATETIME}


def status_board_workbook(board: Board, rows: Sequence[BoardRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "Status"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([xlsx_value(value) for value in _row(row)])
    for column, number_format in _FORMATS.items():
        for (cell,) in sheet.iter_rows(
            min_row=2, min_col=column, max_col=column, max_row=len(rows) + 1
        ):
            cell.number_format = number_format
    sheet.freeze_panes = "E2"

    rates = workbook.create_sheet("Svarsfrekvens")
    rates.append(
        ["Målgrupp", "Län", "Förväntade", "Inskickade", "Påbörjade", "Svarsfrekvens"]
    )
    for cell in rates[1]:
        cell.font = Font(bold=True)
    for level in board.rates:
        for rate in [level.overall, *level.by_lan]:
            rates.append(
                [
                    level.level,
                    "Alla län" if rate is level.overall else rate.label,
                    rate.total,
                    rate.submitted,
                    rate.started,
                    rate.share,
                ]
            )
            rates.cell(row=rates.max_row, column=6).number_format = PERCENT
    buffer = BytesIO()
    harden_workbook(workbook)
    workbook.save(buffer)
    return buffer.getvalue()
