"""Hostile .xlsx files, built byte by byte, for the upload-bounds tests (issue #13
point 6): what anyone who may upload a workbook can send.

- `with_parts(xlsx, {...})`: a real workbook (e.g. a downloaded kommun copy) with
  parts replaced, such as `inflated_styles()`: a small file whose styles.xml
  unpacks to 85 MB of valid cell styles.
- `minimal_xlsx(rows, dimension=...)`: a ~1.5 KB workbook with inline strings,
  whose sheet may declare any dimension (`A1:XFD1048576`).
- `BILLION_LAUGHS`, `EXTERNAL_ENTITY`, `MALFORMED`: sheet XML with an entity bomb,
  an external entity (XXE) and a broken tag.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def workbook_xml(sheet: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
        f'xmlns:r="{REL}"><sheets><sheet name="{escape(sheet)}" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    )


def sheet_xml(rows: Sequence[Sequence[str]], *, dimension: str | None) -> str:
    cells = []
    for r, row in enumerate(rows, start=1):
        inner = "".join(
            f'<c r="{get_column_letter(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t>'
            "</is></c>"
            for c, v in enumerate(row, start=1)
            if v != ""
        )
        cells.append(f'<row r="{r}">{inner}</row>')
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        f"{declared}<sheetData>{''.join(cells)}</sheetData></worksheet>"
    )


def zip_parts(parts: Mapping[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(
                name, content.encode() if isinstance(content, str) else content
            )
    return buffer.getvalue()


def minimal_xlsx(
    rows: Sequence[Sequence[str]],
    *,
    sheet: str = "Rådata",
    dimension: str | None = "A1:XFD1048576",
    sheet_part: bytes | str | None = None,
) -> bytes:
    """A workbook of one sheet; its dimension is a claim, made as large as Excel
    allows by default."""
    return zip_parts(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": PACKAGE_RELS,
            "xl/workbook.xml": workbook_xml(sheet),
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": sheet_part
            if sheet_part is not None
            else sheet_xml(rows, dimension=dimension),
        }
    )


def with_parts(xlsx: bytes, replaced: Mapping[str, bytes | str]) -> bytes:
    """`xlsx` with the named parts replaced (or added)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        parts: dict[str, bytes | str] = {
            name: archive.read(name) for name in archive.namelist()
        }
    parts.update(replaced)
    return zip_parts(parts)


def inflated_styles(size: int = 85_000_000) -> bytes:
    """A valid styles.xml of `size` bytes: one cell style repeated, as a broken
    tool (or an attacker) writes it. Compresses to a few hundred KB."""
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
        'borderId="0"/></cellStyleXfs><cellXfs>'
    ).encode()
    tail = b"</cellXfs></styleSheet>"
    return head + xf * ((size - len(head) - len(tail)) // len(xf)) + tail


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + f']><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
    "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
    "<is><t>&xxe;</t></is></c></row></sheetData></worksheet>"
)
MALFORMED = (
    f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">'
    '<c r="A1" t="inlineStr"><is><t>orgkod</t></is></c></sheetData></worksheet>'
)
