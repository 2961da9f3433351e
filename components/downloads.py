"""Downloads (Word, Excel) of the signed-in person: offered only to roles that may download
(read-only accounts may not), built when the button is clicked, and written to the audit log
with the document, the jurisdiction and the as-of date."""

from __future__ import annotations

import streamlit as st

from components.fmt import cn_date
from rules.roles import DOWNLOAD

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def button(ctx, label: str, data, file_name: str, *, key: str, right: str | None = DOWNLOAD,
           where=st, **kw) -> bool:
    """A download button (`data`: bytes, or a function that builds them when clicked); False
    when the person may not download (nothing is shown)."""
    if right is not None and not ctx.viewer.may(right):
        return False
    as_of = ctx.filters.as_of if ctx.filters is not None else None

    def build() -> bytes:
        payload = data() if callable(data) else data
        ctx.log("download", target=file_name,
                detail=label + (f"；数据截至 {cn_date(as_of)}" if as_of else ""))
        return payload

    mime = kw.pop("mime", None) or MIME[file_name.rsplit(".", 1)[-1]]
    where.download_button(label, data=build, file_name=file_name, mime=mime, key=key,
                          on_click="ignore", **kw)
    return True
