"""No save writes over a change its author has not seen (issue #13, point 2).

Saves are merged per question (intake/merge.py): the user's changes are written,
others' changes since the page was loaded are kept, and a question both changed
is shown side by side for the user to choose.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from axes.models import AccessLog
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from intake.cells import Cell
from intake.merge import (
    MINE,
    THEIRS,
    _digest,
    choice_field,
    fingerprint,
    merge_answers,
)
from intake.models import Answer, AnswerChange, Channel, Response
from intake.selectors import answer_cells
from intake.services import (
    UNFROZEN_REASON,
    cells_for,
    get_or_create_response,
    reopen_response,
)
from surveys.models import Question, QuestionKind, Questionnaire, Region, User
from tests.conftest import make_user, require_postgresql
from tests.intake.test_consolidation import Lan, frozen, lan, submit_rss  # noqa: F401
from tests.intake.test_refused_values import page_data
from tests.script_posts import ScriptPost

pytestmark = pytest.mark.django_db
T = TypeVar("T")

YES = {"": Cell(option="ja")}
NO = {"": Cell(option="nej")}


def test_the_rule_writes_mine_keeps_theirs_and_reports_a_collision() -> None:
    base = {"a": fingerprint({}), "b": fingerprint(YES), "c": fingerprint({})}
    merge = merge_answers(
        base=base,
        mine={"a": ("ja", YES), "b": ("ja", YES), "c": ("ja", YES)},
        theirs={"a": {}, "b": NO, "c": NO},
    )
    assert merge.write == {"a": "ja"}  # only I changed it
    assert merge.kept == ["b"]  # only they changed it
    assert [c.variable for c in merge.collisions] == ["c"]  # both did


def test_a_choice_holds_only_for_the_answer_it_was_made_against() -> None:
    base = {"c": fingerprint({})}
    mine = {"c": ("ja", YES)}
    seen = f"{MINE}:{fingerprint(NO)}"
    assert merge_answers(
        base=base, mine=mine, theirs={"c": NO}, choices={"c": seen}
    ).write == {"c": "ja"}
    kept = merge_answers(
        base=base,
        mine=mine,
        theirs={"c": NO},
        choices={"c": f"{THEIRS}:{fingerprint(NO)}"},
    )
    assert kept.write == {} and kept.kept == ["c"]
    # A third answer saved after the choice was shown: the choice is asked again.
    third = {"": Cell(option="delvis")}
    again = merge_answers(
        base=base, mine=mine, theirs={"c": third}, choices={"c": seen}
    )
    assert again.write == {} and [c.variable for c in again.collisions] == ["c"]


def region_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def independent_questions(questionnaire: Questionnaire) -> list[Question]:
    """Questions that are always shown and show nothing else: a change to one
    leaves every other answer as it is."""
    questions = list(questionnaire.questions.order_by("position"))
    referenced = {
        v for q in questions for v in re.findall(r"\w+", str(q.condition or ""))
    }
    return [q for q in questions if not q.condition and q.variable not in referenced]


def change_for(question: Question, person: int) -> tuple[dict[str, Any], Any]:
    """The fields a person changes on the page, and the value that means."""
    options = [o.code for o in question.options.all()]
    if question.kind == QuestionKind.MATRIX:
        rows = {r.code: options[0] for r in question.rows.all()}
        return {f"{question.variable}__{r}": o for r, o in rows.items()}, rows
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return {question.variable: options[:1]}, options[:1]
    if options:
        return {question.variable: options[0]}, options[0]
    if question.kind == QuestionKind.TEXT:
        text = f"Svar från person {person}"
        return {question.variable: text}, text
    return {question.variable: str(person)}, str(person)


def test_twenty_people_each_changing_a_question_from_one_version_all_stay(
    client: Client, region: Region
) -> None:
    questionnaire = region_questionnaire()
    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    questions = independent_questions(questionnaire)[:20]
    assert len(questions) == 20
    people = [make_user(f"person{i}@sormland.test", region) for i in range(20)]
    response = get_or_create_response(questionnaire, organisation=region)
    opened = page_data(response)  # everyone opened the form at version 0

    pages = []
    for i, (person, question) in enumerate(zip(people, questions, strict=True)):
        client.force_login(person)
        page = {**opened, **change_for(question, i)[0]}
        pages.append(page)
        assert client.post(url, page).status_code == 302
    # Each was told (or not) that others changed the form, and saves the page
    # they have again, with its old version and old answers for the others.
    n_changes = AnswerChange.objects.filter(response=response).count()
    for person, page in zip(people, pages, strict=True):
        client.force_login(person)
        assert client.post(url, page).status_code == 302

    cells = answer_cells(Response.objects.get(pk=response.pk))
    for i, question in enumerate(questions):
        expected = cells_for(question, change_for(question, i)[1])
        assert cells[question.pk] == expected, question.number
    # Saving again wrote nothing over anyone.
    assert AnswerChange.objects.filter(response=response).count() == n_changes


def test_a_collision_is_shown_side_by_side_and_the_user_chooses(
    client: Client, region_user: User, region: Region
) -> None:
    questionnaire = region_questionnaire()
    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    colleague = make_user("kollega@sormland.test", region)
    colleague.first_name, colleague.last_name = "Kim", "Kollega"
    colleague.save()
    response = get_or_create_response(questionnaire, organisation=region)
    opened = page_data(response)
    q36 = "r36_antal"

    client.force_login(colleague)
    assert client.post(url, {**opened, q36: "10"}).status_code == 302

    client.force_login(region_user)
    mine = {**opened, q36: "20", "r01_omstallning": "Min text"}
    shown = client.post(url, mine)
    assert shown.status_code == 400
    page = shown.content.decode()
    assert "Ditt svar" in page and "Sparat av Kim Kollega" in page
    assert "«20" in page and "«10" in page  # both values, side by side

    def number() -> Decimal | None:
        return Answer.objects.get(response=response, question__variable=q36).number

    assert number() == 10
    # The text only this user changed is saved already.
    assert (
        Answer.objects.get(response=response, question__variable="r01_omstallning").text
        == "Min text"
    )

    # Saving again without choosing changes nothing; choosing "Ditt svar" writes it.
    assert client.post(url, mine).status_code == 400
    assert number() == 10
    choice = re.search(rf'name="{choice_field(q36)}" value="({MINE}:[0-9a-f]+)"', page)
    assert choice is not None
    assert (
        client.post(url, {**mine, choice_field(q36): choice.group(1)}).status_code
        == 302
    )
    assert number() == 20


def test_choosing_the_saved_answer_keeps_it(
    client: Client, region_user: User, region: Region
) -> None:
    questionnaire = region_questionnaire()
    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    colleague = make_user("kollega@sormland.test", region)
    response = get_or_create_response(questionnaire, organisation=region)
    opened = page_data(response)
    client.force_login(colleague)
    client.post(url, {**opened, "r36_antal": "10"})
    client.force_login(region_user)
    page = client.post(url, {**opened, "r36_antal": "20"}).content.decode()
    theirs = re.search(rf'name="r36_antal__val" value="({THEIRS}:[0-9a-f]+)"', page)
    assert theirs is not None
    result = client.post(
        url, {**opened, "r36_antal": "20", "r36_antal__val": theirs.group(1)}
    )
    assert result.status_code == 302
    assert (
        Answer.objects.get(response=response, question__variable="r36_antal").number
        == 10
    )


def test_autosave_reports_a_collision_and_saves_the_rest(
    client: Client, region_user: User, region: Region, script_post: ScriptPost
) -> None:
    questionnaire = region_questionnaire()
    url = reverse("intake:response-autosave", args=[questionnaire.pk, region.pk])
    colleague = make_user("kollega@sormland.test", region)
    response = get_or_create_response(questionnaire, organisation=region)
    opened: dict[str, Any] = page_data(response)
    client.force_login(colleague)
    script_post(client, url, {**opened, "r36_antal": "10", "r35_andel": "50"})
    client.force_login(region_user)
    result = script_post(
        client, url, {**opened, "r36_antal": "20", "r01_omstallning": "Text"}
    )
    assert result.status_code == 409
    body = result.json()
    assert body["saved"] is False
    assert [c["variable"] for c in body["conflicts"]] == ["r36_antal"]
    assert body["conflicts"][0]["by"] == "kollega@sormland.test"
    assert body["saved_answers"] == ["r01_omstallning"]
    # The colleague's percentage, which this user had not touched, is kept, and
    # its base in the browser is left as it was (so it still counts as unseen).
    assert "r35_andel" not in body["bases"] and "r01_omstallning" in body["bases"]
    assert (
        Answer.objects.get(response=response, question__variable="r35_andel").number
        == 50
    )


def test_a_number_is_the_same_answer_however_it_is_written() -> None:
    typed = {"": Cell(number=Decimal("18"))}
    assert fingerprint(typed) == fingerprint({"": Cell(number=Decimal("18.00"))})
    assert fingerprint(typed) != fingerprint({"": Cell(number=Decimal("180"))})


def test_a_digest_does_not_depend_on_which_equal_answer_came_first() -> None:
    """Digests are cached by the cells, and equal cells share an entry: the
    digest must be the same whichever of them the process saw first."""
    written = (
        [Decimal("0"), Decimal("-0.00"), Decimal("0.0")],
        [Decimal("18.00"), Decimal("18")],
    )
    for numbers in written:
        digests = set()
        for order in (numbers, numbers[::-1]):
            _digest.cache_clear()
            digests |= {fingerprint({"": Cell(number=n)}) for n in order}
        assert len(digests) == 1
    assert fingerprint({"a": Cell(text="x")}) != fingerprint({"b": Cell(text="x")})
    assert fingerprint({}) != fingerprint({"": Cell(text="")})


def test_the_first_save_after_reopening_lets_the_frozen_counts_follow_again(
    client: Client,
    lan: Lan,  # noqa: F811 - the fixture imported above
    staff_user: User,
) -> None:
    """Unchanged adjustments are no change to merge, but the counts frozen at the
    earlier submission must still give way to the live counts on the first save."""
    response = submit_rss(lan)
    response = reopen_response(response, actor=staff_user, reason="Komplettering")
    assert Answer.objects.filter(response=response, channel=Channel.COMPUTED).exists()
    client.force_login(lan.coordinator)
    assert client.post(lan.url(), page_data(response)).status_code == 302
    assert not Answer.objects.filter(
        response=response, channel=Channel.COMPUTED
    ).exists()
    assert AnswerChange.objects.filter(
        response=response, reason=UNFROZEN_REASON
    ).exists()
    assert frozen(lan, "c_har") == {"ja": 5, "nej": 1}  # the adjustment stands


WRITERS = 8


def committed(work: Callable[[], T]) -> T:
    """Run `work` on a connection of its own, outside the test's transaction, so
    that what it writes is committed and seen by the other threads."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if failure:
        raise failure[0]
    return outcome[0]


@pytest.mark.services
def test_concurrent_savers_from_one_version_all_stay(region: Region) -> None:
    """The issue's reproduction with 8 workers: 8 people save different questions
    from one version at the same moment, then each saves their page again. The
    saves run in threads with connections of their own, so the test's data is
    committed (outside the test's transaction) and removed again at the end; the
    shared register is left alone."""
    require_postgresql(
        "DATABASE_URL is not a PostgreSQL URL: concurrent saves need its row lock"
    )
    questionnaire = region_questionnaire()
    questions = independent_questions(questionnaire)[:WRITERS]
    url = reverse("intake:response-edit", args=[questionnaire.pk, region.pk])
    emails = [f"samtidig{i}@sormland.test" for i in range(WRITERS)]
    results: list[int] = []
    sessions: list[str] = []
    barrier = threading.Barrier(WRITERS)

    def prepare() -> tuple[Response, dict[str, Any]]:
        with transaction.atomic():
            for email in emails:
                make_user(email, region)
            response = get_or_create_response(questionnaire, organisation=region)
            return response, page_data(response)

    def writer(email: str, question: Question, i: int) -> None:
        try:
            client = Client()
            client.force_login(User.objects.get(email=email))
            sessions.append(client.session.session_key or "")
            page = {**opened, **change_for(question, i)[0]}
            barrier.wait(timeout=30)
            results.append(client.post(url, page).status_code)
            barrier.wait(timeout=30)
            results.append(client.post(url, page).status_code)
        finally:
            connection.close()

    def clean_up() -> None:
        Response.objects.filter(pk=response.pk).delete()
        AccessLog.objects.filter(username__in=emails).delete()
        Session.objects.filter(session_key__in=sessions).delete()
        User.objects.filter(email__in=emails).delete()

    response, opened = committed(prepare)
    try:
        threads = [
            threading.Thread(target=writer, args=(email, q, i))
            for i, (email, q) in enumerate(zip(emails, questions, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert results == [302] * (2 * WRITERS)
        cells = committed(lambda: answer_cells(Response.objects.get(pk=response.pk)))
        for i, question in enumerate(questions):
            expected = cells_for(question, change_for(question, i)[1])
            assert cells[question.pk] == expected, question.number
    finally:
        committed(clean_up)
