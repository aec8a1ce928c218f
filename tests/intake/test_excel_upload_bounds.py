"""A kommun's Excel upload is bounded in memory and time whatever the file holds
(issue #13 point 6): real uploads through the test client of hostile files built
from a downloaded copy (tests/hostile_xlsx.py), with the peak memory of the
request measured by tracemalloc."""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from intake.models import Answer
from surveys.models import Kommun, Questionnaire, User
from tests.hostile_xlsx import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    MALFORMED,
    inflated_styles,
    with_parts,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEAK_LIMIT = 200 * 1024 * 1024
NOT_XLSX = (
    "Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den som "
    "Excel-arbetsbok (.xlsx) och försök igen."
)


def kommun_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="kommun")


@pytest.fixture
def rss_client(client: Client, rss_user: User) -> Client:
    client.force_login(rss_user)
    return client


def downloaded(client: Client, kommun: Kommun) -> bytes:
    response = client.get(
        reverse("intake:excel-download", args=[kommun_questionnaire().pk, kommun.pk])
    )
    assert response.status_code == 200
    return bytes(response.content)


def survey_part(xlsx: bytes) -> str:
    """The part of the "Enkät" sheet (the second sheet openpyxl writes)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet [^>]*name="Enkät"[^>]*r:id="(rId\d+)"', workbook)
    assert rid is not None
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels)
    if target is None:
        target = re.search(rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target is not None
    return "xl/" + target.group(1).removeprefix("/xl/").removeprefix("xl/")


def measured(call: Callable[[], Any]) -> tuple[Any, int, float]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.monotonic() - started
    print(f"peak {peak / 1e6:.1f} MB in {seconds:.2f} s")  # shown with -s
    return result, peak, seconds


def post(client: Client, kommun: Kommun, content: bytes) -> Any:
    url = reverse("intake:excel-upload", args=[kommun_questionnaire().pk, kommun.pk])
    return client.post(
        url, {"file": SimpleUploadedFile("svar.xlsx", content, content_type=XLSX)}
    )


def problems(response: Any) -> list[str]:
    assert response.status_code == 400, response.status_code
    return [str(p) for p in response.context["problems"]]


def test_styles_that_unpack_to_85_mb_are_refused_within_bounds(
    rss_client: Client, kommun: Kommun
) -> None:
    hostile = with_parts(
        downloaded(rss_client, kommun), {"xl/styles.xml": inflated_styles()}
    )
    assert len(hostile) < 1_000_000  # passes the 5 MB upload limit
    response, peak, seconds = measured(lambda: post(rss_client, kommun, hostile))
    assert problems(response) == [
        "Filen är för stor när den packas upp: den innehåller mer data än en sådan "
        "arbetsbok kan ha. Spara den som en ny Excel-arbetsbok (.xlsx) och försök igen."
    ]
    assert peak < PEAK_LIMIT, peak
    assert seconds < 30, seconds
    assert not Answer.objects.filter(response__organisation=kommun).exists()


def test_a_declared_dimension_of_the_whole_sheet_is_not_trusted(
    rss_client: Client, kommun: Kommun
) -> None:
    """The copy still reads normally: the dimension claims 17 billion cells and
    a value sits in the last row, but only the layout's rows are read."""
    original = downloaded(rss_client, kommun)
    part = survey_part(original)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        xml = archive.read(part).decode()
    xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
    xml = xml.replace(
        "</sheetData>",
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
        "</row></sheetData>",
    )
    hostile = with_parts(original, {part: xml})
    response, peak, seconds = measured(lambda: post(rss_client, kommun, hostile))
    assert response.status_code == 302, response.content[:300]
    assert "/excel/granska/" in response["Location"]
    assert peak < PEAK_LIMIT, peak
    assert seconds < 30, seconds


@pytest.mark.parametrize(
    "sheet_xml",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, MALFORMED],
    ids=["billion-laughs", "external-entity", "malformed"],
)
def test_entity_attacks_and_broken_xml_get_the_swedish_message(
    rss_client: Client, kommun: Kommun, sheet_xml: str
) -> None:
    original = downloaded(rss_client, kommun)
    hostile = with_parts(original, {survey_part(original): sheet_xml})
    response, peak, _ = measured(lambda: post(rss_client, kommun, hostile))
    assert problems(response) == [NOT_XLSX]
    assert "root:" not in response.content.decode()
    assert peak < PEAK_LIMIT, peak


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml"])
def test_a_dtd_in_any_part_is_refused(
    rss_client: Client, kommun: Kommun, part: str
) -> None:
    original = downloaded(rss_client, kommun)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        xml = archive.read(part).decode()
    xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + re.sub(
        r"^<\?xml[^>]*\?>", "", xml
    )
    hostile = with_parts(original, {part: xml})
    assert problems(post(rss_client, kommun, hostile)) == [NOT_XLSX]


def test_an_encrypted_part_gets_the_swedish_message(
    rss_client: Client, kommun: Kommun
) -> None:
    content = bytearray(downloaded(rss_client, kommun))
    # Mark the first part as encrypted (bit 0 of its flags, in both headers).
    content[6] |= 1
    content[content.find(b"PK\x01\x02") + 8] |= 1
    assert problems(post(rss_client, kommun, bytes(content))) == [NOT_XLSX]
