"""Staff's status board of a cycle (issue #15 point 2): every expected
organisation of every questionnaire; its counts equal the database's (counted
here independently); a fixed number of queries at two sizes; filters, sorting
and the Excel download; a reminder round to the organisations ticked on it;
staff only."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from intake.models import Response, ResponseStatus
from intake.services import get_or_create_response, submit_response
from reports.status_board import BoardRow
from surveys.models import (
    Dispatch,
    Mailing,
    MailingKind,
    Organisation,
    OrganisationKind,
    Questionnaire,
    Region,
    RSSMembership,
    User,
)
from surveys.services import close_questionnaire, extend_deadline
from tests.conftest import make_user
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

YEAR = 2024

Capture = Callable[..., Any]


def board_url(**params: object) -> str:
    url = reverse("reports:status-board", args=[YEAR])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.fixture
def staff(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


@pytest.fixture
def region_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=YEAR, key="region")


@pytest.fixture
def progress(
    region_questionnaire: Questionnaire,
    region: Region,
    other_region: Region,
    other_region_user: User,
    region_user: User,
    staff_user: User,
) -> None:
    """Kronoberg has submitted the region questionnaire; Sörmland has started
    it and has a later deadline; a kommun has started the kommun questionnaire."""
    response = get_or_create_response(region_questionnaire, organisation=other_region)
    submit_response(
        response, actor=other_region_user, require_complete=False, notify=False
    )
    get_or_create_response(region_questionnaire, organisation=region)
    Response.objects.filter(
        questionnaire=region_questionnaire, organisation=region
    ).update(status=ResponseStatus.IN_PROGRESS)
    extend_deadline(
        region_questionnaire,
        organisation=region,
        closes_on=datetime.date(2025, 4, 30),
        reason="Sjukdom i ledningen.",
        actor=staff_user,
    )
    kommun_questionnaire = Questionnaire.objects.get(cycle__year=YEAR, key="kommun")
    vaxjo = Organisation.objects.get(kind=OrganisationKind.KOMMUN, code="0780")
    get_or_create_response(kommun_questionnaire, organisation=vaxjo)
    Response.objects.filter(
        questionnaire=kommun_questionnaire, organisation=vaxjo
    ).update(status=ResponseStatus.IN_PROGRESS)


def rows_of(response: object) -> list[BoardRow]:
    return list(response.context["rows"])  # type: ignore[attr-defined]


def test_every_expected_organisation_of_every_audience_is_on_the_board(
    staff: Client, progress: None
) -> None:
    response = staff.get(board_url())
    assert response.status_code == 200
    rows = rows_of(response)
    by_key: dict[str, set[int]] = {}
    for row in rows:
        by_key.setdefault(row.questionnaire.key, set()).add(row.organisation_id)
    kommuner_in_year = set(
        RSSMembership.objects.filter(valid_from__lte=YEAR)
        .exclude(valid_to__lt=YEAR)
        .values_list("kommun_id", flat=True)
    )
    assert by_key["region"] == set(
        Organisation.objects.filter(kind=OrganisationKind.REGION).values_list(
            "pk", flat=True
        )
    )
    assert len(by_key["region"]) == 21
    assert len(by_key["rss"]) == 24
    assert by_key["kommun"] == kommuner_in_year == by_key["kommun-extra"]
    assert len(kommuner_in_year) == 290
    assert len(rows) == 21 + 24 + 2 * 290


def test_the_boards_counts_equal_the_databases(
    staff: Client, progress: None, region: Region, other_region: Region
) -> None:
    response = staff.get(board_url())
    rows = rows_of(response)
    for level in response.context["board"].rates:
        questionnaire = level.questionnaire
        on_board = [r for r in rows if r.questionnaire.pk == questionnaire.pk]
        submitted = Response.objects.filter(
            questionnaire=questionnaire, status=ResponseStatus.SUBMITTED
        ).count()
        started = Response.objects.filter(
            questionnaire=questionnaire,
            status__in=[ResponseStatus.IN_PROGRESS, ResponseStatus.REOPENED],
        ).count()
        assert level.overall.total == len(on_board)
        assert level.overall.submitted == submitted
        assert level.overall.started == started
        assert sum(1 for r in on_board if r.is_submitted) == submitted
        # Per län: the organisations whose region is that län, counted here.
        for rate in level.by_lan:
            in_lan = [r for r in on_board if r.lan == rate.label]
            assert rate.total == len(in_lan)
            assert rate.submitted == sum(1 for r in in_lan if r.is_submitted)
    region_rows = {
        r.organisation_id: r for r in rows if r.questionnaire.key == "region"
    }
    assert region_rows[other_region.pk].status == ResponseStatus.SUBMITTED
    assert region_rows[region.pk].status == ResponseStatus.IN_PROGRESS
    assert region_rows[region.pk].deadline == datetime.date(2025, 4, 30)
    assert region_rows[region.pk].extended
    assert region_rows[region.pk].contacts == ["kontakt@sormland.test"]
    assert not region_rows[other_region.pk].extended
    assert region_rows[other_region.pk].deadline == datetime.date(2025, 3, 31)
    rates = {
        level.questionnaire.key: level for level in response.context["board"].rates
    }
    assert rates["region"].overall.submitted == 1
    assert rates["region"].overall.total == 21
    assert b"(f\xc3\xb6rl\xc3\xa4ngd)" in response.content


def add_regions(n: int, questionnaire: Questionnaire, staff_user: User) -> None:
    """n more regions, each with a contact, a response and a reminder."""
    for index in range(n):
        organisation = OrganisationFactory(
            kind=OrganisationKind.REGION, sort_order=200 + index
        )
        Organisation.objects.filter(pk=organisation.pk).update(region=organisation)
        contact = make_user(f"kontakt{index}@extra.test", organisation)
        get_or_create_response(questionnaire, organisation=organisation)
        mailing = Mailing.objects.create(
            kind=MailingKind.REMINDER,
            questionnaire=questionnaire,
            is_bulk=True,
            sent_by=staff_user,
        )
        Dispatch.objects.create(
            mailing=mailing,
            kind=MailingKind.REMINDER,
            questionnaire=questionnaire,
            organisation=organisation,
            recipient=contact,
            email=contact.email,
            sent_by=staff_user,
        )


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [board_url(), reverse("reports:status-board-xlsx", args=[YEAR])],
    ids=["page", "excel"],
)
def test_the_board_makes_the_same_number_of_queries_at_two_sizes(
    staff: Client,
    progress: None,
    region_questionnaire: Questionnaire,
    staff_user: User,
    url: str,
) -> None:
    staff.get(url)  # the questionnaires' structure cached, as between requests
    small = count_queries(staff, url)
    add_regions(12, region_questionnaire, staff_user)
    large = count_queries(staff, url)
    assert small == large
    # Session and user, the questionnaires, at most six per questionnaire
    # (response_status_rows), the organisations, their contacts, the kommuners'
    # RSS, deadlines, reminders, and the rates per län of each questionnaire.
    assert large <= 2 + 1 + 6 * 4 + 5 + 4


def test_the_reminders_sent_are_on_the_board(
    staff: Client, region_questionnaire: Questionnaire, staff_user: User
) -> None:
    add_regions(2, region_questionnaire, staff_user)
    rows = rows_of(
        staff.get(board_url(enkat=region_questionnaire.pk, sortera="-paminnelser"))
    )
    assert [r.n_reminders for r in rows[:3]] == [1, 1, 0]
    assert rows[0].last_reminder_at is not None


def test_filters_and_sorting(
    staff: Client,
    progress: None,
    other_region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    rows = rows_of(staff.get(board_url(lan=other_region.pk)))
    assert rows
    assert {r.region_id for r in rows} == {other_region.pk}
    # Kronoberg: the region, its RSS and twice its 8 kommuner.
    assert len(rows) == 1 + 1 + 2 * 8
    submitted = rows_of(staff.get(board_url(status=ResponseStatus.SUBMITTED)))
    assert [(r.questionnaire.key, r.organisation_id) for r in submitted] == [
        ("region", other_region.pk)
    ]
    rss_pk = next(r.rss_id for r in rows if r.questionnaire.key == "rss")
    by_rss = rows_of(staff.get(board_url(rss=rss_pk, enkat=region_questionnaire.pk)))
    assert by_rss == []
    names = [
        r.name
        for r in rows_of(
            staff.get(board_url(enkat=region_questionnaire.pk, sortera="-namn"))
        )
    ]
    assert names == sorted(names, key=str.casefold, reverse=True)
    by_progress = rows_of(
        staff.get(board_url(enkat=region_questionnaire.pk, sortera="-status"))
    )
    assert by_progress[0].status == ResponseStatus.SUBMITTED


def test_the_excel_download_has_numbers_as_numbers(
    staff: Client, progress: None, region: Region, region_questionnaire: Questionnaire
) -> None:
    response = staff.get(
        reverse("reports:status-board-xlsx", args=[YEAR])
        + f"?enkat={region_questionnaire.pk}"
    )
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook["Status"]
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    assert len(rows) == 21
    sormland = next(r for r in rows if r["Organisation"] == region.name)
    assert sormland["Status"] == "Pågår"
    assert isinstance(sormland["Obligatoriska frågor som visas"], int)
    assert sormland["Andel besvarade"] == 0
    share = header.index("Andel besvarade") + 1
    assert sheet.cell(row=2, column=share).number_format == "0%"
    assert sormland["Sista dag"].date() == datetime.date(2025, 4, 30)
    assert sormland["Förlängd"] == "Ja"
    assert sormland["Antal påminnelser"] == 0
    assert sormland["Kontakter"] == "kontakt@sormland.test"
    rates = list(workbook["Svarsfrekvens"].iter_rows(min_row=2, values_only=True))
    regions = next(r for r in rates if r[:2] == ("Regioner", "Alla län"))
    assert regions[2:5] == (21, 1, 1)
    assert regions[5] == pytest.approx(1 / 21)


def test_staff_remind_the_organisations_ticked_on_the_board(
    staff: Client,
    django_capture_on_commit_callbacks: Capture,
    progress: None,
    region: Region,
    other_region: Region,
    region_questionnaire: Questionnaire,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sent = staff.post(
            reverse("reports:status-board-remind", args=[YEAR]),
            {
                "enkat": region_questionnaire.pk,
                "typ": MailingKind.REMINDER,
                "valda": [region.pk, other_region.pk],
            },
        )
    assert sent.status_code == 302
    response = staff.get(sent["Location"])
    assert [m.to for m in mail.outbox] == [["kontakt@sormland.test"]]
    mailing = Mailing.objects.get(questionnaire=region_questionnaire, is_bulk=True)
    assert mailing.kind == MailingKind.REMINDER
    # Kronoberg has submitted: only Sörmland's contact is mailed.
    assert list(mailing.dispatches.values_list("email", flat=True)) == [
        "kontakt@sormland.test"
    ]
    rows = {r.organisation_id: r for r in rows_of(response)}
    assert rows[region.pk].n_reminders == 1
    assert rows[other_region.pk].n_reminders == 0
    assert "Ordinarie påminnelse till" in response.content.decode()


def test_no_reminder_from_the_board_for_a_closed_questionnaire(
    staff: Client,
    staff_user: User,
    region: Region,
    region_user: User,
    region_questionnaire: Questionnaire,
) -> None:
    close_questionnaire(region_questionnaire, actor=staff_user, reason="Klar.")
    page = staff.get(board_url(enkat=region_questionnaire.pk))
    assert b"Skicka p\xc3\xa5minnelse till valda" not in page.content
    response = staff.post(
        reverse("reports:status-board-remind", args=[YEAR]),
        {
            "enkat": region_questionnaire.pk,
            "typ": MailingKind.REMINDER,
            "valda": [region.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Mailing.objects.filter(questionnaire=region_questionnaire).exists()
    assert "stängd" in response.content.decode().lower()


def test_nothing_chosen_is_a_swedish_message(
    staff: Client, region_questionnaire: Questionnaire
) -> None:
    response = staff.post(
        reverse("reports:status-board-remind", args=[YEAR]),
        {"enkat": region_questionnaire.pk, "typ": MailingKind.REMINDER},
        follow=True,
    )
    assert "Välj minst en organisation att påminna." in response.content.decode()
    assert not Mailing.objects.exists()


@pytest.mark.parametrize(
    "name,method",
    [
        ("reports:status-board", "get"),
        ("reports:status-board-xlsx", "get"),
        ("reports:status-board-remind", "post"),
    ],
)
def test_only_staff_see_the_board_or_remind_from_it(
    client: Client,
    region_user: User,
    rss_user: User,
    region: Region,
    region_questionnaire: Questionnaire,
    name: str,
    method: str,
) -> None:
    url = reverse(name, args=[YEAR])
    data = {"enkat": region_questionnaire.pk, "typ": "reminder", "valda": [region.pk]}
    anonymous = getattr(client, method)(url, data)
    assert anonymous.status_code == 302
    for user in (region_user, rss_user):
        client.force_login(user)
        assert getattr(client, method)(url, data).status_code == 404
    assert not Mailing.objects.exists()
