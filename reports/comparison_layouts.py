"""Year-over-year tables (issue #19 point 2): a question's figures for the
previous version's year and this year side by side, as plain `Table`s
(reports/layouts.py) whose cells carry their numbers (reports/cells.py), for
the report page and the table workbook.

- At riket (or one group): per item (matrix row) one table, one row per
  alternative and one column per year, «antal (procent)», and a last row with
  each year's base («Antal regioner som svarat»). A number question: the
  number of organisations that gave one, the figure (sum or mean, as the
  question defines it), the escape answers and the item nonresponse, per year.
- At the questionnaire's own level (regions for the region questionnaire, RSS
  for the RSS questionnaire): per item one table, one row per organisation,
  per year its answer as Bilaga 3 prints it (the alternative in words; for a
  multiple choice a table per option with «Ja» or «.»; the number; «–»
  without an answer).
- At a level that groups several respondents (RSS or region for kommuner):
  per item one table per shown alternative («Ja», or each option of a
  multiple choice, as the charts), one row per group, «antal (procent)» and
  the base per year; a number: the group's figure and its base per year.

Notes under each table: each year's base, the change since the previous year
as `surveys.revisions` found it («Frågans formulering har ändrats jämfört med
2023. Jämför med tidigare resultat med försiktighet.»), alternatives or rows
that one year lacks, then the question's own footnotes. A question without a
predecessor is shown for its year only, marked «Ny fråga 2024, ingen jämförelse
med 2023.» in its subtitle and notes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from reports.bases import categories, convention_note, count, of_frame, shares_base
from reports.cells import (
    Cell,
    count_and_percent_cell,
    count_cell,
    number_cell,
    percent_cell,
    text_cell,
)
from reports.layouts import (
    Rounding,
    Table,
    organisation_cell,
    percent_values,
    units_of,
)
from reports.markers import NO_DATA, NOT_APPLICABLE
from reports.question_parts import OWN_LEVEL
from reports.tabulation.comparison import Comparison, QuestionComparison
from reports.tabulation.kinds import tabulation
from reports.tabulation.results import (
    Item,
    ItemCounts,
    Level,
    QuestionRef,
    QuestionTabulation,
)
from surveys.definitions.footnotes import change_note, revision_note
from surveys.formatting import round_half_up, swedish_number

SUBTITLE = "Antal och procent (inom parentes) per år"
NUMBER_SUBTITLE = "Per år"
ANSWERS_SUBTITLE = "Svaren per år"


def comparison_source(current_source: str, comparison: Comparison) -> str:
    """The «Källa:» line (reports.question_parts.source_line of this year's
    questionnaire) naming the previous year's questionnaire too."""
    earlier = comparison.previous
    if earlier is None:
        return current_source
    return (
        f"Källa: {earlier.title}, Socialstyrelsen {earlier.year}; "
        + current_source.removeprefix("Källa: ")
    )


def new_question_mark(year: int, previous_year: int | None) -> str:
    """The mark of a question without a predecessor."""
    if previous_year is None:
        return f"Ingen tidigare omgång av enkäten att jämföra {year} med."
    return f"Ny fråga {year}, ingen jämförelse med {previous_year}."


def change_notes(
    question: QuestionComparison, *, year: int, previous_year: int | None
) -> list[str]:
    """The change since the previous year (surveys.revisions), then the
    question's own footnotes less the loader's note of the same change."""
    ref = question.current.question
    notes = []
    if question.is_new:
        notes.append(new_question_mark(year, previous_year))
    elif question.changes and previous_year is not None:
        notes.append(revision_note(question.changes, previous_year))
    # The loader's comparability note names the change too; keep one of them.
    loader_notes = {
        change_note(comparability, previous_year)
        for comparability in ("wording_changed", "options_changed")
    }
    return notes + [
        note
        for note in ref.footnotes
        if note not in notes and not (notes and note in loader_notes)
    ]


def comparison_tables(
    comparison: Comparison,
    question: QuestionComparison,
    *,
    audience: str,
    rounding: Rounding = Rounding.HALF_UP,
    source: str = "",
) -> list[Table]:
    """The year-over-year tables of one question (module docstring); none for
    free text."""
    ref = question.current.question
    if not (ref.is_closed or ref.is_number or ref.is_kommun_count):
        return []
    if tabulation(ref.kind).ticks:
        rounding = Rounding.HALF_UP
    years = [(comparison.year, question.current)]
    if question.previous is not None and comparison.previous_year is not None:
        years.insert(0, (comparison.previous_year, question.previous))
    notes = _lacking(years) + change_notes(
        question, year=comparison.year, previous_year=comparison.previous_year
    )
    subtitle = NUMBER_SUBTITLE if ref.is_number else SUBTITLE
    answers = ANSWERS_SUBTITLE
    if question.is_new:
        mark = new_question_mark(comparison.year, comparison.previous_year)
        subtitle += f". {mark}"
        answers += f". {mark}"
    units = units_of(audience, ref)
    level = comparison.current.level
    one_group = level == Level.RIKET
    own_level = OWN_LEVEL.get(audience) == level and not ref.is_kommun_count
    tables = []
    for item in question.current.items:
        paired = [(year, _item(tabulated, item)) for year, tabulated in years]
        if one_group:
            if ref.is_number:
                table = _number_riket(ref, paired, units)
            else:
                table = _alternatives_riket(ref, paired, units, rounding, years)
            tables.append(
                _finish(table, ref, item, paired, units, notes, subtitle, source)
            )
            continue
        if own_level:
            # One organisation per group: its answer in words, as Bilaga 3.
            options = (
                [(o.code, o.label) for o in ref.options]
                if tabulation(ref.kind).ticks
                else [(None, "")]
            )
            for option, label in options:
                table = _organisation_answers(paired, years, level, option, label)
                tables.append(
                    _finish(table, ref, item, paired, units, notes, answers, source)
                )
            continue
        if ref.is_number:
            table = _number_groups(ref, paired, units)
            tables.append(
                _finish(table, ref, item, paired, units, notes, subtitle, source)
            )
            continue
        shown = (
            [(o.code, o.label) for o in ref.options]
            if tabulation(ref.kind).ticks
            else [categories(ref)[0]]
            if ref.options
            else []
        )
        for code, label in shown:
            table = _alternative_groups(
                ref, paired, units, rounding, code, label, years
            )
            tables.append(
                _finish(table, ref, item, paired, units, notes, subtitle, source)
            )
    return tables


Paired = Sequence[tuple[int, Item | None]]


def _lacking(years: Sequence[tuple[int, QuestionTabulation]]) -> list[str]:
    """The alternatives and the rows that one of the years lacks (their cells
    are empty that year); a row only the earlier year had is not shown."""
    if len(years) < 2:
        return []
    notes = []
    labels: dict[str, str] = {}
    for _, tabulated in reversed(years):
        for code, label in categories(tabulated.question):
            labels.setdefault(code, label)
    for year, tabulated in years:
        own = dict(categories(tabulated.question))
        notes += [
            f"«{label}» fanns inte som svarsalternativ {year}."
            for code, label in labels.items()
            if code not in own
        ]
    (earlier_year, earlier), (_, later) = years
    later_rows = {row.code for row in later.question.rows}
    notes += [
        f"Delfrågan «{row.label}» fanns {earlier_year} men inte {years[1][0]}."
        for row in earlier.question.rows
        if row.code not in later_rows
    ]
    return notes


def _item(question: QuestionTabulation, item: Item) -> Item | None:
    """The same item (matrix row, by code) in another year's tabulation."""
    for other in question.items:
        if (other.row.code if other.row else None) == (
            item.row.code if item.row else None
        ):
            return other
    return None


def _finish(
    table: tuple[tuple[str, ...], list[list[Cell]]],
    ref: QuestionRef,
    item: Item,
    paired: Paired,
    units: tuple[str, str],
    notes: list[str],
    subtitle: str,
    source: str,
) -> Table:
    header, rows = table
    title = f"Fråga {ref.number}. {ref.label}"
    if item.row:
        title += f" – {item.row.label}"
    base_notes = []
    for year, other in paired:
        if other is None:
            base_notes.append(f"Delfrågan fanns inte {year}.")
        else:
            base_notes += _year_notes(year, ref, _summed(other.by_group), units)
    return Table(
        title=title,
        subtitle=subtitle,
        header=header,
        rows=tuple(tuple(cell.text for cell in row) for row in rows),
        notes=(*base_notes, *_convention(ref, units), *notes),
        source=source,
        cells=tuple(tuple(row) for row in rows),
    )


def _summed(groups: Sequence[ItemCounts]) -> ItemCounts:
    """The groups' base and the counts left out of it, summed (the groups of a
    level partition the respondents), for the notes."""
    if len(groups) == 1:
        return groups[0]
    return ItemCounts(
        group=groups[0].group,
        respondents=sum(c.respondents for c in groups),
        not_applicable=sum(c.not_applicable for c in groups),
        not_answered=sum(c.not_answered for c in groups),
        escaped=sum(c.escaped for c in groups),
        base=sum(c.base for c in groups),
    )


def _year_notes(
    year: int, ref: QuestionRef, counts: ItemCounts, units: tuple[str, str]
) -> list[str]:
    """One year's base and who it leaves out, in one note («2033: 5 regioner
    har svarat på denna fråga; 1 region har inte svarat.»)."""
    parts = [f"{_many(counts.base, units)} har svarat på denna fråga"]
    if ref.is_number:
        parts[0] = f"{_many(counts.base, units)} har angett ett värde"
    if counts.not_answered:
        parts.append(f"{_many(counts.not_answered, units)} har inte svarat")
    if counts.escaped:
        parts.append(f"{_many(counts.escaped, units)} svarade «{ref.escape_label}»")
    if counts.not_applicable:
        parts.append(f"{_many(counts.not_applicable, units)} fick inte frågan")
    return [f"{year}: {'; '.join(parts)}."]


def _many(n: int, units: tuple[str, str]) -> str:
    return f"{swedish_number(n)} {units[0] if n == 1 else units[1]}"


def _convention(ref: QuestionRef, units: tuple[str, str]) -> tuple[str, ...]:
    return (convention_note(units[1]),) if of_frame(ref) else ()


def _share_cells(
    ref: QuestionRef, counts: ItemCounts, rounding: Rounding
) -> dict[str, Cell]:
    """Per category code, «antal (procent)» of one year; «..» without a base."""
    codes = [code for code, _ in categories(ref)]
    numbers = [count(ref, counts, code) for code in codes]
    shares = percent_values(numbers, shares_base(ref, counts), rounding)
    if shares is None:
        return {code: text_cell(NO_DATA) for code in codes}
    return {
        code: count_and_percent_cell(n, share, swedish_number(share))
        for code, n, share in zip(codes, numbers, shares, strict=True)
    }


def _base_heading(ref: QuestionRef, units: tuple[str, str]) -> str:
    based = "som fick frågan" if of_frame(ref) else "som svarat"
    return f"Antal {units[1]} {based}"


def _alternatives_riket(
    ref: QuestionRef,
    paired: Paired,
    units: tuple[str, str],
    rounding: Rounding,
    years: Sequence[tuple[int, QuestionTabulation]],
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    """One row per alternative (this year's, then those only the earlier year
    had), one column per year, and the bases last."""
    refs = {year: tabulated.question for year, tabulated in years}
    labels: dict[str, str] = {}
    for year, _ in reversed(paired):  # this year's labels win
        for code, label in categories(refs[year]):
            labels.setdefault(code, label)
    cells = {
        year: _share_cells(refs[year], other.by_group[0], rounding)
        for year, other in paired
        if other is not None
    }
    rows: list[list[Cell]] = []
    for code, label in labels.items():
        row = [text_cell(label)]
        for year, _ in paired:
            row.append(cells.get(year, {}).get(code, text_cell(NOT_APPLICABLE)))
        rows.append(row)
    base_row = [text_cell(_base_heading(ref, units))]
    for year, other in paired:
        base_row.append(
            count_cell(shares_base(refs[year], other.by_group[0]))
            if other is not None
            else text_cell(NOT_APPLICABLE)
        )
    rows.append(base_row)
    return ("Svarsalternativ", *(str(year) for year, _ in paired)), rows


def _figure_cell(ref: QuestionRef, counts: ItemCounts) -> Cell:
    """A group's figure (sum or mean) as the riket tables print it."""
    value = counts.figure(ref.national_figure)
    if value is None:
        return text_cell(NO_DATA)
    rounded: Decimal = round_half_up(value)
    if tabulation(ref.kind).in_percent:
        return percent_cell(rounded)
    return number_cell(rounded)


def _number_riket(
    ref: QuestionRef, paired: Paired, units: tuple[str, str]
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    figure = "Summa" if ref.national_figure == "sum" else "Medelvärde"
    lines: list[tuple[str, Callable[[ItemCounts], Cell]]] = [
        (f"Antal {units[1]} som angett ett värde", lambda c: count_cell(c.base)),
        (figure, lambda c: _figure_cell(ref, c)),
        (ref.escape_label or "Undantagssvar", lambda c: count_cell(c.escaped)),
        ("Ej svarat", lambda c: count_cell(c.not_answered)),
    ]
    rows: list[list[Cell]] = []
    for label, make in lines:
        row = [text_cell(label)]
        for _, other in paired:
            row.append(
                make(other.by_group[0])
                if other is not None
                else text_cell(NOT_APPLICABLE)
            )
        rows.append(row)
    return ("", *(str(year) for year, _ in paired)), rows


def _by_group(other: Item | None) -> dict[int | None, ItemCounts]:
    return {c.group.key: c for c in other.by_group} if other is not None else {}


def _alternative_groups(
    ref: QuestionRef,
    paired: Paired,
    units: tuple[str, str],
    rounding: Rounding,
    code: str,
    label: str,
    years: Sequence[tuple[int, QuestionTabulation]],
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    """One row per group (this year's groups), per year the share choosing
    `code` and the base."""
    refs = {year: tabulated.question for year, tabulated in years}
    current = paired[-1][1]
    assert current is not None  # noqa: S101 - this year's item is the one shown
    per_year = [(year, refs[year], _by_group(other)) for year, other in paired]
    rows: list[list[Cell]] = []
    for counts in current.by_group:
        row = [text_cell(counts.group.short_name)]
        for _year, year_ref, groups in per_year:
            own = groups.get(counts.group.key)
            if own is None or code not in dict(categories(year_ref)):
                row += [text_cell(NOT_APPLICABLE), text_cell(NOT_APPLICABLE)]
                continue
            row.append(_share_cells(year_ref, own, rounding)[code])
            row.append(count_cell(shares_base(year_ref, own)))
        rows.append(row)
    header: list[str] = [""]
    for year, _ in paired:
        header += [f"«{label}» {year}", f"Bas {year}"]
    return tuple(header), rows


def _organisation_answers(
    paired: Paired,
    years: Sequence[tuple[int, QuestionTabulation]],
    level: Level,
    option: str | None,
    label: str,
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    """One row per organisation, per year its answer as Bilaga 3 prints it
    (reports/layouts.py `organisation_cell`: the alternative in words, «Ja» or
    «.» for a multiple choice's `option`, the number; «–» without an answer)."""
    refs = {year: tabulated.question for year, tabulated in years}
    current = paired[-1][1]
    assert current is not None  # noqa: S101 - this year's item is the one shown
    per_year = [(year, refs[year], _by_group(other)) for year, other in paired]
    rows: list[list[Cell]] = []
    for counts in current.by_group:
        row = [text_cell(counts.group.short_name)]
        for _year, year_ref, groups in per_year:
            own = groups.get(counts.group.key)
            if own is None or (
                option is not None and option not in dict(categories(year_ref))
            ):
                row.append(text_cell(NOT_APPLICABLE))
                continue
            row.append(organisation_cell(year_ref, own, option))
        rows.append(row)
    heading = str(level.label).removeprefix("Per ").capitalize()
    prefix = f"«{label}» " if option is not None else ""
    return (heading, *(f"{prefix}{year}" for year, _ in paired)), rows


def _number_groups(
    ref: QuestionRef, paired: Paired, units: tuple[str, str]
) -> tuple[tuple[str, ...], list[list[Cell]]]:
    figure = "Summa" if ref.national_figure == "sum" else "Medelvärde"
    current = paired[-1][1]
    assert current is not None  # noqa: S101 - this year's item is the one shown
    per_year = [_by_group(other) for _, other in paired]
    rows: list[list[Cell]] = []
    for counts in current.by_group:
        row = [text_cell(counts.group.short_name)]
        for groups in per_year:
            own = groups.get(counts.group.key)
            if own is None:
                row += [text_cell(NOT_APPLICABLE), text_cell(NOT_APPLICABLE)]
                continue
            row += [_figure_cell(ref, own), count_cell(own.base)]
        rows.append(row)
    header: list[str] = [""]
    for year, _ in paired:
        header += [f"{figure} {year}", f"Antal {units[1]} med värde {year}"]
    return tuple(header), rows
