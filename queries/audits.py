"""Audit rounds within scope, with their status as of a date, and per-audit option totals.

This is the shared base of the overview, supervision, map, plan and park pages. Filtering happens
in SQL; the status (stage, due dates, days overdue, reason) comes from rules.clock.derive_status
so that every page applies the same clock.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import and_, case, func, select

from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules.clock import ClockRules, derive_status
from rules.vocab import OUTCOME_COLUMNS

R, E = s.audit_round, s.enterprise
CITY = s.region.alias("city")
COUNTY = s.region.alias("county")

ROUND_COLUMNS = [
    R.c.audit_id, R.c.uscc, R.c.round_no, R.c.batch_id, R.c.listing_date, R.c.listing_reason,
    R.c.audit_mode, R.c.cluster_id, R.c.consultancy_id, R.c.relisted_from,
    R.c.disclosure_date, R.c.start_date, R.c.report_date,
    R.c.evaluation_date, R.c.evaluation_result, R.c.evaluation_pass, R.c.evaluation_score,
    R.c.acceptance_date, R.c.acceptance_result, R.c.acceptance_pass, R.c.acceptance_score,
    R.c.cp_level,
]
ENTERPRISE_COLUMNS = [
    E.c.name.label("enterprise_name"), E.c.industry_code, s.industry.c.name.label("industry"),
    E.c.city_adcode, CITY.c.name.label("city"), E.c.county_adcode, COUNTY.c.name.label("county"),
    E.c.park_id, s.park.c.name.label("park"), s.consultancy.c.name.label("consultancy"),
]


def _rounds_from():
    return (R.join(E, R.c.uscc == E.c.uscc)
            .join(s.industry, E.c.industry_code == s.industry.c.code)
            .join(CITY, E.c.city_adcode == CITY.c.adcode)
            .join(COUNTY, E.c.county_adcode == COUNTY.c.adcode)
            .outerjoin(s.park, E.c.park_id == s.park.c.park_id)
            .outerjoin(s.consultancy, R.c.consultancy_id == s.consultancy.c.consultancy_id))


def rounds_where(scope: Scope, filters: Filters):
    """Scope, enterprise filters, listing years, and nothing listed after the as-of date."""
    clause = and_(enterprise_where(scope, filters), R.c.listing_date <= filters.as_of)
    if filters.listing_years:
        clause = and_(clause, R.c.batch_id.in_(
            select(s.listing_batch.c.batch_id)
            .where(s.listing_batch.c.year.in_(filters.listing_years))))
    return clause


@st.cache_data(show_spinner=False, max_entries=64)
def rounds(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Audit rounds (one row each) with their enterprise, as stored."""
    stmt = (select(*ROUND_COLUMNS, *ENTERPRISE_COLUMNS).select_from(_rounds_from())
            .where(rounds_where(scope, filters)).order_by(R.c.audit_id))
    return read_frame(source.engine, stmt)


def _all_rounds_of_enterprises(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Rounds of the same enterprises regardless of the year filter: the clock needs to know
    whether a failed round was followed by a later one."""
    unfiltered = Filters(cities=filters.cities, industries=filters.industries,
                         parks=filters.parks, as_of=filters.as_of)
    return rounds(source, scope, unfiltered)


@st.cache_data(show_spinner=False, max_entries=64)
def rounds_with_status(source: Source, scope: Scope, filters: Filters,
                       clock: ClockRules) -> pd.DataFrame:
    """Rounds within scope and filters with stage, next milestone, due date, days overdue,
    reason and data issues as of filters.as_of."""
    every = _all_rounds_of_enterprises(source, scope, filters)
    status = derive_status(every, filters.as_of, clock)
    if filters.listing_years:
        wanted = set(rounds(source, scope, filters)["audit_id"])
        status = status[status["audit_id"].isin(wanted)]
    return status.reset_index(drop=True)


def implemented_option_totals_stmt(where, as_of: dt.date):
    """Per-audit totals of options implemented by `as_of`, split by cost class."""
    o = s.audit_option
    done = and_(o.c.status == "已实施", o.c.implemented_date <= as_of)

    def total(expr, cost_class=None):
        cond = done if cost_class is None else and_(done, o.c.cost_class == cost_class)
        return func.coalesce(func.sum(case((cond, expr), else_=0)), 0)

    cols = [o.c.audit_id,
            total(1, "无/低费").label("low_cost_done"),
            total(1, "中/高费").label("high_cost_done"),
            func.count().label("options_total"),
            func.coalesce(func.sum(case((o.c.cost_class == "中/高费", 1), else_=0)), 0)
            .label("high_cost_total"),
            func.max(case((and_(done, o.c.cost_class == "中/高费"), o.c.implemented_date)))
            .label("high_cost_last_done"),
            total(o.c.investment_wan, "无/低费").label("investment_low_wan"),
            total(o.c.investment_wan, "中/高费").label("investment_high_wan")]
    cols += [total(o.c[col]).label(col) for col, _label, _unit in OUTCOME_COLUMNS]
    return (select(*cols).select_from(o.join(R, o.c.audit_id == R.c.audit_id)
                                      .join(E, R.c.uscc == E.c.uscc))
            .where(where).group_by(o.c.audit_id))


@st.cache_data(show_spinner=False, max_entries=64)
def option_totals(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """One row per audit round (that has options) with implemented counts, investment and
    outcomes as of filters.as_of."""
    stmt = implemented_option_totals_stmt(rounds_where(scope, filters), filters.as_of)
    df = read_frame(source.engine, stmt)
    return df.astype({c: "float64" for c in df.columns
                      if c not in ("audit_id", "high_cost_last_done")})
