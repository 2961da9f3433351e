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
    """The database cannot be read or holds no audit schema yet."""


def read_meta(url: str) -> dict[str, str]:
    """app_meta as a dict. Not cached: it is one tiny query and it carries the data version."""
    try:
        with get_engine(url).connect() as conn:
            rows = conn.execute(select(s.app_meta.c.key, s.app_meta.c.value)).all()
    except SQLAlchemyError as exc:
        raise DatabaseNotReady(str(exc).splitlines()[0]) from exc
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
