"""The staff page that checks a raw-data file, previews it and imports it on
confirmation; respondents get 404, anonymous visitors the sign-in page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from intake.models import Channel, Response, ResponseStatus
from surveys.models import User
from tests.reports.conftest import EveryKind
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes

pytestmark = pytest.mark.django_db

URL = "reports:import-upload"


def emptied_file(
    every_kind: EveryKind, *, break_it: bool = False
) -> SimpleUploadedFile:
    rows = csv_rows(export_bytes(every_kind.questionnaire))
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    if break_it:
        rows[1][rows[0].index("q01_breddinfort")] = "Kanske"
    return SimpleUploadedFile("radata.csv", csv_bytes(rows), content_type="text/csv")


def test_it_requires_login(client: Client) -> None:
    response = client.get(reverse(URL))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("surveys:login"))


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_cannot_import(
    client: Client, persona: str, request: pytest.FixtureRequest, every_kind: EveryKind
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(URL)).status_code == 404
    upload = client.post(
        reverse(URL),
        {
            "questionnaire": every_kind.questionnaire.pk,
            "file": emptied_file(every_kind),
        },
    )
    assert upload.status_code == 404
    assert client.post(reverse("reports:import-confirm")).status_code == 404
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()


def test_staff_check_preview_and_confirm(
    client: Client, staff_user: User, every_kind: EveryKind
) -> None:
    client.force_login(staff_user)
    page = client.get(reverse(URL))
    assert page.status_code == 200
    assert '<label for="id_file">' in page.content.decode()
    checked = client.post(
        reverse(URL),
        {
            "questionnaire": every_kind.questionnaire.pk,
            "file": emptied_file(every_kind),
            "submit": "on",
        },
    )
    text = checked.content.decode()
    assert checked.status_code == 200
    assert "Filen är kontrollerad" in text
    assert '<th scope="row">Svar som läses in</th><td>2</td>' in text
    assert '<th scope="row">Markeras som inskickade</th><td>1</td>' in text
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()

    done = client.post(reverse("reports:import-confirm"), follow=True)
    assert "2 svar lästes in" in done.content.decode()
    responses = Response.objects.filter(questionnaire=every_kind.questionnaire)
    assert responses.count() == 2
    assert responses.get(organisation__code="04").status == ResponseStatus.SUBMITTED
    assert set(responses.values_list("answers__channel", flat=True).distinct()) == {
        Channel.IMPORT
    }
    # The checked file is used once.
    again = client.post(reverse("reports:import-confirm"), follow=True)
    assert "Det finns ingen kontrollerad fil" in again.content.decode()


def test_staff_see_every_error_and_nothing_is_saved(
    client: Client, staff_user: User, every_kind: EveryKind
) -> None:
    client.force_login(staff_user)
    checked = client.post(
        reverse(URL),
        {
            "questionnaire": every_kind.questionnaire.pk,
            "file": emptied_file(every_kind, break_it=True),
        },
    )
    text = checked.content.decode()
    assert checked.status_code == 200
    assert "Filen har 1 fel och ingenting har sparats." in text
    assert (
        "Rad 2, kolumn q01_breddinfort: «Kanske» är inget svarsalternativ "
        "(1 = Ja, 2 = Nej)." in text
    )
    assert client.post(reverse("reports:import-confirm")).status_code == 302
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()


def test_a_missing_file_is_explained(client: Client, staff_user: User) -> None:
    client.force_login(staff_user)
    response = client.post(reverse(URL), {})
    text = response.content.decode()
    assert "Välj en fil." in text
    assert "Välj vilken enkät svaren gäller." in text
