"""The Excel channel of kommun questionnaires, through real requests: download a
copy, fill it in with openpyxl as a kommun would (choosing labels from the lists),
upload, preview, confirm; and every way a returned file can be wrong."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from intake.excel.grid import WorkbookError
from intake.excel.reader import read_kommun_workbook
from intake.models import Answer, AnswerChange, Channel, Response, ResponseStatus
from intake.services import get_or_create_response, save_answers
from surveys.models import (
    Cycle,
    Kommun,
    MatrixRow,
    Option,
    Organisation,
    Question,
    Questionnaire,
    Section,
    User,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def kommun_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="kommun")


def url(name: str, questionnaire: Questionnaire, kommun: Organisation) -> str:
    return reverse(f"intake:excel-{name}", args=[questionnaire.pk, kommun.pk])


def download(
    client: Client, questionnaire: Questionnaire, kommun: Organisation
) -> Workbook:
    response = client.get(url("download", questionnaire, kommun))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def as_upload(workbook: Workbook, name: str = "svar.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def upload(
    client: Client,
    questionnaire: Questionnaire,
    kommun: Organisation,
    file: SimpleUploadedFile,
) -> Any:
    return client.post(url("upload", questionnaire, kommun), {"file": file})


def answer_ref(sheet: Worksheet, number: str, item: str | None = None) -> str:
    """The answer cell of question `number` (or of its row/option `item`), found the
    way a person would: by the question number in column A and the text in B."""
    rows = list(sheet.iter_rows(min_row=1))
    for index, row in enumerate(rows):
        if row[0].value == number:
            if item is None:
                return f"D{row[0].row}"
            for below in rows[index + 1 :]:
                if below[0].value:  # the next question
                    break
                if below[1].value == item:
                    return f"D{below[0].row}"
    raise AssertionError(f"no cell for {number} {item}")


def validation_of(sheet: Worksheet, ref: str) -> Any:
    found = [dv for dv in sheet.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, ref
    return found[0]


def list_labels(workbook: Workbook, formula: str) -> list[str]:
    sheet_name, cells = formula.split("!")
    sheet = workbook[sheet_name.strip("'")]
    return [c[0].value for c in sheet[cells.replace("$", "")]]


def stored(response: Response) -> dict[tuple[str, str], Answer]:
    return {
        (a.question.variable, a.slot): a
        for a in response.answers.select_related("question", "option")
    }


@pytest.fixture
def vaxjo_response(kommun: Kommun, kommun_user: User) -> Response:
    """Växjö has answered 4 = Ja with an example (4a) on the web."""
    response = get_or_create_response(kommun_questionnaire(), organisation=kommun)
    return save_answers(
        response,
        actor=kommun_user,
        channel=Channel.WEB,
        values={"k04_breddinfort": "ja", "k04a_exempel": "Gammalt exempel"},
    )


# --- the round trip --------------------------------------------------------------------


def test_the_rss_fills_in_a_copy_and_the_answers_are_stored_through_excel(
    client: Client, rss_user: User, kommun: Kommun, vaxjo_response: Response
) -> None:
    questionnaire = kommun_questionnaire()
    client.force_login(rss_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    assert sheet["B3"].value == "Växjö"
    assert sheet["B4"].value == "0780"
    # The current answers are filled in.
    assert sheet[answer_ref(sheet, "4")].value == "Ja"
    assert sheet[answer_ref(sheet, "4a")].value == "Gammalt exempel"

    # As a kommun would: labels from the lists, "Ja" on the options that apply.
    sheet[answer_ref(sheet, "1")] = "Vi har startat en äldrecentral."
    sheet[answer_ref(sheet, "2", "Utskrivningsprocessen")] = "Ja"
    sheet[answer_ref(sheet, "2", "Andra områden/arbetssätt")] = "Ja"
    sheet[answer_ref(sheet, "2a")] = "Anhörigstöd"
    sheet[answer_ref(sheet, "3", "… barn och unga?")] = "Ja"
    sheet[
        answer_ref(sheet, "3", "… äldre personer med stora vård- och omsorgsbehov?")
    ] = "Nej"
    sheet[answer_ref(sheet, "3a")] = "Familjecentral"
    sheet[answer_ref(sheet, "3b")] = "Gäller inte, men ifyllt ändå"  # 3 äldre = Nej
    sheet[answer_ref(sheet, "4")] = "Nej"  # so the stored 4a no longer applies
    sheet[answer_ref(sheet, "18", "… stöd vid utskrivning från sjukhus?")] = "Delvis"

    response = upload(client, questionnaire, kommun, as_upload(workbook))
    assert response.status_code == 302
    preview_url = response["Location"]
    assert "/granska/" in preview_url

    page = client.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Inget är sparat ännu" in html
    items = {i.question.variable: i for i in page.context["items"]}
    changed = {v for v, i in items.items() if i.changed}
    assert changed == {
        "k01_viktigaste",
        "k02_omraden",
        "k02a_andra",
        "k03_malgrupper",
        "k03a_barn",
        "k04_breddinfort",
        "k04a_exempel",
        "k18_rutiner",
    }
    assert items["k04_breddinfort"].current == ["Ja"]
    assert items["k04_breddinfort"].in_file == ["Nej"]
    assert items["k06_medarbetare"].changed is False
    # 3b is filled in but does not apply: neither a change nor "oförändrad".
    assert html.count(">oförändrad<") == len(items) - len(changed) - 1
    # Follow-ups that will not apply, and so will not be stored.
    assert {n["item"].question.variable for n in page.context["not_applicable"]} == {
        "k03b_aldre",
        "k04a_exempel",
    }
    assert "Besvaras om du svarat «Ja» för «… äldre personer" in html
    # Required questions still empty are listed.
    missing = {i.question.variable for i in page.context["missing"]}
    assert "k06_medarbetare" in missing
    assert "k03b_aldre" not in missing
    # Nothing saved yet.
    vaxjo_response.refresh_from_db()
    assert vaxjo_response.version == 1

    confirmed = client.post(preview_url, {"version": page.context["version"]})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse(
        "intake:response-edit", args=[questionnaire.pk, kommun.pk]
    )
    vaxjo_response.refresh_from_db()
    assert vaxjo_response.version == 2
    answers = stored(vaxjo_response)
    assert set(answers) == {
        ("k01_viktigaste", ""),
        ("k02_omraden", "utskrivning"),
        ("k02_omraden", "andra"),
        ("k02a_andra", ""),
        ("k03_malgrupper", "barn"),
        ("k03_malgrupper", "aldre"),
        ("k03a_barn", ""),
        ("k04_breddinfort", ""),
        ("k18_rutiner", "utskrivning"),
    }
    assert answers[("k04_breddinfort", "")].option.code == "nej"
    assert answers[("k18_rutiner", "utskrivning")].option.code == "delvis"
    for answer in answers.values():
        assert answer.channel == Channel.EXCEL
        assert answer.entered_by == rss_user
    history = AnswerChange.objects.filter(response=vaxjo_response, response_version=2)
    assert history.count() == 10  # 9 new or changed cells, 4a removed
    assert {c.channel for c in history} == {Channel.EXCEL}
    assert {c.changed_by for c in history} == {rss_user}
    removed = history.get(question__variable="k04a_exempel")
    assert removed.old_value == {"text": "Gammalt exempel"}
    assert removed.new_value is None
    assert removed.reason == "Följdfrågan gäller inte längre efter ändrat svar"
    changed_4 = history.get(question__variable="k04_breddinfort")
    assert changed_4.old_value == {"option": "ja"}
    assert changed_4.new_value == {"option": "nej"}
    assert changed_4.reason == "Uppladdad Excel-fil «svar.xlsx»"
    # The preview is used up.
    assert client.get(preview_url).status_code == 302


def test_the_kommun_itself_can_upload_its_own_copy(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "10")] = "Ja"
    sheet[answer_ref(sheet, "10a")] = "Bildstöd"
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    assert client.post(preview_url, {"version": 0}).status_code == 302
    response = Response.objects.get(questionnaire=questionnaire, organisation=kommun)
    answers = stored(response)
    assert answers[("k10a_exempel", "")].text == "Bildstöd"
    assert answers[("k10a_exempel", "")].entered_by == kommun_user
    assert answers[("k10_verktyg", "")].channel == Channel.EXCEL


def test_text_that_looks_like_a_formula_stays_text(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    response = get_or_create_response(questionnaire, organisation=kommun)
    save_answers(
        response,
        actor=kommun_user,
        channel=Channel.WEB,
        values={"k01_viktigaste": '=HYPERLINK("http://example.test")'},
    )
    client.force_login(kommun_user)
    sheet = download(client, questionnaire, kommun)["Enkät"]
    cell = sheet[answer_ref(sheet, "1")]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://example.test")'


def test_a_save_in_between_refuses_the_confirm_and_saves_nothing(
    client: Client,
    rss_user: User,
    kommun_user: User,
    kommun: Kommun,
    vaxjo_response: Response,
) -> None:
    questionnaire = kommun_questionnaire()
    client.force_login(rss_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "1")] = "Från Excel"
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    seen = client.get(preview_url).context["version"]
    # Meanwhile the kommun saves on the web.
    save_answers(
        vaxjo_response,
        actor=kommun_user,
        channel=Channel.WEB,
        values={"k06_medarbetare": "Från webben"},
    )
    refused = client.post(preview_url, {"version": seen})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Någon annan har sparat ändringar i enkäten" in html
    assert "granska dem och bekräfta igen" in html
    vaxjo_response.refresh_from_db()
    assert vaxjo_response.version == 2
    assert not vaxjo_response.answers.filter(channel=Channel.EXCEL).exists()
    # The new preview is computed on the current answers: the web answer would be
    # cleared by the file, and is shown as a change.
    items = {i.question.variable: i for i in refused.context["items"]}
    assert items["k06_medarbetare"].current == ["Från webben"]
    assert items["k06_medarbetare"].changed
    assert refused.context["version"] == 2
    assert client.post(preview_url, {"version": 2}).status_code == 302


def test_a_confirm_without_the_version_saves_nothing(
    client: Client, rss_user: User, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    client.force_login(rss_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "1")] = "Från Excel"
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    assert client.post(preview_url, {}).status_code == 400
    assert not Answer.objects.filter(response__organisation=kommun).exists()


def test_a_forged_token_shows_no_preview(
    client: Client, rss_user: User, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    client.force_login(rss_user)
    forged = reverse(
        "intake:excel-preview", args=[questionnaire.pk, kommun.pk, "gissat"]
    )
    response = client.post(forged, {"version": 0})
    assert response.status_code == 302
    assert response["Location"] == url("upload", questionnaire, kommun)
    assert not Response.objects.filter(organisation=kommun).exists()


def test_a_submitted_response_refuses_upload(
    client: Client, rss_user: User, kommun: Kommun, vaxjo_response: Response
) -> None:
    questionnaire = kommun_questionnaire()
    client.force_login(rss_user)
    workbook = download(client, questionnaire, kommun)
    Response.objects.filter(pk=vaxjo_response.pk).update(
        status=ResponseStatus.SUBMITTED
    )
    page = client.get(url("upload", questionnaire, kommun))
    assert page.status_code == 409
    assert "Enkäten är inskickad och låst" in page.content.decode()
    refused = upload(client, questionnaire, kommun, as_upload(workbook))
    assert refused.status_code == 409
    assert vaxjo_response.answers.count() == 2


def test_a_response_submitted_after_the_preview_is_not_changed(
    client: Client,
    rss_user: User,
    kommun_user: User,
    kommun: Kommun,
) -> None:
    questionnaire = kommun_questionnaire()
    client.force_login(rss_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "1")] = "Från Excel"
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    response = get_or_create_response(questionnaire, organisation=kommun)
    Response.objects.filter(pk=response.pk).update(status=ResponseStatus.SUBMITTED)
    refused = client.post(preview_url, {"version": 0})
    assert refused.status_code == 409
    assert "inskickad och låst" in refused.content.decode()
    assert not Answer.objects.filter(response=response).exists()


# --- the workbook ----------------------------------------------------------------------


def test_the_copy_has_instructions_lists_validation_and_protection(
    client: Client, rss_user: User, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    client.force_login(rss_user)
    workbook = download(client, questionnaire, kommun)
    assert workbook.sheetnames == ["Instruktioner", "Enkät", "Alternativ", "Metadata"]
    assert workbook["Alternativ"].sheet_state == "veryHidden"
    assert workbook["Metadata"].sheet_state == "veryHidden"
    assert workbook["Metadata"].protection.sheet
    assert workbook.security.lockStructure
    instructions = " ".join(
        str(c.value) for c in workbook["Instruktioner"]["A"] if c.value
    )
    assert "Ändra inte filens upplägg" in instructions
    assert "31 mars 2025" in instructions
    assert "RSS Kronobergs län" in instructions
    assert url("upload", questionnaire, kommun) in instructions

    sheet = workbook["Enkät"]
    assert sheet.protection.sheet
    assert not sheet.protection.password  # no password needed to fill in
    assert sheet["B4"].protection.locked
    assert sheet["B3"].protection.locked
    # Yes/no: a list of its labels.
    ref = answer_ref(sheet, "4")
    assert not sheet[ref].protection.locked
    assert sheet[f"B{sheet[ref].row}"].protection.locked
    validation = validation_of(sheet, ref)
    assert validation.type == "list"
    assert list_labels(workbook, validation.formula1) == ["Ja", "Nej"]
    # A matrix row: the matrix's options.
    ref = answer_ref(sheet, "18", "… stöd vid utskrivning från sjukhus?")
    assert list_labels(workbook, validation_of(sheet, ref).formula1) == [
        "Ja",
        "Delvis",
        "Nej",
    ]
    # Multiple choice: "Ja" or blank on each of the 28 options.
    option_refs = [
        answer_ref(sheet, "2", o.label)
        for o in questionnaire.questions.get(variable="k02_omraden").options.all()
    ]
    assert len(option_refs) == 28
    for ref in option_refs:
        assert validation_of(sheet, ref).formula1 == '"Ja"'
        assert not sheet[ref].protection.locked
    # Text: a length limit.
    validation = validation_of(sheet, answer_ref(sheet, "1"))
    assert (validation.type, validation.operator, validation.formula1) == (
        "textLength",
        "lessThanOrEqual",
        "4000",
    )
    # Follow-ups say when they apply.
    row = sheet[answer_ref(sheet, "4a")].row
    assert "Besvaras om du svarat «Ja» på fråga 4." in sheet[f"C{row}"].value
    row = sheet[answer_ref(sheet, "2a")].row
    assert (
        "Besvaras om du valt «Andra områden/arbetssätt» på fråga 2."
        in sheet[f"C{row}"].value
    )


def test_number_questions_get_number_validation_and_the_escape_as_a_choice(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = build_questionnaire(1)
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    percentage = validation_of(sheet, answer_ref(sheet, "4"))
    assert (percentage.type, percentage.operator) == ("decimal", "between")
    assert (percentage.formula1, percentage.formula2) == ("0", "100")
    integer = validation_of(sheet, answer_ref(sheet, "5"))
    assert (integer.type, integer.operator, integer.formula1) == (
        "whole",
        "greaterThanOrEqual",
        "0",
    )
    escape = answer_ref(sheet, "4", "Andelen kan inte uppskattas")
    assert validation_of(sheet, escape).formula1 == '"Ja"'
    # A label with a comma stays one alternative (lists are ranges, not inline).
    choice = validation_of(sheet, answer_ref(sheet, "7"))
    assert list_labels(workbook, choice.formula1) == ["Ja, helt", "Nej"]


def test_numbers_the_escape_and_labels_with_commas_round_trip(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = build_questionnaire(1)
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "4", "Andelen kan inte uppskattas")] = "Ja"
    sheet[answer_ref(sheet, "5")] = 12
    sheet[answer_ref(sheet, "7")] = "Ja, helt"
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    assert client.post(preview_url, {"version": 0}).status_code == 302
    response = Response.objects.get(questionnaire=questionnaire, organisation=kommun)
    answers = stored(response)
    assert answers[("v4", "")].escaped
    assert answers[("v5", "")].number == 12
    assert answers[("v7", "")].option.code == "helt"

    # The next copy shows them again, and a decimal with a comma is read.
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    assert sheet[answer_ref(sheet, "4", "Andelen kan inte uppskattas")].value == "Ja"
    assert sheet[answer_ref(sheet, "5")].value == 12
    assert sheet[answer_ref(sheet, "7")].value == "Ja, helt"
    sheet[answer_ref(sheet, "4", "Andelen kan inte uppskattas")] = None
    sheet[answer_ref(sheet, "4")] = "55,5"
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    assert client.post(preview_url, {"version": 1}).status_code == 302
    answers = stored(response)
    assert answers[("v4", "")].number == pytest.approx(55.5)
    assert not answers[("v4", "")].escaped


# --- malformed uploads -----------------------------------------------------------------


def problems_of(response: Any) -> list[str]:
    assert response.status_code == 400, response.status_code
    return list(response.context["problems"]) + [
        str(e) for e in response.context["form"].errors.get("file", [])
    ]


@pytest.fixture
def rss_client(client: Client, rss_user: User) -> Client:
    client.force_login(rss_user)
    return client


def assert_nothing_saved(kommun: Organisation) -> None:
    assert not Answer.objects.filter(response__organisation=kommun).exists()


def test_a_file_for_another_kommun_is_refused(
    rss_client: Client, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    ljungby = Kommun.objects.get(code="0781")
    workbook = download(rss_client, questionnaire, ljungby)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "1")] = "Ljungbys svar"
    problems = problems_of(
        upload(rss_client, questionnaire, kommun, as_upload(workbook))
    )
    assert problems == [
        "Bladet Enkät, cell B4: Filen gäller Ljungby (kommunkod 0781), inte Växjö (kommunkod 0780)."
    ]
    assert_nothing_saved(kommun)
    assert_nothing_saved(ljungby)


def test_a_changed_kommun_code_is_refused(rss_client: Client, kommun: Kommun) -> None:
    questionnaire = kommun_questionnaire()
    workbook = download(rss_client, questionnaire, kommun)
    workbook["Enkät"]["B4"] = "0781"
    problems = problems_of(
        upload(rss_client, questionnaire, kommun, as_upload(workbook))
    )
    assert problems == [
        "Bladet Enkät, cell B4: Kommunkoden är ändrad till «0781»; filen gäller Växjö (kommunkod 0780)."
    ]


def test_a_file_for_another_questionnaire_is_refused(
    rss_client: Client, kommun: Kommun
) -> None:
    workbook = download(rss_client, kommun_questionnaire(), kommun)
    other = Questionnaire.objects.get(cycle__year=2024, key="kommun-extra")
    problems = problems_of(upload(rss_client, other, kommun, as_upload(workbook)))
    assert len(problems) == 1
    assert problems[0].startswith(
        "Bladet Metadata, cell B4: Filen gäller en annan enkät (kommun 2024)"
    )


def test_a_file_for_an_older_version_is_refused(
    rss_client: Client, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    workbook = download(rss_client, questionnaire, kommun)
    Questionnaire.objects.filter(pk=questionnaire.pk).update(content_hash="ny")
    problems = problems_of(
        upload(rss_client, questionnaire, kommun, as_upload(workbook))
    )
    assert problems == [
        "Bladet Metadata, cell B7: Filen är gjord för en annan version av enkäten än den "
        "som gäller nu. Hämta en ny kopia och för över svaren."
    ]


def test_a_deleted_row_is_refused(rss_client: Client, kommun: Kommun) -> None:
    questionnaire = kommun_questionnaire()
    workbook = download(rss_client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    row = sheet[answer_ref(sheet, "3")].row
    sheet.delete_rows(row)
    problems = problems_of(
        upload(rss_client, questionnaire, kommun, as_upload(workbook))
    )
    assert problems[0] == (
        f"Bladet Enkät, cell B{row}: Raden stämmer inte med mallen (här ska fråga 3 "
        "stå). Rader har flyttats, lagts till eller tagits bort; hämta en ny kopia och "
        "för över svaren."
    )
    assert len(problems) == 10  # listed up to a cap: every later row is off


def test_swapped_rows_are_refused(rss_client: Client, kommun: Kommun) -> None:
    questionnaire = kommun_questionnaire()
    workbook = download(rss_client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    a = sheet[answer_ref(sheet, "2", "Utskrivningsprocessen")].row
    b = sheet[answer_ref(sheet, "2", "Fast vårdkontakt")].row
    for column in "ABCD":
        sheet[f"{column}{a}"].value, sheet[f"{column}{b}"].value = (
            sheet[f"{column}{b}"].value,
            sheet[f"{column}{a}"].value,
        )
    problems = problems_of(
        upload(rss_client, questionnaire, kommun, as_upload(workbook))
    )
    assert [p.split(":")[0] for p in problems] == [
        f"Bladet Enkät, cell B{min(a, b)}",
        f"Bladet Enkät, cell B{max(a, b)}",
    ]


def test_missing_or_changed_metadata_is_refused(
    rss_client: Client, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    workbook = download(rss_client, questionnaire, kommun)
    del workbook["Metadata"]
    problems = problems_of(
        upload(rss_client, questionnaire, kommun, as_upload(workbook))
    )
    assert problems == [
        "Bladet «Metadata» saknas. Filen är inte en oförändrad Excel-kopia av enkäten "
        "från Nära vård-uppföljningen; hämta en ny kopia."
    ]

    workbook = download(rss_client, questionnaire, kommun)
    workbook["Metadata"]["B1"] = "något annat"
    problems = problems_of(
        upload(rss_client, questionnaire, kommun, as_upload(workbook))
    )
    assert problems == [
        "Bladet Metadata: Uppgifterna om vilken enkät filen gäller saknas eller är "
        "ändrade. Hämta en ny kopia."
    ]

    workbook = download(rss_client, questionnaire, kommun)
    workbook["Metadata"]["B12"] = "k02_annan"  # the cell map
    problems = problems_of(
        upload(rss_client, questionnaire, kommun, as_upload(workbook))
    )
    assert problems == [
        "Bladet Metadata: Förteckningen över svarscellerna stämmer inte med enkäten; "
        "filens mall har ändrats. Hämta en ny kopia."
    ]
    assert_nothing_saved(kommun)


def test_every_bad_value_is_listed_at_once_and_nothing_is_saved(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = build_questionnaire(1)
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    cells = {
        "yes_no": answer_ref(sheet, "1"),
        "matrix": answer_ref(sheet, "2", "Rad 1"),
        "multiple": answer_ref(sheet, "3", "Nej"),
        "percentage": answer_ref(sheet, "4"),
        "integer": answer_ref(sheet, "5"),
        "text": answer_ref(sheet, "6"),
        "choice": answer_ref(sheet, "7"),
    }
    sheet[cells["yes_no"]] = "Kanske"
    sheet[cells["matrix"]] = "Kanske"
    sheet[cells["multiple"]] = "x"
    sheet[cells["percentage"]] = 150
    sheet[cells["integer"]] = "många"
    sheet[cells["text"]] = "a" * 21
    sheet[cells["choice"]] = "Ja"  # the label is «Ja, helt»
    problems = problems_of(upload(client, questionnaire, kommun, as_upload(workbook)))
    assert problems == [
        f"Bladet Enkät, cell {cells['yes_no']}: «Kanske» finns inte bland svarsalternativen (Ja, Nej).",
        f"Bladet Enkät, cell {cells['matrix']}: «Kanske» finns inte bland svarsalternativen (Ja, Nej).",
        f"Bladet Enkät, cell {cells['multiple']}: «x» går inte att tolka; välj «Ja» eller lämna cellen tom.",
        f"Bladet Enkät, cell {cells['percentage']}: «150»: Värdet får vara högst 100.",
        f"Bladet Enkät, cell {cells['integer']}: «många» är inte ett tal.",
        f"Bladet Enkät, cell {cells['text']}: Svaret får vara högst 20 tecken (nu 21).",
        f"Bladet Enkät, cell {cells['choice']}: «Ja» finns inte bland svarsalternativen (Ja, helt, Nej).",
    ]
    assert_nothing_saved(kommun)
    assert not Response.objects.filter(organisation=kommun).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "«-1»: Värdet kan inte vara negativt."),
        (12.5, "«12.5»: Ange ett heltal."),
        (datetime.date(2024, 3, 1), "«2024-03-01 00:00:00» är inte ett tal."),
    ],
)
def test_bad_integers_are_refused(
    client: Client, kommun_user: User, kommun: Kommun, value: Any, message: str
) -> None:
    questionnaire = build_questionnaire(1)
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    ref = answer_ref(sheet, "5")
    sheet[ref] = value
    problems = problems_of(upload(client, questionnaire, kommun, as_upload(workbook)))
    assert problems == [f"Bladet Enkät, cell {ref}: {message}"]


def test_a_number_and_the_escape_together_are_refused(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = build_questionnaire(1)
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "4")] = 40
    sheet[answer_ref(sheet, "4", "Andelen kan inte uppskattas")] = "Ja"
    problems = problems_of(upload(client, questionnaire, kommun, as_upload(workbook)))
    assert problems == [
        f"Bladet Enkät, cell {answer_ref(sheet, '4')}: Ange antingen ett värde eller "
        "«Andelen kan inte uppskattas», inte båda."
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "tom.xlsx", "Filen är tom."),
        (
            b"kommun;svar\n0780;ja\n",
            "svar.csv",
            "Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den som "
            "Excel-arbetsbok (.xlsx) och försök igen.",
        ),
        (
            b"PK\x03\x04 trasig",
            "trasig.xlsx",
            "Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den som "
            "Excel-arbetsbok (.xlsx) och försök igen.",
        ),
    ],
)
def test_files_that_are_not_workbooks_are_refused(
    rss_client: Client, kommun: Kommun, content: bytes, name: str, message: str
) -> None:
    file = SimpleUploadedFile(name, content, content_type=XLSX)
    problems = problems_of(upload(rss_client, kommun_questionnaire(), kommun, file))
    assert problems == [message]
    assert_nothing_saved(kommun)


def test_a_zip_that_is_not_a_workbook_is_refused(
    rss_client: Client, kommun: Kommun
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hej.txt", "hej")
    file = SimpleUploadedFile("zip.xlsx", buffer.getvalue(), content_type=XLSX)
    problems = problems_of(upload(rss_client, kommun_questionnaire(), kommun, file))
    assert problems[0].startswith("Filen kunde inte läsas som en Excel-arbetsbok")


def test_a_workbook_without_the_sheets_is_refused(
    rss_client: Client, kommun: Kommun
) -> None:
    problems = problems_of(
        upload(rss_client, kommun_questionnaire(), kommun, as_upload(Workbook()))
    )
    assert problems == [
        f"Bladet «{name}» saknas. Filen är inte en oförändrad Excel-kopia av enkäten "
        "från Nära vård-uppföljningen; hämta en ny kopia."
        for name in ("Enkät", "Metadata")
    ]


def test_a_huge_file_is_refused(
    rss_client: Client, kommun: Kommun, settings: Any
) -> None:
    questionnaire = kommun_questionnaire()
    workbook = download(rss_client, questionnaire, kommun)
    file = as_upload(workbook)
    settings.EXCEL_UPLOAD_MAX_BYTES = file.size - 1
    problems = problems_of(upload(rss_client, questionnaire, kommun, file))
    assert problems[0].startswith("Filen är för stor (")
    # A body far over the limit is refused before it is read.
    settings.EXCEL_UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("stor.xlsx", b"x" * 200_000, content_type=XLSX)
    problems = problems_of(upload(rss_client, questionnaire, kommun, big))
    assert problems == ["Filen är för stor. Största tillåtna storlek är 0,0 MB."]
    assert_nothing_saved(kommun)


def test_a_small_file_that_unpacks_huge_is_refused(
    kommun: Kommun, settings: Any
) -> None:
    settings.EXCEL_UPLOAD_MAX_BYTES = 10_000
    settings.XLSX_PART_MAX_BYTES = 500_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 1_000_000)
    assert len(buffer.getvalue()) < 10_000
    with pytest.raises(WorkbookError) as caught:
        read_kommun_workbook(
            buffer, questionnaire=kommun_questionnaire(), organisation=kommun
        )
    assert [str(p) for p in caught.value.problems] == [
        "Filen är för stor när den packas upp: den innehåller mer data än en sådan "
        "arbetsbok kan ha. Spara den som en ny Excel-arbetsbok (.xlsx) och försök igen."
    ]


def test_no_file_is_refused(rss_client: Client, kommun: Kommun) -> None:
    response = rss_client.post(url("upload", kommun_questionnaire(), kommun), {})
    assert problems_of(response) == ["Välj en fil att ladda upp."]


# --- access ----------------------------------------------------------------------------


def test_it_requires_login(client: Client, kommun: Kommun) -> None:
    for name in ("download", "upload"):
        response = client.get(url(name, kommun_questionnaire(), kommun))
        assert response.status_code == 302
        assert "next=" in response["Location"]


def test_grants_per_persona(
    client: Client,
    rss_user: User,
    kommun_user: User,
    staff_user: User,
    kommun: Kommun,
) -> None:
    questionnaire = kommun_questionnaire()
    for user in (rss_user, kommun_user):
        client.force_login(user)
        assert client.get(url("download", questionnaire, kommun)).status_code == 200
        assert client.get(url("upload", questionnaire, kommun)).status_code == 200
    # Staff read: download, but not upload (the gateway's read-only answer).
    client.force_login(staff_user)
    assert client.get(url("download", questionnaire, kommun)).status_code == 200
    assert client.get(url("upload", questionnaire, kommun)).status_code == 403


def test_others_get_404(
    client: Client,
    region_user: User,
    other_region_user: User,
    kommun_user: User,
    rss_user: User,
    kommun: Kommun,
) -> None:
    questionnaire = kommun_questionnaire()
    workbook_bytes = as_upload(Workbook()).read()
    other_rss_user = make_user(
        "samordnare@rss-sormland.test", Organisation.objects.get(code="rss-04")
    )
    ljungby = Kommun.objects.get(code="0781")
    eskilstuna = Kommun.objects.get(code="0484")  # Sörmland: not rss-07's
    cases = [
        (other_rss_user, kommun),  # the RSS of another län
        (region_user, kommun),
        (other_region_user, kommun),  # Kronoberg's region: not its kommuner
        (kommun_user, ljungby),  # a kommun only sees itself
        (rss_user, eskilstuna),
    ]
    for user, target in cases:
        client.force_login(user)
        assert client.get(url("download", questionnaire, target)).status_code == 404
        assert client.get(url("upload", questionnaire, target)).status_code == 404
        file = SimpleUploadedFile("svar.xlsx", workbook_bytes, content_type=XLSX)
        assert (
            client.post(
                url("upload", questionnaire, target), {"file": file}
            ).status_code
            == 404
        )
        preview = reverse(
            "intake:excel-preview", args=[questionnaire.pk, target.pk, "x"]
        )
        assert client.post(preview, {"version": 0}).status_code == 404
    assert not Answer.objects.exists()


def test_a_questionnaire_for_regions_has_no_excel_copy(
    client: Client, region_user: User, region: Organisation
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    client.force_login(region_user)
    assert client.get(url("download", questionnaire, region)).status_code == 404
    assert client.get(url("upload", questionnaire, region)).status_code == 404


def test_the_2019_questionnaire_round_trips(
    client: Client, kommun_user: User, kommun: Kommun
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2019, key="kommun")
    client.force_login(kommun_user)
    workbook = download(client, questionnaire, kommun)
    sheet = workbook["Enkät"]
    sheet[answer_ref(sheet, "2")] = "Nej"
    sheet[answer_ref(sheet, "2a")] = "Ja"
    sheet[answer_ref(sheet, "3", "Dietist")] = "Finns inte i kommunens verksamhet"
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    assert client.get(preview_url).context["missing"] == []  # nothing is required
    assert client.post(preview_url, {"version": 0}).status_code == 302
    answers = stored(
        Response.objects.get(questionnaire=questionnaire, organisation=kommun)
    )
    assert answers[("q2a_tar_fram", "")].option.code == "ja"
    assert answers[("q3_balans", "dietist")].option.code == "finns_ej"


def test_the_response_form_links_to_the_excel_pages(
    client: Client, rss_user: User, staff_user: User, kommun: Kommun
) -> None:
    questionnaire = kommun_questionnaire()
    edit = reverse("intake:response-edit", args=[questionnaire.pk, kommun.pk])
    client.force_login(rss_user)
    html = client.get(edit).content.decode()
    assert url("download", questionnaire, kommun) in html
    assert url("upload", questionnaire, kommun) in html
    client.force_login(staff_user)
    html = client.get(edit).content.decode()
    assert url("download", questionnaire, kommun) in html
    assert url("upload", questionnaire, kommun) not in html


# --- query budget ----------------------------------------------------------------------

KINDS = [
    "yes_no",
    "matrix",
    "multiple_choice",
    "percentage",
    "integer",
    "text",
    "single_choice",
]


def build_questionnaire(size: int) -> Questionnaire:
    """A kommun questionnaire with `size` groups of one question of each kind; the
    text question follows up the group's yes/no.

    Group 1 is numbered 1–7: 1 yes/no, 2 matrix (Rad 0–2), 3 multiple choice
    (Ja/Nej), 4 percentage with escape, 5 integer, 6 text (max 20, if 1 = Ja),
    7 single choice («Ja, helt» / «Nej»)."""
    cycle, _ = Cycle.objects.get_or_create(
        year=2070 + size,
        defaults={"name": f"Excelomgång {size}", "reference_period": "2070"},
    )
    questionnaire = Questionnaire.objects.create(
        cycle=cycle,
        key="kommun",
        audience="kommun",
        title=f"Excelenkät {size}",
        opens_on=datetime.date(2020, 1, 1),
        closes_on=datetime.date(2070, 3, 31),
        source_file="test",
        content_hash=f"hash{size}",
    )
    position = 0
    for group in range(size):
        section = Section.objects.create(
            questionnaire=questionnaire,
            key=f"s{group}",
            position=group,
            title=f"Avsnitt {group}",
        )
        parent = None
        for kind in KINDS:
            position += 1
            question = Question.objects.create(
                questionnaire=questionnaire,
                section=section,
                position=position,
                number=str(position),
                variable=f"v{position}",
                kind=kind,
                text=f"Fråga {position}",
                label=f"Fråga {position}",
                reference_period="calendar_year",
                lineage_key=f"v{position}",
                comparability="new",
                escape_label="Andelen kan inte uppskattas"
                if kind == "percentage"
                else "",
                min_value=0 if kind in ("percentage", "integer") else None,
                max_value=100 if kind == "percentage" else None,
                max_length=20 if kind == "text" else None,
                required=kind != "integer",
                condition={"question": parent.variable, "equals": "ja"}
                if kind == "text" and parent
                else None,
            )
            if kind in ("yes_no", "matrix", "multiple_choice"):
                Option.objects.bulk_create(
                    [Option(question=question, position=1, code="ja", label="Ja"),
                     Option(question=question, position=2, code="nej", label="Nej")]
                )  # fmt: skip
            if kind == "single_choice":
                Option.objects.bulk_create(
                    [Option(question=question, position=1, code="helt", label="Ja, helt"),
                     Option(question=question, position=2, code="nej", label="Nej")]
                )  # fmt: skip
            if kind == "matrix":
                MatrixRow.objects.bulk_create(
                    [
                        MatrixRow(
                            question=question,
                            position=i,
                            code=f"r{i}",
                            label=f"Rad {i}",
                        )
                        for i in range(3)
                    ]
                )
            if kind == "yes_no":
                parent = question
    return questionnaire


def fill_every_question(sheet: Worksheet, size: int) -> None:
    for group in range(size):
        first = group * len(KINDS) + 1
        sheet[answer_ref(sheet, str(first))] = "Ja"
        for row in range(3):
            sheet[answer_ref(sheet, str(first + 1), f"Rad {row}")] = "Nej"
        sheet[answer_ref(sheet, str(first + 2), "Ja")] = "Ja"
        sheet[answer_ref(sheet, str(first + 3))] = 55.5
        sheet[answer_ref(sheet, str(first + 4))] = 7
        sheet[answer_ref(sheet, str(first + 5))] = "Text"
        sheet[answer_ref(sheet, str(first + 6))] = "Nej"


def count_queries(client: Client, size: int, kommun: Kommun) -> tuple[int, int, int]:
    # Each count is taken as its block ends: a request outside a capture resets
    # the connection's query log.
    questionnaire = build_questionnaire(size)
    with CaptureQueriesContext(connection) as first_download:
        workbook = download(client, questionnaire, kommun)
    first = len(first_download)
    fill_every_question(workbook["Enkät"], size)
    preview_url = upload(client, questionnaire, kommun, as_upload(workbook))["Location"]
    with CaptureQueriesContext(connection) as confirm:
        assert client.post(preview_url, {"version": 0}).status_code == 302
    confirmed = len(confirm)
    with CaptureQueriesContext(connection) as filled_download:
        download(client, questionnaire, kommun)
    filled = len(filled_download)
    response = Response.objects.get(questionnaire=questionnaire, organisation=kommun)
    assert response.answers.count() == size * 9  # 1 + 3 + 1 + 1 + 1 + 1 + 1
    return first, confirmed, filled


def test_download_and_confirm_make_the_same_number_of_queries_at_two_sizes(
    client: Client, rss_user: User, kommun: Kommun
) -> None:
    client.force_login(rss_user)
    # 7 and 35 questions (70 answer rows stay under SQLite's bulk-insert split).
    small = count_queries(client, 1, kommun)
    large = count_queries(client, 5, kommun)
    assert small == large
    # Pinned so that a new query shows up in review: empty download, confirm,
    # download with answers.
    assert small == EXPECTED


# The first download builds the questionnaire's structure (three queries,
# intake.selectors.questions_of); the confirm and the second download reuse it.
# A download reads the kommun's own deadline (an extension, issue #15): one query.
# The save sets the response's new version from its own UPDATE instead of reading
# it back (issue #20): one query less on the confirm. Round two: the access gateway reads an existing response with its questionnaire and
# organisation in one query (issue #20), two
# fewer on the download with answers; and one fewer again there since that query
# also says whether the user has a role of the kommun's own.
# On PostgreSQL the confirm's save writes its answers and their history in one
# statement (intake.services.answer_sql.write_rows), where SQLite runs an INSERT
# for each: one fewer.
EXPECTED = (12, 24 if connection.vendor == "sqlite" else 23, 7)
