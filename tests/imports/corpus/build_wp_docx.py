"""Build the wp-* .docx corpus files from the notice text saved below.

Only converts the text kept here (the stored page text, cut at the end of the last complete item):
one Word paragraph per non-empty line, numbers kept in the paragraph text, no list styles or
tables.
The output is byte-for-byte reproducible (fixed core properties and zip timestamps).

Run:  .venv/bin/python tests/imports/corpus/build_wp_docx.py
"""

import datetime
import io
import pathlib
import zipfile

from docx import Document

HERE = pathlib.Path(__file__).resolve().parent

# wp-kepu-gangyaoban-2022: http://kepushuangzoujin.com/news/show/cate_id/3/article_id/32
# (stored page text; ends inside item 3, cut after the heading "(二)…")
KEPU_2022 = """\
全民科学素质纲要实施工作办公室各成员单位:
现将《2022年全民科学素质行动工作要点》印发你单位,请结合职责,共同推动落实全民科学素质建设目标和任务。
全民科学素质纲要实施工作办公室
(中国科协办公厅代章)
2022年3月15日
(联系人:蒋玉平 010-68583659)
2022年全民科学素质行动工作要点
2022年是党的二十大召开之年,是实施“十四五”规划承上启下的关键一年。全民科学素质工作要坚持以习近平新时代中国特色社会主义思想为指导,深入贯彻党的十九大和十九届历次全会精神,增强“四个意识”、坚定“四个自信”、做到“两个维护”,把人民对美好生活的向往作为奋斗目标,坚持问题导向,坚持服务基层,着力解决发展不平衡不充分问题,为建设世界科技强国和社会主义现代化强国发挥更大作用,以优异成绩迎接党的二十大胜利召开。
一、以习近平新时代中国特色社会主义思想为统领,在全社会厚植创新发展沃土
(一)深入贯彻习近平新时代中国特色社会主义思想
1.推动习近平新时代中国特色社会主义思想在全民科学素质行动实践中深化转化,深入分析新时代全民科学素质工作不平衡不充分的具体表现和深层原因,不断提高推动工作跨越发展的能力。(各成员单位)
2.深刻领会和落实习近平总书记关于“要把科学普及放在与科技创新同等重要的位置”重要指示和关于实施科教兴国战略、人才强国战略、创新驱动发展战略、乡村振兴战略、健康中国战略的重要论述,不断强化推进实施全民科学素质行动规划纲要的根本动力。(各成员单位)
(二)大力弘扬科学精神和科学家精神
"""

DOCS = {
    "wp-kepu-gangyaoban-2022": (KEPU_2022, "2022年全民科学素质行动工作要点"),
}

FIXED = datetime.datetime(2022, 3, 15, 0, 0, 0)


def build(text: str, title: str) -> bytes:
    doc = Document()
    props = doc.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.title = title
    props.created = FIXED
    props.modified = FIXED
    props.revision = 1
    for line in text.splitlines():
        if line.strip():
            doc.add_paragraph(line)
    raw = io.BytesIO()
    doc.save(raw)
    # Re-pack with fixed timestamps so the file is reproducible.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
    return out.getvalue()


def main() -> None:
    for slug, (text, title) in DOCS.items():
        path = HERE / f"{slug}.docx"
        path.write_bytes(build(text, title))
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
