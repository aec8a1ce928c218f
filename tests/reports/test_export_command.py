"""`manage.py export`: the file and its manifest, and clean refusals."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from reports.models import ExportJob
from surveys.models import Questionnaire


@pytest.mark.django_db
def test_it_writes_the_file_and_the_manifest_beside_it(
    status_questionnaire: Questionnaire, tmp_path: Path
) -> None:
    output = tmp_path / "status.csv"
    out = io.StringIO()
    call_command(
        "export",
        "--cycle=2041",
        "--questionnaire=region",
        "--kind=svarsstatus",
        "--format=csv",
        f"--output={output}",
        "--option=urval=ej-inskickade",
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(output.read_text("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["03", "Region Uppsala", "Ej påbörjad", "", "0", "2"]
    assert len(rows) == 1 + 20
    manifest = json.loads((tmp_path / "status.csv.manifest.json").read_text("utf-8"))
    assert manifest["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()
    assert manifest["file_name"] == "status.csv"
    assert manifest["options"] == {"urval": "ej-inskickade"}
    assert manifest["row_counts"] == {"ram": 21, "inskickade": 1, "rader": 20}
    assert out.getvalue() == (
        f"Svarsstatus (csv) för Testenkät till regionerna 2041 skriven till {output} "
        f"(ram 21, inskickade 1, rader 20; sha256 {manifest['sha256'][:12]}…)\n"
    )
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--cycle=1999", "--questionnaire=region", "--kind=svarsstatus"],
            "Omgången 1999 finns inte (finns: 2024, 2019).",
        ),
        (
            ["--cycle=2024", "--questionnaire=landsting", "--kind=svarsstatus"],
            "Enkäten ”landsting” finns inte i omgången 2024",
        ),
        (
            ["--cycle=2024", "--questionnaire=region", "--kind=tabell9"],
            "Exporttypen ”tabell9” finns inte.",
        ),
        (
            [
                "--cycle=2024",
                "--questionnaire=region",
                "--kind=svarsstatus",
                "--option=urval",
            ],
            "Skriv inställningar som nyckel=värde, inte ”urval”.",
        ),
    ],
)
def test_it_refuses_bad_input_with_a_message(
    arguments: list[str], message: str, tmp_path: Path
) -> None:
    output = tmp_path / "x.csv"
    with pytest.raises(CommandError) as caught:
        call_command("export", *arguments, "--format=csv", f"--output={output}")
    assert message in str(caught.value)
    assert not output.exists()


@pytest.mark.django_db
def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Svarsstatus kan inte exporteras som pdf"):
        call_command(
            "export",
            "--cycle=2024",
            "--questionnaire=region",
            "--kind=svarsstatus",
            "--format=pdf",
            f"--output={tmp_path / 'x.pdf'}",
        )


# Its own SQLite file in a process of its own, whatever DATABASE_URL says.
@pytest.mark.engine_independent
def test_from_the_shell_a_refusal_exits_non_zero_without_a_traceback(
    tmp_path: Path,
) -> None:
    # A fresh SQLite database with nothing loaded: the cycle does not exist.
    database = tmp_path / "empty.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [
            *manage,
            "export",
            "--cycle=2024",
            "--kind=svarsstatus",
            "--format=csv",
            f"--output={tmp_path / 'x.csv'}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Omgången 2024 finns inte (finns: inga)." in result.stderr
    assert "Traceback" not in result.stderr
