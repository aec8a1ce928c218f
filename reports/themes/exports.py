"""The themes with the quote of each organisation (CSV and xlsx downloads), and
the theme sheets of the table workbook. Only the fastställd coder's coding is
written (docs/themes.md)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reports.charts import add_bar_chart
from reports.exports.tables import write_csv, write_xlsx_table
from reports.themes.charts import theme_chart, theme_chart_data
from reports.themes.counts import theme_counts
from reports.themes.models import Coding, ThemeScheme
from reports.themes.selectors import answered_text, themes_in_use
from surveys.kinds import TYPED_TEXT_KINDS
from surveys.models import Question, Questionnaire
from surveys.sheet_text import xlsx_value

MARK_YES = 1
MARK_NO = 0
CHART_HEADER_ROW = 4  # the chart's data table starts level with the first table


def _quote_rows(
    question: Question, scheme: ThemeScheme | None
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """The header and one row per answering organisation: code, name, the quote,
    the themes in words, then 1/0 per theme (empty when not coded)."""
    themes = themes_in_use(scheme)
    tagged: dict[int, set[int]] = {}
    if scheme is not None and scheme.agreed_coder_id is not None:
        for coding in Coding.objects.filter(
            scheme=scheme, coder_id=scheme.agreed_coder_id
        ).prefetch_related("themes"):
            tagged[coding.response_id] = {t.pk for t in coding.themes.all()}
    header = ["Kod", "Organisation", "Svar", "Teman"] + [t.name for t in themes]
    answers = answered_text(question).select_related("response__organisation")

    def rows() -> Iterator[Sequence[Any]]:
        for answer in answers:
            organisation = answer.response.organisation
            chosen = tagged.get(answer.response_id)
            yield [
                organisation.code,
                organisation.name,
                answer.text,
                ", ".join(t.name for t in themes if chosen and t.pk in chosen),
                *(
                    (MARK_YES if t.pk in chosen else MARK_NO)
                    if chosen is not None
                    else None
                    for t in themes
                ),
            ]

    return header, rows()


def quotes_csv(question: Question, scheme: ThemeScheme | None) -> bytes:
    output = io.BytesIO()
    header, rows = _quote_rows(question, scheme)
    write_csv(output, header, rows)
    return output.getvalue()


def quotes_xlsx(question: Question, scheme: ThemeScheme | None) -> bytes:
    output = io.BytesIO()
    header, rows = _quote_rows(question, scheme)
    write_xlsx_table(
        output,
        sheet_title="Citat",
        title=f"Fråga {question.number}. {question.text}",
        header=header,
        rows=rows,
        notes=[_coder_note(scheme)],
        column_widths=[10, 30, 80, 40],
    )
    return output.getvalue()


def _coder_note(scheme: ThemeScheme | None) -> str:
    if scheme is None or scheme.agreed_coder is None:
        return "Ingen fastställd kodning ännu: temakolumnerna är tomma."
    return (
        f"Fastställd kodning av {scheme.agreed_coder.email}. 1 = svaret tar upp temat."
    )


def write_theme_sheets(
    workbook: Workbook, questionnaire: Questionnaire, name_sheet: Callable[[str], str]
) -> int:
    """A sheet per coded question (one with a fastställd coder): counts per theme
    with their base, riket first, then each level; numbers as numbers. Returns the
    number of sheets written."""
    written = 0
    # One query finds the coded questions, so a questionnaire without any adds
    # one query to the workbook however many free-text questions it has.
    schemes = ThemeScheme.objects.filter(
        question__questionnaire=questionnaire,
        question__kind__in=TYPED_TEXT_KINDS,
        agreed_coder__isnull=False,
    ).select_related("question__questionnaire__cycle", "agreed_coder")
    for scheme in sorted(schemes, key=lambda s: s.question.position):
        question = scheme.question
        table = theme_counts(question, scheme)
        sheet = workbook.create_sheet(name_sheet(f"Teman {question.number}"))
        sheet.append([f"Fråga {question.number}. {question.text}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([f"Teman i svaren. Bas: de {table.unit} som besvarade frågan."])
        for level in table.levels:
            sheet.append([])
            sheet.append(
                [level.level.label, f"Besvarat (antal {table.unit})"]
                + [t.name for t in table.themes]
            )
            for row in level.rows:
                sheet.append([xlsx_value(row.group.name), row.base, *row.sheet_values])
        if table.has_unanswered_group:
            sheet.append([])
            sheet.append([table.no_data_legend])
        chart = theme_chart(table)
        if chart is not None:
            # Right of the widest table (name, base, a column per theme): the
            # chart's own data table, then the native chart that reads it.
            column = len(table.themes) + 4
            add_bar_chart(
                sheet,
                theme_chart_data(chart, question),
                header_row=CHART_HEADER_ROW,
                column=column,
                anchor=f"{get_column_letter(column + 3)}{CHART_HEADER_ROW}",
            )
        written += 1
    return written
