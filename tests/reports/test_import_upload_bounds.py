"""The staff raw-data import is bounded in memory and time whatever the file
holds (issue #13 point 6): real uploads through the import page of hostile
files (tests/hostile_xlsx.py), the request's peak memory measured by tracemalloc."""

from __future__ import annotations

import datetime
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.models import Response
from reports.exports.jobs import delete_expired_export_files
from reports.models import ImportJob
from reports.tasks import recover_export_jobs_task
from surveys.models import User
from tests.hostile_xlsx import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    MALFORMED,
    inflated_styles,
    minimal_xlsx,
    with_parts,
)
from tests.reports.conftest import EveryKind
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes

pytestmark = pytest.mark.django_db

PEAK_LIMIT = 200 * 1024 * 1024
NOT_XLSX = (
    "Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den som "
    "Excel-arbetsbok (.xlsx) och försök igen."
)


@pytest.fixture
def staff_client(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


def emptied_rows(every_kind: EveryKind) -> list[list[str]]:
    rows = csv_rows(export_bytes(every_kind.questionnaire))
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    return rows


def measured(call: Callable[[], Any]) -> tuple[Any, int, float]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.monotonic() - started
    print(f"peak {peak / 1e6:.1f} MB in {seconds:.2f} s")  # shown with -s
    return result, peak, seconds


def post(
    client: Client, every_kind: EveryKind, content: bytes, name: str = "radata.xlsx"
) -> tuple[str, int, float]:
    def send() -> Any:
        return client.post(
            reverse("reports:import-upload"),
            {
                "questionnaire": every_kind.questionnaire.pk,
                "file": SimpleUploadedFile(name, content),
            },
        )

    response, peak, seconds = measured(send)
    assert response.status_code == 200
    return response.content.decode(), peak, seconds


def test_a_small_file_declaring_the_whole_sheet_is_read_normally(
    staff_client: Client, every_kind: EveryKind
) -> None:
    """The 1.6 KB file of the issue claimed `A1:XFD1048576` and took 3.3 GB: the
    claim is ignored and the two rows are read."""
    hostile = minimal_xlsx(emptied_rows(every_kind), dimension="A1:XFD1048576")
    text, peak, seconds = post(staff_client, every_kind, hostile)
    assert "Filen är kontrollerad" in text
    assert '<th scope="row">Svar som läses in</th><td>2</td>' in text
    assert peak < PEAK_LIMIT, peak
    assert seconds < 30, seconds


def test_a_value_in_the_last_row_of_the_sheet_is_refused(
    staff_client: Client, every_kind: EveryKind
) -> None:
    rows = emptied_rows(every_kind)
    tiny = minimal_xlsx(rows)
    far = minimal_xlsx(
        rows,
        sheet_part=(
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/>'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>orgkod</t></is>'
            '</c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>'
            "</sheetData></worksheet>"
        ),
    )
    assert len(far) < len(tiny) < 5_000
    text, peak, _ = post(staff_client, every_kind, far)
    assert "Bladet «Rådata» har fler än 10 000 rader" in text
    assert peak < PEAK_LIMIT, peak


def test_styles_that_unpack_to_85_mb_are_refused(
    staff_client: Client, every_kind: EveryKind
) -> None:
    hostile = with_parts(
        minimal_xlsx(emptied_rows(every_kind)), {"xl/styles.xml": inflated_styles()}
    )
    assert len(hostile) < 1_000_000
    text, peak, seconds = post(staff_client, every_kind, hostile)
    assert "Filen är för stor när den packas upp" in text
    assert peak < PEAK_LIMIT, peak
    assert seconds < 30, seconds


@pytest.mark.parametrize(
    "sheet_xml",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, MALFORMED],
    ids=["billion-laughs", "external-entity", "malformed"],
)
def test_entity_attacks_and_broken_xml_get_the_swedish_message(
    staff_client: Client, every_kind: EveryKind, sheet_xml: str
) -> None:
    text, _, _ = post(staff_client, every_kind, minimal_xlsx([], sheet_part=sheet_xml))
    assert NOT_XLSX in text
    assert "root:" not in text
    assert "lollol" not in text


def test_a_csv_of_millions_of_delimiters_is_refused(
    staff_client: Client, every_kind: EveryKind, settings: Any
) -> None:
    # Read in the request here so that the test client measures it; the worker
    # reads with the same bound.
    settings.IMPORT_IN_WORKER_BYTES = 50 * 1024 * 1024
    hostile = b"orgkod;" + b";" * 15_000_000
    text, peak, _ = post(staff_client, every_kind, hostile, name="radata.csv")
    assert "Filen har fler än 500 000 celler" in text
    assert peak < PEAK_LIMIT, peak


# --- large files: checked and imported by the worker ------------------------------------


def test_a_large_file_is_checked_and_imported_by_the_worker(
    client: Client,
    staff_user: User,
    region_user: User,
    every_kind: EveryKind,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_IN_WORKER_BYTES = 100
    content = csv_bytes(emptied_rows(every_kind))
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        sent = client.post(
            reverse("reports:import-upload"),
            {
                "questionnaire": every_kind.questionnaire.pk,
                "file": SimpleUploadedFile("radata.csv", content),
                "submit": "on",
            },
        )
    job = ImportJob.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("reports:import-job", args=[job.pk])
    # Until the worker has run, the page says so and reloads itself.
    waiting = client.get(sent["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting
    assert "kontrolleras i bakgrunden" in waiting
    for callback in queued:
        callback()
    checked = client.get(sent["Location"]).content.decode()
    assert "http-equiv" not in checked
    assert "Filen är kontrollerad" in checked
    assert '<th scope="row">Svar som läses in</th><td>2</td>' in checked
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()

    # Others cannot see or confirm it.
    other = Client()
    other.force_login(region_user)
    assert other.get(sent["Location"]).status_code == 404
    confirm = reverse("reports:import-job-confirm", args=[job.pk])
    assert other.post(confirm).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm)
    done = client.get(sent["Location"]).content.decode()
    assert "2 svar lästes in (2 nya, 0 ändrade, 1 inskickade)." in done
    assert Response.objects.filter(questionnaire=every_kind.questionnaire).count() == 2
    job.refresh_from_db()
    assert (job.stage, job.status, job.file.name) == ("apply", "done", "")
    # A second confirm does nothing but say so.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(confirm, follow=True)
    assert "Filen är redan inläst eller inte kontrollerad." in again.content.decode()


def test_a_large_file_with_errors_reports_them_from_the_worker(
    client: Client,
    staff_user: User,
    every_kind: EveryKind,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_IN_WORKER_BYTES = 100
    rows = emptied_rows(every_kind)
    rows[1][rows[0].index("q01_breddinfort")] = "Kanske"
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("reports:import-upload"),
            {
                "questionnaire": every_kind.questionnaire.pk,
                "file": SimpleUploadedFile("radata.csv", csv_bytes(rows)),
            },
        )
    page = client.get(sent["Location"]).content.decode()
    assert "«Kanske» är inget svarsalternativ" in page
    assert "Läs in</button>" not in page
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()


def test_an_unconfirmed_large_file_is_deleted_after_a_day(
    client: Client,
    staff_user: User,
    every_kind: EveryKind,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_IN_WORKER_BYTES = 100
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:import-upload"),
            {
                "questionnaire": every_kind.questionnaire.pk,
                "file": SimpleUploadedFile(
                    "radata.csv", csv_bytes(emptied_rows(every_kind))
                ),
            },
        )
    job = ImportJob.objects.get()
    stored = job.file.name
    assert job.file.storage.exists(stored)
    delete_expired_export_files(now=timezone.now() + datetime.timedelta(hours=23))
    assert job.file.storage.exists(stored)
    delete_expired_export_files(now=timezone.now() + datetime.timedelta(hours=25))
    job.refresh_from_db()
    assert job.file.name == ""
    assert not job.file.storage.exists(stored)


def test_an_import_job_whose_worker_died_is_checked_again_or_failed_clearly(
    client: Client,
    staff_user: User,
    every_kind: EveryKind,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_IN_WORKER_BYTES = 100
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=False):
        sent = client.post(
            reverse("reports:import-upload"),
            {
                "questionnaire": every_kind.questionnaire.pk,
                "file": SimpleUploadedFile(
                    "radata.csv", csv_bytes(emptied_rows(every_kind))
                ),
            },
        )
    job = ImportJob.objects.get()
    # What a worker killed after claiming the check leaves: running, untouched.
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.EXPORT_JOB_TIMEOUT_SECONDS
        + 60
        + settings.EXPORT_STALE_SECONDS
        + 1
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running", updated_at=long_ago)
    recent = ImportJob.objects.filter(pk=job.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_export_jobs_task()["imports_requeued"] == 1
    assert recent.get().status == "done", "the check ran again (tasks run in-process)"
    assert "Filen är kontrollerad" in client.get(sent["Location"]).content.decode()

    # An interrupted import may or may not have committed: failed, and said so.
    recent.update(stage="apply", status="running", updated_at=long_ago)
    assert recover_export_jobs_task()["imports_failed"] == 1
    page = client.get(sent["Location"]).content.decode()
    assert "Inläsningen avbröts eftersom arbetsprocessen" in page
    # A job still within its time limit is left alone.
    recent.update(status="running", updated_at=timezone.now())
    assert recover_export_jobs_task()["imports_failed"] == 0
