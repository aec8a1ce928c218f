"""Importing raw data: every kind of error named by row and column, nothing saved
on error, history and channel on success, and the round trip export → import into
an empty database → export."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from intake.models import Answer, AnswerChange, Channel, Response, ResponseStatus
from reports.imports.importing import RawDataImportError
from reports.imports.jobs import import_responses
from tests.reports.conftest import EveryKind
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes

pytestmark = pytest.mark.django_db

Rows = list[list[str]]


def emptied(every_kind: EveryKind) -> Rows:
    """The exported rows; then the database is emptied of responses."""
    rows = csv_rows(export_bytes(every_kind.questionnaire))
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    return rows


def set_cell(rows: Rows, line: int, column: str, value: str) -> Rows:
    rows[line - 1][rows[0].index(column)] = value
    return rows


def drop_column(rows: Rows, column: str) -> Rows:
    i = rows[0].index(column)
    return [r[:i] + r[i + 1 :] for r in rows]


def add_column(rows: Rows, column: str) -> Rows:
    return [rows[0] + [column]] + [r + ["1"] for r in rows[1:]]


CASES: dict[str, tuple[Callable[[Rows], Rows], str]] = {
    "unknown organisation": (
        lambda rows: set_cell(rows, 2, "orgkod", "9999"),
        "Rad 2, kolumn orgkod: «9999» är ingen känd organisation.",
    ),
    "outside the audience": (
        lambda rows: set_cell(rows, 2, "orgkod", "0780"),
        "Rad 2, kolumn orgkod: «0780» (Växjö) hör inte till enkätens målgrupp",
    ),
    "duplicate row": (
        lambda rows: set_cell(rows, 3, "orgkod", "04"),
        "Rad 3, kolumn orgkod: «04» förekommer redan på rad 2.",
    ),
    "unknown column": (
        lambda rows: add_column(rows, "q99_okand"),
        "Rad 1, kolumn q99_okand: okänd kolumn",
    ),
    "missing leading column": (
        lambda rows: drop_column(rows, "status"),
        "Rad 1: kolumnen status saknas.",
    ),
    "value outside the options": (
        lambda rows: set_cell(rows, 2, "q01_breddinfort", "Kanske"),
        "Rad 2, kolumn q01_breddinfort: «Kanske» är inget svarsalternativ (1 = Ja, 2 = Nej).",
    ),
    "matrix value outside the options": (
        lambda rows: set_cell(rows, 3, "q04_uppfoljning_nav", "3"),
        "Rad 3, kolumn q04_uppfoljning_nav: «3» är inget svarsalternativ (1 = Ja, 2 = Nej).",
    ),
    "bad number": (
        lambda rows: set_cell(rows, 2, "q06_andel", "sextio"),
        "Rad 2, kolumn q06_andel: «sextio» är inget tal.",
    ),
    "number out of range": (
        lambda rows: set_cell(rows, 2, "q06_andel", "150"),
        "Rad 2, kolumn q06_andel: Värdet får vara högst 100.",
    ),
    "0/1 column with another value": (
        lambda rows: set_cell(rows, 2, "q03_grupper_barn", "2"),
        "Rad 2, kolumn q03_grupper_barn: «2» går inte; ange 1 (vald) eller 0 (ej vald).",
    ),
    "follow-up whose condition does not hold": (
        lambda rows: set_cell(rows, 3, "q01a_exempel", "Ett exempel"),
        "Rad 3, kolumn q01a_exempel: frågan har ett svar men ska bara besvaras om q01_breddinfort = Ja.",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_invalid_file_is_refused_whole_and_nothing_is_saved(
    every_kind: EveryKind, case: str
) -> None:
    change, message = CASES[case]
    content = csv_bytes(change(emptied(every_kind)))
    with pytest.raises(RawDataImportError) as refused:
        import_responses(
            every_kind.questionnaire, content, actor=every_kind.actor, submit=True
        )
    assert any(e.startswith(message) for e in refused.value.errors), (
        refused.value.errors
    )
    assert refused.value.message.startswith("Filen har ")
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()


def test_every_error_is_listed_at_once(every_kind: EveryKind) -> None:
    rows = emptied(every_kind)
    set_cell(rows, 2, "q01_breddinfort", "Kanske")
    set_cell(rows, 3, "q06_andel", "x")
    with pytest.raises(RawDataImportError) as refused:
        import_responses(
            every_kind.questionnaire, csv_bytes(rows), actor=every_kind.actor
        )
    assert len(refused.value.errors) == 2


def test_the_round_trip_gives_identical_raw_data(every_kind: EveryKind) -> None:
    before = export_bytes(every_kind.questionnaire)
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    summary = import_responses(
        every_kind.questionnaire, before, actor=every_kind.actor, submit=True
    )
    assert (summary.rows, summary.new_responses, summary.submitted) == (2, 2, 1)
    assert export_bytes(every_kind.questionnaire) == before


def test_the_round_trip_holds_for_labels_in_excel(every_kind: EveryKind) -> None:
    codes = export_bytes(every_kind.questionnaire)
    labelled = export_bytes(every_kind.questionnaire, "xlsx", values="labels")
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    import_responses(
        every_kind.questionnaire, labelled, actor=every_kind.actor, submit=True
    )
    assert export_bytes(every_kind.questionnaire) == codes


def test_imported_answers_carry_the_channel_and_history(every_kind: EveryKind) -> None:
    content = export_bytes(every_kind.questionnaire)
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    import_responses(
        every_kind.questionnaire,
        content,
        actor=every_kind.actor,
        file_name="radata.csv",
    )
    answers = Answer.objects.filter(response__questionnaire=every_kind.questionnaire)
    assert set(answers.values_list("channel", flat=True)) == {Channel.IMPORT}
    changes = AnswerChange.objects.filter(
        response__questionnaire=every_kind.questionnaire
    )
    assert changes.count() == answers.count()
    assert set(changes.values_list("reason", flat=True)) == {"Import från radata.csv"}
    # Without submit nothing is submitted, whatever the status column says.
    assert set(
        Response.objects.filter(questionnaire=every_kind.questionnaire).values_list(
            "status", flat=True
        )
    ) == {ResponseStatus.IN_PROGRESS}


def test_a_submitted_row_with_item_nonresponse_is_refused_by_default(
    every_kind: EveryKind,
) -> None:
    """The import is as strict as the form (issue #16 point 8): a row to be
    submitted with a required question unanswered is refused, and nothing is
    saved."""
    rows = set_cell(emptied(every_kind), 2, "q02_plan", "")
    with pytest.raises(RawDataImportError) as refused:
        import_responses(
            every_kind.questionnaire,
            csv_bytes(rows),
            actor=every_kind.actor,
            submit=True,
        )
    assert refused.value.errors == [
        "Rad 2: svaret är markerat som inskickat men obligatoriska frågor saknar "
        "svar (fråga 2). Läs in raden som ej inskickad, eller välj «Historiska "
        "uppgifter» om svaret skickades in så i ett tidigare år."
    ]
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()
    # Without submitting, the same row is read as a response in progress.
    summary = import_responses(
        every_kind.questionnaire, csv_bytes(rows), actor=every_kind.actor
    )
    assert (summary.rows, summary.submitted, summary.warnings) == (2, 0, ())


def test_historical_data_keep_their_item_nonresponse_and_say_so(
    every_kind: EveryKind,
) -> None:
    """An earlier year's submitted response keeps its item nonresponse when
    staff choose historical data: read with a warning, and the choice is in the
    summary, the answers' history and the submission's event."""
    rows = set_cell(emptied(every_kind), 2, "q02_plan", "")
    summary = import_responses(
        every_kind.questionnaire,
        csv_bytes(rows),
        actor=every_kind.actor,
        file_name="region_2019.csv",
        submit=True,
        historical=True,
    )
    assert summary.warnings == (
        "Rad 2: svaret markeras som inskickat fast obligatoriska frågor saknar svar "
        "(fråga 2); historiska uppgifter: de räknas som partiellt bortfall.",
    )
    assert (summary.historical, summary.incomplete, summary.submitted) == (True, 1, 1)
    sormland = Response.objects.get(
        questionnaire=every_kind.questionnaire, organisation__code="04"
    )
    assert sormland.status == ResponseStatus.SUBMITTED
    assert not sormland.answers.filter(question__variable="q02_plan").exists()
    reasons = set(
        AnswerChange.objects.filter(response=sormland).values_list("reason", flat=True)
    )
    assert reasons == {"Import från region_2019.csv (historiska uppgifter)"}
    (event,) = sormland.events.filter(kind="submitted")
    assert event.reason == (
        "Import från region_2019.csv (historiska uppgifter): obligatoriska frågor "
        "utan svar godtogs (fråga 2)"
    )
    # Kronoberg's row is «Påbörjad»: read in, not submitted, nothing to excuse.
    kronoberg = Response.objects.get(
        questionnaire=every_kind.questionnaire, organisation__code="07"
    )
    assert kronoberg.status == ResponseStatus.IN_PROGRESS
    assert not kronoberg.events.filter(kind="submitted").exists()


def test_a_dry_run_saves_nothing(every_kind: EveryKind) -> None:
    content = csv_bytes(emptied(every_kind))
    summary = import_responses(
        every_kind.questionnaire, content, actor=every_kind.actor, dry_run=True
    )
    assert (summary.rows, summary.new_responses, summary.dry_run) == (2, 2, True)
    assert not Response.objects.filter(questionnaire=every_kind.questionnaire).exists()


def test_a_submitted_response_is_not_overwritten(every_kind: EveryKind) -> None:
    content = export_bytes(every_kind.questionnaire)
    with pytest.raises(RawDataImportError) as refused:
        import_responses(every_kind.questionnaire, content, actor=every_kind.actor)
    assert refused.value.errors == [
        "Rad 2, kolumn orgkod: svaret från Region Sörmland är inskickat och låst; "
        "öppna det igen innan det ersätts."
    ]


def test_a_subset_of_columns_leaves_the_other_answers(every_kind: EveryKind) -> None:
    rows = csv_rows(export_bytes(every_kind.questionnaire))
    keep = [rows[0].index(c) for c in rows[0][:7] + ["q06_andel"]]
    subset = [[r[i] for i in keep] for r in rows[:1] + rows[2:]]
    subset[1][-1] = "13,5"
    import_responses(
        every_kind.questionnaire, csv_bytes(subset), actor=every_kind.actor
    )
    after = csv_rows(export_bytes(every_kind.questionnaire))
    expected = rows[2][:]
    expected[rows[0].index("q06_andel")] = "13.5"
    assert after[2] == expected


def test_a_comma_separated_file_and_labels_are_read(every_kind: EveryKind) -> None:
    rows = csv_rows(export_bytes(every_kind.questionnaire, values="labels"))
    Response.objects.filter(questionnaire=every_kind.questionnaire).delete()
    summary = import_responses(
        every_kind.questionnaire, csv_bytes(rows, delimiter=","), actor=every_kind.actor
    )
    assert summary.rows == 2


def test_a_damaged_file_is_refused(every_kind: EveryKind) -> None:
    with pytest.raises(RawDataImportError) as refused:
        import_responses(
            every_kind.questionnaire, b"PK\x03\x04broken", actor=every_kind.actor
        )
    assert refused.value.errors == [
        "Filen kunde inte läsas som en Excel-arbetsbok (.xlsx). Spara den som "
        "Excel-arbetsbok (.xlsx) och försök igen."
    ]
