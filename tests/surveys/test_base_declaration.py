"""A closed question declares the base of its shares (`base:`, issue #16
point 4): parsed, refused where it cannot apply, and loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from surveys.models import BaseConvention, Question
from surveys.services.questionnaires import load_questionnaires
from tests.surveys.test_definitions import (
    numbered,
    parsed,
    problems_of,
    questionnaire_data,
    refusal,
)
from tests.surveys.test_footnotes import question, write_cycle


def with_base(number: str, base: Any) -> dict[str, Any]:
    data = questionnaire_data()
    numbered(data, number)["base"] = base
    return data


@pytest.mark.parametrize(
    "number", ["1", "2", "3", "4"]
)  # yes/no, single, multiple, matrix
def test_a_closed_question_may_be_of_the_frame(number: str) -> None:
    questionnaire = parsed(with_base(number, "frame"))
    declared = [q for q in questionnaire.questions if q.number == number]
    assert declared[0].base_convention == "frame"
    others = {q.base_convention for q in questionnaire.questions if q.number != number}
    assert others == {"answered"}


@pytest.mark.parametrize("number", ["5", "7"])  # percentage, text
def test_it_refuses_the_frame_on_a_question_without_options(number: str) -> None:
    refusal(problems_of(with_base(number, "frame")), number, "base: frame gäller bara")


def test_it_refuses_an_unknown_convention() -> None:
    refusal(
        problems_of(with_base("1", "alla")), "1", "base ska vara en av answered, frame"
    )


def test_the_loader_stores_the_convention(db: None, tmp_path: Path) -> None:
    write_cycle(
        tmp_path,
        2031,
        question("1", "q1_ram", "yes_no", base="frame"),
        question("2", "q2_svar", "yes_no"),
    )
    load_questionnaires(tmp_path)
    stored = dict(
        Question.objects.filter(questionnaire__cycle__year=2031).values_list(
            "variable", "base_convention"
        )
    )
    assert stored == {
        "q1_ram": BaseConvention.FRAME,
        "q2_svar": BaseConvention.ANSWERED,
    }
