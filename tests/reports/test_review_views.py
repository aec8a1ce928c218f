"""The staff review of number answers (granskning) and staff corrections through
real requests: access for every persona, the warnings, the correction with its
history, the denials, and a fixed number of queries whatever the number of
respondents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import Answer, AnswerChange, Channel, Response, ResponseStatus
from intake.services import (
    correct_answer,
    get_or_create_response,
    save_answers,
    submit_response,
)
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level
from surveys.errors import DomainError
from surveys.models import (
    QuestionKind,
    Questionnaire,
    Region,
    User,
)
from tests.factories import (
    QuestionFactory,
    UserFactory,
    count_and_share_questionnaire,
    mark_submitted,
)

pytestmark = pytest.mark.django_db

KALMAR = "08"  # 246 989 invånare den 1 november 2021


def build_questionnaire(year: int = 2042) -> Questionnaire:
    """A share (1) and the count behind it (2), declared as in the 2024 file."""
    return count_and_share_questionnaire(year)


def answer(
    questionnaire: Questionnaire,
    region: Region,
    actor: User,
    *,
    andel: str,
    antal: str,
    submit: bool = True,
) -> Response:
    response = get_or_create_response(questionnaire, organisation=region)
    save_answers(
        response,
        actor=actor,
        channel=Channel.WEB,
        values={"andel": andel, "antal": antal},
    )
    if submit:
        response = submit_response(response, actor=actor, notify=False)
    return response


@pytest.fixture
def questionnaire() -> Questionnaire:
    return build_questionnaire()


@pytest.fixture
def kalmar(questionnaire: Questionnaire) -> Response:
    """Kalmar's published slip: 179 persons beside 73 %, submitted."""
    region = Region.objects.get(code=KALMAR)
    return answer(questionnaire, region, UserFactory(), andel="73", antal="179")


def review_url(questionnaire: Questionnaire) -> str:
    return reverse("reports:questionnaire-review", args=[questionnaire.pk])


def correction(response: Response, **overrides: Any) -> dict[str, Any]:
    return {
        "response": response.pk,
        "variable": "antal",
        "version": response.version,
        "value": "179 000",
        "reason": "Angivet i tusental (jfr fotnot 36)",
        **overrides,
    }


# --- access ------------------------------------------------------------------------------


def test_it_requires_login(client: Client, kalmar: Response) -> None:
    url = review_url(kalmar.questionnaire)
    for reply in (client.get(url), client.post(url, correction(kalmar))):
        assert reply.status_code == 302
        assert "next=" in reply["Location"]


@pytest.mark.parametrize(
    "persona", ["region_user", "other_region_user", "rss_user", "kommun_user"]
)
def test_respondents_cannot_see_the_review(
    client: Client, kalmar: Response, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(review_url(kalmar.questionnaire)).status_code == 404


@pytest.mark.parametrize(
    "persona", ["region_user", "other_region_user", "rss_user", "kommun_user"]
)
def test_respondents_cannot_correct(
    client: Client, kalmar: Response, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    reply = client.post(review_url(kalmar.questionnaire), correction(kalmar))
    assert reply.status_code == 404
    assert Answer.objects.get(response=kalmar, question__variable="antal").number == 179
    assert not AnswerChange.objects.filter(channel=Channel.CORRECTION).exists()


def test_kalmars_own_contact_cannot_correct_its_answer_either(
    client: Client, kalmar: Response
) -> None:
    from tests.conftest import make_user

    contact = make_user("kontakt@kalmar.test", kalmar.organisation)
    client.force_login(contact)
    assert (
        client.post(review_url(kalmar.questionnaire), correction(kalmar)).status_code
        == 404
    )
    with pytest.raises(DomainError, match="Bara Socialstyrelsen kan rätta"):
        correct_answer(
            kalmar, actor=contact, variable="antal", value="179000", reason="Rätt"
        )


def test_the_correction_channel_is_refused_to_respondents_in_the_service(
    region_user: User, region: Region, questionnaire: Questionnaire
) -> None:
    response = answer(questionnaire, region, region_user, andel="57", antal="117253")
    with pytest.raises(DomainError, match="Bara Socialstyrelsen kan rätta"):
        save_answers(
            response,
            actor=region_user,
            channel=Channel.CORRECTION,
            values={"antal": "200000"},
            reason="Vill ändra",
        )
    # The usual channels still find the submitted response locked.
    with pytest.raises(DomainError, match="inskickad och låst"):
        save_answers(
            response, actor=region_user, channel=Channel.WEB, values={"antal": "1"}
        )


def test_the_page_is_linked_from_the_questionnaire_report(
    client: Client, staff_user: User, questionnaire: Questionnaire
) -> None:
    client.force_login(staff_user)
    page = client.get(reverse("reports:questionnaire", args=[questionnaire.pk]))
    assert review_url(questionnaire) in page.content.decode()


# --- the warnings ------------------------------------------------------------------------


def test_staff_see_each_warning_with_value_reason_and_population(
    client: Client, staff_user: User, kalmar: Response
) -> None:
    client.force_login(staff_user)
    page = client.get(review_url(kalmar.questionnaire))
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 svar med varningar" in html
    assert "Kalmar" in html
    assert "2. Antal med fast läkarkontakt" in html
    assert '<td class="num">179' in html
    assert "Antalet är mindre än 1 % av befolkningen." in html
    assert "246 989 invånare den 1 november 2021" in html
    assert "Inskickad" in html
    assert (
        "Fråga 2 (Antal med fast läkarkontakt) räknar personer i befolkningen" in html
    )


def test_a_plausible_answer_gives_no_warning(
    client: Client, staff_user: User, questionnaire: Questionnaire
) -> None:
    answer(
        questionnaire,
        Region.objects.get(code="04"),
        staff_user,
        andel="39",
        antal="117253",
    )
    client.force_login(staff_user)
    html = client.get(review_url(questionnaire)).content.decode()
    assert "Inga svar har varningar." in html
    assert "2 svar som är tal har granskats" in html


def test_drafts_are_reviewed_too(
    client: Client, staff_user: User, questionnaire: Questionnaire
) -> None:
    answer(
        questionnaire,
        Region.objects.get(code="12"),
        staff_user,
        andel="79",
        antal="999999",
        submit=False,
    )
    client.force_login(staff_user)
    html = client.get(review_url(questionnaire)).content.decode()
    assert "999 999 ser ut som en platshållare" in html
    assert "Pågår" in html


# --- the correction ----------------------------------------------------------------------


def test_staff_correct_a_submitted_answer_with_a_reason(
    client: Client, staff_user: User, kalmar: Response
) -> None:
    questionnaire = kalmar.questionnaire
    client.force_login(staff_user)
    reply = client.post(review_url(questionnaire), correction(kalmar))
    assert reply.status_code == 302
    assert reply["Location"] == review_url(questionnaire)

    # The response is still submitted (not reopened); its version moved on.
    before = kalmar.version
    kalmar.refresh_from_db()
    assert kalmar.status == ResponseStatus.SUBMITTED
    assert kalmar.version == before + 1
    # The answer is the corrected one, entered through the correction channel.
    stored = Answer.objects.get(response=kalmar, question__variable="antal")
    assert (stored.number, stored.channel, stored.entered_by) == (
        Decimal(179_000),
        Channel.CORRECTION,
        staff_user,
    )
    # The history keeps the value as entered, the corrected one, who, when, why.
    change = AnswerChange.objects.get(response=kalmar, channel=Channel.CORRECTION)
    assert change.question.variable == "antal"
    assert change.old_value == {"number": "179.00"}
    assert change.new_value == {"number": "179000"}
    assert change.reason == "Angivet i tusental (jfr fotnot 36)"
    assert change.changed_by == staff_user
    assert change.changed_at is not None
    # The value as entered is recoverable: the first change of the answer.
    first = (
        AnswerChange.objects.filter(response=kalmar, question__variable="antal")
        .order_by("changed_at", "pk")
        .first()
    )
    assert first is not None and first.new_value == {"number": "179"}
    assert first.channel == Channel.WEB

    # Tables read the corrected value.
    riket = tabulate(questionnaire, level=Level.RIKET, variables=["antal"])
    assert riket.question("antal").items[0].by_group[0].total == Decimal(179_000)

    # The page: no warning left; the correction with the original and the reason.
    html = client.get(review_url(questionnaire)).content.decode()
    assert "Inga svar har varningar." in html
    assert "Svaret är rättat." in html
    for text in (
        "Kalmar",
        "179 000",
        "Angivet i tusental (jfr fotnot 36)",
        str(staff_user),
    ):
        assert text in html
    assert '<td class="num">179</td>' in html  # before the correction


def test_staff_may_correct_to_the_escape_answer(
    client: Client, staff_user: User, questionnaire: Questionnaire
) -> None:
    gavleborg = answer(
        questionnaire, Region.objects.get(code="21"), staff_user, andel="38", antal="38"
    )
    client.force_login(staff_user)
    reply = client.post(
        review_url(questionnaire),
        correction(
            gavleborg,
            value="",
            escaped="on",
            reason="Andelen angiven som antal; antalet saknas",
        ),
    )
    assert reply.status_code == 302
    stored = Answer.objects.get(response=gavleborg, question__variable="antal")
    assert (stored.escaped, stored.number) == (True, None)
    html = client.get(review_url(questionnaire)).content.decode()
    assert "Antalet kan inte uppskattas" in html


def test_a_corrected_answer_still_flagged_shows_what_it_was_corrected_from(
    client: Client, staff_user: User, kalmar: Response
) -> None:
    client.force_login(staff_user)
    client.post(review_url(kalmar.questionnaire), correction(kalmar, value="1790"))
    html = client.get(review_url(kalmar.questionnaire)).content.decode()
    assert "1 svar med varningar" in html
    assert "rättat från 179" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": "  "}, "Ange varför svaret rättas."),
        ({"value": "abc"}, "Ange ett tal, t.ex. 59 eller 59,5."),
        ({"value": "17,5"}, "Ange ett heltal."),
        ({"value": ""}, "Ange det rättade värdet."),
        ({"value": "5", "escaped": "on"}, "inte båda"),
        ({"reason": "x" * 301}, "högst 300 tecken"),
    ],
)
def test_a_refused_correction_says_why_and_saves_nothing(
    client: Client,
    staff_user: User,
    kalmar: Response,
    overrides: dict[str, Any],
    message: str,
) -> None:
    client.force_login(staff_user)
    reply = client.post(
        review_url(kalmar.questionnaire), correction(kalmar, **overrides)
    )
    assert reply.status_code == 400
    html = reply.content.decode()
    assert "Rättningen sparades inte" in html
    assert message in html
    assert Answer.objects.get(response=kalmar, question__variable="antal").number == 179
    assert not AnswerChange.objects.filter(channel=Channel.CORRECTION).exists()


def test_a_correction_based_on_an_old_version_is_refused(
    client: Client, staff_user: User, kalmar: Response
) -> None:
    client.force_login(staff_user)
    stale = correction(kalmar)
    assert (
        client.post(
            review_url(kalmar.questionnaire), correction(kalmar, value="1790")
        ).status_code
        == 302
    )
    reply = client.post(review_url(kalmar.questionnaire), stale)
    assert reply.status_code == 400
    assert (
        "Någon annan har ändrat svaren sedan sidan lästes in" in reply.content.decode()
    )
    assert (
        Answer.objects.get(response=kalmar, question__variable="antal").number == 1790
    )


def test_a_response_to_another_questionnaire_is_not_found(
    client: Client, staff_user: User, kalmar: Response
) -> None:
    other = build_questionnaire(year=2043)
    client.force_login(staff_user)
    assert client.post(review_url(other), correction(kalmar)).status_code == 404


def test_an_unanswered_question_has_nothing_to_correct(
    staff_user: User, questionnaire: Questionnaire
) -> None:
    response = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="04")
    )
    save_answers(
        response, actor=staff_user, channel=Channel.WEB, values={"andel": "40"}
    )
    with pytest.raises(DomainError, match="det finns inget att rätta"):
        correct_answer(
            response, actor=staff_user, variable="antal", value="5", reason="Prov"
        )


def test_only_numbers_are_corrected_here(
    staff_user: User, questionnaire: Questionnaire, kalmar: Response
) -> None:
    QuestionFactory(
        section=questionnaire.sections.get(),
        position=3,
        number="3",
        variable="kommentar",
        kind=QuestionKind.TEXT,
        required=False,
    )
    with pytest.raises(DomainError, match="Bara svar som är tal"):
        correct_answer(
            kalmar, actor=staff_user, variable="kommentar", value="x", reason="Prov"
        )


def test_the_service_requires_a_reason_for_every_corrected_answer(
    staff_user: User, kalmar: Response
) -> None:
    with pytest.raises(ValidationError) as refused:
        save_answers(
            kalmar,
            actor=staff_user,
            channel=Channel.CORRECTION,
            values={"antal": "179000"},
        )
    assert refused.value.message_dict == {"antal": ["Ange varför svaret rättas."]}


# --- queries -----------------------------------------------------------------------------


def count_queries(client: Client, n_regions: int, year: int, staff: User) -> int:
    """The page with `n_regions` flagged answers, half of them corrected once."""
    questionnaire = build_questionnaire(year=year)
    regions = list(Region.objects.order_by("sort_order")[:n_regions])
    actor = UserFactory()
    for index, region in enumerate(regions):
        response = answer(
            questionnaire, region, actor, andel="40", antal="40", submit=False
        )
        mark_submitted(response)
        if index % 2:
            correct_answer(
                response,
                actor=staff,
                variable="antal",
                value="41",
                reason="Fortfarande fel",
            )
    with CaptureQueriesContext(connection) as queries:
        page = client.get(review_url(questionnaire))
    assert page.status_code == 200
    assert page.content.decode().count("svar-") >= n_regions
    return len(queries)


def test_the_page_makes_the_same_number_of_queries_at_two_sizes(
    client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    small = count_queries(client, 2, 2044, staff_user)
    large = count_queries(client, 12, 2045, staff_user)
    assert small == large
    # Session and user, the staff's verified second-factor device, the
    # questionnaire, then the review's three: the answers
    # with their linked share and population, the corrections, the declared
    # questions.
    assert small == EXPECTED


EXPECTED = 7
