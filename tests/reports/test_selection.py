"""Which responses the tables count (reports.tabulation.Selection): submitted ones
by default, the official figures; drafts and reopened responses only when
preliminary figures are asked for, and then the pages and files say so."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Channel
from intake.services import get_or_create_response, reopen_response, save_answers
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level, Selection
from surveys.models import Region, User
from tests.reports.conftest import EveryKind

pytestmark = pytest.mark.django_db


def test_a_draft_is_not_counted_unless_preliminary_figures_are_asked_for(
    every_kind: EveryKind,
) -> None:
    """Sörmland submitted Ja on question 1, Kronoberg's draft says Nej."""
    official = tabulate(every_kind.questionnaire, level=Level.RIKET)
    q1 = official.question("q01_breddinfort").items[0].by_group[0]
    assert (official.respondents, official.not_submitted) == (1, 1)
    assert (q1.base, q1.count("ja"), q1.count("nej")) == (1, 1, 0)
    # The draft's escape answer on question 5 is not in the official item counts.
    q5 = official.question("q05_antal").items[0].by_group[0]
    assert (q5.base, q5.escaped, q5.total) == (1, 0, 1600000)

    preliminary = tabulate(
        every_kind.questionnaire, level=Level.RIKET, selection=Selection.STARTED
    )
    q1 = preliminary.question("q01_breddinfort").items[0].by_group[0]
    assert (preliminary.respondents, preliminary.not_submitted) == (2, 1)
    assert (q1.base, q1.count("ja"), q1.count("nej")) == (2, 1, 1)
    q5 = preliminary.question("q05_antal").items[0].by_group[0]
    assert (q5.base, q5.escaped) == (1, 1)


def test_a_reopened_response_leaves_the_official_figures_until_it_is_resubmitted(
    every_kind: EveryKind, staff_user: User
) -> None:
    reopen_response(every_kind.sormland, actor=staff_user, reason="Fel i fråga 2")
    official = tabulate(every_kind.questionnaire, level=Level.REGION)
    sormland = next(g for g in official.groups if g.group.code == "04")
    assert (sormland.respondents, sormland.not_submitted) == (0, 1)
    assert official.respondents == 0
    assert official.selection_note == (
        "Endast inskickade svar ingår; 2 påbörjade svar som inte har skickats in "
        "ingår inte."
    )
    preliminary = tabulate(
        every_kind.questionnaire, level=Level.REGION, selection=Selection.STARTED
    )
    assert preliminary.respondents == 2


def test_a_response_that_was_never_begun_counts_nowhere(
    every_kind: EveryKind,
) -> None:
    get_or_create_response(
        every_kind.questionnaire, organisation=Region.objects.get(code="01")
    )
    for selection in Selection:
        tabulation = tabulate(
            every_kind.questionnaire, level=Level.RIKET, selection=selection
        )
        assert tabulation.not_submitted == 1  # Kronoberg, not Stockholm
        assert tabulation.respondents == (1 if selection == Selection.SUBMITTED else 2)


def test_the_report_pages_offer_preliminary_figures_and_say_which_they_show(
    every_kind: EveryKind, client: Client, staff_user: User
) -> None:
    client.force_login(staff_user)
    page = reverse("reports:questionnaire", args=[every_kind.questionnaire.pk])
    official = client.get(page).content.decode()
    assert "Svarande: <strong>1</strong> av 21" in official
    assert "1 påbörjade svar som inte har skickats in ingår inte." in official
    preliminary = client.get(page, {"svar": "paborjade"}).content.decode()
    assert "Svarande: <strong>2</strong> av 21" in preliminary
    assert "Preliminära siffror: även svar som inte har skickats in ingår" in (
        preliminary
    )

    question = reverse(
        "reports:question", args=[every_kind.questionnaire.pk, "q01_breddinfort"]
    )
    options = {"niva": "region", "avrundning": "half_up", "svar": "paborjade"}
    text = client.get(question, options).content.decode()
    assert "Svarande: <strong>2</strong> av 21" in text
    assert "Preliminära siffror" in text
    # An unknown choice is a form error, not a 500, and the official figures show.
    wrong = client.get(question, {**options, "svar": "alla"})
    assert wrong.status_code == 200
    assert "Svarande: <strong>1</strong> av 21" in wrong.content.decode()


def test_save_answers_to_a_draft_never_moves_the_official_figures(
    every_kind: EveryKind,
) -> None:
    before = tabulate(every_kind.questionnaire, level=Level.RIKET)
    save_answers(
        every_kind.kronoberg,
        actor=every_kind.actor,
        channel=Channel.WEB,
        values={"q01_breddinfort": "ja"},
    )
    after = tabulate(every_kind.questionnaire, level=Level.RIKET)
    assert before.question("q01_breddinfort") == after.question("q01_breddinfort")
