"""A paletted Pillow image as PNG bytes, deflated by zlib-ng.

Pillow's PNG encoder deflates with the zlib it is linked against: on Debian
12, zlib 1.2.13, which took three quarters of the time of a chart of 2 400
bars (190 MB of pixels, 52 such charts in the kommun chart zip at national
scale, issue #20). zlib-ng writes the same deflate format four to five times
faster, so the chart's pixels are deflated with it here and the chunks are
written with Pillow's own `putchunk`. The file decodes to the same pixels and
palette as Pillow's (tests/reports/test_png.py); only the compressed bytes
differ.
"""

from __future__ import annotations

import io
import zlib
from typing import Any

from zlib_ng import zlib_ng

# Rows deflated at a time: each band is copied out once with its filter bytes
# (about 1,2 MB for a chart 1 200 px wide), never the whole image.
BAND_ROWS = 1024
# zlib's level 1 with the run-length strategy: the charts are flat colours in
# long white runs, where it is the fastest setting and its files are no larger
# than Pillow's at level 3 (by 12 % to 25 % smaller for charts of 21 to 2 400
# bars). zlib-ng's default strategy at level 1 would be 30 % larger.
LEVEL = 1
STRATEGY = zlib.Z_RLE


def paletted_png(image: Any) -> bytes:
    """The PNG of an 8-bit paletted ("P") image without transparency, as
    Pillow's `image.save(…, format="PNG")` writes it but for the deflated
    stream: the signature, IHDR (8 bits, colour type 3), PLTE of the whole
    palette, IDAT, IEND."""
    # Imported here for start-up cost, as in reports/charts.py.
    from PIL import Image, PngImagePlugin

    if image.mode != "P" or "transparency" in image.info:
        raise ValueError("paletted_png writes an opaque P image")
    width, height = image.size
    output = io.BytesIO()
    output.write(PngImagePlugin._MAGIC)
    PngImagePlugin.putchunk(
        output,
        b"IHDR",
        width.to_bytes(4, "big"),
        height.to_bytes(4, "big"),
        b"\x08\x03\x00\x00\x00",  # 8 bits, palette, deflate, no filter, not interlaced
    )
    PngImagePlugin.putchunk(output, b"PLTE", bytes(image.getpalette() or [0, 0, 0]))
    compressor = zlib_ng.compressobj(LEVEL, zlib.DEFLATED, 15, 9, STRATEGY)
    for top in range(0, height, BAND_ROWS):
        rows = min(BAND_ROWS, height - top)
        # Each row after its filter byte 0 ("none", as Pillow writes a paletted
        # image): the band pasted one pixel right into a band of zeros.
        band = Image.new("P", (width + 1, rows), 0)
        band.paste(image.crop((0, top, width, top + rows)), (1, 0))
        data = compressor.compress(band.tobytes())
        if data:
            PngImagePlugin.putchunk(output, b"IDAT", data)
    PngImagePlugin.putchunk(output, b"IDAT", compressor.flush())
    PngImagePlugin.putchunk(output, b"IEND", b"")
    return output.getvalue()
