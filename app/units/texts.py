"""The units domain's words for people (see app/i18n.py): what each kind of unit is called."""

from app.i18n import Catalog

KIND: Catalog = {
    "department": ("机关部门", "department"),
    "institution": ("直属单位", "institution"),
    "society": ("学会", "society"),
    "city": ("地市", "city"),
    "university": ("高校", "university"),
    "enterprise": ("企业", "enterprise"),
    "group": ("单位集合", "group"),
    "other": ("其他", "other"),
}
