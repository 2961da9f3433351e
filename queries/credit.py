"""信用与公开 reads: the penalties to publish and the credit grades, within the viewer's scope
and the sidebar filters (enterprise_where), as of the sidebar's date."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import and_, select

from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules import credit as cr

E, P, PUB, CR = s.enterprise, s.penalty, s.penalty_publication, s.credit_rating
CITY, COUNTY = s.region.alias("city"), s.region.alias("county")


@st.cache_data(show_spinner=False, max_entries=16)
def publication_list(source: Source, scope: Scope, filters: Filters,
                     working_days: int) -> pd.DataFrame:
    """Penalties under the Cleaner Production Promotion Law decided by the as-of date, with the
    publication deadline and status as of that date; most urgent first."""
    stmt = (select(P.c.penalty_id, E.c.name, E.c.uscc, CITY.c.name.label("city"),
                   COUNTY.c.name.label("county"), s.industry.c.name.label("industry"),
                   P.c.kind, P.c.amount_yuan, P.c.decision_date, P.c.authority,
                   P.c.description, P.c.published_credit_china, PUB.c.published_date,
                   PUB.c.channel)
            .select_from(P.join(E, P.c.uscc == E.c.uscc)
                         .join(CITY, E.c.city_adcode == CITY.c.adcode)
                         .join(COUNTY, E.c.county_adcode == COUNTY.c.adcode)
                         .join(s.industry, E.c.industry_code == s.industry.c.code)
                         .outerjoin(PUB, P.c.penalty_id == PUB.c.penalty_id))
            .where(and_(enterprise_where(scope, filters), P.c.kind.in_(cr.PUBLISH_KINDS),
                        P.c.decision_date <= filters.as_of))
            .order_by(P.c.decision_date.desc(), P.c.penalty_id))
    df = read_frame(source.engine, stmt)
    for c in ("decision_date", "published_date"):
        df[c] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in df[c]]
    df["basis"] = df["kind"].map(cr.LEGAL_BASIS)
    df["due"] = [cr.publication_due(d, working_days) for d in df["decision_date"]]
    df["state"] = [cr.publication_status(bool(p), d, due, filters.as_of) for p, d, due in
                   zip(df["published_credit_china"], df["published_date"], df["due"])]
    # a date after the as-of day is not known yet on that day
    df["published_date"] = [d if d is not None and d <= filters.as_of else None
                            for d in df["published_date"]]
    order = {k: i for i, k in enumerate(cr.PUB_STATES)}
    return df.sort_values(["state", "decision_date"], key=lambda c: c.map(order)
                          if c.name == "state" else c, ascending=[True, False]) \
        .reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=16)
def grades(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Credit grades of enterprises in scope and filters for every rated year up to the as-of
    year: year, city, industry, grade."""
    stmt = (select(CR.c.year, CR.c.grade, CITY.c.name.label("city"),
                   s.industry.c.name.label("industry"), E.c.city_adcode,
                   s.industry.c.sort_order)
            .select_from(CR.join(E, CR.c.uscc == E.c.uscc)
                         .join(CITY, E.c.city_adcode == CITY.c.adcode)
                         .join(s.industry, E.c.industry_code == s.industry.c.code))
            .where(and_(enterprise_where(scope, filters), CR.c.year <= filters.as_of.year)))
    return read_frame(source.engine, stmt)
