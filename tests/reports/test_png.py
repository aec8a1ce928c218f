"""reports/png.py: the charts' PNG, deflated by zlib-ng, decodes to what Pillow's
own PNG of the same image decodes to."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw

from reports import png
from reports.charts import BarChartData, _palette, bar_chart_png
from reports.png import paletted_png


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


def test_a_chart_decodes_to_the_pixels_pillow_would_have_saved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The chart's own image, as bar_chart_png hands it to the encoder.
    images: list[Image.Image] = []
    real = paletted_png

    def keep(image: Image.Image) -> bytes:
        images.append(image.copy())
        return real(image)

    monkeypatch.setattr("reports.charts.paletted_png", keep)
    data = BarChartData(
        title="Andel kommuner som har infört arbetssättet",
        categories=[f"Kommun {i} med ett långt namn" for i in range(180)],
        values=[(i * 37) % 101 for i in range(180)],
        value_format="percent",
        source_line="Källa: Socialstyrelsen.",
        base_note="Bas: 180 kommuner.",
    )
    chart = bar_chart_png(data)
    assert len(images) == 1
    assert images[0].size[1] > 2 * png.BAND_ROWS
    assert_same_image(chart, pillows(images[0]))
    # The bar colour, the greys of the antialiased text and white.
    assert len(decoded(chart).convert("RGB").getcolors(256) or []) > 100


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
