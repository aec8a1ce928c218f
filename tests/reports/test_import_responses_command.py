"""The import_responses command: thin over the service."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from intake.models import Response, ResponseStatus
from surveys.models import User
from tests.reports.conftest import EveryKind
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes

pytestmark = pytest.mark.django_db


def exported_file(every_kind: EveryKind, tmp_path: Path) -> Path:
    path = tmp_path / "radata.csv"
    path.write_bytes(export_bytes(every_kind.questionnaire))
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    return path


def test_it_imports_and_submits(
    every_kind: EveryKind, tmp_path: Path, staff_user: User
) -> None:
    path = exported_file(every_kind, tmp_path)
    out = StringIO()
    call_command(
        "import_responses", str(path), "--cycle", "2041", "--questionnaire", "region",
        "--actor", staff_user.email, "--submit", stdout=out,
    )  # fmt: skip
    assert "Läste in 2 svar (2 nya, 0 ändrade, 1 inskickade)" in out.getvalue()
    statuses = dict(
        Response.objects.filter(questionnaire=every_kind.questionnaire).values_list(
            "organisation__code", "status"
        )
    )
    assert statuses == {
        "04": ResponseStatus.SUBMITTED,
        "07": ResponseStatus.IN_PROGRESS,
    }


def test_a_dry_run_saves_nothing(
    every_kind: EveryKind, tmp_path: Path, staff_user: User
) -> None:
    path = exported_file(every_kind, tmp_path)
    out = StringIO()
    call_command(
        "import_responses", str(path), "--cycle", "2041", "--questionnaire", "region",
        "--dry-run", stdout=out,
    )  # fmt: skip
    assert out.getvalue().startswith("Skulle läsa in 2 svar")
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()


def test_it_lists_the_errors_and_fails(
    every_kind: EveryKind, tmp_path: Path, staff_user: User
) -> None:
    rows = csv_rows(export_bytes(every_kind.questionnaire))
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    rows[1][0] = "9999"
    path = tmp_path / "fel.csv"
    path.write_bytes(csv_bytes(rows))
    err = StringIO()
    with pytest.raises(CommandError, match="Filen har 1 fel"):
        call_command(
            "import_responses", str(path), "--cycle", "2041",
            "--questionnaire", "region", stderr=err,
        )  # fmt: skip
    assert "Rad 2, kolumn orgkod: «9999» är ingen känd organisation." in err.getvalue()
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()


def test_it_refuses_an_unknown_questionnaire(tmp_path: Path, staff_user: User) -> None:
    with pytest.raises(CommandError, match="finns inte"):
        call_command(
            "import_responses", str(tmp_path / "x.csv"), "--cycle", "2024",
            "--questionnaire", "nope",
        )  # fmt: skip
