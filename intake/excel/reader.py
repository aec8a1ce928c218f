"""Reading a returned Excel copy (`read_kommun_workbook`): opened within the
upload limits, its identity (questionnaire, version, kommun) and layout compared
with the current definition, so that a file for another kommun or version, or
one whose rows were moved or deleted, is refused instead of read into the wrong
questions; then every answer cell parsed (`intake.excel.values`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.conf import settings

from intake.excel.grid import Problem, WorkbookError, _Grid, _read_grid, _short, _text
from intake.excel.layout import (
    CELL_MAP_ROW,
    FIRST_ROW,
    FORMAT,
    FORMAT_VERSION,
    KOMMUN_CODE_CELL,
    MAX_LAYOUT_PROBLEMS,
    METADATA,
    NUMBER_COLUMN,
    TEXT_COLUMN,
    AnswerCell,
    LayoutRow,
    _identity,
    answer_cells_of,
    workbook_layout,
)
from intake.excel.terms import SURVEY
from intake.excel.values import _values
from intake.selectors import questions_of
from surveys.models import Organisation, Question, Questionnaire
from surveys.xlsx_safety import (
    EXCEL_ROWS,
    Limits,
    UnsafeWorkbookError,
    open_workbook,
)


def max_upload_bytes() -> int:
    return int(settings.EXCEL_UPLOAD_MAX_BYTES)


def upload_limits() -> Limits:
    """A filled-in copy has a few hundred rows of four columns; Excel may add
    formatted empty cells, never a hundred thousand values."""
    return Limits(file_bytes=max_upload_bytes(), rows=EXCEL_ROWS, cells=100_000)


def read_kommun_workbook(
    file: IO[bytes],
    *,
    questionnaire: Questionnaire,
    organisation: Organisation,
    questions: Sequence[Question] | None = None,
) -> dict[str, Any]:
    """The answers in a returned copy, as `save_answers` values by variable.

    Every question of the workbook gets a value (an empty cell clears the answer).
    Numbers come back as text ("55.5"), so the values are JSON-able. Raises
    WorkbookError listing every problem; nothing is returned in part.
    """
    if questions is None:
        questions = questions_of(questionnaire)
    layout = workbook_layout(questions)
    answers = answer_cells_of(layout)
    try:
        workbook = open_workbook(file, upload_limits())
    except UnsafeWorkbookError as exc:
        raise WorkbookError([Problem(exc.message)]) from None
    try:
        missing = [s for s in (SURVEY, METADATA) if s not in workbook.sheetnames]
        if missing:
            raise WorkbookError(
                [
                    Problem(
                        f"Bladet «{name}» saknas. Filen är inte en oförändrad Excel-kopia "
                        "av enkäten från Nära vård-uppföljningen; hämta en ny kopia."
                    )
                    for name in missing
                ]
            )
        metadata = _read_grid(
            workbook, METADATA, max_row=CELL_MAP_ROW + len(answers) + 1, max_col=3
        )
        last_row = layout[-1].row if layout else FIRST_ROW
        survey = _read_grid(workbook, SURVEY, max_row=last_row + 1, max_col=4)
    except UnsafeWorkbookError as exc:
        raise WorkbookError([Problem(exc.message)]) from None
    finally:
        workbook.close()

    _check_identity(metadata, survey, questionnaire, organisation)
    _check_layout(metadata, survey, layout, answers)
    return _values(survey, questions, answers)


def _check_identity(
    metadata: _Grid,
    survey: _Grid,
    questionnaire: Questionnaire,
    organisation: Organisation,
) -> None:
    given = {
        _text(metadata.get(f"A{row}")): (f"B{row}", _text(metadata.get(f"B{row}")))
        for row in range(1, CELL_MAP_ROW - 1)
    }
    expected = _identity(questionnaire, organisation)

    def value(key: str) -> str:
        return given.get(key, ("", ""))[1]

    if value("format") != FORMAT or value("format_version") != str(FORMAT_VERSION):
        raise WorkbookError(
            [
                Problem(
                    "Uppgifterna om vilken enkät filen gäller saknas eller är ändrade. "
                    "Hämta en ny kopia.",
                    METADATA,
                )
            ]
        )
    problems: list[Problem] = []
    if (
        value("questionnaire_key") != expected["questionnaire_key"]
        or value("cycle") != expected["cycle"]
        or value("questionnaire_id") != expected["questionnaire_id"]
    ):
        problems.append(
            Problem(
                f"Filen gäller en annan enkät ({value('questionnaire_key')} "
                f"{value('cycle')}), inte {questionnaire.title}.",
                METADATA,
                given.get("questionnaire_key", ("B4", ""))[0],
            )
        )
    elif (
        value("questionnaire_version") != expected["questionnaire_version"]
        or value("content_hash") != expected["content_hash"]
    ):
        problems.append(
            Problem(
                "Filen är gjord för en annan version av enkäten än den som gäller nu. "
                "Hämta en ny kopia och för över svaren.",
                METADATA,
                given.get("content_hash", ("B7", ""))[0],
            )
        )
    shown_code = _text(survey.get(KOMMUN_CODE_CELL))
    if value("kommun_code") != organisation.code:
        problems.append(
            Problem(
                f"Filen gäller {value('kommun_name') or 'en annan kommun'} "
                f"(kommunkod {value('kommun_code')}), inte {organisation.name} "
                f"(kommunkod {organisation.code}).",
                SURVEY,
                KOMMUN_CODE_CELL,
            )
        )
    elif shown_code != organisation.code:
        problems.append(
            Problem(
                f"Kommunkoden är ändrad till «{shown_code}»; filen gäller "
                f"{organisation.name} (kommunkod {organisation.code}).",
                SURVEY,
                KOMMUN_CODE_CELL,
            )
        )
    if problems:
        raise WorkbookError(problems)


def _check_layout(
    metadata: _Grid,
    survey: _Grid,
    layout: Sequence[LayoutRow],
    answers: Sequence[AnswerCell],
) -> None:
    problems: list[Problem] = []
    given_map = [
        (
            _text(metadata.get(f"A{row}")),
            _text(metadata.get(f"B{row}")),
            _text(metadata.get(f"C{row}")),
        )
        for row in range(CELL_MAP_ROW, CELL_MAP_ROW + len(answers) + 1)
    ]
    expected_map = [(a.ref, a.variable, a.slot) for a in answers] + [("", "", "")]
    if given_map != expected_map:
        problems.append(
            Problem(
                "Förteckningen över svarscellerna stämmer inte med enkäten; filens mall "
                "har ändrats. Hämta en ny kopia.",
                METADATA,
            )
        )
    for item in layout:
        if len(problems) >= MAX_LAYOUT_PROBLEMS:
            break
        number = _text(survey.get(f"{NUMBER_COLUMN}{item.row}"))
        text = _text(survey.get(f"{TEXT_COLUMN}{item.row}"))
        if number != item.number or text != item.text.strip():
            what = f"fråga {item.number}" if item.number else f"«{_short(item.text)}»"
            problems.append(
                Problem(
                    f"Raden stämmer inte med mallen (här ska {what} stå). Rader har "
                    "flyttats, lagts till eller tagits bort; hämta en ny kopia och för "
                    "över svaren.",
                    SURVEY,
                    f"{TEXT_COLUMN}{item.row}",
                )
            )
    if problems:
        raise WorkbookError(problems)
