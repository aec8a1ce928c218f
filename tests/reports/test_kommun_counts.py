"""RSS kommun_count answers tabulate to national kommun shares. The stored shape
(per slot "<option>" / "<row>.<option>" counts, "_svarat", "_ej_svarat",
"_ej_aktuell") is the consolidation contract; the rows are created directly."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from intake.models import ResponseStatus
from reports.export_kinds import write_diagram_zip
from reports.layouts import frequency_table, group_table
from reports.question_parts import item_charts
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level
from reports.workbook import write_table_workbook
from surveys.models import RSS, MatrixRow, Option, Question, Questionnaire, User
from tests.factories import AnswerFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def workbook_of(questionnaire: Questionnaire) -> bytes:
    output = io.BytesIO()
    write_table_workbook(questionnaire, output)
    return output.getvalue()


COUNTS = {
    "rss-07": {
        "s06_breddinfort": {"ja": 5, "nej": 1, "_svarat": 6, "_ej_svarat": 2},
        "s05_malgrupper": {
            "barn.ja": 4, "barn.nej": 2, "barn._svarat": 6, "barn._ej_svarat": 2,
            "aldre.ja": 6, "aldre.nej": 0, "aldre._svarat": 6, "aldre._ej_aktuell": 2,
        },
    },
    "rss-14-gr": {
        "s06_breddinfort": {"ja": 10, "nej": 3, "_svarat": 13},
        "s05_malgrupper": {"barn.ja": 13, "barn.nej": 0, "barn._svarat": 13},
    },
    "rss-14-fyrbodal": {
        "s06_breddinfort": {"ja": 4, "nej": 8, "_svarat": 12, "_ej_svarat": 2},
    },
}  # fmt: skip


@pytest.fixture
def rss_questionnaire() -> Questionnaire:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="rss")
    for code, questions in COUNTS.items():
        # Frozen counts live in submitted RSS responses.
        response = ResponseFactory(
            questionnaire=questionnaire,
            organisation=RSS.objects.get(code=code),
            status=ResponseStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        for variable, slots in questions.items():
            question = Question.objects.get(
                questionnaire=questionnaire, variable=variable
            )
            for slot, count in slots.items():
                row, _, option = slot.rpartition(".")
                AnswerFactory(
                    response=response,
                    question=question,
                    slot=slot,
                    row=MatrixRow.objects.get(question=question, code=row)
                    if row
                    else None,
                    option=Option.objects.filter(
                        question=question, code=option
                    ).first(),
                    number=Decimal(count),
                )
    return questionnaire


def test_riket_shares_are_kommuner_over_kommuner_that_answered(
    rss_questionnaire: Questionnaire,
) -> None:
    riket = tabulate(rss_questionnaire, level=Level.RIKET)
    counts = riket.question("s06_breddinfort").items[0].by_group[0]
    # 5 + 10 + 4 = 19 Ja, 1 + 3 + 8 = 12 Nej of 6 + 13 + 12 = 31 that answered;
    # 2 + 2 = 4 did not answer.
    assert (counts.count("ja"), counts.count("nej"), counts.base) == (19, 12, 31)
    assert (counts.not_answered, counts.not_applicable, counts.respondents) == (
        4,
        0,
        35,
    )
    table = frequency_table(riket.question("s06_breddinfort"), audience="rss")
    assert table.rows[0][1:] == ("19 (61)", "12 (39)")  # 61,29 % and 38,71 %
    assert table.notes == (
        "31 kommuner har svarat på denna fråga.",
        "4 kommuner har inte svarat.",
    )


def test_matrix_rows_are_kept_apart(rss_questionnaire: Questionnaire) -> None:
    riket = tabulate(rss_questionnaire, level=Level.RIKET)
    items = {
        i.row.code: i.by_group[0]
        for i in riket.question("s05_malgrupper").items
        if i.row
    }
    # barn: 4 + 13 = 17 Ja, 2 Nej of 19; äldre: only Kronoberg, 6 of 6, 2 ej aktuell.
    assert (
        items["barn"].count("ja"),
        items["barn"].count("nej"),
        items["barn"].base,
    ) == (17, 2, 19)
    assert items["barn"].not_answered == 2
    assert (items["aldre"].count("ja"), items["aldre"].base) == (6, 6)
    assert items["aldre"].not_applicable == 2
    assert items["kroniska"].base == 0


def test_per_region_and_per_rss(rss_questionnaire: Questionnaire) -> None:
    per_region = tabulate(rss_questionnaire, level=Level.REGION)
    item = per_region.question("s06_breddinfort").items[0]
    by_region = {c.group.short_name: c for c in item.by_group}
    assert len(by_region) == 21
    # Västra Götaland's two RSS together: 14 Ja, 11 Nej of 25.
    vg = by_region["Västra Götaland"]
    assert (vg.count("ja"), vg.count("nej"), vg.base) == (14, 11, 25)
    assert by_region["Stockholm"].base == 0
    rows = {row[0]: row[1:] for row in group_table(item, audience="rss").rows}
    assert rows["Västra Götaland"] == ("14 (56)", "11 (44)", "25")
    assert rows["Kronoberg"] == ("5 (83)", "1 (17)", "6")

    per_rss = tabulate(rss_questionnaire, level=Level.RSS)
    assert len(per_rss.groups) == 24
    by_rss = {
        c.group.code: c for c in per_rss.question("s06_breddinfort").items[0].by_group
    }
    assert (by_rss["rss-14-gr"].count("ja"), by_rss["rss-14-gr"].base) == (10, 13)
    assert by_rss["rss-14-fyrbodal"].not_answered == 2


def test_a_group_where_no_kommun_answered_shows_no_data_not_zeros(
    rss_questionnaire: Questionnaire,
) -> None:
    """Stockholm's RSS has no counts: «..» (no data), not a row of 0s; its base
    is a counted 0 (reports/markers.py). A counted zero stays a zero."""
    per_region = tabulate(rss_questionnaire, level=Level.REGION)
    item = per_region.question("s06_breddinfort").items[0]
    rows = {row[0]: row[1:] for row in group_table(item, audience="rss").rows}
    assert rows["Stockholm"] == ("..", "..", "0")
    riket = tabulate(rss_questionnaire, level=Level.RIKET)
    table = frequency_table(riket.question("s05_malgrupper"), audience="rss")
    by_row = {row[0]: row[1:] for row in table.rows}
    # Nobody answered the row «kroniska sjukdomar».
    assert by_row["… personer med kroniska sjukdomar?"] == ("..", "..")
    # Äldre: 6 Ja and a counted 0 Nej of 6.
    assert by_row["… äldre personer med stora vård- och omsorgsbehov?"] == (
        "6 (100)",
        "0 (0)",
    )


def test_the_report_page_marks_no_data_and_explains_the_markers(
    rss_questionnaire: Questionnaire, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    url = reverse("reports:question", args=[rss_questionnaire.pk, "s06_breddinfort"])
    text = client.get(url, {"niva": "region", "avrundning": "half_up"}).content.decode()
    assert re.search(
        r"<th scope=\"row\">Stockholm</th>\s*<td class=\"num\">\.\.</td>", text
    )
    assert "Teckenförklaring" in text
    assert (
        "<dt>..</dt><dd>Uppgift saknas: ingen i gruppen har svarat på frågan.</dd>"
        in text
    )
    # Only the markers the tables use: no multiple choice here, so no «.».
    assert "<dt>.</dt>" not in text
    # The chart per region: what it shows, its base (regions without data
    # named, as they have no bar) and its source.
    assert (
        "Andel kommuner som breddinfört verksamhet som tidigare bedrivits i "
        "projektform 2024: svarat «Ja», per region"
    ) in text
    assert (
        "Bas: de kommuner som har svarat på frågan i varje region, 31 totalt. "
        ".. (uppgift saknas, ingen stapel): 19 regioner."
    ) in text
    source = f"Källa: {rss_questionnaire.title}, Socialstyrelsen 2024."
    assert f"<li>{source}</li>" in text


def test_rss_count_questions_are_charted_as_kommun_shares(
    rss_questionnaire: Questionnaire,
) -> None:
    """The report's headline kommun figure: the share of the kommuner that
    answered, titled «Andel kommuner …» (the question's label says «Antal»),
    with its base, in the chart zip (riket and per RSS) and the workbook."""
    riket = tabulate(rss_questionnaire, level=Level.RIKET)
    (chart,) = item_charts(
        riket.question("s06_breddinfort"), audience=rss_questionnaire.audience
    )
    assert chart.title == (
        "Andel kommuner som breddinfört verksamhet som tidigare bedrivits i "
        "projektform 2024"
    )
    # 19 Ja and 12 Nej of 31 kommuner that answered: 61 % and 39 %.
    assert [(b.label, b.text) for b in chart.bars] == [("Ja", "61 %"), ("Nej", "39 %")]
    assert chart.base_note == "Bas: 31 kommuner har svarat."

    output = io.BytesIO()
    manifest = write_diagram_zip(
        rss_questionnaire,
        options={"niva": "standard", "svar": "inskickade"},
        output=output,
        progress=lambda percent, message: None,
    )
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
    assert {"fraga-6.png", "fraga-6-rss-1.png"} <= names
    assert "fraga-6.png" in manifest.as_dict()["extra"]["filer"]

    workbook = load_workbook(io.BytesIO(workbook_of(rss_questionnaire)))
    sheet = workbook["Fråga 6"]
    column_a = [c.value for c in sheet["A"]]
    at = column_a.index(f"Diagramunderlag: {chart.title}") + 1
    # The chart's data: shares as fractions (to a tenth of a per cent), «0 %».
    shares = [sheet.cell(at + offset, 2) for offset in (2, 3)]
    assert [(c.value, c.number_format) for c in shares] == [
        (0.613, "0 %"),
        (0.387, "0 %"),
    ]
    assert sheet.cell(at + 4, 1).value == "Bas: 31 kommuner har svarat."
    per_rss = [
        c for c in column_a if c and c.startswith(f"Diagramunderlag: {chart.title}:")
    ]
    assert per_rss == [f"Diagramunderlag: {chart.title}: svarat «Ja», per RSS"]
