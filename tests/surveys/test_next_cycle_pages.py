"""The staff pages of the next cycle (issue #19): create it, edit a questionnaire
under preparation, the revision report after the edits (checked against
hand-written expectations), the footnotes it feeds, the download of the
definition file, and every denial."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.definitions.parsing import parse_questionnaire
from surveys.models import (
    Cycle,
    DefinitionChange,
    Organisation,
    Question,
    Questionnaire,
    User,
)
from surveys.revisions import ChangedQuestion, QuestionRef, revisions_of
from surveys.services.next_cycle import CONFLICT, create_next_cycle, page_wording
from tests.factories import ResponseFactory

# The copy of 2024 opens 29 November 2025: on this day it is under preparation.
BEFORE_OPENING = datetime.date(2025, 6, 1)
WORDING_NOTE = (
    "Frågans formulering har ändrats jämfört med 2024. "
    "Jämför med tidigare resultat med försiktighet."
)
OPTIONS_NOTE = (
    "Svarsalternativen har ändrats jämfört med 2024. "
    "Jämför med tidigare resultat med försiktighet."
)


@pytest.fixture
def before_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: BEFORE_OPENING)


@pytest.fixture
def cycle_2025(staff_user: User, before_opening: None) -> Cycle:
    return create_next_cycle(Cycle.objects.get(year=2024), actor=staff_user)


@pytest.fixture
def region_2025(cycle_2025: Cycle) -> Questionnaire:
    return cycle_2025.questionnaires.get(key="region")


@pytest.fixture
def staff(client: Client, staff_user: User) -> Client:
    client.force_login(staff_user)
    return client


def edit_url(questionnaire: Questionnaire, variable: str) -> str:
    return reverse("surveys:question-edit", args=[questionnaire.pk, variable])


def current_hash(questionnaire: Questionnaire) -> str:
    questionnaire.refresh_from_db()
    return questionnaire.content_hash


def reword(client: Client, questionnaire: Questionnaire, **data: str) -> Any:
    return client.post(
        edit_url(questionnaire, "r02_breddinfort"),
        {
            "action": "formulering",
            "seen": current_hash(questionnaire),
            "text": "Har regionen under 2025 infört något i ordinarie verksamhet som "
            "tidigare var ett projekt?",
            "label": "Infört i ordinarie verksamhet",
            **data,
        },
    )


def reoption(client: Client, questionnaire: Questionnaire) -> Any:
    return client.post(
        edit_url(questionnaire, "r04_handlingsplan"),
        {
            "action": "alternativ",
            "seen": current_hash(questionnaire),
            "options": "ja = Ja\nnej_forslag = Nej, men ett förslag finns\n"
            "nej = Nej\nvet_ej = Vet inte",
        },
    )


def add(client: Client, questionnaire: Questionnaire, **data: str) -> Any:
    return client.post(
        reverse("surveys:question-add", args=[questionnaire.pk]),
        {
            "seen": current_hash(questionnaire),
            "section": "styrning",
            "after": "r06_storre_andel",
            "number": "99",
            "variable": "r99_digital",
            "kind": "yes_no",
            "text": "Har regionen en plan för digitala vårdmöten?",
            "label": "Plan för digitala vårdmöten",
            "options": "",
            "rows": "",
            **data,
        },
    )


def remove(client: Client, questionnaire: Questionnaire, variable: str) -> Any:
    return client.post(
        edit_url(questionnaire, variable),
        {"action": "ta-bort", "seen": current_hash(questionnaire), "confirm": "on"},
    )


# --- creating the cycle ------------------------------------------------------------------


def test_staff_create_the_next_cycle_from_the_page(
    staff: Client, before_opening: None
) -> None:
    url = reverse("surveys:cycle-next", args=[2024])
    page = staff.get(url)
    assert page.status_code == 200
    assert "Skapa omgång 2025 från 2024" in page.content.decode()
    response = staff.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:cycle-revision", args=[2025])
    assert Cycle.objects.filter(year=2025).exists()
    again = staff.post(url)
    assert again.status_code == 400
    assert "Omgång 2025 finns redan" in again.content.decode()


TODAY_AFTER_OPENING = datetime.date(2026, 12, 7)  # found in QA: the copy opened at once


def test_a_copy_that_would_open_today_or_earlier_is_refused(
    staff: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One year on, 2024's first opening (29 November 2025) has passed: the
    copy would be open to respondents before staff have reviewed it."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY_AFTER_OPENING)
    page = staff.post(reverse("surveys:cycle-next", args=[2024]))
    assert page.status_code == 400
    text = page.content.decode()
    assert "Den första enkäten skulle öppna 29 november 2025" in text
    assert "Välj en senare dag" in text
    assert not Cycle.objects.filter(year=2025).exists()
    # The page offers the default day in its date field.
    form = staff.get(reverse("surveys:cycle-next", args=[2024])).content.decode()
    assert 'value="2025-11-29"' in form


def test_the_chosen_first_opening_moves_every_date_together(
    staff: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY_AFTER_OPENING)
    source = {
        q.key: (q.opens_on, q.closes_on)
        for q in Questionnaire.objects.filter(cycle__year=2024)
    }
    page = staff.post(
        reverse("surveys:cycle-next", args=[2024]), {"opens_on": "2027-01-15"}
    )
    assert page.status_code == 302
    # 2024's first opening (29 November 2024) one year on is 29 November 2025;
    # the chosen day is 412 days later, and so is every other date.
    shift = datetime.date(2027, 1, 15) - datetime.date(2025, 11, 29)
    assert shift.days == 412
    copies = Questionnaire.objects.filter(cycle__year=2025)
    assert {q.key for q in copies} == set(source)
    for copy in copies:
        opens, closes = source[copy.key]
        one_year_on = (
            opens.replace(year=opens.year + 1),
            closes.replace(year=closes.year + 1),
        )
        assert (copy.opens_on, copy.closes_on) == (
            one_year_on[0] + shift,
            one_year_on[1] + shift,
        )
        assert copy.state == "preparation"
    assert copies.get(key="region").opens_on == datetime.date(2027, 1, 15)


def test_the_lifecycle_list_offers_the_next_cycle_and_the_revision_report(
    staff: Client,
) -> None:
    page = staff.get(reverse("surveys:questionnaire-lifecycle-list")).content.decode()
    assert reverse("surveys:cycle-next", args=[2024]) in page
    assert reverse("surveys:cycle-revision", args=[2019]) in page
    assert reverse("surveys:cycle-next", args=[2019]) not in page


# --- the edits and the revision report ---------------------------------------------------


def test_the_revision_report_after_four_edits(
    staff: Client, region_2025: Questionnaire, staff_user: User
) -> None:
    assert reword(staff, region_2025).status_code == 302
    assert reoption(staff, region_2025).status_code == 302
    assert add(staff, region_2025).status_code == 302
    assert remove(staff, region_2025, "r05_andelsmal").status_code == 302

    revision = revisions_of([region_2025])[region_2025.pk]
    assert revision.previous_year == 2024
    assert revision.added == (
        QuestionRef("99", "r99_digital", "Plan för digitala vårdmöten"),
    )
    assert revision.removed == (
        QuestionRef("5", "r05_andelsmal", "Andelsmål för primärvården i budget 2024"),
    )
    assert revision.changed == (
        ChangedQuestion(
            "2",
            "2",
            "r02_breddinfort",
            "Infört i ordinarie verksamhet",
            ("frågetext",),
            "Ändrad formulering",
            declared_same=False,
        ),
        ChangedQuestion(
            "4",
            "4",
            "r04_handlingsplan",
            "Länsgemensam handlingsplan beslutad eller uppdaterad 2025",
            ("svarsalternativ",),
            "Ändrade svarsalternativ",
            declared_same=False,
        ),
    )
    # Each edit is recorded with its actor, after the copy.
    kinds = list(
        region_2025.definition_changes.order_by("pk").values_list(
            "kind", "number", "actor"
        )
    )
    assert kinds == [
        ("copied", "", staff_user.pk),
        ("reworded", "2", staff_user.pk),
        ("reoptioned", "4", staff_user.pk),
        ("added", "99", staff_user.pk),
        ("removed", "5", staff_user.pk),
    ]
    reworded = DefinitionChange.objects.get(questionnaire=region_2025, kind="reworded")
    assert reworded.before["text"].startswith("Har regionen under 2025 breddinfört")
    assert reworded.after["label"] == "Infört i ordinarie verksamhet"

    # The footnotes under the tables say so; an unchanged question has none.
    def footnotes(variable: str) -> list[str]:
        return Question.objects.get(
            questionnaire=region_2025, variable=variable
        ).footnotes

    assert footnotes("r02_breddinfort") == [WORDING_NOTE]
    assert footnotes("r04_handlingsplan") == [OPTIONS_NOTE]
    assert footnotes("r06_storre_andel") == []
    assert footnotes("r99_digital") == []

    # The page and the CSV show the same, with the numbers in both years.
    page = staff.get(reverse("surveys:cycle-revision", args=[2025])).content.decode()
    assert "Nya frågor (1) mot 2024" in page
    assert "Borttagna frågor (1) mot 2024" in page
    assert "Ändrad frågetext (1) mot 2024" in page
    assert "Ändrade svarsalternativ eller delfrågor (1) mot 2024" in page
    assert "vet_ej = Vet inte" in page
    csv = staff.get(reverse("surveys:cycle-revision-csv", args=[2025]))
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Enkät;Ändring;Nr;Nr föregående omgång;")
    region_lines = sorted(line for line in lines[1:] if line.startswith("region;"))
    assert [line.split(";")[1:6] for line in region_lines] == [
        ["Borttagna frågor", "", "5", "2024", "r05_andelsmal"],
        ["Nya frågor", "99", "", "2024", "r99_digital"],
        ["Ändrad frågetext", "2", "2", "2024", "r02_breddinfort"],
        [
            "Ändrade svarsalternativ eller delfrågor",
            "4",
            "4",
            "2024",
            "r04_handlingsplan",
        ],
    ]
    assert not [line for line in lines[1:] if not line.startswith("region;")]


def test_the_downloaded_file_is_the_edited_definition(
    staff: Client, region_2025: Questionnaire
) -> None:
    reword(staff, region_2025)
    response = staff.get(
        reverse("surveys:questionnaire-definition-file", args=[region_2025.pk])
    )
    assert response.status_code == 200
    assert 'filename="region.yaml"' in response["Content-Disposition"]
    parsed, problems = parse_questionnaire(
        yaml.safe_load(response.content.decode()), file="region.yaml"
    )
    assert problems == [] and parsed is not None
    question = parsed.question("r02_breddinfort")
    assert question is not None
    assert question.label == "Infört i ordinarie verksamhet"
    assert question.comparability == "wording_changed"
    assert question.lineage_key == "breddinforande"


def test_a_reworded_question_back_to_its_old_words_is_the_same_again(
    staff: Client, region_2025: Questionnaire
) -> None:
    reword(staff, region_2025)
    old = Question.objects.get(
        questionnaire__cycle__year=2024, variable="r02_breddinfort"
    )
    back = reword(
        staff,
        region_2025,
        text=old.text.replace("2024", "2025"),
        label=old.label,
    )
    assert back.status_code == 302
    question = Question.objects.get(
        questionnaire=region_2025, variable="r02_breddinfort"
    )
    assert (question.comparability, question.footnotes) == ("same", [])


# --- refusals, in Swedish, keeping what was typed ----------------------------------------


def test_a_stale_page_is_refused_and_keeps_the_typed_text(
    staff: Client, region_2025: Questionnaire
) -> None:
    seen = current_hash(region_2025)
    assert reword(staff, region_2025).status_code == 302
    response = staff.post(
        edit_url(region_2025, "r02_breddinfort"),
        {
            "action": "formulering",
            "seen": seen,
            "text": "Min egen formulering som inte får försvinna",
            "label": "Egen etikett",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert CONFLICT.split(".")[0] in page
    assert "Min egen formulering som inte får försvinna" in page
    question = Question.objects.get(
        questionnaire=region_2025, variable="r02_breddinfort"
    )
    assert question.label == "Infört i ordinarie verksamhet"


def test_an_open_questionnaire_cannot_be_edited(staff: Client) -> None:
    region_2024 = Questionnaire.objects.get(cycle__year=2024, key="region")
    before = Question.objects.get(questionnaire=region_2024, variable="r02_breddinfort")
    response = reword(staff, region_2024)
    assert response.status_code == 400
    page = response.content.decode()
    assert "frågorna kan bara ändras medan enkäten är under förberedelse" in page
    assert "tidigare var ett projekt?" in page
    after = Question.objects.get(questionnaire=region_2024, variable="r02_breddinfort")
    assert after.text == before.text


def test_a_questionnaire_with_responses_cannot_be_edited(
    staff: Client, region_2025: Questionnaire
) -> None:
    ResponseFactory(
        questionnaire=region_2025,
        organisation=Organisation.objects.filter(kind="region").first(),
    )
    response = remove(staff, region_2025, "r05_andelsmal")
    assert response.status_code == 400
    assert "har redan svar: frågorna kan inte ändras" in response.content.decode()
    assert Question.objects.filter(
        questionnaire=region_2025, variable="r05_andelsmal"
    ).exists()


def test_a_question_others_depend_on_is_not_removed(
    staff: Client, region_2025: Questionnaire
) -> None:
    response = remove(staff, region_2025, "r02_breddinfort")
    assert response.status_code == 400
    page = response.content.decode()
    assert "r02_breddinfort" in page and "Ingenting ändrades" in page
    # The refusal speaks Swedish, not the file's key (`parent`).
    assert (
        "följdfråga till &#x27;r02_breddinfort&#x27;, som inte finns i enkäten" in page
    )
    assert "parent" not in page
    assert Question.objects.filter(
        questionnaire=region_2025, variable="r02_breddinfort"
    ).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"variable": "r02_breddinfort"}, "r02_breddinfort"),
        ({"variable": "2fel"}, "«Variabelnamn» ska börja med en bokstav"),
        ({"kind": "single_choice"}, "Ange svarsalternativen"),
        ({"options": "ja Ja"}, "Rad 1: skriv kod = etikett"),
        ({"after": "r08_uppfoljning"}, "Frågan finns inte i det valda avsnittet"),
    ],
)
def test_a_refused_addition_says_why_and_keeps_the_input(
    staff: Client, region_2025: Questionnaire, data: dict[str, str], message: str
) -> None:
    response = add(staff, region_2025, **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Har regionen en plan för digitala vårdmöten?" in page
    assert not Question.objects.filter(
        questionnaire=region_2025, variable="r99_digital"
    ).exists()


def test_removing_needs_the_confirmation(
    staff: Client, region_2025: Questionnaire
) -> None:
    response = staff.post(
        edit_url(region_2025, "r05_andelsmal"),
        {"action": "ta-bort", "seen": current_hash(region_2025)},
    )
    assert response.status_code == 400
    assert "Kryssa i att frågan ska tas bort" in response.content.decode()


def test_a_kommun_question_reoptioned_moves_the_rss_count_with_it(
    staff: Client, cycle_2025: Cycle
) -> None:
    kommun = cycle_2025.questionnaires.get(key="kommun")
    count = (
        Question.objects.filter(
            questionnaire__cycle=cycle_2025,
            source_question__isnull=False,
            source_question__kind__in=["single_choice", "multiple_choice"],
        )
        .select_related("source_question")
        .first()
    )
    assert count is not None
    source = count.source_question
    assert source is not None
    options = "\n".join(f"{o.code} = {o.label}" for o in source.options.all())
    response = staff.post(
        edit_url(kommun, source.variable),
        {
            "action": "alternativ",
            "seen": current_hash(kommun),
            "options": options + "\nvet_ej = Vet inte",
        },
    )
    assert response.status_code == 302
    assert list(count.options.values_list("code", flat=True))[-1] == "vet_ej"


# --- who may see the pages ---------------------------------------------------------------


def new_page_urls(questionnaire: Questionnaire) -> list[str]:
    return [
        reverse("surveys:cycle-next", args=[2024]),
        reverse("surveys:cycle-revision", args=[2025]),
        reverse("surveys:cycle-revision-csv", args=[2025]),
        reverse("surveys:questionnaire-definition", args=[questionnaire.pk]),
        reverse("surveys:questionnaire-definition-file", args=[questionnaire.pk]),
        reverse("surveys:question-add", args=[questionnaire.pk]),
        edit_url(questionnaire, "r02_breddinfort"),
    ]


@pytest.mark.parametrize("persona", ["region_user", "rss_user", "kommun_user"])
def test_respondents_are_refused_every_page(
    client: Client,
    region_2025: Questionnaire,
    persona: str,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for url in new_page_urls(region_2025):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"action": "ta-bort", "confirm": "on"}).status_code in (
            403,
            405,
        ), url
    assert Cycle.objects.count() == 3
    assert Question.objects.filter(
        questionnaire=region_2025, variable="r02_breddinfort"
    ).exists()


def test_signed_out_visitors_are_sent_to_sign_in(
    client: Client, region_2025: Questionnaire
) -> None:
    for url in new_page_urls(region_2025):
        response = client.get(url)
        assert response.status_code == 302 and "logga-in" in response["Location"]


def test_unknown_cycles_questionnaires_and_questions_are_404(
    staff: Client, region_2025: Questionnaire
) -> None:
    assert staff.get(reverse("surveys:cycle-revision", args=[2031])).status_code == 404
    assert staff.get(reverse("surveys:cycle-next", args=[2031])).status_code == 404
    missing = reverse("surveys:questionnaire-definition", args=[999999])
    assert staff.get(missing).status_code == 404
    assert staff.get(edit_url(region_2025, "finns_inte")).status_code == 404
    edit = edit_url(region_2025, "r02_breddinfort")
    assert staff.post(edit, {"action": "okand"}).status_code == 404
    assert staff.post(edit, {}).status_code == 404
    # A number question has no alternatives to change.
    number = edit_url(region_2025, "r35_andel")
    assert staff.post(number, {"action": "alternativ"}).status_code == 404


# --- query budgets -----------------------------------------------------------------------


def test_the_pages_have_a_fixed_query_budget(
    staff: Client,
    region_2025: Questionnaire,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    kommun_extra = Questionnaire.objects.get(cycle__year=2025, key="kommun-extra")
    pages: dict[str, list[str]] = {
        "revision": [
            reverse("surveys:cycle-revision", args=[2024]),
            reverse("surveys:cycle-revision", args=[2025]),
        ],
        "definition": [
            reverse("surveys:questionnaire-definition", args=[kommun_extra.pk]),
            reverse("surveys:questionnaire-definition", args=[region_2025.pk]),
        ],
        "edit": [
            edit_url(kommun_extra, kommun_extra.questions.first().variable),  # type: ignore[union-attr]
            edit_url(region_2025, "r04_handlingsplan"),
        ],
    }
    reword(staff, region_2025)
    for name, (small, large) in pages.items():
        staff.get(small)  # session and caches warm
        with django_assert_num_queries(BUDGETS[name]):
            assert staff.get(small).status_code == 200
        with django_assert_num_queries(BUDGETS[name]):
            assert staff.get(large).status_code == 200


# Session, user, second factor and the page's own reads: the revision report
# reads every questionnaire of the cycle and its previous version in five
# queries; a questionnaire's questions with their alternatives in five.
BUDGETS = {"revision": 9, "definition": 11, "edit": 10}


def test_an_open_questionnaire_shows_its_questions_without_edit_forms(
    staff: Client,
) -> None:
    region_2024 = Questionnaire.objects.get(cycle__year=2024, key="region")
    page = staff.get(
        reverse("surveys:questionnaire-definition", args=[region_2024.pk])
    ).content.decode()
    assert "frågorna kan bara ändras medan enkäten är under förberedelse" in page
    assert "Har regionen under 2024 breddinfört" in page
    assert edit_url(region_2024, "r02_breddinfort") not in page
    edit = staff.get(edit_url(region_2024, "r02_breddinfort")).content.decode()
    assert "Spara formuleringen" not in edit
    add_page = staff.get(reverse("surveys:question-add", args=[region_2024.pk]))
    assert "Lägg till frågan</button>" not in add_page.content.decode()


def test_a_matrix_row_added_is_a_change_of_sub_items(
    staff: Client, region_2025: Questionnaire
) -> None:
    rows = (
        "samverkan = Samverkan\ndelaktighet = Delaktighet\n"
        "tillganglig = Tillgänglighet\nkontinuitet = Kontinuitet\n"
        "nav = Primärvården som nav\n"
        "halsa = Hälsofrämjande, förebyggande och rehabiliterande\n"
        "digital = Digitala vårdformer"
    )
    response = staff.post(
        edit_url(region_2025, "r08_uppfoljning"),
        {
            "action": "alternativ",
            "seen": current_hash(region_2025),
            "options": "ja = Ja\nnej = Nej",
            "rows": rows,
        },
    )
    assert response.status_code == 302
    changed = revisions_of([region_2025])[region_2025.pk].changed
    assert [(c.number, c.changes, c.comparability) for c in changed] == [
        ("8", ("delfrågor",), "Ändrade svarsalternativ")
    ]
    question = Question.objects.get(
        questionnaire=region_2025, variable="r08_uppfoljning"
    )
    assert question.footnotes == [OPTIONS_NOTE]
    assert list(question.rows.values_list("code", flat=True))[-1] == "digital"


@pytest.mark.parametrize(
    ("file_message", "page_message"),
    [
        (
            "yes_no har givna alternativ; ta bort options",
            "«Ja/Nej» har givna alternativ; ta bort «Svarsalternativ»",
        ),
        ("en matris behöver rows", "en matris behöver «Delfrågor»"),
        ("text saknas", "«Frågetext» saknas"),
        # "text" inside a message is Swedish, not the key; nor is the kind renamed.
        ("unit ska vara text", "unit ska vara text"),
    ],
)
def test_loader_messages_name_the_pages_fields(
    file_message: str, page_message: str
) -> None:
    assert page_wording(file_message) == page_message
