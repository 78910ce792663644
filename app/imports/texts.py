"""The imports domain's sentences for people (see app/i18n.py): one per warning code.

The parser names what a person should check with a code and its figures
(``app.imports.parser.ParseWarning``); the service adds its own checks and says them all here,
in the request's language. Codes are stable: machines read them in ``warning_details``.
"""

from collections.abc import Mapping
from string import Formatter

from app.i18n import Catalog, say
from app.units import texts as unit_texts

WARNINGS: Catalog = {
    # The notice as a whole (app.imports.parser)
    "year_from_doc_number": (
        "计划年度取自文号（{year}年），如有误请指定年度",
        "plan year taken from the document number ({year})",
    ),
    "year_from_issue_date": (
        "计划年度取自印发日期（{year}年），如有误请指定年度（year）",
        "plan year taken from the issue date ({year}); pass `year`",
    ),
    "year_from_text": (
        "计划年度取自正文（{year}年），如有误请指定年度（year）",
        "plan year taken from the text ({year}); pass `year` if wrong",
    ),
    "no_header": (
        "未找到通知文头（发文机关、文号、标题），标题取自第一个标题行",
        "no notice header (issuer, 文号, title) found; title taken from the first heading",
    ),
    "no_title_line": (
        "未找到标题行（关于…的通知），标题取自第一个标题行",
        "no title line (关于…的通知) found; title taken from the first heading",
    ),
    "no_doc_number": ("未找到文号", "no document number (文号) found"),
    "no_issue_date": ("未找到印发日期", "no issue date found"),
    "first_unit_leads": (
        "通知规定排名第一的单位为牵头单位，已据此确定职责",
        "the notice says the first unit listed leads; roles follow that",
    ),
    "nul_removed": ("已删除{count}个空字符（NUL）", "removed {count} NUL character(s)"),
    "control_removed": ("已删除{count}个控制字符", "removed {count} control character(s)"),
    "footer_skipped": (
        "已跳过最后一项之后的{count}行（落款、抄送等）",
        "skipped {count} footer line(s) after the last item",
    ),
    "section_numbering_jumps": (
        "部分序号由{last}跳至{value}，请核对是否漏项",
        "section numbering jumps from {last} to {value}",
    ),
    "item_numbering_jumps": (
        "事项序号由{last}跳至{value}，请核对是否漏项",
        "item numbering jumps from {last} to {value}",
    ),
    "line_out_of_sequence": (
        "“{line}”像是第{value}项，但序号不连续，未作为事项读取",
        "line '{line}' looks like item {value} but is out of sequence",
    ),
    "line_out_of_sequence_kept": (
        "“{line}”像是第{value}项，但序号不连续，已作为第{item}项的正文保留",
        "line '{line}' looks like item {value} but is out of sequence (kept as text of item "
        "{item})",
    ),
    "more_warnings": ("……另有{count}条提示未列出", "… and {count} more warning(s)"),
    # One task (app.imports.parser)
    "no_responsibility_clause": (
        "未找到责任分工（责任部门）",
        "no responsibility clause (责任部门) found",
    ),
    "only_collective_units": (
        "未点名牵头单位，仅列出集合性单位（如“机关各部室”）",
        "no named lead unit, only collective groups",
    ),
    "unlabelled_units": (
        "括号中的单位未标明牵头或配合，请核对其职责",
        "units read from a parenthesis without a role label; check their roles",
    ),
    "clause_not_closed": ("责任分工的括号未闭合", "responsibility clause is not closed"),
    "units_unreadable": ("未能读出“{text}”中的单位", "could not read the units in '{text}'"),
    "no_text": ("事项没有正文", "item has no text"),
    "too_many_units": (
        "责任单位超过{limit}个，仅保留前{limit}个",
        "more than {limit} units; kept the first ones",
    ),
    "too_many_numbers": (
        "数字过多，仅读取了前面部分",
        "too many numbers; only the first ones were read",
    ),
    "too_many_indicators": (
        "指标超过{limit}个，仅保留前{limit}个",
        "more than {limit} indicators; kept the first ones",
    ),
    "range_reversed": (
        "已跳过区间“{text}”（下限大于上限）",
        "skipped range '{text}' (lower bound above upper)",
    ),
    "too_many_time_phrases": (
        "时间表述过多，仅读取了前面部分",
        "too many time phrases; only the first were read",
    ),
    "impossible_date": ("已忽略不存在的日期“{text}”", "ignored impossible date '{text}'"),
    "too_many_milestones": (
        "时间节点超过{limit}个，仅保留前{limit}个",
        "more than {limit} milestones; kept the first",
    ),
    "no_matching_work_point": (
        "未找到与之对应的工作要点（{title}）",
        "no matching work point found ({title})",
    ),
    # The service's own checks, made afresh on every preview (app.imports.service)
    "already_imported": (
        "该通知已导入为计划{id}（{code}），再次导入将被拒绝",
        "already imported as plan {id} ({code})",
    ),
    "new_unit": (
        "新单位“{name}”：按名称推断为{kind_label}，请核对",
        "new unit {name}: kind {kind} guessed from its name",
    ),
    "no_reporter": (
        "指标{indicator}“{name}”所属任务没有牵头单位，无人报送：导入后请为该指标指定报送单位",
        "indicator {indicator} ({name}) has no lead unit to report it: assign a reporting unit "
        "after import",
    ),
}
# A warning on the plan's list names the task it concerns.
IN_TASK: Catalog = {"in_task": ("{task}：{text}", "{task}: {text}")}


def figures(code: str) -> set[str]:
    """The params the sentences of ``code`` need (a unit's ``kind`` gives its ``kind_label``)."""
    names = {
        name for template in WARNINGS[code] for _, name, _, _ in Formatter().parse(template) if name
    }
    return {"kind" if name == "kind_label" else name for name in names}


def warning_text(code: str, params: Mapping[str, str | int], *, task: str | None = None) -> str:
    """The warning ``code`` as a sentence in the current language; prefixed with its task's
    code when ``task`` is given (the plan's list). KeyError when ``params`` lack a figure."""
    values: dict[str, str | int] = dict(params)
    if isinstance(values.get("kind"), str) and values["kind"] in unit_texts.KIND:
        values["kind_label"] = say(unit_texts.KIND, str(values["kind"]))
    text = say(WARNINGS, code, **values)
    return text if task is None else say(IN_TASK, "in_task", task=task, text=text)
