"""The published 2024 region answers go in through the raw-data import and come
out as published."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intake.models import Answer
from surveys.models import User
from tests.reports.golden import load_region_2024_published

pytestmark = pytest.mark.django_db


def stored(variable: str, region: str, slot: str = "") -> Answer:
    return Answer.objects.select_related("option").get(
        response__questionnaire__cycle__year=2024,
        response__questionnaire__key="region",
        response__organisation__short_name=region,
        question__variable=variable,
        slot=slot,
    )


def test_the_published_answers_load_through_the_import(staff_user: User) -> None:
    summary, golden = load_region_2024_published(staff_user)
    assert (summary.rows, summary.new_responses) == (21, 21)
    answers = {
        q["number"] + (q["column"] or ""): q["answers"] for q in golden["questions"]
    }
    # Fråga 2: 19 of 21 Ja; Stockholm and Norrbotten Nej.
    ja = Answer.objects.filter(
        response__questionnaire__cycle__year=2024,
        response__questionnaire__key="region",
        question__variable="r02_breddinfort",
        option__code="ja",
    ).count()
    assert ja == 19
    assert (
        stored("r02_breddinfort", "Stockholm").option.label == answers["2"]["Stockholm"]
    )
    assert (
        stored("r04_handlingsplan", "Sörmland").option.label == answers["4"]["Sörmland"]
    )
    assert (
        stored("r08_uppfoljning", "Kronoberg", "samverkan").option.label
        == answers["8Samverkan"]["Kronoberg"]
    )
    # Fråga 35: a percentage, and the escape answer.
    assert stored("r35_andel", "Jönköping").escaped
    uppsala = answers["35"]["Uppsala"]
    assert stored("r35_andel", "Uppsala").number == Decimal(uppsala.removesuffix(" %"))
    # Fråga 36: counts with spaces as thousands separators.
    stockholm = answers["36"]["Stockholm"]
    assert stored("r36_antal", "Stockholm").number == Decimal(
        stockholm.replace(" ", "")
    )
    assert stored("r36_antal", "Värmland").escaped
