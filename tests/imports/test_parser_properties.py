"""Property tests: parse_notice never fails with anything but NoticeParseError, stays fast
on hostile input, and what it returns is always internally consistent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.imports.document import Document, Table
from app.imports.parser import NoticeParseError, ParsedPlan, parse_document, parse_notice

SEED = (Path(__file__).parent / "fixtures" / "henan-sta-2024-work-plan.txt").read_text("utf-8")
SEED_PLAN = parse_notice(SEED)

# No example database: a test run must not leave a .hypothesis/ directory in the work tree.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters the parser reacts to, so random text often reaches the deep code paths.
NOTICE_ALPHABET = list(
    "0123456789一二三四五六七八九十零、.．。，,；;：:（）()“”\n \t"
    "责任部门牵头单位配合各机关学会科协中心年月底前内季度上半万个场期名人次第不少于以上至～-"
    "重点工作要点关于通知〔〕号办公室文件印发日"
)
WIDTH_SWAPS = {"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "！": "!", "？": "?"}
WIDTH_SWAPS |= {half: full for full, half in WIDTH_SWAPS.items()}
INVISIBLE = ["\x00", "\ufeff", "\u200b", "\u00ad", "\x07", "\x1b"]


def parse_or_reject(text: str) -> ParsedPlan | None:
    """parse_notice's only allowed failure is NoticeParseError with at least one problem."""
    plan: ParsedPlan | None = None
    problems: list[str] = []
    try:
        plan = parse_notice(text)
    except NoticeParseError as error:
        problems = error.problems
    if plan is None:
        assert problems
        assert all(isinstance(p, str) and p for p in problems)
    else:
        assert_consistent(plan)
    return plan


def assert_consistent(plan: ParsedPlan) -> None:
    codes = [t.code for t in plan.tasks]
    assert len(codes) == len(set(codes))
    by_code = {t.code: t for t in plan.tasks}
    for task in plan.tasks:
        assert task.kind in ("section", "subtask", "key_task", "work_point")
        assert task.due_on is not None
        assert all(m.due_on <= task.due_on for m in task.milestones)
        assert "\x00" not in task.description
        for unit in task.units:
            assert unit.name
            assert unit.role in ("lead", "participant")
            assert unit.kind in (
                "department", "institution", "society", "city",
                "university", "enterprise", "group", "other",
            )  # fmt: skip
        assert len({u.name for u in task.units}) == len(task.units)
        for index, indicator in enumerate(task.indicators, 1):
            assert indicator.code == f"{task.code}-{index}"
            assert indicator.comparator in ("gte", "lte", "eq", "between", "about")
            if indicator.comparator == "between":
                assert indicator.target_max is not None
                assert indicator.target_max >= indicator.target_value
            else:
                assert indicator.target_max is None
            assert indicator.name
            assert indicator.unit_label
            assert indicator.source_text
        # Links are symmetric and only join key tasks with work points.
        assert len(task.related) == len(task.related_codes)
        for other_code in task.related_codes:
            other = by_code[other_code]
            assert {task.kind, other.kind} == {"key_task", "work_point"}
            assert task.code in other.related_codes
    assert len(plan.warnings) <= 201


def structure(plan: ParsedPlan) -> list[tuple[object, ...]]:
    """What must survive a change of punctuation width: tasks, units and targets."""
    return [
        (
            t.kind,
            t.number,
            t.parent_number,
            tuple((u.name, u.kind, u.role) for u in t.units),
            tuple((i.comparator, i.target_value, i.target_max, i.unit_label) for i in t.indicators),
            tuple(m.due_on for m in t.milestones),
            t.related,
        )
        for t in plan.tasks
    ]


class TestArbitraryText:
    @PROPERTY
    @given(st.text())
    def test_any_text(self, text: str) -> None:
        parse_or_reject(text)

    @PROPERTY
    @given(st.text(alphabet=NOTICE_ALPHABET, max_size=2000))
    def test_notice_like_text(self, text: str) -> None:
        parse_or_reject(text)

    @PROPERTY
    @given(st.lists(st.text(alphabet=NOTICE_ALPHABET, max_size=80), max_size=40))
    def test_notice_like_lines_under_a_heading(self, lines: list[str]) -> None:
        numbered = [f"{n}. {line}" for n, line in enumerate(lines, 1)]
        parse_or_reject("\n".join(["2024年工作要点", *numbered]))


class TestMutatedSeed:
    @PROPERTY
    @given(st.integers(min_value=0, max_value=len(SEED)))
    def test_truncated(self, end: int) -> None:
        parse_or_reject(SEED[:end])

    @PROPERTY
    @given(
        st.lists(st.tuples(st.integers(0, len(SEED)), st.integers(1, 400)), min_size=1, max_size=8)
    )
    def test_random_deletions(self, cuts: list[tuple[int, int]]) -> None:
        text = SEED
        for start, length in cuts:
            start = min(start, len(text))
            text = text[:start] + text[start + length :]
        parse_or_reject(text)

    @PROPERTY
    @given(st.lists(st.tuples(st.integers(0, len(SEED)), st.text(max_size=20)), max_size=8))
    def test_random_insertions(self, inserts: list[tuple[int, str]]) -> None:
        text = SEED
        for position, piece in sorted(inserts, reverse=True):
            text = text[:position] + piece + text[position:]
        parse_or_reject(text)

    @PROPERTY
    @given(st.lists(st.tuples(st.integers(0, len(SEED)), st.sampled_from(INVISIBLE)), max_size=30))
    def test_invisible_characters_change_nothing(self, inserts: list[tuple[int, str]]) -> None:
        text = SEED
        for position, char in sorted(inserts, reverse=True):
            text = text[:position] + char + text[position:]
        plan = parse_or_reject(text)
        assert plan is not None
        assert plan.tasks == SEED_PLAN.tasks

    @PROPERTY
    @given(st.data())
    def test_swapping_punctuation_width_keeps_the_structure(self, data: st.DataObject) -> None:
        positions = [i for i, ch in enumerate(SEED) if ch in WIDTH_SWAPS]
        chosen = data.draw(st.sets(st.sampled_from(positions)))
        chars = list(SEED)
        for i in chosen:
            chars[i] = WIDTH_SWAPS[chars[i]]
        plan = parse_or_reject("".join(chars))
        assert plan is not None
        assert structure(plan) == structure(SEED_PLAN)

    @PROPERTY
    @given(st.sampled_from(["\r\n", "\r", "\n\n\n", "\u2028", "\x85", "\n  \u3000"]))
    def test_line_breaks_of_any_kind(self, line_break: str) -> None:
        plan = parse_or_reject(SEED.replace("\n", line_break))
        assert plan is not None
        assert structure(plan) == structure(SEED_PLAN)

    @PROPERTY
    @given(st.permutations(SEED.split("\n")))
    def test_shuffled_lines(self, lines: list[str]) -> None:
        parse_or_reject("\n".join(lines))


class TestHostileInputStaysFast:
    """Long repetitive input must be parsed (or rejected) in linear-ish time."""

    ITEM = "2024年工作要点\n1. "

    @pytest.mark.parametrize(
        "text",
        [
            ITEM + "1-" * 100_000 + "个",
            ITEM + "零、" * 100_000,
            ITEM + "（责任部门：" * 50_000,
            ITEM + "（责任部门：" + "各、" * 100_000 + "）",
            ITEM + "（责任部门：办公室）" * 50_000,
            ITEM + "（责任部门：" + "、".join(f"单位{n}" for n in range(50_000)) + "）",
            ITEM + "年内" * 100_000,
            ITEM + "9月底前" * 50_000,
            ITEM + "数" * 200_000 + "不少于5场",
            ITEM + "不少于5场" * 50_000,
            ITEM + "3-5家" * 50_000,
            ITEM + "。" * 200_000,
            ITEM + "“" * 200_000 + "，" * 100_000,
            "一、\n" * 100_000,
            "- 1 -\n" * 100_000,
            "2024年工作要点\n" + "\n".join(f"{n % 999 + 1}. 工作" for n in range(100_000)),
            "2024年重点工作\n" + "".join(f"{n}. 建设{n}个基地\n" for n in range(1, 999)),
            "关于" * 300_000,
            "1" * 1_000_000,
        ],
        ids=lambda text: repr(text[:24]),
    )
    def test_hostile(self, text: str) -> None:
        # Linear work takes a second or two; a quadratic path would hang CI (speed itself is
        # measured in bench/parse_seed.py, never asserted here).
        parse_or_reject(text)


# Header words of task-division tables, so random tables often have a header the parser knows.
CELLS = st.one_of(
    st.sampled_from(["序号", "重点任务", "牵头单位", "责任单位", "配合单位", "完成时限", "目标"]),
    st.text(alphabet=NOTICE_ALPHABET, max_size=40),
)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    width = draw(st.integers(min_value=1, max_value=6))
    blocks: list[str | Table] = []
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        if draw(st.booleans()):
            blocks.append(draw(st.text(alphabet=NOTICE_ALPHABET, max_size=300)))
        else:
            rows = draw(st.lists(st.tuples(*[CELLS] * width), max_size=8))
            blocks.append(Table(tuple(rows)))
    return Document(tuple(blocks))


class TestDocuments:
    @PROPERTY
    @given(documents(), st.one_of(st.none(), st.integers(min_value=1949, max_value=2200)))
    def test_any_blocks_and_tables_give_a_plan_or_a_parse_error(
        self, document: Document, year: int | None
    ) -> None:
        plan, problems = None, []
        try:
            plan = parse_document(document, year=year)
        except NoticeParseError as error:
            problems = error.problems
        if plan is None:
            assert problems
            return
        assert_consistent(plan)
        if year is not None:
            assert plan.year == year
        parents = {t.code for t in plan.tasks}
        assert all(t.parent_code is None or t.parent_code in parents for t in plan.tasks)
