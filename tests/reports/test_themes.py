"""Free-text themes (issue #19 point 3): coding through the staff pages, counts
with the right base, Cohen's κ, the fastställd coding in the exports, denials and
query budgets. The figures are worked out by hand in the comments."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from intake.models import Response
from reports.themes.agreement import cohen_kappa, percent_agreement
from reports.themes.models import Coding, CodingChange, Theme, ThemeScheme
from reports.workbook import write_table_workbook
from surveys.models import RSS, OrganisationKind, Question, QuestionKind, Region, User
from tests.conftest import make_user
from tests.factories import (
    AnswerFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ResponseFactory,
    mark_submitted,
)

TEXTS = [
    "Vi satsar på kompetens.",
    "Kompetens och samverkan med kommunerna.",
    "Inget särskilt.",
    "Samverkan i länet.",
]


def _answer(question: Question, region: Region, text: str) -> Response:
    response = ResponseFactory(
        questionnaire=question.questionnaire, organisation=region
    )
    AnswerFactory(response=response, question=question, text=text)
    return response


def _setup(n_regions: int = 4) -> tuple[Question, list[Response]]:
    """`n_regions` regions answered and submitted the text question; one more
    submitted an empty text and one answered without submitting: neither is in the
    base."""
    questionnaire = QuestionnaireFactory(audience=OrganisationKind.REGION)
    question = QuestionFactory(
        section__questionnaire=questionnaire, kind=QuestionKind.TEXT, variable="fritext"
    )
    regions = list(Region.objects.order_by("code"))
    answered = [
        _answer(question, regions[i], TEXTS[i % len(TEXTS)]) for i in range(n_regions)
    ]
    empty = _answer(question, regions[n_regions], "")
    mark_submitted(*answered, empty)
    _answer(question, regions[n_regions + 1], "Inte inskickat.")
    return question, answered


def _url(name: str, question: Question, *args: Any) -> str:
    return reverse(
        f"reports:{name}", args=[question.questionnaire_id, question.variable, *args]
    )


def _add(client: Client, question: Question, name: str) -> Theme:
    client.post(
        _url("themes-scheme", question),
        {"action": "add", "ny-name": name, "ny-description": f"Om {name.lower()}"},
    )
    return Theme.objects.get(name=name)


def _code(
    client: Client, question: Question, response: Response, *themes: Theme
) -> Any:
    return client.post(
        _url("themes-coding", question),
        {"response": response.pk, "themes": [t.pk for t in themes]},
    )


@pytest.fixture
def coded(staff_user: User) -> dict[str, Any]:
    """Two coders code the four answers through the coding page:
    A: 1 {K}, 2 {K, S}, 3 {}, 4 {S};  B: 1 {K}, 2 {K}, 3 {K}, 4 {S}."""
    question, answered = _setup()
    coder_b = make_user("kodare-b@socialstyrelsen.test", is_staff=True)
    a, b = Client(), Client()
    a.force_login(staff_user)
    b.force_login(coder_b)
    k = _add(a, question, "Kompetens")
    s = _add(a, question, "Samverkan")
    r1, r2, r3, r4 = answered
    for response, themes in ((r1, [k]), (r2, [k, s]), (r3, []), (r4, [s])):
        _code(a, question, response, *themes)
    for response, themes in ((r1, [k]), (r2, [k]), (r3, [k]), (r4, [s])):
        _code(b, question, response, *themes)
    return {
        "question": question,
        "a": a,
        "b": b,
        "coder_b": coder_b,
        "k": k,
        "s": s,
        "answered": answered,
    }


# --- κ, by hand --------------------------------------------------------------------------


def test_kappa_on_a_hand_checked_example() -> None:
    # Ten answers; A says yes to 1–5, B to 1–4 and 6. They agree on 1–4 (yes) and
    # 7–10 (no): p_o = 8/10. p_A = p_B = 0.5, so p_e = 0.25 + 0.25 = 0.5 and
    # κ = (0.8 − 0.5) / (1 − 0.5) = 0.6.
    a = [True] * 5 + [False] * 5
    b = [True] * 4 + [False, True] + [False] * 4
    pairs = list(zip(a, b, strict=True))
    assert cohen_kappa(pairs) == pytest.approx(0.6)
    assert percent_agreement(pairs) == pytest.approx(80)


def test_kappa_is_undefined_without_variation_or_items() -> None:
    # Both coders said no to everything: p_e = 1, κ undefined though they agree.
    assert cohen_kappa([(False, False)] * 3) is None
    assert percent_agreement([(False, False)] * 3) == 100
    assert cohen_kappa([]) is None
    # Complete disagreement with both values used: κ = −1.
    assert cohen_kappa([(True, False), (False, True)]) == pytest.approx(-1)


# --- coding and agreement through the pages ------------------------------------------------


def test_each_coder_keeps_their_own_coding_with_history(coded: dict[str, Any]) -> None:
    k, s, (_r1, r2, r3, _r4) = coded["k"], coded["s"], coded["answered"]
    coding = Coding.objects.get(response=r2, coder__email="staff@socialstyrelsen.test")
    assert set(coding.themes.all()) == {k, s}
    other = Coding.objects.get(response=r2, coder=coded["coder_b"])
    assert set(other.themes.all()) == {k}
    # An answer coded with no theme is coded, not left out.
    assert Coding.objects.get(response=r3, coder__email="staff@socialstyrelsen.test")
    # Recoding keeps the old themes in the history.
    _code(coded["a"], coded["question"], r2, s)
    change = CodingChange.objects.filter(coding=coding).last()
    assert change is not None
    assert change.old_themes == sorted([k.pk, s.pk])
    assert change.new_themes == [s.pk]
    assert change.changed_by.email == "staff@socialstyrelsen.test"


def test_agreement_page_shows_kappa_and_disagreements(coded: dict[str, Any]) -> None:
    # Kompetens: A y,y,n,n; B y,y,y,n → p_o 0.75, p_A 0.5, p_B 0.75,
    # p_e = 0.375 + 0.125 = 0.5, κ = 0.5. Samverkan: A n,y,n,y; B n,n,n,y →
    # p_o 0.75, p_e = 0.125 + 0.375 = 0.5, κ = 0.5. They differ on answers 2 and 3.
    page = coded["a"].get(_url("themes-agreement", coded["question"]))
    assert page.status_code == 200
    agreement = page.context["agreement"]
    assert agreement.n_both == 4
    assert [(r.theme.name, r.kappa, r.percent) for r in agreement.themes] == [
        ("Kompetens", pytest.approx(0.5), pytest.approx(75)),
        ("Samverkan", pytest.approx(0.5), pytest.approx(75)),
    ]
    assert [d.text for d in agreement.disagreements] == [TEXTS[1], TEXTS[2]]
    assert "0,50" in page.content.decode() or "0.50" in page.content.decode()


def test_agreement_page_says_when_kappa_is_undefined(coded: dict[str, Any]) -> None:
    # A third theme nobody used: both coders say no to every answer.
    _add(coded["a"], coded["question"], "Digitalisering")
    page = coded["a"].get(_url("themes-agreement", coded["question"]))
    assert "κ kan inte beräknas" in page.content.decode()


def test_coding_an_answer_outside_the_base_is_refused(coded: dict[str, Any]) -> None:
    unsubmitted = Response.objects.get(answers__text="Inte inskickat.")
    page = _code(coded["a"], coded["question"], unsubmitted, coded["k"])
    assert page.status_code == 400
    assert "inskickade fritextsvaren" in page.content.decode()
    assert not Coding.objects.filter(response=unsubmitted).exists()


def test_save_and_next_goes_to_the_next_uncoded_answer(staff_user: User) -> None:
    question, (r1, r2, r3, _r4) = _setup()
    client = Client()
    client.force_login(staff_user)
    k = _add(client, question, "Kompetens")
    _code(client, question, r2, k)
    page = client.post(
        _url("themes-coding", question),
        {"response": r1.pk, "themes": [k.pk], "next": "1"},
    )
    assert page.status_code == 302
    assert page["Location"].endswith(f"?till={r3.pk}")
    page = client.post(_url("themes-coding", question), {"response": r3.pk})
    assert page["Location"].endswith(f"?till={r3.pk}")


def test_theme_names_are_unique_and_removal_keeps_the_codings(
    coded: dict[str, Any],
) -> None:
    question, a, k = coded["question"], coded["a"], coded["k"]
    page = a.post(
        _url("themes-scheme", question),
        {"action": "add", "ny-name": "kompetens", "ny-description": ""},
    )
    assert page.status_code == 400
    assert "finns redan" in page.content.decode()
    assert 'value="kompetens"' in page.content.decode()
    a.post(_url("themes-scheme", question), {"action": "remove", "theme": k.pk})
    k.refresh_from_db()
    assert k.removed_at is not None
    assert Coding.objects.filter(themes=k).count() == 5  # r1, r2 by A; r1, r2, r3 by B
    a.post(
        _url("themes-scheme", question),
        {
            "action": "change",
            "theme": coded["s"].pk,
            f"t{coded['s'].pk}-name": "Samverkan i länet",
            f"t{coded['s'].pk}-description": "",
        },
    )
    assert Theme.objects.get(pk=coded["s"].pk).name == "Samverkan i länet"
    # Renaming to a name in use is refused on the theme's form, the input kept.
    page = a.post(
        _url("themes-scheme", question),
        {
            "action": "change",
            "theme": coded["s"].pk,
            f"t{coded['s'].pk}-name": "Digital vård",
            f"t{coded['s'].pk}-description": "",
        },
    )
    assert page.status_code == 302
    page = a.post(
        _url("themes-scheme", question),
        {"action": "add", "ny-name": "Ny", "ny-description": ""},
    )
    new = Theme.objects.get(name="Ny")
    page = a.post(
        _url("themes-scheme", question),
        {
            "action": "change",
            "theme": new.pk,
            f"t{new.pk}-name": "digital vård",
            f"t{new.pk}-description": "Inskrivet",
        },
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "finns redan" in html
    assert 'value="digital vård"' in html
    assert "Inskrivet" in html
    assert Theme.objects.get(pk=new.pk).name == "Ny"


# --- counts with the right base -----------------------------------------------------------


def _agree(client: Client, question: Question, coder: User) -> None:
    client.post(
        _url("themes-scheme", question), {"action": "agreed", "coder": coder.pk}
    )


def test_counts_use_the_answered_base_and_the_agreed_coder(
    coded: dict[str, Any], staff_user: User
) -> None:
    question, a = coded["question"], coded["a"]
    page = a.get(_url("themes-table", question))
    assert page.context["table"].agreed is False
    assert "Ingen kodning är fastställd" in page.content.decode()

    _agree(a, question, staff_user)
    assert ThemeScheme.objects.get(question=question).agreed_coder == staff_user
    page = a.get(_url("themes-table", question))
    table = page.context["table"]
    riket = table.levels[0].rows[0]
    # Base: the 4 submitted non-empty texts (not the empty one, not the
    # unsubmitted one). Coder A: Kompetens on 1 and 2, Samverkan on 2 and 4.
    assert (riket.base, riket.counts) == (4, (2, 2))
    assert "2 av 4 regioner tar upp ”Kompetens”" in page.content.decode()
    per_region = {row.group.key: (row.base, row.counts) for row in table.levels[1].rows}
    r1, r2, r3, r4 = coded["answered"]
    assert per_region[r2.organisation_id] == (1, (1, 1))
    assert per_region[r3.organisation_id] == (1, (0, 0))
    assert len(per_region) == 21
    assert sum(base for base, _ in per_region.values()) == 4

    # The chart: riket's counts over the same base, ties in the scheme's order.
    chart = page.context["chart"]
    assert [(b.label, b.value, b.text) for b in chart.bars] == [
        ("Kompetens", 2, "2 av 4"),
        ("Samverkan", 2, "2 av 4"),
    ]
    assert chart.maximum == 4
    assert chart.base_note.startswith("Bas: 4 regioner har svarat på frågan.")

    # Switching to coder B's coding: Kompetens on 1, 2, 3 and Samverkan on 4.
    _agree(a, question, coded["coder_b"])
    page = a.get(_url("themes-table", question))
    riket = page.context["table"].levels[0].rows[0]
    assert (riket.base, riket.counts) == (4, (3, 1))
    bars = page.context["chart"].bars
    assert [(b.label, b.text) for b in bars] == [
        ("Kompetens", "3 av 4"),
        ("Samverkan", "1 av 4"),
    ]


def test_a_group_where_nobody_answered_shows_the_no_data_marker(
    coded: dict[str, Any], staff_user: User
) -> None:
    """17 of the 21 regions did not answer: their rows say «..» (no data), not
    "0 av 0", on the page and in the workbook; a region that answered without
    the theme keeps its counted "0 av 1"."""
    question, a = coded["question"], coded["a"]
    _agree(a, question, staff_user)
    page = a.get(_url("themes-table", question))
    rows = {row.group.key: row for row in page.context["table"].levels[1].rows}
    r1, r2, r3, r4 = coded["answered"]
    assert rows[r3.organisation_id].cells == ("0 av 1", "0 av 1")
    unanswered = [row for row in rows.values() if row.base == 0]
    assert len(unanswered) == 17
    assert {row.cells for row in unanswered} == {("..", "..")}
    html = page.content.decode()
    assert "0 av 0" not in html
    assert ".. Uppgift saknas: ingen i gruppen har svarat på frågan." in html

    output = io.BytesIO()
    write_table_workbook(question.questionnaire, output)
    sheet = load_workbook(io.BytesIO(output.getvalue()))[f"Teman {question.number}"]
    values = list(sheet.iter_rows(values_only=True))
    region_rows = [r[:4] for r in values if r[1] == 0]
    assert len(region_rows) == 17
    assert {r[2:4] for r in region_rows} == {("..", "..")}
    assert (".. Uppgift saknas: ingen i gruppen har svarat på frågan.",) in [
        r[:1] for r in values
    ]


def test_the_theme_chart_as_png_only_once_a_coding_is_agreed(
    coded: dict[str, Any], staff_user: User
) -> None:
    question, a = coded["question"], coded["a"]
    assert a.get(_url("themes-chart-png", question)).status_code == 404
    assert "Diagram" not in a.get(_url("themes-table", question)).content.decode()

    _agree(a, question, staff_user)
    png = a.get(_url("themes-chart-png", question))
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "attachment" in png["Content-Disposition"]
    page = a.get(_url("themes-table", question)).content.decode()
    assert _url("themes-chart-png", question) in page


def test_quotes_export_and_workbook_sheet(
    coded: dict[str, Any], staff_user: User
) -> None:
    question, a = coded["question"], coded["a"]
    _agree(a, question, staff_user)
    csv_text = a.get(_url("themes-quotes", question, "csv")).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0] == "Kod;Organisation;Svar;Teman;Kompetens;Samverkan"
    assert lines[2].endswith(f"{TEXTS[1]};Kompetens, Samverkan;1;1")
    assert len(lines) == 5

    book = load_workbook(
        io.BytesIO(a.get(_url("themes-quotes", question, "xlsx")).content)
    )
    values = [row for row in book.active.iter_rows(values_only=True) if row and row[0]]
    assert TEXTS[0] in [v for row in values for v in row]

    output = io.BytesIO()
    write_table_workbook(question.questionnaire, output)
    sheet = load_workbook(io.BytesIO(output.getvalue()))[f"Teman {question.number}"]
    rows = [
        r[:4]
        for r in sheet.iter_rows(values_only=True)
        if r[0] == "Riket" and r[1] != "Besvarat (antal regioner)"
    ]
    assert rows == [("Riket", 4, 2, 2)]  # numbers as numbers
    # The chart's data table right of the counts (two themes: from column F),
    # and a native chart in the file that reads it.
    chart_table = [
        (sheet.cell(row=r, column=6).value, sheet.cell(row=r, column=7).value)
        for r in range(4, 7)
    ]
    assert chart_table == [("Tema", "Antal"), ("Kompetens", 2), ("Samverkan", 2)]
    with zipfile.ZipFile(io.BytesIO(output.getvalue())) as package:
        assert any(n.startswith("xl/charts/chart") for n in package.namelist())
    assert a.get(_url("themes-quotes", question, "pdf")).status_code == 404


def test_rss_summaries_count_per_region_and_rss(staff_user: User) -> None:
    # Three RSS submit a summary of their kommuners' texts; the theme is on two.
    questionnaire = QuestionnaireFactory(key="rss", audience=OrganisationKind.RSS)
    question = QuestionFactory(
        section__questionnaire=questionnaire,
        kind=QuestionKind.KOMMUN_TEXT_SUMMARY,
        variable="sammanfattning",
    )
    three = list(RSS.objects.order_by("code")[:3])
    answered = [_answer(question, rss, f"Sammanfattning {rss.code}") for rss in three]
    mark_submitted(*answered)
    client = Client()
    client.force_login(staff_user)
    theme = _add(client, question, "Kompetens")
    for response in answered[:2]:
        _code(client, question, response, theme)
    _code(client, question, answered[2])
    _agree(client, question, staff_user)
    page = client.get(_url("themes-table", question))
    table = page.context["table"]
    assert [level.level for level in table.levels] == ["riket", "region", "rss"]
    riket = table.levels[0].rows[0]
    assert (riket.base, riket.counts) == (3, (2,))
    assert "2 av 3 RSS tar upp" in page.content.decode()
    per_rss = {row.group.key: (row.base, row.counts) for row in table.levels[2].rows}
    assert per_rss[three[0].pk] == (1, (1,))
    assert per_rss[three[2].pk] == (1, (0,))
    per_region = table.levels[1].rows
    assert sum(row.base for row in per_region) == 3
    assert sum(row.counts[0] for row in per_region) == 2


# --- least access ---------------------------------------------------------------------------


PAGES = [
    "themes-scheme",
    "themes-coding",
    "themes-agreement",
    "themes-table",
    "themes-chart-png",
]


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_only_staff_see_the_theme_pages(
    coded: dict[str, Any], persona: str, request: pytest.FixtureRequest
) -> None:
    question = coded["question"]
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    urls = [_url(name, question) for name in PAGES]
    urls += [
        _url("themes-quotes", question, "csv"),
        reverse("reports:themes-index", args=[question.questionnaire_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    before = Coding.objects.count()
    page = _code(client, question, coded["answered"][0], coded["k"])
    assert page.status_code == 404
    assert Coding.objects.count() == before


def test_it_requires_login(coded: dict[str, Any]) -> None:
    page = Client().get(_url("themes-coding", coded["question"]))
    assert page.status_code == 302
    assert "login" in page["Location"] or "logga-in" in page["Location"]


def test_other_questions_are_not_coded(staff_user: User) -> None:
    questionnaire = QuestionnaireFactory(audience=OrganisationKind.REGION)
    number = QuestionFactory(
        section__questionnaire=questionnaire,
        kind=QuestionKind.INTEGER,
        variable="antal",
    )
    client = Client()
    client.force_login(staff_user)
    assert client.get(_url("themes-scheme", number)).status_code == 404


# --- query budgets ------------------------------------------------------------------------


@pytest.mark.parametrize("n_regions", [3, 12])
def test_table_and_coding_pages_have_a_fixed_query_count(
    n_regions: int, staff_user: User, django_assert_num_queries: Any
) -> None:
    question, answered = _setup(n_regions)
    client = Client()
    client.force_login(staff_user)
    themes = [_add(client, question, f"Tema {i}") for i in range(n_regions)]
    for response in answered:
        _code(client, question, response, *themes[: 1 + response.pk % 3])
    _agree(client, question, staff_user)
    with django_assert_num_queries(QUERIES_TABLE):
        assert client.get(_url("themes-table", question)).status_code == 200
    with django_assert_num_queries(QUERIES_TABLE):
        assert client.get(_url("themes-chart-png", question)).status_code == 200
    with django_assert_num_queries(QUERIES_CODING):
        assert client.get(_url("themes-coding", question)).status_code == 200
    with django_assert_num_queries(QUERIES_QUOTES):
        assert client.get(_url("themes-quotes", question, "csv")).status_code == 200
    other = make_user("andra@socialstyrelsen.test", is_staff=True)
    second = Client()
    second.force_login(other)
    for response in answered:
        _code(second, question, response, themes[0])
    with django_assert_num_queries(QUERIES_AGREEMENT):
        page = client.get(_url("themes-agreement", question))
    assert page.context["agreement"].n_both == n_regions


# Each includes the staff's verified second-factor device (signin/).
QUERIES_TABLE = 10
QUERIES_CODING = 10
QUERIES_QUOTES = 10
QUERIES_AGREEMENT = 12
