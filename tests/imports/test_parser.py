"""The notice parser on the real seed notice and on small variants written by hand.

Expected values are read off the notice text (tests/imports/fixtures/, a copy of
seeds/henan-sta-2024-work-plan.txt), not from the parser's output.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest

from app.imports.parser import (
    MAX_INPUT_CHARS,
    NoticeParseError,
    ParsedPlan,
    ParsedTask,
    ParseWarning,
    link_related,
    parse_notice,
)

SEED = (Path(__file__).parent / "fixtures" / "henan-sta-2024-work-plan.txt").read_text("utf-8")


def codes(plan: ParsedPlan) -> set[str]:
    """The warning codes of a parse: what the service says to a person, in words (texts.py)."""
    return {w.code for w in plan.warnings}


ALL_GROUPS = (
    "机关各部室",
    "各直属事业单位",
    "各全省学会",
    "各省辖市和济源示范区科协",
    "各高校科协",
    "各企业科协",
    "各医疗卫生机构科协",
)
SECTION_OF = {
    **dict.fromkeys(["1", "2", "3"], "一"),
    **dict.fromkeys(["4", "5", "6"], "二"),
    **dict.fromkeys(["7", "8", "9"], "三"),
    **dict.fromkeys(["10", "11", "12", "13", "14"], "四"),
    **dict.fromkeys(["15", "16"], "五"),
    **dict.fromkeys(["17", "18", "19"], "六"),
}


@pytest.fixture(scope="module")
def plan() -> ParsedPlan:
    return parse_notice(SEED)


def task(plan: ParsedPlan, kind: str, number: str) -> ParsedTask:
    (found,) = [t for t in plan.tasks if t.kind == kind and t.number == number]
    return found


def wp(plan: ParsedPlan, number: int) -> ParsedTask:
    return task(plan, "work_point", str(number))


def kt(plan: ParsedPlan, number: int) -> ParsedTask:
    return task(plan, "key_task", str(number))


def leads(t: ParsedTask) -> list[tuple[str, str]]:
    return [(u.name, u.kind) for u in t.units if u.role == "lead"]


def groups(t: ParsedTask) -> list[str]:
    return [u.name for u in t.units if u.kind == "group"]


def indicator_rows(t: ParsedTask) -> list[tuple[str, str, Decimal, Decimal | None, str, str]]:
    return [
        (i.code, i.comparator, i.target_value, i.target_max, i.unit_label, i.name)
        for i in t.indicators
    ]


def only_work_point(text: str) -> ParsedTask:
    (point,) = [t for t in parse_notice(text).tasks if t.kind == "work_point"]
    return point


def notice(*items: str, heading: str = "河南省科协 2024 年工作要点") -> str:
    """A minimal header-less notice with the given numbered items."""
    return "\n\n".join([heading, *(f"{n}. {item}" for n, item in enumerate(items, 1))])


# --------------------------------------------------------------------------- the seed


class TestSeedPlan:
    def test_header_fields(self, plan: ParsedPlan) -> None:
        assert plan.year == 2024
        assert plan.doc_number == "豫科协办发〔2024〕9号"
        assert plan.issuer == "河南省科学技术协会办公室"
        assert plan.issuer_short == "河南省科协办公室"
        # Spaces that only come from the PDF layout are gone.
        assert plan.title == "关于印发河南省科协2024年重点工作和工作要点的通知"
        assert plan.issued_on is None  # the seed has no date line

    def test_addressees_expand_a_shared_ge(self, plan: ParsedPlan) -> None:
        assert plan.addressees == (
            "机关各部室",
            "各直属事业单位",
            "各省辖市和济源示范区科协",
            "各全省学会",
            "各协会",
            "各研究会",
            "各高校科协",
            "各企业科协",
            "各医疗卫生机构科协",
        )

    def test_warnings_name_what_needs_a_human(self, plan: ParsedPlan) -> None:
        title = "统筹抓好相关全省性文件贯彻落实"
        assert plan.warnings == (
            ParseWarning.of("no_issue_date"),
            ParseWarning.of("only_collective_units", task="WP17"),
            ParseWarning.of("no_matching_work_point", task="KT5", title=title),
        )
        wp17 = next(t for t in plan.tasks if t.code == "WP17")
        assert wp17.warnings == (ParseWarning.of("only_collective_units", task="WP17"),)

    def test_preamble_is_kept_with_its_page_break_repaired(self, plan: ParsedPlan) -> None:
        assert plan.preamble.startswith("2024年是中华人民共和国成立75周年")
        assert "思想政治引领实现新提升" in plan.preamble  # the text broke after 实现
        assert plan.preamble.endswith("着重从以下六个方面做好全省科协工作：")
        assert len(plan.preamble.split("\n")) == 4


class TestSeedTasks:
    def test_counts_and_numbers(self, plan: ParsedPlan) -> None:
        by_kind = {
            kind: [t.number for t in plan.tasks if t.kind == kind]
            for kind in ("section", "work_point", "key_task")
        }
        assert by_kind["section"] == ["一", "二", "三", "四", "五", "六"]
        assert by_kind["work_point"] == [str(n) for n in range(1, 20)]
        assert by_kind["key_task"] == [str(n) for n in range(1, 11)]
        assert len(plan.tasks) == 35

    def test_document_order_puts_parents_first(self, plan: ParsedPlan) -> None:
        codes = [t.code for t in plan.tasks]
        assert codes[:11] == [f"KT{n}" for n in range(1, 11)] + ["S1"]
        assert codes[11:15] == ["WP1", "WP2", "WP3", "S2"]
        assert len(set(codes)) == len(codes)

    def test_work_points_hang_under_their_section(self, plan: ParsedPlan) -> None:
        for point in (t for t in plan.tasks if t.kind == "work_point"):
            assert point.parent_number == SECTION_OF[point.number], point.code
        assert all(t.parent_number is None for t in plan.tasks if t.kind != "work_point")

    def test_titles(self, plan: ParsedPlan) -> None:
        assert wp(plan, 1).title == "加强思想政治引领"
        assert wp(plan, 5).title == "健全青年人才支持链条"  # "5.健全" without a space
        assert wp(plan, 16).title == "加强河南科技智库建设"
        assert wp(plan, 19).title == "筹备召开河南省科协第十次代表大会"
        assert kt(plan, 3).title == "持续深化“省会合作”"
        assert kt(plan, 10).title == "着力夯实党在科技界的执政基础"
        first, second = (task(plan, "section", n) for n in ("一", "二"))
        assert first.title == "坚持强化引领，大力弘扬新时代科学家精神，夯实党在科技界的执政基础"
        # Punctuation stays as printed (this heading uses half-width commas).
        assert second.title == "坚持人才为本,服务科技工作者成长成才,推动建设重要人才中心"

    def test_page_breaks_are_repaired(self, plan: ParsedPlan) -> None:
        assert "积极推荐我省优秀科技工作者" in wp(plan, 4).description
        assert "推动青少年科技创新赛事高质量发展" in wp(plan, 6).description
        assert "培育一批各具特色" in wp(plan, 8).description
        assert "引导科协组织创新资源下沉企业端、融入产业链。" in wp(plan, 9).description
        assert "以科普专项、重大活动为牵引" in wp(plan, 11).description
        assert "确保年内全面建成、全面开放，全年接待公众" in wp(plan, 13).description
        assert "等各项措施，常态化排查" in wp(plan, 17).description
        assert "省科协第九届委员会工作报告" in wp(plan, 19).description

    def test_descriptions_are_whole_and_clean(self, plan: ParsedPlan) -> None:
        for t in plan.tasks:
            assert t.description.startswith(t.title), t.code
            assert "\n" not in t.description, t.code  # every seed item is one paragraph
            assert "  " not in t.description
        assert "不少于200万人次" in wp(plan, 13).description  # "不少于 200 万人次" in the source
        assert wp(plan, 2).description.endswith("新时代优秀科技工作者先进事迹。")
        assert kt(plan, 1).description == "筹备召开河南省科协第十次代表大会。"

    def test_the_responsibility_clause_is_moved_out_of_the_description(
        self, plan: ParsedPlan
    ) -> None:
        items = [t for t in plan.tasks if t.kind in ("work_point", "key_task")]
        for t in items:
            assert "责任部门" not in t.description, t.code
            assert "责任部门" in t.responsibility_text, t.code
        assert wp(plan, 2).responsibility_text.startswith("(责任部门:调研宣传部、人才发展中心,")
        assert kt(plan, 6).responsibility_text == (
            "（责任部门：组织人事部、学会学术部、省科普中心，机关各部室、各直属事业单位，"
            "各全省学会，各省辖市和济源示范区科协，各高校科协、企业科协、医疗卫生机构科协）"
        )

    def test_every_task_is_due_at_year_end(self, plan: ParsedPlan) -> None:
        assert {t.due_on for t in plan.tasks} == {date(2024, 12, 31)}


class TestSeedResponsibilities:
    def test_named_units_lead_and_groups_participate(self, plan: ParsedPlan) -> None:
        first = kt(plan, 1)
        assert leads(first) == [("办公室", "department"), ("组织人事部", "department")]
        assert groups(first) == list(ALL_GROUPS)
        assert all(u.role == "participant" for u in first.units if u.kind == "group")

    def test_clause_broken_by_a_page(self, plan: ParsedPlan) -> None:
        sixth = kt(plan, 6)
        assert leads(sixth) == [
            ("组织人事部", "department"),
            ("学会学术部", "department"),
            ("省科普中心", "institution"),
        ]
        assert groups(sixth) == list(ALL_GROUPS)

    def test_half_width_clause(self, plan: ParsedPlan) -> None:
        second = wp(plan, 2)
        assert leads(second) == [("调研宣传部", "department"), ("人才发展中心", "institution")]
        assert groups(second) == [g for g in ALL_GROUPS if g != "各全省学会"]

    def test_kinds_of_named_units(self, plan: ParsedPlan) -> None:
        kinds = {u.name: u.kind for t in plan.tasks for u in t.units if u.role == "lead"}
        assert kinds == {
            "办公室": "department",
            "组织人事部": "department",
            "学会学术部": "department",
            "科学技术普及部": "department",
            "调研宣传部": "department",
            "机关党委": "department",
            "省科技馆": "institution",
            "人才发展中心": "institution",
            "省科普中心": "institution",
            "学会服务中心": "institution",
            "报刊编辑部": "institution",
        }

    def test_clause_with_only_groups(self, plan: ParsedPlan) -> None:
        seventeenth = wp(plan, 17)
        assert leads(seventeenth) == []
        assert groups(seventeenth) == list(ALL_GROUPS)

    def test_short_clauses(self, plan: ParsedPlan) -> None:
        assert [(u.name, u.role) for u in kt(plan, 2).units] == [
            ("省科技馆", "lead"),
            ("机关各部室", "participant"),
        ]
        assert [(u.name, u.role) for u in kt(plan, 7).units] == [
            ("学会学术部", "lead"),
            ("学会服务中心", "lead"),
            ("各全省学会", "participant"),
        ]

    def test_no_unit_twice_in_a_task(self, plan: ParsedPlan) -> None:
        for t in plan.tasks:
            names = [u.name for u in t.units]
            assert len(names) == len(set(names)), t.code


class TestSeedIndicators:
    EXPECTED: ClassVar[
        dict[str, list[tuple[object, ...]]]
    ] = {  # read off the notice: every quantitative target, nothing else
        "WP2": [("WP2-1", "between", Decimal(3), Decimal(5), "家", "全国科学家精神教育基地")],
        "WP5": [
            ("WP5-1", "gte", Decimal(50), None, "个", "青年人才托举工程项目"),
            ("WP5-2", "gte", Decimal(10), None, "个", "卓越工程师培育工程项目"),
        ],
        "WP9": [
            ("WP9-1", "gte", Decimal(34), None, "个", "一流学术平台建设计划项目"),
            ("WP9-2", "gte", Decimal(20), None, "期", "科创中原论坛"),
            ("WP9-3", "gte", Decimal(9), None, "场", "一市一品产业技术发展大会"),
        ],
        "WP12": [
            ("WP12-1", "gte", Decimal(20), None, "个", "科技资源科普化项目"),
            ("WP12-2", "gte", Decimal(200), None, "个", "实验室、研究中心、科研基地"),
            ("WP12-3", "gte", Decimal(200), None, "场", "银龄跨越数字鸿沟科普专项行动活动"),
        ],
        "WP13": [("WP13-1", "gte", Decimal(200), None, "万人次", "接待公众")],
        "WP16": [
            ("WP16-1", "gte", Decimal(10), None, "场", "高端智库论坛"),
            ("WP16-2", "gte", Decimal(20), None, "名", "新增智库专家"),
        ],
        "WP17": [
            ("WP17-1", "lte", Decimal(0), None, "起", "上访"),
            ("WP17-2", "lte", Decimal(0), None, "起", "事故"),
            ("WP17-3", "lte", Decimal(0), None, "起", "案件"),
        ],
    }

    def test_all_indicators_of_the_seed(self, plan: ParsedPlan) -> None:
        found = {t.code: indicator_rows(t) for t in plan.tasks if t.indicators}
        assert found == self.EXPECTED

    def test_no_indicator_from_years_ordinals_codes_or_slogans(self, plan: ParsedPlan) -> None:
        # WP19 (第十次, 二十大, 第九届), WP17 (一报一刊, 五大行动), WP15 (一批), WP8 (三大, 三级),
        # WP3 (2024年), WP4 (十条): none of these is a target, nor is any key task.
        for code in ("WP19", "WP15", "WP8", "WP3", "WP4", "WP10", "WP18"):
            assert next(t for t in plan.tasks if t.code == code).indicators == ()
        assert all(t.indicators == () for t in plan.tasks if t.kind in ("key_task", "section"))

    def test_source_text_is_the_clause(self, plan: ParsedPlan) -> None:
        (visitors,) = wp(plan, 13).indicators
        assert visitors.source_text == "全年接待公众不少于200万人次"
        assert wp(plan, 2).indicators[0].source_text == "力争新增3-5家全国科学家精神教育基地"
        assert {i.source_text for i in wp(plan, 17).indicators} == {
            "实现“零上访、零事故、零案件”目标"
        }
        labs = wp(plan, 12).indicators[1]
        assert labs.source_text.startswith("动员不少于200个实验室、研究中心、科研基地等")


class TestSeedMilestones:
    def test_within_the_year(self, plan: ParsedPlan) -> None:
        (opening,) = wp(plan, 13).milestones
        assert opening.due_on == date(2024, 12, 31)
        assert opening.title == "全面建成、全面开放"
        assert opening.source_text == "确保年内全面建成、全面开放"

    def test_no_other_time_phrases(self, plan: ParsedPlan) -> None:
        assert [t.code for t in plan.tasks if t.milestones] == ["WP13"]


class TestSeedLinks:
    # Key task -> the work point it restates, by reading both lists.
    EXPECTED: ClassVar[dict[str, str]] = {
        "1": "19",  # 筹备召开第十次代表大会 (same title)
        "2": "13",  # 全面建成省科技馆新馆 (same title)
        "3": "7",  # 持续深化“省会合作” (same title)
        "4": "15",  # 落实落细“省院合作” opens WP15
        "6": "5",  # 科技人才成长支持链条 ~ 青年人才支持链条
        "7": "18",  # 一流学会建设 is WP18's 实施一流学会建设计划
        "8": "12",  # 巩固拓展科普助力双减“微改革”成果 opens WP12
        "9": "16",  # 科技智库建设 (section 五; WP16 shares its lead units)
        "10": "1",  # 执政基础 restates section 一; WP1 is its party-building point
    }

    def test_key_tasks_link_to_the_work_point_they_restate(self, plan: ParsedPlan) -> None:
        found = {t.number: t.related for t in plan.tasks if t.kind == "key_task"}
        assert found == {
            number: ((self.EXPECTED[number],) if number in self.EXPECTED else ())
            for number in found
        }
        assert kt(plan, 5).related == ()  # 全省性文件贯彻落实 has no single counterpart

    def test_links_go_both_ways(self, plan: ParsedPlan) -> None:
        back = {t.number: t.related for t in plan.tasks if t.kind == "work_point" and t.related}
        assert back == {point: (key,) for key, point in self.EXPECTED.items()}
        assert wp(plan, 19).related_codes == ("KT1",)
        assert kt(plan, 1).related_codes == ("WP19",)

    def test_sections_are_never_linked(self, plan: ParsedPlan) -> None:
        assert all(t.related == () for t in plan.tasks if t.kind == "section")

    def test_link_related_is_idempotent(self, plan: ParsedPlan) -> None:
        assert link_related(plan.tasks) == plan.tasks
        unlinked = tuple(replace(t, related=(), related_codes=()) for t in plan.tasks)
        assert link_related(unlinked) == plan.tasks


class TestSeedInputVariants:
    def test_crlf_bom_and_nul_give_the_same_tasks(self, plan: ParsedPlan) -> None:
        windows = "\ufeff" + SEED.replace("\n", "\r\n")
        assert parse_notice(windows).tasks == plan.tasks
        damaged = parse_notice(SEED.replace("科技智库", "科技\x00智库"))
        assert damaged.tasks == plan.tasks
        assert ParseWarning.of("nul_removed", count=SEED.count("科技智库")) in damaged.warnings

    def test_control_characters_are_dropped_with_a_warning(self, plan: ParsedPlan) -> None:
        parsed = parse_notice(SEED.replace("科协", "科\x07协", 3).replace("\n\n", "\n\f\n", 5))
        assert parsed.tasks == plan.tasks
        assert ParseWarning.of("control_removed", count=3) in parsed.warnings

    def test_full_width_numbers_and_punctuation(self, plan: ParsedPlan) -> None:
        wide = SEED.replace("16. 加强河南科技智库建设", "１６．加强河南科技智库建设").replace(
            "举办10场以上", "举办１０场以上"
        )

        def unprinted(tasks: tuple[ParsedTask, ...]) -> list[ParsedTask]:
            return [replace(t, source_text="") for t in tasks]  # the source keeps "１６．"

        assert unprinted(parse_notice(wide).tasks) == unprinted(plan.tasks)

    def test_trailing_footer_is_not_part_of_the_last_item(self, plan: ParsedPlan) -> None:
        footer = "\n\n— 12 —\n\n河南省科协办公室\n\n2024年3月1日印发\n"
        parsed = parse_notice(SEED + footer)
        assert parsed.tasks == plan.tasks
        assert parsed.issued_on == date(2024, 3, 1)
        assert "footer_skipped" in codes(parsed)

    def test_page_numbers_between_pages_are_dropped(self, plan: ParsedPlan) -> None:
        paged = SEED.replace("积极推\n\n荐我省", "积极推\n\n- 3 -\n\n荐我省")
        assert parse_notice(paged).tasks == plan.tasks


# --------------------------------------------------------------------------- variants


class TestHalfWidthNotice:
    TEXT = (
        "XX省科协办公室文件\n"
        "X科协办发[2024]3号\n"
        "关于印发XX省科协2024年工作要点的通知\n"
        "各部门:\n"
        "XX省科协2024年工作要点\n"
        "一、加强组织建设\n"
        "1.完善制度建设.举办不少于5场培训,新建3~5个服务站,实现零事故目标."
        "(责任部门:办公室,组织人事部,各市科协)\n"
        "2.建设科普阵地.建成10个以上科普基地.(责任部门:科学技术普及部)\n"
    )

    def test_everything_is_understood(self) -> None:
        plan = parse_notice(self.TEXT)
        assert plan.doc_number == "X科协办发〔2024〕3号"
        assert plan.issuer == "XX省科协办公室"
        assert plan.addressees == ("各部门",)
        first, second = (t for t in plan.tasks if t.kind == "work_point")
        assert first.title == "完善制度建设"
        assert first.parent_number == "一"
        assert [(u.name, u.kind, u.role) for u in first.units] == [
            ("办公室", "department", "lead"),
            ("组织人事部", "department", "lead"),
            ("各市科协", "group", "participant"),
        ]
        assert indicator_rows(first) == [
            ("WP1-1", "gte", Decimal(5), None, "场", "培训"),
            ("WP1-2", "between", Decimal(3), Decimal(5), "个", "服务站"),
            ("WP1-3", "lte", Decimal(0), None, "起", "事故"),
        ]
        assert indicator_rows(second) == [("WP2-1", "gte", Decimal(10), None, "个", "科普基地")]


class TestLeadAndSupportClauses:
    def test_qiantou_bumen(self) -> None:
        point = only_work_point(notice("开展调研。（牵头部门：调研宣传部、省科技馆）"))
        assert [(u.name, u.kind, u.role) for u in point.units] == [
            ("调研宣传部", "department", "lead"),
            ("省科技馆", "institution", "lead"),
        ]
        assert point.description == "开展调研。"

    def test_qiantou_and_peihe_danwei(self) -> None:
        text = notice(
            "办好科普日。（牵头单位：科学技术普及部、省科普中心；"
            "配合单位：河南省物理学会、郑州市科协，各高校科协、企业科协）"
        )
        point = only_work_point(text)
        assert [(u.name, u.kind, u.role) for u in point.units] == [
            ("科学技术普及部", "department", "lead"),
            ("省科普中心", "institution", "lead"),
            ("河南省物理学会", "society", "participant"),
            ("郑州市科协", "city", "participant"),
            ("各高校科协", "group", "participant"),
            ("各企业科协", "group", "participant"),
        ]

    def test_half_width_semicolon_and_bare_clause_line(self) -> None:
        text = notice("办好年会。\n牵头单位:学会服务中心;配合单位:机关各部室")
        point = only_work_point(text)
        assert [(u.name, u.role) for u in point.units] == [
            ("学会服务中心", "lead"),
            ("机关各部室", "participant"),
        ]
        assert point.description == "办好年会。"

    def test_a_unit_named_twice_is_kept_once_as_lead(self) -> None:
        point = only_work_point(notice("办会。（责任部门：办公室、办公室；配合部门：办公室）"))
        assert [(u.name, u.role) for u in point.units] == [("办公室", "lead")]

    def test_other_unit_kinds(self) -> None:
        point = only_work_point(
            notice(
                "合作。（责任部门：郑州大学、河南工业大学科协、黄河科技学院、河南省科学院、"
                "中原银行股份有限公司、宇通集团科协、河南日报社、专家委员会X）"
            )
        )
        assert [(u.name, u.kind) for u in point.units] == [
            ("郑州大学", "university"),
            ("河南工业大学科协", "university"),
            ("黄河科技学院", "university"),
            ("河南省科学院", "institution"),
            ("中原银行股份有限公司", "enterprise"),
            ("宇通集团科协", "enterprise"),
            ("河南日报社", "institution"),
            ("专家委员会X", "other"),
        ]

    def test_missing_clause_is_a_warning(self) -> None:
        plan = parse_notice(notice("开展调研。"))
        assert plan.tasks[0].units == ()
        assert ParseWarning.of("no_responsibility_clause", task="WP1") in plan.warnings


class TestSubSections:
    TEXT = """河南省科协 2024 年工作要点
一、坚持党建引领
（一）加强政治建设
1. 深化理论学习。（责任部门：机关党委）
2. 强化党建品牌。（责任部门：机关党委）
（二）加强作风建设
3. 开展作风整治，6月底前完成专项检查。（责任部门：办公室）
二、服务科技工作者
4. 举办学术活动。（责任部门：学会学术部）
"""

    def test_subsections_are_subtasks_and_items_keep_the_section_parent(self) -> None:
        plan = parse_notice(self.TEXT)
        rows = [(t.kind, t.number, t.parent_number, t.subsection, t.code) for t in plan.tasks]
        assert rows == [
            ("section", "一", None, None, "S1"),
            ("subtask", "一", "一", None, "S1.1"),
            ("work_point", "1", "一", "一", "WP1"),
            ("work_point", "2", "一", "一", "WP2"),
            ("subtask", "二", "一", None, "S1.2"),
            ("work_point", "3", "一", "二", "WP3"),
            ("section", "二", None, None, "S2"),
            ("work_point", "4", "二", None, "WP4"),
        ]
        assert plan.tasks[1].title == "加强政治建设"
        assert plan.tasks[5].due_on == date(2024, 6, 30)

    def test_numbering_restarting_in_each_section_gets_unique_codes(self) -> None:
        text = """2024年工作要点
一、组织建设
1. 甲项工作。（责任部门：办公室）
2. 乙项工作。（责任部门：办公室）
二、学术交流
1. 丙项工作。（责任部门：学会学术部）
"""
        plan = parse_notice(text)
        points = [(t.number, t.parent_number, t.code) for t in plan.tasks if t.kind == "work_point"]
        assert points == [("1", "一", "WP1.1"), ("2", "一", "WP1.2"), ("1", "二", "WP2.1")]


class TestMissingHeader:
    def test_title_comes_from_the_first_heading(self) -> None:
        plan = parse_notice(notice("开展调研。（责任部门：办公室）"))
        assert plan.title == "河南省科协2024年工作要点"
        assert plan.year == 2024
        assert plan.doc_number is None
        assert plan.issuer is None
        assert plan.addressees == ()
        assert "no_header" in codes(plan)

    def test_seed_without_its_header(self) -> None:
        body = SEED[SEED.index("河南省科协 2024 年重点工作\n") :]
        plan = parse_notice(body)
        assert plan.title == "河南省科协2024年重点工作"
        assert plan.doc_number is None
        assert len([t for t in plan.tasks if t.kind == "work_point"]) == 19
        assert "no_header" in codes(plan)

    def test_year_from_the_document_number_when_nothing_else_has_one(self) -> None:
        plan = parse_notice("豫科协发〔2023〕1号\n\n工作要点\n\n1. 开展调研。（责任部门：办公室）")
        assert plan.year == 2023
        assert ParseWarning.of("year_from_doc_number", year=2023) in plan.warnings


class TestHeaderVariants:
    def test_title_wrapped_over_two_lines(self) -> None:
        text = (
            "豫科协发〔2024〕2号\n"
            "关于印发河南省科协2024年\n"
            "工作要点的通知\n"
            "各省辖市科协：\n"
            "河南省科协2024年工作要点\n"
            "1. 开展调研。（责任部门：办公室）\n"
        )
        plan = parse_notice(text)
        assert plan.title == "关于印发河南省科协2024年工作要点的通知"
        assert plan.addressees == ("各省辖市科协",)
        assert plan.issuer is None

    def test_issue_date_and_signature_from_the_footer(self) -> None:
        text = notice("开展调研。（责任部门：办公室）") + (
            "\n\n河南省科学技术协会\n\n二〇二四年三月五日\n\n（此件主动公开）\n"
        )
        plan = parse_notice(text)
        assert plan.issued_on == date(2024, 3, 5)
        assert plan.issuer == "河南省科学技术协会"
        assert plan.tasks[0].description == "开展调研。"
        assert ParseWarning.of("footer_skipped", count=3) in plan.warnings

    def test_chinese_numeral_year_in_a_heading(self) -> None:
        plan = parse_notice("二〇二四年工作要点\n\n1. 开展调研。（责任部门：办公室）")
        assert plan.year == 2024


class TestOnlyWorkPoints:
    def test_no_key_tasks_and_nothing_to_link(self) -> None:
        body = SEED[SEED.index("河南省科协 2024 年工作要点\n") :]
        plan = parse_notice(body)
        assert {t.kind for t in plan.tasks} == {"section", "work_point"}
        assert all(t.related == () for t in plan.tasks)
        assert "no_matching_work_point" not in codes(plan)

    def test_items_before_any_heading_are_work_points(self) -> None:
        plan = parse_notice(
            "关于2024年工作的通知\n1. 开展调研。（责任部门：办公室）\n2. 办好年会。"
        )
        assert [t.kind for t in plan.tasks] == ["work_point", "work_point"]

    def test_a_key_work_notice_without_part_heading(self) -> None:
        text = "关于印发2024年重点工作的通知\n\n1. 建成新馆。（责任部门：省科技馆）"
        assert [t.kind for t in parse_notice(text).tasks] == ["key_task"]


class TestIndicatorPatterns:
    @pytest.mark.parametrize(
        ("clause", "expected"),
        [
            ("举办不少于 200 场讲座", ("gte", 200, None, "场", "讲座")),
            ("培训人员至少300人次", ("gte", 300, None, "人次", "培训人员")),
            ("举办50场以上沙龙", ("gte", 50, None, "场", "沙龙")),
            ("力争新增3-5家基地", ("between", 3, 5, "家", "基地")),
            ("建设3～5个站点", ("between", 3, 5, "个", "站点")),
            ("建设3至5个站点", ("between", 3, 5, "个", "站点")),
            ("实施好50个青年人才托举工程项目", ("gte", 50, None, "个", "青年人才托举工程项目")),
            ("覆盖人群达到1.5万人", ("gte", Decimal("1.5"), None, "万人", "覆盖人群")),
            ("会议数量控制在5个以内", ("lte", 5, None, "个", "会议")),
            ("检查项目不超过3项", ("lte", 3, None, "项", "检查项目")),
            ("开展不少于十场报告会", ("gte", 10, None, "场", "报告会")),
            ("全省科普率达到80%", ("gte", 80, None, "%", "全省科普率")),
        ],
    )
    def test_pattern(self, clause: str, expected: tuple[object, ...]) -> None:
        (found,) = only_work_point(notice(f"开展工作。{clause}。（责任部门：办公室）")).indicators
        comparator, value, maximum, label, name = expected
        assert (found.comparator, found.target_value, found.target_max) == (
            comparator,
            Decimal(str(value)),
            None if maximum is None else Decimal(str(maximum)),
        )
        assert (found.unit_label, found.name) == (label, name)

    @pytest.mark.parametrize(
        "text",
        [
            "2024年是关键一年，2024 年也是奋进之年",
            "学习贯彻党的二十大精神，筹备第十次代表大会，落实十届八次全委会精神",
            "庆祝成立75周年，持续推进“5610”总体安排，实现“十四五”规划目标",
            "发挥好第一批产业顾问组作用，组建第2批顾问组",
            "明确三大主攻方向，履行“四服务”职责，向着“两个确保”目标前进",
            "推进“一报一刊”改革，开展银龄五大行动，培育一批试点城市",
            "9月底前完成验收，用3个月时间开展整治，联合5部门发文",
            "提供零距离服务，建设零碳园区，对腐败零容忍",
            "打造科普中原百家谈，走进千家万户",
            "坚定拥护“两个确立”，增强“四个意识”，做到两个维护",
        ],
    )
    def test_not_a_target(self, text: str) -> None:
        point = only_work_point(notice(f"开展工作。{text}。（责任部门：办公室）"))
        assert point.indicators == ()

    def test_zero_inside_a_chinese_number_is_part_of_it(self) -> None:
        point = only_work_point(notice("新建一百零五个项目。（责任部门：办公室）"))
        assert [(i.comparator, i.target_value, i.unit_label) for i in point.indicators] == [
            ("gte", Decimal(105), "个")
        ]

    def test_zero_tolerance_list(self) -> None:
        point = only_work_point(notice("确保安全。实现零上访、零事故、零案件目标。"))
        assert [(i.name, i.comparator, i.target_value, i.unit_label) for i in point.indicators] == [
            ("上访", "lte", Decimal(0), "起"),
            ("事故", "lte", Decimal(0), "起"),
            ("案件", "lte", Decimal(0), "起"),
        ]

    def test_codes_are_task_code_and_ordinal(self) -> None:
        point = only_work_point(notice("办会。举办5场论坛，举办6场沙龙。（责任部门：办公室）"))
        assert [i.code for i in point.indicators] == ["WP1-1", "WP1-2"]


class TestMilestonePatterns:
    @pytest.mark.parametrize(
        ("clause", "due", "title"),
        [
            ("年内全面建成", date(2024, 12, 31), "全面建成"),
            ("上半年完成评审", date(2024, 6, 30), "完成评审"),
            ("下半年开展评估", date(2024, 12, 31), "开展评估"),
            ("一季度启动申报", date(2024, 3, 31), "启动申报"),
            ("第二季度完成遴选", date(2024, 6, 30), "完成遴选"),
            ("三季度末前完成中期检查", date(2024, 9, 30), "完成中期检查"),
            ("9月底前完成验收", date(2024, 9, 30), "完成验收"),
            ("2月底前报送方案", date(2024, 2, 29), "报送方案"),
            ("6月前出台办法", date(2024, 6, 30), "出台办法"),
            ("十一月底前完成换届", date(2024, 11, 30), "完成换届"),
            ("5月20日前提交材料", date(2024, 5, 20), "提交材料"),
            ("年底前全面完成", date(2024, 12, 31), "全面完成"),
            ("2025年3月底前完成结项", date(2025, 3, 31), "完成结项"),
        ],
    )
    def test_pattern(self, clause: str, due: date, title: str) -> None:
        point = only_work_point(notice(f"开展工作。确保{clause}。（责任部门：办公室）"))
        (milestone,) = point.milestones
        assert (milestone.due_on, milestone.title) == (due, title)
        assert point.due_on == due

    def test_due_on_is_the_latest_milestone(self) -> None:
        point = only_work_point(notice("工作。3月底前启动，9月底前完成。（责任部门：办公室）"))
        assert [m.due_on for m in point.milestones] == [date(2024, 3, 31), date(2024, 9, 30)]
        assert point.due_on == date(2024, 9, 30)

    @pytest.mark.parametrize("text", ["三年内完成", "全年接待公众", "每月通报一次", "13月底前完成"])
    def test_not_a_milestone(self, text: str) -> None:
        point = only_work_point(notice(f"开展工作。{text}。（责任部门：办公室）"))
        assert point.milestones == ()
        assert point.due_on == date(2024, 12, 31)


class TestStructureEdgeCases:
    def test_out_of_sequence_number_stays_text(self) -> None:
        text = notice("开展工作。\n\n1. 此行是正文中的引用。", "办好年会。")
        plan = parse_notice(text)
        assert [t.number for t in plan.tasks] == ["1", "2"]
        assert "此行是正文中的引用" in plan.tasks[0].description
        assert (
            ParseWarning.of(
                "line_out_of_sequence_kept", line="1. 此行是正文中的引用。", value=1, item="1"
            )
            in plan.warnings
        )

    def test_decimal_at_line_start_is_not_an_item(self) -> None:
        text = notice("全年接待公众不少于\n\n1.5万人次。（责任部门：省科技馆）")
        (point,) = parse_notice(text).tasks
        assert point.indicators[0].target_value == Decimal("1.5")

    def test_attachment_list_in_the_header_is_not_items(self) -> None:
        text = (
            "关于印发2024年重点工作和工作要点的通知\n各部门：\n现印发。\n"
            "附件：1. 2024年重点工作\n2. 2024年工作要点\n\n"
            "2024年工作要点\n1. 开展调研。（责任部门：办公室）\n"
        )
        plan = parse_notice(text)
        assert [(t.kind, t.title) for t in plan.tasks] == [("work_point", "开展调研")]

    def test_paragraph_breaks_inside_an_item_are_kept(self) -> None:
        point = only_work_point(notice("开展调研。\n\n形成报告。（责任部门：办公室）"))
        assert point.description == "开展调研。\n形成报告。"


class TestErrors:
    @pytest.mark.parametrize("text", ["", "   \n\n", "只是一段话，没有编号。"])
    def test_no_items(self, text: str) -> None:
        with pytest.raises(NoticeParseError) as caught:
            parse_notice(text)
        assert "no numbered items found" in caught.value.problems

    def test_no_year(self) -> None:
        with pytest.raises(NoticeParseError) as caught:
            parse_notice("工作要点\n\n1. 开展调研。（责任部门：办公室）")
        assert caught.value.problems == ["no plan year found (pass `year` to give it)"]

    def test_too_long(self) -> None:
        with pytest.raises(NoticeParseError) as caught:
            parse_notice("1" * (MAX_INPUT_CHARS + 1))
        assert "longer than" in caught.value.problems[0]

    def test_too_many_items(self) -> None:
        items = "\n".join(f"{n}. 工作。" for n in range(1, 1000))
        with pytest.raises(NoticeParseError) as caught:
            parse_notice("2024年工作要点\n" + items + "\n2024年重点工作\n" + items)
        assert "more than" in caught.value.problems[0]

    def test_not_text(self) -> None:
        with pytest.raises(NoticeParseError):
            parse_notice(b"1. bytes")  # type: ignore[arg-type]

    def test_is_a_value_error_with_a_readable_message(self) -> None:
        with pytest.raises(ValueError, match="no numbered items found; no plan year found"):
            parse_notice("nothing here")
