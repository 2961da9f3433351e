"""What the database holds, within the viewer's scope and as of the chosen date: record
counts and listing batches (数据概况)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import func, select

from queries import schema as s
from queries.audits import rounds_where
from queries.db import Source, read_frame
from queries.scope import Filters, Scope
from rules import indicators as ind
from rules.clock import ClockRules, batch_dates_text, batch_problems


def _rounds_from():
    return s.audit_round.join(s.enterprise, s.audit_round.c.uscc == s.enterprise.c.uscc).join(
        s.listing_batch, s.audit_round.c.batch_id == s.listing_batch.c.batch_id)


def _listed(scope: Scope, filters: Filters):
    """Enterprises listed by the as-of date (in the chosen listing years): the same set the
    overview's 列入审核企业 counts (queries.audits.rounds_where)."""
    return (select(s.audit_round.c.uscc).select_from(_rounds_from())
            .where(rounds_where(scope, filters)).distinct())


@st.cache_data(show_spinner=False, max_entries=64)
def record_counts(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """What the database holds within scope and filters as of filters.as_of: 类别, 记录数, 单位.
    Everything belongs to enterprises listed by the as-of date (in the chosen listing years), and
    dated records count when dated by then — like every other page."""
    where = rounds_where(scope, filters)
    listed = _listed(scope, filters)
    e, r, as_of = s.enterprise, s.audit_round, filters.as_of
    ca = s.cluster_audit
    queries = [
        (ind.name("listed_enterprises"), ind.unit("listed_enterprises"),
         select(func.count(func.distinct(r.c.uscc))).select_from(_rounds_from()).where(where)),
        (ind.name("rounds"), ind.unit("rounds"),
         select(func.count()).select_from(_rounds_from()).where(where)),
        ("审核方案", "项", select(func.count()).select_from(
            s.audit_option.join(_rounds_from(), s.audit_option.c.audit_id == r.c.audit_id))
         .where(where)),
        ("工业园区", "个", select(func.count(func.distinct(e.c.park_id))).select_from(e)
         .where(e.c.uscc.in_(listed))),
        ("整体审核（园区/行业）", "个",
         select(func.count(func.distinct(r.c.cluster_id)))
         .select_from(_rounds_from().join(ca, r.c.cluster_id == ca.c.cluster_id))
         .where(where, ca.c.start_date <= as_of)),
        ("排污许可证/登记", "份", select(func.count()).select_from(s.permit)
         .where(s.permit.c.uscc.in_(listed), s.permit.c.issue_date <= as_of)),
        ("信用评价记录", "条", select(func.count()).select_from(s.credit_rating)
         .where(s.credit_rating.c.uscc.in_(listed), s.credit_rating.c.year <= as_of.year)),
        ("处罚记录", "条", select(func.count()).select_from(s.penalty)
         .where(s.penalty.c.uscc.in_(listed), s.penalty.c.decision_date <= as_of)),
    ]
    with source.engine.connect() as conn:
        rows = [(name, conn.execute(q).scalar_one(), unit) for name, unit, q in queries]
    return pd.DataFrame(rows, columns=["类别", "记录数", "单位"])


@st.cache_data(show_spinner=False, max_entries=64)
def batches(source: Source, scope: Scope, filters: Filters,
            clock: ClockRules | None = None) -> pd.DataFrame:
    """Listing batches published by the as-of date with the number of enterprises each listed
    within scope and filters; with `clock`, and when its rules fix due dates per batch, a column
    固定期限 saying which (— for batches whose deadlines run in months from the listing)."""
    b = s.listing_batch
    stmt = (select(b.c.name.label("批次"), b.c.publish_date.label("名单公布日期"),
                   func.count(s.audit_round.c.audit_id).label("列入企业（家）"))
            .select_from(_rounds_from())
            .where(rounds_where(scope, filters), b.c.publish_date <= filters.as_of)
            .group_by(b.c.batch_id, b.c.name, b.c.publish_date).order_by(b.c.publish_date))
    df = read_frame(source.engine, stmt)
    if clock is not None and clock.batches:
        df["固定期限（时限配置）"] = [batch_dates_text(clock, n) or "—" for n in df["批次"]]
    return df


@st.cache_data(show_spinner=False, max_entries=16)
def clock_problems(source: Source, clock: ClockRules) -> list[str]:
    """What is wrong with the clock rules' fixed batch dates against this database's listing
    batches (rules.clock.batch_problems), in Chinese; batch names are public, no scope."""
    if not clock.batches:
        return []
    b = s.listing_batch
    return batch_problems(clock, read_frame(source.engine, select(b.c.name, b.c.publish_date)))


@st.cache_data(show_spinner=False, max_entries=64)
def enterprises_by_city_industry(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Listed enterprises (列入审核企业, as of the date) per city and industry: 城市, 行业,
    企业数."""
    e = s.enterprise
    stmt = (select(s.region.c.name.label("城市"), s.industry.c.name.label("行业"),
                   func.count().label("企业数"))
            .select_from(e.join(s.region, e.c.city_adcode == s.region.c.adcode)
                         .join(s.industry, e.c.industry_code == s.industry.c.code))
            .where(e.c.uscc.in_(_listed(scope, filters)))
            .group_by(s.region.c.adcode, s.region.c.name, s.industry.c.sort_order,
                      s.industry.c.name))
    return read_frame(source.engine, stmt)
