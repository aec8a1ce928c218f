"""The streaming reader of an opened upload (`SafeWorkbook`): expat over each part,
in chunks, keeping only sheet names, shared strings, date styles and the cells of
the rows asked for; a DTD is refused outright.

Separate from the size checks (surveys.xlsx_safety.opening), which run first and
hand over only an archive whose every part is within its cap.
"""

from __future__ import annotations

import functools
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from surveys.xlsx_safety.limits import (
    CHUNK,
    EXCEL_COLUMNS,
    EXCEL_ROWS,
    MAX_CELL_CHARS,
    NOT_XLSX,
    Limits,
    UnsafeWorkbookError,
)

REL_OFFICE_DOCUMENT = "/officeDocument"
REL_WORKSHEET = "/worksheet"
REL_SHARED_STRINGS = "/sharedStrings"
REL_STYLES = "/styles"


@functools.lru_cache(maxsize=512)
def _local(name: str) -> str:
    """`uri local` (expat with a namespace separator) -> `local`. Cached: it is
    called for every element, and a file has few distinct names."""
    return name.rpartition(" ")[2]


@functools.lru_cache(maxsize=EXCEL_COLUMNS)
def _column_index(letters: str) -> int:
    return int(column_index_from_string(letters))


def _column(ref: str) -> int:
    """The column of a cell reference such as "AB12"."""
    return _column_index(ref.rstrip("0123456789"))


def _attribute(attrs: dict[str, str], local: str) -> str | None:
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return None


class _Refused(Exception):
    """Raised from an expat handler to stop the parse."""


def _refuse_dtd(*_args: Any) -> None:
    raise _Refused("DTD")


def _parser(
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None] | None = None,
) -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    # No real workbook has a DTD; without one no entity can be declared, so
    # neither expansion (billion laughs) nor external entities (XXE) can happen.
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


class SafeWorkbook:
    """An opened upload: its sheet names and a bounded reader of their rows."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self._archive = archive
        self._limits = limits
        self._names = set(archive.namelist())
        workbook_path = self._office_document()
        relations = self._relations(workbook_path)
        self._sheets: dict[str, str] = {}
        self.date1904 = False
        self._read_workbook(workbook_path, relations)
        self.sheetnames = list(self._sheets)
        strings = [t for kind, t in relations.values() if kind == REL_SHARED_STRINGS]
        styles = [t for kind, t in relations.values() if kind == REL_STYLES]
        self._strings = self._read_strings(strings[0]) if strings else []
        self._dates, self._durations = (
            self._read_styles(styles[0]) if styles else (set(), set())
        )

    # --- parts ------------------------------------------------------------------------

    def _parse(self, path: str, parser: Any) -> Iterator[None]:
        """Feed a part to `parser` chunk by chunk, yielding after each chunk."""
        if path not in self._names:
            raise UnsafeWorkbookError(NOT_XLSX)
        try:
            with self._archive.open(path) as source:
                while True:
                    chunk = source.read(CHUNK)
                    parser.Parse(chunk, not chunk)
                    yield
                    if not chunk:
                        return
        except (expat.ExpatError, _Refused, ValueError, KeyError, IndexError):
            raise UnsafeWorkbookError(NOT_XLSX) from None
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
            raise UnsafeWorkbookError(NOT_XLSX) from None

    def _run(self, path: str, parser: Any) -> None:
        for _ in self._parse(path, parser):
            pass

    def _relations(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type suffix such as "/worksheet", resolved part path)."""
        folder, name = posixpath.split(part)
        rels_path = posixpath.join(folder, "_rels", name + ".rels")
        found: dict[str, tuple[str, str]] = {}
        if rels_path not in self._names:
            return found

        def start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) != "Relationship" or attrs.get("TargetMode") == "External":
                return
            kind = attrs.get("Type", "")
            target = attrs.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attrs.get("Id", "")] = (kind[kind.rfind("/") :], path)

        self._run(rels_path, _parser(start, lambda tag: None))
        return found

    def _office_document(self) -> str:
        package = self._relations("")
        documents = [p for kind, p in package.values() if kind == REL_OFFICE_DOCUMENT]
        return documents[0] if documents else "xl/workbook.xml"

    def _read_workbook(self, path: str, relations: dict[str, tuple[str, str]]) -> None:
        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "workbookPr":
                self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
            elif local == "sheet":
                relation = relations.get(_attribute(attrs, "id") or "")
                # Chart sheets and the like have no cells: left out.
                if relation and relation[0] == REL_WORKSHEET:
                    self._sheets[attrs.get("name", "")] = relation[1]

        self._run(path, _parser(start, lambda tag: None))

    def _read_strings(self, path: str) -> list[str]:
        strings: list[str] = []
        parts: list[str] = []
        state = {"si": False, "t": False, "phonetic": 0, "chars": 0, "elements": 0}

        def start(tag: str, attrs: dict[str, str]) -> None:
            state["elements"] += 1
            if state["elements"] > self._limits.elements:
                raise UnsafeWorkbookError(self._too_many_cells())
            local = _local(tag)
            if local == "si":
                state["si"], state["chars"] = True, 0
                parts.clear()
            elif local == "rPh":
                state["phonetic"] += 1
            elif local == "t" and state["si"] and not state["phonetic"]:
                state["t"] = True

        def end(tag: str) -> None:
            local = _local(tag)
            if local == "si":
                state["si"] = False
                if len(strings) >= self._limits.cells:
                    raise UnsafeWorkbookError(self._too_many_cells())
                strings.append("".join(parts))
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "t":
                state["t"] = False

        def text(data: str) -> None:
            if state["t"]:
                state["chars"] += len(data)
                if state["chars"] > MAX_CELL_CHARS:
                    raise UnsafeWorkbookError(_too_long())
                parts.append(data)

        self._run(path, _parser(start, end, text))
        return strings

    def _read_styles(self, path: str) -> tuple[set[int], set[int]]:
        """Indexes of the cell styles whose number format is a date (and of those,
        a duration), as openpyxl finds them."""
        formats: dict[int, str] = {}
        cell_formats: list[int] = []
        state = {"cellXfs": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = _local(tag)
            if local == "numFmt":
                formats[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["cellXfs"] = True
            elif local == "xf" and state["cellXfs"]:
                cell_formats.append(int(attrs.get("numFmtId", "0")))

        def end(tag: str) -> None:
            if _local(tag) == "cellXfs":
                state["cellXfs"] = False

        self._run(path, _parser(start, end))
        dates: set[int] = set()
        durations: set[int] = set()
        for index, format_id in enumerate(cell_formats):
            code = formats.get(format_id, BUILTIN_FORMATS.get(format_id, "General"))
            if is_date_format(code):
                dates.add(index)
                if is_timedelta_format(code):
                    durations.add(index)
        return dates, durations

    def _too_many_cells(self) -> str:
        return (
            f"Filen har fler än {self._limits.cells:,} ifyllda celler".replace(",", " ")
            + ", fler än en sådan fil kan ha. Kontrollera att det är rätt fil."
        )

    # --- rows -------------------------------------------------------------------------

    def rows(
        self,
        sheet: str,
        *,
        max_row: int | None = None,
        max_col: int = EXCEL_COLUMNS,
        header_width: bool = False,
    ) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(row number, values from column A) for each row of `sheet` that has a
        value, in file order, up to `max_row` and `max_col`. Without `max_row`, a
        value below the limit's row count is refused. Each tuple ends at the
        row's last value; empty rows are left out (the caller pads gaps). With
        `header_width`, row 1 sets `max_col` for the rows after it."""
        path = self._sheets[sheet]
        row_limit = max_row if max_row is not None else self._limits.rows
        epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
        done: list[tuple[int, tuple[Any, ...]]] = []
        row: dict[int, Any] = {}
        text: list[str] = []
        state: dict[str, Any] = {
            "row": 0,
            "column": 0,
            "cells": 0,
            "type": "n",
            "style": 0,
            "ref": None,
            "in": None,  # "v" or "t" while their text counts
            "inline": False,
            "phonetic": 0,
            "chars": 0,
            "elements": 0,
            "max_col": max_col,
        }

        elements = self._limits.elements

        def start(tag: str, attrs: dict[str, str]) -> None:
            state["elements"] += 1
            if state["elements"] > elements:
                raise UnsafeWorkbookError(self._too_many_cells())
            local = _local(tag)
            # Most frequent first: a cell and its value.
            if local == "c":
                ref = attrs.get("r")
                state["column"] = _column(ref) if ref else state["column"] + 1
                state["type"] = attrs.get("t", "n")
                state["style"] = int(attrs.get("s") or 0)
                state["inline"] = False
                state["chars"] = 0
                text.clear()
            elif local == "v":
                state["in"] = "v"
            elif local == "row":
                given = attrs.get("r")
                state["row"] = int(float(given)) if given else state["row"] + 1
                state["column"] = 0
                if not 1 <= state["row"] <= EXCEL_ROWS:
                    raise UnsafeWorkbookError(NOT_XLSX)
                if max_row is not None and state["row"] > max_row:
                    raise _StopParse
                row.clear()
            elif local == "is":
                state["inline"] = True
            elif local == "rPh":
                state["phonetic"] += 1
            elif local == "t" and state["inline"] and not state["phonetic"]:
                state["in"] = "t"

        def end(tag: str) -> None:
            local = _local(tag)
            if local == "c":
                if state["column"] <= state["max_col"]:
                    value = self._value(state, "".join(text), epoch)
                    if value is not None:
                        row[state["column"]] = value
            elif local in ("v", "t"):
                state["in"] = None
            elif local == "rPh":
                state["phonetic"] -= 1
            elif local == "row":
                if not row:
                    return
                if state["row"] > row_limit:
                    if max_row is not None:
                        raise _StopParse
                    raise UnsafeWorkbookError(
                        f"Bladet «{sheet}» har fler än {row_limit:,} rader".replace(
                            ",", " "
                        )
                        + ". Kontrollera att det är rätt fil."
                    )
                state["cells"] += len(row)
                if state["cells"] > self._limits.cells:
                    raise UnsafeWorkbookError(self._too_many_cells())
                width = max(row)
                done.append(
                    (state["row"], tuple(row.get(c) for c in range(1, width + 1)))
                )
                if header_width and state["row"] == 1:
                    state["max_col"] = width

        def characters(data: str) -> None:
            if state["in"]:
                state["chars"] += len(data)
                if state["chars"] > MAX_CELL_CHARS:
                    raise UnsafeWorkbookError(_too_long())
                text.append(data)

        parser = _parser(start, end, characters)
        try:
            for _ in self._parse(path, parser):
                yield from done
                done.clear()
        except _StopParse:
            yield from done

    def _value(self, state: dict[str, Any], text: str, epoch: Any) -> Any:
        kind = state["type"]
        if kind == "inlineStr":
            return text if state["inline"] else None
        if text == "":
            return None
        if kind == "n":
            number = (
                float(text) if "." in text or "E" in text or "e" in text else int(text)
            )
            if state["style"] in self._dates:
                try:
                    return from_excel(
                        number, epoch, timedelta=state["style"] in self._durations
                    )
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self._strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text result) and "e" (an error such as #N/A)

    def close(self) -> None:
        self._archive.close()


class _StopParse(Exception):
    """The rows asked for are read: stop."""


def _too_long() -> str:
    return (
        f"En cell i filen har mer än {MAX_CELL_CHARS:,} tecken, ".replace(",", " ")
        + "mer än Excel tillåter. Kontrollera att det är rätt fil."
    )
