"""The 2019 kommun survey reproduced figure for figure (docs/domain/
reporting_cycle_and_2019_survey.md, sections 1.4-1.5): 226 responses of 290,
item bases 221/223/222/220/225/225, Q2a's 63 not applicable, and Tabell 3 cell
for cell. Every expected figure below is written out from the domain file."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from intake.models import Answer, Channel, Response
from intake.services import get_or_create_response, save_answers
from reports.layouts import Rounding, frequency_table
from reports.tabulation.counts import tabulate
from reports.tabulation.nonresponse import item_nonresponse
from reports.tabulation.results import Level, Tabulation
from surveys.formatting import share_percent, swedish_percent
from surveys.models import Kommun, Questionnaire, User
from tests.factories import mark_submitted

# Per item: counts per answer; None = no answer (section 1.5).
Q1 = {
    "politisk": {"ja": 84, "nej": 137, None: 5},
    "tjansteman": {"ja": 107, "nej": 116, None: 3},
    "vchef": {"ja": 82, "nej": 140, None: 4},
    "profession": {"ja": 68, "nej": 152, None: 6},
}
Q2 = {"ja": 62, "nej": 163, None: 1}
Q2A_AMONG_NEJ = {"ja": 96, "nej": 67}
# Tabell 3 (000:869-881): brist, balans, överskott, vet inte, finns ej.
Q3 = {
    "arbter": {"brist": 105, "balans": 114, "overskott": 2, "vet_inte": 4, "finns_ej": 1},
    "dietist": {"brist": 8, "balans": 25, "overskott": 1, "vet_inte": 15, "finns_ej": 177},
    "farmaceut": {"brist": 3, "balans": 3, "overskott": 0, "vet_inte": 15, "finns_ej": 204, None: 1},
    "fysio": {"brist": 119, "balans": 92, "overskott": 1, "vet_inte": 5, "finns_ej": 9},
    "ssk": {"brist": 132, "balans": 90, "overskott": 2, "vet_inte": 1, "finns_ej": 1},
    "spec_ssk": {"brist": 168, "balans": 38, "overskott": 0, "vet_inte": 6, "finns_ej": 14},
}  # fmt: skip


def spread(counts: dict[str | None, int], rng: random.Random) -> list[str | None]:
    values = [value for value, n in counts.items() for _ in range(n)]
    rng.shuffle(values)
    return values


def questionnaire_2019() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2019, key="kommun")


def build_2019_responses(actor: User) -> None:
    """226 kommuner answer through save_answers, the one write path, and submit
    (the published figures are the submitted responses)."""
    rng = random.Random(2019)  # noqa: S311 - a fixed order, not security
    questionnaire = questionnaire_2019()
    kommuner = list(Kommun.objects.order_by("code")[:226])
    q1 = {row: spread(counts, rng) for row, counts in Q1.items()}
    q2 = spread(Q2, rng)
    q2a_nej = iter(spread(Q2A_AMONG_NEJ, rng))  # type: ignore[arg-type]
    q3 = {row: spread(counts, rng) for row, counts in Q3.items()}
    for i, kommun in enumerate(kommuner):
        # Everyone is offered a Q2a answer: the service must drop it unless Q2 = nej.
        q2a = next(q2a_nej) if q2[i] == "nej" else "ja"
        response = get_or_create_response(questionnaire, organisation=kommun)
        save_answers(
            response,
            actor=actor,
            channel=Channel.WEB,
            values={
                "q1_beslut": {row: values[i] for row, values in q1.items()},
                "q2_malbild": q2[i],
                "q2a_tar_fram": q2a,
                "q3_balans": {row: values[i] for row, values in q3.items()},
            },
        )
        mark_submitted(response)


@pytest.fixture(scope="module")
def responses_2019(django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Built once for this module in a transaction rolled back at its end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        actor = User.objects.create_user(email="import-2019@socialstyrelsen.test")
        build_2019_responses(actor)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def riket(responses_2019: None, db: None) -> Tabulation:
    return tabulate(questionnaire_2019(), level=Level.RIKET)


def test_226_of_290_kommuner_responded(riket: Tabulation) -> None:
    assert riket.frame == 290
    assert riket.respondents == 226
    assert Response.objects.filter(questionnaire=questionnaire_2019()).count() == 226


def test_q1_bases_and_ja_counts(riket: Tabulation) -> None:
    items = {
        i.row.code: i.by_group[0] for i in riket.question("q1_beslut").items if i.row
    }
    assert {row: c.base for row, c in items.items()} == {
        "politisk": 221, "tjansteman": 223, "vchef": 222, "profession": 220,
    }  # fmt: skip
    assert {row: c.count("ja") for row, c in items.items()} == {
        "politisk": 84, "tjansteman": 107, "vchef": 82, "profession": 68,
    }  # fmt: skip
    assert {row: c.not_answered for row, c in items.items()} == {
        "politisk": 5, "tjansteman": 3, "vchef": 4, "profession": 6,
    }  # fmt: skip
    assert all(c.not_applicable == 0 and c.escaped == 0 for c in items.values())


def test_q2_and_q2a(riket: Tabulation) -> None:
    q2 = riket.question("q2_malbild").items[0].by_group[0]
    assert (q2.base, q2.count("ja"), q2.count("nej"), q2.not_answered) == (
        225,
        62,
        163,
        1,
    )
    q2a = riket.question("q2a_tar_fram").items[0].by_group[0]
    # Routed to the 163 with Q2 = nej; the 62 Ja and the one without an answer
    # on Q2 are not applicable, not missing.
    assert q2a.respondents == 226
    assert q2a.not_applicable == 63
    assert q2a.applicable == 163
    assert q2a.base == 163
    assert q2a.not_answered == 0
    assert q2a.count("ja") == 96


def test_q2a_is_never_stored_for_q2_ja(responses_2019: None, db: None) -> None:
    stored = Answer.objects.filter(
        question__variable="q2a_tar_fram",
        response__questionnaire=questionnaire_2019(),
    )
    assert stored.count() == 163
    assert not stored.filter(
        response__answers__question__variable="q2_malbild",
        response__answers__option__code="ja",
    ).exists()


def test_q3_counts_and_farmaceut_base(riket: Tabulation) -> None:
    items = {
        i.row.code: i.by_group[0] for i in riket.question("q3_balans").items if i.row
    }
    assert {row: c.base for row, c in items.items()} == {
        "ssk": 226, "spec_ssk": 226, "fysio": 226, "arbter": 226, "dietist": 226,
        "farmaceut": 225,
    }  # fmt: skip
    assert items["farmaceut"].not_answered == 1
    assert dict(items["arbter"].counts) == {
        "brist": 105, "balans": 114, "overskott": 2, "vet_inte": 4, "finns_ej": 1,
    }  # fmt: skip
    assert dict(items["ssk"].counts) == {
        "brist": 132, "balans": 90, "overskott": 2, "vet_inte": 1, "finns_ej": 1,
    }  # fmt: skip


def test_item_nonresponse_for_the_kvalitetsdeklaration(
    responses_2019: None, db: None
) -> None:
    rows = {(r.variable, r.row): r for r in item_nonresponse(questionnaire_2019())}
    politisk = rows[("q1_beslut", "På politisk nivå")]
    assert (politisk.base, politisk.answered, politisk.not_answered) == (226, 221, 5)
    q2a = rows[("q2a_tar_fram", "")]
    assert (q2a.base, q2a.answered, q2a.not_answered, q2a.not_applicable) == (
        163, 163, 0, 63,
    )  # fmt: skip
    q4 = rows[("q4_atgarder", "")]
    assert (q4.base, q4.answered, q4.not_answered) == (226, 0, 226)


TABELL_3 = (
    ("Arbetsterapeut", "105 (47)", "114 (50)", "2 (1)", "4 (2)", "1 (0)"),
    ("Dietist", "8 (4)", "25 (11)", "1 (0)", "15 (7)", "177 (78)"),
    ("Farmaceut", "3 (1)", "3 (1)", "0 (0)", "15 (7)", "204 (91)"),
    ("Fysioterapeut", "119 (53)", "92 (41)", "1 (0)", "5 (2)", "9 (4)"),
    ("Sjuksköterska", "132 (58)", "90 (40)", "2 (1)", "1 (0,5)", "1 (0,5)"),
    ("Specialistsjuksköterska", "168 (74)", "38 (17)", "0 (0)", "6 (3)", "14 (6)"),
)


def test_tabell_3_cell_for_cell_with_sum_to_100_rounding(riket: Tabulation) -> None:
    table = frequency_table(
        riket.question("q3_balans"),
        audience="kommun",
        rounding=Rounding.LARGEST_REMAINDER,
        alphabetical=True,
        source="Källa: Kommunerna",
    )
    assert table.header == (
        "", "Brist", "Balans", "Överskott", "Vet inte", "Finns inte i kommunens verksamhet",
    )  # fmt: skip
    assert table.rows == TABELL_3
    assert table.subtitle == "Antal och procent (inom parentes)"
    assert table.source == "Källa: Kommunerna"
    assert table.notes == (
        "226 kommuner har svarat på denna fråga.",
        "Farmaceut: 225 kommuner har svarat.",
        "1 kommun har inte svarat (Farmaceut).",
    )


def test_per_cell_rounding_gives_46_for_arbetsterapeut_brist(riket: Tabulation) -> None:
    table = frequency_table(riket.question("q3_balans"), audience="kommun")
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Arbetsterapeut"] == ("105 (46)", "114 (50)", "2 (1)", "4 (2)", "1 (0)")
    assert rows["Sjuksköterska"] == ("132 (58)", "90 (40)", "2 (1)", "1 (0)", "1 (0)")


def test_q1_and_q2_as_published(riket: Tabulation) -> None:
    q1 = frequency_table(riket.question("q1_beslut"), audience="kommun")
    assert q1.rows == (
        ("På politisk nivå", "84 (38)", "137 (62)"),
        (
            "På hög tjänstemannanivå (regionledning/kommunledning)",
            "107 (48)",
            "116 (52)",
        ),
        ("På verksamhetschefsnivå", "82 (37)", "140 (63)"),
        ("På professionsnivå i det dagliga arbetet", "68 (31)", "152 (69)"),
    )
    assert q1.notes[:4] == (
        "På politisk nivå: 221 kommuner har svarat.",
        "På hög tjänstemannanivå (regionledning/kommunledning): 223 kommuner har svarat.",
        "På verksamhetschefsnivå: 222 kommuner har svarat.",
        "På professionsnivå i det dagliga arbetet: 220 kommuner har svarat.",
    )
    q2 = frequency_table(riket.question("q2_malbild"), audience="kommun")
    assert q2.rows == (
        ("Överenskommen målbild mellan kommun och region", "62 (28)", "163 (72)"),
    )
    assert q2.notes == (
        "225 kommuner har svarat på denna fråga.",
        "1 kommun har inte svarat.",
    )
    q2a = frequency_table(riket.question("q2a_tar_fram"), audience="kommun")
    assert q2a.rows[0][1:] == ("96 (59)", "67 (41)")
    assert q2a.notes == (
        "163 kommuner har svarat på denna fråga.",
        "63 kommuner fick inte frågan (följdfråga som bara visas efter vissa svar).",
    )
    assert swedish_percent(share_percent(riket.respondents, riket.frame) or 0) == "78 %"
