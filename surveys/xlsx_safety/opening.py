"""Opening an upload: its size, then every part's real unpacked size, before
anything is parsed (the zip directory's sizes are the sender's claim).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import IO

from surveys.xlsx_safety.limits import (
    CHUNK,
    MAX_PARTS,
    NOT_XLSX,
    Limits,
    UnsafeWorkbookError,
)
from surveys.xlsx_safety.workbook import SafeWorkbook


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def open_workbook(file: IO[bytes] | bytes, limits: Limits) -> SafeWorkbook:
    """Check the upload's size and every part's real unpacked size, then open it.
    Raises UnsafeWorkbookError with a Swedish message."""
    source: IO[bytes] = io.BytesIO(file) if isinstance(file, bytes) else file
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    if size == 0:
        raise UnsafeWorkbookError("Filen är tom.")
    if size > limits.file_bytes:
        raise UnsafeWorkbookError(
            f"Filen är för stor ({_megabytes(size)}). Största tillåtna storlek "
            f"är {_megabytes(limits.file_bytes)}."
        )
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UnsafeWorkbookError(NOT_XLSX) from None
    try:
        _check_parts(archive, limits)
        return SafeWorkbook(archive, limits)
    except BaseException:
        archive.close()
        raise


def _check_parts(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Unpack every part once, counting its real size against its cap: the sizes
    in the zip directory are the sender's claim and cannot be trusted."""
    members = archive.infolist()
    if len(members) > MAX_PARTS:
        raise UnsafeWorkbookError(NOT_XLSX)
    total = 0
    too_big = UnsafeWorkbookError(
        "Filen är för stor när den packas upp: den innehåller mer data än en sådan "
        "arbetsbok kan ha. Spara den som en ny Excel-arbetsbok (.xlsx) och försök "
        "igen."
    )
    for member in members:
        cap = (
            limits.part_bytes
            if _is_large_part(member.filename)
            else limits.small_part_bytes
        )
        unpacked = 0
        try:
            with archive.open(member) as part:
                while chunk := part.read(CHUNK):
                    unpacked += len(chunk)
                    if unpacked > cap or total + unpacked > limits.unpacked_bytes:
                        raise too_big
        # RuntimeError: an encrypted part; NotImplementedError: an unknown
        # compression method.
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
            RuntimeError,
        ):
            raise UnsafeWorkbookError(NOT_XLSX) from None
        total += unpacked


def _is_large_part(name: str) -> bool:
    """Sheets and shared strings may be large; the reader streams them or keeps
    only their strings. Any other part (styles included) gets the small cap."""
    folder, base = posixpath.split(name)
    return (folder == "xl/worksheets" and base.endswith(".xml")) or (
        name == "xl/sharedStrings.xml"
    )
