"""Reading an uploaded contact list for regions and RSS (issue #15 point 3):
an .xlsx (its first sheet) or a CSV, one contact a row, with the columns
Organisation (a region's länskod or an RSS's code, or the name), E-post, and
optionally Förnamn and Efternamn. Each row is checked and every problem is
named in Swedish with its row, so staff see a preview before anything is saved
(intake.services.contacts.import_organisation_contacts saves).

Bounded like every upload: the workbook through surveys.xlsx_safety, the text
through surveys.sheet_text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from intake.services.contacts import STAFF_KINDS, ContactRow
from surveys.auth import normalise_email
from surveys.models import Organisation, OrganisationRole
from surveys.sheet_text import from_csv_text, holdable
from surveys.xlsx_safety import Limits, UnsafeWorkbookError, open_workbook

MAX_CONTACT_FILE_BYTES = 2 * 1024 * 1024
MAX_CONTACT_ROWS = 2_000
COLUMNS = {
    "organisation": "organisation",
    "e-post": "email",
    "epost": "email",
    "e-postadress": "email",
    "förnamn": "first_name",
    "efternamn": "last_name",
}
REQUIRED = ("organisation", "email")


class ContactFileError(Exception):
    """The file as a whole cannot be read; the message is Swedish."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass
class ContactPreview:
    rows: list[ContactRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "Rad n: ..."

    @property
    def n_new(self) -> int:
        return sum(1 for row in self.rows if row.is_new)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[list[str]]:
    limits = Limits(
        file_bytes=MAX_CONTACT_FILE_BYTES,
        rows=MAX_CONTACT_ROWS + 1,
        cells=20 * (MAX_CONTACT_ROWS + 1),
    )
    try:
        workbook = open_workbook(content, limits)
    except UnsafeWorkbookError as exc:
        raise ContactFileError(exc.message) from None
    try:
        if not workbook.sheetnames:
            raise ContactFileError("Filen har inget blad.")
        table: list[list[str]] = []
        for number, values in workbook.rows(workbook.sheetnames[0], header_width=True):
            while len(table) < number - 1:
                table.append([])
            table.append([_text(v) for v in values])
        return table
    except UnsafeWorkbookError as exc:
        raise ContactFileError(exc.message) from None
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContactFileError(
            "Filen är varken en Excel-fil (.xlsx) eller en CSV-fil i UTF-8."
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first or "," not in first else ","
    if text.count("\n") > MAX_CONTACT_ROWS + 1:
        raise ContactFileError(
            f"Filen har fler än {MAX_CONTACT_ROWS} rader. Dela upp listan."
        )
    return [
        [from_csv_text(cell.strip()) for cell in row]
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def read_contact_file(content: bytes) -> ContactPreview:
    """The file's rows checked against the register: valid rows and, per row,
    what is wrong. Raises ContactFileError when the file cannot be read."""
    if len(content) > MAX_CONTACT_FILE_BYTES:
        raise ContactFileError("Filen är större än 2 MB. Dela upp listan.")
    table = _read_xlsx(content) if content[:4] == b"PK\x03\x04" else _read_csv(content)
    if not table or not any(table[0]):
        raise ContactFileError("Filen är tom.")
    header = [COLUMNS.get(h.strip().casefold(), "") for h in table[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ContactFileError(
            "Första raden ska ha kolumnerna Organisation och E-post "
            "(och gärna Förnamn och Efternamn)."
        )
    if len(table) - 1 > MAX_CONTACT_ROWS:
        raise ContactFileError(
            f"Filen har fler än {MAX_CONTACT_ROWS} rader. Dela upp listan."
        )
    organisations = list(
        Organisation.objects.filter(kind__in=STAFF_KINDS).only("pk", "code", "name")
    )
    by_key: dict[str, Organisation] = {}
    for known in organisations:
        by_key[known.code.casefold()] = known
        by_key[known.name.casefold()] = known
    existing = set(
        OrganisationRole.objects.filter(organisation__kind__in=STAFF_KINDS).values_list(
            "organisation_id", "user__email"
        )
    )
    preview = ContactPreview()
    seen: set[tuple[int, str]] = set()
    for line, cells in enumerate(table[1:], start=2):
        values = dict(zip(header, cells, strict=False))
        values.pop("", None)
        if not any(values.values()):
            continue
        try:
            values = {k: holdable(v) for k, v in values.items()}
        except ValidationError as exc:
            preview.errors.append(f"Rad {line}: {exc.messages[0]}")
            continue
        problems = []
        key = values.get("organisation", "")
        # Excel shows länskod 04 as the number 4.
        if key.isdigit() and len(key) == 1:
            key = f"0{key}"
        organisation = by_key.get(key.casefold())
        if not key:
            problems.append("organisation saknas")
        elif organisation is None:
            problems.append(
                f"”{key}” är ingen region eller RSS (ange länskod, RSS-kod eller namn)"
            )
        email = normalise_email(values.get("email", ""))
        if not email:
            problems.append("e-postadress saknas")
        else:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"”{email}” är ingen giltig e-postadress")
        if organisation is not None and email and (organisation.pk, email) in seen:
            problems.append("samma kontakt finns redan på en tidigare rad")
        if problems:
            preview.errors.append(f"Rad {line}: " + "; ".join(problems) + ".")
            continue
        assert organisation is not None  # noqa: S101 - checked above
        seen.add((organisation.pk, email))
        preview.rows.append(
            ContactRow(
                line=line,
                organisation_id=organisation.pk,
                organisation_name=organisation.name,
                email=email,
                first_name=values.get("first_name", "")[:150],
                last_name=values.get("last_name", "")[:150],
                is_new=(organisation.pk, email) not in existing,
            )
        )
    return preview
