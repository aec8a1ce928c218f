"""One factory per model (docs/conventions.md §12). The register itself is loaded once per
run from the shipped reference data; factories build what tests add to it."""

from __future__ import annotations

import datetime

import factory

from intake.models import Answer, Response
from surveys.models import (
    Cycle,
    MatrixRow,
    Option,
    Organisation,
    OrganisationKind,
    OrganisationRole,
    Question,
    QuestionKind,
    Questionnaire,
    RSSMembership,
    Section,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    username = factory.SelfAttribute("email")
    password = factory.django.Password("secret-password")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.KOMMUN
    code = factory.Sequence(lambda n: f"t{n:04d}")
    name = factory.Sequence(lambda n: f"Testkommun {n}")
    short_name = factory.SelfAttribute("name")


class OrganisationRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationRole

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2040 + n)
    name = factory.LazyAttribute(lambda o: f"Testomgång {o.year}")
    reference_period = factory.LazyAttribute(lambda o: f"Kalenderåret {o.year}")


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    cycle = factory.SubFactory(CycleFactory)
    key = "region"
    audience = OrganisationKind.REGION
    title = factory.LazyAttribute(lambda o: f"Testenkät {o.cycle.year}")
    # Open from long ago, so a test questionnaire accepts answers (issue #15).
    opens_on = datetime.date(2020, 1, 1)
    closes_on = datetime.date(2040, 3, 31)
    source_file = "test"
    content_hash = "test"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    key = factory.Sequence(lambda n: f"avsnitt-{n}")
    position = factory.Sequence(lambda n: n + 1)
    title = "Avsnitt"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    questionnaire = factory.SelfAttribute("section.questionnaire")
    position = factory.Sequence(lambda n: n + 1)
    number = factory.Sequence(lambda n: str(n + 1))
    variable = factory.Sequence(lambda n: f"q{n}")
    kind = QuestionKind.TEXT
    text = "Beskriv."
    label = "Beskrivning"
    reference_period = "calendar_year"
    lineage_key = factory.SelfAttribute("variable")
    comparability = "new"


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class AnswerFactory(factory.django.DjangoModelFactory):
    """An answer row as the services store it; for tabulation tests that need a
    stored shape the services do not write yet (RSS kommun counts)."""

    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
    slot = ""
    channel = "web"
    entered_by = factory.SubFactory(UserFactory)


# --- option, matrix row and membership factories ---


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"o{n}")
    label = factory.LazyAttribute(lambda o: o.code.capitalize())


class MatrixRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatrixRow

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"r{n}")
    label = factory.LazyAttribute(lambda o: f"Delfråga {o.code}")


class RSSMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSSMembership

    rss = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.RSS)
    kommun = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.KOMMUN)
    valid_from = 2019


def count_and_share_questionnaire(year: int) -> Questionnaire:
    """A region questionnaire of two questions: a share (`andel`, number 1) and the
    count behind it (`antal`, number 2), declared as Fråga 35 and 36 of the 2024
    file are (`plausibility: {counts: population, percentage_question: andel}`)."""
    from decimal import Decimal

    questionnaire = QuestionnaireFactory(
        cycle=CycleFactory(year=year), key="region", audience=OrganisationKind.REGION
    )
    section = SectionFactory(questionnaire=questionnaire)
    andel = QuestionFactory(
        section=section,
        position=1,
        number="1",
        variable="andel",
        kind=QuestionKind.PERCENTAGE,
        text="Hur stor andel av befolkningen hade en fast läkarkontakt?",
        label="Andel med fast läkarkontakt",
        escape_label="Andelen kan inte uppskattas",
        min_value=Decimal(0),
        max_value=Decimal(100),
        unit="%",
        national_figure="mean",
    )
    QuestionFactory(
        section=section,
        position=2,
        number="2",
        variable="antal",
        kind=QuestionKind.INTEGER,
        text="Hur många personer hade en fast läkarkontakt?",
        label="Antal med fast läkarkontakt",
        escape_label="Antalet kan inte uppskattas",
        min_value=Decimal(0),
        unit="personer",
        national_figure="sum",
        counts_population=True,
        percentage_question=andel,
    )
    return questionnaire


def mark_submitted(
    *responses: Response, at: datetime.datetime | None = None
) -> list[Response]:
    """Responses as submitted, the way an earlier year's import leaves them: status
    and time set without `submit_response`'s check of required answers, because
    tabulation tests need submitted responses that still have item nonresponse.
    Tabulation counts submitted responses by default (reports.tabulation.Selection)."""
    from django.utils import timezone

    from intake.models import ResponseStatus

    when = at or timezone.now()
    Response.objects.filter(pk__in=[r.pk for r in responses]).update(
        status=ResponseStatus.SUBMITTED, submitted_at=when
    )
    for response in responses:
        response.refresh_from_db()
    return list(responses)
