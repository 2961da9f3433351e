"""Facts about the loaded data (app_meta) and the choices offered by the shared filters."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Scope, scope_where


class DatabaseNotReady(RuntimeError):
    """The database cannot be read, or its schema is not the code's version. `reason` says
    what an official can do about it; `detail` is the technical cause, for the operator."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


UNREACHABLE = "审核数据库暂时无法连接。请稍后刷新页面；如持续出现，请联系系统管理员。"
_current_schema: set[str] = set()  # URLs found at the code's schema version in this process


def read_meta(url: str) -> dict[str, str]:
    """app_meta as a dict, after making sure the database is there and at the code's schema
    version. Not cached: it is one tiny query and it carries the data version."""
    from queries.migrate import sqlite_path, state_of

    path = sqlite_path(url)
    if path is not None and not path.exists():  # connecting would create an empty file
        raise DatabaseNotReady(UNREACHABLE, f"数据库文件不存在：{path}")
    try:
        with get_engine(url).connect() as conn:
            if url not in _current_schema:
                state = state_of(conn)
                if not state.ok:
                    raise DatabaseNotReady(state.message(), f"schema {state.kind}")
                _current_schema.add(url)
            rows = conn.execute(select(s.app_meta.c.key, s.app_meta.c.value)).all()
    except SQLAlchemyError as exc:
        raise DatabaseNotReady(UNREACHABLE, str(exc).splitlines()[0]) from exc
    return {k: v for k, v in rows}


@st.cache_data(show_spinner=False, max_entries=32)
def filter_choices(source: Source, scope: Scope) -> dict[str, pd.DataFrame]:
    """Cities, industries, parks, listing years and plan periods the viewer may pick from."""
    e = source.engine
    in_scope = scope_where(scope)
    cities = read_frame(e, select(s.region.c.adcode, s.region.c.name)
                        .where(s.region.c.adcode.in_(select(s.enterprise.c.city_adcode)
                                                      .where(in_scope).distinct()))
                        .order_by(s.region.c.adcode))
    industries = read_frame(e, select(s.industry.c.code, s.industry.c.name)
                            .order_by(s.industry.c.sort_order))
    parks = read_frame(e, select(s.park.c.park_id, s.park.c.name, s.park.c.city_adcode)
                       .where(s.park.c.park_id.in_(select(s.enterprise.c.park_id)
                                                   .where(in_scope).distinct()))
                       .order_by(s.park.c.city_adcode, s.park.c.name))
    years = read_frame(e, select(s.listing_batch.c.year.label("year"))
                       .distinct().order_by(s.listing_batch.c.year))
    periods = read_frame(e, select(s.plan_period).order_by(s.plan_period.c.start_year))
    return {"cities": cities, "industries": industries, "parks": parks, "years": years,
            "periods": periods}


@st.cache_data(show_spinner=False, max_entries=8)
def region_names(source: Source) -> dict[str, str]:
    df = read_frame(source.engine, select(s.region.c.adcode, s.region.c.name))
    return dict(zip(df["adcode"], df["name"]))
