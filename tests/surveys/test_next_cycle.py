"""The next cycle from the current one (issue #19 point 1): the copy keeps every
question's lineage, the edits before opening, the revision report's facts and
the footnotes they feed, and the register carried over."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import timezone

from surveys.definitions.copying import next_year_date
from surveys.definitions.dumping import dump_questionnaire
from surveys.definitions.files import read_cycle_directory
from surveys.definitions.parsing import parse_questionnaire
from surveys.errors import DomainError
from surveys.models import (
    Cycle,
    DefinitionChange,
    Kommun,
    Question,
    Questionnaire,
    QuestionnaireState,
    RSSMembership,
    User,
)
from surveys.revisions import revisions_of, shift_years
from surveys.selectors import expected_respondents
from surveys.services.next_cycle import (
    create_next_cycle,
    definition_file,
    write_definition_files,
)
from surveys.services.questionnaires import DEFINITIONS_DIR, load_questionnaires
from surveys.stored_definitions import stored_definition
from tests.conftest import make_user

# Before the copy's questionnaires open (2025-11-29 and later): under preparation.
BEFORE_OPENING = datetime.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def before_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is before the copy opens: a copy that would open at once is
    refused (tests/surveys/test_next_cycle_pages.py)."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: BEFORE_OPENING)


@pytest.fixture
def next_cycle(staff_user: User) -> Cycle:
    return create_next_cycle(Cycle.objects.get(year=2024), actor=staff_user)


def questions_of(year: int, key: str) -> list[Question]:
    return list(
        Question.objects.filter(
            questionnaire__cycle__year=year, questionnaire__key=key
        ).order_by("position")
    )


# --- the file format round trip ------------------------------------------------------


@pytest.mark.parametrize("year", [2019, 2024])
def test_every_shipped_file_parses_back_from_its_dump(year: int) -> None:
    cycle = read_cycle_directory(DEFINITIONS_DIR / str(year))
    for questionnaire in cycle.questionnaires:
        text = dump_questionnaire(questionnaire)
        again, problems = parse_questionnaire(
            yaml.safe_load(text),
            file=questionnaire.file,
            content_hash=questionnaire.content_hash,
        )
        assert problems == []
        assert again == questionnaire


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2019, 2024])
def test_a_stored_questionnaire_reads_back_as_its_file(year: int) -> None:
    files = read_cycle_directory(
        DEFINITIONS_DIR / str(year), display_root=DEFINITIONS_DIR.parent
    )
    for expected in files.questionnaires:
        stored = stored_definition(
            Questionnaire.objects.get(cycle__year=year, key=expected.key)
        )
        assert stored == expected


# --- the copy ---------------------------------------------------------------------------


def test_years_from_the_cycle_on_move_and_earlier_ones_stay() -> None:
    assert (
        shift_years(
            "Under 2024, än 2023, sedan ca 2019, till 31 mars 2025 (20245 st)",
            from_year=2024,
            by=1,
        )
        == "Under 2025, än 2024, sedan ca 2019, till 31 mars 2026 (20245 st)"
    )
    assert next_year_date(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)


def test_the_copy_keeps_every_question_with_its_lineage(next_cycle: Cycle) -> None:
    assert next_cycle.year == 2025
    assert next_cycle.name == "Uppföljning av omställningen till god och nära vård 2025"
    keys = sorted(next_cycle.questionnaires.values_list("key", flat=True))
    assert keys == ["kommun", "kommun-extra", "region", "rss"]
    for key in keys:
        before, after = questions_of(2024, key), questions_of(2025, key)
        assert len(after) == len(before) > 0
        for old, new in zip(before, after, strict=True):
            assert (new.number, new.variable, new.kind, new.lineage_key) == (
                old.number,
                old.variable,
                old.kind,
                old.lineage_key,
            )
            assert new.comparability == "same"
            assert new.condition == old.condition
            assert list(new.options.values_list("code", flat=True)) == list(
                old.options.values_list("code", flat=True)
            )
            assert list(new.rows.values_list("code", flat=True)) == list(
                old.rows.values_list("code", flat=True)
            )
            assert (new.parent.variable if new.parent else None) == (
                old.parent.variable if old.parent else None
            )
    # An RSS count points at the 2025 kommun question, not the 2024 one.
    counts = Question.objects.filter(
        questionnaire__cycle=next_cycle, source_question__isnull=False
    )
    assert counts.exists()
    assert not counts.exclude(source_question__questionnaire__cycle=next_cycle).exists()


def test_the_copy_moves_dates_and_years_and_waits_in_preparation(
    next_cycle: Cycle,
) -> None:
    region = next_cycle.questionnaires.get(key="region")
    assert (region.opens_on, region.closes_on) == (
        datetime.date(2025, 11, 29),
        datetime.date(2026, 3, 31),
    )
    assert region.title == "Enkät till regionerna 2025"
    assert region.state_on(BEFORE_OPENING) == QuestionnaireState.PREPARATION
    kommun_q2 = Question.objects.get(
        questionnaire__cycle=next_cycle, questionnaire__key="kommun", number="2"
    )
    assert "under 2025" in kommun_q2.text and "2024" not in kommun_q2.text
    # Moved years are not a change: the copy has nothing to report yet.
    revisions = revisions_of(list(next_cycle.questionnaires.select_related("cycle")))
    for revision in revisions.values():
        assert revision.previous_year == 2024
        assert (revision.added, revision.changed, revision.removed) == ((), (), ())
    # Nor a footnote.
    assert not Question.objects.filter(questionnaire__cycle=next_cycle).exclude(
        footnotes=[]
    )


def test_the_copy_is_recorded_with_its_actor(
    next_cycle: Cycle, staff_user: User
) -> None:
    changes = DefinitionChange.objects.filter(questionnaire__cycle=next_cycle)
    assert changes.count() == 4
    assert {(c.kind, c.actor, c.after["från"]) for c in changes} == {
        ("copied", staff_user, 2024)
    }


def test_the_stored_hash_is_that_of_the_definition_file(next_cycle: Cycle) -> None:
    import hashlib

    for questionnaire in next_cycle.questionnaires.all():
        text = definition_file(stored_definition(questionnaire))
        assert hashlib.sha256(text.encode()).hexdigest() == questionnaire.content_hash


def test_it_refuses_a_second_copy_in_swedish(
    next_cycle: Cycle, staff_user: User
) -> None:
    with pytest.raises(DomainError, match="Omgång 2025 finns redan"):
        create_next_cycle(Cycle.objects.get(year=2024), actor=staff_user)


def test_it_copies_only_the_newest_cycle(staff_user: User) -> None:
    with pytest.raises(DomainError, match="från den senaste omgången \\(2024\\)"):
        create_next_cycle(Cycle.objects.get(year=2019), actor=staff_user)
    assert not Cycle.objects.filter(year=2020).exists()


def test_only_staff_create_a_cycle(db: None) -> None:
    coordinator = make_user("samordnare@rss.test")
    with pytest.raises(DomainError, match="Bara Socialstyrelsen"):
        create_next_cycle(Cycle.objects.get(year=2024), actor=coordinator)
    assert not Cycle.objects.filter(year=2025).exists()


def test_the_files_written_load_as_the_same_cycle(
    next_cycle: Cycle, tmp_path: Path
) -> None:
    for year in (2019, 2024):
        target = tmp_path / str(year)
        target.mkdir()
        for source in (DEFINITIONS_DIR / str(year)).iterdir():
            (target / source.name).write_bytes(source.read_bytes())
    written = write_definition_files(next_cycle, tmp_path)
    assert sorted(p.name for p in written) == [
        "cycle.yaml",
        "kommun-extra.yaml",
        "kommun.yaml",
        "region.yaml",
        "rss.yaml",
    ]
    with pytest.raises(DomainError, match="finns redan"):
        write_definition_files(next_cycle, tmp_path)
    report = load_questionnaires(tmp_path)
    # The files are what is stored: nothing of 2025 is loaded again.
    assert not [f for f in report.loaded if "2025" in f]
    assert len([f for f in report.unchanged if "2025" in f]) == 4


def test_the_command_creates_the_cycle_and_writes_its_files(
    staff_user: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "create_next_cycle",
        "--from",
        "2024",
        "--actor",
        staff_user.email,
        "--write-files",
        str(tmp_path),
    )
    out = capsys.readouterr().out
    assert "Omgång 2025 är skapad" in out
    assert (tmp_path / "2025" / "region.yaml").exists()


# --- the register carried over ----------------------------------------------------------


def test_memberships_valid_in_the_year_carry_over_unless_ended(
    next_cycle: Cycle,
) -> None:
    kommun_2024 = Questionnaire.objects.get(cycle__year=2024, key="kommun")
    kommun_2025 = next_cycle.questionnaires.get(key="kommun")
    assert expected_respondents(kommun_2025).count() == 290
    assert list(expected_respondents(kommun_2025)) == list(
        expected_respondents(kommun_2024)
    )
    region_2025 = next_cycle.questionnaires.get(key="region")
    assert expected_respondents(region_2025).count() == 21
    assert expected_respondents(next_cycle.questionnaires.get(key="rss")).count() == 24
    extra_2025 = next_cycle.questionnaires.get(key="kommun-extra")
    assert expected_respondents(extra_2025).count() == 290
    # A kommun whose membership ended in 2024 is not expected to answer in 2025.
    membership = RSSMembership.objects.filter(valid_to__isnull=True).first()
    assert membership is not None
    membership.valid_to = 2024
    membership.save(update_fields=["valid_to"])
    assert membership.kommun in expected_respondents(kommun_2024)
    assert membership.kommun not in expected_respondents(kommun_2025)
    assert expected_respondents(kommun_2025).count() == 289
    assert Kommun.objects.count() == 290


# --- the footnotes a change the file does not declare gets --------------------------------

CHANGED_WORDING_NOTE = (
    "Frågans formulering har ändrats jämfört med 2024. "
    "Jämför med tidigare resultat med försiktighet."
)


def test_a_file_that_keeps_same_after_a_rewording_gets_the_footnote(
    next_cycle: Cycle, tmp_path: Path
) -> None:
    for year in (2019, 2024):
        target = tmp_path / str(year)
        target.mkdir()
        for source in (DEFINITIONS_DIR / str(year)).iterdir():
            (target / source.name).write_bytes(source.read_bytes())
    write_definition_files(next_cycle, tmp_path)
    region_file = tmp_path / "2025" / "region.yaml"
    data = yaml.safe_load(region_file.read_text(encoding="utf-8"))
    question = next(
        q
        for section in data["sections"]
        for q in section["questions"]
        if q["variable"] == "r06_storre_andel"
    )
    assert question["comparability"] == "same"
    question["text"] = "Har regionen beslutat att öka primärvårdens andel av budgeten?"
    region_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    load_questionnaires(tmp_path)

    stored = Question.objects.get(
        questionnaire__cycle=next_cycle, variable="r06_storre_andel"
    )
    assert stored.footnotes == [CHANGED_WORDING_NOTE]
    unchanged = Question.objects.get(
        questionnaire__cycle=next_cycle, variable="r05_andelsmal"
    )
    assert unchanged.footnotes == []
    region = next_cycle.questionnaires.get(key="region")
    changed = revisions_of([region])[region.pk].changed
    assert [(c.variable, c.changes, c.declared_same) for c in changed] == [
        ("r06_storre_andel", ("frågetext",), True)
    ]


def test_footnotes_name_each_change_the_file_does_not_declare() -> None:
    import dataclasses

    from surveys.definitions.footnotes import footnotes_of, is_change_note

    region = read_cycle_directory(DEFINITIONS_DIR / "2024").questionnaire("region")
    assert region is not None
    question = region.question("r04_handlingsplan")
    assert question is not None
    options_note = (
        "Svarsalternativen har ändrats jämfört med 2024. "
        "Jämför med tidigare resultat med försiktighet."
    )
    same = dataclasses.replace(question, comparability="same", footnotes=("Egen.",))
    assert footnotes_of(same, previous_year=2024, changes=()) == ["Egen."]
    assert footnotes_of(
        same, previous_year=2024, changes=("frågetext", "svarsalternativ")
    ) == [CHANGED_WORDING_NOTE, options_note, "Egen."]
    declared = dataclasses.replace(same, comparability="wording_changed")
    assert footnotes_of(declared, previous_year=2024, changes=("delfrågor",)) == [
        CHANGED_WORDING_NOTE,
        options_note,
        "Egen.",
    ]
    assert is_change_note(CHANGED_WORDING_NOTE) and is_change_note(options_note)
    assert is_change_note(
        "Frågans formulering har ändrats jämfört med föregående undersökning. "
        "Jämför med tidigare resultat med försiktighet."
    )
    assert not is_change_note("Egen.")


def test_the_command_takes_the_first_opening_day(staff_user: User) -> None:
    with pytest.raises(CommandError, match="inte är efter i dag"):
        call_command(
            "create_next_cycle",
            "--from",
            "2024",
            "--opens-on",
            "2025-05-31",  # the day before BEFORE_OPENING
            "--actor",
            staff_user.email,
        )
    assert not Cycle.objects.filter(year=2025).exists()
    call_command(
        "create_next_cycle",
        "--from",
        "2024",
        "--opens-on",
        "2025-12-01",
        "--actor",
        staff_user.email,
        stdout=io.StringIO(),
    )
    region = Questionnaire.objects.get(cycle__year=2025, key="region")
    # Two days after 29 November 2025, and the deadline two days later too.
    assert (region.opens_on, region.closes_on) == (
        datetime.date(2025, 12, 1),
        datetime.date(2026, 4, 2),
    )
