"""The kvalitetsdeklaration page and its downloads, through the test client."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from intake.models import Response, ResponseStatus
from reports.kvalitetsdeklaration.services import (
    create_kvalitetsdeklaration,
    update_kvalitetsdeklaration,
)
from reports.models import Kvalitetsdeklaration
from surveys.models import Cycle, Questionnaire, User
from surveys.selectors import expected_respondents

pytestmark = pytest.mark.django_db

PAGE = "reports:kvalitetsdeklaration-edit"
URL_NAMES = [
    PAGE,
    "reports:kvalitetsdeklaration-docx",
    "reports:kvalitetsdeklaration-xlsx",
]


def url(name: str = PAGE, year: int = 2024) -> str:
    return reverse(name, args=[year])


def submitted_2019(n: int = 226, *, skip: int = 0) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2019, key="kommun")
    Response.objects.bulk_create(
        Response(
            questionnaire=questionnaire, organisation=o, status=ResponseStatus.SUBMITTED
        )
        for o in expected_respondents(questionnaire)[skip : skip + n]
    )


# --- access ------------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_it_requires_login(client: Client, name: str) -> None:
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:login"))


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_see_the_declaration(
    client: Client, persona: str, name: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url(name))
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


@pytest.mark.parametrize("persona", ["region_user", "kommun_user"])
def test_respondents_cannot_create_or_edit(
    client: Client, persona: str, staff_user: User, request: pytest.FixtureRequest
) -> None:
    cycle = Cycle.objects.get(year=2024)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url("reports:kvalitetsdeklaration-create")).status_code == 404
    assert not Kvalitetsdeklaration.objects.filter(cycle=cycle).exists()
    create_kvalitetsdeklaration(cycle, actor=staff_user)
    response = client.post(url(), {"version": 0, "access_text": "Ändrat"})
    assert response.status_code == 404
    assert Kvalitetsdeklaration.objects.get(cycle=cycle).access_text != "Ändrat"


@pytest.mark.parametrize("name", URL_NAMES)
def test_an_unknown_cycle_is_not_found(
    client: Client, staff_user: User, name: str
) -> None:
    client.force_login(staff_user)
    assert client.get(url(name, year=1999)).status_code == 404


# --- the page ----------------------------------------------------------------------


def test_staff_see_the_computed_declaration_before_it_is_created(
    client: Client, staff_user: User
) -> None:
    submitted_2019()
    client.force_login(staff_user)
    response = client.get(url(year=2019))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Kvalitetsdeklaration 2019</h1>" in page
    headings = [
        "Administrativa uppgifter",
        "1 Statistikens innehåll",
        "1.1 Objekt och population",
        "1.4 Datainsamling",
        "1.5 Svarsfrekvens",
        "2.4 Bortfall",
        "3.1 Tillgång till statistiken",
        "4 Jämförbarhet och samanvändbarhet",
        "5.2 Bevarande och gallring",
    ]
    positions = [page.index(h) for h in headings]
    assert positions == sorted(positions)
    assert ">Svarsfrekvens per enkät" in page
    assert "<td>77,9 %</td>" in page
    assert "226 av 290 har skickat in svar (78 procent)" in page
    assert "16 december 2019" in page
    assert "Skapa kvalitetsdeklaration för 2019" in page
    assert "<textarea" not in page
    assert url("reports:kvalitetsdeklaration-docx", 2019) in page


def test_staff_create_it_prefilled_from_the_previous_cycle(
    client: Client, staff_user: User
) -> None:
    earlier = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2019), actor=staff_user
    )
    update_kvalitetsdeklaration(
        earlier,
        actor=staff_user,
        values={"consultation_text": "Samråd med SKR."},
        expected_version=0,
    )
    client.force_login(staff_user)

    response = client.post(url("reports:kvalitetsdeklaration-create"), follow=True)

    deklaration = Kvalitetsdeklaration.objects.get(cycle__year=2024)
    assert deklaration.consultation_text == "Samråd med SKR."
    page = response.content.decode()
    assert "skapad med texterna från 2019" in page
    assert "Samråd med SKR.</textarea>" in page
    assert '<label for="id_measurement_error_text">Mätfel</label>' in page


def test_creation_is_a_post(client: Client, staff_user: User) -> None:
    client.force_login(staff_user)
    assert client.get(url("reports:kvalitetsdeklaration-create")).status_code == 405


def form_data(deklaration: Kvalitetsdeklaration, **changes: str) -> dict[str, object]:
    from reports.models import TEXT_FIELDS

    data: dict[str, object] = {f: getattr(deklaration, f) for f in TEXT_FIELDS}
    data["version"] = deklaration.version
    data.update(changes)
    return data


def test_staff_edit_the_texts_and_the_history_shows_it(
    client: Client, staff_user: User
) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )
    client.force_login(staff_user)

    response = client.post(
        url(), form_data(deklaration, measurement_error_text="Testad av statistiker.")
    )

    assert response.status_code == 302
    deklaration.refresh_from_db()
    assert deklaration.measurement_error_text == "Testad av statistiker."
    assert deklaration.version == 1
    page = client.get(url()).content.decode()
    assert "Kvalitetsdeklarationen är sparad." in page
    assert ">De senaste ändringarna av texterna, nyaste först</caption>" in page
    assert "<td>Mätfel</td>" in page


def test_a_stale_edit_is_refused_in_swedish_and_keeps_the_typed_text(
    client: Client, staff_user: User
) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )
    opened = form_data(deklaration)  # both open the page at version 0
    colleague = User.objects.create_user(
        email="kollega@socialstyrelsen.test", is_staff=True
    )
    update_kvalitetsdeklaration(
        deklaration,
        actor=colleague,
        values={"measurement_error_text": "Kollegans text"},
        expected_version=0,
    )
    client.force_login(staff_user)

    response = client.post(
        url(), {**opened, "measurement_error_text": "Min egen text om mätfel"}
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Någon annan har sparat ändringar i kvalitetsdeklarationen" in page
    assert "Min egen text om mätfel</textarea>" in page
    assert "Mätfel ändrades av kollega@socialstyrelsen.test" in page
    assert 'name="version" value="1"' in page
    deklaration.refresh_from_db()
    assert deklaration.measurement_error_text == "Kollegans text"


def test_an_invalid_edit_keeps_the_typed_text(client: Client, staff_user: User) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2024), actor=staff_user
    )
    client.force_login(staff_user)
    response = client.post(
        url(), form_data(deklaration, diarienummer="x" * 41, access_text="Ny text")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ändringarna sparades inte" in page
    assert "Ny text</textarea>" in page
    deklaration.refresh_from_db()
    assert deklaration.version == 0


# Session, user, the staff's verified second-factor device, cycle, declaration,
# the computed part (questionnaires, frame, counts, submission dates, the
# lifecycle's closings, extensions and information letters, earlier versions;
# per questionnaire the reminder log; the item nonresponse of all questionnaires
# at once, six queries) and the history. 2019 has one questionnaire; the count
# does not grow with respondents (the test adds some).
QUERIES = 21


def test_the_page_makes_the_same_queries_for_few_and_many_respondents(
    client: Client, staff_user: User, django_assert_num_queries: object
) -> None:
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2019), actor=staff_user
    )
    update_kvalitetsdeklaration(
        deklaration, actor=staff_user, values={"access_text": "A"}, expected_version=0
    )
    client.force_login(staff_user)
    submitted_2019(5)
    with django_assert_num_queries(QUERIES):  # type: ignore[operator]
        assert client.get(url(year=2019)).status_code == 200
    submitted_2019(200, skip=5)
    with django_assert_num_queries(QUERIES):  # type: ignore[operator]
        assert client.get(url(year=2019)).status_code == 200


# --- downloads ---------------------------------------------------------------------


def test_the_docx_has_the_headings_and_the_figures(
    client: Client, staff_user: User
) -> None:
    submitted_2019()
    deklaration = create_kvalitetsdeklaration(
        Cycle.objects.get(year=2019), actor=staff_user
    )
    update_kvalitetsdeklaration(
        deklaration,
        actor=staff_user,
        values={"diarienummer": "1234/2019-5"},
        expected_version=0,
    )
    client.force_login(staff_user)

    response = client.get(url("reports:kvalitetsdeklaration-docx", 2019))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "kvalitetsdeklaration-2019.docx" in response["Content-Disposition"]
    document = Document(BytesIO(response.content))
    headings = [
        p.text for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert headings[:4] == [
        "Administrativa uppgifter",
        "1 Statistikens innehåll",
        "1.1 Objekt och population",
        "1.2 Variabler och statistiska mått",
    ]
    assert "2.4 Bortfall" in headings
    assert "5.2 Bevarande och gallring" in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Diarienummer. 1234/2019-5" in text
    assert "Mätfel. [Ej ifyllt]" in text
    response_table = next(
        t for t in document.tables if t.rows[0].cells[-1].text == "Svarsfrekvens"
    )
    assert [c.text for c in response_table.rows[1].cells] == [
        "Enkät till kommunerna 2019",
        "Kommuner",
        "290",
        "226",
        "0",
        "77,9 %",
    ]


def test_the_sheet_has_the_declaration_with_swedish_figures(
    client: Client, staff_user: User
) -> None:
    submitted_2019()
    client.force_login(staff_user)

    response = client.get(url("reports:kvalitetsdeklaration-xlsx", 2019))

    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Kvalitetsdeklaration"]
    rows = [
        tuple(c for c in row if c is not None)
        for row in workbook["Kvalitetsdeklaration"].iter_rows(values_only=True)
    ]
    assert rows[0] == (
        "Kvalitetsdeklaration: Uppföljning av omställningen till en mer nära vård 2019",
    )
    assert ("1.5 Svarsfrekvens",) in rows
    assert (
        "Enkät till kommunerna 2019",
        "Kommuner",
        "290",
        "226",
        "0",
        "77,9 %",
    ) in rows
    assert ("Enkät till kommunerna 2019", "290", "64", "22,1 %") in rows
    assert (
        "Enkät till kommunerna 2019",
        "16 december 2019",
        "27 januari 2020",
        "–",
        "ännu inte stängd",
        "–",
        "–",
    ) in rows
    heading = rows.index(("2.3 Mätfel",))
    assert rows[heading + 1] == ("Mätfel", "[Ej ifyllt]")
