"""«Inget av alternativen» (issue #16 point 7, intake/kinds/multiple.py) in the
statistics: it counts in the base, a Bilaga 3 row shows «.» for every option,
the raw data write 0 in every option column (the missing code stays for no
answer) and the import reads that back as the answer."""

from __future__ import annotations

import pytest

from intake.cells import NONE_OF
from intake.models import Answer, Channel, Response
from intake.services import get_or_create_response, save_answers
from reports.imports.jobs import import_responses
from reports.layouts import frequency_table, organisation_table
from reports.tabulation.counts import tabulate
from reports.tabulation.results import Level
from surveys.models import Region
from tests.factories import mark_submitted
from tests.reports.conftest import EveryKind
from tests.reports.helpers import csv_rows, export_bytes

pytestmark = pytest.mark.django_db


def test_none_of_the_alternatives_counts_in_the_base(every_kind: EveryKind) -> None:
    """Sörmland ticked «Barn» and «Andra»; Stockholm answers none of them: the
    base is 2, not 1, and Stockholm's Bilaga 3 cells are «.» (not ticked)."""
    questionnaire = every_kind.questionnaire
    stockholm = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="01")
    )
    save_answers(
        stockholm,
        actor=every_kind.actor,
        channel=Channel.WEB,
        values={"q03_grupper": [NONE_OF]},
    )
    mark_submitted(stockholm)
    riket = tabulate(questionnaire, level=Level.RIKET).question("q03_grupper")
    counts = riket.items[0].by_group[0]
    assert (counts.base, counts.count("barn"), counts.count("andra")) == (2, 1, 1)
    table = frequency_table(riket, audience="region")
    assert table.rows[0][1:] == ("1 (50)", "0 (0)", "1 (50)")
    per_region = tabulate(questionnaire, level=Level.REGION).question("q03_grupper")
    rows = organisation_table(per_region, riket).rows
    assert rows[0] == ("Riket", "1/2", "0/2", "1/2")
    assert rows[1] == ("Stockholm", ".", ".", ".")


def test_raw_data_write_zeros_and_read_them_back_as_none_of(
    every_kind: EveryKind,
) -> None:
    questionnaire = every_kind.questionnaire
    stockholm = get_or_create_response(
        questionnaire, organisation=Region.objects.get(code="01")
    )
    save_answers(
        stockholm,
        actor=every_kind.actor,
        channel=Channel.WEB,
        values={"q03_grupper": [NONE_OF]},
    )
    before = export_bytes(questionnaire)
    rows = csv_rows(before)
    header, stockholm_row = rows[0], next(r for r in rows if r[0] == "01")
    columns = [i for i, name in enumerate(header) if name.startswith("q03_grupper_")]
    assert [stockholm_row[i] for i in columns] == ["0", "0", "0"]
    # Not answered is the missing code, not 0.
    assert stockholm_row[header.index("q01_breddinfort")] == "-2"

    Response.objects.filter(questionnaire=questionnaire).delete()
    import_responses(questionnaire, before, actor=every_kind.actor, submit=True)
    (answer,) = Answer.objects.filter(
        response__organisation__code="01", question__variable="q03_grupper"
    )
    assert answer.slot == NONE_OF
    assert export_bytes(questionnaire) == before
