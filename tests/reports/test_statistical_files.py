"""Every shipped questionnaire writes SPSS and Stata files, also before anyone
has answered: regressions found by the benchmark (pyreadstat names value-label
sets `<variable><n>`, so long names overflowed Stata's 32; empty numeric columns
were guessed as text)."""

from __future__ import annotations

import io

import pyreadstat
import pytest

from reports.rawdata import (
    STATA_NAME_MAX,
    RawDataOptions,
    build_raw_data,
    write_dta,
    write_sav,
)
from surveys.models import Questionnaire

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("values", ["codes", "labels"])
def test_every_shipped_questionnaire_writes_sav_and_dta_without_answers(
    values: str, tmp_path: object
) -> None:
    questionnaires = list(Questionnaire.objects.select_related("cycle"))
    assert len(questionnaires) == 5  # 2019 kommun; 2024 region, kommun, rss, extra
    for questionnaire in questionnaires:
        options = RawDataOptions(values=values)  # type: ignore[arg-type]
        for writer, reader, suffix in (
            (write_sav, pyreadstat.read_sav, "sav"),
            (write_dta, pyreadstat.read_dta, "dta"),
        ):
            path = f"{tmp_path}/{questionnaire.cycle.year}-{questionnaire.key}.{suffix}"
            writer(build_raw_data(questionnaire, options=options), path)
            frame, meta = reader(path)
            assert len(frame) == 0
            data = build_raw_data(questionnaire, options=options)
            assert meta.column_names == [c.name for c in data.columns]


def test_long_cell_names_fall_back_to_positions() -> None:
    rss = Questionnaire.objects.get(cycle__year=2024, key="rss")
    names = [c.name for c in build_raw_data(rss, options=RawDataOptions()).columns]
    assert max(len(n) for n in names) <= STATA_NAME_MAX == 28
    # s07_uppfoljning: rows × options; "s07_uppfoljning_delaktighet_nej" has 31.
    assert "s07_uppfoljning_delaktighet_nej" not in names
    assert any(n.startswith("s07_uppfoljning_r") for n in names)
    assert len(names) == len(set(names))


def test_a_stream_target_works_too() -> None:
    region = Questionnaire.objects.get(cycle__year=2024, key="region")
    buffer = io.BytesIO()
    result = write_dta(build_raw_data(region, options=RawDataOptions()), buffer)
    assert result.rows == 0
    assert buffer.getvalue()[:1] == b"<"  # dta 118 starts with an XML-like tag
