"""surveys.conditions and intake.condition_sql: every operator parsed, evaluated,
put into words and translated to SQL, and the SQL agreeing with the Python
evaluation on the same stored answers (both ways of reaching them)."""

from __future__ import annotations

from typing import Any

import pytest

from intake.cells import given_answer
from intake.condition_sql import (
    ByQuestionId,
    ByVariable,
    cell_test,
    excluded_q,
    holds_q,
)
from intake.models import Answer, Channel, Response
from intake.selectors import answer_cells, questions_of
from intake.services import get_or_create_response, save_answers
from surveys.conditions import (
    All,
    Answered,
    AnyOf,
    AnyRow,
    ConditionError,
    Equals,
    Escaped,
    GivenAnswer,
    In,
    Includes,
    RowEquals,
    for_codebook,
    for_respondent,
    holds,
    parse,
    parse_stored,
    to_data,
)
from surveys.errors import DomainError
from surveys.models import Questionnaire, Region, User

JA = {"question": "r02_breddinfort", "equals": "ja"}
NEJ = {"question": "r02_breddinfort", "equals": "nej"}

# Every operator, with a case that holds for some of the stored answer sets
# below and one that holds for none (a code nobody chose).
CONDITIONS: dict[str, dict[str, Any]] = {
    "equals": JA,
    "equals_none": {"question": "r04_handlingsplan", "equals": "ja"},
    "in": {"question": "r04_handlingsplan", "in": ["ja", "nej_forslag"]},
    "in_none": {"question": "r04_handlingsplan", "in": ["ja"]},
    "includes": {"question": "r18_dok_overensk", "includes": "andra"},
    "includes_none": {"question": "r18_dok_overensk", "includes": "forsok"},
    "row": {"question": "r08_uppfoljning", "row": "samverkan", "equals": "nej"},
    "row_none": {"question": "r08_uppfoljning", "row": "delaktighet", "equals": "ja"},
    "any_row": {"question": "r08_uppfoljning", "any_row": "ja"},
    "any_row_none": {"question": "r08_uppfoljning", "any_row": "delvis"},
    "escaped": {"question": "r38_sabo_andel", "escaped": True},
    "escaped_none": {"question": "r36_antal", "escaped": True},
    "answered_number": {"question": "r36_antal", "answered": True},
    "answered_text": {"question": "r01_omstallning", "answered": True},
    "answered_matrix": {"question": "r08_uppfoljning", "answered": True},
    "answered_none": {"question": "r39_landsbygd", "answered": True},
    "all": {"all": [JA, {"question": "r18_dok_overensk", "includes": "andra"}]},
    "all_none": {"all": [JA, NEJ]},
    "any": {"any": [NEJ, {"question": "r38_sabo_andel", "escaped": True}]},
    "nested": {
        "any": [
            {"all": [NEJ, {"question": "r36_antal", "answered": True}]},
            {"question": "r29_riktlinjer", "equals": "ja"},
        ]
    },
}

ANSWER_SETS: list[dict[str, Any]] = [
    {"r02_breddinfort": "ja", "r04_handlingsplan": "nej_forslag",
     "r08_uppfoljning": {"samverkan": "nej", "nav": "ja"},
     "r18_dok_overensk": ["andra", "utbildning"], "r38_sabo_andel": {"escaped": True},
     "r01_omstallning": "Ett svar i fritext"},
    {"r02_breddinfort": "nej", "r04_handlingsplan": "nej",
     "r08_uppfoljning": {"samverkan": "nej"}, "r18_dok_overensk": ["utbildning"],
     "r38_sabo_andel": "90", "r36_antal": "12"},
    {"r29_riktlinjer": "ja", "r38_sabo_andel": "85"},
    {},
]  # fmt: skip


@pytest.fixture
def stored(staff_user: User) -> Questionnaire:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    regions = Region.objects.order_by("sort_order")[: len(ANSWER_SETS)]
    for region, values in zip(regions, ANSWER_SETS, strict=True):
        response = get_or_create_response(questionnaire, organisation=region)
        if values:
            save_answers(response, actor=staff_user, channel=Channel.WEB, values=values)
    return questionnaire


@pytest.mark.django_db
@pytest.mark.parametrize("name", CONDITIONS)
def test_sql_and_python_agree_for_every_operator(
    stored: Questionnaire, name: str
) -> None:
    condition = parse(CONDITIONS[name])
    questions = questions_of(stored.pk)
    by_variable = {q.variable: q for q in questions}
    responses = Response.objects.filter(questionnaire=stored)
    in_python = set()
    for response in responses:
        cells = answer_cells(response)
        given = {
            q.variable: given_answer(cells[q.pk]) for q in questions if q.pk in cells
        }
        if holds(condition, given):
            in_python.add(response.pk)
    by_id = set(
        responses.filter(holds_q(condition, ByQuestionId(by_variable))).values_list(
            "pk", flat=True
        )
    )
    by_code = set(
        responses.filter(holds_q(condition, ByVariable(stored.pk))).values_list(
            "pk", flat=True
        )
    )
    assert by_id == in_python
    assert by_code == in_python
    # The cases are chosen so that the check cannot pass by everything or nothing.
    assert (in_python == set()) is name.endswith("_none")
    assert len(in_python) < len(ANSWER_SETS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", CONDITIONS)
def test_decided_against_is_the_same_by_id_and_by_variable(
    stored: Questionnaire, name: str
) -> None:
    """Consolidation's "decided against" (no later answer can make it hold),
    from both reaches: equal, and never where the condition holds."""
    condition = parse(CONDITIONS[name])
    by_variable = {q.variable: q for q in questions_of(stored.pk)}
    responses = Response.objects.filter(questionnaire=stored)
    found = []
    for reach in (ByQuestionId(by_variable), ByVariable(stored.pk)):
        holds_here, excluded = excluded_q(condition, reach, lambda _variable: None)
        found.append(set(responses.filter(excluded).values_list("pk", flat=True)))
        assert not found[-1] & set(
            responses.filter(holds_here).values_list("pk", flat=True)
        )
    assert found[0] == found[1]
    # A parent answered otherwise decides against these (cannot pass by nothing).
    if name in {"equals", "in", "includes", "escaped"}:
        assert found[0]


@pytest.mark.django_db
def test_a_one_cell_test_agrees_with_the_exists(stored: Questionnaire) -> None:
    """Tabulation counts one-cell conditions from grouped answer cells."""
    questions = questions_of(stored.pk)
    by_variable = {q.variable: q for q in questions}
    cells = list(
        Answer.objects.filter(response__questionnaire=stored).values(
            "response_id", "question_id", "slot", "row_id", "option_id", "escaped"
        )
    )
    tested = 0
    for name, data in CONDITIONS.items():
        condition = parse(data)
        test = cell_test(condition, by_variable)
        if test is None:
            continue
        tested += 1
        from_cells = {c["response_id"] for c in cells if test.holds(c)}
        by_exists = set(
            Response.objects.filter(questionnaire=stored)
            .filter(holds_q(condition, ByQuestionId(by_variable)))
            .values_list("pk", flat=True)
        )
        assert from_cells == by_exists, name
    assert tested == 10  # equals, in, includes, row, escaped: both cases each


@pytest.mark.parametrize("name", CONDITIONS)
def test_parse_reads_back_what_it_was_given(name: str) -> None:
    assert to_data(parse(CONDITIONS[name])) == CONDITIONS[name]


def test_parse_gives_the_typed_condition() -> None:
    assert parse(CONDITIONS["nested"]) == AnyOf(
        (
            All((Equals("r02_breddinfort", "nej"), Answered("r36_antal"))),
            Equals("r29_riktlinjer", "ja"),
        )
    )
    assert parse(CONDITIONS["in"]) == In("r04_handlingsplan", ("ja", "nej_forslag"))
    assert parse(CONDITIONS["includes"]) == Includes("r18_dok_overensk", "andra")
    assert parse(CONDITIONS["row"]) == RowEquals("r08_uppfoljning", "samverkan", "nej")
    assert parse(CONDITIONS["any_row"]) == AnyRow("r08_uppfoljning", "ja")
    assert parse(CONDITIONS["escaped"]) == Escaped("r38_sabo_andel")
    assert parse_stored(None) is None
    assert parse_stored({}) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"question": "q1", "not_equals": "ja"},
            "okänd villkorsoperator ['not_equals']",
        ),
        ({"question": "q1", "above": 3}, "okänd villkorsoperator ['above']"),
        ({"equals": "ja"}, "villkoret saknar question"),
        (["ja"], "ska vara en mappning"),
        ({"all": []}, "all ska vara en lista med villkor"),
        ({"any": [{"question": "q1", "nope": 1}]}, "okänd villkorsoperator"),
        ({"question": "q1", "in": "ja"}, "in ska vara en lista med alternativ"),
        ({"question": "q1", "equals": ["ja"]}, "alternativet ['ja']"),
        ({"question": "q1", "row": 3, "equals": "ja"}, "raden 3"),
        ({"question": "q1", "escaped": "ja"}, "escaped ska vara true"),
        ({"question": "q1", "answered": False}, "answered ska vara true"),
        ({"question": "q1", "row": "a"}, "ingen känd kombination"),
        ({"question": "q1"}, "ingen känd kombination"),
    ],
)
def test_the_parser_refuses_with_a_clear_swedish_message(
    data: Any, message: str
) -> None:
    with pytest.raises(ConditionError) as refused:
        parse(data)
    assert message in refused.value.message
    # Shown as a domain error, never a crash: a DomainError carries a message.
    assert isinstance(refused.value, DomainError)


# --- evaluation -------------------------------------------------------------------

ANSWERS = {
    "q1_janej": GivenAnswer(options=frozenset({"ja"})),
    "q3_flera": GivenAnswer(options=frozenset({"a", "annat"})),
    "q4_matris": GivenAnswer(rows={"barn": "ja", "aldre": "nej"}),
    "q5_andel": GivenAnswer(escaped=True),
    "q6_antal": GivenAnswer(has_value=True),
    "q7_fritext": GivenAnswer(),
}
Q1_JA = {"question": "q1_janej", "equals": "ja"}
Q1_NEJ = {"question": "q1_janej", "equals": "nej"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Q1_JA, True),
        (Q1_NEJ, False),
        ({"question": "q1_janej", "in": ["delvis", "ja"]}, True),
        ({"question": "q1_janej", "in": ["delvis", "nej"]}, False),
        ({"question": "q3_flera", "includes": "annat"}, True),
        ({"question": "q3_flera", "includes": "b"}, False),
        ({"question": "q4_matris", "row": "barn", "equals": "ja"}, True),
        ({"question": "q4_matris", "row": "aldre", "equals": "ja"}, False),
        ({"question": "q4_matris", "row": "unga", "equals": "ja"}, False),
        ({"question": "q4_matris", "any_row": "nej"}, True),
        ({"question": "q4_matris", "any_row": "delvis"}, False),
        ({"question": "q5_andel", "escaped": True}, True),
        ({"question": "q6_antal", "escaped": True}, False),
        ({"question": "q6_antal", "answered": True}, True),
        ({"question": "q5_andel", "answered": True}, True),
        ({"question": "q3_flera", "answered": True}, True),
        ({"question": "q4_matris", "answered": True}, True),
        ({"question": "q7_fritext", "answered": True}, False),
        ({"all": [Q1_JA, {"question": "q3_flera", "includes": "a"}]}, True),
        ({"all": [Q1_JA, Q1_NEJ]}, False),
        ({"any": [Q1_NEJ, Q1_JA]}, True),
        ({"any": [Q1_NEJ, {"question": "q3_flera", "includes": "b"}]}, False),
    ],
)
def test_holds(condition: dict[str, Any], expected: bool) -> None:
    assert holds(parse(condition), ANSWERS) is expected


@pytest.mark.parametrize(
    "condition",
    [
        {"question": "q8_delvis", "equals": "ja"},
        {"question": "q8_delvis", "answered": True},
        {"question": "q8_delvis", "in": ["ja", "delvis", "nej"]},
        {"any": [Q1_NEJ, {"question": "q8_delvis", "answered": True}]},
    ],
)
def test_a_condition_on_an_unanswered_question_does_not_hold(
    condition: dict[str, Any],
) -> None:
    assert "q8_delvis" not in ANSWERS
    assert holds(parse(condition), ANSWERS) is False


def test_no_condition_always_holds() -> None:
    assert holds(None, {}) is True
    assert holds(None, ANSWERS) is True


# --- in words -----------------------------------------------------------------------

WORDS = {
    "equals": ("du svarat «Ja» på fråga 2", "r02_breddinfort = Ja"),
    "in": (
        "du svarat «Ja» eller «Nej, men förslag finns framtaget» på fråga 4",
        "r04_handlingsplan = Ja eller Nej, men förslag finns framtaget",
    ),
    "includes": (
        "du valt «Andra åtgärder» på fråga 18",
        "r18_dok_overensk_andra = 1 (Andra åtgärder valt)",
    ),
    "row": (
        "du svarat «Nej» för «Samverkan» på fråga 8",
        "r08_uppfoljning_samverkan = Nej",
    ),
    "any_row": (
        "du svarat «Ja» på någon av raderna i fråga 8",
        "någon rad i r08_uppfoljning = Ja",
    ),
    "escaped": (
        "du svarat «Andelen kan inte uppskattas» på fråga 38",
        "r38_sabo_andel = Andelen kan inte uppskattas",
    ),
    "answered_number": ("du besvarat fråga 36", "r36_antal är besvarad"),
    "all": (
        "du svarat «Ja» på fråga 2 och du valt «Andra åtgärder» på fråga 18",
        "r02_breddinfort = Ja och r18_dok_overensk_andra = 1 (Andra åtgärder valt)",
    ),
    "any": (
        "du svarat «Nej» på fråga 2 eller du svarat «Andelen kan inte uppskattas» "
        "på fråga 38",
        "r02_breddinfort = Nej eller r38_sabo_andel = Andelen kan inte uppskattas",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", WORDS)
def test_every_operator_in_words(name: str) -> None:
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    by_variable = {q.variable: q for q in questions_of(questionnaire.pk)}
    condition = parse(CONDITIONS[name])
    respondent, codebook = WORDS[name]
    assert for_respondent(condition, by_variable) == f"Besvaras om {respondent}."
    assert for_codebook(condition, by_variable) == f"Besvaras om {codebook}"
    assert for_respondent(None, by_variable) == for_codebook(None, by_variable) == ""
