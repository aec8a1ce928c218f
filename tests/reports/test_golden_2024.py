"""Bilaga 3 of the 2025 report (the 2024 region survey) reproduced cell for cell
from tests/fixtures/region_2024_published.json: the printed answers are
loaded into 2024 region responses through the raw-data import
(tests/reports/golden.py: `load_region_2024_published`, i.e.
`reports.imports.jobs.import_responses`, which saves every row through
`save_answers` with channel «Import»), and the Bilaga 3 layout must print every
table back, Riket row included (issue #5 point 8).

Every published question goes through the import: Fråga 2, 4, 8, 13, 35 and 36
are all answered directly by the regions (none is deduced from another answer),
so no answer is loaded any other way."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from reports.layouts import Table, organisation_table
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level, Tabulation
from surveys.models import Questionnaire, User
from tests.reports.golden import VARIABLES, load_region_2024_published


def questionnaire_2024() -> Questionnaire:
    return Questionnaire.objects.get(cycle__year=2024, key="region")


@pytest.fixture(scope="module")
def golden(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The import runs once per module; its rows are rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        actor = User.objects.create_user(
            email="import-2024@socialstyrelsen.test", is_staff=True
        )
        summary, data = load_region_2024_published(actor)
        # All 21 regions came in as new responses: nothing was skipped.
        assert (summary.rows, summary.new_responses) == (21, 21)
        yield data
        transaction.set_rollback(True)


@pytest.fixture
def tabulations(golden: dict[str, Any], db: None) -> tuple[Tabulation, Tabulation]:
    questionnaire = questionnaire_2024()
    return (
        tabulate(questionnaire, level=Level.REGION),
        tabulate(questionnaire, level=Level.RIKET),
    )


def table_for(number: str, tabulations: tuple[Tabulation, Tabulation]) -> Table:
    per_region, riket = tabulations
    variable = VARIABLES[number]
    return organisation_table(per_region.question(variable), riket.question(variable))


def expected_table(number: str, data: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    """The printed table: Riket first, then the regions in the published order,
    one column per printed column (matrix rows side by side)."""
    columns = [c for c in data["questions"] if c["number"] == number]
    rows = [("Riket", *(c["riket"] for c in columns))]
    for region in data["regions"]:
        rows.append((region, *(c["answers"][region] for c in columns)))
    return tuple(rows)


@pytest.mark.parametrize("number", ["2", "4", "8", "13", "35", "36"])
def test_bilaga_3_table_cell_for_cell(
    number: str,
    tabulations: tuple[Tabulation, Tabulation],
    golden: dict[str, Any],
) -> None:
    table = table_for(number, tabulations)
    assert table.rows == expected_table(number, golden)


def test_the_riket_rows_as_printed(tabulations: tuple[Tabulation, Tabulation]) -> None:
    # Written out from the JSON's "riket" keys and checked by hand against
    # region_questionnaire_2024.md section 3.
    assert table_for("2", tabulations).rows[0] == ("Riket", "19/21")
    assert table_for("4", tabulations).rows[0] == ("Riket", "13/21")
    assert table_for("8", tabulations).rows[0] == (
        "Riket", "18/21", "12/21", "15/21", "13/21", "9/21", "9/21",
    )  # fmt: skip
    assert table_for("13", tabulations).rows[0] == ("Riket", "14/21", "9/21", "18/21")
    # Fråga 35: the plain mean of the 17 numeric answers, 1010/17 = 59,41.
    assert table_for("35", tabulations).rows[0] == ("Riket", "59 %")
    # Fråga 36: the plain sum of the 15 entries as typed (Kalmar's 179 and
    # Gävleborg's 38 included), the file's check basis; the body text's
    # «4,6 miljoner» from 14 answers cannot be reproduced from the table.
    assert table_for("36", tabulations).rows[0] == ("Riket", "4 245 026")


def test_the_riket_figures_and_bases(
    tabulations: tuple[Tabulation, Tabulation],
) -> None:
    _, riket = tabulations
    q35 = riket.question("r35_andel").items[0].by_group[0]
    assert (q35.base, q35.escaped, q35.not_answered) == (17, 4, 0)
    assert q35.total == Decimal(1010)
    q36 = riket.question("r36_antal").items[0].by_group[0]
    assert (q36.base, q36.escaped) == (15, 6)
    assert q36.total == Decimal(4245026)
    q4 = riket.question("r04_handlingsplan").items[0].by_group[0]
    assert dict(q4.counts) == {"ja": 13, "nej_forslag": 2, "nej": 6}
    q13 = {
        i.row.code: i.by_group[0] for i in riket.question("r13_rutiner").items if i.row
    }
    assert {r: (c.count("ja"), c.count("delvis"), c.count("nej")) for r, c in q13.items()} == {
        "hemmet": (14, 5, 2), "bedomning": (9, 11, 1), "utskrivning": (18, 3, 0),
    }  # fmt: skip


def test_the_table_carries_the_question_and_columns(
    tabulations: tuple[Tabulation, Tabulation],
) -> None:
    table = table_for("8", tabulations)
    assert table.title.startswith("Fråga 8. Har regionen (ensam eller tillsammans")
    assert table.header == (
        "Region", "Samverkan", "Delaktighet", "Tillgänglighet", "Kontinuitet",
        "Primärvården som nav", "Hälsofrämjande, förebyggande och rehabiliterande",
    )  # fmt: skip
