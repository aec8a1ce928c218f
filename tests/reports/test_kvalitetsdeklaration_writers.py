"""The worksheet writer as the table workbook calls it, and the standard texts'
placeholders filled from the frame."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from reports.kvalitetsdeklaration.services import create_kvalitetsdeklaration
from reports.kvalitetsdeklaration.writers import write_kvalitetsdeklaration_sheet
from surveys.models import Cycle, User

pytestmark = pytest.mark.django_db


def test_it_adds_one_sheet_to_an_existing_workbook(staff_user: User) -> None:
    cycle = Cycle.objects.get(year=2024)
    create_kvalitetsdeklaration(cycle, actor=staff_user)
    workbook = Workbook()
    workbook.active.title = "Tabell 1"

    sheet = write_kvalitetsdeklaration_sheet(workbook, cycle)

    assert workbook.sheetnames == ["Tabell 1", "Kvalitetsdeklaration"]
    values = {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row}
    assert sheet["A1"].value == (
        "Kvalitetsdeklaration: Uppföljning av omställningen till god och nära vård 2024"
    )
    assert sheet["A1"].font.bold
    route = next(
        sheet.cell(r, 2).value
        for r in range(1, sheet.max_row + 1)
        if sheet.cell(r, 1).value == "Kommunernas väg in i undersökningen"
    )
    assert route.startswith(
        "De 24 RSS:erna ska i sin enkät sammanfatta vad 290 kommuner"
    )
    assert "RSS:erna i ramen finns i 21 län." in values.values()
    frame_rows = [
        tuple(sheet.cell(r, c).value for c in range(1, 4))
        for r in range(1, sheet.max_row + 1)
    ]
    assert ("Enkät till regionerna 2024", "Regioner", "21") in frame_rows
    assert ("Enkät till RSS 2024", "RSS", "24") in frame_rows


def test_it_works_before_the_declaration_is_created() -> None:
    workbook = Workbook()
    sheet = write_kvalitetsdeklaration_sheet(workbook, Cycle.objects.get(year=2019))
    texts = [sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)]
    assert "[Ej ifyllt]" in texts  # staff texts not yet written
    assert any(t and t.startswith("Denna kvalitetsdeklaration utgör") for t in texts)
