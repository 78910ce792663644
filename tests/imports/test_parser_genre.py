"""What "Any work-plan notice imports" asks of the parser, on small notices written by hand.

Each notice below imitates a genre seen in county, city and provincial work plans (role lines,
task-division tables, 各-lists, 左右 targets, other numbering styles). Expected values are read
off the notice text and the rules of the issue, never copied from the parser's output.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.imports.document import Document, Table
from app.imports.parser import (
    NoticeParseError,
    ParsedPlan,
    ParsedTask,
    ParseWarning,
    parse_document,
    parse_notice,
)

HEADING = "某区2024年工作要点"
ITEM_KINDS = ("work_point", "key_task")


def notice(*texts: str, heading: str = HEADING) -> str:
    """A minimal header-less notice with the given texts as numbered items."""
    return "\n\n".join([heading, *(f"{n}. {text}" for n, text in enumerate(texts, 1))])


def items(plan: ParsedPlan) -> list[ParsedTask]:
    return [t for t in plan.tasks if t.kind in ITEM_KINDS]


def only_work_point(text: str) -> ParsedTask:
    (point,) = items(parse_notice(text))
    return point


def roles(t: ParsedTask) -> list[tuple[str, str]]:
    return [(u.name, u.role) for u in t.units]


def names(t: ParsedTask) -> list[str]:
    return [u.name.translate(str.maketrans("（）", "()")) for u in t.units]


def targets(clause: str) -> list[tuple[str, Decimal, Decimal | None, str]]:
    point = only_work_point(notice(f"推进重点工作。{clause}。（责任单位：区发改局）"))
    return [(i.comparator, i.target_value, i.target_max, i.unit_label) for i in point.indicators]


# --------------------------------------------------------------------------- 1. year


class TestPlanYear:
    def test_from_the_issue_date_when_nothing_else_has_one(self) -> None:
        text = (
            "关于印发重点工作任务的通知\n"
            "各街道、区直各部门：\n"
            "一、推进项目建设\n"
            "1. 推进重点项目开工。（责任单位：区发改局）\n"
            "\n"
            "区人民政府办公室\n"
            "2023年3月28日\n"
        )
        plan = parse_notice(text)
        assert plan.year == 2023
        assert plan.issued_on == date(2023, 3, 28)
        assert ParseWarning.of("year_from_issue_date", year=2023) in plan.warnings
        assert items(plan)[0].due_on == date(2023, 12, 31)

    @pytest.mark.parametrize(
        "text",
        [
            "工作要点\n\n1. 自2012年起5年内完成全部老旧管网改造。（责任单位：区住建局）",
            "工作要点\n\n1.2012年起5年内完成全部老旧管网改造。（责任单位：区住建局）",
            "工作要点\n\n本方案自2012年起5年内实施。\n\n1. 改造管网。（责任单位：区住建局）",
        ],
    )
    def test_from_the_body_when_only_the_body_has_one(self, text: str) -> None:
        assert parse_notice(text).year == 2012

    def test_the_year_argument_overrides_everything(self) -> None:
        text = (
            "豫科协发〔2023〕1号\n\n河南省科协 2024 年工作要点\n\n"
            "1. 开展调研。（责任部门：办公室）\n\n河南省科协\n\n2022年1月5日\n"
        )
        plan = parse_notice(text, year=2025)
        assert plan.year == 2025
        assert items(plan)[0].due_on == date(2025, 12, 31)

    def test_no_year_anywhere_is_an_error_about_the_year(self) -> None:
        text = "关于印发重点工作的通知\n各单位：\n1. 开展调研，3月底前完成。（责任单位：办公室）"
        with pytest.raises(NoticeParseError, match="year"):
            parse_notice(text)


# --------------------------------------------------------------------------- 2. item numbers


class TestItemNumberFollowedByDigits:
    def test_item_eleven_whose_text_starts_with_a_number(self) -> None:
        lines = [
            HEADING,
            *(f"{n}.开展第{n}项专项工作。（责任单位：区人社局）" for n in range(1, 11)),
        ]
        lines.append("11.121人才梯队项目完成首批遴选。（责任单位：区人社局）")
        found = items(parse_notice("\n".join(lines)))
        assert [t.number for t in found] == [str(n) for n in range(1, 12)]
        assert found[10].description.startswith("121人才梯队项目")
        assert "121" not in found[9].description

    def test_a_decimal_at_a_line_start_inside_item_one_is_text(self) -> None:
        text = notice("全年培训基层干部\n1.5万人次。（责任单位：区委组织部）", "办好干部学院。")
        found = items(parse_notice(text))
        assert [t.number for t in found] == ["1", "2"]
        assert "1.5万人次" in found[0].description
        assert [(i.target_value, i.unit_label) for i in found[0].indicators] == [
            (Decimal("1.5"), "万人次")
        ]


# --------------------------------------------------------------------------- 3. 左右 / 约


class TestApproximateTargets:
    def test_zuoyou_after_a_percentage(self) -> None:
        point = only_work_point(
            notice("稳定经济增长。地区生产总值增长6.2%左右。（责任单位：区发改局）")
        )
        (growth,) = point.indicators
        assert (growth.comparator, growth.target_value, growth.unit_label) == (
            "about",
            Decimal("6.2"),
            "%",
        )
        assert not growth.name.startswith("左右")
        assert "地区生产总值" in growth.name

    def test_zuoyou_after_a_wan_measure(self) -> None:
        assert targets("引进1万名左右具有博士学位的人才") == [("about", Decimal(1), None, "万名")]

    def test_yue_before_a_count(self) -> None:
        assert targets("全年举办各类活动约200场") == [("about", Decimal(200), None, "场")]

    @pytest.mark.parametrize(
        ("clause", "expected"),
        [
            ("节约资金10%", ("gte", Decimal(10), None, "%")),
            ("全年节约200万元", ("gte", Decimal(200), None, "万元")),
        ],
    )
    def test_jieyue_is_not_about(
        self, clause: str, expected: tuple[str, Decimal, None, str]
    ) -> None:
        assert targets(clause) == [expected]


# --------------------------------------------------------------------------- 4. role lines


class TestRoleLines:
    def test_lead_and_responsible_lines(self) -> None:
        plan = parse_notice(
            notice(
                "推进重点项目建设。\n牵头单位：区发改局\n责任单位：立山经济开发区，各街道",
                "优化营商环境。\n牵头单位：区营商局",
            )
        )
        point, following = items(plan)
        assert roles(following) == [("区营商局", "lead")]
        assert roles(point) == [
            ("区发改局", "lead"),
            ("立山经济开发区", "participant"),
            ("各街道", "participant"),
        ]
        assert point.description == "推进重点项目建设。"

    @pytest.mark.parametrize("label", ["配合单位", "协办单位", "参与单位"])
    def test_supporting_lines_are_participants(self, label: str) -> None:
        point = only_work_point(notice(f"推进项目建设。\n牵头单位：区发改局\n{label}：区财政局"))
        assert roles(point) == [("区发改局", "lead"), ("区财政局", "participant")]

    def test_responsible_line_without_any_lead_leads(self) -> None:
        point = only_work_point(notice("推进项目建设。\n责任单位：区发改局、区财政局"))
        assert roles(point) == [("区发改局", "lead"), ("区财政局", "lead")]


# --------------------------------------------------------------------------- 5. 各-lists


class TestGeLists:
    @pytest.mark.parametrize(
        ("listed", "expected"),
        [
            ("各街道、区直各部门", ["各街道", "区直各部门"]),
            ("各有关区、县级市", ["各有关区", "各有关县级市"]),
            ("各高校科协、企业科协", ["各高校科协", "各企业科协"]),
            ("各县（市、区）政府、市发改委", ["各县(市、区)政府", "市发改委"]),
        ],
    )
    def test_names(self, listed: str, expected: list[str]) -> None:
        point = only_work_point(notice(f"抓好贯彻落实。（责任单位：{listed}）"))
        assert names(point) == expected


# --------------------------------------------------------------------------- 6. tables

TABLE_HEADER = ("序号", "重点任务", "牵头单位", "责任单位", "完成时限")
TABLE_ROWS = (
    ("3", "推进老旧小区改造。", "区住建局", "各街道、区财政局", "2024年6月底前"),
    ("4", "建设城市口袋公园。", "区城管局", "区自然资源局", "2024年9月底前"),
    ("5", "完善养老服务体系。", "区民政局", "区卫健局", "2024年12月底前"),
)
# Read off TABLE_ROWS: number, task text, units with roles, due date.
TABLE_EXPECTED = [
    (
        "3",
        "推进老旧小区改造。",
        [("区住建局", "lead"), ("各街道", "participant"), ("区财政局", "participant")],
        date(2024, 6, 30),
    ),
    (
        "4",
        "建设城市口袋公园。",
        [("区城管局", "lead"), ("区自然资源局", "participant")],
        date(2024, 9, 30),
    ),
    (
        "5",
        "完善养老服务体系。",
        [("区民政局", "lead"), ("区卫健局", "participant")],
        date(2024, 12, 31),
    ),
]


def table_rows(plan: ParsedPlan) -> list[tuple[str, str, list[tuple[str, str]], date | None]]:
    return [(t.number, t.description, roles(t), t.due_on) for t in items(plan)]


class TestTables:
    def test_division_table_numbered_from_three(self) -> None:
        document = Document((HEADING, Table((TABLE_HEADER, *TABLE_ROWS))), source_format="docx")
        assert table_rows(parse_document(document)) == TABLE_EXPECTED

    def test_header_with_synonyms(self) -> None:
        table = Table(
            (
                ("工作内容", "牵头部门", "配合单位", "时间节点"),
                ("开展安全生产大检查。", "区应急局", "区住建局、区市场监管局", "2024年3月底前"),
                ("推进河道综合治理。", "区水务局", "区生态环境分局", "2024年10月底前"),
            )
        )
        found = items(parse_document(Document((HEADING, table))))
        assert [(t.description, roles(t), t.due_on) for t in found] == [
            (
                "开展安全生产大检查。",
                [
                    ("区应急局", "lead"),
                    ("区住建局", "participant"),
                    ("区市场监管局", "participant"),
                ],
                date(2024, 3, 31),
            ),
            (
                "推进河道综合治理。",
                [("区水务局", "lead"), ("区生态环境分局", "participant")],
                date(2024, 10, 31),
            ),
        ]

    def test_table_flattened_into_tab_separated_lines(self) -> None:
        lines = ["\t".join(row) for row in (TABLE_HEADER, *TABLE_ROWS)]
        assert table_rows(parse_notice("\n".join([HEADING, *lines]))) == TABLE_EXPECTED

    def test_table_split_over_two_blocks_reads_as_one(self) -> None:
        first = Table((TABLE_HEADER, *TABLE_ROWS[:2]))
        second = Table(TABLE_ROWS[2:])  # the next page repeats no header
        document = Document((HEADING, first, second), source_format="docx")
        assert table_rows(parse_document(document)) == TABLE_EXPECTED

    def test_merged_heading_row_is_a_section(self) -> None:
        table = Table(
            (
                TABLE_HEADER,
                ("一、产业发展",) * len(TABLE_HEADER),
                ("1", "培育先进制造业集群。", "区工信局", "区科技局", "2024年12月底前"),
                ("2", "招引优质项目落地。", "区商务局", "各街道", "2024年12月底前"),
            )
        )
        plan = parse_document(Document((HEADING, table)))
        (section,) = [t for t in plan.tasks if t.kind == "section"]
        assert (section.number, section.title) == ("一", "产业发展")
        assert [(t.number, t.parent_number) for t in items(plan)] == [("1", "一"), ("2", "一")]
        assert all(t.parent_code == section.code for t in items(plan))

    def test_outline_numbers_inside_the_cells(self) -> None:
        merged = ("(一)全面实施清单管理。", "1.编制并公布行政许可事项清单。")
        table = Table(
            (
                ("序号", "部署任务", "落实措施", "牵头单位", "责任单位", "完成时限"),
                ("一、全链条优化审批",) * 6,
                (*merged, "(1)编制市级清单。", "市行政审批局", "各区县政府", "2022年8月底"),
                (*merged, "(2)编制区县级清单。", "市行政审批局", "市司法局", "2022年9月底"),
            )
        )  # fmt: skip
        plan = parse_document(Document(("某市2022年工作要点分工方案", table)))
        outline = [(t.kind, t.number, t.parent_code, t.code) for t in plan.tasks]
        assert outline == [
            ("section", "一", None, "S1"),
            ("subtask", "一", "S1", "S1.1"),
            ("work_point", "1", "S1.1", "WP1"),
            ("subtask", "1", "WP1", "WP1.1"),
            ("subtask", "2", "WP1", "WP1.2"),
        ]
        first, second = plan.tasks[3], plan.tasks[4]
        assert first.title == "编制市级清单"
        assert roles(first) == [("市行政审批局", "lead"), ("各区县政府", "participant")]
        assert (first.due_on, second.due_on) == (date(2022, 8, 31), date(2022, 9, 30))

    def test_a_task_column_merged_over_finer_tasks_groups_them(self) -> None:
        table = Table(
            (
                ("序号", "工作任务", "细化分工", "责任处室", "完成时限"),
                ("1", "做好疫情信息发布", "发布权威信息。", "应急处", "长期推进"),
                ("2", "做好疫情信息发布", "做好疫苗接种信息公开。", "疾控处", "长期推进"),
            )
        )
        found = items(parse_document(Document(("2021年政务公开工作要点", table))))
        assert [t.title for t in found] == ["发布权威信息", "做好疫苗接种信息公开"]
        assert all("做好疫情信息发布" in t.description for t in found)
        assert [roles(t) for t in found] == [[("应急处", "lead")], [("疾控处", "lead")]]


# --------------------------------------------------------------------------- 7. bare parenthesis


class TestBareTrailingParenthesis:
    def test_a_group_takes_part(self) -> None:
        point = only_work_point(
            notice("建立联席会议制度，充分调动各方参与的积极性。（各成员单位）")
        )
        assert [(u.name, u.kind, u.role) for u in point.units] == [
            ("各成员单位", "group", "participant")
        ]

    def test_named_units_lead(self) -> None:
        point = only_work_point(notice("加大财政投入，保障重点项目资金。（市发改委、市财政局）"))
        assert roles(point) == [("市发改委", "lead"), ("市财政局", "lead")]

    @pytest.mark.parametrize(
        ("text", "parenthesis"),
        [
            ("编制数字经济发展三年行动计划（2024—2026年）。", "（2024—2026年）"),
            (
                "印发《关于加快数字经济发展的实施方案》（以下简称《方案》）。",
                "（以下简称《方案》）",
            ),
        ],
    )
    def test_a_parenthesis_that_names_no_unit(self, text: str, parenthesis: str) -> None:
        point = only_work_point(notice(text))
        assert point.units == ()
        assert parenthesis in point.description


# --------------------------------------------------------------------------- 8. first unit leads


FIRST_LEADS_ITEMS = (
    "1. 推进数字政府建设。（责任单位：区发改局、区财政局、区工信局）",
    "2. 加强职业技能培训。（责任单位：区教育局、区人社局）",
    "3. 推进城市更新。（牵头单位：区住建局；责任单位：区城管局、区财政局）",
)
FIRST_LEADS_NOTE = "各项任务的责任单位中，排在第一位的为牵头单位，其余为配合单位。"


class TestFirstListedLeads:
    @pytest.mark.parametrize(
        "text",
        [
            "\n".join([HEADING, FIRST_LEADS_NOTE, *FIRST_LEADS_ITEMS]),
            "\n".join(
                [
                    "关于印发某区2024年工作要点的通知",
                    "各街道、区直各部门：",
                    f"现将《某区2024年工作要点》印发给你们，请认真贯彻落实。{FIRST_LEADS_NOTE}",
                    "某区人民政府办公室",
                    "2024年3月1日",
                    HEADING,
                    *FIRST_LEADS_ITEMS,
                ]
            ),
        ],
        ids=["preamble", "cover-letter"],
    )
    def test_stated_once_it_holds_for_every_responsible_list(self, text: str) -> None:
        first, second, third = items(parse_notice(text))
        assert roles(first) == [
            ("区发改局", "lead"),
            ("区财政局", "participant"),
            ("区工信局", "participant"),
        ]
        assert roles(second) == [("区教育局", "lead"), ("区人社局", "participant")]
        assert roles(third) == [
            ("区住建局", "lead"),
            ("区城管局", "participant"),
            ("区财政局", "participant"),
        ]


# --------------------------------------------------------------------------- 9. inline roles


class TestInlineRoles:
    def test_qiantou_and_peihe_verbs(self) -> None:
        point = only_work_point(notice("推进产业链招商。（市发改委牵头，市财政局、市工信局配合）"))
        assert roles(point) == [
            ("市发改委", "lead"),
            ("市财政局", "participant"),
            ("市工信局", "participant"),
        ]
        assert point.description == "推进产业链招商。"

    def test_a_last_sentence_naming_who_leads_and_who_helps(self) -> None:
        point = only_work_point(notice("推进产业链招商。市发改委牵头，市财政局、市工信局配合。"))
        assert roles(point) == [
            ("市发改委", "lead"),
            ("市财政局", "participant"),
            ("市工信局", "participant"),
        ]
        assert point.description == "推进产业链招商。"

    def test_a_sentence_mentioning_a_lead_inside_the_text_is_text(self) -> None:
        point = only_work_point(notice("支持龙头企业牵头，组建创新联合体。（责任单位：市科技局）"))
        assert roles(point) == [("市科技局", "lead")]

    def test_a_division_line_with_a_leader_line_above_it(self) -> None:
        point = only_work_point(
            notice(
                "地区生产总值增长6%以上。\n分管省领导：林克庆\n部门分工：省发展改革委牵头，各地、各部门配合。"
            )
        )
        assert roles(point) == [
            ("省发展改革委", "lead"),
            ("各地", "participant"),
            ("各部门", "participant"),
        ]
        assert point.description == "地区生产总值增长6%以上。"

    def test_an_alias_in_parentheses_stays_with_its_unit(self) -> None:
        point = only_work_point(
            notice("推进清单公开。（牵头单位：省编办 （省审改办）；责任单位：省直各部门）")
        )
        assert roles(point) == [("省编办(省审改办)", "lead"), ("省直各部门", "participant")]

    def test_one_unit_working_with_another(self) -> None:
        point = only_work_point(
            notice("做好信息发布。（责任处室：宣传处会办公室；市委宣传部会同市文明办）")
        )
        assert roles(point) == [
            ("宣传处", "lead"),
            ("办公室", "participant"),
            ("市委宣传部", "lead"),
            ("市文明办", "participant"),
        ]

    def test_labels_in_square_brackets(self) -> None:
        point = only_work_point(notice("推进项目建设。【牵头单位】市发改委【配合单位】市财政局"))
        assert roles(point) == [("市发改委", "lead"), ("市财政局", "participant")]


# --------------------------------------------------------------------------- 10. numbering


class TestNumberingStyles:
    @pytest.mark.parametrize(
        ("first", "second"),
        [("（1）", "（2）"), ("①", "②"), ("第一条 ", "第二条 ")],
    )
    def test_items_in_other_styles(self, first: str, second: str) -> None:
        text = (
            f"{HEADING}\n{first}推进数字政府建设。（责任单位：区发改局）\n"
            f"{second}加强职业技能培训。（责任单位：区人社局）"
        )
        found = items(parse_notice(text))
        assert [(t.title, roles(t)) for t in found] == [
            ("推进数字政府建设", [("区发改局", "lead")]),
            ("加强职业技能培训", [("区人社局", "lead")]),
        ]

    def test_parenthesised_arabic_numbers(self) -> None:
        text = f"{HEADING}\n（1）推进A项工作。\n（2）推进B项工作。"
        assert [t.number for t in items(parse_notice(text))] == ["1", "2"]


THREE_LEVELS = """某区2024年工作要点
一、推动产业升级
（一）壮大先进制造业
1. 培育产业集群。（责任单位：区工信局）
2. 推进技术改造。（责任单位：区工信局）
（二）发展现代服务业
3. 建设物流园区。（责任单位：区商务局）
二、保障和改善民生
4. 扩大就业。（责任单位：区人社局）
"""


class TestHeadingAndItemOnOneLine:
    def test_the_first_item_printed_after_its_heading_is_an_item(self) -> None:
        plan = parse_notice(
            "2005年工作要点\n一、明确目标任务，促进学前教育快速发展1、学前三年教育发展目标。"
            "\n入园率达到96%以上。\n2、推进低龄化发展。"
        )
        assert [(t.kind, t.number, t.title) for t in plan.tasks] == [
            ("section", "一", "明确目标任务，促进学前教育快速发展"),
            ("work_point", "1", "学前三年教育发展目标"),
            ("work_point", "2", "推进低龄化发展"),
        ]

    def test_a_number_inside_a_sentence_is_not_split_off(self) -> None:
        plan = parse_notice(
            "2024年工作要点\n一、完成投资1.5亿元，新增就业1、2个百分点\n1、推进项目。"
        )
        assert [t.number for t in plan.tasks] == ["一", "1"]


class TestNesting:
    def test_three_levels_point_at_their_parents(self) -> None:
        plan = parse_notice(THREE_LEVELS)
        by_title = {t.title: t for t in plan.tasks}
        parent_of = {
            title: next((p.title for p in plan.tasks if p.code == t.parent_code), t.parent_code)
            for title, t in by_title.items()
        }
        assert parent_of == {
            "推动产业升级": None,
            "壮大先进制造业": "推动产业升级",
            "培育产业集群": "壮大先进制造业",
            "推进技术改造": "壮大先进制造业",
            "发展现代服务业": "推动产业升级",
            "建设物流园区": "发展现代服务业",
            "保障和改善民生": None,
            "扩大就业": "保障和改善民生",
        }
        assert [t.kind for t in plan.tasks] == [
            "section",
            "subtask",
            "work_point",
            "work_point",
            "subtask",
            "work_point",
            "section",
            "work_point",
        ]

    def test_sections_without_items(self) -> None:
        text = (
            f"{HEADING}\n一、推进项目建设\n1. 推进重点项目开工。（责任单位：区发改局）\n"
            "二、加强组织保障\n各部门要高度重视，确保各项任务落到实处。\n"
            "三、强化督查考核\n区督查室定期通报工作进展。"
        )
        plan = parse_notice(text)
        sections = [t for t in plan.tasks if t.kind == "section"]
        assert [(s.number, s.title) for s in sections] == [
            ("一", "推进项目建设"),
            ("二", "加强组织保障"),
            ("三", "强化督查考核"),
        ]
        (point,) = items(plan)
        assert point.description == "推进重点项目开工。"
        assert "各部门要高度重视" in sections[1].description
        assert "区督查室定期通报工作进展" in sections[2].description

    def test_numbering_restarting_per_section(self) -> None:
        text = (
            f"{HEADING}\n一、推进项目建设\n1. 推进项目开工。（责任单位：区发改局）\n"
            "2. 加快项目竣工。（责任单位：区发改局）\n二、保障和改善民生\n"
            "1. 扩大就业。（责任单位：区人社局）\n2. 完善社保。（责任单位：区人社局）"
        )
        plan = parse_notice(text)
        section_code = {t.number: t.code for t in plan.tasks if t.kind == "section"}
        found = items(plan)
        assert [(t.number, t.title, t.parent_number) for t in found] == [
            ("1", "推进项目开工", "一"),
            ("2", "加快项目竣工", "一"),
            ("1", "扩大就业", "二"),
            ("2", "完善社保", "二"),
        ]
        assert [t.parent_code for t in found] == [section_code[n] for n in "一一二二"]
        assert len({t.code for t in plan.tasks}) == len(plan.tasks)


class TestSourceText:
    def test_keeps_the_number_and_the_clause(self) -> None:
        text = f"{HEADING}\n1.举办科普讲座20场。（责任单位：区科协）"
        (point,) = items(parse_notice(text))
        assert point.source_text == "1.举办科普讲座20场。（责任单位：区科协）"
        assert point.description == "举办科普讲座20场。"

    def test_keeps_role_lines(self) -> None:
        text = f"{HEADING}\n1.推进重点项目建设。\n牵头单位：区发改局\n责任单位：各街道"
        (point,) = items(parse_notice(text))
        assert point.source_text == "1.推进重点项目建设。\n牵头单位：区发改局\n责任单位：各街道"


# --------------------------------------------------------------------------- 11. targets


class TestTargets:
    @pytest.mark.parametrize(
        ("clause", "value", "label"),
        [
            ("举办两场专题培训", 2, "场"),
            ("新建十五家社区食堂", 15, "家"),
            ("建设三个科普基地", 3, "个"),
        ],
    )
    def test_chinese_numeral_after_a_delivering_verb(
        self, clause: str, value: int, label: str
    ) -> None:
        assert targets(clause) == [("gte", Decimal(value), None, label)]

    @pytest.mark.parametrize(
        "clause",
        [
            "坚定拥护两个确立",
            "牢固树立四个意识",
            "深入实施五大行动",
            "筹备召开第三次代表大会",
            "力争三年内基本完成",
            "2024年全面完成改造",
            "认真落实区委〔2024〕9号文件精神",
            "3月底前完成验收",
            "提供7×24小时服务",
        ],
    )
    def test_not_a_target(self, clause: str) -> None:
        assert targets(clause) == []

    @pytest.mark.parametrize(
        ("clause", "expected"),
        [
            ("企业开办时间压缩至1个工作日以内", ("lte", Decimal(1), None, "个工作日")),
            ("政务服务事项24小时内办结", ("lte", Decimal(24), None, "小时")),
            ("粮食产量稳定在50万吨以上", ("gte", Decimal(50), None, "万吨")),
            ("研发投入强度提高到2.5%", ("gte", Decimal("2.5"), None, "%")),
            ("单位能耗降至0.5吨标准煤", ("lte", Decimal("0.5"), None, "吨")),
        ],
    )
    def test_targets_of_government_work_reports(
        self, clause: str, expected: tuple[object, ...]
    ) -> None:
        assert targets(clause) == [expected]

    def test_several_targets_in_one_sentence(self) -> None:
        assert targets("全年举办培训20场，培训基层干部1000人次，发放宣传资料5000份") == [
            ("gte", Decimal(20), None, "场"),
            ("gte", Decimal(1000), None, "人次"),
            ("gte", Decimal(5000), None, "份"),
        ]

    def test_several_targets_in_one_clause(self) -> None:
        assert targets("新建社区食堂5个、养老驿站3家") == [
            ("gte", Decimal(5), None, "个"),
            ("gte", Decimal(3), None, "家"),
        ]

    @pytest.mark.parametrize(
        ("clause", "low", "high"),
        [("新增规上企业3至5家", 3, 5), ("培育专精特新企业10到20家", 10, 20)],
    )
    def test_ranges(self, clause: str, low: int, high: int) -> None:
        assert targets(clause) == [("between", Decimal(low), Decimal(high), "家")]

    @pytest.mark.parametrize(
        ("clause", "value", "label"),
        [
            ("全区会议数量不超过5个", 5, "个"),
            ("经费支出在50万元以内", 50, "万元"),
            ("发文数量控制在10件", 10, "件"),
        ],
    )
    def test_upper_bounds(self, clause: str, value: int, label: str) -> None:
        assert targets(clause) == [("lte", Decimal(value), None, label)]

    def test_percentage_points(self) -> None:
        (found,) = targets("研发投入强度提高2个百分点")
        assert (found[1], found[3]) == (Decimal(2), "个百分点")

    def test_hundred_million_yuan(self) -> None:
        (found,) = targets("完成固定资产投资1.5亿元")
        assert (found[1], found[3]) == (Decimal("1.5"), "亿元")
