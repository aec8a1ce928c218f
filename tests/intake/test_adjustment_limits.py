"""An RSS adjusts a kommun count only by moving kommuner that answered between
the alternatives, never by adding answers: a count cannot exceed the kommuner
that answered the item (a matrix: the row), and where each kommun has one
alternative (yes/no, single choice, a matrix row) neither can the counts' sum.
A missing answer is registered for the kommun instead. Checked when saved (form
and service), again when the RSS submits (a kommun may have withdrawn an answer
since), and so a tabulated share stays within 100 %.

The synthetic län of test_consolidation, counted by hand there: c_har (yes/no)
4 ja, 2 nej of 6 that answered; c_typ (multiple choice) 3, 3, 2 of 3;
c_rutiner (matrix) row a 3 ja, 2 nej of 5, row b 2 ja, 2 nej of 4.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from intake.consolidation import CountsAboveBaseError
from intake.models import Answer, Channel, ConsolidationSource, Response, ResponseStatus
from intake.services import save_answers, submit_response
from reports.layouts import frequency_table
from reports.tabulation import Level, tabulate
from surveys.models import User
from tests.intake.test_consolidation import Lan, build_lan

pytestmark = pytest.mark.django_db

HINT = (
    "Saknas en kommuns svar, registrera det för kommunen (”Fyll i åt kommunen” "
    "under ”Se kommunernas svar”)."
)
REASON = "Kommunerna har rättat sina svar per telefon"


@pytest.fixture
def lan(db: None) -> Lan:
    return build_lan()


def adjust(lan: Lan, variable: str, values: dict[str, Any]) -> Response:
    return save_answers(
        lan.response,
        actor=lan.coordinator,
        channel=Channel.WEB,
        values={variable: values},
        reason=REASON,
    )


def refusal(lan: Lan, variable: str, values: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        adjust(lan, variable, values)
    return refused.value.message_dict[variable]


def stored(lan: Lan, variable: str) -> dict[str, int]:
    return {
        a.slot: int(a.number or 0)
        for a in Answer.objects.filter(response=lan.response, question=lan.q[variable])
    }


def answer_the_rss_texts(lan: Lan) -> None:
    save_answers(
        lan.response,
        actor=lan.coordinator,
        channel=Channel.WEB,
        values={"egen": "Vårt arbete", "s_beskriv": "Kommunerna har team."},
    )


def withdraw_kommun_3(lan: Lan) -> None:
    """Kommun 3 (in progress) clears its yes/no answer and row b of the matrix:
    c_har has 5 that answered (3 ja, 2 nej), c_rutiner row b 3 (2 ja, 1 nej)."""
    response = Response.objects.get(
        questionnaire=lan.kommun_questionnaire, organisation=lan.kommuner["Kommun 3"]
    )
    save_answers(
        response,
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"har_team": None, "rutiner": {"a": "nej"}},
    )


# --- saving, through the service -------------------------------------------------------


def test_a_re_classification_up_to_svarat_is_saved(lan: Lan) -> None:
    adjust(lan, "c_har", {"ja": 6, "nej": 0})
    assert stored(lan, "c_har") == {"ja": 6, "nej": 0}


def test_a_count_above_the_kommuner_that_answered_is_refused(lan: Lan) -> None:
    assert refusal(lan, "c_har", {"ja": 7, "nej": 0}) == [
        "Antalet kan inte vara större än antalet kommuner som har svarat på frågan "
        f"(6). {HINT}"
    ]
    assert not stored(lan, "c_har")


def test_single_choice_counts_cannot_add_up_to_more_than_answered(lan: Lan) -> None:
    # 5 ja beside the live 2 nej: 7 of the 6 that answered.
    assert refusal(lan, "c_har", {"ja": 5}) == [
        "Antalen är tillsammans 7, men bara 6 kommuner har svarat på frågan och "
        "varje kommun har ett svar: en justering kan bara flytta kommuner mellan "
        f"svarsalternativen. {HINT}"
    ]
    assert not stored(lan, "c_har")


def test_a_matrix_is_limited_row_by_row(lan: Lan) -> None:
    # Row b: 3 ja beside the live 2 nej, of 4 that answered the row.
    assert refusal(lan, "c_rutiner", {"b.ja": 3}) == [
        "Antalen är tillsammans 5, men bara 4 kommuner har svarat på delfrågan ”Fast "
        "vårdkontakt” och varje kommun har ett svar: en justering kan bara flytta "
        f"kommuner mellan svarsalternativen. {HINT}"
    ]
    # Row a has 5 that answered: 5 ja and 0 nej fit, and row b is left as it is.
    adjust(lan, "c_rutiner", {"a.ja": 5, "a.nej": 0})
    assert stored(lan, "c_rutiner") == {"a.ja": 5, "a.nej": 0}


def test_multiple_choice_ticks_are_limited_one_by_one(lan: Lan) -> None:
    # Each of the 3 kommuner that answered may tick every alternative.
    adjust(lan, "c_typ", {"egna": 3, "region": 3, "annat": 3})
    assert refusal(lan, "c_typ", {"egna": 4}) == [
        "Antalet kan inte vara större än antalet kommuner som har svarat på frågan "
        f"(3). {HINT}"
    ]
    assert stored(lan, "c_typ") == {"egna": 3, "region": 3, "annat": 3}


def test_removing_one_adjustment_must_leave_the_row_fitting(lan: Lan) -> None:
    adjust(lan, "c_har", {"ja": 5, "nej": 1})
    # Without the nej adjustment nej is live again (2): 5 + 2 = 7 of 6. No reason
    # is needed to remove an adjustment, so the limit is what refuses it.
    with pytest.raises(ValidationError) as refused:
        save_answers(
            lan.response,
            actor=lan.coordinator,
            channel=Channel.WEB,
            values={"c_har": {"ja": 5}},
        )
    assert refused.value.message_dict["c_har"][0].startswith(
        "Antalen är tillsammans 7, men bara 6 kommuner"
    )
    # Removing both follows the live counts, which always fit.
    save_answers(
        lan.response, actor=lan.coordinator, channel=Channel.WEB, values={"c_har": {}}
    )
    assert stored(lan, "c_har") == {}


def test_an_adjustment_left_unchanged_does_not_block_other_answers(lan: Lan) -> None:
    adjust(lan, "c_har", {"ja": 6, "nej": 0})
    withdraw_kommun_3(lan)
    # c_har now has 5 that answered, but the RSS saves other questions freely.
    save_answers(
        lan.response,
        actor=lan.coordinator,
        channel=Channel.WEB,
        values={"egen": "Vårt arbete"},
    )
    adjust(lan, "c_rutiner", {"a.ja": 4, "a.nej": 1})
    # Touching c_har again applies the new base.
    assert refusal(lan, "c_har", {"ja": 6})[0].startswith(
        "Antalet kan inte vara större än antalet kommuner som har svarat på frågan (5)."
    )


# --- submitting -------------------------------------------------------------------------


def test_a_submit_with_an_adjustment_above_the_current_base_freezes_nothing(
    lan: Lan,
) -> None:
    adjust(lan, "c_har", {"ja": 6, "nej": 0})
    adjust(lan, "c_rutiner", {"b.ja": 4, "b.nej": 0})
    withdraw_kommun_3(lan)  # c_har: 5 answered; row b: 3
    answer_the_rss_texts(lan)
    with pytest.raises(CountsAboveBaseError) as refused:
        submit_response(lan.response, actor=lan.coordinator)
    har, rutiner = lan.q["c_har"].number, lan.q["c_rutiner"].number
    assert refused.value.message == (
        f"Enkäten kan inte skickas in: de justerade antalen i fråga {har} (5 "
        f"kommuner har svarat nu) och fråga {rutiner}, ”Fast vårdkontakt” (3 "
        "kommuner har svarat nu) är fler än de kommuner som har svarat; en kommuns "
        "svar har tagits bort eller ändrats sedan justeringen. Ändra justeringen. "
        + HINT
    )
    assert refused.value.problems == {
        "c_har": [
            "De justerade antalen är fler än de kommuner som har svarat på frågan "
            f"nu (5). Ändra justeringen. {HINT}"
        ],
        "c_rutiner": [
            "De justerade antalen är fler än de kommuner som har svarat på delfrågan "
            f"”Fast vårdkontakt” nu (3). Ändra justeringen. {HINT}"
        ],
    }
    lan.response.refresh_from_db()
    assert lan.response.status == ResponseStatus.IN_PROGRESS
    assert not Answer.objects.filter(
        response=lan.response, channel=Channel.COMPUTED
    ).exists()
    assert not ConsolidationSource.objects.filter(rss_response=lan.response).exists()


def test_a_submit_after_correcting_the_adjustment_freezes_the_new_base(
    lan: Lan,
) -> None:
    adjust(lan, "c_har", {"ja": 6, "nej": 0})
    withdraw_kommun_3(lan)
    adjust(lan, "c_har", {"ja": 5, "nej": 0})
    answer_the_rss_texts(lan)
    submit_response(lan.response, actor=lan.coordinator)
    assert stored(lan, "c_har") == {
        "ja": 5,
        "nej": 0,
        "_svarat": 5,
        "_ej_svarat": 2,
        "_ej_aktuell": 0,
    }


# --- the form ---------------------------------------------------------------------------


def post(client: Client, lan: Lan, **fields: str) -> Any:
    client.force_login(lan.coordinator)
    lan.response.refresh_from_db()
    return client.post(
        lan.url(), {"version": lan.response.version, "action": "save", **fields}
    )


def test_the_form_refuses_a_count_above_svarat_and_keeps_the_input(
    client: Client, lan: Lan
) -> None:
    page = post(
        client,
        lan,
        egen="Vårt arbete",
        c_har__justera__ja="7",
        c_har__justera__nej="0",
        c_har__anledning=REASON,
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert (
        "Antalet kan inte vara större än antalet kommuner som har svarat på frågan "
        "(6). Saknas en kommuns svar, registrera det för kommunen" in html
    )
    assert re.search(r'name="c_har__justera__ja"[^>]*value="7"', html)
    assert re.search(rf'name="c_har__anledning"[^>]*value="{REASON}"', html)
    assert not stored(lan, "c_har")
    # The other answers are saved regardless.
    assert Answer.objects.get(response=lan.response, question=lan.q["egen"]).text


def test_the_form_refuses_single_choice_counts_above_svarat_in_sum(
    client: Client, lan: Lan
) -> None:
    page = post(client, lan, c_har__justera__ja="5", c_har__anledning=REASON)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Antalen är tillsammans 7, men bara 6 kommuner har svarat på frågan" in html
    assert re.search(r'name="c_har__justera__ja"[^>]*value="5"', html)
    assert not stored(lan, "c_har")


def test_the_form_names_the_matrix_row(client: Client, lan: Lan) -> None:
    page = post(
        client, lan, **{"c_rutiner__justera__b.ja": "5"}, c_rutiner__anledning=REASON
    )
    assert page.status_code == 400
    assert "som har svarat på delfrågan ”Fast vårdkontakt” (4)" in page.content.decode()


def test_the_form_saves_a_re_classification(client: Client, lan: Lan) -> None:
    page = post(
        client,
        lan,
        **{"c_rutiner__justera__b.ja": "4", "c_rutiner__justera__b.nej": "0"},
        c_rutiner__anledning=REASON,
    )
    assert page.status_code == 302
    assert stored(lan, "c_rutiner") == {"b.ja": 4, "b.nej": 0}


def test_autosave_answers_with_the_limit(client: Client, lan: Lan) -> None:
    client.force_login(lan.coordinator)
    result = client.post(
        lan.url("intake:response-autosave"),
        {"version": 0, "c_har__justera__ja": "7", "c_har__anledning": REASON},
    )
    assert result.status_code == 200
    assert result.json()["errors"] == {
        "c_har__anledning": [
            "Antalet kan inte vara större än antalet kommuner som har svarat på "
            f"frågan (6). {HINT}"
        ]
    }
    assert not stored(lan, "c_har")


def test_the_form_refuses_a_submit_above_the_current_base_and_says_where(
    client: Client, lan: Lan
) -> None:
    adjust(lan, "c_har", {"ja": 6, "nej": 0})
    withdraw_kommun_3(lan)
    client.force_login(lan.coordinator)
    lan.response.refresh_from_db()
    page = client.post(
        lan.url(),
        {
            "version": lan.response.version,
            "action": "submit",
            "egen": "Vårt arbete",
            "s_beskriv": "Kommunerna har team.",
            "c_har__justera__ja": "6",
            "c_har__justera__nej": "0",
        },
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Enkäten kan inte skickas in: de justerade antalen i fråga" in html
    assert "(5 kommuner har svarat nu)" in html
    assert "som har svarat på frågan nu (5)" in html  # beside the question
    lan.response.refresh_from_db()
    assert lan.response.status == ResponseStatus.IN_PROGRESS
    assert not ConsolidationSource.objects.filter(rss_response=lan.response).exists()


def test_another_rss_cannot_post_adjustments(
    client: Client, lan: Lan, rss_user: User
) -> None:
    client.force_login(rss_user)
    assert (
        client.post(
            lan.url(),
            {"version": 0, "action": "save", "c_har__justera__ja": "1"},
        ).status_code
        == 404
    )
    assert not stored(lan, "c_har")


# --- the statistics ---------------------------------------------------------------------


def test_national_shares_stay_within_100_percent_at_the_limit(lan: Lan) -> None:
    adjust(lan, "c_har", {"ja": 6, "nej": 0})
    adjust(lan, "c_rutiner", {"b.ja": 4, "b.nej": 0})
    adjust(lan, "c_typ", {"egna": 3, "region": 3, "annat": 3})
    answer_the_rss_texts(lan)
    submit_response(lan.response, actor=lan.coordinator)
    result = tabulate(lan.rss_questionnaire, level=Level.RIKET)
    har = result.question("c_har").items[0].by_group[0]
    assert (har.count("ja"), har.count("nej"), har.base) == (6, 0, 6)
    assert frequency_table(result.question("c_har"), audience="rss").rows[0][1:] == (
        "6 (100)",
        "0 (0)",
    )
    shares = [
        item.by_group[0].share(cell)
        for variable in ("c_har", "c_typ", "c_rutiner")
        for item in result.question(variable).items
        for cell in item.by_group[0].counts
    ]
    assert shares and max(share for share in shares if share is not None) == 1
    (b_row,) = [
        i for i in result.question("c_rutiner").items if i.row and i.row.code == "b"
    ]
    assert b_row.by_group[0].share("ja") == 1
