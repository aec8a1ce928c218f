"""The Svarsstatus export against hand-written tables, and its query budget."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from intake.models import Channel
from intake.services import get_or_create_response, save_answers, submit_response
from reports.exporters import run_exporter
from reports.exports.svarsstatus import SVARSSTATUS
from reports.selectors import response_status_rows
from surveys.models import OrganisationKind, Questionnaire, Region, User
from tests.factories import OrganisationFactory
from tests.reports.conftest import build_status_questionnaire

pytestmark = pytest.mark.django_db

HEADER = [
    "Kod",
    "Organisation",
    "Status",
    "Inskickad",
    "Besvarade obligatoriska frågor",
    "Obligatoriska frågor",
]
# The first five regions in published order, as the fixture answered them.
FIRST_ROWS = [
    ["01", "Region Stockholm", "Inskickad", "2025-03-14 09:30", "2", "2"],
    ["03", "Region Uppsala", "Ej påbörjad", "", "0", "2"],
    ["04", "Region Sörmland", "Pågår", "", "1", "2"],
    ["05", "Region Östergötland", "Ej påbörjad", "", "0", "2"],
    ["06", "Region Jönköpings län", "Ej påbörjad", "", "0", "2"],
]
LAST_ROW = ["25", "Region Norrbotten", "Ej påbörjad", "", "0", "2"]


def export(
    questionnaire: Questionnaire, tmp_path: Path, fmt: str, **options: str
) -> Path:
    path = tmp_path / f"svarsstatus.{fmt}"
    run_exporter(
        questionnaire,
        kind=SVARSSTATUS,
        format=fmt,
        options={"urval": "alla", **options},
        path=path,
        file_name=path.name,
    )
    return path


def test_the_csv_lists_every_region_of_the_frame_with_status_and_progress(
    status_questionnaire: Questionnaire, tmp_path: Path
) -> None:
    raw = export(status_questionnaire, tmp_path, "csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads å, ä, ö
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADER
    assert rows[1:6] == FIRST_ROWS
    assert rows[-1] == LAST_ROW
    assert len(rows) == 1 + 21


def test_the_selection_of_those_not_submitted_leaves_out_stockholm(
    status_questionnaire: Questionnaire, tmp_path: Path
) -> None:
    path = export(status_questionnaire, tmp_path, "csv", urval="ej-inskickade")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    assert rows[1:4] == FIRST_ROWS[1:4]
    assert len(rows) == 1 + 20


def test_the_xlsx_has_the_same_table_with_real_dates_and_numbers(
    status_questionnaire: Questionnaire, tmp_path: Path
) -> None:
    workbook = load_workbook(export(status_questionnaire, tmp_path, "xlsx"))
    sheet = workbook["Svarsstatus"]
    assert sheet["A1"].value == "Svarsstatus: Testenkät till regionerna 2041"
    assert sheet["A2"].value.startswith("1 av 21 har skickat in")
    assert [c.value for c in sheet[4]] == HEADER
    assert [c.value for c in sheet[5]] == [
        "01",
        "Region Stockholm",
        "Inskickad",
        datetime.datetime(2025, 3, 14, 9, 30),  # noqa: DTZ001 - Excel has no zones
        2,
        2,
    ]
    assert sheet["D5"].number_format == "yyyy-mm-dd hh:mm"
    assert [c.value for c in sheet[7]] == ["04", "Region Sörmland", "Pågår", None, 1, 2]
    assert sheet.max_row == 4 + 21
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:F25"


def test_the_manifest_counts_the_frame_and_the_submitted(
    status_questionnaire: Questionnaire, tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    manifest = run_exporter(
        status_questionnaire,
        kind=SVARSSTATUS,
        format="csv",
        options={"urval": "ej-inskickade"},
        path=path,
        file_name="svarsstatus-2041-region.csv",
    )
    assert manifest.row_counts == {"ram": 21, "inskickade": 1, "rader": 20}
    assert manifest.cycle == 2041
    assert manifest.questionnaire == {
        "key": "region",
        "title": "Testenkät till regionerna 2041",
        "version": 1,
        "content_hash": "test",
    }
    assert manifest.options == {"urval": "ej-inskickade"}
    assert manifest.file_name == "svarsstatus-2041-region.csv"
    assert manifest.software_version == "0.1.0"
    assert manifest.data_as_of is not None


def test_a_follow_up_that_is_not_shown_is_not_required(
    staff_user: User,
) -> None:
    questionnaire = build_status_questionnaire(2042)
    follow_up = questionnaire.questions.get(variable="q2")
    follow_up.condition = {"question": "q1", "equals": "ja"}
    follow_up.save()
    response = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="01")
    )
    save_answers(response, actor=staff_user, channel=Channel.WEB, values={"q1": "nej"})
    submit_response(response, actor=staff_user)
    rows = response_status_rows(questionnaire)
    assert (rows[0].code, rows[0].answered, rows[0].required) == ("01", 1, 1)
    # Nobody has answered q1 elsewhere, so q2 is not shown to them either.
    assert (rows[1].answered, rows[1].required) == (0, 1)


def add_regions_with_answers(
    questionnaire: Questionnaire, staff: User, *, extra: int
) -> None:
    for index in range(extra):
        organisation = OrganisationFactory(
            kind=OrganisationKind.REGION, sort_order=100 + index
        )
        response = get_or_create_response(questionnaire, organisation=organisation)
        save_answers(
            response,
            actor=staff,
            channel=Channel.IMPORT,
            values={"q1": "ja", "q2": f"Svar {index}"},
        )
        if index % 2:
            submit_response(response, actor=staff)


@pytest.mark.parametrize("extra", [0, 12])
def test_the_export_makes_the_same_number_of_queries_whatever_the_frame(
    status_questionnaire: Questionnaire,
    staff_user: User,
    tmp_path: Path,
    extra: int,
    django_assert_num_queries: object,
) -> None:
    add_regions_with_answers(status_questionnaire, staff_user, extra=extra)
    export(status_questionnaire, tmp_path, "csv")  # builds the structure once
    for fmt in ("csv", "xlsx"):
        # Frame, responses with their answered counts, data as of (the questions
        # with options and rows were built by the export before). (No display conditions here, so no answers are read:
        # tests/reports/test_svarsstatus_counts.py pins the case with them.)
        with django_assert_num_queries(3):  # type: ignore[operator]
            path = export(status_questionnaire, tmp_path, fmt)
    rows = list(
        csv.reader(
            io.StringIO(
                export(status_questionnaire, tmp_path, "csv").read_text("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert len(rows) == 1 + 21 + extra
    assert path.exists()
