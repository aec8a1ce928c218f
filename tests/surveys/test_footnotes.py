"""A question's footnotes (issue #16 point 3): declared in its questionnaire
file, and the comparability note the loader adds for a wording or option
change against the previous cycle (surveys/definitions/footnotes.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from surveys.definitions.records import DefinitionError
from surveys.models import Question, Questionnaire
from surveys.services.questionnaires import load_questionnaires
from tests.surveys.test_definitions import (
    numbered,
    parsed,
    problems_of,
    question,
    questionnaire_data,
    refusal,
    write_yaml,
)

CHANGED_SINCE_2030 = (
    "Frågans formulering har ändrats jämfört med 2030. "
    "Jämför med tidigare resultat med försiktighet."
)


def with_footnotes(footnotes: Any) -> dict[str, Any]:
    data = questionnaire_data()
    numbered(data, "1")["footnotes"] = footnotes
    return data


def test_a_question_declares_its_footnotes_in_order() -> None:
    questionnaire = parsed(
        with_footnotes(["Stockholm svarade för  hela länet.", "Uppgift från 2031."])
    )
    first = questionnaire.question("q1_janej")
    assert first is not None
    # Whitespace as YAML folds it is normalised to single spaces.
    assert first.footnotes == (
        "Stockholm svarade för hela länet.",
        "Uppgift från 2031.",
    )
    other = questionnaire.question("q2_val")
    assert other is not None and other.footnotes == ()


@pytest.mark.parametrize("footnotes", ["En fotnot.", [""], [1], {"a": "b"}])
def test_it_refuses_footnotes_that_are_not_a_list_of_texts(footnotes: Any) -> None:
    refusal(problems_of(with_footnotes(footnotes)), "1", "footnotes ska vara en lista")


def test_it_refuses_a_footnote_twice_and_a_too_long_one() -> None:
    refusal(problems_of(with_footnotes(["Samma.", "Samma."])), "1", "två gånger")
    refusal(problems_of(with_footnotes(["x" * 501])), "1", "högst 500 tecken")


def write_cycle(root: Path, year: int, *questions: dict[str, Any]) -> None:
    directory = root / str(year)
    directory.mkdir(exist_ok=True)
    write_yaml(
        directory / "cycle.yaml",
        {"year": year, "name": f"Provomgång {year}", "reference_period": str(year)},
    )
    data = questionnaire_data(*questions)
    data["title"] = f"Provenkät {year}"
    write_yaml(directory / "provenkat.yaml", data)


def footnotes_of(year: int, variable: str) -> list[str]:
    stored: list[str] = Question.objects.get(
        questionnaire__cycle__year=year, variable=variable
    ).footnotes
    return stored


def test_the_loader_notes_a_change_against_the_previous_cycle(
    db: None, tmp_path: Path
) -> None:
    write_cycle(tmp_path, 2030, question("1", "q1_plan", "yes_no"))
    write_cycle(
        tmp_path,
        2031,
        question(
            "1",
            "q1_plan",
            "yes_no",
            comparability="wording_changed",
            footnotes=["Avser beslutade planer."],
        ),
        question("2", "q2_ny", "yes_no"),
    )
    load_questionnaires(tmp_path)
    # The comparability note first, naming the year compared with; then the file's.
    assert footnotes_of(2031, "q1_plan") == [
        CHANGED_SINCE_2030,
        "Avser beslutade planer.",
    ]
    assert footnotes_of(2031, "q2_ny") == []
    assert footnotes_of(2030, "q1_plan") == []


def test_an_option_change_is_noted_and_a_reload_bumps_loaded_at(
    db: None, tmp_path: Path
) -> None:
    options = [{"code": "a", "label": "A"}, {"code": "b", "label": "B"}]
    write_cycle(
        tmp_path, 2030, question("1", "q1_val", "single_choice", options=options)
    )
    write_cycle(
        tmp_path,
        2031,
        question("1", "q1_val", "single_choice", options=options, comparability="same"),
    )
    load_questionnaires(tmp_path)
    assert footnotes_of(2031, "q1_val") == []
    loaded = Questionnaire.objects.get(cycle__year=2031)

    changed = [*options, {"code": "c", "label": "C"}]
    write_cycle(
        tmp_path,
        2031,
        question(
            "1",
            "q1_val",
            "single_choice",
            options=changed,
            comparability="options_changed",
        ),
    )
    load_questionnaires(tmp_path)
    assert footnotes_of(2031, "q1_val") == [
        "Svarsalternativen har ändrats jämfört med 2030. "
        "Jämför med tidigare resultat med försiktighet."
    ]
    # The cached question structures (intake.selectors.questions_of) are keyed
    # by content hash and loaded_at: both move.
    reloaded = Questionnaire.objects.get(pk=loaded.pk)
    assert reloaded.loaded_at > loaded.loaded_at
    assert reloaded.content_hash != loaded.content_hash


def test_the_shipped_region_question_changed_since_2023_carries_the_note(
    db: None,
) -> None:
    # Fråga 4 of 2024 (lansgemensam_plan) is declared wording_changed; the 2023
    # survey is not loaded, so the note names the previous survey in words.
    assert footnotes_of(2024, "r04_handlingsplan") == [
        "Frågans formulering har ändrats jämfört med föregående undersökning. "
        "Jämför med tidigare resultat med försiktighet."
    ]


def test_a_refused_footnote_loads_nothing(db: None, tmp_path: Path) -> None:
    write_cycle(tmp_path, 2031, question("1", "q1_plan", "yes_no", footnotes="En."))
    with pytest.raises(DefinitionError, match="footnotes ska vara en lista"):
        load_questionnaires(tmp_path)
    assert not Questionnaire.objects.filter(cycle__year=2031).exists()


def test_an_earlier_cycle_loaded_later_names_its_year_in_the_note(
    db: None, tmp_path: Path
) -> None:
    # 2031 first: no earlier cycle, so the note names the previous survey in words.
    write_cycle(
        tmp_path,
        2031,
        question("1", "q1_plan", "yes_no", comparability="wording_changed"),
    )
    load_questionnaires(tmp_path)
    assert footnotes_of(2031, "q1_plan") == [
        "Frågans formulering har ändrats jämfört med föregående undersökning. "
        "Jämför med tidigare resultat med försiktighet."
    ]
    loaded = Questionnaire.objects.get(cycle__year=2031)
    # Then 2030 is added: 2031's file is unchanged, but its note now has a year,
    # so it is written again (and its cached structures expire).
    write_cycle(tmp_path, 2030, question("1", "q1_plan", "yes_no"))
    report = load_questionnaires(tmp_path)
    assert footnotes_of(2031, "q1_plan") == [CHANGED_SINCE_2030]
    reloaded = Questionnaire.objects.get(pk=loaded.pk)
    assert reloaded.content_hash == loaded.content_hash
    assert reloaded.loaded_at > loaded.loaded_at
    assert report.unchanged == []
    # A third run changes nothing.
    assert load_questionnaires(tmp_path).loaded == []
