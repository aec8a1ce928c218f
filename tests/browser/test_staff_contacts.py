"""Staff's contacts for regions and RSS in the browser (issue #15 point 3): add
a contact, import a list through its preview with a row in error, and see the
history; axe on each page, and the list reflows at 320 px."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from surveys.models import OrganisationRole, Region
from tests.browser.conftest import assert_accessible, login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_add_import_and_see_the_history_of_contacts(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    staff = make_user("staff@socialstyrelsen.test", is_staff=True, is_superuser=True)
    sormland = Region.objects.get(code="04")

    login(page, live_server, staff)
    page.goto("/")
    page.get_by_role("link", name="Kontakter för regioner och RSS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kontakter för regioner och RSS"
    )
    assert_accessible(page)

    row = page.locator(f"#org-{sormland.pk}")
    row.get_by_text("Lägg till kontakt").click()
    row.get_by_label("E-postadress").fill("ny@sormland.test")
    row.get_by_role("button", name="Spara kontakt").click()
    expect(page.get_by_role("status")).to_contain_text(
        "ny@sormland.test är nu kontakt för Region Sörmland."
    )

    lista = tmp_path / "kontakter.csv"
    lista.write_text(
        "Organisation;E-post;Förnamn\n04;anna@sormland.test;Anna\n99;x@y.test;\n",
        encoding="utf-8",
    )
    page.get_by_label("Kontaktlista (.xlsx eller .csv)").set_input_files(lista)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("alert")).to_contain_text("Rad 3: ”99” är ingen region")
    assert_accessible(page)
    page.get_by_role("button", name="Läs in 1 nya kontakter").click()
    expect(page.get_by_role("status")).to_contain_text(
        "1 nya kontakter har lagts till."
    )
    assert OrganisationRole.objects.filter(
        organisation=sormland, user__email="anna@sormland.test"
    ).exists()

    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    row.get_by_role("link", name="Historik").click()
    expect(page.get_by_role("cell", name="anna@sormland.test tillagd")).to_be_visible()
    expect(page.get_by_role("cell", name="ny@sormland.test tillagd")).to_be_visible()
    assert_accessible(page)
