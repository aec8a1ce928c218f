"""A refused value never changes what is stored (issue #13, point 1).

Every question kind and cell type of the form gets a value the form or the domain
refuses (an unknown option code, a bad matrix cell, a NUL character, a value over
the field's length, a number out of range), beside a valid change to another
question. The refused question keeps its stored answer and its history; the page
and the autosave JSON say exactly what was saved and what was not. An Excel
upload and a raw-data import with a refused cell are refused whole, so they
change nothing stored either.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from intake.consolidation import adjustment_cells
from intake.forms import ResponseForm
from intake.models import AnswerChange, Channel, Response
from intake.selectors import answer_cells, questions_of
from intake.services import get_or_create_response, save_answers
from reports.imports.importing import RawDataImportError
from reports.imports.jobs import import_responses
from surveys.models import RSS, Kommun, Organisation, Questionnaire, Region, User
from tests.intake.test_excel import answer_ref, as_upload, download, upload
from tests.reports.conftest import EveryKind, every_kind  # noqa: F401 - a fixture
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes
from tests.script_posts import ENCODINGS, ScriptPost

pytestmark = pytest.mark.django_db

TEXT = "r01_omstallning"  # the valid change beside every refused value
OVER_FIELD = "5" * 41  # the number field takes 40 characters

# (case, variable, stored value, posted fields for the refused value)
CASES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("yes/no: unknown code", "r02_breddinfort", "ja", {"r02_breddinfort": "kanske"}),
    (
        "single choice: unknown code",
        "r04_handlingsplan",
        "nej_forslag",
        {"r04_handlingsplan": "x"},
    ),
    (
        "multiple choice: one unknown code",
        "r18_dok_overensk",
        ["utbildning"],
        {"r18_dok_overensk": ["rutiner", "okand"]},
    ),
    (
        "matrix: one bad cell",
        "r08_uppfoljning",
        {"samverkan": "ja", "delaktighet": "nej"},
        {"r08_uppfoljning__samverkan": "nej", "r08_uppfoljning__delaktighet": "kanske"},
    ),
    ("percentage: over the field", "r35_andel", "55", {"r35_andel": OVER_FIELD}),
    ("percentage: out of range", "r35_andel", "55", {"r35_andel": "150"}),
    (
        "percentage: value and escape",
        "r35_andel",
        "55",
        {"r35_andel": "40", "r35_andel__escaped": "on"},
    ),
    ("integer: NUL character", "r36_antal", "12", {"r36_antal": "1\x002"}),
    ("integer: too large", "r36_antal", "12", {"r36_antal": "1e20"}),
    ("integer: not a number", "r36_antal", "12", {"r36_antal": "tolv"}),
    (
        "text: NUL character",
        "r01a_tillganglig",
        "Gammal text",
        {"r01a_tillganglig": "Ny\x00text"},
    ),
    (
        "text: over its length",
        "r01a_tillganglig",
        "Gammal text",
        {"r01a_tillganglig": "x" * 4001},
    ),
]


def setup_response(
    questionnaire: Questionnaire, organisation: Organisation, user: User, values: Any
) -> Response:
    response = get_or_create_response(questionnaire, organisation=organisation)
    return save_answers(response, actor=user, channel=Channel.WEB, values=values)


def page_data(response: Response, **changes: Any) -> dict[str, Any]:
    """What the page posts back unchanged (bases included), plus `changes`; an
    RSS kommun count's fields show the RSS's adjustments only, as on the page."""
    questions = questions_of(response.questionnaire_id)
    form = ResponseForm(
        questions,
        answers={
            **answer_cells(response),
            **adjustment_cells(response, questions),
        },
        version=response.version,
    )
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not False and v not in ("", None, [])
    }
    data.update(changes)
    data.setdefault("action", "save")
    return data


def stored(response: Response) -> dict[int, Any]:
    return answer_cells(Response.objects.get(pk=response.pk))


@pytest.mark.parametrize(
    ("case", "variable", "value", "posted"), CASES, ids=[c[0] for c in CASES]
)
@pytest.mark.parametrize("channel", ["form", *(f"autosave-{e}" for e in ENCODINGS)])
def test_a_refused_value_keeps_the_stored_answer(
    client: Client,
    region_user: User,
    region: Region,
    channel: str,
    case: str,
    variable: str,
    value: Any,
    posted: dict[str, Any],
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    response = setup_response(questionnaire, region, region_user, {variable: value})
    question = questionnaire.questions.get(variable=variable)
    before = stored(response)
    n_changes = AnswerChange.objects.filter(response=response).count()
    client.force_login(region_user)
    data = page_data(response, **posted, **{TEXT: "Nytt svar"})
    if channel == "form":
        url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
        result = client.post(url, data)
    else:
        url = reverse("intake:response-autosave", args=[questionnaire.pk, region.pk])
        result = ScriptPost(channel.removeprefix("autosave-"))(client, url, data)

    after = stored(response)
    assert after[question.pk] == before[question.pk]
    text_question = questionnaire.questions.get(variable=TEXT)
    assert after[text_question.pk][""].text == "Nytt svar"
    # The history has the valid change only: nothing "old → empty".
    changes = AnswerChange.objects.filter(response=response)[n_changes:]
    assert [c.question.variable for c in changes] == [TEXT]
    if channel == "form":
        assert result.status_code == 400
        page = result.content.decode()
        assert "Sparat: fråga 1." in page
        assert f"Inte sparat: fråga {question.number}." in page
        assert "tidigare sparade svaret kvar" in page
    else:
        assert result.status_code == 200
        body = result.json()
        assert body["saved_answers"] == [TEXT]
        assert list(body["refused"]) == [variable]
        assert body["refused"][variable]  # a Swedish message for the user


def test_a_refused_value_on_an_rss_summary_keeps_the_stored_text(
    client: Client, rss: RSS, rss_user: User
) -> None:
    """The RSS's own kind of text (a summary beside the kommuner's texts)."""
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="rss")
    variable = "s03_viktigaste"
    response = setup_response(questionnaire, rss, rss_user, {variable: "Sammanfattat"})
    client.force_login(rss_user)
    result = client.post(
        reverse("intake:response-autosave", args=[questionnaire.pk, rss.pk]),
        page_data(response, **{variable: "Ny\x00sammanfattning"}),
    )
    assert result.status_code == 200
    assert list(result.json()["refused"]) == [variable]
    question = questionnaire.questions.get(variable=variable)
    assert stored(response)[question.pk][""].text == "Sammanfattat"


def test_an_over_long_adjusted_count_is_refused_without_saving_it(
    client: Client, rss: RSS, rss_user: User
) -> None:
    """An RSS kommun count's adjustment field (12 characters) over its length."""
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="rss")
    response = get_or_create_response(questionnaire, organisation=rss)
    client.force_login(rss_user)
    result = client.post(
        reverse("intake:response-autosave", args=[questionnaire.pk, rss.pk]),
        page_data(
            response,
            s06_breddinfort__justera__ja="1" * 13,
            s06_breddinfort__anledning="Kontroll",
            s02_rss_insatser="Insatser",
        ),
    )
    assert result.status_code == 200
    body = result.json()
    assert list(body["refused"]) == ["s06_breddinfort"]
    assert body["saved_answers"] == ["s02_rss_insatser"]
    question = questionnaire.questions.get(variable="s06_breddinfort")
    assert question.pk not in stored(response)


def test_an_excel_upload_with_a_refused_cell_changes_nothing(
    client: Client, kommun: Kommun, kommun_user: User
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    response = setup_response(
        questionnaire,
        kommun,
        kommun_user,
        {"k04_breddinfort": "ja", "k01_viktigaste": "Sparad text"},
    )
    before = stored(response)
    n_changes = AnswerChange.objects.filter(response=response).count()
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "1")] = "Ny text"  # valid
    sheet[answer_ref(sheet, "4")] = "Kanske"  # refused
    result = upload(client, questionnaire, kommun, as_upload(workbook))
    assert "«Kanske» finns inte bland svarsalternativen" in result.content.decode()
    assert stored(response) == before
    assert AnswerChange.objects.filter(response=response).count() == n_changes


def test_an_import_with_a_refused_cell_changes_nothing(
    every_kind: EveryKind,  # noqa: F811 - the fixture imported above
) -> None:
    questionnaire = every_kind.questionnaire
    before = export_bytes(questionnaire)
    n_changes = AnswerChange.objects.count()
    rows = csv_rows(before)
    header = rows[0]
    # The response still in progress (the other one is submitted and locked).
    line = next(
        i
        for i, row in enumerate(rows[1:], 2)
        if row[header.index("status")] == "in_progress"
    )
    rows[line - 1][header.index("q06_andel")] = "150"
    with pytest.raises(RawDataImportError) as refused:
        import_responses(questionnaire, csv_bytes(rows), actor=every_kind.actor)
    assert any("q06_andel" in e for e in refused.value.errors)
    assert export_bytes(questionnaire) == before
    assert AnswerChange.objects.count() == n_changes
