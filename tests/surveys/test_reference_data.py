"""The organisation register: 21 regions, 290 kommuner, 24 RSS (issue #2)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from surveys.models import RSS, Kommun, Region, RSSMembership
from surveys.selectors import kommuner_of_rss, rss_of_kommun
from surveys.services.reference_data import load_reference_data, rss_coverage_problems

pytestmark = pytest.mark.django_db

KOMMUNER_PER_LAN = {
    "Stockholms län": 26,
    "Uppsala län": 8,
    "Södermanlands län": 9,
    "Östergötlands län": 13,
    "Jönköpings län": 13,
    "Kronobergs län": 8,
    "Kalmar län": 12,
    "Gotlands län": 1,
    "Blekinge län": 5,
    "Skåne län": 33,
    "Hallands län": 6,
    "Västra Götalands län": 49,
    "Värmlands län": 16,
    "Örebro län": 12,
    "Västmanlands län": 10,
    "Dalarnas län": 15,
    "Gävleborgs län": 10,
    "Västernorrlands län": 7,
    "Jämtlands län": 8,
    "Västerbottens län": 15,
    "Norrbottens län": 14,
}

# The order and the short names of the published tables (Bilaga 3, 2025 report).
PUBLISHED_ORDER = [
    "Stockholm",
    "Uppsala",
    "Sörmland",
    "Östergötland",
    "Jönköping",
    "Kronoberg",
    "Kalmar",
    "Gotland",
    "Blekinge",
    "Skåne",
    "Halland",
    "Västra Götaland",
    "Värmland",
    "Örebro",
    "Västmanland",
    "Dalarna",
    "Gävleborg",
    "Västernorrland",
    "Jämtland Härjedalen",
    "Västerbotten",
    "Norrbotten",
]


def test_it_has_21_regions_in_the_published_order() -> None:
    regions = list(Region.objects.order_by("sort_order"))
    assert [r.short_name for r in regions] == PUBLISHED_ORDER
    assert [r.code for r in regions] == [
        "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
        "14", "17", "18", "19", "20", "21", "22", "23", "24", "25",
    ]  # fmt: skip
    assert all(r.region_id == r.pk for r in regions), "a region belongs to itself"
    assert Region.objects.get(code="14").name == "Västra Götalandsregionen"
    assert Region.objects.get(code="23").name == "Region Jämtland Härjedalen"


def test_it_has_the_exact_number_of_kommuner_per_lan() -> None:
    counts = dict(
        Kommun.objects.values_list("region__lan_name")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert counts == KOMMUNER_PER_LAN
    assert Kommun.objects.count() == 290


def test_kommun_codes_are_valid_unique_and_match_their_lan() -> None:
    codes = list(Kommun.objects.values_list("code", "region__code"))
    assert len({code for code, _ in codes}) == 290
    for code, lan in codes:
        assert re.fullmatch(r"\d{4}", code), code
        assert code[:2] == lan, f"{code} ligger i län {lan}"
    assert Kommun.objects.get(code="0180").name == "Stockholm"
    assert Kommun.objects.get(code="1480").name == "Göteborg"
    assert Kommun.objects.get(code="0980").name == "Gotland"


def test_the_24_rss_cover_every_kommun_exactly_once() -> None:
    assert RSS.objects.count() == 24
    assert rss_coverage_problems(2024) == []
    assert rss_coverage_problems(2019) == []
    per_kommun = (
        RSSMembership.objects.values("kommun").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not per_kommun.exists()


def test_each_rss_holds_kommuner_of_its_own_lan() -> None:
    for membership in RSSMembership.objects.select_related("rss", "kommun"):
        assert membership.rss.region_id == membership.kommun.region_id, membership


def test_vastra_gotaland_has_four_rss_and_the_other_lan_one_each() -> None:
    per_lan = dict(
        RSS.objects.values_list("region__code").annotate(n=Count("id")).order_by()
    )
    assert per_lan.pop("14") == 4
    assert set(per_lan.values()) == {1} and len(per_lan) == 20
    sizes = {
        rss.code: kommuner_of_rss(rss, year=2024).count()
        for rss in RSS.objects.filter(region__code="14")
    }
    assert sizes == {
        "rss-14-fyrbodal": 14,
        "rss-14-gr": 12,
        "rss-14-skaraborg": 15,
        "rss-14-sjuharad": 8,
    }
    # Kungsbacka is a GR member in real life but belongs to Halland's RSS here.
    kungsbacka = Kommun.objects.get(code="1384")
    assert rss_of_kommun(kungsbacka, year=2024) == RSS.objects.get(code="rss-13")


def test_membership_can_change_between_years() -> None:
    kommun = Kommun.objects.get(code="1440")  # Ale, in GR
    gr = RSS.objects.get(code="rss-14-gr")
    fyrbodal = RSS.objects.get(code="rss-14-fyrbodal")
    membership = RSSMembership.objects.get(kommun=kommun)
    membership.valid_to = 2025
    membership.save(update_fields=["valid_to"])
    RSSMembership.objects.create(rss=fyrbodal, kommun=kommun, valid_from=2026)
    assert rss_of_kommun(kommun, year=2025) == gr
    assert rss_of_kommun(kommun, year=2026) == fyrbodal
    assert rss_coverage_problems(2026) == []
    assert kommuner_of_rss(gr, year=2026).count() == 11


def test_coverage_problems_name_kommuner_without_or_with_two_rss() -> None:
    vaxjo = Kommun.objects.get(code="0780")
    RSSMembership.objects.filter(kommun=vaxjo).update(valid_to=2020)
    assert rss_coverage_problems(2024) == ["Växjö (0780) tillhör inget RSS 2024"]
    RSSMembership.objects.create(
        rss=RSS.objects.get(code="rss-06"), kommun=vaxjo, valid_from=2021
    )
    RSSMembership.objects.create(
        rss=RSS.objects.get(code="rss-08"), kommun=vaxjo, valid_from=2022
    )
    assert rss_coverage_problems(2024) == ["Växjö (0780) tillhör 2 RSS 2024"]


def test_loading_twice_changes_nothing() -> None:
    report = load_reference_data()
    assert report.created == {}
    assert report.updated == {}
    assert report.differences == []


def test_staff_corrections_survive_a_reload_unless_update_is_asked_for() -> None:
    region = Region.objects.get(code="04")
    region.short_name = "Södermanland"
    region.save(update_fields=["short_name"])

    report = load_reference_data()
    region.refresh_from_db()
    assert region.short_name == "Södermanland"
    assert report.differences == [
        "Region 04 (Region Sörmland): short_name skiljer sig från filen"
    ]

    report = load_reference_data(update=True)
    region.refresh_from_db()
    assert region.short_name == "Sörmland"
    assert report.updated == {"Region": 1}


def test_the_command_reports_what_it_did(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_reference_data")
    assert "Registret var redan inläst" in capsys.readouterr().out


def test_the_command_fails_when_a_kommun_has_no_rss() -> None:
    from django.core.management.base import CommandError

    RSSMembership.objects.filter(kommun__code="0780").update(valid_to=2020)
    with pytest.raises(CommandError, match=r"Växjö \(0780\) tillhör inget RSS"):
        call_command("load_reference_data")
