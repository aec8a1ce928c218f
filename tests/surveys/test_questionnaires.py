"""The shipped questionnaire definitions, loaded into the database (issue #2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from intake.models import Channel
from intake.services import get_or_create_response, save_answers
from surveys.definitions.records import DefinitionError
from surveys.models import (
    Comparability,
    Kommun,
    Question,
    QuestionKind,
    Questionnaire,
    User,
)
from surveys.services.questionnaires import DEFINITIONS_DIR, load_questionnaires

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures/region_2024_published.json"
PUBLISHED_REGION_NUMBERS = [
    "2", "4", "5", "6", "7", "8", "9", "10", "11", "13", "14", "15", "18", "19",
    "20", "21", "26", "28", "29", "29a", "30", "33", "34", "35", "36", "38",
]  # fmt: skip


def questionnaire(year: int, key: str) -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=year, key=key)


def test_every_shipped_questionnaire_is_loaded() -> None:
    loaded = set(Questionnaire.objects.values_list("cycle__year", "key", "audience"))
    assert loaded == {
        (2019, "kommun", "kommun"),
        (2024, "region", "region"),
        (2024, "kommun", "kommun"),
        (2024, "rss", "rss"),
        (2024, "kommun-extra", "kommun"),
    }
    extra = questionnaire(2024, "kommun-extra")
    assert extra.is_supplementary
    assert (extra.opens_on.isoformat(), extra.closes_on.isoformat()) == (
        "2025-03-20",
        "2025-04-11",
    )


def test_the_region_questionnaire_has_every_published_question_verbatim() -> None:
    region = questionnaire(2024, "region")
    published = {
        q.number: q
        for q in region.questions.filter(number__in=PUBLISHED_REGION_NUMBERS)
    }
    assert sorted(published) == sorted(PUBLISHED_REGION_NUMBERS)
    assert all(not q.reconstructed for n, q in published.items() if n != "29a")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for item in golden["questions"]:
        question = published[item["number"]]
        if question.kind == QuestionKind.MATRIX:
            # The golden file prints a matrix column as "<text> – <row>" or with the
            # row in place of the text's ellipsis.
            rows = [r.label for r in question.rows.all()]
            assert item["column"] in rows, (item["number"], item["column"])
        else:
            assert question.text == item["text"], item["number"]
        if question.kind in (QuestionKind.PERCENTAGE, QuestionKind.INTEGER):
            # The golden file lists the number range and the escape answer.
            assert question.escape_label == item["options"][-1], item["number"]
        else:
            options = [o.label for o in question.options.all()]
            assert options == item["options"], item["number"]


def test_the_region_questionnaire_marks_reconstructed_items() -> None:
    region = questionnaire(2024, "region")
    reconstructed = region.questions.filter(reconstructed=True)
    assert reconstructed.count() >= 28
    assert all(q.source_note for q in reconstructed)
    # RI-01 (contact details) is recorded per response, not asked as a question.
    assert not region.questions.filter(text__icontains="kontaktuppgifter").exists()


def test_region_follow_ups_and_escape_answers_are_defined() -> None:
    region = questionnaire(2024, "region")
    q2 = region.questions.get(number="2")
    q2a = region.questions.get(number="2a")
    assert q2a.parent == q2
    assert q2a.condition == {"question": q2.variable, "equals": "ja"}
    q29a = region.questions.get(number="29a")
    assert q29a.kind == QuestionKind.MULTIPLE_CHOICE
    assert q29a.options.count() == 6
    q35 = region.questions.get(number="35")
    assert (q35.kind, q35.escape_label, q35.national_figure) == (
        QuestionKind.PERCENTAGE,
        "Andelen kan inte uppskattas",
        "mean",
    )
    assert (q35.min_value, q35.max_value, q35.reference_text) == (
        0,
        100,
        "31 december 2024",
    )
    q36 = region.questions.get(number="36")
    assert (q36.kind, q36.escape_label, q36.national_figure) == (
        QuestionKind.INTEGER,
        "Antalet kan inte uppskattas",
        "sum",
    )
    q13 = region.questions.get(number="13")
    assert [o.code for o in q13.options.all()] == ["ja", "delvis", "nej"]
    assert q13.rows.count() == 3
    assert (
        region.questions.get(number="4").comparability == Comparability.WORDING_CHANGED
    )


def test_rss_aggregate_questions_point_at_kommun_questions_with_copied_options() -> (
    None
):
    rss = questionnaire(2024, "rss")
    counts = rss.questions.filter(kind=QuestionKind.KOMMUN_COUNT).select_related(
        "source_question__questionnaire"
    )
    assert counts.count() >= 8
    for question in counts:
        source = question.source_question
        assert source is not None and source.questionnaire.audience == "kommun"
        assert source.questionnaire.cycle_id == rss.cycle_id
        assert source.is_closed
        assert list(question.options.values_list("code", "label")) == list(
            source.options.values_list("code", "label")
        )
        assert list(question.rows.values_list("code", flat=True)) == list(
            source.rows.values_list("code", flat=True)
        )
    summaries = rss.questions.filter(kind=QuestionKind.KOMMUN_TEXT_SUMMARY)
    assert summaries.exists()
    assert all(q.source_question.kind == QuestionKind.TEXT for q in summaries)  # type: ignore[union-attr]
    # The summary of what the follow-ups showed draws on the supplementary question.
    assert (
        summaries.filter(source_question__questionnaire__key="kommun-extra").count()
        == 1
    )


def test_the_kommun_helper_questionnaire_has_the_28_areas() -> None:
    kommun = questionnaire(2024, "kommun")
    areas = kommun.questions.get(kind=QuestionKind.MULTIPLE_CHOICE, number="2")
    assert areas.options.count() == 28
    assert areas.options.filter(is_other=True).count() == 1
    assert 20 <= kommun.questions.count() <= 32


def test_the_2019_kommun_questionnaire_is_verbatim() -> None:
    kommun = questionnaire(2019, "kommun")
    numbers = list(kommun.questions.values_list("number", "kind"))
    assert numbers == [
        ("1", "matrix"),
        ("2", "yes_no"),
        ("2a", "yes_no"),
        ("3", "matrix"),
        ("3a", "text"),
        ("4", "text"),
    ]
    q3 = kommun.questions.get(number="3")
    assert list(q3.rows.values_list("label", flat=True)) == [
        "Sjuksköterska",
        "Specialistsjuksköterska",
        "Fysioterapeut",
        "Arbetsterapeut",
        "Dietist",
        "Farmaceut",
    ]
    assert list(q3.options.values_list("code", flat=True)) == [
        "brist", "balans", "overskott", "vet_inte", "finns_ej",
    ]  # fmt: skip
    q2a = kommun.questions.get(number="2a")
    assert q2a.condition == {"question": "q2_malbild", "equals": "nej"}
    assert not kommun.questions.filter(required=True).exists()


def test_loading_again_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    report = load_questionnaires()
    assert report.loaded == []
    assert len(report.unchanged) == 5
    call_command("load_questionnaires")
    assert "Oförändrad: questionnaires/2024/region.yaml" in capsys.readouterr().out


@pytest.fixture
def definitions_copy(tmp_path: Path) -> Path:
    """The shipped definitions, copied so a test can edit them."""
    target = tmp_path / "questionnaires"
    shutil.copytree(DEFINITIONS_DIR, target)
    return target


@pytest.fixture
def answered_2019(staff_user: User) -> Questionnaire:
    q2019 = questionnaire(2019, "kommun")
    response = get_or_create_response(
        q2019, organisation=Kommun.objects.get(code="0980")
    )
    save_answers(
        response,
        actor=staff_user,
        channel=Channel.IMPORT,
        values={"q2_malbild": "nej", "q4_atgarder": "Hyrpersonal."},
    )
    return q2019


def test_a_reload_may_change_wording_of_answered_questions(
    definitions_copy: Path, answered_2019: Questionnaire
) -> None:
    path = definitions_copy / "2019/kommun.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Kommentarer:", "Kommentar:"),
        encoding="utf-8",
    )
    report = load_questionnaires(definitions_copy)
    assert report.loaded == ["questionnaires/2019/kommun.yaml"]
    assert answered_2019.questions.get(number="3a").text == "Kommentar:"


def test_a_reload_refuses_to_remove_an_answered_question(
    definitions_copy: Path, answered_2019: Questionnaire
) -> None:
    path = definitions_copy / "2019/kommun.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index('      - number: "4"')
    path.write_text(text[:start], encoding="utf-8")
    with pytest.raises(
        DefinitionError, match="q4_atgarder har svar och kan inte tas bort"
    ):
        load_questionnaires(definitions_copy)
    assert answered_2019.questions.filter(variable="q4_atgarder").exists()


def test_a_reload_refuses_to_change_the_kind_of_an_answered_question(
    definitions_copy: Path, answered_2019: Questionnaire
) -> None:
    path = definitions_copy / "2019/kommun.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "        variable: q4_atgarder\n        kind: text\n",
        "        variable: q4_atgarder\n        kind: yes_no\n",
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as refused:
        load_questionnaires(definitions_copy)
    assert [(p.question, p.message) for p in refused.value.problems] == [
        ("4", "frågan har svar som text; typen kan inte ändras till yes_no")
    ]
    assert (
        Question.objects.get(questionnaire=answered_2019, variable="q4_atgarder").kind
        == "text"
    )


def test_a_reload_refuses_to_remove_an_answered_option(
    definitions_copy: Path, answered_2019: Questionnaire, staff_user: User
) -> None:
    response = answered_2019.responses.get()
    save_answers(
        response,
        actor=staff_user,
        channel=Channel.IMPORT,
        values={"q3_balans": {"ssk": "finns_ej"}},
    )
    path = definitions_copy / "2019/kommun.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "          - {code: finns_ej, label: Finns inte i kommunens verksamhet}\n", ""
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        DefinitionError, match="options finns_ej har svar och kan inte tas bort"
    ):
        load_questionnaires(definitions_copy)
    q3 = answered_2019.questions.get(variable="q3_balans")
    assert q3.options.filter(code="finns_ej").exists()


def test_a_reload_refuses_a_kind_change_under_the_same_lineage_in_a_later_cycle(
    definitions_copy: Path,
) -> None:
    later = definitions_copy / "2025"
    later.mkdir()
    (later / "cycle.yaml").write_text(
        "year: 2025\nname: Omgång 2025\nreference_period: Kalenderåret 2025\n",
        encoding="utf-8",
    )
    region_2024 = (definitions_copy / "2024/region.yaml").read_text(encoding="utf-8")
    q2 = questionnaire(2024, "region").questions.get(number="2")
    (later / "region.yaml").write_text(
        f"""key: region
audience: region
title: Enkät till regionerna 2025
opens_on: 2025-11-28
closes_on: 2026-03-31
sections:
  - key: allmant
    title: Allmänt
    questions:
      - number: "2"
        variable: r02_ny
        kind: text
        text: Beskriv vad regionen har breddinfört.
        label: Breddinförande
        lineage: {q2.lineage_key}
        comparability: options_changed
""",
        encoding="utf-8",
    )
    assert "region" in region_2024
    with pytest.raises(DefinitionError) as refused:
        load_questionnaires(definitions_copy)
    (problem,) = refused.value.problems
    assert problem.file == "questionnaires/2025/region.yaml"
    assert problem.question == "2"
    assert (
        f"linjenyckeln '{q2.lineage_key}' var av typen yes_no 2024" in problem.message
    )
    assert not Questionnaire.objects.filter(cycle__year=2025).exists()
