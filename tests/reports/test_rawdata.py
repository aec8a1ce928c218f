"""Raw data: hand-written expected rows for a questionnaire with every kind, read
back from each format; the three kinds of missing; contacts only on request; the
frame's non-respondents; a fixed number of queries."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pyreadstat
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import Channel
from intake.services import get_or_create_response, save_answers, update_contact_details
from reports.rawdata import RawDataOptions, write_raw_data
from surveys.models import Kommun, Questionnaire, Region
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db

HEADER = [
    "orgkod",
    "orgnamn",
    "orgtyp",
    "regionkod",
    "rsskod",
    "status",
    "inskickad",
    "q01_breddinfort",
    "q01a_exempel",
    "q02_plan",
    "q03_grupper_barn",
    "q03_grupper_aldre",
    "q03_grupper_andra",
    "q04_uppfoljning_samverkan",
    "q04_uppfoljning_nav",
    "q05_antal",
    "q06_andel",
    "q07_ovrigt",
]
KRONOBERG_TEXT = 'Fritext; med semikolon och "citat"'


def submitted(every_kind: EveryKind) -> str:
    assert every_kind.sormland.submitted_at is not None
    return timezone.localtime(every_kind.sormland.submitted_at).isoformat()


def expected_code_rows(every_kind: EveryKind) -> list[list[str]]:
    return [
        ["04", "Region Sörmland", "region", "04", "", "submitted", submitted(every_kind),
         "1", "Hälsocentral i Flen", "2", "1", "0", "1", "1", "2", "1600000", "59.5", "-2"],
        ["07", "Region Kronoberg", "region", "07", "", "in_progress", "",
         "2", "-1", "1", "0", "1", "0", "2", "1", "-3", "12", KRONOBERG_TEXT],
    ]  # fmt: skip


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Swedish Excel needs
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def export(every_kind: EveryKind, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    write_raw_data(
        every_kind.questionnaire, out, format=fmt, options=RawDataOptions(**options)
    )  # type: ignore[arg-type]
    return out.getvalue()


def test_region_names_are_the_registers(every_kind: EveryKind) -> None:
    assert Region.objects.get(code="04").name == "Region Sörmland"
    assert Region.objects.get(code="07").name == "Region Kronoberg"


def test_csv_holds_codes_and_the_three_kinds_of_missing(every_kind: EveryKind) -> None:
    rows = csv_rows(export(every_kind, "csv"))
    assert rows[0] == HEADER
    assert rows[1:] == expected_code_rows(every_kind)


def test_csv_can_show_labels_and_a_decimal_comma(every_kind: EveryKind) -> None:
    rows = csv_rows(export(every_kind, "csv", values="labels", decimal_comma=True))
    assert rows[1][2:] == [
        "Region", "04", "", "Inskickad", submitted(every_kind),
        "Ja", "Hälsocentral i Flen", "Nej, men förslag finns", "1", "0", "1",
        "Ja", "Nej", "1600000", "59,5", "Ej besvarad",
    ]  # fmt: skip
    assert rows[2][2:] == [
        "Region", "07", "", "Pågår", "",
        "Nej", "Ej aktuell", "Ja", "0", "1", "0", "Nej", "Ja",
        "Antalet kan inte uppskattas", "12", KRONOBERG_TEXT,
    ]  # fmt: skip


def test_xlsx_holds_numbers_as_numbers(every_kind: EveryKind) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(export(every_kind, "xlsx")))
    sheet = workbook["Rådata"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1] == [
        "04", "Region Sörmland", "region", "04", None, "submitted", submitted(every_kind),
        1, "Hälsocentral i Flen", 2, 1, 0, 1, 1, 2, 1600000, 59.5, -2,
    ]  # fmt: skip
    assert rows[2] == [
        "07", "Region Kronoberg", "region", "07", None, "in_progress", None,
        2, -1, 1, 0, 1, 0, 2, 1, -3, 12, KRONOBERG_TEXT,
    ]  # fmt: skip


def test_spss_has_labels_and_declared_missing_values(every_kind: EveryKind) -> None:
    content = export(every_kind, "sav")
    data, meta = pyreadstat.read_sav(
        io.BytesIO(content), output_format="dict", user_missing=True
    )
    assert list(data) == HEADER
    assert data["q01_breddinfort"] == [1.0, 2.0]
    assert data["q01a_exempel"] == ["Hälsocentral i Flen", "-1"]
    assert data["q03_grupper_aldre"] == [0.0, 1.0]
    assert data["q04_uppfoljning_nav"] == [2.0, 1.0]
    assert data["q05_antal"] == [1600000.0, -3.0]
    assert data["q06_andel"] == [59.5, 12.0]
    assert data["q07_ovrigt"] == ["-2", KRONOBERG_TEXT]
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["q04_uppfoljning_nav"] == "4. Etikett 4 – Primärvården som nav"
    assert meta.variable_value_labels["q02_plan"] == {
        1.0: "Ja",
        2.0: "Nej, men förslag finns",
        3.0: "Nej",
        -1.0: "Ej aktuell",
        -2.0: "Ej besvarad",
    }
    assert (
        meta.variable_value_labels["q05_antal"][-3.0] == "Antalet kan inte uppskattas"
    )
    assert {r["lo"] for r in meta.missing_ranges["q05_antal"]} == {-1.0, -2.0, -3.0}
    # Read without user_missing, the reserved codes are missing, not numbers.
    plain, _ = pyreadstat.read_sav(io.BytesIO(content), output_format="dict")
    assert (
        plain["q05_antal"][1] is None or plain["q05_antal"][1] != plain["q05_antal"][1]
    )


def test_stata_has_labels_and_extended_missing_values(every_kind: EveryKind) -> None:
    content = export(every_kind, "dta")
    data, meta = pyreadstat.read_dta(
        io.BytesIO(content), output_format="dict", user_missing=True
    )
    assert list(data) == HEADER
    assert data["q01_breddinfort"] == [1, 2]
    assert data["q05_antal"] == [1600000, "c"]
    assert data["q06_andel"] == [59.5, 12]
    assert data["q07_ovrigt"] == ["-2", KRONOBERG_TEXT]
    assert meta.variable_value_labels["q01_breddinfort"] == {
        1: "Ja",
        2: "Nej",
        "a": "Ej aktuell",
        "b": "Ej besvarad",
    }
    assert meta.variable_value_labels["q05_antal"]["c"] == "Antalet kan inte uppskattas"
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["q01_breddinfort"] == "1. Etikett 1"


def test_contacts_are_left_out_unless_asked_for(every_kind: EveryKind) -> None:
    update_contact_details(
        every_kind.kronoberg,
        actor=every_kind.actor,
        name="Karin Kontakt",
        email="karin@kronoberg.test",
        phone="0470-123",
    )
    plain = export(every_kind, "csv")
    assert b"karin@kronoberg.test" not in plain
    rows = csv_rows(export(every_kind, "csv", include_contacts=True))
    assert rows[0][7:10] == ["kontakt_namn", "kontakt_epost", "kontakt_telefon"]
    assert rows[2][7:10] == ["Karin Kontakt", "karin@kronoberg.test", "0470-123"]
    assert rows[1][7:10] == ["", "", ""]


def test_nonrespondents_of_the_frame_can_be_included(every_kind: EveryKind) -> None:
    rows = csv_rows(export(every_kind, "csv", include_nonrespondents=True))
    assert len(rows) == 1 + 21
    by_code = {r[0]: r for r in rows[1:]}
    stockholm = by_code["01"]
    assert stockholm[5] == "not_started"
    assert stockholm[7:] == [""] * (len(HEADER) - 7)
    assert by_code["04"] == expected_code_rows(every_kind)[0]
    # Register order (sort_order), not answer order.
    assert [r[0] for r in rows[1:4]] == ["01", "03", "04"]


def test_a_kommun_row_carries_its_rss_in_the_cycles_year(db: None) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    get_or_create_response(questionnaire, organisation=Kommun.objects.get(code="0780"))
    rows = csv_rows(export_q(questionnaire))
    assert rows[1][:5] == ["0780", "Växjö", "kommun", "07", "rss-07"]


def export_q(questionnaire: Any, **options: Any) -> bytes:
    out = io.BytesIO()
    write_raw_data(questionnaire, out, format="csv", options=RawDataOptions(**options))
    return out.getvalue()


def add_respondents(every_kind: EveryKind, codes: list[str]) -> None:
    for code in codes:
        response = get_or_create_response(
            every_kind.questionnaire, organisation=Region.objects.get(code=code)
        )
        save_answers(
            response,
            actor=every_kind.actor,
            channel=Channel.IMPORT,
            values={"q01_breddinfort": "ja", "q03_grupper": ["barn"], "q06_andel": 5},
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "dta"])
def test_the_export_makes_the_same_number_of_queries_for_more_respondents(
    every_kind: EveryKind, fmt: str
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            export(every_kind, fmt, include_nonrespondents=True)
        return len(queries)

    count()  # builds the questionnaire's structure once (intake.selectors.questions_of)
    few = count()
    add_respondents(every_kind, ["01", "03", "05", "06", "08", "09"])
    assert count() == few == 3
