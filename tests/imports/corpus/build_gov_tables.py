"""Rebuild the table-shaped gov-* corpus notices from the text saved below.

The three notices were published as web pages whose tables reached us flattened
(one cell per line).  The cell texts below are copied verbatim from those pages
(see README.md); this script only lays them out again as a Word table, an
Excel sheet and a CSV file.  It is deterministic: fixed document timestamps, no
randomness.  Run with the project virtualenv:

    .venv/bin/python tests/imports/corpus/build_gov_tables.py
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

# ---------------------------------------------------------------------------
# gov-dazhu-2016-minsheng  (docx-table)
# 大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知 (竹府办〔2016〕20号)
# ---------------------------------------------------------------------------
DAZHU_PARAGRAPHS = [
    "大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知",
    "竹府办〔2016〕20号",
    "各乡镇人民政府、街道办事处,县级各部门:",
    "为让人民群众生活得更有保障、更加幸福,根据《2016年政府工作报告》安排部署,"
    "现将2016年“民生实事”目标任务分解下达。请各责任领导、责任单位认真研究、强化责任、"
    "细化措施,确保全年目标任务顺利完成。县政府督查室将常年跟踪,适时开展督查。"
    "请各责任单位于每季度末月20日前将“民生实事”完成情况书面报县政府督查室420室"
    "(联系电话:6239325)。",
    "附件:2016年民生实事目标任务分解表",
    "大竹县人民政府办公室",
    "2016年2月26日",
    "附件",
    "2016年民生实事目标任务分解表",
]
DAZHU_HEADER = ["序号", "民生实事", "责任单位", "完成时限"]
# Each row: (序号, 民生实事, [责任单位 lines], 完成时限).  A row whose 序号 is None
# continues the row above: its 序号 and 责任单位 cells are merged vertically with
# the row above (the flattened page lists them once for both rows).
DAZHU_ROWS = [
    (
        "1",
        "启动建设东柳河城区段综合治理工程和东湖湿地公园。",
        ["县水务局", "县住建局", "县护城河指挥部"],
        "12月底前",
    ),
    ("2", "新建2座人行天桥。", ["县住建局"], "9月投入使用"),
    ("3", "启动县图书馆新馆建设。", ["县文体广新局", "县代建中心"], "12月底前"),
    ("4", "建成县残疾人综合服务中心。", ["县残联"], "5月底前动工"),
    ("5", "开工建设县老年养护楼。", ["县民政局"], "5月底前动工"),
    (None, "开工建设老年大学。", None, "12月底前"),
    ("6", "迁建县政务服务中心。", ["县政务服务中心", "县代建中心"], "12月底前"),
    ("7", "加快推进土地滩水库建设。", ["县水务局"], "12月底前"),
    ("8", "启动大竹县第十二小学建设,新建中心幼儿园2所。", ["县教科局", "县代建中心"], "12月底前"),
    ("9", "完成棚户区改造2836户。", ["县住建局"], "12月底前"),
    ("10", "城区再新建1个农贸市场。", ["县商务局"], "12月底前"),
]


def _set_cell_lines(cell, lines):
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def build_dazhu() -> Path:
    from docx import Document

    doc = Document()
    for text in DAZHU_PARAGRAPHS:
        doc.add_paragraph(text)
    table = doc.add_table(rows=1 + len(DAZHU_ROWS), cols=len(DAZHU_HEADER))
    table.style = "Table Grid"
    for col, text in enumerate(DAZHU_HEADER):
        table.cell(0, col).text = text
    for i, (num, task, units, deadline) in enumerate(DAZHU_ROWS, start=1):
        table.cell(i, 1).text = task
        table.cell(i, 3).text = deadline
        if num is None:
            table.cell(i - 1, 0).merge(table.cell(i, 0))
            table.cell(i - 1, 2).merge(table.cell(i, 2))
        else:
            table.cell(i, 0).text = num
            _set_cell_lines(table.cell(i, 2), units)
    props = doc.core_properties
    props.author = ""
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_modified_by = ""
    props.revision = 1
    out = HERE / "gov-dazhu-2016-minsheng.docx"
    doc.save(out)
    return out


# ---------------------------------------------------------------------------
# gov-shapingba-2022-targets  (xlsx)
# 重庆市沙坪坝区人民政府办公室关于印发2022年区政府工作报告目标任务的通知, 附件1
# ---------------------------------------------------------------------------
SHAPINGBA_TITLE = "2022年区政府工作报告经济社会发展预期目标任务分解表"
SHAPINGBA_HEADER = ["序号", "2022年预期目标", "责任单位"]
SHAPINGBA_ROWS = [
    ("1", "地区生产总值增长5.5%左右", "区发展改革委"),
    ("2", "固定资产投资增长6%左右", "区发展改革委"),
    ("3", "工业增加值增长7%左右", "区经济信息委"),
    ("4", "社会消费品零售总额增长8%左右", "区商务委"),
    ("5", "进出口总额增长5%以上", "区商务委"),
    ("6", "一般公共预算收入增长5%左右", "区财政局"),
    ("7", "区级税收增长6%左右", "区税务局"),
    ("8", "全体居民人均可支配收入增长6%左右", "区人力社保局"),
    ("9", "空气质量完成年度目标任务", "区生态环境局"),
    ("10", "节能减排降碳完成年度目标任务", "区发展改革委"),
]


def build_shapingba() -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "附件1"
    ws["A1"] = "附件1"
    ws["A2"] = SHAPINGBA_TITLE
    ws.merge_cells("A2:C2")
    ws["A2"].font = Font(bold=True, size=14)
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.append(SHAPINGBA_HEADER)
    for num, target, unit in SHAPINGBA_ROWS:
        # 序号 stored as an Excel number, as in a sheet typed by hand.
        ws.append([int(num), target, unit])
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 18
    wb.properties.creator = ""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    out = HERE / "gov-shapingba-2022-targets.xlsx"
    wb.save(out)
    return out


# ---------------------------------------------------------------------------
# gov-changshu-2018-division  (csv)
# 常熟市2018年政府工作任务分解表 (附件 of 常政办发〔2018〕32号)
# ---------------------------------------------------------------------------
CHANGSHU_TITLE = "常熟市2018年政府工作任务分解表"
CHANGSHU_HEADER = ["序号", "名称", "工作任务", "牵头责任单位"]
CHANGSHU_ROWS = [
    ("一、经济社会发展主要预期目标分解(11项)", "", "", ""),
    ("1", "", "地区生产总值增长7%以上,服务业增加值占GDP比重47.1%.", "发改委"),
    ("2", "", "一般公共预算收入增长8%以上.", "财政局"),
    ("3", "", "工业总产值增长4%,规模以上工业产值增长5%,工业增加值率提升0.5个百分点以上.", "经信委"),
    ("4", "", "高新技术产业产值增长10%.", "科技局"),
    ("5", "", "新兴产业产值占规上产业产值比重达50%.", "经信委"),
    ("6", "", "全社会研发经费支出占GDP比重提高到2.8%.", "科技局"),
    (
        "7",
        "",
        "全社会固定资产投资额550亿元,其中:工业技改投资增长10%,高新技术产业投资增长10%.",
        "发改委、经信委、科技局",
    ),
    (
        "8",
        "",
        "社会消费品零售总额增长8.5%左右,实际利用外资6亿美元,外贸进出口总额保持增长.",
        "商务局",
    ),
]


def build_changshu() -> Path:
    out = HERE / "gov-changshu-2018-division.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([CHANGSHU_TITLE, "", "", ""])
        writer.writerow(CHANGSHU_HEADER)
        writer.writerows(CHANGSHU_ROWS)
    return out


if __name__ == "__main__":
    for path in (build_dazhu(), build_shapingba(), build_changshu()):
        print(path.name)
