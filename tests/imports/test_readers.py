"""Uploaded notices read into blocks: text, CSV, Word, Excel and PDF (no database needed).

Word and Excel inputs are built here with python-docx / openpyxl; the PDFs are real files made
by scripts/make_import_fixtures.py (Chinese text in an embedded font, ruled tables).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from app.imports import readers
from app.imports.document import Document, NoticeReadError, Table
from app.imports.parser import parse_notice
from app.imports.readers import read_notice

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = FIXTURES / "formats"
SEED = (FIXTURES / "henan-sta-2024-work-plan.txt").read_text("utf-8")
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXTENSIONS = (None, "a.txt", "a.text", "a.csv", "a.docx", "a.xlsx", "a.xlsm", "a.pdf")


def docx_bytes(document: docx.document.Document) -> bytes:
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


def xlsx_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def first_sheet(workbook: openpyxl.Workbook) -> Worksheet:
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    return sheet


def with_member(package: bytes, name: str, data: bytes | None) -> bytes:
    """``package`` with member ``name`` replaced by ``data`` (removed when None)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
            elif data is not None:
                target.writestr(item, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def sheet_xlsx(sheet_data: str, *, head: str = "") -> bytes:
    """A workbook whose one sheet is ``<sheetData>`` written by hand."""
    workbook = openpyxl.Workbook()
    first_sheet(workbook)["A1"] = "placeholder"
    xml = f'<worksheet xmlns="{SHEET_NS}">{head}<sheetData>{sheet_data}</sheetData></worksheet>'
    return with_member(xlsx_bytes(workbook), "xl/worksheets/sheet1.xml", xml.encode())


def raw_pdf(content: bytes) -> bytes:
    """A one-page PDF drawing ``content`` (Helvetica as /F1), written by hand."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def refusal(data: bytes, filename: str | None = None, **kwargs: str) -> NoticeReadError:
    with pytest.raises(NoticeReadError) as caught:
        read_notice(data, filename=filename, **kwargs)
    return caught.value


def sample_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("通知")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "序号"
    table.cell(0, 1).text = "任务"
    document.add_paragraph("1.开展调研。")
    return docx_bytes(document)


def sample_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = first_sheet(workbook)
    sheet.append(["序号", "重点任务", "牵头单位"])
    sheet.append([1, "制定工作要点", "办公室"])
    sheet.merge_cells("C2:C3")
    return xlsx_bytes(workbook)


class TestFormatDetection:
    def test_extension_comes_before_media_type(self) -> None:
        document = read_notice(b"a,b\n1,2\n", filename="tasks.CSV", media_type="text/plain")
        assert document == Document((Table((("a", "b"), ("1", "2"))),), "csv")

    def test_media_type_when_the_name_says_nothing(self) -> None:
        document = read_notice(b"a;b\n", filename="upload", media_type="text/csv; charset=utf-8")
        assert document.source_format == "csv"

    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            (sample_docx(), "docx"),
            (sample_xlsx(), "xlsx"),
            ((FORMATS / "small.pdf").read_bytes(), "pdf"),
            ("通知".encode(), "text"),
        ],
        ids=["docx", "xlsx", "pdf", "text"],
    )
    def test_first_bytes_when_nothing_else_says(self, data: bytes, expected: str) -> None:
        assert read_notice(data, media_type="application/octet-stream").source_format == expected

    def test_charset_of_the_media_type(self) -> None:
        document = read_notice("通知".encode("gbk"), media_type="text/plain; charset=GBK")
        assert document.blocks == ("通知",)

    @pytest.mark.parametrize("filename", ["notice.doc", "notice.docx", "tasks.xls", None])
    def test_legacy_office_file_is_unsupported(self, filename: str | None) -> None:
        error = refusal(OLE2, filename)
        assert error.code == "unsupported_format"
        assert ".docx" in error.message

    def test_legacy_extension_is_unsupported(self) -> None:
        assert refusal(b"{\\rtf1 hello}", "notice.doc").code == "unsupported_format"

    def test_docx_under_a_legacy_name_is_still_read(self) -> None:
        assert read_notice(sample_docx(), filename="notice.doc").source_format == "docx"

    def test_zip_that_is_no_office_file(self) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        assert refusal(buffer.getvalue()).code == "unreadable_file"

    def test_not_bytes(self) -> None:
        assert refusal("通知", "a.txt").code == "unreadable_file"  # type: ignore[arg-type]


class TestText:
    def test_utf8_with_bom_and_crlf(self) -> None:
        data = "\ufeff通知\r\n一、总体要求\r\n".encode()
        assert read_notice(data, filename="a.txt") == Document(("通知\n一、总体要求\n",), "text")

    def test_gb18030_is_recognised(self) -> None:
        document = read_notice(SEED.encode("gb18030"), filename="notice.txt")
        assert document.blocks == (SEED,)

    def test_short_gbk_that_is_also_valid_utf8(self) -> None:
        data = "通知".encode("gbk")
        assert data.decode("utf-8") == "֪ͨ"
        assert read_notice(data, filename="a.txt").blocks == ("通知",)

    def test_declared_charset(self) -> None:
        assert read_notice("通知".encode("gbk"), charset="GB2312").blocks == ("通知",)

    def test_other_charsets_are_unsupported(self) -> None:
        error = refusal("通知".encode("big5"), "a.txt", charset="big5")
        assert error.code == "unsupported_format"

    def test_bytes_that_do_not_match_the_declared_charset(self) -> None:
        error = refusal("一、总体要求".encode("gbk"), "a.txt", charset="utf-8")
        assert error.code == "unreadable_file"
        assert "UTF-8" in error.message

    def test_mixed_encodings_are_refused(self) -> None:
        data = "一、总体要求\n".encode() + "1.加强组织领导。\n".encode("gb18030")
        error = refusal(data, "a.txt")
        assert error.code == "unreadable_file"
        assert "mixes" in error.message

    def test_binary_file_is_refused(self) -> None:
        assert refusal(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.txt").code == "unreadable_file"

    def test_utf16_is_unsupported(self) -> None:
        assert refusal("通知".encode("utf-16"), "a.txt").code == "unsupported_format"


class TestCsv:
    def test_rows_are_padded_and_blank_rows_dropped(self) -> None:
        data = '序号,重点任务,牵头单位\n1,"制定要点,\n报送",办公室\n,,\n\n2,推进转化\n'.encode()
        assert read_notice(data, filename="a.csv").blocks == (
            Table(
                (
                    ("序号", "重点任务", "牵头单位"),
                    ("1", "制定要点,\n报送", "办公室"),
                    ("2", "推进转化", ""),
                )
            ),
        )

    @pytest.mark.parametrize("delimiter", ["\t", ";"])
    def test_delimiter_is_sniffed(self, delimiter: str) -> None:
        data = f"序号{delimiter}任务\n1{delimiter}调研\n2{delimiter}年会\n".encode()
        [table] = read_notice(data, filename="a.csv").blocks
        assert table == Table((("序号", "任务"), ("1", "调研"), ("2", "年会")))

    def test_gb18030(self) -> None:
        data = "序号,牵头单位\r\n1,办公室\r\n".encode("gb18030")
        [table] = read_notice(data, filename="a.csv").blocks
        assert table == Table((("序号", "牵头单位"), ("1", "办公室")))

    def test_empty_file_has_no_blocks(self) -> None:
        assert read_notice(b"\n,,\n", filename="a.csv") == Document((), "csv")

    def test_overlong_cell_is_refused(self) -> None:
        data = b"a,b\n1," + b"x" * (readers.MAX_CELL_CHARS + 1) + b"\n"
        assert refusal(data, "a.csv").code == "too_large"


class TestDocx:
    def test_paragraphs_with_their_list_numbers(self) -> None:
        document = docx.Document()
        document.add_paragraph("河南省科协 2024 年工作要点")
        num_id = chinese_list(document)
        number_paragraph(document.add_paragraph("加强组织建设"), num_id)
        document.add_paragraph("开展调研。（责任部门：办公室）", style="List Number")
        document.add_paragraph("办好年会。（责任部门：学会学术部）", style="List Number")
        number_paragraph(document.add_paragraph("服务科技工作者"), num_id)
        document.add_paragraph("举办沙龙。（责任部门：人才发展中心）", style="List Number")
        data = docx_bytes(document)

        read = read_notice(data, filename="notice.docx")

        assert read == Document(
            (
                "河南省科协 2024 年工作要点",
                "一、加强组织建设",
                "1.开展调研。（责任部门：办公室）",
                "2.办好年会。（责任部门：学会学术部）",
                "二、服务科技工作者",
                "3.举办沙龙。（责任部门：人才发展中心）",
            ),
            "docx",
        )
        plan = parse_notice("\n".join(str(block) for block in read.blocks))
        assert [(t.kind, t.number, t.parent_number) for t in plan.tasks] == [
            ("section", "一", None),
            ("work_point", "1", "一"),
            ("work_point", "2", "一"),
            ("section", "二", None),
            ("work_point", "3", "二"),
        ]

    def test_seed_as_one_paragraph_per_line_parses_like_the_text(self) -> None:
        document = docx.Document()
        for line in SEED.split("\n"):
            document.add_paragraph(line)
        read = read_notice(docx_bytes(document), filename="notice.docx")
        text = "\n".join(str(block) for block in read.blocks)
        assert parse_notice(text).tasks == parse_notice(SEED).tasks

    def test_damaged_document_xml_is_refused(self) -> None:
        sample = sample_docx()
        with zipfile.ZipFile(io.BytesIO(sample)) as archive:
            xml = archive.read("word/document.xml")
        data = with_member(sample, "word/document.xml", xml[: len(xml) // 2])
        assert refusal(data, "a.docx").code == "unreadable_file"

    def test_truncated_file_is_refused(self) -> None:
        sample = sample_docx()
        assert refusal(sample[: len(sample) // 2], "a.docx").code == "unreadable_file"

    def test_tables_and_paragraphs_in_body_order(self) -> None:
        document = docx.Document()
        document.add_paragraph("前言")
        first = document.add_table(rows=1, cols=2)
        first.cell(0, 0).text, first.cell(0, 1).text = "甲", "乙"
        document.add_paragraph("中间")
        second = document.add_table(rows=1, cols=1)
        second.cell(0, 0).text = "丙"
        document.add_section()
        document.add_paragraph("第二节")
        third = document.add_table(rows=1, cols=1)
        third.cell(0, 0).text = "丁"
        document.add_paragraph("结尾")

        blocks = read_notice(docx_bytes(document), filename="a.docx").blocks

        assert blocks == (
            "前言",
            Table((("甲", "乙"),)),
            "中间",
            Table((("丙",),)),
            "",  # python-docx ends the first section with an empty paragraph
            "第二节",
            Table((("丁",),)),
            "结尾",
        )

    def test_merged_cells_repeat_across_and_down(self) -> None:
        document = docx.Document()
        table = document.add_table(rows=4, cols=3)
        for column, heading in enumerate(("序号", "重点任务", "牵头单位")):
            table.cell(0, column).text = heading
        table.cell(1, 0).merge(table.cell(1, 2)).text = "（一）创新体系建设"
        table.cell(2, 0).text, table.cell(2, 1).text = "1", "制定要点"
        table.cell(3, 0).text, table.cell(3, 1).text = "2", "推进转化"
        table.cell(2, 2).merge(table.cell(3, 2)).text = "办公室"

        [read] = read_notice(docx_bytes(document), filename="a.docx").blocks

        assert read == Table(
            (
                ("序号", "重点任务", "牵头单位"),
                ("（一）创新体系建设",) * 3,
                ("1", "制定要点", "办公室"),
                ("2", "推进转化", "办公室"),
            )
        )

    def test_nested_table_is_text_of_its_cell(self) -> None:
        document = docx.Document()
        table = document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "责任单位"
        cell = table.cell(0, 1)
        cell.text = "牵头："
        inner = cell.add_table(rows=2, cols=2)
        inner.cell(0, 0).text, inner.cell(0, 1).text = "办公室", "财务处"
        inner.cell(1, 0).text = "人事处"

        [read] = read_notice(docx_bytes(document), filename="a.docx").blocks

        assert read == Table((("责任单位", "牵头：\n办公室 财务处\n人事处"),))

    def test_zip_bomb_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert readers.MAX_INFLATED_BYTES == 50 * 1024 * 1024
        monkeypatch.setattr(readers, "MAX_INFLATED_BYTES", 1000)
        assert refusal(sample_docx(), "a.docx").code == "too_large"

    def test_too_many_paragraphs(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(readers, "_MAX_PARAGRAPHS", 2)
        assert refusal(sample_docx(), "a.docx").code == "too_large"

    def test_package_without_a_document(self) -> None:
        data = with_member(sample_docx(), "word/document.xml", None)
        assert refusal(data, "a.docx").code == "unreadable_file"


class TestXlsx:
    def test_each_sheet_with_data_is_a_table(self) -> None:
        workbook = openpyxl.Workbook()
        tasks = first_sheet(workbook)
        tasks.append(["序号", "重点任务", "完成时限", "进度", None])
        tasks.append([1, " 制定要点 ", dt.date(2024, 3, 31), 0.25, None])
        tasks.append([None, None, None, None, None])
        tasks.append([2.0, "推进转化", dt.datetime(2024, 6, 30, 17, 0), 1.5, None])
        tasks["F6"] = ""  # trailing empty column and row
        workbook.create_sheet("空白")
        workbook.create_sheet("说明")["B2"] = True

        assert read_notice(xlsx_bytes(workbook), filename="tasks.xlsx") == Document(
            (
                Table(
                    (
                        ("序号", "重点任务", "完成时限", "进度"),
                        ("1", "制定要点", "2024-03-31", "0.25"),
                        ("2", "推进转化", "2024-06-30", "1.5"),
                    )
                ),
                Table((("", "TRUE"),)),
            ),
            "xlsx",
        )

    def test_merged_ranges_repeat_the_top_left_value(self) -> None:
        workbook = openpyxl.Workbook()
        sheet = first_sheet(workbook)
        sheet.append(["（一）创新体系建设"])
        sheet.append(["1", "制定要点", "办公室"])
        sheet.append(["2", "推进转化"])
        sheet.append(["3", "组织专项"])
        sheet.merge_cells("A1:C1")
        sheet.merge_cells("C2:C4")

        [table] = read_notice(xlsx_bytes(workbook), filename="tasks.xlsx").blocks

        assert table == Table(
            (
                ("（一）创新体系建设",) * 3,
                ("1", "制定要点", "办公室"),
                ("2", "推进转化", "办公室"),
                ("3", "组织专项", "办公室"),
            )
        )

    def test_five_million_declared_blank_rows_end_at_the_data(self) -> None:
        data = sheet_xlsx(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>重点任务</t></is></c></row>'
            '<row r="5000000"><c r="A5000000" s="0"/></row>',
            head='<dimension ref="A1:XFD5000000"/>',
        )
        document = read_notice(data, filename="tasks.xlsx")
        assert document.blocks == (Table((("重点任务",),)),)

    def test_five_million_blank_row_elements_are_refused(self) -> None:
        data = sheet_xlsx("<row/>" * 5_000_000)
        assert len(data) < 100_000
        assert refusal(data, "tasks.xlsx").code == "too_large"

    def test_data_beyond_the_row_limit(self) -> None:
        far = readers.MAX_ROWS + 1
        data = sheet_xlsx(
            f'<row r="1"><c r="A1"><v>1</v></c></row>'
            f'<row r="{far}"><c r="A{far}"><v>2</v></c></row>'
        )
        assert refusal(data, "tasks.xlsx").code == "too_large"

    def test_data_after_a_long_gap_within_the_limit_is_kept(self) -> None:
        data = sheet_xlsx(
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="15000"><c r="A15000"><v>2</v></c></row>'
        )
        [table] = read_notice(data, filename="tasks.xlsx").blocks
        assert table == Table((("1",), ("2",)))

    def test_data_beyond_the_column_limit(self) -> None:
        workbook = openpyxl.Workbook()
        first_sheet(workbook).cell(row=1, column=readers.MAX_COLUMNS + 1, value="x")
        assert refusal(xlsx_bytes(workbook), "tasks.xlsx").code == "too_large"

    def test_overlong_cell_is_refused(self) -> None:
        text = "长" * (readers.MAX_CELL_CHARS + 1)  # openpyxl would cut it when writing
        data = sheet_xlsx(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>')
        assert refusal(data, "tasks.xlsx").code == "too_large"

    def test_zip_bomb_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(readers, "MAX_INFLATED_BYTES", 1000)
        assert refusal(sample_xlsx(), "tasks.xlsx").code == "too_large"


class TestPdf:
    def test_notice_with_a_task_table_over_two_pages(self) -> None:
        document = read_notice((FORMATS / "notice.pdf").read_bytes(), filename="notice.pdf")

        assert document.source_format == "pdf"
        texts = [block for block in document.blocks if isinstance(block, str)]
        tables = [block for block in document.blocks if isinstance(block, Table)]
        assert texts[:3] == [
            "关于印发《2024年重点工作任务分工方案》的通知",
            "各处室、各直属单位：现将《2024年重点工作任务分工方案》印发给你们，"
            "请结合实际认真抓好落实。各牵头单位要细化工作措施，明确时间节点，"
            "确保各项任务按期完成，并于每季度末报送进展情况。",
            "一、总体要求",
        ]
        assert (
            "1.加强组织领导。各牵头单位主要负责同志要亲自部署、亲自过问，建立工作台账，"
            "实行清单化管理、项目化推进，确保任务不落空。"
        ) in texts
        assert texts[-1] == "附件：重点任务进展情况报送表"
        assert not any("—" in text for text in texts)  # page numbers are not text

        header = ("序号", "重点任务", "牵头单位", "责任单位", "完成时限")
        assert [table.rows[0] for table in tables] == [header, header]  # one per page
        first = tables[0].rows
        assert first[1] == ("（一）创新体系建设",) * 5  # merged across
        assert first[4] == (
            "3",
            "开展科技成果转化专项行动",
            "成果转化处",
            "各高新区管委会",
            "2024年9月底",
        )
        assert first[5] == (
            "4",
            "组织实施重大科技专项",
            "重大专项处",
            "各高新区管委会",
            "2024年12月底",
        )
        assert first[6][3] == "省科技金融服务中心、省技术市场服务中心"  # wrapped in its cell
        numbers = [row[0] for table in tables for row in table.rows[1:] if row[0].isdigit()]
        assert numbers == [str(n) for n in range(1, 21)]
        order = [type(block).__name__ for block in document.blocks]
        assert (
            order.index("Table")
            == texts.index("2.强化督促检查。办公室定期调度任务进展，对推进缓慢的及时督办。") + 1
        )

    def test_small_page(self) -> None:
        document = read_notice((FORMATS / "small.pdf").read_bytes(), filename="small.pdf")
        assert document.blocks == (
            "一、重点任务",
            "1.加强组织领导。",
            Table(
                (
                    ("序号", "重点任务", "牵头单位"),
                    ("1", "制定工作要点", "办公室"),
                    ("2", "推进成果转化", "推进成果转化"),
                )
            ),
        )

    def test_scan_without_text_layer(self) -> None:
        error = refusal((FORMATS / "scanned.pdf").read_bytes(), "scan.pdf")
        assert error.code == "no_text_layer"
        assert "no text layer" in error.message
        assert "Word" in error.message

    def test_password_protected(self) -> None:
        error = refusal((FORMATS / "encrypted.pdf").read_bytes(), "locked.pdf")
        assert error.code == "unreadable_file"
        assert "password" in error.message

    def test_damaged(self) -> None:
        assert refusal(b"%PDF-1.7\n1 0 obj <<>> garbage", "a.pdf").code == "unreadable_file"

    def test_too_many_pages(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(readers, "MAX_PDF_PAGES", 1)
        error = refusal((FORMATS / "notice.pdf").read_bytes(), "notice.pdf")
        assert error.code == "too_large"

    def test_dense_ruling_is_read_as_text(self) -> None:
        # 100 x 100 crossing lines: pdfplumber's cell search would take seconds.
        lines = [
            f"20 {20 + i * 8} m 575 {20 + i * 8} l S {20 + i * 5.5} 20 m {20 + i * 5.5} 820 l S"
            for i in range(100)
        ]
        data = raw_pdf("\n".join([*lines, "BT /F1 12 Tf 72 720 Td (Notice) Tj ET"]).encode())
        assert read_notice(data, filename="grid.pdf").blocks == ("Notice",)

    @pytest.mark.parametrize("layers", [1, 2])
    def test_flate_bomb_is_refused(self, monkeypatch: pytest.MonkeyPatch, layers: int) -> None:
        monkeypatch.setattr(readers, "MAX_PDF_INFLATED_BYTES", 1024 * 1024)
        stream = b"\x00" * (2 * 1024 * 1024)
        for _ in range(layers):
            stream = zlib.compress(stream, 9)
        filters = " ".join(["/FlateDecode"] * layers)
        data = (
            b"%PDF-1.7\n4 0 obj\n<< /Length "
            + str(len(stream)).encode()
            + b" /Filter ["
            + filters.encode()
            + b"] >>\nstream\n"
            + stream
            + b"\nendstream\nendobj\n"
        )
        assert refusal(data, "bomb.pdf").code == "too_large"


def mangle(data: bytes, source: st.DataObject) -> bytes:
    """``data`` with bytes flipped, cut short, or (for a zip) a member left out."""
    how = source.draw(st.sampled_from(["flip", "truncate", "drop"]))
    if how == "drop" and data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
        return with_member(data, source.draw(st.sampled_from(names)), None)
    if how == "truncate":
        return data[: source.draw(st.integers(0, len(data) - 1))]
    out = bytearray(data)
    for _ in range(source.draw(st.integers(1, 20))):
        out[source.draw(st.integers(0, len(out) - 1))] = source.draw(st.integers(0, 255))
    return bytes(out)


ORIGINALS = {
    "docx": sample_docx(),
    "xlsx": sample_xlsx(),
    "pdf": (FORMATS / "small.pdf").read_bytes(),
}


class TestPurity:
    def test_readers_import_no_database_or_web_code(self) -> None:
        source = Path(readers.__file__).read_text("utf-8")
        imported = set(re.findall(r"^(?:from|import) (app\.[\w.]+)", source, re.MULTILINE))
        assert imported <= {
            "app.charsets",
            "app.imports.document",
            "app.imports.word_numbering",
            "app.zips",
        }
        assert not re.search(r"^(?:from|import) (?:fastapi|sqlalchemy|starlette)", source, re.M)


class TestOnlyNoticeReadError:
    @settings(max_examples=60, deadline=None, database=None)
    @given(data=st.binary(max_size=3000), filename=st.sampled_from(EXTENSIONS))
    def test_arbitrary_bytes(self, data: bytes, filename: str | None) -> None:
        with contextlib.suppress(NoticeReadError):  # any other exception fails the test
            read_notice(data, filename=filename)

    @pytest.mark.parametrize("kind", sorted(ORIGINALS))
    @settings(max_examples=60, deadline=None, database=None)
    @given(draw=st.data(), filename=st.sampled_from(EXTENSIONS))
    def test_mangled_files(self, kind: str, draw: st.DataObject, filename: str | None) -> None:
        data = mangle(ORIGINALS[kind], draw)
        with contextlib.suppress(NoticeReadError):
            read_notice(data, filename=filename)
