"""intake.fragments: each question's HTML is shared per questionnaire content and
answer state (issue #20), and the page is exactly what the template renders."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.forms import HiddenInput
from django.test import Client
from django.urls import reverse
from django.utils.autoreload import file_changed

import intake.fragments
import intake.views.form
from intake.demo import demo_values
from intake.models import Channel, Response
from intake.selectors import questions_of
from intake.services import get_or_create_response, save_answers
from intake.services.lifecycle import submit_response, update_contact_details
from surveys.models import Organisation, Questionnaire, Region, User

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
SPECIAL = "Svar <b>\"fett\"</b> & 'citat' {{ x }} %s \\1"
ESCAPED = (
    "Svar &lt;b&gt;&quot;fett&quot;&lt;/b&gt; &amp; &#x27;citat&#x27; {{ x }} %s \\1"
)


def region_questionnaire() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


def edit_url(questionnaire: Questionnaire, organisation: Organisation) -> str:
    return reverse("intake:response-edit", args=[questionnaire.pk, organisation.pk])


def page(client: Client, method: str, url: str, data: Any = None) -> tuple[int, str]:
    response = client.get(url) if method == "get" else client.post(url, data)
    return response.status_code, CSRF.sub("", response.content.decode())


def filled(questionnaire: Questionnaire, region: Region, user: User) -> None:
    response = get_or_create_response(questionnaire, organisation=region)
    save_answers(
        response,
        actor=user,
        channel=Channel.WEB,
        values=demo_values(questions_of(questionnaire), random.Random(3)),
    )


def test_the_page_is_what_the_template_renders(
    client: Client,
    region_user: User,
    region: Region,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shared fragments, cold and warm, give the very page the template's include
    gives: the filled form, a re-render with refused values, and the list of
    missing answers on "Skicka in"."""
    client.force_login(region_user)
    questionnaire = region_questionnaire()
    filled(questionnaire, region, region_user)
    url = edit_url(questionnaire, region)
    number = questionnaire.questions.filter(kind="integer").first()
    text = questionnaire.questions.filter(kind="text", condition__isnull=True).first()
    assert number is not None and text is not None
    version = str(Response.objects.get(questionnaire=questionnaire).version)
    requests: list[tuple[str, Any]] = [
        ("get", None),
        # A refused number: errors beside the question and in the summary; a
        # text the page must escape where the shared fragment puts it.
        (
            "post",
            {
                "version": version,
                "action": "save",
                number.variable: "abc",
                text.variable: SPECIAL,
                f"{text.variable}__bas": SPECIAL,
            },
        ),
        # Nothing posted and "Skicka in": every required question is missing.
        ("post", {"version": version, "action": "submit"}),
    ]

    def pages() -> list[tuple[int, str]]:
        # Each round from the same stored answers: the posts change them.
        with transaction.atomic():
            result = [page(client, m, url, d) for m, d in requests]
            transaction.set_rollback(True)
        return result

    shared = pages()
    warm = pages()
    assert ESCAPED in shared[1][1]
    assert intake.fragments._fragments  # the fast path did run
    monkeypatch.setattr(intake.views.form, "render_blocks", lambda key, blocks: None)
    included = pages()
    assert [status for status, _ in included] == [200, 400, 400]
    assert "Svara på frågan innan du skickar in enkäten." in included[2][1]
    assert shared == included
    assert warm == included


def test_a_changed_answer_is_never_shown_from_an_old_fragment(
    client: Client, region_user: User, region: Region
) -> None:
    client.force_login(region_user)
    questionnaire = region_questionnaire()
    text = questionnaire.questions.filter(kind="text", condition__isnull=True).first()
    assert text is not None
    response = get_or_create_response(questionnaire, organisation=region)
    url = edit_url(questionnaire, region)
    for answer in ["Första svaret", "Andra svaret", "Första svaret"]:
        response = save_answers(
            response,
            actor=region_user,
            channel=Channel.WEB,
            values={text.variable: answer},
        )
        shown = client.get(url).content.decode()
        assert f">{answer}</textarea>" in shown
        other = {"Första svaret", "Andra svaret"} - {answer}
        assert f">{other.pop()}</textarea>" not in shown


def test_new_typed_answers_are_shown_from_the_fragments_already_rendered(
    client: Client, region_user: User, region: Region
) -> None:
    """A typed answer and the base beside it are printed into the shared
    fragment, not part of its key: the page after a save that changed every
    text renders no question again."""
    client.force_login(region_user)
    questionnaire = region_questionnaire()
    filled(questionnaire, region, region_user)
    url = edit_url(questionnaire, region)
    assert client.get(url).status_code == 200
    rendered = len(intake.fragments._fragments)
    questions = questions_of(questionnaire)
    # Texts always shown only (a hidden follow-up's answer is not stored); no
    # number: a new one may bring a plausibility notice, which is part of the
    # key (`_state`) and rightly renders its question again.
    typed = {
        q.variable: f"Nytt svar {q.variable} & <>"
        for q in questions
        if q.kind == "text" and not q.condition
    }
    assert len(typed) > 3
    response = Response.objects.get(questionnaire=questionnaire)
    save_answers(response, actor=region_user, channel=Channel.WEB, values=typed)
    shown = client.get(url).content.decode()
    assert len(intake.fragments._fragments) == rendered
    for variable in typed:
        assert f">Nytt svar {variable} &amp; &lt;&gt;</textarea>" in shown


def test_an_unchanged_page_is_shown_without_building_its_questions(
    client: Client,
    region_user: User,
    region: Region,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second showing of the same answers takes the sections whole; a
    changed answer builds the questions again."""
    client.force_login(region_user)
    questionnaire = region_questionnaire()
    filled(questionnaire, region, region_user)
    url = edit_url(questionnaire, region)
    built: list[int] = []
    blocks = intake.views.form.question_blocks

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return blocks(*args, **kwargs)

    monkeypatch.setattr(intake.views.form, "question_blocks", counted)
    first = page(client, "get", url)
    second = page(client, "get", url)
    assert len(built) == 1
    assert first == second
    text = questionnaire.questions.filter(kind="text", condition__isnull=True).first()
    assert text is not None
    response = Response.objects.get(questionnaire=questionnaire)
    save_answers(
        response, actor=region_user, channel=Channel.WEB, values={text.variable: "Nu"}
    )
    assert ">Nu</textarea>" in page(client, "get", url)[1]
    assert len(built) == 2


def test_the_fragments_are_bounded(
    client: Client,
    region_user: User,
    region: Region,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(intake.fragments, "MAX_FRAGMENTS", 5)
    client.force_login(region_user)
    assert client.get(edit_url(region_questionnaire(), region)).status_code == 200
    assert len(intake.fragments._fragments) == 5


def test_a_changed_template_drops_the_rendered_questions(
    client: Client, region_user: User, region: Region
) -> None:
    """runserver reloads a changed template without a new process."""
    client.force_login(region_user)
    assert client.get(edit_url(region_questionnaire(), region)).status_code == 200
    assert intake.fragments._fragments
    file_changed.send(sender=None, file_path=Path("templates/intake/base.css"))
    assert intake.fragments._fragments
    file_changed.send(sender=None, file_path=Path("templates/intake/_question.html"))
    assert not intake.fragments._fragments


def test_a_kept_body_is_never_shown_for_other_contact_details_or_a_locked_form(
    client: Client, region_user: User, region: Region
) -> None:
    """The form's body is kept whole (contact fields and sections): new contact
    details, or the same answers once submitted (read-only), are a new body."""
    client.force_login(region_user)
    questionnaire = region_questionnaire()
    filled(questionnaire, region, region_user)
    url = edit_url(questionnaire, region)
    first = page(client, "get", url)[1]
    assert first == page(client, "get", url)[1]
    assert '<fieldset  class="plain">' in first
    response = Response.objects.get(questionnaire=questionnaire)
    update_contact_details(
        response,
        actor=region_user,
        name="Kim <Kontakt>",
        email="kim@region.example",
        phone="",
    )
    renamed = page(client, "get", url)[1]
    assert 'value="Kim &lt;Kontakt&gt;"' in renamed
    assert 'value="Kim &lt;Kontakt&gt;"' not in first
    submit_response(
        Response.objects.get(pk=response.pk),
        actor=region_user,
        require_complete=False,
        notify=False,
    )
    locked = page(client, "get", url)[1]
    assert '<fieldset disabled class="plain">' in locked
    assert 'value="Kim &lt;Kontakt&gt;"' in locked


@pytest.mark.parametrize("posted", [None, "", "7 <x>", "12"])
def test_the_version_field_is_what_django_s_widget_prints(
    client: Client, region_user: User, region: Region, posted: str | None
) -> None:
    """The page writes the hidden version input itself (no form renderer): the
    same tag Django's HiddenInput prints, shown or posted, valid or not."""
    client.force_login(region_user)
    questionnaire = region_questionnaire()
    filled(questionnaire, region, region_user)
    url = edit_url(questionnaire, region)
    version = Response.objects.get(questionnaire=questionnaire).version
    shown = client.get(url).content.decode()
    assert HiddenInput().render("version", version, {"id": "id_version"}) in shown
    data = (
        {"action": "save"} if posted is None else {"action": "save", "version": posted}
    )
    with transaction.atomic():
        again = client.post(url, data).content.decode()
        transaction.set_rollback(True)
    assert HiddenInput().render("version", posted, {"id": "id_version"}) in again
