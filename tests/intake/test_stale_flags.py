"""Which kommun changes flag a submitted RSS response as stale (issue #16 point
6, intake/consolidation/stale.py): only a change that moves a frozen count, and
the flag names the counts; answers to the supplementary kommun questionnaire,
which feeds a text summary only, never flag anything.

The synthetic län of tests/intake/test_consolidation.py, submitted by its RSS;
its figures are counted by hand there.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.consolidation import stale_consolidations
from intake.consolidation.stale import changed_sources, n_stale_consolidations
from intake.models import Channel, ConsolidationSource, Response
from intake.services import get_or_create_response, save_answers, submit_response
from surveys.models import QuestionKind, Questionnaire, User
from tests.factories import QuestionnaireFactory, SectionFactory
from tests.intake.test_consolidation import Lan, build_lan, question, submit_rss

pytestmark = pytest.mark.django_db

NOTICE = "Kommunernas svar har ändrats sedan enkäten skickades in"


@pytest.fixture
def lan(db: None) -> Lan:
    return build_lan()


def kommun_response(lan: Lan, name: str) -> Response:
    return Response.objects.get(
        questionnaire=lan.kommun_questionnaire, organisation=lan.kommuner[name]
    )


def test_a_change_that_moves_no_count_flags_nothing(
    lan: Lan, client: Client, staff_user: User
) -> None:
    submit_rss(lan)
    # Kommun 3 (not submitted) rewrites its description (summarised, not
    # counted): a new version of its response, and every count as frozen.
    save_answers(
        kommun_response(lan, "Kommun 3"),
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"beskriv": "Egna team i hemtjänsten och på boenden"},
    )
    assert changed_sources().count() == 1  # a candidate ...
    assert stale_consolidations() == []  # ... but no frozen count differs
    assert n_stale_consolidations() == 0
    client.force_login(lan.coordinator)
    assert NOTICE not in client.get(lan.url()).content.decode()
    client.force_login(staff_user)
    page = client.get(reverse("intake:consolidation-stale")).content.decode()
    assert "Inga inskickade sammanställningar har ändrade kommunsvar." in page


def test_a_change_that_moves_a_count_flags_it_by_name(
    lan: Lan, client: Client, staff_user: User
) -> None:
    submit_rss(lan)
    save_answers(
        kommun_response(lan, "Kommun 3"),
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"beskriv": "Egna team"},
    )
    # Kommun 4 answers row b of the matrix too, «nej»: c_rutiner row b goes
    # from ja 2, nej 2 (svarat 4) to ja 2, nej 3 (svarat 5); nothing else moves.
    save_answers(
        kommun_response(lan, "Kommun 4"),
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"rutiner": {"a": "ja", "b": "nej"}},
    )
    (stale,) = stale_consolidations()
    assert stale.questions == [lan.q["c_rutiner"]]
    # Both changed the questionnaire the count is fed from.
    assert stale.kommuner == ["Kommun 3", "Kommun 4"]
    assert n_stale_consolidations() == 1
    client.force_login(staff_user)
    page = client.get(reverse("intake:consolidation-stale")).content.decode()
    label = lan.q["c_rutiner"].label
    assert f"{lan.q['c_rutiner'].number} {label}" in page
    client.force_login(lan.coordinator)
    html = client.get(lan.url()).content.decode()
    assert f"<li>Fråga {lan.q['c_rutiner'].number}: {label}</li>" in html


def add_supplementary_summary(lan: Lan) -> Questionnaire:
    """A supplementary kommun questionnaire whose one text question feeds a
    summary of the RSS questionnaire (as kommun-extra.yaml feeds 7b)."""
    extra = QuestionnaireFactory(
        cycle=lan.kommun_questionnaire.cycle,
        key="kommun-extra",
        audience="kommun",
        is_supplementary=True,
    )
    source = question(SectionFactory(questionnaire=extra), "resultat", "text")
    lan.q["s_resultat"] = question(
        SectionFactory(questionnaire=lan.rss_questionnaire),
        "s_resultat",
        QuestionKind.KOMMUN_TEXT_SUMMARY,
        source_question=source,
        required=False,
    )
    # As a reload would: the cached question structures are keyed by loaded_at.
    Questionnaire.objects.filter(pk=lan.rss_questionnaire.pk).update(
        loaded_at=timezone.now()
    )
    return extra


def test_supplementary_answers_never_flag_counts_they_do_not_feed(lan: Lan) -> None:
    extra = add_supplementary_summary(lan)
    response = submit_rss(lan)
    # The freeze recorded the supplementary questionnaire among the sources.
    assert ConsolidationSource.objects.filter(
        rss_response=response, questionnaire=extra
    ).count() == len(lan.kommuner)
    for name in ("Kommun 1", "Kommun 2", "Kommun 3"):
        answered = get_or_create_response(extra, organisation=lan.kommuner[name])
        save_answers(
            answered,
            actor=lan.coordinator,
            channel=Channel.IMPORT,
            values={"resultat": f"Resultat i {name}."},
        )
        submit_response(answered, actor=lan.coordinator)
    assert changed_sources().count() == 0
    assert stale_consolidations() == []
    assert n_stale_consolidations() == 0
