"""Audit rounds within scope, with their status as of a date, and per-audit option totals.

This is the shared base of the overview, supervision, map, plan and park pages. Filtering happens
in SQL; the status (stage, due dates, days overdue, reason) comes from rules.clock.derive_status
so that every page applies the same clock.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)

from queries import rollup
from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules.clock import ClockRules, derive_status
from rules.vocab import OUTCOME_COLUMNS

R, E = s.audit_round, s.enterprise
ROUND_COLUMNS = [
    R.c.audit_id, R.c.uscc, R.c.round_no, R.c.batch_id, R.c.listing_date, R.c.listing_reason,
    R.c.audit_mode, R.c.cluster_id, R.c.consultancy_id, R.c.relisted_from,
    R.c.disclosure_date, R.c.start_date, R.c.report_date,
    R.c.evaluation_date, R.c.evaluation_result, R.c.evaluation_pass, R.c.evaluation_score,
    R.c.acceptance_date, R.c.acceptance_result, R.c.acceptance_pass, R.c.acceptance_score,
    R.c.cp_level,
]
ENTERPRISE_COLUMNS = [E.c.name.label("enterprise_name"), E.c.industry_code, E.c.city_adcode,
                      E.c.county_adcode, E.c.park_id]
# name column <- (code column, lookup table, its key, its name column)
NAMES = {"industry": ("industry_code", s.industry, "code", "name"),
         "city": ("city_adcode", s.region, "adcode", "name"),
         "county": ("county_adcode", s.region, "adcode", "name"),
         "park": ("park_id", s.park, "park_id", "name"),
         "consultancy": ("consultancy_id", s.consultancy, "consultancy_id", "name"),
         # The clock needs the batch name where a province fixes dates per listing batch.
         "batch_name": ("batch_id", s.listing_batch, "batch_id", "name")}


@st.cache_data(show_spinner=False, max_entries=16)
def _lookups(source: Source) -> dict[str, dict]:
    """code -> name of the small tables (regions, industries, parks, consultancies)."""
    out = {}
    for _code, table, key, name in NAMES.values():
        if table.name not in out:
            rows = read_frame(source.engine, select(table.c[key], table.c[name]))
            out[table.name] = dict(zip(rows[key], rows[name]))
    return out


def rounds_where(scope: Scope, filters: Filters):
    """Scope, enterprise filters, listing years, and nothing listed after the as-of date."""
    clause = and_(enterprise_where(scope, filters), R.c.listing_date <= filters.as_of)
    if filters.listing_years:
        clause = and_(clause, R.c.batch_id.in_(
            select(s.listing_batch.c.batch_id)
            .where(s.listing_batch.c.year.in_(filters.listing_years))))
    return clause


DATE_COLUMNS = ("listing_date", "disclosure_date", "start_date", "report_date",
                "evaluation_date", "acceptance_date")


# cache_resource, not cache_data: the frame is shared, not copied, because pickling ~55k rows
# with date objects on every store and every hit cost more than the read at province scale.
# Callers only filter it (rounds, derive_status), which pandas' copy-on-write keeps apart.
@st.cache_resource(show_spinner=False, max_entries=16)
def _scoped_rounds(source: Source, scope: Scope, cities: tuple, industries: tuple,
                   parks: tuple) -> pd.DataFrame:
    """Every round of the enterprises in scope and filters, whatever the date or year: one read
    serves every as-of date and year choice (those are applied in pandas). Dates are read as
    text and parsed in one vectorised step, which is much faster than row-by-row conversion."""
    where = enterprise_where(scope, Filters(cities=cities, industries=industries, parks=parks))
    cols = [type_coerce(c, String).label(c.name) if c.name in DATE_COLUMNS else c
            for c in ROUND_COLUMNS]
    stmt = (select(*cols, s.listing_batch.c.year.label("batch_year"), *ENTERPRISE_COLUMNS)
            .select_from(R.join(E, R.c.uscc == E.c.uscc)
                         .join(s.listing_batch, R.c.batch_id == s.listing_batch.c.batch_id))
            .where(where).order_by(R.c.audit_id))
    df = read_frame(source.engine, stmt)
    # Names from the small tables, not joined per row: ~55k rows carrying five repeated names
    # each made the read a third slower.
    lookups = _lookups(source)
    for label, (code, table, _key, _name) in NAMES.items():
        df[label] = df[code].map(lookups[table.name])
    for c in DATE_COLUMNS:
        # text that is no date (a hand-edited SQLite file) reads as no date, as schema.Day does
        df[c] = pd.to_datetime(df[c], format="ISO8601", errors="coerce").dt.date.astype(object)
        df[c] = df[c].where(df[c].notna(), None)
    return df


def _every_round(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    return _scoped_rounds(source, scope, filters.cities, filters.industries, filters.parks)


def rounds(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Audit rounds (one row each) with their enterprise, as stored, listed by the as-of date
    (and in the chosen listing years)."""
    df = _every_round(source, scope, filters)
    keep = df["listing_date"] <= filters.as_of
    if filters.listing_years:
        keep &= df["batch_year"].isin(filters.listing_years)
    return df[keep].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def rounds_with_status(source: Source, scope: Scope, filters: Filters,
                       clock: ClockRules) -> pd.DataFrame:
    """Rounds within scope and filters with stage, next milestone, due date, days overdue,
    reason and data issues as of filters.as_of. The clock sees every round of the enterprises
    (not only the chosen years): it must know whether a round was followed by a later one."""
    status = derive_status(_every_round(source, scope, filters), filters.as_of, clock)
    if filters.listing_years:
        status = status[status["batch_year"].isin(filters.listing_years)]
    return status.reset_index(drop=True)


def implemented_option_totals_stmt(where, as_of: dt.date, since: dt.date | None = None,
                                   by_year: bool = False):
    """Per-audit totals of options implemented by `as_of` (and on or after `since`), split by
    cost class. `by_year`: one row per audit and calendar year of implementation instead, for
    implemented options only, with the year's last implementation date."""
    o = s.audit_option
    done = and_(o.c.status == "已实施", o.c.implemented_date <= as_of)
    if since is not None:
        done = and_(done, o.c.implemented_date >= since)

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
            total(o.c.investment_wan, "中/高费").label("investment_high_wan"),
            # implemented options that report no outcome figure at all (a data gap to show)
            func.coalesce(func.sum(case((and_(done, *[o.c[c].is_(None) for c, _l, _u
                                                      in OUTCOME_COLUMNS]), 1), else_=0)), 0)
            .label("no_figures_done")]
    cols += [total(o.c[col]).label(col) for col, _label, _unit in OUTCOME_COLUMNS]
    stmt = (select(*cols).select_from(o.join(R, o.c.audit_id == R.c.audit_id)
                                      .join(E, R.c.uscc == E.c.uscc)).where(where))
    if not by_year:
        return stmt.group_by(o.c.audit_id)
    year = cast(extract("year", o.c.implemented_date), Integer)
    return (stmt.add_columns(year.label("year"),
                             func.max(o.c.implemented_date).label("last_done_date"))
            .where(done).group_by(o.c.audit_id, year))


# Columns of option_totals that count implementations (summed over years); the rest are counts
# of all options, whatever their status.
DONE_COLUMNS = [c.name for c in s.audit_outcome_year.columns
                if c.name not in ("audit_id", "year", "last_done_date")]


def _implemented_by_year(as_of: dt.date, columns: list[str], among=None):
    """Per audit and calendar year, the options implemented by `as_of` (`columns` of
    audit_outcome_year), from the rollups: whole years from audit_outcome_year; the as-of year,
    for audits that went on implementing after the date, summed from audit_option up to it.
    `among`: a select of audit ids to keep (default all). A subquery: audit_id, year, columns."""
    ay = s.audit_outcome_year
    done = or_(ay.c.year < as_of.year, and_(ay.c.year == as_of.year,
                                            ay.c.last_done_date <= as_of))
    whole = select(ay.c.audit_id, ay.c.year, *[ay.c[n] for n in columns]).where(
        done if among is None else and_(done, ay.c.audit_id.in_(among)))
    running = select(ay.c.audit_id).where(and_(ay.c.year == as_of.year,
                                                ay.c.last_done_date > as_of))
    part = implemented_option_totals_stmt(s.audit_option.c.audit_id.in_(running), as_of,
                                          since=dt.date(as_of.year, 1, 1),
                                          by_year=True).subquery()
    return union_all(whole, select(part.c.audit_id, part.c.year,
                                   *[part.c[n] for n in columns])).subquery()


def _totals_from_rollups(where, as_of: dt.date, names: list[str]):
    """option_totals from the rollups: an audit whose last implementation is on or before
    `as_of` is its audit_outcome row; any other sums its years up to `as_of`
    (_implemented_by_year) next to its counts of all options."""
    ao = s.audit_outcome
    done_columns = [n for n in DONE_COLUMNS if n in names]
    in_scope = ao.join(R, ao.c.audit_id == R.c.audit_id).join(E, R.c.uscc == E.c.uscc)
    whole = (select(*[ao.c[n] for n in names]).select_from(in_scope)
             .where(and_(where, or_(ao.c.last_done_date.is_(None),
                                    ao.c.last_done_date <= as_of))))
    years = _implemented_by_year(as_of, done_columns,
                                 among=select(ao.c.audit_id).where(ao.c.last_done_date > as_of))
    summed = select(years.c.audit_id, *[
        (func.max if n == "high_cost_last_done" else func.sum)(years.c[n]).label(n)
        for n in done_columns]).group_by(years.c.audit_id).subquery()
    rest = (select(*[ao.c[n] if n not in done_columns else
                     summed.c[n] if n == "high_cost_last_done" else
                     func.coalesce(summed.c[n], 0).label(n) for n in names])
            .select_from(in_scope.outerjoin(summed, summed.c.audit_id == ao.c.audit_id))
            .where(and_(where, ao.c.last_done_date > as_of)))
    both = union_all(whole, rest).subquery()
    return select(*[both.c[n] for n in names]).order_by(both.c.audit_id)


# Sums of implementations that add up across audits (not the last-done date).
SUMMED_COLUMNS = [c for c in DONE_COLUMNS if c != "high_cost_last_done"]


@st.cache_data(show_spinner=False, max_entries=64)
def option_sums_by_year(source: Source, scope: Scope, filters: Filters,
                        keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Options implemented by filters.as_of, summed in SQL per calendar year of implementation
    and enterprise `keys` (enterprise columns, e.g. city_adcode): columns year, *keys,
    SUMMED_COLUMNS. The rounds are those of rounds_where (scope, filters, listed by the date).
    With current rollups the years come from _implemented_by_year; without them every option
    is summed (slower, same answer)."""
    with source.engine.connect() as conn:
        fast = rollup.is_current(conn, source.version)
    rows = (_implemented_by_year(filters.as_of, SUMMED_COLUMNS) if fast else
            implemented_option_totals_stmt(true(), filters.as_of, by_year=True).subquery())
    by = [rows.c.year, *[E.c[k] for k in keys]]
    stmt = (select(*by, *[func.sum(rows.c[n]).label(n) for n in SUMMED_COLUMNS])
            .select_from(rows.join(R, rows.c.audit_id == R.c.audit_id)
                         .join(E, R.c.uscc == E.c.uscc))
            .where(rounds_where(scope, filters)).group_by(*by).order_by(*by))
    df = read_frame(source.engine, stmt)
    return df.astype({"year": "int64", **{n: "float64" for n in SUMMED_COLUMNS}})


TOTAL_COLUMNS = tuple(c.name for c in s.audit_outcome.columns
                      if c.name not in ("audit_id", "last_done_date"))


@st.cache_data(show_spinner=False, max_entries=64)
def option_totals(source: Source, scope: Scope, filters: Filters,
                  columns: tuple[str, ...] = TOTAL_COLUMNS) -> pd.DataFrame:
    """One row per audit round (that has options) with implemented counts, investment and
    outcomes as of filters.as_of: audit_id and `columns` (default all of TOTAL_COLUMNS).

    With current rollups (queries/rollup.py) this reads audit_outcome and audit_outcome_year
    and sums options only for the part of the as-of year before the as-of date of audits that
    went on implementing after it. Without them, every option is summed: slower, same answer."""
    where = rounds_where(scope, filters)
    with source.engine.connect() as conn:
        fast = rollup.is_current(conn, source.version)
    names = ["audit_id", *[c for c in TOTAL_COLUMNS if c in columns]]
    if fast:
        stmt = _totals_from_rollups(where, filters.as_of, names)
    else:
        summed = implemented_option_totals_stmt(where, filters.as_of).subquery()
        stmt = select(*[summed.c[n] for n in names]).order_by(summed.c.audit_id)
    df = read_frame(source.engine, stmt)
    if "high_cost_last_done" in df:
        done = pd.to_datetime(df["high_cost_last_done"]).dt.date.astype(object)
        df["high_cost_last_done"] = done.where(done.notna(), None)
    return df.astype({c: "float64" for c in df.columns
                      if c not in ("audit_id", "high_cost_last_done")})
