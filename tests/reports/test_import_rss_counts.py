"""RSS kommun counts in the raw data carry their bases (`_svarat`, `_ejsvarat`,
`_ejaktuell`), in the codebook and through the import, so that national kommun
shares can be computed from the raw data alone.

Two RSS: the synthetic län of tests/intake/test_consolidation.py (seven
kommuner, its response submitted for real, which freezes the counts) and
Kronoberg (rss-07, eight kommuner), whose frozen counts are written as answer
rows in the exact stored shape. Every figure is written out by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest

from intake.models import Answer, Channel, Response, ResponseStatus
from intake.services import reopen_response, save_answers, submit_response
from reports.codebook import codebook_rows
from reports.imports.importing import RawDataImportError
from reports.imports.jobs import import_responses
from reports.layouts import frequency_table
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level
from surveys.models import RSS, MatrixRow, Option, Questionnaire, RSSMembership, User
from tests.conftest import make_user
from tests.factories import AnswerFactory, ResponseFactory
from tests.intake.test_consolidation import Lan, build_lan
from tests.reports.helpers import csv_bytes, csv_rows, export_bytes

pytestmark = pytest.mark.django_db

KRONOBERG = {
    "c_har": {"ja": 5, "nej": 1, "_svarat": 6, "_ej_svarat": 2, "_ej_aktuell": 0},
    "c_typ": {
        "egna": 4, "region": 2, "annat": 1,
        "_svarat": 4, "_ej_svarat": 3, "_ej_aktuell": 1,
    },
    "c_rutiner": {
        "a.ja": 6, "a.nej": 2, "a._svarat": 8, "a._ej_svarat": 0, "a._ej_aktuell": 0,
        "b.ja": 3, "b.nej": 4, "b._svarat": 7, "b._ej_svarat": 1, "b._ej_aktuell": 0,
    },
}  # fmt: skip

COUNT_COLUMNS = [
    "c_har_ja", "c_har_nej", "c_har_svarat", "c_har_ejsvarat", "c_har_ejaktuell",
    "c_typ_egna", "c_typ_region", "c_typ_annat",
    "c_typ_svarat", "c_typ_ejsvarat", "c_typ_ejaktuell",
    "c_rutiner_a_ja", "c_rutiner_a_nej",
    "c_rutiner_a_svarat", "c_rutiner_a_ejsvarat", "c_rutiner_a_ejaktuell",
    "c_rutiner_b_ja", "c_rutiner_b_nej",
    "c_rutiner_b_svarat", "c_rutiner_b_ejsvarat", "c_rutiner_b_ejaktuell",
]  # fmt: skip


@pytest.fixture
def lan() -> Lan:
    lan = build_lan()
    texts = {"egen": "Vårt eget arbete", "s_beskriv": "Team i hemtjänsten"}
    response = save_answers(
        lan.response, actor=lan.coordinator, channel=Channel.WEB, values=texts
    )
    submit_response(response, actor=lan.coordinator)
    kronoberg = ResponseFactory(
        questionnaire=lan.rss_questionnaire,
        organisation=RSS.objects.get(code="rss-07"),
        status=ResponseStatus.SUBMITTED,
        submitted_at=datetime.datetime(2042, 3, 1, 10, 0, tzinfo=datetime.UTC),
    )
    for variable, text in texts.items():
        AnswerFactory(response=kronoberg, question=lan.q[variable], text=text)
    for variable, slots in KRONOBERG.items():
        question = lan.q[variable]
        for slot, count in slots.items():
            row, _, option = slot.rpartition(".")
            AnswerFactory(
                response=kronoberg,
                question=question,
                slot=slot,
                row=MatrixRow.objects.get(question=question, code=row) if row else None,
                option=Option.objects.filter(question=question, code=option).first(),
                number=Decimal(count),
                channel=Channel.COMPUTED,
            )
    return lan


def rows_by_code(questionnaire: Questionnaire) -> dict[str, dict[str, str]]:
    header, *rows = csv_rows(export_bytes(questionnaire))
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_each_item_has_its_base_after_its_options(lan: Lan) -> None:
    header = csv_rows(export_bytes(lan.rss_questionnaire))[0]
    assert [c for c in header if c.startswith("c_")] == COUNT_COLUMNS
    testlan = rows_by_code(lan.rss_questionnaire)["rss-test"]
    # Frozen from the kommun answers (see test_consolidation): c_har 4 ja, 2 nej,
    # 6 svarat, 1 ej svarat; c_typ 3/3/2 of 3 svarat, 2 ej svarat, 2 ej aktuell;
    # c_rutiner row a 3/2 of 5 (2 ej svarat), row b 2/2 of 4 (3 ej svarat).
    assert [testlan[c] for c in COUNT_COLUMNS] == (
        [
            "4",
            "2",
            "6",
            "1",
            "0",
            "3",
            "3",
            "2",
            "3",
            "2",
            "2",
            "3",
            "2",
            "5",
            "2",
            "0",
            "2",
            "2",
            "4",
            "3",
            "0",
        ]
    )


def test_a_long_name_falls_back_to_positions(lan: Lan) -> None:
    question = lan.q["c_rutiner"]
    question.variable = "c_rutiner_mycket_langt_x"  # 24 characters, the column's limit
    question.save(update_fields=["variable"])
    # As the loader does when it rewrites a questionnaire: a new `loaded_at`, so
    # the structure built before is not reused (intake.selectors.questions_of).
    lan.rss_questionnaire.save(update_fields=["loaded_at"])
    header = csv_rows(export_bytes(lan.rss_questionnaire))[0]
    assert [c for c in header if c.startswith("c_rutiner")] == [
        f"c_rutiner_mycket_langt_x_r{r}_{s}"
        for r in (1, 2)
        for s in ("1", "2", "b1", "b2", "b3")
    ]


def test_the_codebook_names_the_base_columns(lan: Lan) -> None:
    rows = {r.variable: r for r in codebook_rows(lan.rss_questionnaire)}
    assert rows["c_har_svarat"].label.endswith(" – antal kommuner som svarat")
    assert rows["c_har_ejsvarat"].label.endswith(" – antal kommuner som inte svarat")
    assert rows["c_rutiner_b_ejaktuell"].label.endswith(
        " – Fast vårdkontakt – antal kommuner där frågan inte var aktuell"
    )
    assert rows["c_har_svarat"].values.startswith("Antal kommuner (heltal, minst 0)")
    assert rows["c_har_svarat"].missing == (
        "-1 = Ej aktuell (Stata .a); -2 = Ej besvarad (Stata .b)"
    )


def empty_database(lan: Lan) -> None:
    """Every response gone, the kommuner's too: a freeze would now count nothing."""
    Response.objects.filter(questionnaire=lan.rss_questionnaire).delete()
    Response.objects.filter(questionnaire=lan.kommun_questionnaire).delete()


def test_the_round_trip_keeps_the_frozen_counts_and_bases(lan: Lan) -> None:
    before = export_bytes(lan.rss_questionnaire)
    empty_database(lan)
    summary = import_responses(
        lan.rss_questionnaire, before, actor=staff(), submit=True
    )
    assert (summary.rows, summary.submitted) == (2, 2)
    assert export_bytes(lan.rss_questionnaire) == before
    imported = Answer.objects.filter(
        response__organisation=lan.rss, question=lan.q["c_har"]
    )
    assert dict(imported.values_list("slot", "channel")) == {
        slot: Channel.IMPORT
        for slot in ("ja", "nej", "_svarat", "_ej_svarat", "_ej_aktuell")
    }


def test_imported_counts_tabulate_to_the_same_national_kommun_shares(
    lan: Lan,
) -> None:
    def riket() -> tuple[object, ...]:
        result = tabulate(lan.rss_questionnaire, level=Level.RIKET)
        har = result.question("c_har").items[0].by_group[0]
        typ = result.question("c_typ").items[0].by_group[0]
        rutiner_b = {
            i.row.code: i.by_group[0]
            for i in result.question("c_rutiner").items
            if i.row
        }["b"]
        return (
            (har.count("ja"), har.count("nej"), har.base, har.not_answered),
            (typ.count("egna"), typ.count("region"), typ.count("annat")),
            (typ.base, typ.not_answered, typ.not_applicable),
            (rutiner_b.count("ja"), rutiner_b.count("nej"), rutiner_b.base),
            rutiner_b.not_answered,
            frequency_table(result.question("c_har"), audience="rss").rows[0][1:],
        )

    # c_har: 4 + 5 = 9 ja, 2 + 1 = 3 nej of 6 + 6 = 12 that answered (75 %, 25 %),
    # 1 + 2 = 3 did not. c_typ: 3 + 4 = 7, 3 + 2 = 5, 2 + 1 = 3 of 3 + 4 = 7;
    # 2 + 3 = 5 ej svarat, 2 + 1 = 3 ej aktuell. c_rutiner row b: 2 + 3 = 5 ja,
    # 2 + 4 = 6 nej of 4 + 7 = 11; 3 + 1 = 4 ej svarat.
    expected = (
        (9, 3, 12, 3),
        (7, 5, 3),
        (7, 5, 3),
        (5, 6, 11),
        4,
        ("9 (75)", "3 (25)"),
    )
    assert riket() == expected
    content = export_bytes(lan.rss_questionnaire)
    empty_database(lan)
    import_responses(lan.rss_questionnaire, content, actor=staff(), submit=True)
    assert riket() == expected


def test_a_file_without_the_bases_is_frozen_from_the_kommun_answers(
    lan: Lan,
) -> None:
    header, *rows = csv_rows(export_bytes(lan.rss_questionnaire))
    keep = [i for i, c in enumerate(header) if not c.endswith("aktuell")]
    keep = [i for i in keep if not header[i].endswith("svarat")]
    content = csv_bytes([[r[i] for i in keep] for r in [header, *rows[:1]]])
    Response.objects.filter(questionnaire=lan.rss_questionnaire).delete()
    import_responses(lan.rss_questionnaire, content, actor=staff(), submit=True)
    # The kommun answers are still there: the freeze gives the same base.
    row = rows_by_code(lan.rss_questionnaire)["rss-test"]
    assert [row[c] for c in ("c_har_svarat", "c_har_ejsvarat")] == ["6", "1"]


Rows = list[list[str]]


def set_cell(column: str, value: str) -> Callable[[Rows], Rows]:
    def change(rows: Rows) -> Rows:
        line = next(i for i, r in enumerate(rows) if r[0] == "rss-test")
        rows[line][rows[0].index(column)] = value
        return rows

    return change


CASES: dict[str, tuple[Callable[[Rows], Rows], str]] = {
    "a negative count": (
        set_cell("c_har_svarat", "-4"),
        "kolumn c_har_svarat: Antalet kommuner ska vara ett heltal, 0 eller mer.",
    ),
    "a fraction": (
        set_cell("c_rutiner_b_ejsvarat", "2,5"),
        "kolumn c_rutiner_b_ejsvarat: Antalet kommuner ska vara ett heltal, 0 eller "
        "mer.",
    ),
    "one base column blank": (
        set_cell("c_typ_ejaktuell", ""),
        "kolumn c_typ_ejaktuell: antalet saknas; ange antal kommuner som svarat, "
        "inte svarat och där frågan inte var aktuell, eller inget av dem.",
    ),
    "an option above the kommuner that answered": (
        set_cell("c_har_ja", "7"),
        "kolumn c_har_ja: 7 kommuner är fler än de 6 som har svarat (c_har_svarat); "
        "en justering kan bara flytta kommuner mellan svarsalternativen.",
    ),
    "yes/no counts that add up to more than answered": (
        set_cell("c_har_ja", "5"),
        "kolumn c_har_ja: c_har_ja + c_har_nej är 7 kommuner, fler än de 6 som har "
        "svarat (c_har_svarat); varje kommun har ett svar, så en justering kan bara "
        "flytta kommuner mellan svarsalternativen.",
    ),
    "a matrix row that adds up to more than answered": (
        set_cell("c_rutiner_b_nej", "3"),
        "kolumn c_rutiner_b_ja: c_rutiner_b_ja + c_rutiner_b_nej är 5 kommuner, "
        "fler än de 4 som har svarat (c_rutiner_b_svarat); varje kommun har ett "
        "svar, så en justering kan bara flytta kommuner mellan svarsalternativen.",
    ),
    "totals that differ between items": (
        set_cell("c_rutiner_a_ejsvarat", "3"),
        "kolumn c_rutiner_a_svarat: svarat + inte svarat + ej aktuell är 8 kommuner "
        "men 7 i kolumn c_har_svarat; RSS:en har lika många kommuner i varje fråga.",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_counts_are_refused_by_row_and_column(lan: Lan, case: str) -> None:
    change, message = CASES[case]
    rows = csv_rows(export_bytes(lan.rss_questionnaire))
    line = next(i for i, r in enumerate(rows) if r[0] == "rss-test") + 1
    content = csv_bytes(change(rows))
    Response.objects.filter(questionnaire=lan.rss_questionnaire).delete()
    with pytest.raises(RawDataImportError) as refused:
        import_responses(lan.rss_questionnaire, content, actor=staff(), submit=True)
    assert refused.value.errors == [f"Rad {line}, {message}"]
    assert not Response.objects.filter(questionnaire=lan.rss_questionnaire).exists()


def test_a_re_classification_within_svarat_is_accepted(lan: Lan) -> None:
    # An adjustment moves kommuner that answered between the alternatives: of
    # the 6 that answered, 6 ja and 0 nej is a valid submitted figure.
    rows = csv_rows(export_bytes(lan.rss_questionnaire))
    rows = set_cell("c_har_nej", "0")(set_cell("c_har_ja", "6")(rows))
    Response.objects.filter(questionnaire=lan.rss_questionnaire).delete()
    import_responses(lan.rss_questionnaire, csv_bytes(rows), actor=staff())
    row = rows_by_code(lan.rss_questionnaire)["rss-test"]
    assert [row[c] for c in ("c_har_ja", "c_har_nej", "c_har_svarat")] == [
        "6",
        "0",
        "6",
    ]


def test_multiple_choice_ticks_may_add_up_to_more_than_answered(lan: Lan) -> None:
    # c_typ: 3 + 3 + 2 = 8 ticks from the 3 kommuner that answered; at the limit
    # every one of them ticked every alternative.
    rows = csv_rows(export_bytes(lan.rss_questionnaire))
    for column in ("c_typ_egna", "c_typ_region", "c_typ_annat"):
        rows = set_cell(column, "3")(rows)
    Response.objects.filter(questionnaire=lan.rss_questionnaire).delete()
    import_responses(lan.rss_questionnaire, csv_bytes(rows), actor=staff())
    assert rows_by_code(lan.rss_questionnaire)["rss-test"]["c_typ_annat"] == "3"


def test_a_base_above_the_rss_member_kommuner_is_refused(lan: Lan) -> None:
    # The file says 6 + 1 + 0 = 7 kommuner; the register now gives the RSS 6 in
    # the cycle's year.
    content = export_bytes(lan.rss_questionnaire)
    RSSMembership.objects.filter(kommun=lan.kommuner["Kommun 6"]).delete()
    line = next(i for i, r in enumerate(csv_rows(content)) if r[0] == "rss-test") + 1
    Response.objects.filter(questionnaire=lan.rss_questionnaire).delete()
    with pytest.raises(RawDataImportError) as refused:
        import_responses(lan.rss_questionnaire, content, actor=staff(), submit=True)
    assert refused.value.errors == [
        f"Rad {line}, kolumn c_har_svarat: svarat + inte svarat + ej aktuell är 7 "
        "kommuner, men RSS:en har 6 kommuner det året."
    ]
    assert not Response.objects.filter(questionnaire=lan.rss_questionnaire).exists()


def without_bases(lan: Lan, **cells: str) -> bytes:
    """The RSS row of the export without its base columns, cells changed."""
    header, *rows = csv_rows(export_bytes(lan.rss_questionnaire))
    row = next(r for r in rows if r[0] == "rss-test")
    for column, value in cells.items():
        row[header.index(column)] = value
    keep = [i for i, c in enumerate(header) if not c.endswith(("svarat", "aktuell"))]
    return csv_bytes([[r[i] for i in keep] for r in [header, row]])


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            {"c_har_ja": "7"},
            "Antalet kan inte vara större än antalet kommuner som har svarat på "
            "frågan (6).",
        ),
        # c_har_nej blank: it follows the live count, 2.
        (
            {"c_har_ja": "5", "c_har_nej": ""},
            "Antalen är tillsammans 7, men bara 6 kommuner har svarat på frågan och "
            "varje kommun har ett svar: en justering kan bara flytta kommuner "
            "mellan svarsalternativen.",
        ),
    ],
)
def test_counts_without_bases_must_fit_the_kommuner_that_answered(
    lan: Lan, cells: dict[str, str], message: str
) -> None:
    content = without_bases(lan, **cells)
    Response.objects.filter(questionnaire=lan.rss_questionnaire).delete()
    with pytest.raises(RawDataImportError) as refused:
        import_responses(lan.rss_questionnaire, content, actor=staff(), submit=True)
    assert refused.value.errors == [
        f"Rad 2, kolumn c_har_ja: {message} Saknas en kommuns svar, registrera det "
        "för kommunen (”Fyll i åt kommunen” under ”Se kommunernas svar”)."
    ]
    assert not Response.objects.filter(questionnaire=lan.rss_questionnaire).exists()


def test_counts_without_bases_within_svarat_are_frozen_as_adjustments(
    lan: Lan,
) -> None:
    content = without_bases(lan, c_har_ja="6", c_har_nej="0")
    Response.objects.filter(questionnaire=lan.rss_questionnaire).delete()
    import_responses(lan.rss_questionnaire, content, actor=staff(), submit=True)
    row = rows_by_code(lan.rss_questionnaire)["rss-test"]
    assert [row[c] for c in ("c_har_ja", "c_har_nej", "c_har_svarat")] == [
        "6",
        "0",
        "6",
    ]


def test_a_submit_the_services_refuse_is_reported_by_row(lan: Lan) -> None:
    """Stored adjustments that no longer fit (a kommun's answer removed after
    they were saved) stop the import's submit with the row named, not a 500."""
    reopen_response(
        Response.objects.get(organisation=lan.rss, questionnaire=lan.rss_questionnaire),
        actor=staff(),
        reason="Komplettering",
    )
    rss_response = Response.objects.get(
        organisation=lan.rss, questionnaire=lan.rss_questionnaire
    )
    save_answers(
        rss_response,
        actor=lan.coordinator,
        channel=Channel.WEB,
        values={"c_har": {"ja": 6, "nej": 0}},
        reason="Två kommuner har rättat sina svar",
    )
    kommun_2 = Response.objects.get(
        organisation=lan.kommuner["Kommun 2"], questionnaire=lan.kommun_questionnaire
    )
    kommun_2 = reopen_response(kommun_2, actor=staff(), reason="Fel")
    save_answers(
        kommun_2, actor=staff(), channel=Channel.WEB, values={"har_team": None}
    )
    header = ["orgkod", "orgnamn", "orgtyp", "regionkod", "rsskod", "status"]
    content = csv_bytes(
        [
            [*header, "inskickad", "egen"],
            ["rss-test", "", "", "", "", "Inskickad", "", "Vårt arbete"],
        ]
    )
    with pytest.raises(RawDataImportError) as refused:
        import_responses(lan.rss_questionnaire, content, actor=staff(), submit=True)
    (error,) = refused.value.errors
    assert error.startswith(
        "Rad 2: Enkäten kan inte skickas in: de justerade antalen i fråga "
    )
    assert "(5 kommuner har svarat nu)" in error
    rss_response.refresh_from_db()
    assert rss_response.status == ResponseStatus.REOPENED
    assert rss_response.answers.get(question=lan.q["egen"]).text != "Vårt arbete"


def staff() -> User:
    existing = User.objects.filter(email="statistiker@socialstyrelsen.test").first()
    return existing or make_user("statistiker@socialstyrelsen.test", is_staff=True)
