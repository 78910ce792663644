"""The bulk domain's sentences for people (see app/i18n.py): what `luoshi upload` says itself
when it checked a file in chunks and found rows that are not valid."""

from app.i18n import Catalog

CLIENT: Catalog = {
    "invalid_rows_title": ("部分行无效", "Some rows are not valid"),
    "invalid_rows": (
        "{total}行中有{failed}行无效，未写入任何内容",
        "{failed} of {total} rows are not valid; nothing was written",
    ),
    # Each chunk is checked alone: a parent in another chunk is not found.
    "parent_in_other_chunk": (
        "。上级单位须与其成员在同一批中：请一次发送整个文件（--chunk-rows {total}），"
        "或先上传上级单位",
        ". A parent must be in the same chunk as its members: send the file in one chunk "
        "(--chunk-rows {total}) or upload the parents first",
    ),
}
