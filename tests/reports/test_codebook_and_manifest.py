"""The codebook (one row per raw-data column) and the manifest written with every
export: fields, counts and SHA-256 of each file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from intake.models import Response
from intake.services import correct_answer
from reports.codebook import codebook_rows, condition_in_words
from reports.exports.bundle import export_raw_data
from reports.rawdata import RawDataOptions
from surveys.models import Question, User
from tests.reports.conftest import EveryKind
from tests.reports.helpers import csv_rows

pytestmark = pytest.mark.django_db


def test_the_codebook_has_one_row_per_column(every_kind: EveryKind) -> None:
    rows = codebook_rows(every_kind.questionnaire)
    assert [r.variable for r in rows][:8] == [
        "orgkod", "orgnamn", "orgtyp", "regionkod", "rsskod", "status", "inskickad",
        "q01_breddinfort",
    ]  # fmt: skip
    assert len(rows) == 18
    by_name = {r.variable: r for r in rows}
    follow_up = by_name["q01a_exempel"]
    assert follow_up.number == "1a"
    assert follow_up.condition == "Besvaras om q01_breddinfort = Ja"
    assert (
        follow_up.missing == "-1 = Ej aktuell (Stata .a); -2 = Ej besvarad (Stata .b)"
    )
    assert by_name["q02_plan"].values == "1 = Ja; 2 = Nej, men förslag finns; 3 = Nej"
    assert by_name["q03_grupper_andra"].values == (
        "1 = Vald; 0 = Ej vald; 0 i alla frågans kolumner: svarat «Inget av "
        "alternativen» (räknas i basen)"
    )
    assert by_name["q03_grupper_andra"].label == "3. Etikett 3 – Andra"
    andel = by_name["q06_andel"]
    assert andel.missing == (
        "-1 = Ej aktuell (Stata .a); -2 = Ej besvarad (Stata .b); "
        "-3 = Andelen kan inte uppskattas (Stata .c)"
    )
    assert (andel.unit, andel.reference_period, andel.lineage_key) == (
        "%",
        "31 december 2041",
        "q06_andel",
    )
    assert andel.values == "Tal (minst 0, högst 100)"
    assert andel.kind == "Andel (procent)"


def test_conditions_read_as_words(db: None) -> None:
    questions = {
        q.variable: q
        for q in Question.objects.filter(
            questionnaire__cycle__year=2024, questionnaire__key="region"
        ).prefetch_related("options")
    }
    assert (
        condition_in_words(
            {"question": "r04_handlingsplan", "in": ["ja", "nej_forslag"]}, questions
        )
        == "Besvaras om r04_handlingsplan = Ja eller Nej, men förslag finns framtaget"
    )
    assert (
        condition_in_words({"question": "r08_uppfoljning", "any_row": "ja"}, questions)
        == "Besvaras om någon rad i r08_uppfoljning = Ja"
    )
    assert (
        condition_in_words(
            {"all": [{"question": "r35_andel", "escaped": True},
                     {"question": "r02_breddinfort", "answered": True}]},
            questions,
        )
        == "Besvaras om r35_andel = Andelen kan inte uppskattas och r02_breddinfort är besvarad"
    )  # fmt: skip


def test_the_export_writes_every_file_and_a_manifest(
    every_kind: EveryKind, tmp_path: Path
) -> None:
    manifest = export_raw_data(
        every_kind.questionnaire,
        tmp_path,
        options=RawDataOptions(values="labels", include_nonrespondents=True),
    )
    written = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    q = every_kind.questionnaire
    assert written["cycle"] == q.cycle.year
    assert written["questionnaire_key"] == "region"
    assert written["questionnaire_title"] == "Testenkät"
    assert written["questionnaire_version"] == q.version
    assert written["questionnaire_content_hash"] == q.content_hash
    assert written["options"] == {
        "values": "labels",
        "include_nonrespondents": True,
        "include_contacts": False,
        "decimal_comma": False,
        "formats": ["csv", "xlsx", "sav", "dta"],
    }
    assert written["rows"] == 21
    assert written["columns"] == 18
    assert written["software"]["package"] == "naravard"
    assert written["software"]["version"]
    assert written["data_as_of"] == manifest.header()["data_as_of"]
    names = [f["name"] for f in written["files"]]
    assert names == [
        "2041_region_radata.csv",
        "2041_region_radata.xlsx",
        "2041_region_radata.sav",
        "2041_region_radata.dta",
        "2041_region_rattningar.csv",
        "2041_region_kodbok.xlsx",
        "2041_region_kodbok.csv",
    ]
    for entry in written["files"]:
        content = (tmp_path / entry["name"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        assert entry["bytes"] == len(content)
    assert [f["rows"] for f in written["files"]] == [21, 21, 21, 21, 0, 18, 18]
    assert len(csv_rows((tmp_path / "2041_region_radata.csv").read_bytes())) == 22
    workbook = openpyxl.load_workbook(tmp_path / "2041_region_radata.xlsx")
    sheet = dict(workbook["Manifest"].iter_rows(min_row=2, values_only=True))
    assert sheet["questionnaire_content_hash"] == q.content_hash
    assert sheet["rows"] == 21
    codebook = openpyxl.load_workbook(tmp_path / "2041_region_kodbok.xlsx")
    assert codebook["Kodbok"]["A1"].value == "Variabel"
    assert codebook["Kodbok"].max_row == 19


def test_the_package_lists_socialstyrelsens_corrections_with_the_value_given(
    every_kind: EveryKind, tmp_path: Path, staff_user: User
) -> None:
    """The raw data carries the corrected value; the corrections file the value
    as the respondent gave it, coded as in the raw data, and the reason."""
    sormland = every_kind.sormland
    correct_answer(
        sormland,
        actor=staff_user,
        variable="q05_antal",
        value="160000",
        reason="En nolla för mycket enligt regionen",
    )
    correct_answer(
        Response.objects.get(pk=sormland.pk),
        actor=staff_user,
        variable="q06_andel",
        value={"escaped": True},
        reason="Andelen avser bara egna vårdcentraler",
    )
    manifest = export_raw_data(every_kind.questionnaire, tmp_path)
    rows = csv_rows((tmp_path / "2041_region_rattningar.csv").read_bytes())
    assert [r[:7] for r in rows] == [
        ["orgkod", "orgnamn", "variabel", "fraga", "varde_fore", "varde_efter", "skal"],
        ["04", "Region Sörmland", "q05_antal", "5", "1600000", "160000",
         "En nolla för mycket enligt regionen"],
        ["04", "Region Sörmland", "q06_andel", "6", "59.5", "-3",
         "Andelen avser bara egna vårdcentraler"],
    ]  # fmt: skip
    assert rows[1][7].startswith(str(timezone.localdate().year))
    entry = next(f for f in manifest.files if f.name.endswith("_rattningar.csv"))
    assert (entry.kind, entry.rows, entry.columns) == ("rättningar", 2, 8)
    raw = csv_rows((tmp_path / "2041_region_radata.csv").read_bytes())
    sormland_row = next(r for r in raw if r[0] == "04")
    assert sormland_row[raw[0].index("q05_antal")] == "160000"
    assert sormland_row[raw[0].index("q06_andel")] == "-3"
