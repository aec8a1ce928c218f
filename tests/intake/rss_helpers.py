"""A synthetic län for the status-board tests: an RSS, its kommuner (members in
the cycle's year) and a one-question kommun questionnaire, built with factories."""

from __future__ import annotations

from dataclasses import dataclass

from intake.models import Channel, Response
from intake.services import get_or_create_response, save_answers, submit_response
from surveys.models import Organisation, OrganisationKind, Questionnaire, User
from tests.conftest import make_user
from tests.factories import (
    CycleFactory,
    OrganisationFactory,
    QuestionFactory,
    QuestionnaireFactory,
    RSSMembershipFactory,
    SectionFactory,
)


@dataclass
class Lan:
    rss: Organisation
    kommuner: list[Organisation]
    questionnaire: Questionnaire
    coordinator: User


def build_lan(
    n_kommuner: int,
    *,
    year: int = 2041,
    key: str = "kommun",
    supplementary: bool = False,
) -> Lan:
    cycle = CycleFactory(year=year)
    questionnaire = QuestionnaireFactory(
        cycle=cycle,
        key=key,
        audience=OrganisationKind.KOMMUN,
        is_supplementary=supplementary,
        title=f"Hjälpenkät {year} {key}",
    )
    section = SectionFactory(questionnaire=questionnaire)
    QuestionFactory(section=section, variable=f"{key}_q1_{year}", required=True)
    rss = OrganisationFactory(kind=OrganisationKind.RSS, name=f"RSS Testlän {key}")
    kommuner = [
        OrganisationFactory(
            kind=OrganisationKind.KOMMUN,
            name=f"Kommun {key} {i:02d}",
            code=f"{key[:3]}{year}{i:02d}",
        )
        for i in range(n_kommuner)
    ]
    for kommun in kommuner:
        RSSMembershipFactory(rss=rss, kommun=kommun, valid_from=year - 1)
    coordinator = make_user(f"samordnare-{key}-{year}@rss.test", rss)
    return Lan(rss, kommuner, questionnaire, coordinator)


def answer(
    lan: Lan, kommun: Organisation, *, by: User, channel: Channel, submit: bool = False
) -> Response:
    response = get_or_create_response(lan.questionnaire, organisation=kommun)
    variable = lan.questionnaire.questions.get().variable
    response = save_answers(
        response, actor=by, channel=channel, values={variable: "Svar"}
    )
    if submit:
        response = submit_response(response, actor=by)
    return response
