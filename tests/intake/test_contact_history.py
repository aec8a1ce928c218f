"""Every change to a response's contact details is kept (old, new, who, when) and
shown to staff in the response admin, next to the answers' history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import ContactChange, Response
from intake.services import get_or_create_response, update_contact_details
from surveys.models import Questionnaire, Region, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(region: Region) -> Response:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    return get_or_create_response(questionnaire, organisation=region)


def history(response: Response) -> list[tuple[str, str, str, str]]:
    return [
        (c.field, c.old_value, c.new_value, c.changed_by.email)
        for c in ContactChange.objects.filter(response=response).select_related(
            "changed_by"
        )
    ]


def test_each_changed_field_is_recorded_with_old_and_new_value(
    response: Response, region_user: User, other_region_user: User
) -> None:
    update_contact_details(
        response,
        actor=region_user,
        name=" Rut Regionkontakt ",
        email="rut@sormland.test",
        phone="",
    )
    assert history(response) == [
        ("contact_name", "", "Rut Regionkontakt", region_user.email),
        ("contact_email", "", "rut@sormland.test", region_user.email),
    ]
    # Only what changed is recorded, attributed to whoever changed it.
    update_contact_details(
        response,
        actor=other_region_user,
        name="Rut Regionkontakt",
        email="rut.r@sormland.test",
        phone="0155-24 50 00",
    )
    assert history(response)[2:] == [
        (
            "contact_email",
            "rut@sormland.test",
            "rut.r@sormland.test",
            "kontakt@kronoberg.test",
        ),
        ("contact_phone", "", "0155-24 50 00", "kontakt@kronoberg.test"),
    ]
    first, *_, last = ContactChange.objects.filter(response=response)
    assert first.changed_at <= last.changed_at


def test_saving_the_same_details_again_records_nothing(
    response: Response, region_user: User
) -> None:
    for _ in range(2):
        update_contact_details(
            response, actor=region_user, name="Rut", email="", phone="123"
        )
    assert len(history(response)) == 2


def test_an_invalid_address_changes_nothing_and_records_nothing(
    response: Response, region_user: User
) -> None:
    with pytest.raises(ValidationError):
        update_contact_details(
            response, actor=region_user, name="Rut", email="rut@", phone=""
        )
    response.refresh_from_db()
    assert (response.contact_name, response.contact_email) == ("", "")
    assert history(response) == []


def test_the_form_records_who_changed_the_details(
    client: Client, region_user: User, region: Region
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    client.force_login(region_user)
    posted = client.post(
        url,
        {"version": 0, "action": "save", "contact_name": "Rut", "contact_email": ""},
    )
    assert posted.status_code == 302
    saved = Response.objects.get(questionnaire=questionnaire, organisation=region)
    assert history(saved) == [("contact_name", "", "Rut", region_user.email)]


def admin_page(client: Client, response: Response) -> str:
    url = reverse("admin:intake_response_change", args=[response.pk])
    page = client.get(url)
    assert page.status_code == 200
    return str(page.content.decode())


def test_staff_see_the_contact_history_next_to_the_answer_history(
    client: Client, response: Response, region_user: User, staff_user: User
) -> None:
    update_contact_details(
        response, actor=region_user, name="Rut", email="rut@sormland.test", phone=""
    )
    update_contact_details(
        response,
        actor=region_user,
        name="Rut Nilsson",
        email="rut@sormland.test",
        phone="",
    )
    client.force_login(staff_user)
    page = admin_page(client, response)
    assert "Ändringshistorik" in page
    assert "Ändringar av kontaktuppgifter" in page
    assert page.index("Ändringshistorik") < page.index("Ändringar av kontaktuppgifter")
    contact_part = page[page.index("Ändringar av kontaktuppgifter") :]
    for text in [
        "Kontaktperson",
        "Rut Nilsson",
        "rut@sormland.test",
        region_user.email,
    ]:
        assert text in contact_part


def test_respondents_cannot_open_the_response_admin(
    client: Client, response: Response, region_user: User
) -> None:
    update_contact_details(response, actor=region_user, name="Rut", email="", phone="")
    client.force_login(region_user)
    url = reverse("admin:intake_response_change", args=[response.pk])
    page = client.get(url)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("admin:login"))


def test_the_admin_page_makes_the_same_queries_however_long_the_history(
    client: Client, response: Response, region_user: User, staff_user: User
) -> None:
    client.force_login(staff_user)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            admin_page(client, response)
        return len(queries)

    update_contact_details(response, actor=region_user, name="A", email="", phone="")
    # Once first, so what a process reads once and keeps (content types, the
    # questionnaire's structure) is not counted in one of the two and not the other.
    count_queries()
    few = count_queries()
    for n in range(8):
        update_contact_details(
            response, actor=staff_user, name=f"Namn {n}", email="", phone=str(n)
        )
    assert ContactChange.objects.filter(response=response).count() == 17
    assert count_queries() == few
