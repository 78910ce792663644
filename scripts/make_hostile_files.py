"""Write the hostile upload files of tests/fixtures/hostile/ (run by hand; the output is committed).

    python scripts/make_hostile_files.py

Each file is small on the wire and expensive to read naively:

- blank-rows.xlsx   a units sheet whose header is followed by 5,000,000 empty <row/> elements
- giant-cell.xlsx   a units sheet with one 300 MiB cell (inflates past every limit)
- bomb.docx         a Word file with 40 MiB of empty paragraphs (millions of XML tags)
- mixed.csv         a units CSV with one UTF-8 line and one GB18030 line, no charset
- flate-bomb.pdf    a PDF whose one content stream inflates to 300 MiB of spaces
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "hostile"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    "{overrides}</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{target}"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _xlsx(path: Path, rows: bytes | list[bytes]) -> None:
    overrides = (
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="units" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=overrides))
        archive.writestr("_rels/.rels", _RELS.format(target="xl/workbook.xml"))
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD.encode())
            for chunk in rows if isinstance(rows, list) else [rows]:
                sheet.write(chunk)
            sheet.write(_SHEET_TAIL.encode())


def blank_rows() -> None:
    chunk = b"<row/>" * 100_000
    _xlsx(OUT / "blank-rows.xlsx", [chunk] * 50)


def giant_cell() -> None:
    start = (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>X1</t></is></c><c r="B2" t="inlineStr"><is><t>'
    )
    filler = [b"A" * (1 << 20)] * 300
    _xlsx(OUT / "giant-cell.xlsx", [start, *filler, b"</t></is></c></row>"])


def docx_bomb() -> None:
    overrides = (
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/>'
    )
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>"
    )
    with zipfile.ZipFile(OUT / "bomb.docx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=overrides))
        archive.writestr("_rels/.rels", _RELS.format(target="word/document.xml"))
        with archive.open("word/document.xml", "w", force_zip64=True) as document:
            document.write(head)
            for _ in range(40):
                document.write(b"<w:p/>" * ((1 << 20) // 6))
            document.write(b"</w:body></w:document>")


def mixed_csv() -> None:
    (OUT / "mixed.csv").write_bytes(
        b"code,name\r\n" + "M1,中文名称\r\n".encode() + "M2,科普活动\r\n".encode("gb18030")
    )


def flate_bomb() -> None:
    stream = zlib.compress(b" " * (300 << 20), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    body = b"%PDF-1.7\n"
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    (OUT / "flate-bomb.pdf").write_bytes(body)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for make in (blank_rows, giant_cell, docx_bomb, mixed_csv, flate_bomb):
        make()
    for path in sorted(OUT.iterdir()):
        print(f"{path.name:<18} {path.stat().st_size / 1024:9.1f} KiB")


if __name__ == "__main__":
    main()
