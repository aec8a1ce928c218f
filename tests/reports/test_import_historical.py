"""Historical data, explicitly (issue #16 point 8): the import refuses a row to
be submitted with a required question unanswered unless staff choose
«Historiska uppgifter», on the staff page (in the request or in the worker) or
with `import_responses --historical`; the choice is in the summary and the
history.

The file: the small region questionnaire's two responses exported, Sörmland
(submitted) with its answer to the required question 2 blanked.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from intake.models import Response, ResponseEvent, ResponseStatus
from reports.models import ImportJob
from surveys.models import User
from tests.reports.conftest import EveryKind
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes

pytestmark = pytest.mark.django_db

REFUSAL = (
    "Rad 2: svaret är markerat som inskickat men obligatoriska frågor saknar svar "
    "(fråga 2). Läs in raden som ej inskickad, eller välj «Historiska uppgifter» "
    "om svaret skickades in så i ett tidigare år."
)
EVENT_REASON = (
    "Import från radata.csv (historiska uppgifter): obligatoriska frågor utan "
    "svar godtogs (fråga 2)"
)


def incomplete_file(every_kind: EveryKind) -> bytes:
    rows = csv_rows(export_bytes(every_kind.questionnaire))
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    rows[1][rows[0].index("q02_plan")] = ""
    return csv_bytes(rows)


def sormland(every_kind: EveryKind) -> Response:
    return Response.objects.get(
        questionnaire=every_kind.questionnaire, organisation__code="04"
    )


def upload(every_kind: EveryKind, content: bytes, **choices: str) -> dict[str, Any]:
    return {
        "questionnaire": every_kind.questionnaire.pk,
        "file": SimpleUploadedFile("radata.csv", content, content_type="text/csv"),
        "submit": "on",
        **choices,
    }


def test_the_page_refuses_without_the_choice_and_imports_with_it(
    client: Client, staff_user: User, every_kind: EveryKind
) -> None:
    content = incomplete_file(every_kind)
    client.force_login(staff_user)
    page = client.get(reverse("reports:import-upload")).content.decode()
    assert '<label for="id_historical">Historiska uppgifter' in page

    refused = client.post(
        reverse("reports:import-upload"), upload(every_kind, content)
    ).content.decode()
    assert f"<li>{REFUSAL}</li>" in refused
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()

    checked = client.post(
        reverse("reports:import-upload"),
        upload(every_kind, content, historical="on"),
    ).content.decode()
    assert (
        '<th scope="row">Historiska uppgifter</th><td>Ja: 1 inskickade svar '
        "behåller obligatoriska frågor utan svar</td>"
    ) in checked
    client.post(reverse("reports:import-confirm"))
    response = sormland(every_kind)
    assert response.status == ResponseStatus.SUBMITTED
    assert response.events.get(kind=ResponseEvent.Kind.SUBMITTED).reason == (
        EVENT_REASON
    )


def test_the_worker_keeps_the_choice_from_check_to_import(
    client: Client,
    staff_user: User,
    every_kind: EveryKind,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_IN_WORKER_BYTES = 100
    content = incomplete_file(every_kind)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:import-upload"),
            upload(every_kind, content, historical="on"),
        )
    job = ImportJob.objects.get()
    assert job.summary is not None
    assert (job.status, job.summary["historical"], job.summary["incomplete"]) == (
        "done",
        True,
        1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:import-job-confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (job.stage, job.status, job.summary["historical"]) == ("apply", "done", True)
    assert sormland(every_kind).events.get(kind="submitted").reason == EVENT_REASON


def test_the_worker_refuses_without_the_choice(
    client: Client,
    staff_user: User,
    every_kind: EveryKind,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_IN_WORKER_BYTES = 100
    content = incomplete_file(every_kind)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:import-upload"), upload(every_kind, content))
    job = ImportJob.objects.get()
    assert (job.status, job.errors) == ("failed", [REFUSAL])


def test_the_command_needs_the_flag(
    every_kind: EveryKind, tmp_path: Path, staff_user: User
) -> None:
    path = tmp_path / "radata.csv"
    path.write_bytes(incomplete_file(every_kind))
    arguments = [
        "import_responses", str(path), "--cycle", "2041", "--questionnaire", "region",
        "--actor", staff_user.email, "--submit",
    ]  # fmt: skip
    errors = StringIO()
    with pytest.raises(CommandError):
        call_command(*arguments, stderr=errors)
    assert REFUSAL in errors.getvalue()
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()

    out, warned = StringIO(), StringIO()
    call_command(*arguments, "--historical", stdout=out, stderr=warned)
    assert "Läste in 2 svar (2 nya, 0 ändrade, 1 inskickade)" in out.getvalue()
    assert "historiska uppgifter: de räknas som partiellt bortfall" in warned.getvalue()
    assert sormland(every_kind).events.get(kind="submitted").reason == EVENT_REASON
