"""Write the PDF fixtures of tests/imports/test_readers.py (run by hand, not in CI).

Needs fpdf2 (``.venv/bin/pip install fpdf2``; deliberately not a project dependency) and a CJK
TrueType font, e.g. ``apt-get install -y fonts-wqy-microhei``:

    .venv/bin/python scripts/make_import_fixtures.py [--font /path/to/font.ttc]

Fonts are subset, so each file stays well under 200 KB. The files are committed; rerun this only
to change them.
"""

from __future__ import annotations

import argparse
import io
import subprocess
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "tests" / "imports" / "fixtures" / "formats"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)

TITLE = "关于印发《2024年重点工作任务分工方案》的通知"
INTRO = (
    "各处室、各直属单位：现将《2024年重点工作任务分工方案》印发给你们，请结合实际认真抓好落实。"
    "各牵头单位要细化工作措施，明确时间节点，确保各项任务按期完成，并于每季度末报送进展情况。"
)
SECTIONS = (
    (
        "一、总体要求",
        (
            "1.坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，着力推动高质量发展。",
            "2.聚焦年度目标任务，压实工作责任，确保各项工作落地见效。",
        ),
    ),
    (
        "二、重点任务",
        (
            "1.加强组织领导。各牵头单位主要负责同志要亲自部署、亲自过问，"
            "建立工作台账，实行清单化管理、项目化推进，确保任务不落空。",
            "2.强化督促检查。办公室定期调度任务进展，对推进缓慢的及时督办。",
        ),
    ),
)
# 序号, 重点任务, 牵头单位, 责任单位, 完成时限; a None 责任单位 is merged with the one above.
TASKS = (
    ("1", "制定年度科技创新工作要点", "办公室", "政策法规处", "2024年3月底"),
    ("2", "推进重点实验室体系重塑", "基础研究处", "各省辖市科技局", "2024年6月底"),
    ("3", "开展科技成果转化专项行动", "成果转化处", "各高新区管委会", "2024年9月底"),
    ("4", "组织实施重大科技专项", "重大专项处", None, "2024年12月底"),
    (
        "5",
        "完善科技金融服务体系",
        "资源配置处",
        "省科技金融服务中心、省技术市场服务中心",
        "2024年10月底",
    ),
)
MORE_TASKS = tuple(
    (str(n), f"落实第{n}项年度重点任务", "规划处", "相关处室", "2024年12月底") for n in range(6, 21)
)
CLOSING = "附件：重点任务进展情况报送表"


class Notice(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("cjk", size=10)
        self.cell(0, 8, f"— {self.page_no()} —", align="C")


def font_path(explicit: str | None) -> str:
    if explicit:
        return explicit
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    listed = subprocess.run(
        ["fc-list", ":lang=zh", "file"],  # noqa: S607 - a developer tool, run by hand
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    fonts = [line.rstrip(":") for line in listed if line.endswith((".ttf:", ".ttc:", ".otf:"))]
    if not fonts:
        raise SystemExit("no CJK font found: apt-get install -y fonts-wqy-microhei")
    return fonts[0]


def notice_pdf(font: str) -> bytes:
    pdf = Notice(format="A4")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_font("cjk", fname=font)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.multi_cell(0, 10, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    paragraph(pdf, INTRO)
    for heading, items in SECTIONS:
        paragraph(pdf, heading)
        for item in items:
            paragraph(pdf, item)
    pdf.ln(3)
    pdf.set_font("cjk", size=10)
    with pdf.table(
        col_widths=(10, 50, 28, 36, 36),
        text_align="LEFT",
        line_height=7,
        headings_style=FontFace(emphasis=None),
    ) as table:
        header = table.row()
        for heading in ("序号", "重点任务", "牵头单位", "责任单位", "完成时限"):
            header.cell(heading)
        section = table.row()
        section.cell("（一）创新体系建设", colspan=5)
        tasks = (*TASKS, *MORE_TASKS)
        for index, (number, task, lead, partner, deadline) in enumerate(tasks):
            row = table.row()
            row.cell(number)
            row.cell(task)
            row.cell(lead)
            if partner is not None:
                covers_next = index + 1 < len(tasks) and tasks[index + 1][3] is None
                row.cell(partner, rowspan=2 if covers_next else 1)
            row.cell(deadline)
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    paragraph(pdf, CLOSING)
    return bytes(pdf.output())


def paragraph(pdf: FPDF, text: str) -> None:
    # 公文 style: first line indented by two characters, the rest flush left.
    pdf.multi_cell(
        0, 8, "\u3000\u3000" + text, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR
    )


def scanned_pdf(font: str) -> bytes:
    """A page holding only a picture of text, as a scanner makes it."""
    image = Image.new("L", (1240, 600), 255)
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(font, 44)
    draw.text((80, 80), TITLE[:20], fill=0, font=face)
    draw.text((80, 200), "一、总体要求", fill=0, font=face)
    draw.text((80, 300), "1.坚持稳中求进工作总基调。", fill=0, font=face)
    buffer = io.BytesIO()
    image.convert("1").save(buffer, format="PNG", optimize=True)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(io.BytesIO(buffer.getvalue()), x=10, y=10, w=190)
    return bytes(pdf.output())


def small_pdf(font: str) -> bytes:
    """One page: a heading, a line of text and a 3 x 3 ruled table (quick to read, to mangle)."""
    pdf = FPDF(format="A5")
    pdf.add_font("cjk", fname=font)
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 10, "一、重点任务", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, "1.加强组织领导。", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(headings_style=FontFace(emphasis=None)) as table:
        for cells in (("序号", "重点任务", "牵头单位"), ("1", "制定工作要点", "办公室")):
            row = table.row()
            for text in cells:
                row.cell(text)
        row = table.row()
        row.cell("2")
        row.cell("推进成果转化", colspan=2)
    return bytes(pdf.output())


def encrypted_pdf(font: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_encryption(owner_password="owner-secret", user_password="user-secret")  # noqa: S106
    pdf.add_font("cjk", fname=font)
    pdf.add_page()
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 10, "需要密码才能打开的通知")
    return bytes(pdf.output())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", help="a CJK .ttf/.ttc/.otf file (default: found with fc-list)")
    font = font_path(parser.parse_args().font)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in (
        ("notice.pdf", notice_pdf),
        ("small.pdf", small_pdf),
        ("scanned.pdf", scanned_pdf),
        ("encrypted.pdf", encrypted_pdf),
    ):
        data = make(font)
        (OUT / name).write_bytes(data)
        print(f"{OUT / name}: {len(data):,} bytes")


if __name__ == "__main__":
    main()
