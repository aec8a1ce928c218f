"""Swedish number formatting, the sum-to-100 rounding and its tie rule, display
conditions as filters (checked against condition_holds), and the multiple-choice
cells of the Bilaga 3 layout."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from intake.models import Channel, Response
from intake.selectors import answer_cells, questions_of, shown_questions
from intake.services import get_or_create_response, save_answers
from reports.layouts import Rounding, largest_remainder, organisation_table, percentages
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level
from surveys.formatting import share_percent, swedish_number, swedish_percent
from surveys.models import Questionnaire, Region, User
from tests.factories import mark_submitted


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("4245026"), "4 245 026"),
        (Decimal("1600000.00"), "1 600 000"),
        (Decimal("59.50"), "59,5"),
        (Decimal("0.5"), "0,5"),
        (Decimal("999"), "999"),
        (Decimal("1000"), "1 000"),
        (Decimal("-1234.5"), "-1 234,5"),
        (0, "0"),
    ],
)
def test_swedish_numbers(value: Decimal, expected: str) -> None:
    assert swedish_number(value) == expected


def test_rounding_is_half_up_not_bankers() -> None:
    assert swedish_number(Decimal("0.5"), decimals=0) == "1"
    assert swedish_number(Decimal("2.5"), decimals=0) == "3"
    assert swedish_number(Fraction(1010, 17), decimals=1) == "59,4"
    assert swedish_percent(Fraction(1010, 17), decimals=0) == "59 %"
    assert share_percent(226, 290) == Decimal(78)
    assert share_percent(1, 0) is None


def test_largest_remainder_gives_the_points_to_the_largest_remainders() -> None:
    # Arbetsterapeut, Tabell 3: 46,46 50,44 0,88 1,77 0,44 -> 47 50 1 2 0.
    assert largest_remainder([105, 114, 2, 4, 1]) == [47, 50, 1, 2, 0]


def test_tied_remainders_share_the_last_point() -> None:
    # Sjuksköterska: 0,44 and 0,44 tie for one point -> 0,5 each.
    shares = largest_remainder([132, 90, 2, 1, 1])
    assert shares == [58, 40, 1, Fraction(1, 2), Fraction(1, 2)]
    assert sum(shares) == 100
    assert percentages([132, 90, 2, 1, 1], 226, Rounding.LARGEST_REMAINDER) == [
        "58", "40", "1", "0,5", "0,5",
    ]  # fmt: skip
    # Three equal thirds: every cell gets its exact third, printed with one decimal.
    assert percentages([1, 1, 1], 3, Rounding.LARGEST_REMAINDER) == ["33,3"] * 3


def test_an_empty_row_has_no_percentages() -> None:
    assert percentages([0, 0], 0, Rounding.LARGEST_REMAINDER) == ["", ""]
    assert largest_remainder([0, 0]) == [0, 0]


@pytest.mark.django_db
def test_applicability_in_sql_matches_condition_holds(staff_user: User) -> None:
    """Every kind of condition in the 2024 region file, for a few answer sets."""
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    regions = list(Region.objects.order_by("sort_order")[:4])
    answer_sets = [
        {"r02_breddinfort": "ja", "r04_handlingsplan": "nej_forslag",
         "r08_uppfoljning": {"samverkan": "nej", "nav": "ja"},
         "r15_malgrupper": {"barn": "ja", "aldre": "nej"},
         "r18_dok_overensk": ["andra"], "r38_sabo_andel": {"escaped": True}},
        {"r02_breddinfort": "nej", "r04_handlingsplan": "nej",
         "r08_uppfoljning": {"samverkan": "nej"},
         "r15_malgrupper": {"funktion": "ja"},
         "r18_dok_overensk": ["utbildning"], "r38_sabo_andel": "90"},
        {"r29_riktlinjer": "ja", "r38_sabo_andel": "85"},
        {},
    ]  # fmt: skip
    for region, values in zip(regions, answer_sets, strict=True):
        response = get_or_create_response(questionnaire, organisation=region)
        if values:
            save_answers(response, actor=staff_user, channel=Channel.WEB, values=values)
            mark_submitted(response)
    questions = questions_of(questionnaire.pk)
    expected: dict[str, int] = {}
    for response in Response.objects.filter(
        questionnaire=questionnaire, answers__isnull=False
    ).distinct():
        shown = shown_questions(questions, answer_cells(response))
        for question in questions:
            expected[question.variable] = expected.get(question.variable, 0) + (
                question.pk in shown
            )
    riket = tabulate(questionnaire, level=Level.RIKET)
    applicable = {
        q.question.variable: q.items[0].by_group[0].applicable for q in riket.questions
    }
    assert riket.respondents == 3
    assert applicable == expected
    assert applicable["r02a_exempel"] == 1
    assert applicable["r04a_planinnehall"] == 1
    assert applicable["r08a_resultat"] == 1  # any_row: ja
    assert applicable["r15d_barn"] == 1 and applicable["r15a_funktion"] == 1
    assert applicable["r18a_andra"] == 1  # includes
    assert applicable["r38a_varfor"] == 1  # escaped
    assert applicable["r29a_lakartyper"] == 1
    # A page about follow-ups alone: their parents are counted all the same.
    follow_ups = ["r02a_exempel", "r04a_planinnehall", "r08a_resultat", "r18a_andra"]
    alone = tabulate(questionnaire, level=Level.RIKET, variables=follow_ups)
    assert {
        q.question.variable: q.items[0].by_group[0].applicable for q in alone.questions
    } == {variable: expected[variable] for variable in follow_ups}


@pytest.mark.django_db
def test_multiple_choice_prints_ja_and_dots(staff_user: User) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    question = questionnaire.questions.get(variable="r18_dok_overensk")
    codes = [o.code for o in question.options.order_by("position")]
    stockholm, uppsala = Region.objects.order_by("sort_order")[:2]
    for region, ticked in [(stockholm, codes[:2]), (uppsala, codes[1:3])]:
        response = get_or_create_response(questionnaire, organisation=region)
        save_answers(
            response,
            actor=staff_user,
            channel=Channel.WEB,
            values={question.variable: ticked},
        )
        mark_submitted(response)
    table = organisation_table(
        tabulate(questionnaire, level=Level.REGION).question(question.variable),
        tabulate(questionnaire, level=Level.RIKET).question(question.variable),
    )
    dots = ["."] * (len(codes) - 3)
    assert table.rows[0] == ("Riket", "1/2", "2/2", "1/2", *["0/2"] * (len(codes) - 3))
    assert table.rows[1] == ("Stockholm", "Ja", "Ja", ".", *dots)
    assert table.rows[2] == ("Uppsala", ".", "Ja", "Ja", *dots)
    assert table.rows[3] == ("Sörmland", *["–"] * len(codes))
