"""The questionnaire definition format and what the loader refuses
(docs/questionnaire-format.md, surveys/definitions/).

Most tests run the pure parser and validators on small dictionaries: a valid base
questionnaire, with one thing changed per test. The base is checked to be valid on
its own, so that a refusal test cannot pass because of some other problem.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from surveys.definitions.files import read_cycle_directory
from surveys.definitions.parsing import parse_questionnaire
from surveys.definitions.records import (
    CycleDef,
    DefinitionError,
    PreviousQuestion,
    Problem,
    QuestionnaireDef,
)
from surveys.definitions.validation import lineage_problems, validate_cycle
from surveys.models import Cycle, Organisation, Questionnaire, User
from surveys.services.questionnaires import DEFINITIONS_DIR, load_questionnaires

FILE = "2031/provenkat.yaml"

# --- building definitions ----------------------------------------------------------


def question(number: str, variable: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "number": number,
        "variable": variable,
        "kind": kind,
        "text": f"Fråga {number}?",
        "label": f"Etikett {number}",
        **extra,
    }


def base_questions() -> list[dict[str, Any]]:
    """One question of every non-RSS kind, and a follow-up with its condition."""
    return [
        question("1", "q1_janej", "yes_no"),
        question(
            "1a",
            "q1a_varfor",
            "text",
            parent="q1_janej",
            show_if={"question": "q1_janej", "equals": "nej"},
        ),
        question(
            "2",
            "q2_val",
            "single_choice",
            options=[{"code": "a", "label": "A"}, {"code": "b", "label": "B"}],
        ),
        question(
            "3",
            "q3_flera",
            "multiple_choice",
            options=[
                {"code": "a", "label": "A"},
                {"code": "b", "label": "B"},
                {"code": "annat", "label": "Annat, beskriv", "other": True},
            ],
        ),
        question(
            "4",
            "q4_matris",
            "matrix",
            rows=[
                {"code": "barn", "label": "Barn"},
                {"code": "aldre", "label": "Äldre"},
            ],
            options="yes_no",
        ),
        question("5", "q5_andel", "percentage", escape="Andelen kan inte uppskattas"),
        question("6", "q6_antal", "integer"),
        question("7", "q7_fritext", "text"),
        question("8", "q8_delvis", "yes_partly_no"),
    ]


def questionnaire_data(
    *questions: dict[str, Any], key: str = "provenkat", audience: str = "region"
) -> dict[str, Any]:
    return {
        "key": key,
        "audience": audience,
        "title": "Provenkät 2031",
        "opens_on": "2031-11-01",
        "closes_on": "2032-03-31",
        "sections": [
            {
                "key": "forsta",
                "title": "Första avsnittet",
                "questions": list(questions) if questions else base_questions(),
            }
        ],
    }


def numbered(data: dict[str, Any], number: str) -> dict[str, Any]:
    """The question dict with that number, to change in place."""
    found: list[dict[str, Any]] = [
        q
        for section in data["sections"]
        for q in section["questions"]
        if q["number"] == number
    ]
    assert len(found) == 1
    return found[0]


def with_condition(condition: Any) -> dict[str, Any]:
    """The base questionnaire and a last question, 9, shown under `condition`."""
    return questionnaire_data(
        *base_questions(), question("9", "q9_foljd", "text", show_if=condition)
    )


def problems_of(data: dict[str, Any], file: str = FILE) -> list[Problem]:
    _questionnaire, problems = parse_questionnaire(data, file=file)
    return problems


def parsed(data: dict[str, Any], file: str = FILE) -> QuestionnaireDef:
    questionnaire, problems = parse_questionnaire(data, file=file)
    assert problems == []
    assert questionnaire is not None
    return questionnaire


def refusal(
    problems: list[Problem], question_number: str, *words: str, file: str = FILE
) -> Problem:
    """The one problem at that question whose message has every word."""
    matching = [
        p
        for p in problems
        if p.file == file
        and p.question == question_number
        and all(word in p.message for word in words)
    ]
    assert len(matching) == 1, problems
    return matching[0]


def test_the_base_questionnaire_is_valid() -> None:
    questionnaire, problems = parse_questionnaire(questionnaire_data(), file=FILE)
    assert problems == []
    assert questionnaire is not None
    assert [q.number for q in questionnaire.questions] == [
        "1", "1a", "2", "3", "4", "5", "6", "7", "8",
    ]  # fmt: skip


def test_a_refused_questionnaire_is_not_returned() -> None:
    data = questionnaire_data()
    numbered(data, "2")["kind"] = "slider"
    questionnaire, problems = parse_questionnaire(data, file=FILE)
    assert questionnaire is None
    assert problems


# --- duplicates ------------------------------------------------------------------


def test_it_refuses_duplicate_variables() -> None:
    data = questionnaire_data()
    numbered(data, "7")["variable"] = "q6_antal"
    duplicates = [
        p
        for p in problems_of(data)
        if "variabeln 'q6_antal' förekommer mer än en gång" in p.message
    ]
    assert len(duplicates) == 1
    # The problem points at a question that has the variable (currently the first).
    assert duplicates[0].question in {"6", "7"}


def test_it_refuses_duplicate_numbers() -> None:
    data = questionnaire_data()
    numbered(data, "7")["number"] = "6"
    refusal(problems_of(data), "6", "numret '6' förekommer mer än en gång")


def test_it_refuses_duplicate_option_codes() -> None:
    data = questionnaire_data()
    numbered(data, "2")["options"].append({"code": "a", "label": "A igen"})
    refusal(problems_of(data), "2", "koden i options 'a' förekommer mer än en gång")


def test_it_refuses_duplicate_row_codes() -> None:
    data = questionnaire_data()
    numbered(data, "4")["rows"].append({"code": "barn", "label": "Barn igen"})
    refusal(problems_of(data), "4", "koden i rows 'barn' förekommer mer än en gång")


def test_it_refuses_duplicate_section_keys() -> None:
    data = questionnaire_data()
    data["sections"].append(
        {
            "key": "forsta",
            "title": "Andra avsnittet",
            "questions": [question("10", "q10_sist", "text")],
        }
    )
    refusal(problems_of(data), "", "avsnittsnyckeln 'forsta' förekommer mer än en gång")


# --- fields, kinds and names ---------------------------------------------------------


def test_it_refuses_an_unknown_field_on_a_question() -> None:
    data = questionnaire_data()
    numbered(data, "7")["hjalptext"] = "Stavat fel."
    refusal(problems_of(data), "7", "okänt fält 'hjalptext'")


def test_it_refuses_an_unknown_kind() -> None:
    data = questionnaire_data()
    numbered(data, "7")["kind"] = "slider"
    refusal(problems_of(data), "7", "okänd frågetyp 'slider'")


@pytest.mark.parametrize("field", ["text", "label"])
def test_it_refuses_a_question_without_text_or_label(field: str) -> None:
    data = questionnaire_data()
    del numbered(data, "7")[field]
    refusal(problems_of(data), "7", f"{field} saknas")


@pytest.mark.parametrize("field", ["text", "label"])
def test_it_refuses_a_blank_text_or_label(field: str) -> None:
    data = questionnaire_data()
    numbered(data, "7")[field] = "   "
    refusal(problems_of(data), "7", f"{field} saknas")


@pytest.mark.parametrize(
    "variable",
    [
        "q7_fritext_som_ar_f",  # 19 characters
        "Q7_fritext",  # upper case
        "7q_fritext",  # starts with a digit
        "q7-fritext",  # hyphen
    ],
)
def test_it_refuses_an_invalid_variable_name(variable: str) -> None:
    data = questionnaire_data()
    numbered(data, "7")["variable"] = variable
    refusal(problems_of(data), "7", "variable ska börja med en bokstav", "18 tecken")


def test_it_accepts_a_variable_name_of_18_characters() -> None:
    data = questionnaire_data()
    numbered(data, "7")["variable"] = "q7_fritext_som_ar_"
    assert len("q7_fritext_som_ar_") == 18
    assert problems_of(data) == []


@pytest.mark.parametrize("number", ["7A", "a7", "7abc", "7.1", "7 "])
def test_it_refuses_an_invalid_number(number: str) -> None:
    data = questionnaire_data()
    numbered(data, "7")["number"] = number
    refusal(problems_of(data), number, "number ska vara")


# --- follow-ups -------------------------------------------------------------------


def test_it_refuses_a_follow_up_whose_parent_comes_later() -> None:
    data = questionnaire_data()
    questions = data["sections"][0]["questions"]
    questions[0], questions[1] = questions[1], questions[0]  # 1a before 1
    refusal(
        problems_of(data),
        "1a",
        "följdfråga till 'q1_janej', som kommer senare i enkäten",
    )


def test_it_refuses_a_follow_up_whose_parent_does_not_exist() -> None:
    data = questionnaire_data()
    numbered(data, "1a")["parent"] = "q0_saknas"
    refusal(
        problems_of(data), "1a", "följdfråga till 'q0_saknas', som inte finns i enkäten"
    )


def test_it_refuses_a_follow_up_not_numbered_after_its_parent() -> None:
    data = questionnaire_data()
    numbered(data, "1a")["number"] = "3a"
    refusal(problems_of(data), "3a", "en följdfråga till 1 ska numreras 1a")


def test_it_refuses_a_follow_up_with_its_parents_own_number() -> None:
    data = questionnaire_data()
    numbered(data, "1a")["number"] = "1"
    refusal(problems_of(data), "1", "en följdfråga till 1 ska numreras 1a")


def test_it_refuses_a_follow_up_numbered_as_another_main_question() -> None:
    data = questionnaire_data()
    numbered(data, "1a")["number"] = "12"
    refusal(problems_of(data), "12", "en följdfråga till 1 ska numreras 1a")


# --- display conditions -------------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        {"question": "q1_janej", "equals": "ja"},
        {"question": "q8_delvis", "in": ["ja", "delvis"]},
        {"question": "q2_val", "equals": "b"},
        {"question": "q3_flera", "includes": "annat"},
        {"question": "q4_matris", "row": "barn", "equals": "ja"},
        {"question": "q4_matris", "any_row": "nej"},
        {"question": "q5_andel", "escaped": True},
        {"question": "q6_antal", "answered": True},
        {"question": "q7_fritext", "answered": True},
        {
            "all": [
                {"question": "q1_janej", "equals": "ja"},
                {"question": "q3_flera", "includes": "a"},
            ]
        },
        {
            "any": [
                {"question": "q1_janej", "equals": "ja"},
                {"question": "q4_matris", "any_row": "ja"},
            ]
        },
    ],
)
def test_it_accepts_each_documented_condition(condition: dict[str, Any]) -> None:
    assert problems_of(with_condition(condition)) == []


def test_it_refuses_a_condition_on_a_later_question() -> None:
    data = questionnaire_data()
    numbered(data, "7")["show_if"] = {"question": "q8_delvis", "equals": "ja"}
    refusal(problems_of(data), "7", "q8_delvis", "kommer senare")


def test_it_refuses_a_condition_on_an_unknown_question() -> None:
    data = with_condition({"question": "q99_saknas", "equals": "ja"})
    refusal(problems_of(data), "9", "q99_saknas", "inte finns i enkäten")


def test_it_refuses_a_condition_on_an_unknown_option_code() -> None:
    data = with_condition({"question": "q1_janej", "equals": "kanske"})
    refusal(problems_of(data), "9", "alternativet 'kanske'", "fråga 1 saknar")


def test_it_refuses_an_in_condition_with_one_unknown_option_code() -> None:
    data = with_condition({"question": "q8_delvis", "in": ["ja", "kanske"]})
    refusal(problems_of(data), "9", "alternativet 'kanske'", "fråga 8 saknar")


def test_it_refuses_a_condition_on_an_unknown_row_code() -> None:
    data = with_condition({"question": "q4_matris", "row": "unga", "equals": "ja"})
    refusal(problems_of(data), "9", "raden 'unga'", "fråga 4 saknar")


@pytest.mark.parametrize(
    ("condition", "kind"),
    [
        ({"question": "q1_janej", "includes": "ja"}, "yes_no"),
        ({"question": "q4_matris", "equals": "ja"}, "matrix"),
        ({"question": "q3_flera", "equals": "a"}, "multiple_choice"),
        ({"question": "q2_val", "any_row": "a"}, "single_choice"),
        ({"question": "q7_fritext", "escaped": True}, "text"),
    ],
)
def test_it_refuses_an_operator_that_does_not_fit_the_kind(
    condition: dict[str, Any], kind: str
) -> None:
    refusal(problems_of(with_condition(condition)), "9", "passar inte", kind)


def test_it_refuses_escaped_on_a_number_question_without_escape() -> None:
    data = with_condition({"question": "q6_antal", "escaped": True})
    refusal(problems_of(data), "9", "fråga 6 har inget undantagssvar")


def test_it_refuses_an_unknown_operator() -> None:
    data = with_condition({"question": "q1_janej", "not_equals": "ja"})
    refusal(problems_of(data), "9", "okänd villkorsoperator", "not_equals")


@pytest.mark.parametrize("combinator", ["all", "any"])
def test_it_refuses_a_combination_with_one_bad_part(combinator: str) -> None:
    data = with_condition(
        {
            combinator: [
                {"question": "q1_janej", "equals": "ja"},
                {"question": "q1_janej", "includes": "ja"},
            ]
        }
    )
    problems = problems_of(data)
    refusal(problems, "9", "passar inte", "yes_no")
    assert len(problems) == 1


def test_it_refuses_a_list_where_a_code_belongs() -> None:
    data = with_condition({"question": "q1_janej", "equals": ["ja"]})
    refusal(problems_of(data), "9", "alternativet")


# --- options, rows and numbers -------------------------------------------------------


def test_it_refuses_listed_options_on_a_yes_no_question() -> None:
    data = questionnaire_data()
    numbered(data, "1")["options"] = [
        {"code": "ja", "label": "Ja"},
        {"code": "nej", "label": "Nej"},
    ]
    refusal(problems_of(data), "1", "yes_no har givna alternativ")


def test_it_refuses_a_single_choice_with_fewer_than_two_options() -> None:
    data = questionnaire_data()
    numbered(data, "2")["options"] = [{"code": "a", "label": "A"}]
    refusal(problems_of(data), "2", "minst två options")


def test_it_refuses_a_matrix_without_rows() -> None:
    data = questionnaire_data()
    del numbered(data, "4")["rows"]
    refusal(problems_of(data), "4", "en matris behöver rows")


@pytest.mark.parametrize(
    ("field", "value"), [("escape", "Kan inte anges"), ("min", 1), ("max", 10)]
)
def test_it_refuses_number_settings_on_a_text_question(field: str, value: Any) -> None:
    data = questionnaire_data()
    numbered(data, "7")[field] = value
    refusal(problems_of(data), "7", f"{field} gäller bara antal och andelar")


def test_it_refuses_min_above_max() -> None:
    data = questionnaire_data()
    numbered(data, "6").update({"min": 10, "max": 5})
    refusal(problems_of(data), "6", "min är större än max")


def test_it_refuses_a_min_above_the_default_percentage_max() -> None:
    data = questionnaire_data()
    numbered(data, "5")["min"] = 150
    refusal(problems_of(data), "5", "min är större än max")


def test_it_refuses_a_questionnaire_key_longer_than_the_database_allows() -> None:
    data = questionnaire_data(key="k" * 41)
    refusal(problems_of(data), "", "key")


def test_it_refuses_a_label_longer_than_the_database_allows() -> None:
    data = questionnaire_data()
    numbered(data, "7")["label"] = "x" * 301
    refusal(problems_of(data), "7", "label")


# --- declared plausibility checks (surveys/plausibility.py) ---------------------------


def with_plausibility(plausibility: Any, number: str = "6") -> dict[str, Any]:
    """The base questionnaire with `plausibility` on question `number` (6 is the
    count; 5 the percentage)."""
    data = questionnaire_data()
    numbered(data, number)["plausibility"] = plausibility
    return data


def test_a_count_declares_its_population_and_percentage_question() -> None:
    data = with_plausibility(
        {"counts": "population", "percentage_question": "q5_andel"}
    )
    count = parsed(data).question("q6_antal")
    assert count is not None
    assert count.counts_population is True
    assert count.percentage_question == "q5_andel"


def test_a_count_may_declare_only_its_percentage_question() -> None:
    count = parsed(with_plausibility({"percentage_question": "q5_andel"})).question(
        "q6_antal"
    )
    assert count is not None
    assert (count.counts_population, count.percentage_question) == (False, "q5_andel")


def test_questions_declare_nothing_by_default() -> None:
    count = parsed(questionnaire_data()).question("q6_antal")
    assert count is not None
    assert (count.counts_population, count.percentage_question) == (False, None)


def test_it_refuses_plausibility_on_a_percentage() -> None:
    data = with_plausibility({"counts": "population"}, number="5")
    refusal(problems_of(data), "5", "plausibility gäller bara antal (integer)")


def test_it_refuses_an_unknown_plausibility_field() -> None:
    data = with_plausibility({"counts": "population", "max_share": 1})
    refusal(problems_of(data), "6", "plausibility: okänt fält 'max_share'")


def test_it_refuses_counts_of_anything_but_the_population() -> None:
    data = with_plausibility({"counts": "kommuner"})
    refusal(problems_of(data), "6", "counts kan bara vara population")


@pytest.mark.parametrize("value", [{}, "population", ["counts"]])
def test_it_refuses_plausibility_that_is_not_a_mapping(value: Any) -> None:
    refusal(problems_of(with_plausibility(value)), "6", "ska vara en mappning")


def test_it_refuses_an_unknown_percentage_question() -> None:
    data = with_plausibility({"percentage_question": "q9_finns_inte"})
    refusal(problems_of(data), "6", "'q9_finns_inte' finns inte i enkäten")


def test_it_refuses_a_percentage_question_that_is_not_a_percentage() -> None:
    data = with_plausibility({"percentage_question": "q1_janej"})
    refusal(problems_of(data), "6", "fråga 1 är inte en andelsfråga")


def test_the_shipped_region_count_declares_its_checks(db: None) -> None:
    from surveys.models import Question

    count = Question.objects.select_related("percentage_question").get(
        questionnaire__cycle__year=2024,
        questionnaire__key="region",
        variable="r36_antal",
    )
    assert count.counts_population is True
    assert count.percentage_question is not None
    assert count.percentage_question.variable == "r35_andel"


# --- RSS kinds ---------------------------------------------------------------------


def kommun_data(audience: str = "kommun", key: str = "kommun") -> dict[str, Any]:
    return questionnaire_data(
        question("1", "k01_samverkan", "yes_no"),
        question("2", "k02_beskriv", "text"),
        key=key,
        audience=audience,
    )


def count_question(
    questionnaire: str = "kommun", variable: str = "k01_samverkan"
) -> dict[str, Any]:
    return question(
        "1",
        "s01_samverkan",
        "kommun_count",
        source_question={"questionnaire": questionnaire, "variable": variable},
    )


def summary_question(variable: str = "k02_beskriv") -> dict[str, Any]:
    return question(
        "2",
        "s02_beskriv",
        "kommun_text_summary",
        source_question={"questionnaire": "kommun", "variable": variable},
    )


def rss_data(*questions: dict[str, Any]) -> dict[str, Any]:
    return questionnaire_data(*questions, key="rss", audience="rss")


def cycle_of(*questionnaires: QuestionnaireDef, year: int = 2031) -> CycleDef:
    return CycleDef(
        file=f"{year}/cycle.yaml",
        year=year,
        name=f"Provomgång {year}",
        reference_period=f"Kalenderåret {year}",
        description="",
        questionnaires=questionnaires,
    )


KOMMUN_FILE = "2031/kommun.yaml"
RSS_FILE = "2031/rss.yaml"


def test_it_refuses_a_kommun_count_outside_an_rss_questionnaire() -> None:
    data = questionnaire_data(question("1", "q1_janej", "yes_no"), count_question())
    data["sections"][0]["questions"][1]["number"] = "2"
    refusal(problems_of(data), "2", "kommun_count får bara finnas i RSS-enkäter")


def test_an_rss_questionnaire_with_a_valid_count_and_summary_passes() -> None:
    kommun = parsed(kommun_data(), KOMMUN_FILE)
    rss = parsed(rss_data(count_question(), summary_question()), RSS_FILE)
    assert validate_cycle(cycle_of(kommun, rss)) == []


def test_it_refuses_an_rss_source_questionnaire_that_is_missing() -> None:
    rss = parsed(rss_data(count_question()), RSS_FILE)
    problems = validate_cycle(cycle_of(rss))
    refusal(problems, "1", "källenkäten 'kommun' finns inte", file=RSS_FILE)


def test_it_refuses_an_rss_source_questionnaire_not_sent_to_kommuner() -> None:
    region = parsed(kommun_data(audience="region", key="region"), "2031/region.yaml")
    rss = parsed(rss_data(count_question(questionnaire="region")), RSS_FILE)
    problems = validate_cycle(cycle_of(region, rss))
    refusal(problems, "1", "källenkäten 'region' går inte till kommuner", file=RSS_FILE)


def test_it_refuses_an_rss_source_variable_that_is_missing() -> None:
    kommun = parsed(kommun_data(), KOMMUN_FILE)
    rss = parsed(rss_data(count_question(variable="k99_saknas")), RSS_FILE)
    problems = validate_cycle(cycle_of(kommun, rss))
    refusal(
        problems,
        "1",
        "kommunfrågan 'k99_saknas' finns inte i 2031/kommun.yaml",
        file=RSS_FILE,
    )


def test_it_refuses_a_kommun_count_of_a_text_question() -> None:
    kommun = parsed(kommun_data(), KOMMUN_FILE)
    rss = parsed(rss_data(count_question(variable="k02_beskriv")), RSS_FILE)
    problems = validate_cycle(cycle_of(kommun, rss))
    refusal(
        problems, "1", "kommunfrågan 2 (text)", "inga svarsalternativ", file=RSS_FILE
    )


def test_it_refuses_a_kommun_text_summary_of_a_yes_no_question() -> None:
    kommun = parsed(kommun_data(), KOMMUN_FILE)
    rss = parsed(rss_data(summary_question(variable="k01_samverkan")), RSS_FILE)
    problems = validate_cycle(cycle_of(kommun, rss))
    refusal(problems, "2", "kommunfrågan 1 är inte en fritextfråga", file=RSS_FILE)


# --- lineage across cycles -----------------------------------------------------------


def lineage_cycle(
    kind: str = "yes_no", comparability: str = "new", year: int = 2031
) -> CycleDef:
    data = questionnaire_data(
        question(
            "1", "q1_malbild", kind, lineage="malbild", comparability=comparability
        )
    )
    return cycle_of(parsed(data), year=year)


def earlier(
    year: int,
    kind: str = "yes_no",
    lineage: str = "malbild",
    key: str = "provenkat",
) -> PreviousQuestion:
    return PreviousQuestion(
        year=year,
        questionnaire_key=key,
        lineage_key=lineage,
        kind=kind,
        variable=f"gammal_{year}",
    )


def test_an_unchanged_question_in_the_next_cycle_passes() -> None:
    assert lineage_problems(lineage_cycle(comparability="same"), [earlier(2030)]) == []


def test_it_refuses_a_kind_change_under_the_same_lineage_key() -> None:
    problems = lineage_problems(
        lineage_cycle(comparability="same"), [earlier(2030, kind="text")]
    )
    problem = refusal(problems, "1", "linjenyckeln 'malbild'", "var av typen text 2030")
    assert "är yes_no nu" in problem.message
    assert len(problems) == 1


def test_it_detects_a_kind_change_against_the_latest_cycle_with_the_key() -> None:
    previous = [
        earlier(2026, kind="yes_no"),
        earlier(2028, kind="text"),
        # 2030 had a cycle, but not this questionnaire.
        earlier(2030, kind="integer", key="region"),
    ]
    problems = lineage_problems(lineage_cycle(comparability="same"), previous)
    refusal(problems, "1", "linjenyckeln 'malbild'", "typen text 2028", "yes_no nu")
    assert len(problems) == 1


def test_it_ignores_the_same_lineage_key_in_another_questionnaire() -> None:
    previous = [earlier(2030, kind="text", key="region")]
    assert lineage_problems(lineage_cycle(), previous) == []


def test_it_refuses_same_comparability_when_the_key_is_new_since_last_year() -> None:
    previous = [earlier(2030, kind="text", lineage="annat")]
    problems = lineage_problems(lineage_cycle(comparability="same"), previous)
    refusal(problems, "1", "comparability är same", "'malbild' fanns inte 2030")
    assert len(problems) == 1


def test_it_refuses_new_comparability_when_the_key_existed_last_year() -> None:
    problems = lineage_problems(lineage_cycle(comparability="new"), [earlier(2030)])
    refusal(problems, "1", "comparability är new", "'malbild' fanns 2030")
    assert len(problems) == 1


@pytest.mark.parametrize("comparability", ["new", "same", "wording_changed"])
def test_it_does_not_check_comparability_without_a_preceding_year(
    comparability: str,
) -> None:
    previous = [earlier(2028), earlier(2030, lineage="malbild", key="region")]
    assert lineage_problems(lineage_cycle(comparability=comparability), previous) == []


def test_it_ignores_later_cycles_in_the_lineage_check() -> None:
    previous = [earlier(2032, kind="text")]
    assert lineage_problems(lineage_cycle(), previous) == []


# --- reading a cycle directory ---------------------------------------------------------


def write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def bad_data() -> dict[str, Any]:
    data = questionnaire_data(key="trasig")
    numbered(data, "3")["options"].append({"code": "a", "label": "A igen"})
    return data


@pytest.fixture
def cycle_dir(tmp_path: Path) -> Path:
    """A 2031 cycle with one valid questionnaire, to which a test adds more."""
    directory = tmp_path / "2031"
    directory.mkdir()
    write_yaml(
        directory / "cycle.yaml",
        {
            "year": 2031,
            "name": "Provomgång 2031",
            "reference_period": "Kalenderåret 2031",
        },
    )
    write_yaml(directory / "good.yaml", questionnaire_data())
    return directory


def test_a_directory_of_valid_files_is_read(cycle_dir: Path) -> None:
    cycle = read_cycle_directory(cycle_dir)
    assert cycle.year == 2031
    assert [q.file for q in cycle.questionnaires] == ["2031/good.yaml"]


def test_one_invalid_file_refuses_the_directory_and_is_named(cycle_dir: Path) -> None:
    write_yaml(cycle_dir / "bad.yaml", bad_data())
    with pytest.raises(DefinitionError) as refused:
        read_cycle_directory(cycle_dir)
    problems = refused.value.problems
    refusal(
        problems,
        "3",
        "koden i options 'a' förekommer mer än en gång",
        file="2031/bad.yaml",
    )
    assert {p.file for p in problems} == {"2031/bad.yaml"}


def test_invalid_yaml_is_refused_naming_the_file(cycle_dir: Path) -> None:
    (cycle_dir / "bad.yaml").write_text("key: [trasig\ntitle: x\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as refused:
        read_cycle_directory(cycle_dir)
    refusal(
        refused.value.problems, "", "går inte att läsa som YAML", file="2031/bad.yaml"
    )


def test_a_cycle_year_that_does_not_match_the_directory_is_refused(
    cycle_dir: Path,
) -> None:
    write_yaml(
        cycle_dir / "cycle.yaml",
        {
            "year": 2030,
            "name": "Provomgång 2030",
            "reference_period": "Kalenderåret 2030",
        },
    )
    with pytest.raises(DefinitionError) as refused:
        read_cycle_directory(cycle_dir)
    refusal(
        refused.value.problems,
        "",
        "året 2030 stämmer inte med mappen 2031",
        file="2031/cycle.yaml",
    )


def test_cross_file_problems_are_found_when_reading_a_directory(
    cycle_dir: Path,
) -> None:
    write_yaml(cycle_dir / "rss.yaml", rss_data(count_question()))
    with pytest.raises(DefinitionError) as refused:
        read_cycle_directory(cycle_dir)
    refusal(
        refused.value.problems,
        "1",
        "källenkäten 'kommun' finns inte",
        file="2031/rss.yaml",
    )


# --- loading ------------------------------------------------------------------------


def test_load_questionnaires_writes_nothing_when_one_file_is_invalid(
    db: None, cycle_dir: Path
) -> None:
    write_yaml(cycle_dir / "bad.yaml", bad_data())
    root = cycle_dir.parent
    with pytest.raises(DefinitionError) as refused:
        load_questionnaires(root)
    refusal(
        refused.value.problems,
        "3",
        "koden i options 'a' förekommer mer än en gång",
        file=f"{root.name}/2031/bad.yaml",
    )
    assert Questionnaire.objects.filter(cycle__year=2031).count() == 0
    assert not Cycle.objects.filter(year=2031).exists()


def test_load_questionnaires_loads_a_valid_directory(db: None, cycle_dir: Path) -> None:
    report = load_questionnaires(cycle_dir.parent)
    assert report.loaded == [f"{cycle_dir.parent.name}/2031/good.yaml"]
    loaded = Questionnaire.objects.get(cycle__year=2031, key="provenkat")
    assert loaded.questions.count() == len(base_questions())


def test_the_loader_links_a_count_to_a_later_percentage_question(
    db: None, cycle_dir: Path
) -> None:
    # The percentage question after the count it belongs to: linked all the same.
    data = questionnaire_data(
        question(
            "1",
            "q1_antal",
            "integer",
            plausibility={"counts": "population", "percentage_question": "q2_andel"},
        ),
        question("2", "q2_andel", "percentage"),
    )
    write_yaml(cycle_dir / "good.yaml", data)
    load_questionnaires(cycle_dir.parent)
    from surveys.models import Question

    count = Question.objects.get(questionnaire__cycle__year=2031, variable="q1_antal")
    assert count.counts_population is True
    assert count.percentage_question is not None
    assert count.percentage_question.variable == "q2_andel"

    # Removing the declaration from the file removes the link on reload.
    numbered(data, "1").pop("plausibility")
    write_yaml(cycle_dir / "good.yaml", data)
    load_questionnaires(cycle_dir.parent)
    count.refresh_from_db()
    assert (count.counts_population, count.percentage_question) == (False, None)


def test_a_refusal_while_writing_rolls_back_every_file_of_the_load(
    cycle_dir: Path, region: Organisation, staff_user: User
) -> None:
    load_questionnaires(cycle_dir.parent)
    loaded = Questionnaire.objects.get(cycle__year=2031, key="provenkat")
    save_answers(
        get_or_create_response(loaded, organisation=region, channel=Channel.IMPORT),
        actor=staff_user,
        channel=Channel.IMPORT,
        values={"q7_fritext": "Ett svar."},
    )
    # The new questionnaire is written first; good.yaml then drops an answered
    # question, which only the write can see.
    write_yaml(cycle_dir / "a_ny.yaml", questionnaire_data(key="ny"))
    without_7 = questionnaire_data(*[q for q in base_questions() if q["number"] != "7"])
    write_yaml(cycle_dir / "good.yaml", without_7)
    write_yaml(
        cycle_dir / "cycle.yaml",
        {"year": 2031, "name": "Nytt namn", "reference_period": "Kalenderåret 2031"},
    )
    with pytest.raises(DefinitionError, match="q7_fritext har svar"):
        load_questionnaires(cycle_dir.parent)
    assert Cycle.objects.get(year=2031).name == "Provomgång 2031"
    assert list(
        Questionnaire.objects.filter(cycle__year=2031).values_list("key", flat=True)
    ) == ["provenkat"]
    assert loaded.questions.filter(variable="q7_fritext").exists()


def test_the_command_refuses_a_bad_file_and_names_it(db: None, cycle_dir: Path) -> None:
    write_yaml(cycle_dir / "bad.yaml", bad_data())
    root = cycle_dir.parent
    with pytest.raises(CommandError) as refused:
        call_command("load_questionnaires", "--directory", str(root))
    message = str(refused.value)
    assert message.startswith("Ingenting lästes in")
    assert f"{root.name}/2031/bad.yaml, fråga 3: koden i options 'a'" in message
    assert not Cycle.objects.filter(year=2031).exists()


def test_the_command_checks_the_shipped_definitions() -> None:
    out = StringIO()
    call_command("load_questionnaires", "--check", stdout=out)
    cycles = [p for p in DEFINITIONS_DIR.iterdir() if (p / "cycle.yaml").exists()]
    files = [f for c in cycles for f in c.glob("*.yaml") if f.name != "cycle.yaml"]
    assert out.getvalue().strip() == (
        f"{len(files)} enkäter i {len(cycles)} omgångar är giltiga."
    )
