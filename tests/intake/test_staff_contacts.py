"""Staff's contact persons for regions and RSS (issue #15 point 3): added and
removed with their history (who, when, which address) in ContactChange; a
contact list imported from .xlsx or .csv with a preview and Swedish errors per
row; invitations as one-time sign-in links in the message log; non-staff are
refused."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from intake.models import ContactChange
from surveys.models import (
    RSS,
    Dispatch,
    MailingKind,
    OrganisationRole,
    Questionnaire,
    Region,
    User,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture
def staff(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


def add(client: Client, organisation: Region | RSS, email: str) -> Any:
    return client.post(
        reverse("intake:staff-contact-add", args=[organisation.pk]),
        {
            f"org{organisation.pk}-email": email,
            f"org{organisation.pk}-first_name": "Eva",
        },
    )


def test_staff_add_and_remove_a_contact_with_its_history(
    staff: Client, staff_user: User, region: Region
) -> None:
    response = add(staff, region, "Ny.Kontakt@Sormland.test")
    assert response.status_code == 302
    user = User.objects.get(email="ny.kontakt@sormland.test")
    assert OrganisationRole.objects.filter(user=user, organisation=region).exists()
    page = staff.get(reverse("intake:staff-contacts"))
    assert "ny.kontakt@sormland.test" in page.content.decode()

    removed = staff.post(
        reverse("intake:staff-contact-remove", args=[region.pk]), {"user": user.pk}
    )
    assert removed.status_code == 302
    assert not OrganisationRole.objects.filter(user=user, organisation=region).exists()
    changes = list(
        ContactChange.objects.filter(organisation=region)
        .order_by("pk")
        .values_list("field", "old_value", "new_value", "changed_by")
    )
    assert changes == [
        ("contact", "", "ny.kontakt@sormland.test", staff_user.pk),
        ("contact", "ny.kontakt@sormland.test", "", staff_user.pk),
    ]
    history = staff.get(reverse("intake:staff-contact-history", args=[region.pk]))
    text = history.content.decode()
    assert "ny.kontakt@sormland.test tillagd" in text
    assert "ny.kontakt@sormland.test borttagen" in text
    assert staff_user.email in text


def test_a_bad_address_is_a_swedish_message_and_the_input_stays(
    staff: Client, region: Region
) -> None:
    response = add(staff, region, "inte-en-adress")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Ange en giltig mejladress." in text
    assert 'value="inte-en-adress"' in text
    assert not ContactChange.objects.filter(organisation=region).exists()


def test_adding_the_same_contact_twice_is_refused(
    staff: Client, region: Region, region_user: User
) -> None:
    response = add(staff, region, region_user.email)
    assert response.status_code == 400
    assert "är redan kontakt för" in response.content.decode()
    assert not ContactChange.objects.filter(organisation=region).exists()


def test_staff_invite_a_contact_with_a_one_time_link(
    staff: Client,
    region: Region,
    region_user: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("intake:staff-contact-invite", args=[region.pk]),
            {"user": region_user.pk},
        )
    assert response.status_code == 302
    dispatch = Dispatch.objects.get(recipient=region_user)
    assert dispatch.kind == MailingKind.INVITATION
    assert dispatch.organisation_id == region.pk
    assert [m.to for m in mail.outbox] == [[region_user.email]]
    assert "/inloggning/lank/" in mail.outbox[0].body


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: Client, content: bytes, name: str) -> Any:
    return client.post(
        reverse("intake:staff-contact-import"),
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_import_a_contact_list_with_a_preview_and_errors_per_row(
    staff: Client, staff_user: User, region: Region, rss: RSS, kind: str
) -> None:
    rows: list[list[object]] = [
        ["Organisation", "E-post", "Förnamn", "Efternamn"],
        [4 if kind == "xlsx" else "04", "anna@sormland.test", "Anna", "Ek"],
        [rss.name, "bo@rss.test", "Bo", ""],
        ["99", "cia@okand.test", "", ""],
        ["04", "inte-en-adress", "", ""],
        ["04", "ANNA@sormland.test", "", ""],
    ]
    if kind == "xlsx":
        content, name = xlsx(rows), "kontakter.xlsx"
    else:
        content = "\n".join(";".join(str(c) for c in row) for row in rows).encode()
        name = "kontakter.csv"
    preview = upload(staff, content, name)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Rad 4: ”99” är ingen region eller RSS" in text
    assert "Rad 5: ”inte-en-adress” är ingen giltig e-postadress." in text
    assert "Rad 6: samma kontakt finns redan på en tidigare rad." in text
    assert not OrganisationRole.objects.filter(
        user__email="anna@sormland.test"
    ).exists()
    token = preview.context["token"]

    confirmed = staff.post(
        reverse("intake:staff-contact-import-confirm"), {"rader": token}, follow=True
    )
    assert "2 nya kontakter har lagts till." in confirmed.content.decode()
    assert OrganisationRole.objects.filter(
        user__email="anna@sormland.test", organisation=region
    ).exists()
    assert OrganisationRole.objects.filter(
        user__email="bo@rss.test", organisation=rss
    ).exists()
    assert User.objects.get(email="anna@sormland.test").first_name == "Anna"
    assert set(
        ContactChange.objects.filter(changed_by=staff_user).values_list(
            "organisation", "new_value"
        )
    ) == {(region.pk, "anna@sormland.test"), (rss.pk, "bo@rss.test")}


def test_a_file_without_the_columns_is_refused_in_swedish(staff: Client) -> None:
    response = upload(staff, b"namn;telefon\nEva;123\n", "lista.csv")
    assert response.status_code == 400
    assert "Första raden ska ha kolumnerna Organisation och E-post" in (
        response.content.decode()
    )


def test_a_broken_workbook_is_refused_in_swedish(staff: Client) -> None:
    response = upload(staff, b"PK\x03\x04 not a zip", "lista.xlsx")
    assert response.status_code == 400
    assert "error" in response.content.decode()


def test_an_altered_preview_is_refused(staff: Client) -> None:
    response = staff.post(
        reverse("intake:staff-contact-import-confirm"),
        {"rader": "[]:forged"},
        follow=True,
    )
    assert "Ladda upp listan igen." in response.content.decode()
    assert not ContactChange.objects.exists()


def test_kommun_contacts_are_not_kept_here(staff: Client, kommun: Any) -> None:
    response = staff.post(
        reverse("intake:staff-contact-add", args=[kommun.pk]),
        {f"org{kommun.pk}-email": "x@kommun.test"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name,method,args",
    [
        ("intake:staff-contacts", "get", False),
        ("intake:staff-contact-add", "post", True),
        ("intake:staff-contact-remove", "post", True),
        ("intake:staff-contact-invite", "post", True),
        ("intake:staff-contact-history", "get", True),
        ("intake:staff-contact-import", "post", False),
        ("intake:staff-contact-import-confirm", "post", False),
    ],
)
def test_non_staff_cannot_keep_contacts(
    client: Client,
    region: Region,
    region_user: User,
    rss_user: User,
    name: str,
    method: str,
    args: bool,
) -> None:
    url = reverse(name, args=[region.pk] if args else [])
    data = {f"org{region.pk}-email": "x@y.test", "user": region_user.pk}
    assert getattr(client, method)(url, data).status_code == 302  # to sign in
    for user in (region_user, rss_user):
        client.force_login(user)
        assert getattr(client, method)(url, data).status_code == 403
    assert not ContactChange.objects.exists()
    assert OrganisationRole.objects.filter(
        user=region_user, organisation=region
    ).exists()
    assert not mail.outbox


def test_a_kommuns_contacts_changed_by_its_rss_are_in_the_same_history(
    client: Client, rss: RSS, rss_user: User, kommun: Any
) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    client.force_login(rss_user)
    added = client.post(
        reverse("intake:rss-contact-add", args=[rss.pk, questionnaire.pk, kommun.pk]),
        {f"k{kommun.pk}-email": "ny@vaxjo.test"},
    )
    assert added.status_code == 302
    assert list(
        ContactChange.objects.filter(organisation=kommun).values_list(
            "old_value", "new_value", "changed_by"
        )
    ) == [("", "ny@vaxjo.test", rss_user.pk)]


def test_the_contacts_page_makes_the_same_queries_for_few_and_many_contacts(
    staff: Client, region: Region, rss: RSS
) -> None:
    url = reverse("intake:staff-contacts")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(url).status_code == 200
        return len(queries)

    few = count()
    for index in range(6):
        make_user(f"kontakt{index}@sormland.test", region)
        make_user(f"kontakt{index}@rss.test", rss)
    # Session, user, the organisations and their contacts.
    assert count() == few <= 5
