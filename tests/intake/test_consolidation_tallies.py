"""The kommun answers a consolidation counts are read once per snapshot
(intake.consolidation.tallies, issue #20): a posted «Skicka in» works the
consolidation out for the form and again for the freeze, and the freeze reuses
the form's tallies only if no kommun response changed in between. The län and
its hand-counted figures are those of test_consolidation.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.consolidation import kommun_counts
from intake.models import Channel, Response
from intake.services import save_answers, submit_response
from tests.intake.test_consolidation import Lan, frozen, lan  # noqa: F401

pytestmark = pytest.mark.django_db


def counts_of(lan: Lan, variable: str) -> dict[str, int]:  # noqa: F811
    count = kommun_counts(lan.response)[lan.q[variable].pk]
    return {
        cell.slot: cell.live for row in count.rows for cell in row.cells
    } | count.rows[0].base


def kommun_response(lan: Lan, name: str) -> Response:  # noqa: F811
    return lan.kommun_questionnaire.responses.get(organisation=lan.kommuner[name])


def test_a_second_consolidation_of_the_same_answers_reads_them_once(
    lan: Lan,  # noqa: F811
) -> None:
    assert counts_of(lan, "c_har")["ja"] == 4  # the structures, built once
    # A kommun's new answer: the next consolidation counts again.
    save_answers(
        kommun_response(lan, "Kommun 4"),
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"har_team": "ja"},
    )
    with CaptureQueriesContext(connection) as first:
        counted = counts_of(lan, "c_har")
    with CaptureQueriesContext(connection) as second:
        again = counts_of(lan, "c_har")
    assert (
        again
        == counted
        == {
            "ja": 5,
            "nej": 1,
            "_svarat": 6,
            "_ej_svarat": 1,
            "_ej_aktuell": 0,
        }
    )
    # Not again: the GROUP BY per alternative, who answered, and "ej aktuell".
    assert len(second) == len(first) - 3


def test_a_kommun_answer_saved_after_the_page_is_counted_and_frozen(
    lan: Lan,  # noqa: F811
) -> None:
    save_answers(
        lan.response,
        actor=lan.coordinator,
        channel=Channel.WEB,
        values={"egen": "Vårt arbete", "s_beskriv": "Kommunerna har team."},
    )
    # What the coordinator's page showed...
    assert counts_of(lan, "c_har")["ja"] == 4
    # ...before Kommun 4 changed its answer (a draft) to ja.
    save_answers(
        kommun_response(lan, "Kommun 4"),
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"har_team": "ja"},
    )
    submit_response(lan.response, actor=lan.coordinator)
    assert frozen(lan, "c_har") == {
        "ja": 5,
        "nej": 1,
        "_svarat": 6,
        "_ej_svarat": 1,
        "_ej_aktuell": 0,
    }
