"""The published 2024 region answers (tests/fixtures) loaded through the
raw-data import, for tests that need the real figures (e.g. the Bilaga 3 tables).

    summary, golden = load_region_2024_published(actor)

converts the file to the raw-data layout (region names → codes, labels as values,
«.» → 0 for multiple choice, the escape labels as they are, which the import reads
as the escape answer), imports it into the 2024 region questionnaire with
`reports.imports.jobs.import_responses` and returns the import summary and the golden
JSON as read.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from reports.imports.jobs import ImportSummary, import_responses
from reports.rawdata import LEADING_COLUMNS
from surveys.models import Question, Questionnaire, Region, User

# Transcribed from the published 2024 report (Bilaga 3); the
# source of each figure is in tests/fixtures/README.md.
GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "region_2024_published.json"
# The published question numbers and the variables they are in the 2024 file.
VARIABLES = {
    "2": "r02_breddinfort",
    "4": "r04_handlingsplan",
    "8": "r08_uppfoljning",
    "13": "r13_rutiner",
    "35": "r35_andel",
    "36": "r36_antal",
}


def region_2024_published_csv() -> tuple[bytes, dict[str, Any]]:
    """The golden answers as a raw-data CSV (labels as values)."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    questions = {
        q.variable: q
        for q in Question.objects.filter(questionnaire=questionnaire).prefetch_related(
            "rows", "options"
        )
    }
    codes = dict(Region.objects.values_list("short_name", "code"))
    columns: list[str] = [name for name, _ in LEADING_COLUMNS]
    values: dict[str, dict[str, str]] = {name: {} for name in golden["regions"]}
    for item in golden["questions"]:
        question = questions[VARIABLES[item["number"]]]
        if item["column"] is None:
            column = question.variable
        else:
            (row,) = [r for r in question.rows.all() if r.label == item["column"]]
            column = f"{question.variable}_{row.code}"
        if column not in columns:
            columns.append(column)
        for region, answer in item["answers"].items():
            values[region][column] = "0" if answer == "." else str(answer)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for region in golden["regions"]:
        # Published answers are submitted ones; no time given, so the import's.
        leading = [codes[region], region, "region", codes[region], "", "Inskickad", ""]
        writer.writerow(leading + [values[region].get(c, "") for c in columns[7:]])
    return out.getvalue().encode("utf-8-sig"), golden


def load_region_2024_published(actor: User) -> tuple[ImportSummary, dict[str, Any]]:
    content, golden = region_2024_published_csv()
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    summary = import_responses(
        questionnaire,
        content,
        actor=actor,
        file_name="region_2024_published.json",
        submit=True,
        # The published answers keep their item nonresponse (issue #16 point 8).
        historical=True,
    )
    return summary, golden
