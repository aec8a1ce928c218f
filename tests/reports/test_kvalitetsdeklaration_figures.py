"""The kvalitetsdeklaration's computed figures against hand-computed numbers
(docs/domain/kvalitetsdeklaration.md, reporting_cycle_and_2019_survey.md 1.1)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Channel, Response, ResponseEvent, ResponseStatus
from intake.services import get_or_create_response, save_answers
from reports.kvalitetsdeklaration.adapters import ItemNonresponse, ReminderRound
from reports.kvalitetsdeklaration.figures import (
    ComputedDeclaration,
    QuestionnaireFigures,
    compute_kvalitetsdeklaration,
)
from reports.kvalitetsdeklaration.outline import outline
from surveys.formatting import share_percent, swedish_number, swedish_percent_of
from surveys.mailings import Recipient, record_mailing
from surveys.models import Cycle, MailingKind, Organisation, Questionnaire, User
from surveys.revisions import ChangedQuestion, QuestionRef
from surveys.selectors import expected_respondents
from tests.factories import (
    CycleFactory,
    MatrixRowFactory,
    OptionFactory,
    OrganisationFactory,
    QuestionFactory,
    QuestionnaireFactory,
    SectionFactory,
    UserFactory,
    mark_submitted,
)

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def respond(
    questionnaire: Questionnaire,
    organisations: list[Organisation],
    *,
    status: str = ResponseStatus.SUBMITTED,
) -> list[Response]:
    """Responses without answers: cheap, and all the declaration counts."""
    return Response.objects.bulk_create(
        Response(questionnaire=questionnaire, organisation=o, status=status)
        for o in organisations
    )


def figures_of(computed: ComputedDeclaration, key: str) -> QuestionnaireFigures:
    return next(f for f in computed.questionnaires if f.collection.key == key)


# --- Swedish number format -----------------------------------------------------------


def test_numbers_have_a_decimal_comma_and_spaces_between_thousands() -> None:
    assert swedish_number(1234567) == "1 234 567"
    assert swedish_number(290) == "290"
    assert swedish_number(Decimal("1234.5"), decimals=1) == "1 234,5"


def test_percentages_round_half_up_not_to_even() -> None:
    assert swedish_percent_of(226, 290, decimals=1) == "77,9 %"  # 77,931…
    assert swedish_percent_of(226, 290, decimals=0) == "78 %"
    assert swedish_percent_of(1, 8, decimals=0) == "13 %"  # 12,5 → 13 (round(): 12)
    assert share_percent(1, 16, decimals=1) == Decimal("6.3")  # 6,25 → 6,3
    assert swedish_percent_of(21, 21, decimals=1) == "100,0 %"
    assert swedish_percent_of(0, 0, decimals=1) == "–"


# --- 2019: 226 of 290 kommuner -------------------------------------------------------


def test_the_2019_kommun_survey_has_a_response_rate_of_77_9_percent() -> None:
    cycle = Cycle.objects.get(year=2019)
    questionnaire = Questionnaire.objects.get(cycle=cycle, key="kommun")
    respond(questionnaire, list(expected_respondents(questionnaire)[:226]))

    computed = compute_kvalitetsdeklaration(cycle)

    assert [f.collection.key for f in computed.questionnaires] == ["kommun"]
    collection = figures_of(computed, "kommun").collection
    assert collection.frame == 290
    assert collection.submitted == 226
    assert collection.unit_nonresponse == 64
    assert collection.response_rate == "77,9 %"
    assert collection.response_rate_words == "78 procent"
    assert collection.opens_on == datetime.date(2019, 12, 16)
    assert collection.closes_on == datetime.date(2020, 1, 27)
    assert computed.frames == {"kommun": 290}


def test_only_submitted_responses_from_the_frame_count() -> None:
    cycle = Cycle.objects.get(year=2019)
    questionnaire = Questionnaire.objects.get(cycle=cycle, key="kommun")
    kommuner = list(expected_respondents(questionnaire)[:10])
    respond(questionnaire, kommuner[:4])
    respond(questionnaire, kommuner[4:7], status=ResponseStatus.IN_PROGRESS)
    respond(questionnaire, kommuner[7:8], status=ResponseStatus.REOPENED)
    respond(questionnaire, kommuner[8:10], status=ResponseStatus.NOT_STARTED)
    # A kommun that belongs to no RSS in 2019 is outside the frame.
    respond(questionnaire, [OrganisationFactory()])

    collection = figures_of(compute_kvalitetsdeklaration(cycle), "kommun").collection

    assert (collection.frame, collection.submitted, collection.started) == (290, 4, 4)
    assert collection.response_rate == "1,4 %"  # 4/290 = 1,379…


# --- 2024: frames per level ----------------------------------------------------------


def test_the_2024_frames_come_from_the_register_per_level() -> None:
    computed = compute_kvalitetsdeklaration(Cycle.objects.get(year=2024))

    rows = [
        (f.collection.key, f.collection.level, f.collection.frame)
        for f in computed.questionnaires
    ]
    assert rows == [
        ("region", "Regioner", 21),
        ("rss", "RSS", 24),
        ("kommun", "Kommuner", 290),
        ("kommun-extra", "Kommuner, kompletterande enkät", 290),
    ]
    assert computed.n_lan == 21
    assert all(f.collection.submitted == 0 for f in computed.questionnaires)
    assert all(f.collection.response_rate == "0,0 %" for f in computed.questionnaires)


def test_the_supplementary_question_was_answered_by_70_of_290_kommuner() -> None:
    cycle = Cycle.objects.get(year=2024)
    extra = Questionnaire.objects.get(cycle=cycle, key="kommun-extra")
    respond(extra, list(expected_respondents(extra)[:70]))
    region = Questionnaire.objects.get(cycle=cycle, key="region")
    respond(region, list(expected_respondents(region)))

    computed = compute_kvalitetsdeklaration(cycle)

    extra_figures = figures_of(computed, "kommun-extra").collection
    assert (extra_figures.submitted, extra_figures.frame) == (70, 290)
    assert extra_figures.response_rate == "24,1 %"  # 24,137…
    assert extra_figures.response_rate_words == "24 procent"
    # The hjälpenkät is a separate questionnaire: nobody answered it here.
    assert figures_of(computed, "kommun").collection.submitted == 0
    region_figures = figures_of(computed, "region").collection
    assert (region_figures.submitted, region_figures.response_rate) == (21, "100,0 %")


def test_the_collection_periods_are_those_of_the_2024_files() -> None:
    computed = compute_kvalitetsdeklaration(Cycle.objects.get(year=2024))
    periods = next(
        t
        for chapter in outline(computed)
        for part in chapter.parts
        for t in part.tables
        if t.caption.startswith("Insamlingsperiod")
    )
    assert [row[1:3] for row in periods.rows] == [
        ("29 november 2024", "31 mars 2025"),
        ("9 december 2024", "31 mars 2025"),
        ("29 november 2024", "31 mars 2025"),
        ("20 mars 2025", "11 april 2025"),
    ]


def test_the_actual_first_and_last_submission_dates_are_local_dates() -> None:
    cycle = Cycle.objects.get(year=2024)
    region = Questionnaire.objects.get(cycle=cycle, key="region")
    responses = respond(region, list(expected_respondents(region)[:3]))
    actor = UserFactory()
    when = [
        datetime.datetime(2024, 12, 2, 10, 0, tzinfo=STOCKHOLM),
        datetime.datetime(2025, 2, 14, 9, 0, tzinfo=STOCKHOLM),
        # 23:30 UTC on 30 March is 31 March in Sweden.
        datetime.datetime(2025, 3, 30, 23, 30, tzinfo=datetime.UTC),
    ]
    for response, moment in zip(responses, when, strict=True):
        event = ResponseEvent.objects.create(
            response=response, kind=ResponseEvent.Kind.SUBMITTED, actor=actor
        )
        ResponseEvent.objects.filter(pk=event.pk).update(created_at=moment)

    collection = figures_of(compute_kvalitetsdeklaration(cycle), "region").collection

    assert collection.first_submitted_on == datetime.date(2024, 12, 2)
    assert collection.last_submitted_on == datetime.date(2025, 3, 31)
    assert (
        figures_of(
            compute_kvalitetsdeklaration(cycle), "rss"
        ).collection.first_submitted_on
        is None
    )


# --- adapters -----------------------------------------------------------------------


def test_reminders_come_from_the_message_log_and_nonresponse_from_the_tables() -> None:
    """Wired to the real sources: two reminder mailings in the log (a bulk round to
    two kommuner and one ad hoc), and three kommuner answering question 2/2a."""
    cycle = Cycle.objects.get(year=2019)
    questionnaire = Questionnaire.objects.get(cycle=cycle, key="kommun")
    actor: User = UserFactory(is_staff=True)
    ja, nej, tom = (
        Organisation.objects.get(code=code) for code in ("0114", "0115", "0117")
    )
    for kommun, values in (
        (ja, {"q2_malbild": "ja"}),
        (nej, {"q2_malbild": "nej", "q2a_tar_fram": "ja"}),
        (tom, {"q2_malbild": "nej"}),  # 2a applies and is left empty
    ):
        response = get_or_create_response(questionnaire, organisation=kommun)
        save_answers(response, actor=actor, channel=Channel.WEB, values=values)
        mark_submitted(response)
    contacts = {k: UserFactory() for k in (ja, nej, tom)}
    record_mailing(
        MailingKind.REMINDER,
        recipients=[Recipient(contacts[k], k) for k in (nej, tom)],
        actor=actor,
        questionnaire=questionnaire,
        is_bulk=True,
    )
    record_mailing(
        MailingKind.REMINDER,
        recipients=[Recipient(contacts[tom], tom)],
        actor=actor,
        questionnaire=questionnaire,
    )

    figures = figures_of(compute_kvalitetsdeklaration(cycle), "kommun")

    reminders = figures.collection.reminders
    assert reminders is not None
    assert [(r.recipients, r.ordinary) for r in reminders] == [(2, True), (1, False)]
    assert figures.collection.ordinary_reminders == 1
    assert figures.collection.extra_reminders == 1
    assert figures.item_nonresponse is not None
    by_variable = {i.variable: i for i in figures.item_nonresponse}
    # Three respondents: all were shown 2, two of them 2a (Q2 = nej).
    assert by_variable["q2_malbild"] == ItemNonresponse(
        "q2_malbild", "2", by_variable["q2_malbild"].label, 3, 3, 0, 0, 0
    )
    assert by_variable["q2a_tar_fram"] == ItemNonresponse(
        "q2a_tar_fram", "2a", by_variable["q2a_tar_fram"].label, 2, 1, 1, 1, 0
    )
    # Matrix rows are items of their own, named by the row.
    assert "q1_beslut" in by_variable
    assert any(
        i.label.endswith(": Sjuksköterska")
        for i in figures.item_nonresponse
        if i.variable == "q3_balans"
    )


def test_the_adapters_results_are_counted_and_tabulated() -> None:
    def two_ordinary_and_one_extra(q: Questionnaire) -> list[ReminderRound]:
        day = datetime.date(2020, 1, 10)
        return [
            ReminderRound(day, 120, ordinary=True),
            ReminderRound(day, 80, ordinary=True),
            ReminderRound(day, 3, ordinary=False),
        ]

    def one_question(q: Questionnaire) -> list[ItemNonresponse]:
        return [ItemNonresponse("q2a", "2a", "Målbild", 163, 163, 0, 63, 0)]

    computed = compute_kvalitetsdeklaration(
        Cycle.objects.get(year=2019),
        reminders=two_ordinary_and_one_extra,
        item_nonresponse=one_question,
    )
    collection = figures_of(computed, "kommun").collection
    assert (collection.ordinary_reminders, collection.extra_reminders) == (2, 1)
    tables = [t for c in outline(computed) for p in c.parts for t in p.tables]
    item = next(t for t in tables if t.caption.startswith("Partiellt bortfall"))
    assert item.rows == (("2a. Målbild", "q2a", "163", "163", "0", "0", "63"),)


# --- questions added, changed and removed --------------------------------------------


def two_small_cycles() -> tuple[Cycle, Cycle]:
    """2061 and 2062 versions of a questionnaire "prov" (no other cycle has one), written to differ in
    every way the revision list knows."""
    old_cycle = CycleFactory(year=2061)
    new_cycle = CycleFactory(year=2062)
    old = SectionFactory(
        questionnaire=QuestionnaireFactory(
            cycle=old_cycle, key="prov", title="Enkät 2061"
        )
    )
    new = SectionFactory(
        questionnaire=QuestionnaireFactory(
            cycle=new_cycle, key="prov", title="Enkät 2062"
        )
    )

    def question(section: object, number: str, variable: str, **kw: object) -> object:
        return QuestionFactory(
            section=section,
            number=number,
            position=int(number),
            variable=variable,
            **kw,
        )

    # Unchanged (wording differs only in line breaks).
    question(old, "1", "same", text="Har ni en plan?", comparability="new")
    question(new, "1", "same", text="Har ni en\n plan?", comparability="same")
    # Wording changed.
    question(old, "2", "wording", text="Har ni en länsgemensam plan?")
    question(
        new,
        "2",
        "wording",
        text="Har ni en gemensam plan i länet?",
        comparability="wording_changed",
    )
    # An option added, but declared unchanged: flagged for review.
    for section, codes in ((old, ["ja", "nej"]), (new, ["ja", "nej", "vet"])):
        choice = question(
            section,
            "3",
            "choice",
            kind="yes_no",
            text="Finns det?",
            comparability="same" if section is new else "new",
        )
        for position, code in enumerate(codes):
            OptionFactory(question=choice, position=position, code=code, label=code)
    # Matrix rows changed.
    for section, rows in ((old, ["a", "b"]), (new, ["a", "c"])):
        matrix = question(
            section,
            "4",
            "matrix",
            kind="matrix",
            text="Bedöm.",
            comparability="options_changed" if section is new else "new",
        )
        OptionFactory(question=matrix, position=1, code="ja", label="Ja")
        for position, code in enumerate(rows):
            MatrixRowFactory(question=matrix, position=position, code=code, label=code)
    # Renamed variable, same lineage key, same text: the same question.
    question(old, "5", "old_name", lineage_key="plan_lineage", text="Hur många?")
    question(
        new,
        "5",
        "new_name",
        lineage_key="plan_lineage",
        text="Hur många?",
        comparability="same",
    )
    # Removed, and added.
    question(old, "6", "removed", label="Borttagen fråga")
    question(new, "6", "added", label="Ny fråga")
    return old_cycle, new_cycle


def test_it_lists_questions_added_changed_and_removed_since_the_previous_cycle() -> (
    None
):
    _, new_cycle = two_small_cycles()

    revision = figures_of(compute_kvalitetsdeklaration(new_cycle), "prov").revision

    assert revision.previous_year == 2061
    assert revision.added == (QuestionRef("6", "added", "Ny fråga"),)
    assert revision.removed == (QuestionRef("6", "removed", "Borttagen fråga"),)
    assert revision.changed == (
        ChangedQuestion(
            "2",
            "2",
            "wording",
            "Beskrivning",
            ("frågetext",),
            "Ändrad formulering",
            declared_same=False,
        ),
        ChangedQuestion(
            "3",
            "3",
            "choice",
            "Beskrivning",
            ("svarsalternativ",),
            "Oförändrad",
            declared_same=True,
        ),
        ChangedQuestion(
            "4",
            "4",
            "matrix",
            "Beskrivning",
            ("delfrågor",),
            "Ändrade svarsalternativ",
            declared_same=False,
        ),
    )


def test_a_questionnaire_without_an_earlier_version_has_nothing_to_compare() -> None:
    old_cycle, _ = two_small_cycles()
    revision = figures_of(compute_kvalitetsdeklaration(old_cycle), "prov").revision
    assert revision.previous_year is None
    assert (revision.added, revision.changed, revision.removed) == ((), (), ())


def test_the_2024_kommun_questionnaire_is_compared_with_2019() -> None:
    computed = compute_kvalitetsdeklaration(Cycle.objects.get(year=2024))
    assert figures_of(computed, "kommun").revision.previous_year == 2019
    assert figures_of(computed, "region").revision.previous_year is None


# --- query budget -------------------------------------------------------------------


def queries_for(cycle: Cycle) -> int:
    with CaptureQueriesContext(connection) as context:
        compute_kvalitetsdeklaration(cycle)
    return len(context.captured_queries)


def test_the_computed_part_makes_the_same_queries_for_few_and_many_respondents() -> (
    None
):
    cycle = Cycle.objects.get(year=2024)
    region = Questionnaire.objects.get(cycle=cycle, key="region")
    kommun = Questionnaire.objects.get(cycle=cycle, key="kommun")
    actor: User = UserFactory()

    def submit(questionnaire: Questionnaire, organisations: list[Organisation]) -> None:
        for response in respond(questionnaire, organisations):
            ResponseEvent.objects.create(
                response=response, kind=ResponseEvent.Kind.SUBMITTED, actor=actor
            )

    submit(region, list(expected_respondents(region)[:2]))
    few = queries_for(cycle)
    submit(region, list(expected_respondents(region)[2:]))
    submit(kommun, list(expected_respondents(kommun)[:150]))
    many = queries_for(cycle)

    # Per questionnaire: its frame, responses, reminders and one tabulation.
    assert few == many
