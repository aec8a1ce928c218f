"""intake.selectors.questions_of: a questionnaire's structure is built once per
process and content (issue #20), and never served stale after a reload."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.forms import ResponseForm
from intake.models import Response
from intake.selectors import StructureKey, questions_of, structure_key
from surveys.models import Cycle, Questionnaire, Region, User
from surveys.services.questionnaires import DEFINITIONS_DIR, load_questionnaires

pytestmark = pytest.mark.django_db


def questionnaire_2019() -> Questionnaire:
    return Questionnaire.objects.get(cycle=Cycle.objects.get(year=2019), key="kommun")


def test_the_structure_is_built_once_and_each_caller_gets_its_own_list() -> None:
    questionnaire = questionnaire_2019()
    with CaptureQueriesContext(connection) as first:
        built = questions_of(questionnaire)
    with CaptureQueriesContext(connection) as again:
        reused = questions_of(questionnaire)
    with CaptureQueriesContext(connection) as by_id:
        by_pk = questions_of(questionnaire.pk)
    assert (len(first), len(again), len(by_id)) == (3, 0, 1)
    assert [q.variable for q in reused] == [q.variable for q in built]
    assert [q.pk for q in by_pk] == [q.pk for q in built]
    # A caller reordering its list leaves the next caller's order alone.
    reused.reverse()
    assert questions_of(questionnaire)[0].pk == built[0].pk
    # Options and rows come with the structure: no query when they are read.
    with CaptureQueriesContext(connection) as reading:
        for question in built:
            list(question.options.all())
            list(question.rows.all())
            question.section.title  # noqa: B018
    assert len(reading) == 0


def test_a_reloaded_questionnaire_is_never_served_stale(tmp_path: Path) -> None:
    before = {q.number: q.text for q in questions_of(questionnaire_2019())}
    assert before["3a"] == "Kommentarer:"
    definitions = tmp_path / "questionnaires"
    shutil.copytree(DEFINITIONS_DIR, definitions)
    path = definitions / "2019/kommun.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Kommentarer:", "Kommentar:"),
        encoding="utf-8",
    )
    assert load_questionnaires(definitions).loaded == [
        "questionnaires/2019/kommun.yaml"
    ]
    # Read afresh, as the next request would, and by id, as the selectors do.
    after = {q.number: q.text for q in questions_of(questionnaire_2019())}
    assert after["3a"] == "Kommentar:"
    assert {q.number: q.text for q in questions_of(questionnaire_2019().pk)} == after


def test_the_form_shows_the_reloaded_wording(
    client: Client, region_user: User, region: Region, tmp_path: Path
) -> None:
    """End to end: a page rendered before a reload does not pin the old text."""
    client.force_login(region_user)
    questionnaire = Questionnaire.objects.get(cycle__year=2024, key="region")
    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    first = client.get(url).content.decode()
    definitions = tmp_path / "questionnaires"
    shutil.copytree(DEFINITIONS_DIR, definitions)
    path = definitions / "2024/region.yaml"
    text = path.read_text(encoding="utf-8")
    # The first question whose wording stands on one line of the file.
    old = next(
        q.text for q in questions_of(questionnaire) if f"text: {q.text}\n" in text
    )
    assert old in first
    path.write_text(text.replace(old, old + " (omformulerad)", 1), encoding="utf-8")
    assert "questionnaires/2024/region.yaml" in load_questionnaires(definitions).loaded
    assert old + " (omformulerad)" in client.get(url).content.decode()
    assert not Response.objects.filter(questionnaire=questionnaire).exists()


def test_the_forms_of_one_structure_share_its_fields_and_keep_their_own_values(
    tmp_path: Path,
) -> None:
    """The form's fields are built once per structure (intake.forms, issue #20):
    the same names in the same order as a form built afresh, values and errors
    per form, and new fields once the questionnaire is reloaded."""
    questionnaire = questionnaire_2019()
    key = structure_key(questionnaire)
    text_question = next(q for q in questions_of(questionnaire) if q.kind == "text")

    def form(value: str, key: StructureKey | None = key) -> ResponseForm:
        return ResponseForm(
            questions_of(questionnaire),
            key=key,
            answers={},
            version=0,
            data={"version": "0", text_question.variable: value},
        )

    # A NUL character is refused with the service's own message
    # (plain_unholdable_fields), on shared fields as on fresh ones.
    wrong, right = form("a\x00b"), form("Bra")
    fresh = form("a\x00b", key=None)
    assert list(wrong.fields) == list(fresh.fields)
    assert wrong.fields[text_question.variable] is right.fields[text_question.variable]
    assert (
        fresh.fields[text_question.variable] is not wrong.fields[text_question.variable]
    )
    for f in (wrong, right, fresh):
        f.is_valid()
        f.answer_values()
    assert wrong.errors[text_question.variable] == fresh.errors[text_question.variable]
    assert text_question.variable not in right.errors
    assert right.answer_values()[text_question.variable] == "Bra"
    assert "Null" not in str(wrong.errors[text_question.variable])

    definitions = tmp_path / "questionnaires"
    shutil.copytree(DEFINITIONS_DIR, definitions)
    path = definitions / "2019/kommun.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Kommentarer:", "Kommentar:"),
        encoding="utf-8",
    )
    load_questionnaires(definitions)
    questionnaire = questionnaire_2019()
    reloaded = form("Bra", key=structure_key(questionnaire))
    assert structure_key(questionnaire) != key
    assert (
        reloaded.fields[text_question.variable]
        is not right.fields[text_question.variable]
    )
