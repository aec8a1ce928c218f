"""The chart models (reports/chart_layouts.py) on hand-made counts: titles say
what is shown, ties keep the register's order, groups without data are named
under the chart."""

from __future__ import annotations

import pytest

from reports.chart_layouts import group_chart, option_chart
from reports.tabulation.results import (
    Choice,
    Group,
    Item,
    ItemCounts,
    Level,
    QuestionRef,
)

# Neither the database nor the services: CI's services pass leaves it to the first.
pytestmark = pytest.mark.engine_independent

REF = QuestionRef(
    id=1,
    variable="s06_breddinfort",
    number="6",
    kind="kommun_count",
    text="Ange hur många kommuner som …",
    label="Antal kommuner som breddinfört verksamhet",
    escape_label="",
    unit="",
    national_figure="",
    has_condition=False,
    options=(Choice("ja", "Ja"), Choice("nej", "Nej")),
    rows=(),
)


def counts(name: str, ja: int, nej: int) -> ItemCounts:
    group = Group(key=hash(name), code=name.lower(), name=name, short_name=name)
    base = ja + nej
    return ItemCounts(
        group=group,
        respondents=base,
        not_applicable=0,
        not_answered=0,
        escaped=0,
        base=base,
        counts={"ja": ja, "nej": nej},
    )


def test_an_rss_count_is_charted_as_a_share_titled_andel() -> None:
    item = Item(REF, None, (counts("Riket", 3, 1),))
    chart = option_chart(item, audience="rss")
    assert chart.title == "Andel kommuner som breddinfört verksamhet"
    assert [(b.label, b.text) for b in chart.bars] == [("Ja", "75 %"), ("Nej", "25 %")]
    assert chart.base_note == "Bas: 4 kommuner har svarat."


def test_ties_keep_the_registers_order_and_missing_groups_are_named() -> None:
    # In the register's order: Västerbotten before Norrbotten, both 50 %;
    # Jämtland without data.
    item = Item(
        REF,
        None,
        (
            counts("Västerbotten", 1, 1),
            counts("Jämtland", 0, 0),
            counts("Norrbotten", 2, 2),
            counts("Gävleborg", 3, 0),
        ),
    )
    chart = group_chart(item, audience="rss", level=Level.REGION)
    assert chart.title == (
        "Andel kommuner som breddinfört verksamhet: svarat «Ja», per region"
    )
    assert [b.label for b in chart.bars] == ["Gävleborg", "Västerbotten", "Norrbotten"]
    assert chart.base_note == (
        "Bas: de kommuner som har svarat på frågan i varje region, 9 totalt. "
        ".. (uppgift saknas, ingen stapel): Jämtland."
    )
    assert chart.category_title == "Region"
