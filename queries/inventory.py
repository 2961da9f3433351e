"""What the database holds, within the viewer's scope: record counts and listing batches."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import func, select

from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules.clock import ClockRules, batch_dates_text, batch_problems


def _rounds_where(scope: Scope, filters: Filters):
    clause = enterprise_where(scope, filters)
    if filters.listing_years:
        clause = clause & s.listing_batch.c.year.in_(filters.listing_years)
    return clause


def _rounds_from():
    return s.audit_round.join(s.enterprise, s.audit_round.c.uscc == s.enterprise.c.uscc).join(
        s.listing_batch, s.audit_round.c.batch_id == s.listing_batch.c.batch_id)


@st.cache_data(show_spinner=False, max_entries=64)
def record_counts(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Rows per subject within scope and filters (enterprise filters apply to every subject)."""
    ent_where = enterprise_where(scope, filters)
    rounds_where = _rounds_where(scope, filters)
    e = s.enterprise
    queries = {
        "重点企业": select(func.count()).select_from(e).where(ent_where),
        "排污许可证/登记": select(func.count()).select_from(
            s.permit.join(e, s.permit.c.uscc == e.c.uscc)).where(ent_where),
        "审核轮次": select(func.count()).select_from(_rounds_from()).where(rounds_where),
        "审核方案": select(func.count()).select_from(
            s.audit_option.join(_rounds_from(), s.audit_option.c.audit_id
                                == s.audit_round.c.audit_id)).where(rounds_where),
        "工业园区": select(func.count(func.distinct(e.c.park_id))).where(ent_where),
        "整体审核（园区/行业）": select(func.count(func.distinct(s.audit_round.c.cluster_id)))
        .select_from(_rounds_from()).where(rounds_where),
        "信用评价记录": select(func.count()).select_from(
            s.credit_rating.join(e, s.credit_rating.c.uscc == e.c.uscc)).where(ent_where),
        "处罚记录": select(func.count()).select_from(
            s.penalty.join(e, s.penalty.c.uscc == e.c.uscc)).where(ent_where),
    }
    with source.engine.connect() as conn:
        rows = [(name, conn.execute(q).scalar_one()) for name, q in queries.items()]
    return pd.DataFrame(rows, columns=["类别", "记录数"])


@st.cache_data(show_spinner=False, max_entries=64)
def batches(source: Source, scope: Scope, filters: Filters,
            clock: ClockRules | None = None) -> pd.DataFrame:
    """Listing batches with the number of rounds each listed within scope; with `clock`, and
    when its rules fix due dates per batch, a column 固定期限 saying which (— for batches whose
    deadlines run in months from the listing)."""
    b = s.listing_batch
    stmt = (select(b.c.name.label("批次"), b.c.publish_date.label("名单公布日期"),
                   func.count(s.audit_round.c.audit_id).label("列入企业数"))
            .select_from(_rounds_from()).where(_rounds_where(scope, filters))
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
    e = s.enterprise
    stmt = (select(s.region.c.name.label("城市"), s.industry.c.name.label("行业"),
                   func.count().label("企业数"))
            .select_from(e.join(s.region, e.c.city_adcode == s.region.c.adcode)
                         .join(s.industry, e.c.industry_code == s.industry.c.code))
            .where(enterprise_where(scope, filters))
            .group_by(s.region.c.adcode, s.region.c.name, s.industry.c.sort_order,
                      s.industry.c.name))
    return read_frame(source.engine, stmt)
