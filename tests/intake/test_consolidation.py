"""Consolidating kommun answers into the RSS questionnaire (issue #4, part C).

A whole synthetic län: one RSS with seven kommuner and hand-written answers to a
small kommun questionnaire (a yes/no question, a multiple-choice follow-up shown
only for "ja", a text follow-up shown only for "ja", and a two-row matrix), and
an RSS questionnaire that counts and summarises them. Every figure below is
counted by hand from the table in `lan`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from intake.consolidation import (
    DisplayConditions,
    kommun_counts,
    kommun_texts,
    stale_consolidations,
)
from intake.models import (
    Answer,
    AnswerChange,
    Channel,
    ConsolidationSource,
    Response,
    ResponseStatus,
)
from intake.services import (
    get_or_create_response,
    reopen_response,
    save_answers,
    submit_response,
)
from surveys.errors import DomainError
from surveys.models import (
    Organisation,
    OrganisationKind,
    Question,
    QuestionKind,
    Questionnaire,
    User,
)
from tests.conftest import make_user
from tests.factories import (
    CycleFactory,
    MatrixRowFactory,
    OptionFactory,
    OrganisationFactory,
    QuestionFactory,
    QuestionnaireFactory,
    RSSMembershipFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2041
YES_NO = [("ja", "Ja"), ("nej", "Nej")]
TEAM = [("egna", "Egna team"), ("region", "Med regionen"), ("annat", "Annat")]
ROWS = [("a", "Fast omsorgskontakt"), ("b", "Fast vårdkontakt")]

# Kommun: (answers, submitted?). "Kommun 6" has not started.
ANSWERS: dict[str, tuple[dict[str, Any], bool]] = {
    "Kommun 1": (
        {
            "har_team": "ja",
            "team_typ": ["egna", "region", "annat"],
            "beskriv": "Egna team i hemtjänsten",
            "rutiner": {"a": "ja", "b": "ja"},
        },
        True,
    ),
    "Kommun 2": (
        {
            "har_team": "ja",
            "team_typ": ["egna", "region"],
            "beskriv": "Team tillsammans med regionen",
            "rutiner": {"a": "ja", "b": "nej"},
        },
        True,
    ),
    "Kommun 3": (
        {
            "har_team": "ja",
            "team_typ": ["egna", "region", "annat"],
            "rutiner": {"a": "nej", "b": "nej"},
        },
        False,
    ),
    "Kommun 4": ({"har_team": "nej", "rutiner": {"a": "ja"}}, False),
    "Kommun 5": ({"har_team": "ja"}, False),
    "Kommun 7": ({"har_team": "nej", "rutiner": {"a": "nej", "b": "ja"}}, True),
}


@dataclass
class Lan:
    rss: Organisation
    kommuner: dict[str, Organisation]
    kommun_questionnaire: Questionnaire
    rss_questionnaire: Questionnaire
    q: dict[str, Question]  # RSS and kommun questions by variable
    coordinator: User
    response: Response  # the RSS's response, not yet answered

    def url(self, name: str = "intake:response-edit") -> str:
        return reverse(name, args=[self.rss_questionnaire.pk, self.rss.pk])


def question(section: Any, variable: str, kind: str, **extra: Any) -> Question:
    options = extra.pop("options", [])
    rows = extra.pop("rows", [])
    created = QuestionFactory(section=section, variable=variable, kind=kind, **extra)
    for code, label in options:
        OptionFactory(question=created, code=code, label=label)
    for code, label in rows:
        MatrixRowFactory(question=created, code=code, label=label)
    return created


def build_questionnaires() -> tuple[Questionnaire, Questionnaire, dict[str, Question]]:
    cycle = CycleFactory(year=YEAR)
    kq = QuestionnaireFactory(cycle=cycle, key="kommun", audience="kommun")
    ks = SectionFactory(questionnaire=kq)
    shown_for_ja = {"question": "har_team", "equals": "ja"}
    q = {
        "har_team": question(ks, "har_team", "yes_no", number="1", options=YES_NO),
        "team_typ": question(
            ks,
            "team_typ",
            "multiple_choice",
            number="1a",
            condition=shown_for_ja,
            options=TEAM,
        ),
        "beskriv": question(ks, "beskriv", "text", number="1b", condition=shown_for_ja),
        "rutiner": question(
            ks, "rutiner", "matrix", number="2", options=YES_NO, rows=ROWS
        ),
    }
    for child in ("team_typ", "beskriv"):
        q[child].parent = q["har_team"]
        q[child].save(update_fields=["parent"])
    rq = QuestionnaireFactory(cycle=cycle, key="rss", audience="rss")
    rs = SectionFactory(questionnaire=rq)
    q["egen"] = question(rs, "egen", "text", number="1")
    for variable, source, options, rows in [
        ("c_har", "har_team", YES_NO, []),
        ("c_typ", "team_typ", TEAM, []),
        ("c_rutiner", "rutiner", YES_NO, ROWS),
    ]:
        q[variable] = question(
            rs,
            variable,
            QuestionKind.KOMMUN_COUNT,
            options=options,
            rows=rows,
            source_question=q[source],
        )
    q["s_beskriv"] = question(
        rs, "s_beskriv", QuestionKind.KOMMUN_TEXT_SUMMARY, source_question=q["beskriv"]
    )
    return kq, rq, q


@pytest.fixture
def lan(db: None) -> Lan:
    return build_lan()


def build_lan() -> Lan:
    kq, rq, q = build_questionnaires()
    rss = OrganisationFactory(
        kind=OrganisationKind.RSS, code="rss-test", name="RSS Testlän"
    )
    kommuner = {}
    for i in range(1, 8):
        kommun = OrganisationFactory(code=f"t9{i:02d}", name=f"Kommun {i}")
        RSSMembershipFactory(rss=rss, kommun=kommun, valid_from=YEAR)
        kommuner[kommun.name] = kommun
    coordinator = make_user("samordnare@rss-test.test", rss)
    for name, (values, submitted) in ANSWERS.items():
        response = get_or_create_response(kq, organisation=kommuner[name])
        save_answers(response, actor=coordinator, channel=Channel.PROXY, values=values)
        if submitted:
            submit_response(response, actor=coordinator)
    return Lan(
        rss=rss,
        kommuner=kommuner,
        kommun_questionnaire=kq,
        rss_questionnaire=rq,
        q=q,
        coordinator=coordinator,
        response=get_or_create_response(rq, organisation=rss),
    )


def table(lan: Lan, variable: str) -> dict[str, Any]:
    """A kommun count as {slot: (live, submitted)} plus each row's base."""
    count = kommun_counts(lan.response)[lan.q[variable].pk]
    out: dict[str, Any] = {}
    for row in count.rows:
        out.update({c.slot: (c.live, c.submitted) for c in row.cells})
        out[row.slot("base")] = (row.svarat, row.ej_svarat, row.ej_aktuell)
        out[row.slot("missing")] = row.missing
    return out


def test_it_counts_kommuner_per_alternative_with_the_base_kept_apart(
    lan: Lan,
) -> None:
    assert table(lan, "c_har") == {
        "ja": (4, 2),  # Kommun 1, 2, 3, 5; submitted 1 and 2
        "nej": (2, 1),  # Kommun 4, 7; submitted 7
        "base": (6, 1, 0),
        "missing": ["Kommun 6"],  # not started
    }


def test_a_follow_up_counts_ej_aktuell_where_the_parent_answer_excludes_it(
    lan: Lan,
) -> None:
    # Kommun 4 (draft) and 7 (submitted) answered "nej": ej aktuell. Kommun 5
    # answered "ja" but not the follow-up, Kommun 6 has not started: ej svarat.
    # Multiple choice: 3 + 3 + 2 = 8 ticks, more than the 7 kommuner.
    assert table(lan, "c_typ") == {
        "egna": (3, 2),
        "region": (3, 2),
        "annat": (2, 1),
        "base": (3, 2, 2),
        "missing": ["Kommun 5", "Kommun 6"],
    }


def test_a_matrix_is_counted_per_row_and_alternative(lan: Lan) -> None:
    assert table(lan, "c_rutiner") == {
        "a.ja": (3, 2),  # 1, 2, 4
        "a.nej": (2, 1),  # 3, 7
        "a.base": (5, 2, 0),
        "a.missing": ["Kommun 5", "Kommun 6"],
        "b.ja": (2, 2),  # 1, 7
        "b.nej": (2, 1),  # 2, 3
        "b.base": (4, 3, 0),  # Kommun 4 left row b empty
        "b.missing": ["Kommun 4", "Kommun 5", "Kommun 6"],
    }


def test_the_kommuners_texts_are_shown_side_by_side(lan: Lan) -> None:
    texts = kommun_texts(lan.response)[lan.q["s_beskriv"].pk]
    assert [(t.kommun, t.text, t.status, t.response_status) for t in texts] == [
        ("Kommun 1", "Egna team i hemtjänsten", "Svarat", "Inskickad"),
        ("Kommun 2", "Team tillsammans med regionen", "Svarat", "Inskickad"),
        ("Kommun 3", "", "Ej svarat", "Pågår"),
        ("Kommun 4", "", "Ej aktuell", "Pågår"),
        ("Kommun 5", "", "Ej svarat", "Pågår"),
        ("Kommun 6", "", "Ej svarat", "Ej påbörjad"),
        ("Kommun 7", "", "Ej aktuell", "Inskickad"),
    ]


def test_a_kommun_outside_the_rss_is_not_counted(lan: Lan) -> None:
    outsider = OrganisationFactory(code="t999", name="Grannkommun")
    RSSMembershipFactory(kommun=outsider, valid_from=YEAR)  # another RSS
    response = get_or_create_response(lan.kommun_questionnaire, organisation=outsider)
    save_answers(
        response,
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"har_team": "ja"},
    )
    assert table(lan, "c_har")["ja"] == (4, 2)


def test_the_rss_page_shows_counts_base_missing_kommuner_and_texts(
    client: Client, lan: Lan
) -> None:
    client.force_login(lan.coordinator)
    page = client.get(lan.url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "6 av 7 kommuner har svarat" in html  # c_har
    assert "Fast vårdkontakt: 4 av 7 kommuner har svarat" in html  # matrix row b
    assert "Kommuner som inte har svarat (3)" in html
    assert "Egna team i hemtjänsten" in html
    assert "Kommunernas svar (2 av 7 kommuner har svarat)" in html
    assert 'name="c_har__justera__ja"' in html
    assert 'name="c_rutiner__justera__b.nej"' in html


def test_an_adjustment_without_a_reason_is_refused_and_the_input_kept(
    client: Client, lan: Lan
) -> None:
    client.force_login(lan.coordinator)
    page = client.post(
        lan.url(),
        {
            "version": lan.response.version,
            "action": "save",
            "egen": "Vårt eget arbete",
            "c_har__justera__ja": "5",
        },
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Ange varför antalet kommuner justeras." in html
    assert re.search(r'name="c_har__justera__ja"[^>]*value="5"', html)
    assert not Answer.objects.filter(response=lan.response, question=lan.q["c_har"])
    # The other answers are saved regardless.
    assert Answer.objects.get(response=lan.response, question=lan.q["egen"]).text


def test_an_adjustment_with_a_reason_is_kept_in_the_history(
    client: Client, lan: Lan
) -> None:
    client.force_login(lan.coordinator)
    # A re-classification: 6 kommuner answered, 4 ja and 2 nej; one of the nej
    # is moved to ja.
    reason = "Kommun 4 har rättat sitt svar till ja per telefon"
    page = client.post(
        lan.url(),
        {
            "version": lan.response.version,
            "action": "save",
            "c_har__justera__ja": "5",
            "c_har__justera__nej": "1",
            "c_har__anledning": reason,
        },
    )
    assert page.status_code == 302
    answers = Answer.objects.filter(response=lan.response, question=lan.q["c_har"])
    assert sorted(answers.values_list("slot", "number", "channel")) == [
        ("ja", Decimal(5), Channel.WEB),
        ("nej", Decimal(1), Channel.WEB),
    ]
    change = AnswerChange.objects.get(
        response=lan.response, question=lan.q["c_har"], slot="ja"
    )
    assert (change.reason, change.new_value) == (
        reason,
        {"option": "ja", "number": "5"},
    )
    html = client.get(lan.url()).content.decode()
    assert f"(beräknat 4; {reason})" in html
    assert f"(beräknat 2; {reason})" in html


def test_the_service_refuses_adjustments_without_reason_above_svarat_or_of_the_base(
    lan: Lan,
) -> None:
    def adjust(values: dict[str, Any], reason: str = "") -> None:
        save_answers(
            lan.response,
            actor=lan.coordinator,
            channel=Channel.WEB,
            values={"c_har": values},
            reason=reason,
        )

    with pytest.raises(ValidationError) as no_reason:
        adjust({"ja": 5})
    assert no_reason.value.message_dict == {
        "c_har": [
            "Ange varför antalet kommuner justeras. Det justerade antalet är inte sparat."
        ]
    }
    with pytest.raises(ValidationError) as too_many:
        adjust({"ja": 8}, reason="Fel")
    assert too_many.value.message_dict["c_har"] == [
        "Antalet kan inte vara större än antalet kommuner som har svarat på frågan "
        "(6). Saknas en kommuns svar, registrera det för kommunen (”Fyll i åt "
        "kommunen” under ”Se kommunernas svar”)."
    ]
    with pytest.raises(ValidationError) as base:
        adjust({"_svarat": 7}, reason="Fel")
    assert "beräknas av tjänsten" in base.value.message_dict["c_har"][0]
    assert not Answer.objects.filter(response=lan.response)


def submit_rss(lan: Lan) -> Response:
    save_answers(
        lan.response,
        actor=lan.coordinator,
        channel=Channel.WEB,
        values={"egen": "Vårt arbete", "s_beskriv": "Kommunerna har team."},
    )
    save_answers(
        lan.response,
        actor=lan.coordinator,
        channel=Channel.WEB,
        values={"c_har": {"ja": 5, "nej": 1}},
        reason="Kommun 4 har rättat sitt svar till ja per telefon",
    )
    return submit_response(lan.response, actor=lan.coordinator)


def frozen(lan: Lan, variable: str) -> dict[str, int]:
    return {
        a.slot: int(a.number or 0)
        for a in Answer.objects.filter(response=lan.response, question=lan.q[variable])
    }


def test_submitting_freezes_exactly_the_contracted_slots(lan: Lan) -> None:
    submit_rss(lan)
    assert frozen(lan, "c_har") == {
        "ja": 5,  # adjusted by the RSS; the live counts are 4 and 2
        "nej": 1,
        "_svarat": 6,
        "_ej_svarat": 1,
        "_ej_aktuell": 0,
    }
    assert frozen(lan, "c_typ") == {
        "egna": 3,
        "region": 3,
        "annat": 2,
        "_svarat": 3,
        "_ej_svarat": 2,
        "_ej_aktuell": 2,
    }
    assert frozen(lan, "c_rutiner") == {
        "a.ja": 3,
        "a.nej": 2,
        "a._svarat": 5,
        "a._ej_svarat": 2,
        "a._ej_aktuell": 0,
        "b.ja": 2,
        "b.nej": 2,
        "b._svarat": 4,
        "b._ej_svarat": 3,
        "b._ej_aktuell": 0,
    }
    channels = dict(
        Answer.objects.filter(response=lan.response, question=lan.q["c_har"])
        .values_list("slot", "channel")
        .order_by("slot")
    )
    assert channels["ja"] == Channel.WEB  # the adjustment keeps its provenance
    assert channels["_svarat"] == channels["_ej_svarat"] == Channel.COMPUTED
    rutiner = dict(
        Answer.objects.filter(response=lan.response, question=lan.q["c_rutiner"])
        .values_list("slot", "channel")
        .order_by("slot")
    )
    assert rutiner["a.ja"] == Channel.COMPUTED  # an unadjusted cell


def test_submitting_records_which_kommun_answers_were_counted(lan: Lan) -> None:
    response = submit_rss(lan)
    sources = {
        s.kommun.name: (
            s.kommun_response.pk if s.kommun_response else None,
            s.kommun_response_version,
            s.kommun_response_status,
            s.questionnaire_id,
            s.rss_response_version,
        )
        for s in ConsolidationSource.objects.filter(rss_response=response)
    }
    kommun_responses = {
        r.organisation.name: r
        for r in Response.objects.filter(questionnaire=lan.kommun_questionnaire)
    }
    qid = lan.kommun_questionnaire.pk
    assert sources == {
        name: (r.pk, r.version, r.status, qid, response.version)
        for name, r in kommun_responses.items()
    } | {"Kommun 6": (None, None, ResponseStatus.NOT_STARTED, qid, response.version)}
    assert sources["Kommun 1"][2] == ResponseStatus.SUBMITTED
    assert sources["Kommun 3"][2] == ResponseStatus.IN_PROGRESS


def test_a_kommun_change_after_the_freeze_is_flagged_and_not_applied(
    client: Client, lan: Lan, staff_user: User
) -> None:
    submit_rss(lan)
    before = frozen(lan, "c_typ")
    assert stale_consolidations() == []
    kommun_5 = Response.objects.get(
        questionnaire=lan.kommun_questionnaire, organisation=lan.kommuner["Kommun 5"]
    )
    save_answers(
        kommun_5,
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"team_typ": ["egna"]},
    )
    (stale,) = stale_consolidations()
    assert stale.rss_response == lan.response
    assert stale.kommuner == ["Kommun 5"]
    assert stale.questions == [lan.q["c_typ"]]  # c_har and c_rutiner still agree
    assert frozen(lan, "c_typ") == before  # not applied

    client.force_login(lan.coordinator)
    html = client.get(lan.url()).content.decode()
    assert "Kommunernas svar har ändrats sedan enkäten skickades in" in html
    assert "Ändrade svar från: Kommun 5." in html
    receipt = client.get(lan.url("intake:response-receipt")).content.decode()
    assert "Ändrade svar från: Kommun 5." in receipt

    client.force_login(staff_user)
    staff_page = client.get(reverse("intake:consolidation-stale"))
    assert staff_page.status_code == 200
    assert "RSS Testlän" in staff_page.content.decode()
    mina = client.get(reverse("intake:response-list")).content.decode()
    assert "(1 RSS-svar flaggade)" in mina


def test_a_kommun_that_begins_after_the_freeze_is_flagged(lan: Lan) -> None:
    submit_rss(lan)
    kommun_6 = get_or_create_response(
        lan.kommun_questionnaire, organisation=lan.kommuner["Kommun 6"]
    )
    assert stale_consolidations() == []  # an empty response changes nothing
    save_answers(
        kommun_6,
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"har_team": "nej"},
    )
    (stale,) = stale_consolidations()
    assert stale.kommuner == ["Kommun 6"]
    # c_har: nej 2 -> 3, the base moves; c_typ: ej svarat 2 -> 1, ej aktuell 2 -> 3.
    assert stale.questions == [lan.q["c_har"], lan.q["c_typ"]]


def test_reopening_and_submitting_again_freezes_the_new_counts(
    lan: Lan, staff_user: User
) -> None:
    response = submit_rss(lan)
    kommun_5 = Response.objects.get(
        questionnaire=lan.kommun_questionnaire, organisation=lan.kommuner["Kommun 5"]
    )
    save_answers(
        kommun_5,
        actor=lan.coordinator,
        channel=Channel.PROXY,
        values={"team_typ": ["egna"]},
    )
    reopen_response(response, actor=staff_user, reason="Kommun 5 har kompletterat")
    response = submit_response(response, actor=lan.coordinator)
    assert frozen(lan, "c_typ")["egna"] == 4
    assert frozen(lan, "c_typ")["_svarat"] == 4
    assert frozen(lan, "c_har")["ja"] == 5  # the adjustment still stands
    assert stale_consolidations() == []
    assert (
        ConsolidationSource.objects.filter(
            rss_response=response, rss_response_version=response.version
        ).count()
        == 7
    )


def test_only_staff_see_the_list_of_stale_consolidations(
    client: Client, lan: Lan
) -> None:
    client.force_login(lan.coordinator)
    assert client.get(reverse("intake:consolidation-stale")).status_code == 404


def test_another_rss_cannot_see_this_rss_counts_or_texts(
    client: Client, lan: Lan, rss_user: User, kommun_user: User
) -> None:
    client.force_login(rss_user)  # RSS Kronoberg
    assert client.get(lan.url()).status_code == 404
    assert client.get(lan.url("intake:response-receipt")).status_code == 404
    assert (
        client.post(
            lan.url(),
            {"version": 0, "action": "save", "c_har__justera__ja": "1"},
        ).status_code
        == 404
    )
    client.force_login(kommun_user)
    assert client.get(lan.url()).status_code == 404
    # Kronoberg's own page shows its kommuner, never this RSS's.
    own = Questionnaire.objects.get(cycle__year=2024, key="rss")
    client.force_login(rss_user)
    html = client.get(
        reverse(
            "intake:response-edit", args=[own.pk, rss_user.roles.get().organisation_id]
        )
    ).content.decode()
    assert "Växjö" in html
    assert "Kommun 1" not in html
    assert "Egna team i hemtjänsten" not in html


def test_the_display_conditions_translate_to_sql_for_every_operator(
    lan: Lan,
) -> None:
    """Ej aktuell is decided in the database: each operator against the
    hand-written answers. Decided against = the answers it depends on exclude it,
    or the kommun response is submitted and the condition does not hold; a parent
    that is itself not shown excludes its follow-ups."""
    cases = {
        "equals": ({"question": "har_team", "equals": "ja"}, {"Kommun 4", "Kommun 7"}),
        "in": ({"question": "har_team", "in": ["nej"]}, {"Kommun 1", "Kommun 2", "Kommun 3", "Kommun 5"}),
        "row": ({"question": "rutiner", "row": "a", "equals": "ja"}, {"Kommun 3", "Kommun 7"}),
        # Kommun 4 left row b open, so "nej" may still come: not decided.
        "any_row": ({"question": "rutiner", "any_row": "nej"}, {"Kommun 1"}),
        # Kommun 4's team_typ is itself not shown (har_team = nej).
        "includes": ({"question": "team_typ", "includes": "annat"}, {"Kommun 2", "Kommun 4", "Kommun 7"}),
        "all": (
            {"all": [{"question": "har_team", "equals": "ja"}, {"question": "team_typ", "includes": "annat"}]},
            {"Kommun 2", "Kommun 4", "Kommun 7"},
        ),
        "any": (
            {"any": [{"question": "har_team", "equals": "nej"}, {"question": "rutiner", "row": "b", "equals": "nej"}]},
            {"Kommun 1"},
        ),
        # Kommun 3 (draft, no text yet) may still answer: not decided.
        "answered": ({"question": "beskriv", "answered": True}, {"Kommun 4", "Kommun 7"}),
    }  # fmt: skip
    qid = lan.kommun_questionnaire.pk
    shown_for_ja = {"question": "har_team", "equals": "ja"}
    for name, (condition, expected) in cases.items():
        conditions = DisplayConditions(
            {
                (qid, "team_typ"): shown_for_ja,
                (qid, "beskriv"): shown_for_ja,
                (qid, "probe"): condition,
            }
        )
        excluded = set(
            Response.objects.filter(questionnaire_id=qid)
            .filter(conditions.excluded(qid, "probe"))
            .values_list("organisation__name", flat=True)
        )
        assert excluded == expected, name


def test_an_unknown_operator_is_refused_rather_than_guessed(lan: Lan) -> None:
    qid = lan.kommun_questionnaire.pk
    conditions = DisplayConditions({(qid, "probe"): {"question": "x", "above": 3}})
    with pytest.raises(DomainError):
        conditions.excluded(qid, "probe")
