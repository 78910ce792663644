"""Rebuild the Word-shaped ho1-* corpus notices from the text saved below.

Two notices of the held-out set 1 reached us as stored web-page text (see README.md):

* ho1-xian-2022-fangguanfu  -- a task-division table flattened into cells separated by " | "
  (one copy) or run together (a second copy of the same page, used only to complete the last
  cell of row 2).  This script lays the cells out again as a Word table after the covering
  notice.  Layout choices (all visible in the flattened text): the section row keeps its text in
  the first cell and six empty cells; the 序号 cell "(一)…" and the 部署任务 cell "1.…" are
  merged vertically over the two measure rows (the flattened second row lacks exactly those two
  cells); the 牵头单位 cell, stored as "市行政审批局市司法局", holds one unit per paragraph.
* ho1-xinyu-2023-zwgk  -- plain paragraphs: one Word paragraph per non-empty stored line, with
  the two leading indentation spaces removed.

Only the saved text is converted; nothing is added.  Output is byte-for-byte reproducible (fixed
core properties and zip timestamps).  Run with the project virtualenv:

    .venv/bin/python tests/imports/corpus/build_ho1_tables.py
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

# ---------------------------------------------------------------------------
# ho1-xian-2022-fangguanfu  (docx-table)
# http://echinagov.com/policy/327617.htm (cells separated by " | ")
# http://www.echinagov.com/policy/327617.htm (same page; gives the end of row 2: "2022年11月底")
# ---------------------------------------------------------------------------
XIAN_PARAGRAPHS = [
    "各区、县人民政府,市人民政府各工作部门、各直属机构:",
    "《西安市贯彻落实陕西省〈2022年深化“放管服”改革优化营商环境工作要点〉分工方案》已经市政府同意,"
    "现印发给你们,请结合实际,认真组织实施。各单位工作落实情况请于每月23日前报市政府办公厅"
    "(市职转办、市营商办)。",
    "西安市人民政府办公厅",
    "2022年7月27日",
    "(联系人:田博 电话/传真:86789314)",
    "(此件公开发布)",
    "西安市贯彻落实陕西省《2022年深化“放管服”改革优化营商环境工作要点》分工方案",
]
XIAN_HEADER = [
    "序号",
    "陕西省《工作要点》部署任务",
    "西安市落实措施",
    "牵头单位",
    "责任单位",
    "完成时限",
    "备注",
]
XIAN_SECTION = "一、全链条优化审批"
XIAN_TASK_NO = "(一)全面实施行政许可事项清单管理。"
XIAN_TASK = (
    "1.按照国务院要求,2022年底前编制并公布省、市、县三级行政许可事项清单,将依法设定的行政许可事项"
    "全部纳入清单管理,清单之外一律不得违法实施行政许可。对清单内事项逐项编制完成行政许可实施规范,"
    "大幅提升行政许可标准化水平,加快推进同一事项在不同地区和层级同要素管理、同标准办理。"
)
# (落实措施, [牵头单位 lines], 责任单位, 完成时限, 备注)
XIAN_MEASURES = [
    (
        "(1)全面准确依法编制市、区(县)行政许可事项清单,8月底前编制完成市级行政许可事项清单并向社会公布,"
        "9月底前编制完成区(县)级行政许可事项清单并向社会公布。市审改办要坚持每月调度并及时通报市、区(县)"
        "清单编制进展情况,对未按时间节点完成的单位进行督办。",
        ["市行政审批局", "市司法局"],
        "市级相关单位,各区县政府、西咸新区管委会",
        "2022年9月底",
        "",
    ),
    (
        "(2)严格落实行政许可事项清单之外一律不得违法实施行政许可的要求,大力清理整治变相许可,"
        "11月底前完成变相许可清查整治并将清理整治情况报省审改办备案。",
        ["市行政审批局", "市司法局"],
        "市级相关单位,各区县政府、西咸新区管委会",
        "2022年11月底",
        "",
    ),
]


def _set_cell_lines(cell, lines):
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _fix_props(doc, title: str) -> None:
    props = doc.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.title = title
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1


def _reproducible_bytes(doc) -> bytes:
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


def build_xian() -> Path:
    doc = Document()
    for text in XIAN_PARAGRAPHS:
        doc.add_paragraph(text)
    n_rows = 2 + len(XIAN_MEASURES)
    table = doc.add_table(rows=n_rows, cols=len(XIAN_HEADER))
    table.style = "Table Grid"
    for col, text in enumerate(XIAN_HEADER):
        table.cell(0, col).text = text
    table.cell(1, 0).text = XIAN_SECTION
    first = 2
    table.cell(first, 0).text = XIAN_TASK_NO
    table.cell(first, 1).text = XIAN_TASK
    for i, (measure, leads, resp, deadline, remark) in enumerate(XIAN_MEASURES):
        row = first + i
        table.cell(row, 2).text = measure
        _set_cell_lines(table.cell(row, 3), leads)
        table.cell(row, 4).text = resp
        table.cell(row, 5).text = deadline
        table.cell(row, 6).text = remark
    last = first + len(XIAN_MEASURES) - 1
    table.cell(first, 0).merge(table.cell(last, 0))
    table.cell(first, 1).merge(table.cell(last, 1))
    _fix_props(doc, XIAN_PARAGRAPHS[-1])
    out = HERE / "ho1-xian-2022-fangguanfu.docx"
    out.write_bytes(_reproducible_bytes(doc))
    return out


# ---------------------------------------------------------------------------
# ho1-xinyu-2023-zwgk  (docx-paragraphs)
# http://echinagov.com/policy/346701.htm (stored text; ends inside item 1, cut after the
# heading "(一)加强重大战略实施信息公开")
# ---------------------------------------------------------------------------
XINYU_TEXT = """\
各县(区)人民政府、管委会,市政府各部门、市直相关单位:

  《2023年新余市政务公开工作要点》已经市政府同意,现印发给你们,请结合实际认真贯彻落实。

  新余市人民政府办公室

  2023年8月7日

  (此件主动公开)

  2023年新余市政务公开工作要点

  为进一步深化新余市政务公开工作,提高行政透明度和政府公信力,助力法治政府、服务型政府建设,制定本要点。

  一、总体要求

  (一)指导思想

  坚持以习近平新时代中国特色社会主义思想为指导,全面贯彻落实党的二十大精神,深入贯彻习近平总书记视察江西重要讲话精神,认真落实党中央、国务院和省委、省政府决策部署,准确把握新时代政务公开新形势新要求,进一步转变政务公开职能,提高政策发布解读实效,主动回应社会关切,提升政府管理服务透明度和可预期性,充分发挥以公开促落实、助监督、强监管的功能作用,更好统筹政务公开与安全保密,以扎实有效的政务公开工作助力全面建设社会主义现代化幸福城市。

  (二)工作目标

  紧紧围绕市委市政府年度重点工作目标任务,聚焦经济社会发展和民生关心关切,扎实推进政务公开标准化规范化建设,实现工作从注重公开数量向注重公开质量和深度转变。到2023年底,市、县(区)两级政务公开工作机制趋于完善,统一规范的政务公开事项标准目录管理体系更加精细,政策文件全流程公开工作机制初步建成,公开信息实用性不断增强,依申请公开办理更加规范,政民互动效果进一步显现,人民群众对政务公开的知晓度、满意度明显提升。

  二、紧扣经济发展大局深化公开

  (一)加强重大战略实施信息公开
"""


def build_xinyu() -> Path:
    doc = Document()
    for line in XINYU_TEXT.splitlines():
        if line.strip():
            doc.add_paragraph(line.strip())
    _fix_props(doc, "2023年新余市政务公开工作要点")
    out = HERE / "ho1-xinyu-2023-zwgk.docx"
    out.write_bytes(_reproducible_bytes(doc))
    return out


if __name__ == "__main__":
    for path in (build_xian(), build_xinyu()):
        print(path.name)
