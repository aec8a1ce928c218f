"""Published table layouts as plain table models (rows of strings).

The HTML pages, and later the xlsx and docx writers, render a `Table` as it
is: every cell is already the text to print, formatted the Swedish way
(surveys/formatting.py). Two layouts:

- `organisation_table`: Bilaga 3 of the 2025 report. One column per
  sub-question (matrix row) or option (multiple choice), a «Riket» row first,
  then one row per organisation in the register's published order.
- `frequency_table` and `group_table`: «antal (procent)», rows = matrix rows (or
  the question), or groups; columns = options; with the bases and the excluded
  counts as footnotes.

Every table of a question ends its notes with the question's own footnotes
(declared in its file, or the loader's comparability note).
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from reports.bases import (
    categories,
    convention_note,
    count,
    of_frame,
    shares_base,
)
from reports.cells import (
    Cell,
    count_and_percent_cell,
    count_cell,
    count_of_base_cell,
    number_cell,
    percent_cell,
    text_cell,
)
from reports.markers import (
    NO_DATA,
    NOT_APPLICABLE,
    NOT_TICKED,
    NOTHING_TO_REPORT,
    TICKED,
)
from reports.tabulation.kinds import tabulation
from reports.tabulation.results import Item, ItemCounts, QuestionRef, QuestionTabulation
from surveys.formatting import round_half_up, swedish_number

UNIT_NAMES = {
    "kommun": ("kommun", "kommuner"),
    "region": ("region", "regioner"),
    "rss": ("RSS", "RSS"),
}


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]  # the first is the heading of the row labels
    rows: tuple[tuple[str, ...], ...]  # the first cell of each row is its label
    subtitle: str = ""
    notes: tuple[str, ...] = ()
    source: str = ""
    # The rows' cells with the numbers behind them (reports/cells.py), for the
    # workbook; empty for tables of words only (the kvalitetsdeklaration's).
    cells: tuple[tuple[Cell, ...], ...] = ()


def _table(
    *,
    title: str,
    header: tuple[str, ...],
    cells: Sequence[Sequence[Cell]],
    subtitle: str = "",
    notes: tuple[str, ...] = (),
    source: str = "",
) -> Table:
    """A table whose rows are the printed text of `cells`."""
    typed = tuple(tuple(row) for row in cells)
    return Table(
        title=title,
        header=header,
        rows=tuple(tuple(cell.text for cell in row) for row in typed),
        subtitle=subtitle,
        notes=notes,
        source=source,
        cells=typed,
    )


class Rounding(enum.StrEnum):
    """How a row of percentages is rounded.

    HALF_UP rounds each cell on its own (the default). LARGEST_REMAINDER makes each
    row sum to exactly 100 (Hamilton's method), as Tabell 3 of the 2019 report
    does: every cell gets its whole per cent, and the points left go to the cells
    with the largest remainders. Tie rule: when cells with equal remainders
    compete for fewer points than there are such cells, they share those points
    equally (Sjuksköterska in Tabell 3: 0,44 and 0,44 for the last point, printed
    0,5 and 0,5). Shares are printed with at most one decimal.
    """

    HALF_UP = "half_up"
    LARGEST_REMAINDER = "largest_remainder"


def largest_remainder(counts: Sequence[int], *, total: int = 100) -> list[Fraction]:
    """Percentages of `counts` that sum to `total`, by largest remainder (ties shared)."""
    base = sum(counts)
    if base == 0:
        return [Fraction(0) for _ in counts]
    exact = [Fraction(total * c, base) for c in counts]
    result = [Fraction(math.floor(e)) for e in exact]
    left = total - sum(result)
    remainders = [e - r for e, r in zip(exact, result, strict=True)]
    for value in sorted(set(remainders), reverse=True):
        if left <= 0 or value == 0:
            break
        tied = [i for i, r in enumerate(remainders) if r == value]
        share = Fraction(1) if len(tied) <= left else Fraction(left, len(tied))
        for i in tied:
            result[i] += share
        left -= int(share * len(tied))
    return result


def _as_printed(value: Fraction) -> Decimal:
    if value.denominator == 1:
        return Decimal(value.numerator)
    return round_half_up(value, 1).normalize()


def percent_values(
    counts: Sequence[int], base: int, rounding: Rounding
) -> list[Decimal] | None:
    """Each count as a percentage of `base`, rounded as printed (47, 0.5);
    None when the base is 0 (no share to show)."""
    if base <= 0:
        return None
    if rounding == Rounding.LARGEST_REMAINDER and sum(counts) == base:
        return [_as_printed(p) for p in largest_remainder(counts)]
    return [round_half_up(Fraction(100 * c, base)) for c in counts]


def percentages(counts: Sequence[int], base: int, rounding: Rounding) -> list[str]:
    """Each count as a percentage of `base`, as text ("47", "0,5")."""
    values = percent_values(counts, base, rounding)
    if values is None:
        return ["" for _ in counts]
    return [swedish_number(v) for v in values]


def units_of(audience: str, question: QuestionRef) -> tuple[str, str]:
    if question.is_kommun_count:
        return UNIT_NAMES["kommun"]
    return UNIT_NAMES.get(audience, ("svarande", "svarande"))


def _many(n: int, units: tuple[str, str]) -> str:
    return f"{swedish_number(n)} {units[0] if n == 1 else units[1]}"


# --- frequency tables --------------------------------------------------------------------


def frequency_table(
    question: QuestionTabulation,
    *,
    audience: str,
    group_index: int = 0,
    rounding: Rounding = Rounding.HALF_UP,
    alphabetical: bool = False,
    source: str = "",
) -> Table:
    """«antal (procent)» for one group (riket by default): one row per matrix row
    (or the question), one column per option. Multiple choice is always rounded
    per cell: its shares do not add up to 100."""
    ref = question.question
    if tabulation(ref.kind).ticks:
        rounding = Rounding.HALF_UP
    items = list(question.items)
    if alphabetical:
        items.sort(key=lambda item: item.label)
    rows = []
    for item in items:
        counts = item.by_group[group_index]
        rows.append((text_cell(item.label), *_count_cells(ref, counts, rounding)))
    units = units_of(audience, ref)
    return _table(
        title=f"Fråga {ref.number}. {ref.label}",
        subtitle="Antal och procent (inom parentes)",
        header=("" if ref.rows else "Fråga", *(label for _, label in categories(ref))),
        cells=rows,
        notes=(
            *_notes(
                [(item.label, item.by_group[group_index]) for item in items],
                ref,
                units,
            ),
            *_convention(ref, units),
            *ref.footnotes,
        ),
        source=source,
    )


def group_table(
    item: Item,
    *,
    audience: str,
    rounding: Rounding = Rounding.HALF_UP,
    source: str = "",
) -> Table:
    """«antal (procent)» of one item, one row per group (region, RSS, kommun),
    with each group's base."""
    ref = item.question
    if tabulation(ref.kind).ticks:
        rounding = Rounding.HALF_UP
    units = units_of(audience, ref)
    rows = [
        (
            text_cell(counts.group.short_name),
            *_count_cells(ref, counts, rounding),
            count_cell(shares_base(ref, counts)),
        )
        for counts in item.by_group
    ]
    title = f"Fråga {ref.number}. {ref.label}"
    if item.row:
        title += f" – {item.row.label}"
    based = "som fick frågan" if of_frame(ref) else "som svarat"
    return _table(
        title=title,
        subtitle="Antal och procent (inom parentes)",
        header=(
            "",
            *(label for _, label in categories(ref)),
            f"Antal {units[1]} {based}",
        ),
        cells=rows,
        notes=(
            *_notes([(c.group.short_name, c) for c in item.by_group], ref, units),
            *_convention(ref, units),
            *ref.footnotes,
        ),
        source=source,
    )


def _count_cells(
    ref: QuestionRef, counts: ItemCounts, rounding: Rounding
) -> list[Cell]:
    """«antal (procent)» per option; «..» for all when nobody in the group
    answered (no count to show: a 0 would claim one, reports/markers.py)."""
    numbers = [count(ref, counts, code) for code, _ in categories(ref)]
    shares = percent_values(numbers, shares_base(ref, counts), rounding)
    if shares is None:
        return [text_cell(NO_DATA) for _ in numbers]
    return [
        count_and_percent_cell(n, share, swedish_number(share))
        for n, share in zip(numbers, shares, strict=True)
    ]


def _convention(ref: QuestionRef, units: tuple[str, str]) -> tuple[str, ...]:
    """The base convention, stated under a table whose shares are of the frame
    (the default's base is stated by the notes of who answered)."""
    return (convention_note(units[1]),) if of_frame(ref) else ()


def _notes(
    labelled: Sequence[tuple[str, ItemCounts]],
    ref: QuestionRef,
    units: tuple[str, str],
) -> list[str]:
    """The bases and the excluded counts, as footnotes."""
    if not labelled:
        return []
    notes = []
    bases = Counter(c.base for _, c in labelled)
    usual = bases.most_common(1)[0][0]
    if len(labelled) == 1:
        notes.append(f"{_many(usual, units)} har svarat på denna fråga.")
    else:
        differing = [(label, c.base) for label, c in labelled if c.base != usual]
        if len(differing) < len(labelled) / 2:
            notes.append(f"{_many(usual, units)} har svarat på denna fråga.")
        else:  # no usual base: one note per row
            differing = [(label, c.base) for label, c in labelled]
        notes += [
            f"{label}: {_many(base, units)} har svarat." for label, base in differing
        ]
    for label, counts in labelled:
        where = f" ({label})" if len(labelled) > 1 else ""
        if counts.not_answered:
            notes.append(f"{_many(counts.not_answered, units)} har inte svarat{where}.")
        if counts.escaped:
            notes.append(
                f"{_many(counts.escaped, units)} svarade «{ref.escape_label}»{where}."
            )
        if counts.not_applicable:
            notes.append(
                f"{_many(counts.not_applicable, units)} fick inte frågan "
                f"(följdfråga som bara visas efter vissa svar){where}."
            )
    return notes


# --- Bilaga 3: one row per organisation --------------------------------------------------


def organisation_table(
    per_organisation: QuestionTabulation,
    riket: QuestionTabulation,
    *,
    row_heading: str = "Region",
    total_label: str = "Riket",
    source: str = "",
) -> Table:
    """The Bilaga 3 layout: «Riket» first, then one row per organisation.

    Cells: the answer in words (option labels); «Ja» / «.» for a ticked / unticked
    option of an answered multiple choice; numbers Swedish-formatted ("72 %",
    "1 600 000") or the escape label; «–» for no answer and an empty cell where
    the question was not shown. Riket: "n/base" for closed columns, counting the
    first option (Ja, in every Ja/Nej-type question; «Delvis» and «Nej, men
    förslag finns framtaget» are not counted) or the ticked option; for numbers
    the riket figure as the question defines it (mean or sum).
    """
    ref = per_organisation.question
    columns = _columns(ref, per_organisation)
    riket_row = [text_cell(total_label)]
    for item, option in columns:
        riket_row.append(_riket_cell(ref, item_of(riket, item), option))
    rows = [tuple(riket_row)]
    for index, counts in enumerate(per_organisation.items[0].by_group):
        row = [text_cell(counts.group.short_name)]
        for item, option in columns:
            row.append(_organisation_cell(ref, item.by_group[index], option))
        rows.append(tuple(row))
    return _table(
        title=f"Fråga {ref.number}. {ref.text}",
        header=(row_heading, *(_column_label(ref, i, o) for i, o in columns)),
        cells=rows,
        notes=ref.footnotes,
        source=source,
    )


def item_of(question: QuestionTabulation, item: Item) -> Item:
    """The same item (matrix row) in another tabulation of the question."""
    for other in question.items:
        if other.row == item.row:
            return other
    raise KeyError(item.row)


def _columns(
    ref: QuestionRef, question: QuestionTabulation
) -> list[tuple[Item, str | None]]:
    if tabulation(ref.kind).ticks:
        return [(question.items[0], o.code) for o in ref.options]
    return [(item, None) for item in question.items]


def _column_label(ref: QuestionRef, item: Item, option: str | None) -> str:
    if option is not None:
        return next(o.label for o in ref.options if o.code == option)
    if item.row:
        return item.row.label
    if ref.is_number:
        return ref.unit or tabulation(ref.kind).unit
    return "Svar"


def _riket_cell(ref: QuestionRef, item: Item, option: str | None) -> Cell:
    """Riket (or a group's total): no answers to count from is «..»."""
    counts = item.by_group[0]
    if ref.is_number:
        return _number_cell(ref, counts.figure(ref.national_figure), riket=True)
    if counts.base == 0:
        return text_cell(NO_DATA)
    code = option or (ref.options[0].code if ref.options else "")
    return count_of_base_cell(counts.count(code), counts.base)


def organisation_cell(ref: QuestionRef, counts: ItemCounts, option: str | None) -> Cell:
    """One organisation's answer to an item as the Bilaga 3 table prints it
    (`option`: the column's option of a multiple choice); also the
    year-over-year tables' (reports/comparison_layouts.py)."""
    return _organisation_cell(ref, counts, option)


def _organisation_cell(
    ref: QuestionRef, counts: ItemCounts, option: str | None
) -> Cell:
    if counts.respondents and counts.not_applicable == counts.respondents:
        return text_cell(NOT_APPLICABLE)
    if ref.is_number:
        if counts.base:
            return _number_cell(ref, counts.figure(ref.national_figure))
        if counts.escaped:
            return text_cell(ref.escape_label)
        return text_cell(NOTHING_TO_REPORT)
    if counts.base == 0:
        return text_cell(NOTHING_TO_REPORT)
    if counts.base > 1:  # several respondents in the group: count like Riket
        code = option or ref.options[0].code
        return count_of_base_cell(counts.count(code), counts.base)
    if option is not None:
        return text_cell(TICKED if counts.count(option) else NOT_TICKED)
    return text_cell(
        next((o.label for o in ref.options if counts.count(o.code)), NOTHING_TO_REPORT)
    )


def _number_cell(
    ref: QuestionRef, value: Fraction | None, *, riket: bool = False
) -> Cell:
    """One organisation's number, or a group's figure (mean or sum); a group
    without a number to count from is «..», one organisation without «–»."""
    if value is None:
        return text_cell(NO_DATA if riket else NOTHING_TO_REPORT)
    # Riket means are printed as whole numbers, as Bilaga 3 does ("59 %").
    number = round_half_up(value) if riket else round_half_up(value, 2).normalize()
    if tabulation(ref.kind).in_percent:
        return percent_cell(number)
    return number_cell(number)


def number_text(
    ref: QuestionRef, value: Fraction | None, *, riket: bool = False
) -> str:
    return _number_cell(ref, value, riket=riket).text


# --- numbers per group ---------------------------------------------------------------------


def number_table(
    question: QuestionTabulation, *, audience: str, source: str = ""
) -> Table:
    """A number question per group: how many gave a number, the group's figure
    (mean or sum, as the question defines the riket figure), the escape answers
    and the item nonresponse."""
    ref = question.question
    units = units_of(audience, ref)
    figure = "Summa" if ref.national_figure == "sum" else "Medelvärde"
    rows = []
    for counts in question.items[0].by_group:
        rows.append(
            (
                text_cell(counts.group.short_name),
                count_cell(counts.base),
                _number_cell(ref, counts.figure(ref.national_figure), riket=True),
                count_cell(counts.escaped),
                count_cell(counts.not_answered),
            )
        )
    return _table(
        title=f"Fråga {ref.number}. {ref.label}",
        header=(
            "",
            f"Antal {units[1]} som angett ett värde",
            figure,
            ref.escape_label or "Undantagssvar",
            "Ej svarat",
        ),
        cells=rows,
        notes=(
            *(
                _notes(
                    [(c.group.short_name, c) for c in question.items[0].by_group],
                    ref,
                    units,
                )
                if len(question.items[0].by_group) == 1
                else ()
            ),
            *ref.footnotes,
        ),
        source=source,
    )
