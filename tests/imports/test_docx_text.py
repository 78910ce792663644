"""Text extraction from .docx uploads (documents are built in memory with python-docx)."""

from __future__ import annotations

import contextlib
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st

from app.imports import docx_text
from app.imports.docx_text import extract_docx_text
from app.imports.parser import NoticeParseError, parse_notice

SEED = (Path(__file__).parent / "fixtures" / "henan-sta-2024-work-plan.txt").read_text("utf-8")


def to_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def chinese_list(document: docx.document.Document) -> str:
    """Add a list definition numbered "一、二、三、" and return its numId."""
    numbering = document.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0">'
            '<w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    return "90"


def number_paragraph(paragraph: Paragraph, num_id: str) -> None:
    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


class TestExtraction:
    def test_seed_as_one_paragraph_per_line_parses_like_the_text(self) -> None:
        document = docx.Document()
        for line in SEED.split("\n"):
            document.add_paragraph(line)
        text = extract_docx_text(to_bytes(document))
        assert parse_notice(text).tasks == parse_notice(SEED).tasks

    def test_automatic_numbering_is_written_out(self) -> None:
        document = docx.Document()
        document.add_paragraph("河南省科协 2024 年工作要点")
        num_id = chinese_list(document)
        number_paragraph(document.add_paragraph("加强组织建设"), num_id)
        document.add_paragraph("开展调研。（责任部门：办公室）", style="List Number")
        document.add_paragraph("办好年会。（责任部门：学会学术部）", style="List Number")
        number_paragraph(document.add_paragraph("服务科技工作者"), num_id)
        document.add_paragraph("举办沙龙。（责任部门：人才发展中心）", style="List Number")

        text = extract_docx_text(to_bytes(document))

        assert text.split("\n") == [
            "河南省科协 2024 年工作要点",
            "一、加强组织建设",
            "1.开展调研。（责任部门：办公室）",
            "2.办好年会。（责任部门：学会学术部）",
            "二、服务科技工作者",
            "3.举办沙龙。（责任部门：人才发展中心）",
        ]
        plan = parse_notice(text)
        assert [(t.kind, t.number, t.parent_number) for t in plan.tasks] == [
            ("section", "一", None),
            ("work_point", "1", "一"),
            ("work_point", "2", "一"),
            ("section", "二", None),
            ("work_point", "3", "二"),
        ]

    def test_tables_are_read_in_order_and_merged_cells_once(self) -> None:
        document = docx.Document()
        document.add_paragraph("前")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).merge(table.cell(0, 1)).text = "合并"
        table.cell(1, 0).text = "左"
        table.cell(1, 1).text = "右"
        document.add_paragraph("后")
        assert extract_docx_text(to_bytes(document)).split("\n") == ["前", "合并", "左", "右", "后"]


class TestRejection:
    @pytest.mark.parametrize(
        "data",
        [b"", b"plain text", b"PK\x03\x04broken", b"\xd0\xcf\x11\xe0" + b"\x00" * 100],
        ids=["empty", "text", "broken-zip", "old-doc"],
    )
    def test_not_a_docx(self, data: bytes) -> None:
        with pytest.raises(NoticeParseError, match=r"not a valid \.docx"):
            extract_docx_text(data)

    def test_zip_without_a_document(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        with pytest.raises(NoticeParseError, match=r"no word/document\.xml"):
            extract_docx_text(buffer.getvalue())

    def test_corrupt_document_xml(self) -> None:
        buffer = io.BytesIO()
        original = io.BytesIO(to_bytes(docx.Document()))
        with zipfile.ZipFile(original) as source, zipfile.ZipFile(buffer, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "word/document.xml":
                    data = data[: len(data) // 2]
                target.writestr(item, data)
        with pytest.raises(NoticeParseError, match=r"not a valid \.docx"):
            extract_docx_text(buffer.getvalue())

    def test_truncated_file(self) -> None:
        data = to_bytes(docx.Document())
        with pytest.raises(NoticeParseError):
            extract_docx_text(data[: len(data) // 2])

    def test_too_large(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(docx_text, "MAX_DOCX_BYTES", 1000)
        with pytest.raises(NoticeParseError, match="larger than"):
            extract_docx_text(to_bytes(docx.Document()))

    def test_too_large_once_inflated(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(docx_text, "_MAX_UNCOMPRESSED_BYTES", 1000)
        with pytest.raises(NoticeParseError, match="uncompressed"):
            extract_docx_text(to_bytes(docx.Document()))

    def test_not_bytes(self) -> None:
        with pytest.raises(NoticeParseError):
            extract_docx_text("a string")  # type: ignore[arg-type]

    @settings(max_examples=100, deadline=None, database=None)
    @given(st.binary(max_size=4000))
    def test_arbitrary_bytes(self, data: bytes) -> None:
        with contextlib.suppress(NoticeParseError):  # any other exception fails the test
            extract_docx_text(data)

    @settings(max_examples=60, deadline=None, database=None)
    @given(st.data())
    def test_damaged_docx(self, data: st.DataObject) -> None:
        original = bytearray(to_bytes(docx.Document()))
        for _ in range(data.draw(st.integers(1, 20))):
            original[data.draw(st.integers(0, len(original) - 1))] = data.draw(st.integers(0, 255))
        with contextlib.suppress(NoticeParseError):
            extract_docx_text(bytes(original))
