"""Rendering and saving the form make the same number of queries whatever the
number of questions (docs/conventions.md §15): pinned at two questionnaire sizes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from surveys.models import (
    Cycle,
    MatrixRow,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
    Region,
    Section,
    User,
)

pytestmark = pytest.mark.django_db

KINDS = ["yes_no", "matrix", "multiple_choice", "percentage", "text"]


def build_questionnaire(size: int) -> Questionnaire:
    """A questionnaire with `size` groups of one question of each kind and a follow-up."""
    cycle, _ = Cycle.objects.get_or_create(
        year=2060 + size,
        defaults={"name": f"Mätomgång {size}", "reference_period": "2060"},
    )
    questionnaire = Questionnaire.objects.create(
        cycle=cycle,
        key="region",
        audience="region",
        title=f"Mätenkät {size}",
        opens_on=datetime.date(2020, 1, 1),
        closes_on=datetime.date(2060, 3, 31),
        source_file="bench",
        content_hash="bench",
    )
    position = 0
    for group in range(size):
        section = Section.objects.create(
            questionnaire=questionnaire,
            key=f"s{group}",
            position=group,
            title=f"Avsnitt {group}",
        )
        parent = None
        for kind in KINDS:
            position += 1
            question = Question.objects.create(
                questionnaire=questionnaire,
                section=section,
                position=position,
                number=str(position),
                variable=f"v{position}",
                kind=kind,
                text=f"Fråga {position}",
                label=f"Fråga {position}",
                reference_period="calendar_year",
                lineage_key=f"v{position}",
                comparability="new",
                escape_label="Andelen kan inte uppskattas"
                if kind == "percentage"
                else "",
                min_value=0 if kind == "percentage" else None,
                max_value=100 if kind == "percentage" else None,
                max_length=4000 if kind == "text" else None,
                condition={"question": parent.variable, "equals": "ja"}
                if kind == "text" and parent
                else None,
            )
            if kind in ("yes_no", "matrix", "multiple_choice"):
                Option.objects.bulk_create(
                    [Option(question=question, position=1, code="ja", label="Ja"),
                     Option(question=question, position=2, code="nej", label="Nej")]
                )  # fmt: skip
            if kind == "matrix":
                MatrixRow.objects.bulk_create(
                    [
                        MatrixRow(
                            question=question,
                            position=i,
                            code=f"r{i}",
                            label=f"Rad {i}",
                        )
                        for i in range(3)
                    ]
                )
            if kind == "yes_no":
                parent = question
    return questionnaire


def post_data(
    questionnaire: Questionnaire, version: int, text: str = "Text"
) -> dict[str, Any]:
    data: dict[str, Any] = {"version": version, "action": "save"}
    for question in questionnaire.questions.prefetch_related("rows"):
        if question.kind == QuestionKind.YES_NO:
            data[question.variable] = "ja"
        elif question.kind == QuestionKind.MATRIX:
            for row in question.rows.all():
                data[f"{question.variable}__{row.code}"] = "nej"
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            data[question.variable] = ["ja", "nej"]
        elif question.kind == QuestionKind.PERCENTAGE:
            data[question.variable] = "55,5"
        else:
            data[question.variable] = text
    return data


def count_queries(
    client: Client, questionnaire: Questionnaire, region: Region
) -> tuple[int, ...]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    autosave = reverse("intake:response-autosave", args=[questionnaire.pk, region.pk])
    with CaptureQueriesContext(connection) as first_save:
        assert client.post(url, post_data(questionnaire, 0)).status_code == 302
    with CaptureQueriesContext(connection) as render:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as resave:
        assert client.post(url, post_data(questionnaire, 1)).status_code == 302
    # Every text changed: answers and history written in bulk, whatever the size.
    with CaptureQueriesContext(connection) as changed:
        assert client.post(url, post_data(questionnaire, 1, "Ny")).status_code == 302
    with CaptureQueriesContext(connection) as autosaved:
        data = post_data(questionnaire, 2, "Autosparad")
        assert client.post(autosave, data).status_code == 200
    return tuple(len(q) for q in (first_save, render, resave, changed, autosaved))


def test_the_form_makes_the_same_number_of_queries_at_two_sizes(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    # 10 and 40 questions. SQLite caps the variables in one statement, so a bulk
    # insert of more than about 80 answer rows is split in two there (one
    # statement on PostgreSQL): the larger size stays under that cap.
    small = count_queries(client, build_questionnaire(2), region)
    large = count_queries(client, build_questionnaire(8), region)
    assert small == large
    # Pinned so that a new query shows up in review: first save, render, unchanged re-save.
    assert small == (
        EXPECTED_POSTGRESQL if connection.vendor == "postgresql" else EXPECTED
    )


# The per-question merge (intake.merge, issue #13), in a savepoint of its own,
# locks and reads the version, reads the stored answers and the changes since the
# page's version before writing, whatever the size. The unchanged re-save writes nothing at
# all now (no new version, no history).
# The first save builds the questionnaire's structure (3 queries,
# intake.selectors.questions_of); the render and the re-saves reuse it.
# The page reads the organisation's own deadline (an extension, issue #15): one
# query.
# Issue #20: a save reads the stored answers once, under the lock, hands them to
# save_answers and takes the answers after the save from it instead of reading
# them back; it sets the new version from its own UPDATE; the channel comes from
# the access gateway's read of the user's organisations; and a posted form does
# not read the stored answers to fill its fields. Round two: the answers are
# written in the merge's transaction without a savepoint of their own (2 fewer
# for a save that writes), and contact details that did not change open no
# transaction (2 fewer for every save). These posts carry no bases, so the merge
# still reads the history since the page's version (a browser's save does not:
# tests/intake/test_autosave_query_budget.py). And the access gateway reads an
# existing response with its questionnaire and organisation in one query (issue
# #20): two fewer for every request but the first save, which creates the
# response; and it asks in that same query whether the user has a role of the
# organisation's own (one fewer again; the first save still reads the roles).
# Round four: the merge locks the response and reads its answers in one
# statement (one fewer for every save).
EXPECTED = (24, 5, 9, 13, 13)
# On PostgreSQL one statement replaces the changed answers (updating in place
# those whose cell stays, intake.services.answer_sql.write_rows) where the
# others run a DELETE and an INSERT: one fewer for each save that changes
# answers (the first save only inserts). And that statement also inserts the
# history rows (intake.services.answer_sql.write_rows), where a COPY followed
# it: one fewer again for each save that writes.
EXPECTED_POSTGRESQL = (23, 5, 9, 11, 11)
