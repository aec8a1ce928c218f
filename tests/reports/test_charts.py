"""Charts: order, Swedish labels, the PNG's size, and the native Excel chart's ranges."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PIL import Image

from reports.charts import (
    BarChartData,
    bar_chart_png,
    bar_chart_xlsx,
    chart_size_px,
    describe,
    labels,
)
from surveys.formatting import swedish_number

# Hand-made, in the style of the 2025 report's kommun figure.
KOMMUNER = BarChartData(
    title="Andel kommuner som har infört följande arbetssätt",
    categories=[
        "Mobila team",
        "Fast vårdkontakt i kommunen",
        "Gemensamma individuella planer med regionen (SIP) i digital form",
        "Hemsjukvård dygnet runt",
    ],
    values=[Decimal("47"), Decimal("62.5"), Decimal("47"), Decimal("81.25")],
    value_format="percent",
    source_line="Källa: Socialstyrelsens uppföljning 2024, hjälpenkät till kommunerna.",
    base_note="Bas: 262 av 290 kommuner.",
    category_title="Arbetssätt",
)
NBSP = "\u00a0"


def test_bars_are_sorted_by_value_and_ties_keep_the_category_order() -> None:
    ordered = KOMMUNER.sorted()
    assert list(ordered.categories) == [
        "Hemsjukvård dygnet runt",
        "Fast vårdkontakt i kommunen",
        "Mobila team",
        "Gemensamma individuella planer med regionen (SIP) i digital form",
    ]
    assert labels(ordered) == [f"81{NBSP}%", f"63{NBSP}%", f"47{NBSP}%", f"47{NBSP}%"]


def test_swedish_numbers_have_a_decimal_comma_and_round_half_up() -> None:
    assert swedish_number(Decimal("62.5"), decimals=0, nbsp=True) == "63"
    assert swedish_number(Decimal("2.45"), decimals=1, nbsp=True) == "2,5"
    assert swedish_number(1234567, decimals=0, nbsp=True) == f"1{NBSP}234{NBSP}567"
    counts = BarChartData(
        title="Antal regioner som har en handlingsplan",
        categories=["Ja", "Delvis", "Nej"],
        values=[14, 5, 2],
        value_format="count",
        source_line="Källa: Socialstyrelsen.",
    )
    assert labels(counts) == ["14", "5", "2"]
    assert describe(counts) == (
        "Antal regioner som har en handlingsplan. Ja: 14; Delvis: 5; Nej: 2."
    )


@pytest.mark.parametrize("bars", [4, 12])
def test_the_png_is_an_image_of_the_expected_size(bars: int) -> None:
    data = BarChartData(
        title="Andel regioner",
        categories=[
            f"Alternativ {i} med ett långt svenskt namn på åtgärden"
            for i in range(bars)
        ],
        values=[i * 7 for i in range(bars)],
        value_format="percent",
        source_line="Källa: Socialstyrelsen.",
    )
    png = bar_chart_png(data)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()
    # 8 × 150 px wide; (0,9 + 0,9 + 0,45 per bar) × 150 px high.
    expected = {4: (1200, 540), 12: (1200, 1080)}[bars]
    assert image.size == expected == chart_size_px(bars)


def test_the_png_draws_bars_in_the_accent_colour() -> None:
    image = Image.open(io.BytesIO(bar_chart_png(KOMMUNER))).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1_000_000) or []}
    assert (0x00, 0x43, 0x6E) in colours


def test_the_xlsx_chart_references_the_table_on_its_sheet() -> None:
    workbook = load_workbook(io.BytesIO(bar_chart_xlsx(KOMMUNER)))
    sheet = workbook["Figur"]
    assert sheet["A1"].value == "Andel kommuner som har infört följande arbetssätt"
    assert [sheet["A3"].value, sheet["B3"].value] == ["Arbetssätt", "Andel (%)"]
    table = [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in range(4, 8)]
    assert table == [
        ("Hemsjukvård dygnet runt", 0.8125),
        ("Fast vårdkontakt i kommunen", 0.625),
        ("Mobila team", 0.47),
        ("Gemensamma individuella planer med regionen (SIP) i digital form", 0.47),
    ]
    assert sheet["B4"].number_format == "0 %"
    assert sheet["A9"].value.startswith("Källa: Socialstyrelsens uppföljning 2024")
    assert sheet["A10"].value == "Bas: 262 av 290 kommuner."

    (chart,) = sheet._charts
    assert chart.type == "bar"
    (series,) = chart.series
    assert series.tx.strRef.f == "'Figur'!B3"
    assert series.val.numRef.f == "'Figur'!$B$4:$B$7"
    categories = series.cat.strRef or series.cat.numRef
    assert categories.f == "'Figur'!$A$4:$A$7"
    title = "".join(r.t for p in chart.title.tx.rich.p for r in p.r)
    assert title == "Andel kommuner som har infört följande arbetssätt"
    assert (
        "".join(r.t for p in chart.y_axis.title.tx.rich.p for r in p.r) == "Andel (%)"
    )
    assert (
        "".join(r.t for p in chart.x_axis.title.tx.rich.p for r in p.r) == "Arbetssätt"
    )
    assert chart.x_axis.scaling.orientation == "maxMin"
