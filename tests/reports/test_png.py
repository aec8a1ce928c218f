"""reports/png.py: the charts' PNG, deflated by zlib-ng, decodes to what Pillow's
own PNG of the same image decodes to."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw

from reports import charts, png
from reports.charts import BarChartData, _palette, bar_chart_png
from reports.png import PalettedPng, paletted_png

# Neither the database nor the services: CI's services pass leaves it to the first.
pytestmark = pytest.mark.engine_independent


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def pillows(image: Image.Image) -> bytes:
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def assert_same_image(ours: bytes, theirs: bytes) -> None:
    mine, reference = decoded(ours), decoded(theirs)
    assert (mine.format, mine.mode, mine.size) == (
        reference.format,
        reference.mode,
        reference.size,
    )
    assert mine.getpalette() == reference.getpalette()
    assert mine.tobytes() == reference.tobytes()
    assert mine.info == reference.info


@pytest.mark.parametrize("height", [1, 7, png.BAND_ROWS, 2 * png.BAND_ROWS + 3])
def test_every_index_and_row_decodes_as_pillows_png(height: int) -> None:
    # Every palette index in noise (what no run-length trick flattens), over
    # band boundaries and a last band that is not full.
    rng = random.Random(height)
    width = 301
    image = Image.frombytes("P", (width, height), rng.randbytes(width * height))
    image.putpalette(rng.randbytes(768))
    assert_same_image(paletted_png(image), pillows(image))


def test_rows_added_in_strips_make_the_same_png() -> None:
    rng = random.Random(5)
    width, height = 97, 3 * png.BAND_ROWS + 11
    image = Image.frombytes("P", (width, height), rng.randbytes(width * height))
    image.putpalette(rng.randbytes(768))
    with PalettedPng(image.size, bytes(image.getpalette() or [])) as writer:
        for top, bottom in [(0, 5), (5, 1500), (1500, 1501), (1501, height)]:
            strip = image.crop((0, top, width, bottom))
            # An "L" strip's values are the indices too, as the charts draw them.
            if top:
                strip = Image.frombytes("L", strip.size, strip.tobytes())
            writer.add(strip)
        strips = writer.finish()
    assert_same_image(strips, pillows(image))


def test_rows_past_the_image_or_missing_are_refused() -> None:
    with PalettedPng((4, 3), bytes(768)) as writer:
        writer.add(Image.new("L", (4, 2)))
        with pytest.raises(ValueError):
            writer.add(Image.new("L", (4, 2)))
        with pytest.raises(ValueError):
            writer.add(Image.new("L", (5, 1)))
        with pytest.raises(ValueError):
            writer.finish()


def chart_data(bars: int, name: str) -> BarChartData:
    return BarChartData(
        title="Andel kommuner som har infört arbetssättet, en titel på två rader "
        "eftersom den är lång",
        categories=[f"{name} {i}" for i in range(bars)],
        values=[(i * 37) % 101 for i in range(bars)],
        value_format="percent",
        source_line="Källa: Socialstyrelsen.",
        base_note=f"Bas: {bars} kommuner.",
        footnotes=["En fotnot under diagrammet."],
    )


@pytest.mark.parametrize(
    "data",
    [
        chart_data(180, "Kommun"),
        # Names wrapped on so many lines that they overlap: not whitened.
        chart_data(40, "Ett mycket långt namn som bryts på många rader " * 3),
    ],
    ids=["apart", "overlapping"],
)
@pytest.mark.parametrize("rows", [1, 7, 100, 1000])
def test_a_chart_drawn_in_strips_is_the_chart_drawn_whole(
    monkeypatch: pytest.MonkeyPatch, data: BarChartData, rows: int
) -> None:
    # Drawn in one strip, as one image, which Pillow then saves itself.
    whole: list[Image.Image] = []
    add = PalettedPng.add

    def keep(self: PalettedPng, strip: Image.Image) -> None:
        whole.append(strip.copy())
        add(self, strip)

    monkeypatch.setattr(charts, "STRIP_ROWS", 10**6)
    monkeypatch.setattr(PalettedPng, "add", keep)
    one_strip = bar_chart_png(data)
    assert len(whole) == 1
    image = whole[0]
    image.putpalette(_palette())
    assert_same_image(one_strip, pillows(image))
    # The bar colour, the greys of the antialiased text and white.
    assert len(decoded(one_strip).convert("RGB").getcolors(256) or []) > 100

    monkeypatch.setattr(charts, "STRIP_ROWS", rows)
    monkeypatch.setattr(PalettedPng, "add", add)
    assert_same_image(bar_chart_png(data), one_strip)


def test_the_charts_palette_is_written_whole() -> None:
    image = Image.new("L", (40, 10), 255)
    ImageDraw.Draw(image).rectangle((5, 2, 20, 6), fill=254)
    image.putpalette(_palette())
    assert decoded(paletted_png(image)).getpalette() == list(_palette())


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_only_a_paletted_image_is_written(mode: str) -> None:
    with pytest.raises(ValueError):
        paletted_png(Image.new(mode, (4, 4)))


def test_a_transparent_palette_is_refused() -> None:
    image = Image.new("P", (4, 4))
    image.info["transparency"] = 0
    with pytest.raises(ValueError):
        paletted_png(image)
