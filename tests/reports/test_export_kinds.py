"""Every registered export kind through the real call path (service -> on_commit
-> eager Celery task), and tables and rådata through the `export` command."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reports.exporters import get_kind
from reports.exports.jobs import request_export
from reports.models import ExportJob, ExportStatus
from surveys.models import Questionnaire, User
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db


def run(
    target: Any, actor: User, capture: Any, kind: str, fmt: str, **options: str
) -> ExportJob:
    with capture(execute=True):
        job = request_export(
            target, actor=actor, kind=kind, format=fmt, options=options
        )
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    return job


def content(job: ExportJob, media_root: Path) -> bytes:
    data = (media_root / job.file.name).read_bytes()
    assert data
    return data


@pytest.fixture
def questionnaire(every_kind: EveryKind) -> Questionnaire:
    return Questionnaire.objects.select_related("cycle").get(
        pk=every_kind.questionnaire.pk
    )


def test_every_kind_is_registered_with_its_formats() -> None:
    expected = {
        "tabeller": ("xlsx",),
        "radata": ("csv", "xlsx", "sav", "dta"),
        "kodbok": ("xlsx", "csv"),
        "radatapaket": ("zip",),
        "diagram": ("zip",),
        "kvalitetsdeklaration": ("docx",),
    }
    for key, formats in expected.items():
        kind = get_kind(key)
        assert kind is not None, key
        assert kind.formats == formats
    contacts = next(
        o for o in get_kind("radata").options if o.key == "kontaktuppgifter"
    )  # type: ignore[union-attr]
    assert contacts.default == "nej"  # personal data off by default


def test_tabeller(
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    job = run(
        questionnaire,
        staff_user,
        django_capture_on_commit_callbacks,
        "tabeller",
        "xlsx",
        niva="riket",
        avrundning="summa-100",
    )
    workbook = load_workbook(io.BytesIO(content(job, media_root)))
    assert workbook.sheetnames[0] == "Innehåll"
    assert "Manifest" in workbook.sheetnames
    assert job.manifest["row_counts"]["frågor"] == 8
    # Sörmland has submitted; Kronoberg's draft is left out, and the file says so.
    assert job.manifest["options"]["svar"] == "inskickade"
    assert job.manifest["row_counts"]["svarande"] == 1
    assert job.manifest["row_counts"]["ej_inskickade"] == 1
    facts = {r[0].value: r[1].value for r in workbook["Innehåll"].iter_rows(max_row=9)}
    assert facts["Svarande"] == "1 av 21"
    assert facts["Svar som ingår"] == (
        "Endast inskickade svar ingår; 1 påbörjade svar som inte har skickats in "
        "ingår inte."
    )
    assert job.file_name == "tabeller-2041-region.xlsx"


def test_preliminary_tables_count_drafts_and_say_so_under_every_table(
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    job = run(
        questionnaire,
        staff_user,
        django_capture_on_commit_callbacks,
        "tabeller",
        "xlsx",
        svar="paborjade",
    )
    assert job.manifest["options"]["svar"] == "paborjade"
    assert job.manifest["row_counts"]["svarande"] == 2
    workbook = load_workbook(io.BytesIO(content(job, media_root)))
    sheet = workbook["Fråga 1"]
    sources = [
        c.value
        for c in sheet["A"]
        if isinstance(c.value, str) and c.value.startswith("Källa:")
    ]
    assert sources
    assert all(
        s.endswith("Preliminära siffror: även svar som inte har skickats in ingår.")
        for s in sources
    )


def test_the_chart_zip_records_which_responses_it_counts(
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    submitted = run(
        questionnaire, staff_user, django_capture_on_commit_callbacks, "diagram", "zip"
    )
    preliminary = run(
        questionnaire,
        staff_user,
        django_capture_on_commit_callbacks,
        "diagram",
        "zip",
        svar="paborjade",
    )
    assert submitted.manifest["row_counts"]["svarande"] == 1
    assert preliminary.manifest["row_counts"]["svarande"] == 2
    assert preliminary.manifest["extra"]["svar_som_ingar"].startswith(
        "Preliminära siffror"
    )


def test_an_unknown_selection_is_refused_in_swedish(
    questionnaire: Questionnaire, staff_user: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        request_export(
            questionnaire,
            actor=staff_user,
            kind="tabeller",
            format="xlsx",
            options={"svar": "alla"},
        )
    assert "Svar som ingår: välj inskickade eller paborjade" in str(refused.value)


def test_tabeller_refuses_a_level_the_questionnaire_lacks(
    questionnaire: Questionnaire,
    staff_user: User,
    client: Client,
) -> None:
    """Refused when ordered, with the reason, and no job is queued."""
    with pytest.raises(ValidationError) as refused:
        request_export(
            questionnaire,
            actor=staff_user,
            kind="tabeller",
            format="xlsx",
            options={"niva": "kommun"},
        )
    assert refused.value.message_dict["options"][0].startswith(
        "Nivån ”kommun” finns inte för Testenkät"
    )
    assert not ExportJob.objects.exists()
    client.force_login(staff_user)
    page = client.post(
        reverse("reports:export-list"),
        {
            "target": f"questionnaire:{questionnaire.pk}",
            "kind": "tabeller",
            "format": "xlsx",
            "options": "niva=kommun",
        },
    )
    assert page.status_code == 200
    assert "Nivån ”kommun” finns inte för Testenkät" in page.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "dta"])
def test_radata(
    fmt: str,
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
    tmp_path: Path,
) -> None:
    job = run(
        questionnaire,
        staff_user,
        django_capture_on_commit_callbacks,
        "radata",
        fmt,
        varden="etiketter",
    )
    data = content(job, media_root)
    assert job.manifest["row_counts"]["rader"] == 2
    if fmt == "csv":
        header = data.decode("utf-8-sig").splitlines()[0].split(";")
        assert header[:2] == ["orgkod", "orgnamn"]
        assert "kontakt_epost" not in header
    elif fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(data))
        assert workbook.sheetnames == ["Rådata", "Manifest"]
        assert workbook["Rådata"].max_row == 3
    else:
        path = tmp_path / f"radata.{fmt}"
        path.write_bytes(data)
        reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        frame, _ = reader(str(path))
        assert len(frame) == 2
        assert "q01_breddinfort" in frame.columns


def test_radata_with_nonrespondents_and_contacts(
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    job = run(
        questionnaire,
        staff_user,
        django_capture_on_commit_callbacks,
        "radata",
        "csv",
        **{"ej-svarande": "ja", "kontaktuppgifter": "ja"},
    )
    lines = content(job, media_root).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 21
    assert "kontakt_epost" in lines[0].split(";")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_kodbok(
    fmt: str,
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    job = run(
        questionnaire, staff_user, django_capture_on_commit_callbacks, "kodbok", fmt
    )
    data = content(job, media_root)
    variables = job.manifest["row_counts"]["variabler"]
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(data))["Kodbok"].max_row == 1 + variables
    else:
        assert len(data.decode("utf-8-sig").splitlines()) == 1 + variables


def test_radatapaket(
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    job = run(
        questionnaire,
        staff_user,
        django_capture_on_commit_callbacks,
        "radatapaket",
        "zip",
    )
    with zipfile.ZipFile(io.BytesIO(content(job, media_root))) as archive:
        names = sorted(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert names == sorted(
        [f"2041_region_radata.{f}" for f in ("csv", "xlsx", "sav", "dta")]
        + ["2041_region_kodbok.xlsx", "2041_region_kodbok.csv", "manifest.json"]
        + ["2041_region_rattningar.csv"]
    )
    assert manifest["rows"] == 2
    assert job.manifest["row_counts"]["filer"] == 8


def test_diagram(
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    job = run(
        questionnaire, staff_user, django_capture_on_commit_callbacks, "diagram", "zip"
    )
    with zipfile.ZipFile(io.BytesIO(content(job, media_root))) as archive:
        names = sorted(archive.namelist())
        png = archive.read("fraga-1.png")
    # At riket the closed questions 1, 2, 3 and the matrix 4 (two rows); per
    # region (the questionnaire's own level) also the numbers 5 and 6, one chart
    # per option of the multiple choice 3 (three options) and per matrix row;
    # not the free text.
    assert names == sorted(
        [
            "fraga-1.png",
            "fraga-2.png",
            "fraga-3.png",
            "fraga-4-1.png",
            "fraga-4-2.png",
            "fraga-1-region-1.png",
            "fraga-2-region-1.png",
            "fraga-3-region-1.png",
            "fraga-3-region-2.png",
            "fraga-3-region-3.png",
            "fraga-4-region-1.png",
            "fraga-4-region-2.png",
            "fraga-5-region-1.png",
            "fraga-6-region-1.png",
            "manifest.json",
        ]
    )
    assert png.startswith(b"\x89PNG")
    assert job.manifest["row_counts"] == {"diagram": 14, "svarande": 1}


def test_kvalitetsdeklaration(
    questionnaire: Questionnaire,
    staff_user: User,
    django_capture_on_commit_callbacks: Any,
    media_root: Path,
) -> None:
    job = run(
        questionnaire.cycle,
        staff_user,
        django_capture_on_commit_callbacks,
        "kvalitetsdeklaration",
        "docx",
    )
    document = Document(io.BytesIO(content(job, media_root)))
    assert any("Kvalitetsdeklaration" in p.text for p in document.paragraphs)
    assert job.file_name == "kvalitetsdeklaration-2041.docx"


def test_the_command_writes_tables_and_radata(
    questionnaire: Questionnaire, tmp_path: Path
) -> None:
    tables = tmp_path / "tabeller.xlsx"
    call_command(
        "export",
        "--cycle",
        "2041",
        "--questionnaire",
        "region",
        "--kind",
        "tabeller",
        "--format",
        "xlsx",
        "--output",
        str(tables),
        "--option",
        "niva=region",
    )
    assert "Fråga 1" in load_workbook(tables).sheetnames
    manifest = json.loads((tmp_path / "tabeller.xlsx.manifest.json").read_text())
    assert manifest["options"] == {
        "niva": "region",
        "avrundning": "cellvis",
        "svar": "inskickade",
    }
    raw = tmp_path / "radata.sav"
    call_command(
        "export",
        "--cycle",
        "2041",
        "--questionnaire",
        "region",
        "--kind",
        "radata",
        "--format",
        "sav",
        "--output",
        str(raw),
    )
    frame, _ = pyreadstat.read_sav(str(raw))
    assert len(frame) == 2
