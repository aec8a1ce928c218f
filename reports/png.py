"""A paletted chart as PNG bytes, deflated by zlib-ng, from its rows in strips.

Pillow's PNG encoder deflates with the zlib it is linked against: on Debian
12, zlib 1.2.13, which took three quarters of the time of a chart of 2 400
bars (190 MB of pixels, 52 such charts in the kommun chart zip at national
scale, issue #20). zlib-ng writes the same deflate format four to five times
faster, so the pixels are deflated with it here and the chunks are written
with Pillow's own `putchunk`. The file decodes to the same pixels and palette
as Pillow's (tests/reports/test_png.py); only the compressed bytes differ.

The rows come in strips (`PalettedPng.add`), so that a chart need never be
one image of 190 MB (reports/charts.py draws it a strip at a time), and they
are deflated in a thread of their own while the next strip is drawn: zlib-ng
releases the GIL, and the export has two cores.
"""

from __future__ import annotations

import collections
import io
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from zlib_ng import zlib_ng

# Rows deflated at a time: each band is copied out once with its filter bytes
# (about 1,2 MB for a chart 1 200 px wide), never the whole image.
BAND_ROWS = 1024
# Bands copied out but not yet deflated, at most: what the thread may lag
# behind the drawing, in memory.
PENDING_BANDS = 2
# zlib-ng's level 2 for most charts: of its settings, the smallest files for
# about the least time on these charts (flat colours in long white runs). The
# 232 PNGs of the realistic year's chart zips: 8,5 MiB in 0,19 s of deflating,
# against 11,3 MiB in as long with the run-length strategy at level 1, and
# 10,2 MiB from Pillow (the system's zlib at level 3).
LEVEL = 2
STRATEGY = zlib.Z_DEFAULT_STRATEGY
# A chart of more pixels than this (about 150 bars; only at national scale,
# issue #20) with the run-length strategy at level 1: for 2 400 bars 5,0 MiB in
# 0,09 s instead of 4,6 MiB in 0,11 s, 52 times in the kommun chart zip
# (Pillow's zlib took 0,4 s for 5,0 MiB).
RLE_PIXELS = 10_000_000
RLE_LEVEL = 1


class PalettedPng:
    """A PNG of 8-bit palette indices, its rows added strip by strip: the
    signature, IHDR (8 bits, colour type 3), PLTE of the whole palette, IDAT,
    IEND, as Pillow's `image.save(…, format="PNG")` writes an opaque "P"
    image, but for the deflated stream. Use as a context manager: the
    deflating thread ends with it."""

    def __init__(self, size: tuple[int, int], palette: bytes) -> None:
        # Imported here for start-up cost, as in reports/charts.py.
        from PIL import PngImagePlugin

        self._chunk = PngImagePlugin.putchunk
        self.width, self.height = size
        self.rows = 0
        self._output = io.BytesIO()
        self._output.write(PngImagePlugin._MAGIC)
        self._chunk(
            self._output,
            b"IHDR",
            self.width.to_bytes(4, "big"),
            self.height.to_bytes(4, "big"),
            b"\x08\x03\x00\x00\x00",  # 8 bits, palette, deflate, no filter, no interlace
        )
        self._chunk(self._output, b"PLTE", palette)
        level, strategy = (
            (RLE_LEVEL, zlib.Z_RLE)
            if self.width * self.height > RLE_PIXELS
            else (LEVEL, STRATEGY)
        )
        self._compressor = zlib_ng.compressobj(level, zlib.DEFLATED, 15, 9, strategy)
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._pending: collections.deque[Future[bytes]] = collections.deque()
        self._bands: dict[tuple[str, int], Any] = {}

    def __enter__(self) -> PalettedPng:
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.shutdown(wait=True, cancel_futures=True)

    def add(self, strip: Any) -> None:
        """The next rows: an "L" or "P" image of the PNG's width (its
        values are the palette indices)."""
        from PIL import Image

        width, height = strip.size
        if width != self.width or self.rows + height > self.height:
            raise ValueError("a strip past the image")
        for top in range(0, height, BAND_ROWS):
            rows = min(BAND_ROWS, height - top)
            # Each row after its filter byte 0 ("none", as Pillow writes a
            # paletted image): the strip's rows pasted one pixel right into a
            # band of zeros, kept for the next band.
            band = self._bands.get((strip.mode, rows))
            if band is None:
                band = Image.new(strip.mode, (width + 1, rows), 0)
                self._bands[strip.mode, rows] = band
            band.paste(strip, (1, -top))
            self._deflate(band.tobytes())
        self.rows += height

    def _deflate(self, scanlines: bytes) -> None:
        while len(self._pending) >= PENDING_BANDS:
            self._write(self._pending.popleft().result())
        self._pending.append(self._thread.submit(self._compressor.compress, scanlines))

    def _write(self, data: bytes) -> None:
        if data:
            self._chunk(self._output, b"IDAT", data)

    def finish(self) -> bytes:
        """The PNG, once every row has been added."""
        if self.rows != self.height:
            raise ValueError(f"{self.rows} rows of {self.height}")
        while self._pending:
            self._write(self._pending.popleft().result())
        self._write(self._compressor.flush())
        self._chunk(self._output, b"IEND", b"")
        return self._output.getvalue()


def paletted_png(image: Any) -> bytes:
    """An opaque paletted ("P") image as PNG bytes (`PalettedPng`)."""
    if image.mode != "P" or "transparency" in image.info:
        raise ValueError("paletted_png writes an opaque P image")
    with PalettedPng(image.size, bytes(image.getpalette() or [0, 0, 0])) as png:
        png.add(image)
        return png.finish()
