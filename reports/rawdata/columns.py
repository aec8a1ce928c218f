"""The raw data's layout: its columns, their names and types, and the codes of
missing values; the types the other rawdata modules share (issue #5 B). Each
kind's columns and values are built in `reports.rawdata.kinds`.

The layout, which `reports.imports.importing` reads back:

- Leading columns: `orgkod`, `orgnamn`, `orgtyp`, `regionkod`, `rsskod` (a
  kommun's RSS in the cycle's year), `status`, `inskickad` (ISO 8601, local time);
  then, only when asked for (personal data), `kontakt_namn`, `kontakt_epost`,
  `kontakt_telefon`.
- One column per question, in questionnaire order, named by its `variable`:
  yes/no, yes/partly/no and single choice hold the option's number (its position,
  1, 2, …) with value labels; integers and percentages the number; text the text.
- Matrix: one column per row, `<variable>_<row>`, coded like a single choice.
- Multiple choice: one column per option, `<variable>_<option>`, 1 = ticked and
  0 = not ticked (published as «.»); missing when the question has no answer.
  0 in every column is the answer «Inget av alternativen» (issue #16 point 7),
  which counts in the base; the import reads it back so.
- RSS kommun counts: one column per cell, `<variable>_<row>_<option>` (or
  `<variable>_<option>` without rows), each row's options followed by its base,
  the number of member kommuner that answered the item, did not, and for which
  it did not apply: `<variable>[_<row>]_svarat`, `_ejsvarat`, `_ejaktuell` (the
  stored slots `[<row>.]_svarat`, `_ej_svarat`, `_ej_aktuell`). Without the base
  an analyst cannot compute kommun shares.
- A name longer than 28 characters (STATA_NAME_MAX: Stata's 32 less room for
  pyreadstat's value-label set names) is made by position instead:
  `<variable>_r<row number>`, `<variable>_o<option number>`,
  `<variable>_r<row number>_<option number>` and, for the base,
  `<variable>_r<row number>_b1` (svarat), `_b2` (ej svarat), `_b3` (ej aktuell).
  The codebook names each column.

Three kinds of "no value" are kept apart (docs/design.md), with reserved codes in every
question column:

- -1 = ej aktuell: a follow-up whose display condition does not hold;
- -2 = ej besvarad: shown but not answered (item nonresponse);
- -3 = the question's escape answer, e.g. «Andelen kan inte uppskattas»
  (numbers only).

In SPSS they are declared user-missing values with labels; in Stata they are the
extended missing values .a, .b and .c with labels (Stata has no missing values
for strings, so a text column carries "-1"/"-2" there too). With `values="labels"`
the CSV and Excel files show the missing values' labels instead of the codes.
An organisation of the frame without a response (`include_nonrespondents`) has
empty question columns (system missing); its `status` says why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import IO, Any, Literal

from intake.cells import EJ_AKTUELL, EJ_SVARAT, SVARAT
from intake.models import ResponseStatus
from surveys.models import OrganisationKind, Question, Questionnaire

ValueStyle = Literal["codes", "labels"]
Target = str | os.PathLike[str] | IO[bytes]

# Stata allows 32 characters in a name, but pyreadstat names each value-label
# set `<variable><n>` (n counting the label sets, up to four digits here), and
# that name must fit too: keep variable names to 28.
STATA_NAME_MAX = 28
STATA_LABEL_MAX = 80
SPSS_LABEL_MAX_BYTES = 256
SPSS_VALUE_LABEL_MAX_BYTES = 120


class Missing(IntEnum):
    """Reserved codes for the three kinds of "no value"."""

    NOT_APPLICABLE = -1
    NOT_ANSWERED = -2
    ESCAPED = -3


MISSING_LABELS = {
    Missing.NOT_APPLICABLE: "Ej aktuell",
    Missing.NOT_ANSWERED: "Ej besvarad",
}
STATA_MISSING = {
    Missing.NOT_APPLICABLE: "a",
    Missing.NOT_ANSWERED: "b",
    Missing.ESCAPED: "c",
}


class ColumnType(StrEnum):
    TEXT = "text"  # leading columns and free-text answers
    CODE = "code"  # an option's number, with value labels
    FLAG = "flag"  # 1/0: a multiple-choice option ticked or not
    NUMBER = "number"  # integers, percentages, kommun counts


LEADING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("orgkod", "Organisationens kod"),
    ("orgnamn", "Organisationens namn"),
    ("orgtyp", "Typ av organisation"),
    ("regionkod", "Region (län)"),
    ("rsskod", "RSS som kommunen tillhör omgångens år"),
    ("status", "Svarets status"),
    ("inskickad", "Inskickad (tidpunkt)"),
)
CONTACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kontakt_namn", "Kontaktperson (personuppgift)"),
    ("kontakt_epost", "Kontaktpersonens e-post (personuppgift)"),
    ("kontakt_telefon", "Kontaktpersonens telefon (personuppgift)"),
)
FLAG_LABELS: Mapping[int, str] = {1: "Vald", 0: "Ej vald"}
STATUS_LABELS: Mapping[str, str] = dict(ResponseStatus.choices)
KIND_LABELS: Mapping[str, str] = dict(OrganisationKind.choices)
# The base of an RSS kommun count: (stored slot, column suffix, label).
KOMMUN_BASE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (SVARAT, "svarat", "antal kommuner som svarat"),
    (EJ_SVARAT, "ejsvarat", "antal kommuner som inte svarat"),
    (EJ_AKTUELL, "ejaktuell", "antal kommuner där frågan inte var aktuell"),
)


@dataclass(frozen=True, eq=False)  # hashed by identity: a key in lookups
class Column:
    """One column of the raw data, and what the codebook says about it."""

    name: str
    label: str
    type: ColumnType
    question: Question | None = None
    row_code: str | None = None
    option_code: str | None = None
    value_labels: Mapping[int, str] = field(default_factory=dict)
    missing_labels: Mapping[Missing, str] = field(default_factory=dict)
    base_slot: str | None = None  # kommun counts: "_svarat", "_ej_svarat", …

    @property
    def count_slot(self) -> str:
        """The stored slot of a kommun-count column: `[<row>.]<option or base>`."""
        cell = self.base_slot or self.option_code or ""
        return f"{self.row_code}.{cell}" if self.row_code else cell


Value = str | int | Decimal | Missing | None


@dataclass(frozen=True)
class RawDataOptions:
    """What goes into the raw data, and how CSV and Excel show it."""

    values: ValueStyle = "codes"
    include_nonrespondents: bool = False
    include_contacts: bool = False
    decimal_comma: bool = False  # CSV only: 59,5 instead of 59.5

    def as_dict(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "include_nonrespondents": self.include_nonrespondents,
            "include_contacts": self.include_contacts,
            "decimal_comma": self.decimal_comma,
        }


@dataclass
class RawData:
    """Columns and rows of one questionnaire's raw data.

    `rows` is an iterator: the answers are read by one ordered query when it is
    first consumed, and rows are built as it goes. Use it once.
    """

    questionnaire: Questionnaire
    columns: list[Column]
    rows: Iterator[list[Value]]
    row_count: int
    data_as_of: Any  # datetime


@dataclass(frozen=True)
class WriteResult:
    rows: int
    columns: int


# --- columns ----------------------------------------------------------------------
