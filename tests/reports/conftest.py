"""Fixtures for the export tests: files go to a temporary MEDIA_ROOT, and a small
questionnaire with a hand-made set of responses (the expected tables are written
out by hand in the tests)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import LazySettings

from intake.models import Channel, Response
from intake.services import get_or_create_response, save_answers, submit_response
from surveys.models import Option, QuestionKind, Questionnaire, Region, User
from tests.factories import (
    CycleFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SectionFactory,
)

# 2025-03-14 08:30 UTC is 09:30 in Stockholm (CET, before summer time).
SUBMITTED_AT = datetime.datetime(2025, 3, 14, 8, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def media_root(settings: LazySettings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def build_status_questionnaire(year: int = 2041) -> Questionnaire:
    """Two required questions (yes/no, text) and an optional one."""
    questionnaire = QuestionnaireFactory(
        cycle=CycleFactory(year=year),
        key="region",
        title=f"Testenkät till regionerna {year}",
    )
    section = SectionFactory(questionnaire=questionnaire)
    yes_no = QuestionFactory(
        section=section, position=1, number="1", variable="q1", kind=QuestionKind.YES_NO
    )
    Option.objects.create(question=yes_no, position=1, code="ja", label="Ja")
    Option.objects.create(question=yes_no, position=2, code="nej", label="Nej")
    QuestionFactory(section=section, position=2, number="2", variable="q2")
    QuestionFactory(
        section=section, position=3, number="3", variable="q3", required=False
    )
    return questionnaire


def answer_status_questionnaire(questionnaire: Questionnaire, staff: User) -> None:
    """Stockholm (01) submitted both, Sörmland (04) answered one; nobody else."""
    stockholm = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="01")
    )
    save_answers(
        stockholm,
        actor=staff,
        channel=Channel.WEB,
        values={"q1": "ja", "q2": "Mobila team", "q3": "Extra"},
    )
    submit_response(stockholm, actor=staff)
    Response.objects.filter(pk=stockholm.pk).update(submitted_at=SUBMITTED_AT)
    sormland = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="04")
    )
    save_answers(sormland, actor=staff, channel=Channel.WEB, values={"q1": "nej"})


@pytest.fixture
def status_questionnaire(staff_user: User) -> Questionnaire:
    questionnaire = build_status_questionnaire()
    answer_status_questionnaire(questionnaire, staff_user)
    return Questionnaire.objects.select_related("cycle").get(pk=questionnaire.pk)
