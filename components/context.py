"""What every page needs to know, set once per run by app.py: data source, scope, filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from queries.db import Source
from queries.scope import Filters, Scope
from rules.clock import ClockRules

if TYPE_CHECKING:
    from queries.accounts import Viewer

_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    source: Source
    scope: Scope | None  # the signed-in person's jurisdiction; None for administrators
    filters: Filters | None  # None for administrators (they see no audit data)
    meta: dict  # app_meta of the database (province, is_sample, ...)
    clock: ClockRules | None  # the province's statutory clock (rules/clock_rules.toml)
    viewer: Viewer

    @property
    def area_name(self) -> str:
        """The area shown, in words: what titles, captions and documents name. The cities chosen
        in the sidebar (苏州市 / 苏州市、南京市) when there are any, else the jurisdiction
        (江苏省 / 苏州市 / …) — a province official looking at 苏州 sees 苏州's figures."""
        if self.filters is not None and self.filters.cities:
            from queries.meta import region_names

            names = region_names(self.source)
            return "、".join(names.get(c, c) for c in self.filters.cities)
        return self.viewer.scope_name or self.province_name

    def log(self, action: str, outcome: str = "成功", **kw) -> None:
        """One audit-log entry for something this person did (a download, a refusal)."""
        from queries.auditlog import record_now

        record_now(self.source.engine, action, outcome, self.viewer.username,
                   account_id=self.viewer.account_id, role=self.viewer.role,
                   scope=kw.pop("scope", self.viewer.scope_name or None), ip=self.viewer.ip,
                   **kw)

    @property
    def is_sample(self) -> bool:
        return self.meta.get("is_sample") == "1"

    @property
    def province_name(self) -> str:
        return self.meta.get("province_name", "")


def set_context(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def get_context() -> PageContext:
    """The context app.py set in this run. If the page runs without app.py — Streamlit's legacy
    pages/-folder mode, used for the first request of a fresh server opened at a deep link
    (/park?park=2) — switch that mode off and rerun, so app.py (navigation, filters, this
    context) runs first and the URL is kept."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory or _KEY not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state[_KEY]
