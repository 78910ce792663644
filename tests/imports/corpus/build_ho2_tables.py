"""Rebuild the table-shaped ho2-* corpus notices from the text saved below.

Both notices were published as web pages whose tables reached us flattened (one
cell per line, merged cells missing from the rows they span, padded with "|" at
the row end).  The cell texts below are copied verbatim from those pages (see
README.md); this script only lays them out again as a Word table and an
Excel sheet, putting the merged cells back.  It is deterministic: fixed document
properties and fixed zip timestamps, so the output is byte-for-byte
reproducible.  Run with the project virtualenv:

    .venv/bin/python tests/imports/corpus/build_ho2_tables.py
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


def _save_reproducible(save, out: Path) -> Path:
    """Call save(buffer), then re-pack the zip with fixed timestamps."""
    raw = io.BytesIO()
    save(raw)
    raw.seek(0)
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps dcterms:modified with the current time on save.
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2024-01-01T00:00:00Z\g<2>",
                    data,
                )
            zout.writestr(fixed, data)
    return out


# ---------------------------------------------------------------------------
# ho2-fujian-2015-xxgk  (docx-table)
# 福建省人民政府办公厅: 2015年政府信息公开工作主要任务分解表 (2015-05-07)
# ---------------------------------------------------------------------------
FUJIAN_PARAGRAPHS = [
    "各市、县(区)人民政府,平潭综合实验区管委会,省人民政府各部门、各直属机构:",
    "为贯彻落实《国务院办公厅关于印发2015年政府信息公开工作要点的通知》(国办发〔2015〕22号)要求,"
    "经省政府同意,现将《2015年政府信息公开工作主要任务分解表》印发给你们,请认真组织实施。",
    "各地区、各部门要认真按照国务院办公厅要求,根据职责分工,细化工作方案和配套措施,"
    "围绕当前省委省政府中心工作,结合社会公众关切的热点领域问题,做好本地区本部门政府信息公开工作,"
    "落实工作要点情况要纳入政府信息公开工作年度报告并向社会公布。各牵头部门要切实负责,"
    "加强组织协调、积极推动。协办和责任部门要密切配合,确保本年度政府信息公开各项重点工作落实到位。",
    "请各设区市、平潭综合实验区、省直各部门将制定的本地区本部门政府信息公开工作要点和本年度工作要点落实情况,"
    "分别于5月29日、12月10日前报送省政府办公厅。省政府办公厅将适时对各级各部门落实工作要点情况进行督查。",
    "福建省人民政府办公厅",
    "2015年5月7日",
    "2015年政府信息公开工作主要任务分解表",
]
FUJIAN_HEADER = ["工 作 任 务", "牵头单位", "责 任 单 位"]
# (task, lead, responsible); a heading row has lead = responsible = None and is
# merged across the three columns; "^" means "merged with the cell above".
FUJIAN_ROWS = [
    ("一、推进重点领域信息公开", None, None),
    ("(一)推进行政权力清单公开", None, None),
    (
        "1.政府工作部门行政审批项目取消、下放以及非行政许可审批事项等信息公开",
        "省编办 (省审改办)",
        "省直各部门,各设区市、平潭综合实验区",
    ),
    ("2.政府工作部门权力清单信息公开", "^", "^"),
    ("3.行政审批事项信息公开", "^", "^"),
    ("(二)推进财政资金信息公开", None, None),
    ("4.财政预算、决算及“三公”经费公开", "省财政厅", "省直各部门,各设区市、平潭综合实验区"),
    ("5.政府采购信息公开", "^", "各设区市、平潭综合实验区"),
    ("6.地方政府债券发行信息公开", "^", "各设区市、平潭综合实验区"),
]


def build_fujian() -> Path:
    from docx import Document

    doc = Document()
    for text in FUJIAN_PARAGRAPHS:
        doc.add_paragraph(text)
    table = doc.add_table(rows=1 + len(FUJIAN_ROWS), cols=3)
    table.style = "Table Grid"
    for col, text in enumerate(FUJIAN_HEADER):
        table.cell(0, col).text = text
    # Find the vertical runs first, merge afterwards (merging moves text).
    for i, (task, lead, resp) in enumerate(FUJIAN_ROWS, start=1):
        if lead is None:
            merged = table.cell(i, 0).merge(table.cell(i, 2))
            merged.text = task
            continue
        table.cell(i, 0).text = task
        if lead != "^":
            table.cell(i, 1).text = lead
        if resp != "^":
            table.cell(i, 2).text = resp
    for col in (1, 2):
        top = None
        for i, row in enumerate(FUJIAN_ROWS, start=1):
            value = row[col]
            if value == "^":
                table.cell(top, col).merge(table.cell(i, col))
            elif value is not None:
                top = i
    props = doc.core_properties
    props.author = ""
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_modified_by = ""
    props.revision = 1
    return _save_reproducible(doc.save, HERE / "ho2-fujian-2015-xxgk.docx")


# ---------------------------------------------------------------------------
# ho2-gdwjw-2021-zwgk  (xlsx)
# 广东省卫生健康委2021年政务公开工作重点任务台账 (发文日期 2021-03-16)
# ---------------------------------------------------------------------------
GDWJW_TITLE = "2021 年政务公开工作重点任务台账"
GDWJW_HEADER = ["序号", "工作任务", "细化分工", "责任处室", "完成时限", "备注"]
# (序号, 工作任务 or None when merged with the row above, 细化分工, 责任处室, 完成时限)
GDWJW_ROWS = [
    (
        1,
        "做好常态化疫情防控信息发布",
        "重点围绕散发疫情、隔离管控、流调溯源、精准防控等发布权威信息",
        "应急处、监督处、医政医管处、疾控处、基层处等按职责分工落实",
        "长期推进",
    ),
    (2, None, "扎实做好疫苗接种信息公开和舆论引导工作", "疾控处", "长期推进"),
    (
        3,
        None,
        "提高新冠肺炎疫情信息发布规范化水平,强化政府内部信息整合",
        "宣传处会办公室",
        "2021年8月前",
    ),
    (
        4,
        None,
        "做好爱国卫生运动、健康中国行动、健康广东行动的信息发布工作",
        "规划信息处(爱卫办)",
        "长期推进",
    ),
    (
        5,
        "常规政务公开事项",
        "强化行政执法信息公开,加强反垄断与反不正当竞争执法信息公开",
        "政法处",
        "长期推进",
    ),
    (
        6,
        None,
        "积极推进部门所属单位预算、决算及相关报表公开",
        "财务处",
        "2021年2月公布预算信息,2021年8月公布上年度决算信息",
    ),
    (7, None, "逐步清理、摸清底数,有步骤推进本部门规范性文件统一公开工作", "政法处", "长期推进"),
    (
        8,
        None,
        "修订完善本部门主动公开目录,指导下级卫生健康行政部门有序推进基层政务公开标准化规范化建设",
        "办公室",
        "长期推进",
    ),
]


def build_gdwjw() -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws["A1"] = GDWJW_TITLE
    ws.merge_cells("A1:F1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(GDWJW_HEADER)
    first_row = ws.max_row + 1
    top = None
    for offset, (num, task, detail, unit, deadline) in enumerate(GDWJW_ROWS):
        r = first_row + offset
        ws.cell(r, 1, num)  # 序号 as an Excel number
        if task is not None:
            if top is not None and r - 1 > top:
                ws.merge_cells(start_row=top, start_column=2, end_row=r - 1, end_column=2)
            top = r
            ws.cell(r, 2, task).alignment = Alignment(vertical="center", wrap_text=True)
        ws.cell(r, 3, detail)
        ws.cell(r, 4, unit)
        ws.cell(r, 5, deadline)
    last = first_row + len(GDWJW_ROWS) - 1
    if top is not None and last > top:
        ws.merge_cells(start_row=top, start_column=2, end_row=last, end_column=2)
    for col, width in zip("ABCDEF", (6, 18, 48, 30, 24, 8), strict=True):
        ws.column_dimensions[col].width = width
    wb.properties.creator = ""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return _save_reproducible(wb.save, HERE / "ho2-gdwjw-2021-zwgk.xlsx")


if __name__ == "__main__":
    for path in (build_fujian(), build_gdwjw()):
        print(path.name)
