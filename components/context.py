"""What every page needs to know, set once per run by app.py: data source, scope, filters."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from queries.db import Source
from queries.scope import Filters, Scope
from rules.clock import ClockRules

_KEY = "_page_context"


@dataclass(frozen=True)
class PageContext:
    source: Source
    scope: Scope
    filters: Filters
    meta: dict  # app_meta of the database (province, is_sample, ...)
    clock: ClockRules  # the province's statutory clock (rules/clock_rules.toml)

    @property
    def is_sample(self) -> bool:
        return self.meta.get("is_sample") == "1"

    @property
    def province_name(self) -> str:
        return self.meta.get("province_name", "")


def set_context(ctx: PageContext) -> None:
    st.session_state[_KEY] = ctx


def get_context() -> PageContext:
    return st.session_state[_KEY]
