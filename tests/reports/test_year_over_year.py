"""Year over year (issue #19 point 2) on two imported years
(tests/fixtures/year_over_year: 2033 and 2034 of one region questionnaire,
their raw data through the real import): question 1 unchanged, question 2
reworded, question 3 a number, question 4 new in 2034. Every figure below is
counted by hand from the two radata.csv files (their README has the table)."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.comparison_charts import comparison_charts
from reports.comparison_layouts import comparison_tables
from reports.export_kinds import write_diagram_zip
from reports.imports.jobs import import_responses
from reports.tabulation.comparison import compare, previous_version
from reports.tabulation.results import Level
from reports.workbook import write_table_workbook
from surveys.models import Organisation, OrganisationKind, Questionnaire, User
from surveys.services.questionnaires import load_questionnaires
from tests.reports.helpers import csv_bytes
from tests.reports.year_over_year import TwoYears, load_two_years

pytestmark = pytest.mark.django_db

WORDING_NOTE = (
    "Frågans formulering har ändrats jämfört med 2033. "
    "Jämför med tidigare resultat med försiktighet."
)
NEW_MARK = "Ny fråga 2034, ingen jämförelse med 2033."


@pytest.fixture
def two_years(staff_user: User) -> TwoYears:
    return load_two_years(staff_user)


def tables_of(two_years: TwoYears, variable: str, level: Level = Level.RIKET) -> Any:
    comparison = compare(two_years.later, level=level)
    question = next(
        q for q in comparison.questions if q.current.question.variable == variable
    )
    return comparison_tables(comparison, question, audience="region")


# --- the selector ----------------------------------------------------------------------


def test_each_question_is_paired_with_its_predecessor_by_lineage(
    two_years: TwoYears,
) -> None:
    assert previous_version(two_years.later) == two_years.earlier
    assert previous_version(two_years.earlier) is None
    comparison = compare(two_years.later)
    assert comparison.years == (2033, 2034)
    assert (comparison.previous is not None) and (
        comparison.previous.respondents,
        comparison.current.respondents,
        comparison.current.frame,
    ) == (6, 7, 21)
    paired = {
        q.current.question.variable: (
            q.previous.question.variable if q.previous else None,
            q.changes,
        )
        for q in comparison.questions
    }
    assert paired == {
        "q1_plan": ("q1_plan", ()),
        "q2_team": ("q2_team", ("frågetext",)),
        "q3_antal": ("q3_antal", ()),
        "q4_digital": (None, ()),
        "q5_rutiner": ("q5_rutiner", ("delfrågor",)),
        "q6_kanaler": ("q6_kanaler", ("svarsalternativ",)),
    }
    q1 = comparison.questions[0]
    assert q1.previous is not None
    before, now = q1.previous.items[0].by_group[0], q1.current.items[0].by_group[0]
    assert (before.counts, before.base, before.not_answered) == (
        {"ja": 3, "nej": 2},
        5,
        1,
    )
    assert (now.counts, now.base, now.not_answered) == ({"ja": 5, "nej": 2}, 7, 0)


def test_a_questionnaire_without_a_previous_version_has_nothing_to_compare(
    two_years: TwoYears,
) -> None:
    comparison = compare(two_years.earlier)
    assert comparison.previous is None and comparison.years == (2033,)
    assert all(q.is_new for q in comparison.questions)
    [table] = tables_of_comparison(comparison, "q1_plan")
    assert table.header == ("Svarsalternativ", "2033")
    assert "Ingen tidigare omgång av enkäten att jämföra 2033 med." in table.notes


def tables_of_comparison(comparison: Any, variable: str) -> Any:
    question = next(
        q for q in comparison.questions if q.current.question.variable == variable
    )
    return comparison_tables(comparison, question, audience="region")


# --- the tables --------------------------------------------------------------------------


def test_an_unchanged_question_has_both_years_with_their_bases_and_no_footnote(
    two_years: TwoYears,
) -> None:
    [table] = tables_of(two_years, "q1_plan")
    assert table.title == "Fråga 1. Beslutad plan"
    assert table.header == ("Svarsalternativ", "2033", "2034")
    # 3/5 = 60 %, 2/5 = 40 %; 5/7 = 71,4 → 71 %, 2/7 = 28,6 → 29 %.
    assert table.rows == (
        ("Ja", "3 (60)", "5 (71)"),
        ("Nej", "2 (40)", "2 (29)"),
        ("Antal regioner som svarat", "5", "7"),
    )
    assert table.notes == (
        "2033: 5 regioner har svarat på denna fråga; 1 region har inte svarat.",
        "2034: 7 regioner har svarat på denna fråga.",
    )
    # The workbook's numbers behind the cells: counts and shares as printed.
    ja = table.cells[0]
    assert [(f.value, f.number_format) for f in ja[1].figures] == [
        (3, "#,##0"),
        (Decimal("0.6"), "0 %"),
    ]


def test_a_reworded_question_has_the_footnote_of_the_change(
    two_years: TwoYears,
) -> None:
    [table] = tables_of(two_years, "q2_team")
    # 3/6 = 50, 2/6 = 33,3 → 33, 1/6 = 16,7 → 17; 4/7 = 57,1 → 57,
    # 2/7 = 28,6 → 29, 1/7 = 14,3 → 14.
    assert table.rows == (
        ("Ja", "3 (50)", "4 (57)"),
        ("Delvis", "2 (33)", "2 (29)"),
        ("Nej", "1 (17)", "1 (14)"),
        ("Antal regioner som svarat", "6", "7"),
    )
    # The change once, although the loader wrote the same note from the file's
    # `comparability: wording_changed`.
    assert table.notes == (
        "2033: 6 regioner har svarat på denna fråga.",
        "2034: 7 regioner har svarat på denna fråga.",
        WORDING_NOTE,
    )


def test_a_new_question_is_marked_and_shown_for_its_year_only(
    two_years: TwoYears,
) -> None:
    [table] = tables_of(two_years, "q4_digital")
    assert table.header == ("Svarsalternativ", "2034")
    assert table.subtitle.endswith(NEW_MARK)
    assert table.rows == (
        ("Ja", "5 (71)"),
        ("Nej", "2 (29)"),
        ("Antal regioner som svarat", "7"),
    )
    assert NEW_MARK in table.notes


def test_a_new_alternative_is_empty_the_year_before_and_said_so(
    two_years: TwoYears,
) -> None:
    [table] = tables_of(two_years, "q6_kanaler")
    # Shares of those who answered (Jönköping's «Inget av alternativen» counts
    # in 2033's base): 4/6 = 67, 3/6 = 50; 6/7 = 85,7 → 86, 3/7 = 42,9 → 43.
    assert table.rows == (
        ("Telefon", "4 (67)", "6 (86)"),
        ("Chatt", "3 (50)", "3 (43)"),
        ("Videobesök", "", "3 (43)"),
        ("Antal regioner som svarat", "6", "7"),
    )
    assert table.notes == (
        "2033: 6 regioner har svarat på denna fråga.",
        "2034: 7 regioner har svarat på denna fråga.",
        "«Videobesök» fanns inte som svarsalternativ 2033.",
        "Svarsalternativen har ändrats jämfört med 2033. "
        "Jämför med tidigare resultat med försiktighet.",
    )


def test_a_matrix_compares_row_by_row_and_a_new_row_has_no_earlier_year(
    two_years: TwoYears,
) -> None:
    lakare, vard, digital = tables_of(two_years, "q5_rutiner")
    assert lakare.title == "Fråga 5. Rutiner för fasta kontakter – Fast läkarkontakt"
    # 4/6 = 66,7 → 67, 2/6 = 33,3 → 33; 5/7 → 71, 2/7 → 29.
    assert lakare.rows == (
        ("Ja", "4 (67)", "5 (71)"),
        ("Nej", "2 (33)", "2 (29)"),
        ("Antal regioner som svarat", "6", "7"),
    )
    # 2/5 = 40, 3/5 = 60; 4/7 = 57,1 → 57, 3/7 = 42,9 → 43.
    assert vard.rows == (
        ("Ja", "2 (40)", "4 (57)"),
        ("Nej", "3 (60)", "3 (43)"),
        ("Antal regioner som svarat", "5", "7"),
    )
    assert vard.notes[0] == (
        "2033: 5 regioner har svarat på denna fråga; 1 region har inte svarat."
    )
    # The row computed as changed («delfrågor»): the note says so, once; the
    # loader's note from the file's `options_changed` is not repeated.
    change = (
        "Delfrågorna har ändrats jämfört med 2033. "
        "Jämför med tidigare resultat med försiktighet."
    )
    assert lakare.notes[-1] == change and not any(
        "Svarsalternativen" in note for note in lakare.notes
    )
    assert digital.rows == (
        ("Ja", "", "2 (29)"),
        ("Nej", "", "5 (71)"),
        ("Antal regioner som svarat", "", "7"),
    )
    assert digital.notes == (
        "Delfrågan fanns inte 2033.",
        "2034: 7 regioner har svarat på denna fråga.",
        change,
    )


def test_a_number_question_has_its_sum_and_base_per_year(two_years: TwoYears) -> None:
    [table] = tables_of(two_years, "q3_antal")
    # 200 + 40 + 25 + 45 + 35 = 345 (Kronoberg none); 2034: 408 from seven.
    assert table.rows == (
        ("Antal regioner som angett ett värde", "5", "7"),
        ("Summa", "345", "408"),
        ("Undantagssvar", "0", "0"),
        ("Ej svarat", "1", "0"),
    )


def test_per_region_each_region_has_its_answer_per_year(
    two_years: TwoYears,
) -> None:
    [table] = tables_of(two_years, "q1_plan", Level.REGION)
    assert table.header == ("Region (län)", "2033", "2034")
    rows = {row[0]: row[1:] for row in table.rows}
    assert len(rows) == 21
    assert rows["Stockholm"] == ("Ja", "Ja")
    assert rows["Sörmland"] == ("Nej", "Ja")
    # Kronoberg responded in 2033 without answering; Kalmar only in 2034.
    assert rows["Kronoberg"] == ("–", "Ja")
    assert rows["Kalmar"] == ("–", "Nej")
    assert rows["Gotland"] == ("–", "–")
    assert table.notes == (
        "2033: 5 regioner har svarat på denna fråga; 1 region har inte svarat.",
        "2034: 7 regioner har svarat på denna fråga.",
    )
    # A multiple choice: a table per option, «Ja» or «.»; the new option is
    # empty in 2033.
    telefon, chatt, video = tables_of(two_years, "q6_kanaler", Level.REGION)
    assert video.header == ("Region (län)", "«Videobesök» 2033", "«Videobesök» 2034")
    assert {row[0]: row[1:] for row in video.rows}["Stockholm"] == ("", "Ja")
    assert {row[0]: row[1:] for row in telefon.rows}["Jönköping"] == (".", ".")
    [number] = tables_of(two_years, "q3_antal", Level.REGION)
    assert {row[0]: row[1:] for row in number.rows}["Stockholm"] == ("200", "210")


# --- the charts --------------------------------------------------------------------------


def charts_of(two_years: TwoYears, variable: str, level: Level = Level.RIKET) -> Any:
    comparison = compare(two_years.later, level=level)
    question = next(
        q for q in comparison.questions if q.current.question.variable == variable
    )
    return comparison_charts(comparison, question, audience="region")


def test_a_chart_has_one_series_per_year_with_each_years_base(
    two_years: TwoYears,
) -> None:
    [chart] = charts_of(two_years, "q2_team")
    assert chart.title == "Andel regioner: Mobila team, 2033 och 2034"
    assert chart.years == (2033, 2034)
    assert [(row.label, [bar.text for bar in row.bars]) for row in chart.rows] == [
        ("Ja", ["50 %", "57 %"]),
        ("Delvis", ["33 %", "29 %"]),
        ("Nej", ["17 %", "14 %"]),
    ]
    assert chart.base_note == (
        "Bas: 2033: 6 regioner som har svarat; 2034: 7 regioner som har svarat."
    )
    assert chart.footnotes == (WORDING_NOTE,)
    [new] = charts_of(two_years, "q4_digital")
    assert new.years == (2034,) and new.footnotes == (NEW_MARK,)


def test_per_region_the_chart_leaves_out_regions_without_figures(
    two_years: TwoYears,
) -> None:
    [chart] = charts_of(two_years, "q1_plan", Level.REGION)
    labels = [row.label for row in chart.rows]
    # Sorted by 2034, largest first; equal values in the register's order.
    assert labels == [
        "Stockholm",
        "Uppsala",
        "Sörmland",
        "Östergötland",
        "Kronoberg",
        "Jönköping",
        "Kalmar",
    ]
    assert chart.base_note.endswith(
        ".. (uppgift saknas alla år, ingen stapel): 14 regioner."
    )


# --- the pages ---------------------------------------------------------------------------


def page_url(two_years: TwoYears) -> str:
    return reverse("reports:year-over-year", args=[two_years.later.pk])


def all_urls(two_years: TwoYears) -> list[str]:
    later = two_years.later.pk
    return [
        page_url(two_years),
        reverse("reports:question-year-over-year", args=[later, "q2_team"]),
        reverse("reports:year-over-year-xlsx", args=[later]),
        reverse("reports:question-year-over-year-xlsx", args=[later, "q2_team"]),
        reverse("reports:year-over-year-png", args=[later, "q2_team", 1]),
    ]


def test_the_page_shows_both_years_the_footnote_and_the_mark(
    client: Client, staff_user: User, two_years: TwoYears
) -> None:
    client.force_login(staff_user)
    page = client.get(page_url(two_years)).content.decode()
    assert (
        '<tr><th scope="row">Ja</th><td class="num">3 (60)</td>'
        '<td class="num">5 (71)</td></tr>'
    ) in page
    assert (
        '<tr><th scope="row">Antal regioner som svarat</th><td class="num">6</td>'
        '<td class="num">7</td></tr>'
    ) in page
    assert f"<li>{WORDING_NOTE}</li>" in page
    assert page.count(WORDING_NOTE) == 2  # under the table and under the chart
    assert f'<p class="new-question">{NEW_MARK}</p>' in page
    assert "Svarande 2033: 6 av 21." in page and "Svarande 2034: 7 av 21." in page
    # The question page links here, keeping its choices.
    question = client.get(
        reverse("reports:question", args=[two_years.later.pk, "q1_plan"]),
        {"niva": "region", "avrundning": "half_up"},
    ).content.decode()
    assert (
        reverse("reports:question-year-over-year", args=[two_years.later.pk, "q1_plan"])
        + "?niva=region&amp;avrundning=half_up"
    ) in question


def test_one_questions_page_and_its_downloads(
    client: Client, staff_user: User, two_years: TwoYears
) -> None:
    client.force_login(staff_user)
    later = two_years.later.pk
    page = client.get(
        reverse("reports:question-year-over-year", args=[later, "q2_team"]),
        {"niva": "region", "avrundning": "half_up"},
    ).content.decode()
    assert "Fråga 2. Mobila team" in page and "Fråga 1. Beslutad plan" not in page
    assert (
        '<tr><th scope="row">Uppsala</th><td class="num">Delvis</td>'
        '<td class="num">Ja</td></tr>'
    ) in page
    png = client.get(
        reverse("reports:year-over-year-png", args=[later, "q2_team", 1]),
        {"niva": "region", "avrundning": "half_up"},
    )
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    missing = reverse("reports:year-over-year-png", args=[later, "q2_team", 9])
    assert client.get(missing).status_code == 404
    unknown = reverse("reports:question-year-over-year", args=[later, "q9_okand"])
    assert client.get(unknown).status_code == 404


def test_the_comparison_workbook_has_numbers_and_a_chart_per_year(
    client: Client, staff_user: User, two_years: TwoYears
) -> None:
    client.force_login(staff_user)
    response = client.get(
        reverse("reports:year-over-year-xlsx", args=[two_years.later.pk])
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Jämförelse 2033–2034"]
    rows = [
        [cell.value for cell in row if cell.value is not None]
        for row in sheet.iter_rows()
    ]
    index = rows.index(["Fråga 2. Mobila team"])
    assert rows[index + 2 : index + 8] == [
        ["Svarsalternativ", "2033", "2034"],
        ["Antal", "Procent", "Antal", "Procent"],
        ["Ja", 3, 0.5, 4, 0.57],
        ["Delvis", 2, 0.33, 2, 0.29],
        ["Nej", 1, 0.17, 1, 0.14],
        ["Antal regioner som svarat", 6, 7],
    ]
    assert WORDING_NOTE in [row[0] for row in rows if row]
    charts = sheet._charts
    # q1, q2, q3 (the sum per year), q4, q5 (a chart per row), q6.
    assert [len(chart.series) for chart in charts] == [2, 2, 2, 1, 2, 2, 2, 2]


def test_the_table_workbook_has_the_comparison_sheet(
    two_years: TwoYears, tmp_path: Path
) -> None:
    output = io.BytesIO()
    write_table_workbook(two_years.later, output, level="riket")
    names = openpyxl.load_workbook(io.BytesIO(output.getvalue())).sheetnames
    assert "Jämförelse 2033–2034" in names
    earlier = io.BytesIO()
    write_table_workbook(two_years.earlier, earlier, level="riket")
    assert not any(
        name.startswith("Jämförelse")
        for name in openpyxl.load_workbook(io.BytesIO(earlier.getvalue())).sheetnames
    )


# --- access ------------------------------------------------------------------------------


def test_it_requires_login(client: Client, two_years: TwoYears) -> None:
    for url in all_urls(two_years):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "next=" in response["Location"]


def test_respondents_cannot_see_the_comparison(
    client: Client,
    two_years: TwoYears,
    region_user: User,
    rss_user: User,
    kommun_user: User,
) -> None:
    for user in (region_user, rss_user, kommun_user):
        client.force_login(user)
        for url in all_urls(two_years):
            assert client.get(url).status_code == 404, (user, url)


def test_staff_see_every_page(
    client: Client, staff_user: User, two_years: TwoYears
) -> None:
    client.force_login(staff_user)
    for url in all_urls(two_years):
        assert client.get(url).status_code == 200, url


# --- queries -----------------------------------------------------------------------------


def write_years(root: Path, questions: int, *, audience: str = "region") -> None:
    """Two cycles of a questionnaire with `questions` yes/no questions, all
    linked, the first reworded in the later year."""
    for year in (2035, 2036):
        directory = root / str(year)
        directory.mkdir()
        (directory / "cycle.yaml").write_text(
            yaml.safe_dump(
                {"year": year, "name": f"Prov {year}", "reference_period": "x"}
            )
        )
        items = [
            {
                "number": str(n),
                "variable": f"q{n}_fraga",
                "kind": "yes_no",
                "text": f"Fråga {n}{' (ny lydelse)' if year == 2036 and n == 1 else ''}?",
                "label": f"Fråga {n}",
                "lineage": f"fraga_{n}",
                "required": False,
                **(
                    {"comparability": "wording_changed" if n == 1 else "same"}
                    if year == 2036
                    else {}
                ),
            }
            for n in range(1, questions + 1)
        ]
        (directory / "storlek.yaml").write_text(
            yaml.safe_dump(
                {
                    "key": "storlek",
                    "audience": audience,
                    "title": f"Storleksprov {year}",
                    "opens_on": f"{year}-11-01",
                    "closes_on": f"{year + 1}-03-31",
                    "sections": [{"key": "a", "title": "A", "questions": items}],
                },
                allow_unicode=True,
            )
        )


def import_years(regions: int, questions: int, actor: User) -> Questionnaire:
    codes = list(
        Organisation.objects.filter(kind=OrganisationKind.REGION)
        .order_by("code")
        .values_list("code", flat=True)[:regions]
    )
    later = None
    for questionnaire in Questionnaire.objects.filter(key="storlek").select_related(
        "cycle"
    ):
        header = ["orgkod", "orgnamn", "orgtyp", "regionkod", "rsskod", "status"]
        header += ["inskickad"] + [f"q{n}_fraga" for n in range(1, questions + 1)]
        rows = [header] + [
            [code, "", "region", code, "", "Inskickad", ""]
            + [str(1 + (i + n) % 2) for n in range(1, questions + 1)]
            for i, code in enumerate(codes)
        ]
        import_responses(
            questionnaire, csv_bytes(rows), actor=actor, file_name="x.csv", submit=True
        )
        if questionnaire.cycle.year == 2036:
            later = questionnaire
    assert later is not None
    return later


def count_queries(client: Client, questionnaire: Questionnaire) -> list[int]:
    counts = []
    for url, query in [
        (reverse("reports:year-over-year", args=[questionnaire.pk]), {}),
        (
            reverse("reports:year-over-year", args=[questionnaire.pk]),
            {"niva": "region", "avrundning": "half_up"},
        ),
        (
            reverse(
                "reports:question-year-over-year", args=[questionnaire.pk, "q1_fraga"]
            ),
            {},
        ),
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, query).status_code == 200
        counts.append(len(queries))
    return counts


# Per page: the session, its user and second factor, the questionnaire, the
# previous version, both versions' questions (3), and two tabulations (at a
# level of groups each lists its groups). The tabulations take the questions
# from the structure built once per version (reports.tabulation.plan; built here
# by the saves): three queries fewer each than [20, 22, 20] before; and each
# tabulation is one statement (reports.tabulation.queries): [14, 16, 14] when
# its groups, frame, respondents and cells were a query each.
QUERIES = [10, 10, 10]


@pytest.mark.parametrize(("regions", "questions"), [(2, 2), (21, 12)])
def test_the_pages_make_the_same_number_of_queries_at_two_sizes(
    client: Client,
    staff_user: User,
    tmp_path: Path,
    regions: int,
    questions: int,
) -> None:
    write_years(tmp_path, questions)
    load_questionnaires(tmp_path)
    questionnaire = import_years(regions, questions, staff_user)
    client.force_login(staff_user)
    assert count_queries(client, questionnaire) == QUERIES


# --- kommuner, grouped per RSS ------------------------------------------------------------


def test_kommun_answers_per_rss_have_counts_shares_and_bases_per_year(
    staff_user: User, tmp_path: Path
) -> None:
    """A kommun questionnaire per RSS: several kommuner in a group, so «antal
    (procent)» and the base of each group per year."""
    write_years(tmp_path, 1, audience="kommun")
    load_questionnaires(tmp_path)
    answers = {
        2035: {"0760": "1", "0761": "2", "0780": "1"},
        2036: {"0760": "1", "0761": "1", "0763": "2", "0780": "1"},
    }
    for questionnaire in Questionnaire.objects.filter(key="storlek"):
        rows = [["orgkod", "orgnamn", "orgtyp", "regionkod", "rsskod", "status"]]
        rows[0] += ["inskickad", "q1_fraga"]
        rows += [
            [code, "", "kommun", "", "", "Inskickad", "", value]
            for code, value in answers[questionnaire.cycle.year].items()
        ]
        import_responses(
            questionnaire,
            csv_bytes(rows),
            actor=staff_user,
            file_name="x.csv",
            submit=True,
        )
    later = Questionnaire.objects.select_related("cycle").get(
        key="storlek", cycle__year=2036
    )
    comparison = compare(later, level=Level.RSS)
    [table] = comparison_tables(comparison, comparison.questions[0], audience="kommun")
    assert table.header == ("", "«Ja» 2035", "Bas 2035", "«Ja» 2036", "Bas 2036")
    rows = {row[0]: row[1:] for row in table.rows}
    # RSS Kronobergs län: 2 of 3 (67 %) in 2035, 3 of 4 (75 %) in 2036.
    kronoberg = next(label for label in rows if "Kronoberg" in label)
    assert rows[kronoberg] == ("2 (67)", "3", "3 (75)", "4")
    assert sum(1 for row in rows.values() if row == ("..", "0", "..", "0")) == 23
    assert table.notes[:2] == (
        "2035: 3 kommuner har svarat på denna fråga.",
        "2036: 4 kommuner har svarat på denna fråga.",
    )
    assert table.notes[2].startswith(
        "Frågans formulering har ändrats jämfört med 2035."
    )
    [chart] = comparison_charts(comparison, comparison.questions[0], audience="kommun")
    assert [(row.label, [bar.text for bar in row.bars]) for row in chart.rows] == [
        (kronoberg, ["67 %", "75 %"])
    ]
    assert chart.base_note == (
        "Bas: 2035: 3 kommuner som har svarat; 2036: 4 kommuner som har svarat. "
        ".. (uppgift saknas alla år, ingen stapel): 23 RSS."
    )


def test_the_chart_zip_has_the_year_over_year_charts_at_riket(
    client: Client, staff_user: User, two_years: TwoYears
) -> None:
    """The diagram export holds the comparison page's charts too, in a folder
    named for the years; not for the new question 4, and nothing for the first
    year, which has no previous version."""
    output = io.BytesIO()
    manifest = write_diagram_zip(
        two_years.later, options={}, output=output, progress=lambda *_: None
    )
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        png = archive.read("jamforelse-2033-2034/fraga-1.png")
    compared = sorted(n for n in names if n.startswith("jamforelse-2033-2034/"))
    # Questions 1 and 2 (yes/no), 3 (a number), 5 (the matrix: one chart per
    # row, the row added in 2034 included) and 6 (the multiple choice).
    assert compared == [
        "jamforelse-2033-2034/fraga-1.png",
        "jamforelse-2033-2034/fraga-2.png",
        "jamforelse-2033-2034/fraga-3.png",
        "jamforelse-2033-2034/fraga-5-1.png",
        "jamforelse-2033-2034/fraga-5-2.png",
        "jamforelse-2033-2034/fraga-5-3.png",
        "jamforelse-2033-2034/fraga-6.png",
    ]
    # The same picture as the comparison page's PNG of question 1.
    client.force_login(staff_user)
    page_png = client.get(
        reverse("reports:year-over-year-png", args=[two_years.later.pk, "q1_plan", 1])
    )
    assert png.startswith(b"\x89PNG") and png == page_png.content
    described = manifest.as_dict()
    assert set(compared) <= set(described["extra"]["filer"])
    assert described["row_counts"]["diagram"] == len(names) - 1  # not the manifest

    earlier = io.BytesIO()
    write_diagram_zip(
        two_years.earlier, options={}, output=earlier, progress=lambda *_: None
    )
    with zipfile.ZipFile(earlier) as archive:
        assert not any(n.startswith("jamforelse") for n in archive.namelist())
