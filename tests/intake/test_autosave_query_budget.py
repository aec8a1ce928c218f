"""Autosave, and a save that changes every answer (the form's POST and the save in
place), make the same number of queries whatever the number of questions
(docs/conventions.md §15; issue #20 point 5):
the requests `make bench-compare` times besides the page itself.

The form's own page, first save and unchanged re-save are pinned in
test_query_budget.py; these post what the browser posts: the page's form data
(CSRF token, version, every question's base) with the answers changed, the
scripts' posts in either encoding they read."""

from __future__ import annotations

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import QuestionKind, Questionnaire, Region, User
from tests.intake.test_query_budget import build_questionnaire, post_data
from tests.script_posts import ScriptPost

pytestmark = pytest.mark.django_db


def page_data(client: Client, url: str) -> list[tuple[str, str]]:
    """The form's data as the browser would send it (checked boxes only)."""
    page = lxml.html.fromstring(client.get(url).content)
    form = next(f for f in page.forms if f.get("id") == "svarsformular")
    return list(form.form_values())


def changed(
    questionnaire: Questionnaire, data: list[tuple[str, str]], text: str
) -> list[tuple[str, str]]:
    """Every answer changed: the other alternative, another number and text."""
    values: dict[str, list[str]] = {}
    for question in questionnaire.questions.prefetch_related("rows"):
        v = question.variable
        if question.kind == QuestionKind.YES_NO:
            values[v] = ["ja"]  # keeps the follow-up shown
        elif question.kind == QuestionKind.MATRIX:
            for row in question.rows.all():
                values[f"{v}__{row.code}"] = ["ja"]
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            values[v] = ["ja"]
        elif question.kind == QuestionKind.PERCENTAGE:
            values[v] = ["44"]
        else:
            values[v] = [text]
    kept = [(k, v) for k, v in data if k not in values]
    return kept + [(k, v) for k, vs in values.items() for v in vs]


def count_queries(
    client: Client,
    questionnaire: Questionnaire,
    region: Region,
    script_post: ScriptPost,
) -> tuple[int, int, int]:
    args = [questionnaire.pk, region.pk]
    url = reverse("intake:response-edit", args=args)
    autosave_url = reverse("intake:response-autosave", args=args)
    save_draft_url = reverse("intake:response-save-draft", args=args)
    assert client.post(url, post_data(questionnaire, 0)).status_code == 302
    data = changed(questionnaire, page_data(client, url), "Ändrad text")
    with CaptureQueriesContext(connection) as save:
        answer = client.post(url, dict_of(data))
    assert answer.status_code == 302
    data = changed(questionnaire, page_data(client, url), "Autosparad text")
    with CaptureQueriesContext(connection) as autosave:
        answer = script_post(client, autosave_url, data)
    assert answer.status_code == 200 and answer.json()["saved"] is True
    assert answer.json()["saved_answers"]  # it wrote
    data = changed(questionnaire, page_data(client, url), "Sparad på plats")
    with CaptureQueriesContext(connection) as in_place:
        answer = script_post(client, save_draft_url, data)
    assert answer.status_code == 200 and answer.json()["saved"] is True
    assert answer.json()["saved_answers"]
    return len(save), len(autosave), len(in_place)


def dict_of(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The test client's form data: repeated names as lists."""
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def test_autosave_and_a_changing_save_make_the_same_queries_at_two_sizes(
    client: Client, region_user: User, region: Region, script_post: ScriptPost
) -> None:
    client.force_login(region_user)
    small = count_queries(client, build_questionnaire(2), region, script_post)
    large = count_queries(client, build_questionnaire(8), region, script_post)
    assert small == large
    # Pinned so that a new query shows up in review: a save that changes every
    # answer, an autosave that changes the texts, a save in place that changes
    # every answer.
    assert small == (
        EXPECTED_POSTGRESQL if connection.vendor == "postgresql" else EXPECTED
    )


# 19 since the save reads the stored answers once, as values, under the row lock
# and reads neither them nor the new version back (issue #20); 14 since it reads
# the history only for a question posted without a base, writes the answers
# without a savepoint of their own inside the merge's transaction, and opens no
# transaction for contact details that did not change; 12 since the access gateway reads an existing response with its questionnaire and
# organisation in one query (issue #20); 11 since that query also says whether
# the user has a role of the organisation's own; 10 since the merge locks the
# response and reads its answers in one statement.
# The save in place (issue #20), third: 12 while it ran the merge inside a
# transaction it could roll back (a savepoint); 10 since the merge itself
# writes nothing when the save is not clean.
EXPECTED = (10, 10, 10)
# On PostgreSQL one statement replaces the changed answers (updating in place
# those whose cell stays, intake.services.answer_sql.write_rows) where the
# others run a DELETE and an INSERT: one fewer for each of the three. And that
# statement also inserts the history rows (intake.services.answer_sql.write_rows),
# where a COPY followed it: one fewer again.
EXPECTED_POSTGRESQL = (8, 8, 8)
