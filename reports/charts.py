"""Bar charts as in the published reports ("Andel kommuner som…", "Antal regioner
som…"): horizontal bars sorted by value, Swedish number labels, the source line
under the chart.

Two renderings of one `BarChartData`:
- `bar_chart_png`: a PNG drawn with Pillow (no display and no global state, so it
  is safe in a Celery worker), at a size that depends only on the number of bars
  (`chart_size_px`);
- `add_bar_chart_sheet`: a sheet with the data table and a native Excel bar chart
  that references it, so the chart stays editable in Excel.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import textwrap
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Font

from reports.png import PalettedPng
from surveys.formatting import swedish_number, swedish_percent
from surveys.sheet_text import harden_workbook

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

ValueFormat = Literal["percent", "count"]

# Socialstyrelsen's blue (the site's accent colour); contrast 10:1 on white.
BAR_COLOUR = "#00436e"


@dataclasses.dataclass(frozen=True)
class BarChartData:
    title: str
    categories: Sequence[str]
    values: Sequence[float | int | Decimal]
    value_format: ValueFormat
    source_line: str
    base_note: str = ""
    category_title: str = ""
    # The question's footnotes, under the base note (QuestionRef.footnotes).
    footnotes: Sequence[str] = ()
    # Decimals shown on the labels (0: "47 %", 1: "47,5 %").
    decimals: int = 0

    def __post_init__(self) -> None:
        if len(self.categories) != len(self.values):
            raise ValueError("one value per category")
        if self.value_format not in ("percent", "count"):
            raise ValueError(f"unknown value_format {self.value_format!r}")

    def sorted(self) -> BarChartData:
        """Largest value first; equal values keep the categories' own order."""
        order = sorted(range(len(self.values)), key=lambda i: -_decimal(self.values[i]))
        return dataclasses.replace(
            self,
            categories=[self.categories[i] for i in order],
            values=[self.values[i] for i in order],
        )

    @property
    def value_title(self) -> str:
        return "Andel (%)" if self.value_format == "percent" else "Antal"


@functools.lru_cache(maxsize=4096, typed=True)
def _decimal(value: float | int | Decimal) -> Decimal:
    """A value as the Decimal of its printed form (a float as shown, not its
    binary expansion). Cached: a chart of 2 400 groups (issue #20) repeats a
    few hundred values."""
    return Decimal(str(value))


@functools.lru_cache(maxsize=4096, typed=True)
def _excel_value(value: float | int | Decimal, percent: bool) -> float:
    """The number a chart's data cell holds: a share as a fraction ("0 %"
    formats it), a count as itself."""
    number = _decimal(value)
    return float(number / 100 if percent else number)


# Cached: a chart of 2 400 groups (issue #20) labels a few hundred values, the
# same in every chart of the zip. The label depends only on the number's value
# (it is rounded to `decimals`), typed so that 1 and 1.0 stay apart.
@functools.lru_cache(maxsize=4096, typed=True)
def value_label(
    value: float | int | Decimal, value_format: ValueFormat, *, decimals: int = 0
) -> str:
    # No-break spaces: a number never wraps away from its "%" or its thousands.
    if value_format == "percent":
        return swedish_percent(value, decimals=decimals, nbsp=True)
    return swedish_number(value, decimals=decimals, nbsp=True)


def labels(data: BarChartData) -> list[str]:
    """The labels at the end of the bars, in the data's order."""
    return [
        value_label(v, data.value_format, decimals=data.decimals) for v in data.values
    ]


def describe(data: BarChartData) -> str:
    """A text alternative for the image (alt text), in Swedish."""
    parts = [
        f"{c}: {label}" for c, label in zip(data.categories, labels(data), strict=True)
    ]
    return f"{data.title}. " + "; ".join(parts) + "."


# --- PNG -------------------------------------------------------------------------------

DPI = 150
WIDTH_IN = 8.0
BAR_IN = 0.45  # height per bar, room for a category wrapped on two lines
TOP_IN = 0.9  # title
BOTTOM_IN = 0.9  # axis and source line
CATEGORY_WRAP = 38  # characters per line of a category name (see _wrap)
TITLE_WRAP = 80  # characters per line of the title
FOOTNOTE_WRAP = 120  # characters per line of a footnote under the chart

# The layout in pixels, as the matplotlib version of these charts had it: the
# plot from 42 % to 93 % of the width, the x axis 0,72 in above the bottom, text
# in DejaVu Sans (matplotlib's default font) at 12 pt bold (title), 9 pt
# (categories and values) and 8 pt (axis and source line).
PLOT_LEFT = 0.42
PLOT_RIGHT = 0.93
MARGIN_PX = round(0.02 * WIDTH_IN * DPI)  # title and source line from the edge
TICK_PX = round(3.5 * DPI / 72)  # tick length, and the gap from tick to label
LINE_PX = max(round(0.8 * DPI / 72), 1)  # axis line width
BAR_SHARE = 0.7  # a bar's height in its slot
# Grey levels of the drawing (see bar_chart_png); BAR_INDEX is drawn in BAR_COLOUR.
WHITE = 255
BLACK = 0
FOOTER_GREY = 0x33
BAR_INDEX = 254
# DejaVu Sans ships in the package (reports/fonts, its licence beside it): the
# charts need two font files, not a plotting library or a system font package.
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = "DejaVuSans.ttf"
FONT_BOLD = "DejaVuSans-Bold.ttf"


def chart_size_px(bars: int, *, footer_px: int = 0) -> tuple[int, int]:
    """Width and height of the PNG: fixed width, height by the number of bars
    and by the footnotes' lines (`footer_px`) under the source line."""
    height_in = TOP_IN + BOTTOM_IN + BAR_IN * max(bars, 1)
    return round(WIDTH_IN * DPI), round(height_in * DPI) + footer_px


@functools.cache
def _font(points: float, *, bold: bool = False) -> FreeTypeFont:
    """DejaVu Sans at a size in points, loaded once per process: the same files
    matplotlib drew these charts with, so they keep their look (and å, ä, ö)."""
    # Imported here for start-up cost: only the PNG downloads draw with Pillow.
    from PIL import ImageFont

    return ImageFont.truetype(
        str(FONT_DIR / (FONT_BOLD if bold else FONT_REGULAR)),
        points * DPI / 72,
        layout_engine=ImageFont.Layout.BASIC,
    )


def _line_height(font: FreeTypeFont) -> int:
    return round(1.2 * font.size)  # matplotlib's line spacing


def _wrap(
    text: str, font: FreeTypeFont, *, width_px: float, height_px: float, chars: int
) -> list[str]:
    """A title or category name in lines of at most `chars` characters. Lines
    wider than `width_px` are wrapped more narrowly; lines taller together than
    `height_px` (a bar's slot) are wrapped more widely while they fit `width_px`,
    so that the names of neighbouring bars do not run into each other."""

    def wrapped(limit: int) -> list[str]:
        return textwrap.wrap(text, limit) or [""]

    def fits_width(lines: list[str]) -> bool:
        return max(font.getlength(line) for line in lines) <= width_px

    lines = wrapped(chars)
    limit = chars
    while not fits_width(lines) and limit > 10:
        limit -= 2
        lines = wrapped(limit)
    while len(lines) * _line_height(font) > height_px:
        wider = wrapped(limit + 2)
        if not fits_width(wider):
            break
        limit += 2
        lines = wider
    return lines


@dataclasses.dataclass(frozen=True)
class PlacedText:
    """A string placed on a chart (ChartText.place): its mask, whitened (alpha
    1 cleared, see ChartText), at (x, y), and how to render it unwhitened."""

    mask: Any
    x: int
    y: int
    font: FreeTypeFont
    text: str
    anchor: str
    start: tuple[float, float]

    @functools.cached_property
    def box(self) -> tuple[int, int, int, int]:
        # Cached: read for every string to place it and to bucket it by strip.
        width, height = self.mask.size
        return self.x, self.y, self.x + width, self.y + height


# A mask's alpha 1 in black over white is grey 254, the bar's index, which the
# chart whitens (bar_chart_png); a whitened mask leaves that pixel white.
_WHITENED_ALPHA = [0 if alpha == 1 else alpha for alpha in range(256)]


class ChartText:
    """The text of a chart's bars drawn from masks rendered once: pixel for
    pixel what `ImageDraw.text` draws, without FreeType laying out and
    rasterising the same string again for every bar (issue #20: 2 400 bars a
    chart, 52 charts in a zip, the same group names in each).

    `ImageDraw.text` at (x, y) renders the string with `FreeTypeFont.getmask2`
    at the fractional part of x and y, and draws the mask with the fill at the
    whole part plus the mask's offset. FreeType places each glyph on whole
    pixels, rounding the pen position to 1/64 pixel and then to a pixel, so the
    mask depends on the string, the anchor, x's fraction in 64ths (the advances
    are in 64ths) and whether y's fraction rounds up (a horizontal line has no
    vertical advance: the whole line moves down a row). One mask per such key
    and string, then, drawn with the same call `ImageDraw.text` makes; a
    position a hair from a rounding boundary, where Pillow's single-precision
    arithmetic might round the other way, is rendered at its own position.
    tests/reports/test_charts.py compares both ways at many positions.

    The masks are kept whitened: black text over white turns a pixel of alpha
    1 into grey 254, which the chart would whiten afterwards, pass by pass over
    all its pixels; drawn where no other text is, a whitened mask leaves that
    pixel white at once (`draw`, and bar_chart_png for when it may).

    One instance serves the charts of one export (`write_diagram_zip`), and
    keeps the category names' wrapping too. At most `budget` bytes of masks
    are kept (a string past it is rendered every time), so that the cache stays
    well within the export's 500 MB: 2 400 group names take about 14 MB."""

    # 64ths of a pixel from a rounding boundary within which a string is
    # rendered at its own position.
    NEAR = 1e-3

    def __init__(self, budget: int = 48 * 2**20) -> None:
        self._masks: dict[tuple[Any, ...], tuple[Any, int, int]] = {}
        self._wrapped: dict[tuple[Any, ...], list[str]] = {}
        self._budget = budget

    def place(
        self, xy: tuple[float, float], text: str, *, font: FreeTypeFont, anchor: str
    ) -> PlacedText:
        """The string as `ImageDraw.text(xy, text, font=font, anchor=anchor)`
        on a greyscale image would draw it (one line, no stroke)."""
        x, y = xy
        x64 = (x - math.floor(x)) * 64
        y64 = (y - math.floor(y)) * 64
        if (
            x < 0
            or y < 0
            or "\n" in text
            or abs(x64 - math.floor(x64) - 0.5) < self.NEAR
            or abs(y64 - 32.5) < self.NEAR
        ):
            start = (math.modf(x)[0], math.modf(y)[0])
            mask, (dx, dy) = font.getmask2(text, "L", anchor=anchor, start=start)
            whitened = mask.point(_WHITENED_ALPHA, None)
            return PlacedText(
                whitened, int(x) + dx, int(y) + dy, font, text, anchor, start
            )
        phase = math.floor(x64 + 0.5)  # FreeType's rounding: half away from 0
        key = (font, text, anchor, phase)
        cached = self._masks.get(key)
        if cached is None:
            mask, (dx, dy) = font.getmask2(
                text, "L", anchor=anchor, start=(phase / 64, 0)
            )
            cached = (mask.point(_WHITENED_ALPHA, None), dx, dy)
            width, height = mask.size
            if self._budget >= width * height:
                self._budget -= width * height
                self._masks[key] = cached
        whitened, dx, dy = cached
        down = 1 if y64 > 32.5 else 0
        return PlacedText(
            whitened,
            int(x) + dx,
            int(y) + dy + down,
            font,
            text,
            anchor,
            (phase / 64, 0),
        )

    @staticmethod
    def draw(
        draw: Any,
        placed: Sequence[PlacedText],
        *,
        fill: int,
        whitened: bool,
        dy: int = 0,
    ) -> None:
        """Draw the strings with `fill`: their whitened masks (for black text
        on white, the same pixels as drawing them with `ImageDraw.text` and
        whitening grey 254, where no two overlap), or as `ImageDraw.text`
        draws them; `dy` rows higher (on a strip of the chart whose first row
        is `dy`)."""
        ink = draw.draw.draw_ink(fill)  # as ImageDraw.text has it
        for text in placed:
            mask = text.mask
            if not whitened:
                mask, _ = text.font.getmask2(
                    text.text, "L", anchor=text.anchor, start=text.start
                )
            draw.draw.draw_bitmap((text.x, text.y - dy), mask, ink)

    def wrap(
        self,
        text: str,
        font: FreeTypeFont,
        *,
        width_px: float,
        height_px: float,
        chars: int,
    ) -> list[str]:
        """`_wrap`, once per distinct text and room."""
        key = (text, font, width_px, height_px, chars)
        lines = self._wrapped.get(key)
        if lines is None:
            lines = _wrap(
                text, font, width_px=width_px, height_px=height_px, chars=chars
            )
            self._wrapped[key] = lines
        return lines


def apart(
    boxes: Sequence[tuple[int, int, int, int]], *, top: float, bottom: float
) -> bool:
    """Whether the boxes lie between rows `top` and `bottom` and no two of them
    overlap."""
    open_boxes: list[tuple[int, int, int, int]] = []
    for box in sorted(boxes, key=lambda box: box[1]):
        left, upper, right, lower = box
        if upper < top or lower > bottom:
            return False
        open_boxes = [other for other in open_boxes if other[3] > upper]
        if any(left < other[2] and other[0] < right for other in open_boxes):
            return False
        open_boxes.append(box)
    return True


def x_ticks(upper: float, value_format: ValueFormat) -> list[float]:
    """Round tick values from 0 up to `upper`, at most six intervals: 0, 20, …,
    100 for shares; whole numbers for counts."""
    raw = upper / 6
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(
        m * magnitude
        for m in (1, 2, 2.5, 5, 10)
        if m * magnitude >= raw
        and (value_format == "percent" or float(m * magnitude).is_integer())
    )
    if value_format == "count":
        step = max(step, 1)
    return [float(i * step) for i in range(int(upper / step + 1e-9) + 1)]


def bar_chart_png(data: BarChartData, *, chart_text: ChartText | None = None) -> bytes:
    """The chart as a PNG, bars sorted largest first (top).

    Drawn with Pillow: a title, one bar per category with its Swedish value
    label, the category names left of the bars, an x axis with ticks, and the
    source line and base note at the bottom. Pillow draws each string in one
    call; matplotlib (3.11) drew text glyph by glyph and every figure twice, which
    made the chart zip of a questionnaire take seconds (issue #5 point 9).

    Everything but the bars is black or grey on white, so the chart is drawn in
    greys (text antialiased) and saved with a palette of those greys in which
    one grey, a hair from white, is replaced by the bar colour: a paletted PNG
    has a fifth of the pixels' bytes to filter and compress, with no colour lost.

    The bars' labels and category names are drawn through `chart_text` (a
    `ChartText`; a new one when not given), which the charts of one export
    share.
    """
    # Imported here for start-up cost, as ImageFont above.
    from PIL import Image, ImageDraw

    data = data.sorted()
    text = chart_text or ChartText()
    count = len(data.values)
    title_font = _font(12, bold=True)
    category_font = _font(9)
    axis_font = _font(8)
    # The footnotes, wrapped to the width, lengthen the image below the axis.
    notes = footnote_lines(data.footnotes, axis_font)
    notes_px = len(notes) * _line_height(axis_font)
    width, height = chart_size_px(count, footer_px=notes_px)
    # For measuring text only: the chart is drawn in strips (below).
    draw = ImageDraw.Draw(Image.new("L", (1, 1), WHITE))

    left, right = round(PLOT_LEFT * width), round(PLOT_RIGHT * width)
    top = round(TOP_IN * DPI)
    bottom = height - notes_px - round(BOTTOM_IN * 0.8 * DPI)
    values = [float(v) for v in data.values]
    upper = 100.0 if data.value_format == "percent" else max(values + [1.0]) * 1.15
    ticks = x_ticks(upper, data.value_format)

    def x_px(value: float) -> float:
        return left + (right - left) * value / upper

    # Bar i is centred on i, 0,7 high, with 5 % of the span above and below.
    span = max(count, 1) - (1 - BAR_SHARE)
    low = -BAR_SHARE / 2 - 0.05 * span
    unit = (bottom - top) / (1.1 * span)
    centres = [top + (position - low) * unit for position in range(count)]

    # Text first. The title, wrapped, from the top left corner.
    y = round(0.15 * DPI)
    title = _wrap(
        data.title,
        title_font,
        width_px=width - 2 * MARGIN_PX,
        height_px=math.inf,
        chars=TITLE_WRAP,
    )
    title_bottom = 0
    title_lines: list[tuple[tuple[int, int], str]] = []
    for line in title:
        title_lines.append(((MARGIN_PX, y), line))
        box = draw.textbbox((MARGIN_PX, y), line, font=title_font)
        title_bottom = max(title_bottom, math.ceil(box[3]) + 2)
        y += _line_height(title_font)
    # Category names right-aligned left of the axis, value labels after the bars.
    label_right = left - 2 * TICK_PX
    step = _line_height(category_font)
    placed: list[PlacedText] = []
    for centre, category, value, label in zip(
        centres, data.categories, values, labels(data), strict=True
    ):
        placed.append(
            text.place(
                (x_px(value + upper * 0.01), centre),
                label,
                font=category_font,
                anchor="lm",
            )
        )
        lines = text.wrap(
            category,
            category_font,
            width_px=label_right - MARGIN_PX,
            height_px=unit,
            chars=CATEGORY_WRAP,
        )
        first = centre - step * (len(lines) - 1) / 2
        placed.extend(
            text.place(
                (label_right, first + index * step),
                line,
                font=category_font,
                anchor="rm",
            )
            for index, line in enumerate(lines)
        )
    footer = ticks_and_footer(
        ticks=ticks,
        x_px=x_px,
        bottom=bottom,
        value_format=data.value_format,
        footer=[line for line in (data.source_line, data.base_note) if line] + notes,
        height=height,
        font=axis_font,
    )
    footer_top = min(
        [height]
        + [
            math.floor(draw.textbbox(xy, line, font=axis_font, anchor=anchor)[1]) - 2
            for xy, line, _, anchor in footer
        ]
    )
    # The antialiased text may leave the bar's grey here and there, to be
    # whitened. Where the bars' text overlaps no other text (as a rule), it is
    # drawn whitened, and only the bands of the title and the footer are
    # whitened after: a pass over a few rows instead of all of them.
    whitened = apart([p.box for p in placed], top=title_bottom, bottom=footer_top)
    # Bars and axes: rectangles and straight lines on whole pixels, no blending.
    shapes: list[_Shape] = []
    half = BAR_SHARE / 2 * unit
    for centre, value in zip(centres, values, strict=True):
        if value > 0:
            shapes.append(
                _Shape(
                    (
                        left,
                        round(centre - half),
                        round(x_px(value)),
                        round(centre + half),
                    )
                )
            )
        y = round(centre)
        shapes.append(_Shape((left - TICK_PX, y, left, y), fill=BLACK, line=True))
    shapes.append(_Shape((left, top, left, bottom), fill=BLACK, line=True))
    shapes.append(_Shape((left, bottom, right, bottom), fill=BLACK, line=True))
    for tick in ticks:
        x = round(x_px(tick))
        shapes.append(_Shape((x, bottom, x, bottom + TICK_PX), fill=BLACK, line=True))

    # The chart is drawn a strip of rows at a time, each strip with what
    # crosses it, in the order the whole image would be drawn: the same pixels
    # without an image of 190 MB at 2 400 bars (issue #20). Every coordinate
    # moves up by the strip's whole first row, so no rounding changes.
    strips = range(0, height, STRIP_ROWS)
    placed_in: list[list[PlacedText]] = [[] for _ in strips]
    for item in placed:
        for index in _strips_crossed(item.box[1], item.box[3]):
            placed_in[index].append(item)
    shapes_in: list[list[_Shape]] = [[] for _ in strips]
    for shape in shapes:
        for index in _strips_crossed(shape.box[1] - LINE_PX, shape.box[3] + LINE_PX):
            shapes_in[index].append(shape)
    strip = Image.new("L", (width, STRIP_ROWS), WHITE)
    with PalettedPng((width, height), _palette()) as png:
        for index, first in enumerate(strips):
            rows = min(STRIP_ROWS, height - first)
            if rows < STRIP_ROWS:
                strip = Image.new("L", (width, rows), WHITE)
            elif index:
                strip.paste(WHITE, (0, 0, width, rows))
            draw = ImageDraw.Draw(strip)
            end = first + rows
            if first < title_bottom + TEXT_PAD_PX:
                for line_xy, line in title_lines:
                    draw.text(
                        (line_xy[0], line_xy[1] - first),
                        line,
                        font=title_font,
                        fill=BLACK,
                    )
            ChartText.draw(
                draw, placed_in[index], fill=BLACK, whitened=whitened, dy=first
            )
            if end > footer_top - TEXT_PAD_PX:
                for (x, y), line, fill, anchor in footer:
                    draw.text(
                        (x, y - first), line, font=axis_font, fill=fill, anchor=anchor
                    )
            if whitened:
                _whiten_bar_grey(strip, rows=(0, title_bottom - first))
                _whiten_bar_grey(strip, rows=(footer_top - first, rows))
            else:
                _whiten_bar_grey(strip)
            draw = ImageDraw.Draw(strip)
            for shape in shapes_in[index]:
                shape.draw(draw, dy=first)
            png.add(strip)
        return png.finish()


# Rows of a chart drawn at a time (bar_chart_png): about 5 MB at 1 200 px.
STRIP_ROWS = 4096
# Rows above and below a title's or footer's text box that a strip drawing it
# covers: its text is drawn in every strip that may hold some of it.
TEXT_PAD_PX = 8


def _strips_crossed(first: int, last: int) -> range:
    """The indices of the strips that rows `first` to `last` (both included)
    may touch."""
    return range(max(first, 0) // STRIP_ROWS, max(last, 0) // STRIP_ROWS + 1)


@dataclasses.dataclass(frozen=True)
class _Shape:
    """A bar (a rectangle in the bar colour) or a line of the axes (BLACK,
    LINE_PX wide), in the whole chart's coordinates."""

    box: tuple[int, int, int, int]
    fill: int = BAR_INDEX
    line: bool = False

    def draw(self, draw: Any, *, dy: int) -> None:
        """What `draw.line(…, width=LINE_PX)` or `draw.rectangle(…,
        fill=…)` draws, by the calls they make: thousands of shapes a chart."""
        x0, y0, x1, y1 = self.box
        moved = (x0, y0 - dy, x1, y1 - dy)
        ink = draw.draw.draw_ink(self.fill)
        if self.line:
            draw.draw.draw_lines(moved, ink, LINE_PX)
        else:
            draw.draw.draw_rectangle(moved, ink, 1)


POINT_BAND_PX = 1024  # rows per band in _whiten_bar_grey


def _whiten_bar_grey(image: Any, rows: tuple[int, int] | None = None) -> None:
    """Turn the bar's grey white in place, a band of rows at a time.
    `Image.point` makes a new image: for a chart of 2 400 bars (the chart zip at
    national scale, issue #20) a second copy of 186 MB, which put the export
    past 500 MB; a band at a time it is a copy of about a megabyte, and the
    pixels are the same. Only the `rows` (first, past the last) when given."""
    table = [WHITE if v == BAR_INDEX else v for v in range(256)]
    width, height = image.size
    first, end = rows or (0, height)
    first, end = max(first, 0), min(end, height)
    for top in range(first, end, POINT_BAND_PX):
        box = (0, top, width, min(top + POINT_BAND_PX, end))
        image.paste(image.crop(box).point(table), box)


def footnote_lines(footnotes: Sequence[str], font: FreeTypeFont) -> list[str]:
    """The footnotes under a chart, wrapped to its width: the lines that
    lengthen the image below the axis."""
    return [
        line
        for note in footnotes
        for line in _wrap(
            note,
            font,
            width_px=WIDTH_IN * DPI - 2 * MARGIN_PX,
            height_px=math.inf,
            chars=FOOTNOTE_WRAP,
        )
    ]


def ticks_and_footer(
    *,
    ticks: Sequence[float],
    x_px: Callable[[float], float],
    bottom: int,
    value_format: ValueFormat,
    footer: Sequence[str],
    height: int,
    font: FreeTypeFont,
) -> list[tuple[tuple[int, int], str, int, str]]:
    """The value axis's tick labels under the plot, and the footer lines
    (source line, base note, footnotes), the last 0,1 in above the bottom edge:
    the same in every chart the service draws. As (position, text, fill,
    anchor), in the order they are drawn."""
    texts = [
        (
            (round(x_px(tick)), bottom + 2 * TICK_PX),
            value_label(tick, value_format),
            BLACK,
            "ma",
        )
        for tick in ticks
    ]
    y = height - round(0.1 * DPI)
    for line in reversed(footer):
        texts.append(((MARGIN_PX, y), line, FOOTER_GREY, "ld"))
        y -= _line_height(font)
    return texts


def draw_ticks_and_footer(
    draw: Any,
    *,
    ticks: Sequence[float],
    x_px: Callable[[float], float],
    bottom: int,
    value_format: ValueFormat,
    footer: Sequence[str],
    height: int,
    font: FreeTypeFont,
) -> None:
    """Draw `ticks_and_footer`."""
    texts = ticks_and_footer(
        ticks=ticks,
        x_px=x_px,
        bottom=bottom,
        value_format=value_format,
        footer=footer,
        height=height,
        font=font,
    )
    for xy, line, fill, anchor in texts:
        draw.text(xy, line, font=font, fill=fill, anchor=anchor)


@functools.cache
def _palette() -> bytes:
    bar = bytes(int(BAR_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    greys = [bytes((v, v, v)) for v in range(256)]
    greys[BAR_INDEX] = bar
    return b"".join(greys)


# --- native Excel chart ----------------------------------------------------------------

TABLE_HEADER_ROW = 3


def add_bar_chart_sheet(
    workbook: Any, data: BarChartData, *, sheet_title: str = "Figur"
) -> Any:
    """A sheet with the title, the data table (A3:B…), the source line and base note
    under the table, and a bar chart that references the table.

    Percentages are stored as fractions formatted "0 %", as Excel expects, so the
    table and the chart show them in the reader's own locale ("47 %" in Swedish).
    """

    sheet = workbook.create_sheet(sheet_title[:31])
    sheet["A1"] = data.title
    sheet["A1"].font = Font(bold=True, size=13)
    last = add_bar_chart(sheet, data, header_row=TABLE_HEADER_ROW, anchor="D3")
    sheet.cell(row=last + 2, column=1, value=data.source_line)
    notes = [data.base_note] if data.base_note else []
    for offset, note in enumerate([*notes, *data.footnotes], start=3):
        sheet.cell(row=last + offset, column=1, value=note)
    sheet.column_dimensions["A"].width = 50
    sheet.column_dimensions["B"].width = 12
    return sheet


def chart_number_format(data: BarChartData) -> str:
    if data.value_format == "percent":
        return "0" + ("." + "0" * data.decimals if data.decimals else "") + " %"
    return "#,##0"


def add_bar_chart(
    sheet: Any,
    data: BarChartData,
    *,
    header_row: int,
    column: int = 1,
    anchor: str,
) -> int:
    """Write the data table (category, value) with its header at `header_row`,
    starting at `column`, and a native bar chart referencing it, anchored at
    `anchor` (a cell such as "D3"). Returns the table's last row.

    Used for a sheet of its own (`add_bar_chart_sheet`) and beside the tables of
    a question sheet in the table workbook (reports/workbook.py).
    """

    data = data.sorted()
    count = len(data.values)
    header = header_row
    value_column = column + 1
    sheet.cell(row=header, column=column, value=data.category_title or "Kategori")
    sheet.cell(row=header, column=value_column, value=data.value_title)
    for index in (column, value_column):
        sheet.cell(row=header, column=index).font = Font(bold=True)
    percent = data.value_format == "percent"
    number_format = chart_number_format(data)
    for offset, (category, value) in enumerate(
        zip(data.categories, data.values, strict=True), start=1
    ):
        sheet.cell(row=header + offset, column=column, value=category)
        cell = sheet.cell(
            row=header + offset,
            column=value_column,
            value=_excel_value(value, percent),
        )
        cell.number_format = number_format
    last = header + count

    chart = BarChart()
    chart.type = "bar"  # horizontal bars: long Swedish category names stay readable
    chart.title = data.title
    chart.add_data(
        Reference(sheet, min_col=value_column, min_row=header, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(sheet, min_col=column, min_row=header + 1, max_row=last)
    )
    chart.x_axis.title = data.category_title or None
    chart.y_axis.title = data.value_title
    # The first row of the table (the largest value) at the top, as in the PNG.
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.numFmt = number_format
    chart.y_axis.scaling.min = 0
    if percent:
        chart.y_axis.scaling.max = 1
    # openpyxl ≥ 3.1 hides axes unless told otherwise.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.width = 20
    chart.height = 4 + 0.8 * count
    sheet.add_chart(chart, anchor)
    return last


def bar_chart_xlsx(data: BarChartData) -> bytes:
    """A workbook with one chart sheet, as bytes."""

    workbook = Workbook()
    workbook.remove(workbook.active)
    add_bar_chart_sheet(workbook, data)
    output = io.BytesIO()
    harden_workbook(workbook)
    workbook.save(output)
    return output.getvalue()
