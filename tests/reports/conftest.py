"""A small questionnaire with every kind, and two region responses to it, saved
through the real service (issue #5 B raw data, codebook, import).

Fixtures for the export tests: files go to a temporary MEDIA_ROOT, and a small
questionnaire with a hand-made set of responses (the expected tables are written
out by hand in the tests).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import LazySettings

from intake.models import Channel, Response
from intake.services import get_or_create_response, save_answers, submit_response
from surveys.models import (
    MatrixRow,
    Option,
    OrganisationKind,
    Question,
    QuestionKind,
    Questionnaire,
    Region,
    User,
)
from tests.factories import (
    CycleFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SectionFactory,
    UserFactory,
)


def add_options(question: Question, *pairs: tuple[str, str]) -> None:
    for position, (code, label) in enumerate(pairs, start=1):
        Option.objects.create(
            question=question, position=position, code=code, label=label
        )


def add_rows(question: Question, *pairs: tuple[str, str]) -> None:
    for position, (code, label) in enumerate(pairs, start=1):
        MatrixRow.objects.create(
            question=question, position=position, code=code, label=label
        )


def build_every_kind_questionnaire(year: int = 2041) -> Questionnaire:
    cycle = CycleFactory(year=year)
    questionnaire = QuestionnaireFactory(
        cycle=cycle, key="region", audience=OrganisationKind.REGION, title="Testenkät"
    )
    section = SectionFactory(questionnaire=questionnaire, position=1)

    def question(
        position: int, number: str, variable: str, kind: str, **extra: object
    ) -> Question:
        return QuestionFactory(
            section=section,
            position=position,
            number=number,
            variable=variable,
            kind=kind,
            label=f"Etikett {number}",
            text=f"Frågetext {number}?",
            **extra,
        )

    q01 = question(1, "1", "q01_breddinfort", QuestionKind.YES_NO)
    add_options(q01, ("ja", "Ja"), ("nej", "Nej"))
    question(
        2,
        "1a",
        "q01a_exempel",
        QuestionKind.TEXT,
        parent=q01,
        condition={"question": "q01_breddinfort", "equals": "ja"},
        max_length=4000,
    )
    q02 = question(3, "2", "q02_plan", QuestionKind.SINGLE_CHOICE)
    add_options(
        q02, ("ja", "Ja"), ("nej_forslag", "Nej, men förslag finns"), ("nej", "Nej")
    )
    q03 = question(4, "3", "q03_grupper", QuestionKind.MULTIPLE_CHOICE)
    add_options(q03, ("barn", "Barn"), ("aldre", "Äldre"), ("andra", "Andra"))
    q04 = question(5, "4", "q04_uppfoljning", QuestionKind.MATRIX)
    add_rows(q04, ("samverkan", "Samverkan"), ("nav", "Primärvården som nav"))
    add_options(q04, ("ja", "Ja"), ("nej", "Nej"))
    question(
        6,
        "5",
        "q05_antal",
        QuestionKind.INTEGER,
        escape_label="Antalet kan inte uppskattas",
        min_value=Decimal(0),
        unit="personer",
    )
    question(
        7,
        "6",
        "q06_andel",
        QuestionKind.PERCENTAGE,
        escape_label="Andelen kan inte uppskattas",
        min_value=Decimal(0),
        max_value=Decimal(100),
        unit="%",
        reference_period="point_in_time",
        reference_text="31 december 2041",
    )
    question(8, "7", "q07_ovrigt", QuestionKind.TEXT, required=False, max_length=4000)
    return questionnaire


SORMLAND_ANSWERS = {
    "q01_breddinfort": "ja",
    "q01a_exempel": "Hälsocentral i Flen",
    "q02_plan": "nej_forslag",
    "q03_grupper": ["barn", "andra"],
    "q04_uppfoljning": {"samverkan": "ja", "nav": "nej"},
    "q05_antal": "1600000",
    "q06_andel": "59.5",
}


KRONOBERG_ANSWERS = {
    "q01_breddinfort": "nej",
    "q02_plan": "ja",
    "q03_grupper": ["aldre"],
    "q04_uppfoljning": {"samverkan": "nej", "nav": "ja"},
    "q05_antal": {"escaped": True},
    "q06_andel": "12",
    "q07_ovrigt": 'Fritext; med semikolon och "citat"',
}


@dataclass
class EveryKind:
    questionnaire: Questionnaire
    sormland: Response
    kronoberg: Response
    actor: User


def answer_every_kind(questionnaire: Questionnaire, actor: User) -> EveryKind:
    sormland = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="04")
    )
    save_answers(sormland, actor=actor, channel=Channel.WEB, values=SORMLAND_ANSWERS)
    sormland = submit_response(sormland, actor=actor)
    kronoberg = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="07")
    )
    save_answers(kronoberg, actor=actor, channel=Channel.WEB, values=KRONOBERG_ANSWERS)
    kronoberg.refresh_from_db()
    return EveryKind(questionnaire, sormland, kronoberg, actor)


@pytest.fixture
def every_kind(db: None) -> EveryKind:
    return answer_every_kind(build_every_kind_questionnaire(), UserFactory())


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
