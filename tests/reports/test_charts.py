"""Charts: order, Swedish labels, the PNG's size, and the native Excel chart's ranges."""

from __future__ import annotations

import io
import math
import random
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PIL import Image, ImageDraw

from reports import charts
from reports.charts import (
    BAR_COLOUR,
    BAR_INDEX,
    BLACK,
    PLOT_LEFT,
    WHITE,
    BarChartData,
    ChartText,
    _font,
    apart,
    bar_chart_png,
    bar_chart_xlsx,
    chart_size_px,
    describe,
    labels,
    x_ticks,
)
from surveys.formatting import swedish_number

# Neither the database nor the services: CI's services pass leaves it to the first.
pytestmark = pytest.mark.engine_independent

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
ACCENT = tuple(int(BAR_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
# The region figure whose long category names ran into each other when drawn
# with a fixed wrap of 38 characters.
INSATSER = BarChartData(
    title="Insatser 2024 avseende den dokumenterade överenskommelsen",
    categories=[
        "Har genomfört utbildningar och informationsinsatser riktade till personal",
        "Andra åtgärder",
        "Följt upp eller utvärderat arbetet med den dokumenterade "
        "överenskommelsen eller motsvarande",
        "Har tagit fram rutiner för att möjliggöra den dokumenterade "
        "överenskommelsen eller annan samordnad planering i lämpliga it-stöd",
        "Infört den dokumenterade överenskommelsen eller motsvarande brett i "
        "regionens hälso- och sjukvårdsverksamhet",
        "Genomfört försök med den dokumenterade överenskommelsen i enskilda "
        "verksamheter",
    ],
    values=[Decimal("71.4"), Decimal("47.6"), Decimal("47.6"), Decimal("47.6"), 38, 33],
    value_format="percent",
    source_line="Källa: Enkät till regionerna 2024, Socialstyrelsen 2024.",
    base_note="Bas: 21 regioner har svarat.",
)


def png_image(data: BarChartData) -> Image.Image:
    return Image.open(io.BytesIO(bar_chart_png(data))).convert("RGB")


def bars_in(image: Image.Image) -> list[tuple[int, int, int]]:
    """The bars drawn in the accent colour, top to bottom: (first row, last row,
    right edge in pixels)."""
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    bars: list[tuple[int, int, int]] = []
    for y in range(height):
        xs = [x for x in range(width) if pixels[x, y] == ACCENT]
        if not xs:
            continue
        if bars and bars[-1][1] == y - 1:
            bars[-1] = (bars[-1][0], y, max(bars[-1][2], max(xs)))
        else:
            bars.append((y, y, max(xs)))
    return bars


def is_ink(colour: float | tuple[int, ...]) -> bool:
    """Text or axis: dark, and not a bar."""
    assert isinstance(colour, tuple)
    return sum(colour) < 3 * 160 and colour != ACCENT


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


@pytest.mark.parametrize("bars", [4, 12, 200])
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
    expected = {4: (1200, 540), 12: (1200, 1080), 200: (1200, 13770)}[bars]
    assert image.size == expected == chart_size_px(bars)


def test_the_png_draws_bars_in_the_accent_colour() -> None:
    image = png_image(KOMMUNER)
    colours = {colour for _, colour in image.getcolors(maxcolors=1_000_000) or []}
    assert (0x00, 0x43, 0x6E) in colours


def test_the_png_draws_one_bar_per_category_largest_first_to_scale() -> None:
    image = png_image(KOMMUNER)
    bars = bars_in(image)
    assert len(bars) == 4
    left = round(PLOT_LEFT * image.size[0])
    lengths = [right - left for _, _, right in bars]
    # 81,25 %, 62,5 %, 47 %, 47 % of the axis (612 px from 0 to 100 %).
    assert lengths == sorted(lengths, reverse=True)
    assert [round(100 * n / 612) for n in lengths] == [81, 62, 47, 47]


def test_the_png_writes_a_value_label_after_each_bar() -> None:
    image = png_image(KOMMUNER)
    pixels = image.load()
    assert pixels is not None
    for first, last, right in bars_in(image):
        centre = (first + last) // 2
        label = [
            x
            for x in range(right + 1, right + 80)
            for y in range(centre - 8, centre + 9)
            if is_ink(pixels[x, y])
        ]
        assert label, f"no value label right of the bar at row {centre}"


def test_long_category_names_do_not_run_into_each_other() -> None:
    """Halfway between two neighbouring bars the category column is blank: each
    name stays within its bar's slot, however long it is."""
    image = png_image(INSATSER)
    pixels = image.load()
    assert pixels is not None
    left = round(PLOT_LEFT * image.size[0])
    centres = [(first + last) // 2 for first, last, _ in bars_in(image)]
    assert len(centres) == 6
    for upper, lower in zip(centres, centres[1:], strict=False):
        middle = (upper + lower) // 2
        ink = [
            (x, y)
            for y in (middle - 1, middle, middle + 1)
            for x in range(0, left - 10)  # left of the axis ticks
            if is_ink(pixels[x, y])
        ]
        assert not ink, f"text between the bars at rows {upper} and {lower}"


# Fractions of a pixel at and around the rounding boundaries of ChartText (in
# 64ths: x rounds at each half, y at 32,5), and some anywhere.
FRACTIONS = [
    0,
    1e-9,
    0.5,
    0.999,
    31.5 / 64,
    32.5 / 64,
    31.5 / 64 + 2e-5,
    32.5 / 64 - 2e-5,
]


def test_chart_text_draws_the_pixels_image_draw_text_draws() -> None:
    """Drawn from a mask rendered once, a string comes out pixel for pixel as
    `ImageDraw.text` draws it, at every fraction of a pixel, with each anchor
    and font the charts use, and from a mask made at another position; its
    whitened mask as `ImageDraw.text` and whitening the bar's grey."""
    rng = random.Random(20)
    fonts = [_font(9), _font(8), _font(12, bold=True)]
    strings = [
        "47\u00a0%",
        "Övertorneå kommun (syntetisk 17)",
        "Gemensamma individuella planer med",
        "j",
    ]
    whiten = [WHITE if v == BAR_INDEX else v for v in range(256)]
    chart_text = ChartText()
    greys = 0
    for trial in range(1500):
        font, string = rng.choice(fonts), rng.choice(strings)
        anchor = rng.choice(["lm", "rm", "la", "ld"])
        x, y = rng.uniform(100, 200), rng.uniform(40, 90)
        if trial % 2:
            x = math.floor(x) + rng.choice([*FRACTIONS, rng.randrange(64) / 64])
            y = math.floor(y) + rng.choice(FRACTIONS)
        expected = Image.new("L", (600, 140), WHITE)
        ImageDraw.Draw(expected).text(
            (x, y), string, font=font, fill=BLACK, anchor=anchor
        )
        placed = [chart_text.place((x, y), string, font=font, anchor=anchor)]
        drawn = Image.new("L", (600, 140), WHITE)
        ChartText.draw(ImageDraw.Draw(drawn), placed, fill=BLACK, whitened=False)
        assert drawn.tobytes() == expected.tobytes(), (string, anchor, x, y)
        drawn = Image.new("L", (600, 140), WHITE)
        ChartText.draw(ImageDraw.Draw(drawn), placed, fill=BLACK, whitened=True)
        assert drawn.tobytes() == expected.point(whiten).tobytes(), (string, x, y)
        greys += expected.histogram()[BAR_INDEX] > 0
    # The strings at most positions leave the bar's grey to whiten.
    assert greys > 1000


def test_text_apart_lies_between_the_rows_and_overlaps_no_other() -> None:
    assert apart([(0, 10, 50, 20), (40, 20, 90, 30), (60, 5, 70, 19)], top=5, bottom=30)
    assert not apart([(0, 10, 50, 20), (49, 19, 90, 30)], top=0, bottom=40)
    assert not apart([(0, 10, 50, 20), (10, 0, 20, 40)], top=0, bottom=40)
    assert not apart([(0, 10, 50, 20)], top=11, bottom=40)
    assert not apart([(0, 10, 50, 20)], top=0, bottom=19)


def test_a_chart_is_the_same_whether_its_text_is_whitened_or_the_chart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bars' text drawn whitened and the title's and footer's bands whitened
    after, or all text drawn as it is and the whole chart whitened (when the
    bars' text overlaps other text): the same PNG."""
    pngs = [bar_chart_png(data) for data in (KOMMUNER, INSATSER)]
    monkeypatch.setattr(charts, "apart", lambda *args, **kwargs: False)
    assert [bar_chart_png(data) for data in (KOMMUNER, INSATSER)] == pngs


def test_charts_drawn_with_shared_text_are_the_charts_drawn_alone() -> None:
    """The chart zip draws its charts with one ChartText: the PNGs are those
    drawn each with its own."""
    shared = ChartText()
    for data in (KOMMUNER, INSATSER, KOMMUNER, INSATSER):
        assert bar_chart_png(data, chart_text=shared) == bar_chart_png(data)


def test_x_axis_ticks_are_round_shares_or_whole_counts() -> None:
    assert x_ticks(100, "percent") == [0, 20, 40, 60, 80, 100]
    assert x_ticks(14 * 1.15, "count") == [0, 5, 10, 15]
    # A small count never gets ticks at 0,2, which would read "0" twice.
    assert x_ticks(1.15, "count") == [0, 1]
    assert x_ticks(290 * 1.15, "count") == [0, 100, 200, 300]


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
