"""The base convention of a closed question's shares (issue #16 point 4,
reports/bases.py): of those who answered (the default) or of the whole frame
with «Inte lämnat svar» as its own category; stated under the table and the
chart, recorded in the manifests.

Hand-checked figures: the small region questionnaire of tests/reports/conftest.py,
question 1 (Ja/Nej) answered by Sörmland (Ja) and Kronoberg (Nej), both
submitted, 21 regions in the frame:

    of those who answered: Ja 1 (50), Nej 1 (50)
    of the frame:          Ja 1 (5), Nej 1 (5), Inte lämnat svar 19 (90)
                           (1/21 = 4,76 % -> 5; 19/21 = 90,48 % -> 90)
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.bases import shares_base, without_answer
from reports.chart_layouts import option_chart
from reports.export_kinds import write_diagram_zip, write_tabeller_xlsx
from reports.layouts import frequency_table, group_table
from reports.tabulation.counts import tabulate
from reports.tabulation.results import (
    RIKET,
    Choice,
    ItemCounts,
    Level,
    QuestionRef,
)
from surveys.models import BaseConvention, Question, Questionnaire, User
from tests.factories import mark_submitted
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db

FRAME_NOTE = (
    "Andelarna är beräknade på hela ramen (alla regioner som fick frågan); "
    "de som inte har svarat redovisas som «Inte lämnat svar»."
)


@pytest.fixture
def of_frame(every_kind: EveryKind) -> EveryKind:
    mark_submitted(every_kind.kronoberg)
    Question.objects.filter(
        questionnaire=every_kind.questionnaire, variable="q01_breddinfort"
    ).update(base_convention=BaseConvention.FRAME)
    # As the loader does: the cached question structures are keyed by loaded_at.
    Questionnaire.objects.filter(pk=every_kind.questionnaire.pk).update(
        loaded_at=timezone.now()
    )
    every_kind.questionnaire.refresh_from_db()
    return every_kind


def test_the_riket_table_of_the_frame_has_a_category_for_no_answer(
    of_frame: EveryKind,
) -> None:
    riket = tabulate(of_frame.questionnaire).question("q01_breddinfort")
    table = frequency_table(riket, audience="region")
    assert table.header == ("Fråga", "Ja", "Nej", "Inte lämnat svar")
    assert table.rows[0][1:] == ("1 (5)", "1 (5)", "19 (90)")
    assert table.notes == ("2 regioner har svarat på denna fråga.", FRAME_NOTE)
    # Stored as numbers: the shares as printed.
    assert [[f.value for f in c.figures] for c in table.cells[0][1:]] == [
        [1, Decimal("0.05")],
        [1, Decimal("0.05")],
        [19, Decimal("0.90")],
    ]


def test_the_default_is_of_those_who_answered(every_kind: EveryKind) -> None:
    mark_submitted(every_kind.kronoberg)
    riket = tabulate(every_kind.questionnaire).question("q01_breddinfort")
    table = frequency_table(riket, audience="region")
    assert table.header == ("Fråga", "Ja", "Nej")
    assert table.rows[0][1:] == ("1 (50)", "1 (50)")
    assert FRAME_NOTE not in table.notes


def test_per_region_each_region_of_its_frame(of_frame: EveryKind) -> None:
    per_region = tabulate(of_frame.questionnaire, level=Level.REGION).question(
        "q01_breddinfort"
    )
    table = group_table(per_region.items[0], audience="region")
    assert table.header[-2:] == ("Inte lämnat svar", "Antal regioner som fick frågan")
    by_name = {row[0]: row[1:] for row in table.rows}
    assert by_name["Stockholm"] == ("0 (0)", "0 (0)", "1 (100)", "1")
    assert by_name["Sörmland"] == ("1 (100)", "0 (0)", "0 (0)", "1")
    assert by_name["Kronoberg"] == ("0 (0)", "1 (100)", "0 (0)", "1")
    assert FRAME_NOTE in table.notes


def test_the_chart_has_a_bar_for_no_answer_and_says_of_whom(
    of_frame: EveryKind,
) -> None:
    riket = tabulate(of_frame.questionnaire).question("q01_breddinfort")
    chart = option_chart(riket.items[0], audience="region")
    # Largest first; Ja and Nej tie and keep the questionnaire's order.
    assert [(bar.label, bar.text) for bar in chart.bars] == [
        ("Inte lämnat svar", "90 %"),
        ("Ja", "5 %"),
        ("Nej", "5 %"),
    ]
    assert chart.base_note == (
        "Bas: hela ramen, 21 regioner som fick frågan; "
        "de som inte har svarat: «Inte lämnat svar»."
    )


def test_a_follow_up_not_shown_is_outside_its_frame() -> None:
    # 21 in the frame, 3 not shown the follow-up, 10 answered, 2 did not:
    # 18 got it, of whom 8 left no answer (2 item nonresponse, 6 no response).
    ref = QuestionRef(
        id=1,
        variable="q",
        number="1a",
        kind="yes_no",
        text="",
        label="",
        escape_label="",
        unit="",
        national_figure="",
        has_condition=True,
        options=(),
        rows=(),
        base_convention=BaseConvention.FRAME,
    )
    counts = ItemCounts(
        group=RIKET,
        respondents=15,
        not_applicable=3,
        not_answered=2,
        escaped=0,
        base=10,
        frame=21,
    )
    # Without options a question has no shares: the convention does not apply.
    assert shares_base(ref, counts) == 10
    with_options = dataclasses.replace(ref, options=(Choice("ja", "Ja"),))
    assert shares_base(with_options, counts) == 18
    assert without_answer(with_options, counts) == 8


def test_the_page_states_the_convention_under_table_and_chart(
    of_frame: EveryKind, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    url = reverse(
        "reports:question", args=[of_frame.questionnaire.pk, "q01_breddinfort"]
    )
    html = client.get(url).content.decode()
    assert f"<li>{FRAME_NOTE}</li>" in html
    assert '<th scope="col" class="num">Inte lämnat svar</th>' in html
    assert "Bas: hela ramen, 21 regioner som fick frågan" in html


def test_the_manifests_record_each_questions_convention(of_frame: EveryKind) -> None:
    expected = {
        "1": "hela ramen",
        "2": "de som har svarat",
        "3": "de som har svarat",
        "4": "de som har svarat",
    }
    output = io.BytesIO()
    manifest = write_tabeller_xlsx(
        of_frame.questionnaire,
        options={"niva": "region", "avrundning": "cellvis", "svar": "inskickade"},
        output=output,
        progress=lambda percent, message: None,
    )
    assert manifest.extra["bas"] == expected
    # The workbook's index says it per question, and its manifest sheet too.
    workbook = load_workbook(io.BytesIO(output.getvalue()))
    index = workbook["Innehåll"]
    conventions = {
        row[0].value: row[4].value
        for row in index.iter_rows(min_row=11, max_row=18)
        if row[0].value
    }
    assert conventions["Fråga 1"] == "hela ramen"
    assert conventions["Fråga 2"] == "de som har svarat"
    assert conventions["Fråga 5"] is None  # a number: no shares
    sheet = {r[0].value: r[1].value for r in workbook["Manifest"].iter_rows(min_row=2)}
    assert '"bas": {"1": "hela ramen"' in sheet["extra"]
    zipped = io.BytesIO()
    write_diagram_zip(
        of_frame.questionnaire,
        options={"niva": "riket"},
        output=zipped,
        progress=lambda percent, message: None,
    )
    with zipfile.ZipFile(zipped) as archive:
        assert json.loads(archive.read("manifest.json"))["extra"]["bas"] == expected
