"""The reminders' sentences for people (see app/i18n.py)."""

from app.i18n import Catalog

MESSAGE: Catalog = {
    "default": (
        "请于{reply_by}前报送以下逾期未报数据（共{count}项），并说明逾期原因。",
        "Please report the following {count} overdue item(s) by {reply_by} and explain the delay.",
    ),
    "automatic": (
        "系统自动催办：以下数据即将到期或已逾期未报（共{count}项），请于{reply_by}前报送。",
        "Automatic reminder: the following {count} report(s) fall due soon or are overdue; "
        "please report them by {reply_by}.",
    ),
}
