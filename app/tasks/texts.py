"""The tasks domain's sentences for people (see app/i18n.py): labels and health reasons."""

from app.i18n import Catalog

STATUS: Catalog = {
    "not_started": ("未开始", "not started"),
    "in_progress": ("推进中", "in progress"),
    "completed": ("已完成", "completed"),
    "suspended": ("暂缓", "suspended"),
    "cancelled": ("已取消", "cancelled"),
}
KIND: Catalog = {
    "section": ("部分", "section"),
    "key_task": ("重点工作", "key task"),
    "work_point": ("工作要点", "work point"),
    "subtask": ("子任务", "subtask"),
}
HEALTH: Catalog = {
    "green": ("正常", "green"),
    "amber": ("预警", "amber"),
    "red": ("滞后", "red"),
}
REASONS: Catalog = {
    "task_late": (
        "任务应于{due}完成，目前{status}",
        "the task was due {due} and is {status}",
    ),
    "milestone_late": (
        "节点“{title}”应于{due}完成，尚未完成",
        "milestone {id} ({title}) was due {due}",
    ),
    "indicator": (
        "指标{code}（{name}）{status}：完成{actual}，按进度应达{expected}（目标{target}）",
        "indicator {code} ({name}) is {status}: {actual} of {expected} expected by now "
        "(target {target})",
    ),
    "report_overdue": (
        "{unit}未报送{code}（{name}）{period}数据（应于{due}前报送）",
        "{unit} has not reported {code} ({name}) for {period} (due {due})",
    ),
    "full_not_completed": (
        "进度已达100%，但尚未办结",
        "progress is 100% but the task is not marked completed",
    ),
    # A key task restates work points: their warnings are its warnings, naming them.
    "linked": (
        "{kind}{number}（{title}）：{reason}",
        "{kind} {number} ({title}): {reason}",
    ),
    # A section's warnings are counts of its items' health.
    "items": (
        "下设{total}项：滞后{red}项、预警{amber}项、正常{green}项",
        "{total} items: {red} red, {amber} amber, {green} green",
    ),
    "items_named": ("{health}：{items}", "{health}: {items}"),
}
