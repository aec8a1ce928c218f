"""The RSS questionnaire page and the RSS's submit (which freezes the kommun
counts) make the same number of queries whatever the number of kommuner
(docs/conventions.md §15): the shipped 2024 RSS questionnaire, for RSS of 5 and 49 kommuner."""

from __future__ import annotations

import random

import lxml.html
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.demo import demo_values
from intake.models import Channel, ConsolidationSource, ResponseStatus
from intake.selectors import questions_of
from intake.services import get_or_create_response, save_answers, submit_response
from surveys.models import OrganisationKind, Questionnaire, User
from tests.conftest import make_user
from tests.factories import OrganisationFactory, RSSMembershipFactory

pytestmark = pytest.mark.django_db


def build_rss(size: int) -> tuple[Questionnaire, int, User]:
    """An RSS with `size` kommuner: most have answered the hjälpenkät (some
    submitted), some the supplementary question, every fifth has not started."""
    rss = OrganisationFactory(
        kind=OrganisationKind.RSS, code=f"rss-matt-{size}", name=f"RSS Mätlän {size}"
    )
    coordinator = make_user(f"samordnare{size}@matt.test", rss)
    kommun_q = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    extra_q = Questionnaire.objects.get(cycle__year=2024, key="kommun-extra")
    rng = random.Random(size)
    for i in range(size):
        kommun = OrganisationFactory(code=f"m{size}-{i}", name=f"Mätkommun {size}-{i}")
        RSSMembershipFactory(rss=rss, kommun=kommun, valid_from=2024)
        if i % 5 == 0:
            continue
        for questionnaire in [kommun_q, extra_q] if i % 3 == 0 else [kommun_q]:
            response = get_or_create_response(questionnaire, organisation=kommun)
            save_answers(
                response,
                actor=coordinator,
                channel=Channel.PROXY,
                values=demo_values(questions_of(questionnaire.pk), rng),
            )
            if i % 2:
                submit_response(response, actor=coordinator)
    rss_q = Questionnaire.objects.get(cycle__year=2024, key="rss")
    response = get_or_create_response(rss_q, organisation=rss)
    save_answers(
        response,
        actor=coordinator,
        channel=Channel.WEB,
        values=demo_values(questions_of(rss_q.pk), rng),
    )
    save_answers(
        response,
        actor=coordinator,
        channel=Channel.WEB,
        # Fewer ja always fits the kommuner that answered.
        values={"s06_breddinfort": {"ja": 0}},
        reason="En kommun har rättat sitt svar per telefon",
    )
    return rss_q, rss.pk, coordinator


class Undone(Exception):
    """Rolls back the posted submit, so that the service's can be counted too."""


def count_queries(client: Client, size: int) -> tuple[int, int, int]:
    questionnaire, rss_id, coordinator = build_rss(size)
    client.force_login(coordinator)
    url = reverse("intake:response-edit", args=[questionnaire.pk, rss_id])
    with CaptureQueriesContext(connection) as page:
        shown = client.get(url)
        assert shown.status_code == 200
    # «Skicka in» as the browser posts it: the page's own form data (issue #20:
    # the save, the freeze and the submit in one request).
    form = next(
        f
        for f in lxml.html.fromstring(shown.content).forms
        if f.get("id") == "svarsformular"
    )
    data: dict[str, list[str]] = {"action": ["submit"]}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    with pytest.raises(Undone), transaction.atomic():
        with CaptureQueriesContext(connection) as posted:
            assert client.post(url, data).status_code == 302
        assert (
            questionnaire.responses.get(organisation_id=rss_id).status
            == ResponseStatus.SUBMITTED
        )
        raise Undone
    response = questionnaire.responses.get(organisation_id=rss_id)
    with CaptureQueriesContext(connection) as submit:
        response = submit_response(response, actor=coordinator)
    assert response.status == ResponseStatus.SUBMITTED
    # Provenance: every member kommun × both kommun questionnaires.
    assert ConsolidationSource.objects.filter(rss_response=response).count() == size * 2
    return len(page), len(posted), len(submit)


def test_the_rss_page_and_submit_make_the_same_number_of_queries_at_two_sizes(
    client: Client,
) -> None:
    small = count_queries(client, 5)
    large = count_queries(client, 49)
    assert small == large
    # Pinned so that a new query shows up in review: render, posted submit,
    # the service's submit.
    assert small == EXPECTED


# Freezing writes about 150 answer rows and as many history rows: SQLite caps the
# variables in one statement, so there each bulk insert is split in two (one
# statement on PostgreSQL). The split depends on the questionnaire, not on the
# number of kommuner.
# The submit includes the INSERT of the receipt's outbox row (issue #13).
# The questionnaires' structures are built once per process
# (intake.selectors.questions_of), before the counted requests.
# The save sets the response's new version from its own UPDATE instead of reading
# it back (issue #20): one query less on the submit. Round two: the access gateway reads an existing response with its questionnaire and
# organisation in one query (issue #20),
# two fewer on the render; one fewer again since that query also says whether the
# user has a role of the RSS's own (the page and the posted submit; the service's
# submit has no gateway).
# The consolidation derives its bases from the kommuner that answered instead of
# counting them again in SQL, one query less each time it is worked out (the
# page once, the posted submit twice: for the form and for the freeze); the
# freeze reads the counts without the kommun texts, and locks the kommun
# responses with the same query that reads them (issue #20): three fewer.
SQLITE = connection.vendor == "sqlite"
# The kommun answers' tallies (three queries) are read once per snapshot of the
# kommun responses (intake.consolidation.tallies): the posted submit works the
# consolidation out for the form, for the adjustments' check and for the freeze,
# and counts once; the service's submit after the page reuses the page's.
# The posted submit's save locks the response and reads its answers in one
# statement (issue #20, round four): one fewer.
# On PostgreSQL the freeze writes its answers and their history in one statement
# (intake.services.answer_sql.write_rows), where a COPY of the history followed
# the answers': one fewer on each submit.
EXPECTED = (15, 39 if SQLITE else 36, 23 if SQLITE else 20)
