"""咨询机构 reads: the firms a viewer may see, their figures within the jurisdiction, the
ranking, copy-paste signals, and one firm's clients.

A firm is visible to the province always; to anyone else when it worked on an audit round in
their jurisdiction or, for a city, when it is based there. Every figure counts only the rounds in
the jurisdiction and the sidebar filters (rounds from queries.audits, clock as of the date).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import and_, func, or_, select, true

from queries import audits
from queries import schema as s
from queries.db import Source, read_frame
from queries.experts import city_shown
from queries.scope import Filters, Scope, enterprise_where
from rules import experts as xr
from rules.clock import ClockRules

C, R, E, OPT = s.consultancy, s.audit_round, s.enterprise, s.audit_option
NOT_FOUND = "未找到咨询机构（编号 {code}）：编号不存在，或该机构未承担您辖区内的审核。"


def _visible_where(scope: Scope):
    if scope.level == "province":
        return true()
    worked = (select(R.c.consultancy_id).select_from(R.join(E, R.c.uscc == E.c.uscc))
              .where(and_(enterprise_where(scope), R.c.consultancy_id.isnot(None))))
    clause = C.c.consultancy_id.in_(worked)
    if scope.level == "city":
        clause = or_(clause, C.c.city_adcode == scope.code)
    return clause


@st.cache_data(show_spinner=False, max_entries=16)
def firms(source: Source, scope: Scope) -> pd.DataFrame:
    """Visible consultancies: id, name, USCC, city (another city than the viewer's: 外市),
    staff, named publicly."""
    stmt = (select(C.c.consultancy_id, C.c.name, C.c.uscc, C.c.city_adcode,
                   city_shown(scope, C.c.city_adcode, s.region.c.name).label("city"),
                   C.c.staff_count, C.c.named_publicly)
            .select_from(C.outerjoin(s.region, C.c.city_adcode == s.region.c.adcode))
            .where(_visible_where(scope)).order_by(C.c.consultancy_id))
    df = read_frame(source.engine, stmt)
    df["named_publicly"] = df["named_publicly"].astype(bool)
    return df


@st.cache_data(show_spinner=False, max_entries=16)
def copied_options(source: Source, scope: Scope, filters: Filters,
                   rules: xr.ExpertRules) -> pd.DataFrame:
    """Options repeated figure for figure in `copy_min_clients` or more clients of one firm
    (rules.experts.FIGURES; only options that report a reduction), among reports submitted by
    the as-of date in scope and filters: consultancy_id, title, investment_wan, clients."""
    figures = [OPT.c[c] for c in xr.FIGURES]
    keys = [R.c.consultancy_id, OPT.c.title, OPT.c.investment_wan,
            *[func.coalesce(c, -1.0) for c in figures]]
    clients = func.count(R.c.uscc.distinct())
    stmt = (select(R.c.consultancy_id, OPT.c.title, OPT.c.investment_wan, clients.label("clients"))
            .select_from(OPT.join(R, OPT.c.audit_id == R.c.audit_id).join(E, R.c.uscc == E.c.uscc))
            .where(and_(audits.rounds_where(scope, filters), R.c.consultancy_id.isnot(None),
                        R.c.report_date <= filters.as_of, or_(*[c > 0 for c in figures])))
            .group_by(*keys).having(clients >= rules.copy_min_clients)
            .order_by(R.c.consultancy_id, clients.desc(), OPT.c.title))
    df = read_frame(source.engine, stmt)
    return df.astype({"consultancy_id": "int64", "clients": "int64"})


@st.cache_data(show_spinner=False, max_entries=32)
def table(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
          rules: xr.ExpertRules) -> pd.DataFrame:
    """Every visible firm with its figures in scope, copy-paste signals, 综合得分 and rank
    (1 = best; firms with fewer than `rank_min_reviews` evaluations in scope are not
    ranked: a rate from two reviews says little)."""
    base = firms(source, scope).set_index("consultancy_id")
    status = audits.rounds_with_status(source, scope, filters, clock)
    figures = xr.firm_figures(status)
    copies = copied_options(source, scope, filters, rules)
    df = base.join(figures, how="left")
    counts = ["clients", "rounds", "evaluated", "eval_passed", "accepted", "acc_passed",
              "failed", "relisted", "active", "late_clients",
              *[f"late_{m}" for m in xr.MILESTONE_NAMES]]
    df[counts] = df[counts].fillna(0).astype("int64")
    df["copied_options"] = copies.groupby("consultancy_id").size().reindex(df.index).fillna(0) \
        .astype("int64")
    df["copied_clients_max"] = copies.groupby("consultancy_id")["clients"].max() \
        .reindex(df.index).fillna(0).astype("int64")
    df["staff_per_active"] = (df["staff_count"] / df["active"].where(df["active"] > 0)).round(1)
    df["score"] = xr.rank_score(df["eval_rate"], df["acc_rate"], df["late_share"], rules)
    df.loc[df["evaluated"] < rules.rank_min_reviews, "score"] = float("nan")
    df["rank"] = df["score"].rank(ascending=False, method="min").astype("Int64")
    return df.reset_index().sort_values(["rank", "consultancy_id"], na_position="last") \
        .reset_index(drop=True)


def id_problem(value: str) -> str | None:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        return f"咨询机构编号应为正整数，收到：{text[:40]}"
    return None


def clients(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
            consultancy_id: int) -> pd.DataFrame:
    """One firm's rounds in scope with their status (newest listing first)."""
    status = audits.rounds_with_status(source, scope, filters, clock)
    mine = status[status["consultancy_id"] == int(consultancy_id)]
    return mine.sort_values(["listing_date", "audit_id"], ascending=False).reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=8)
def exists_anywhere(source: Source, consultancy_id: int) -> bool:
    """Whether the firm exists at all (for the audit log of a refused deep link only)."""
    return bool(read_frame(source.engine, select(C.c.consultancy_id)
                           .where(C.c.consultancy_id == int(consultancy_id))).shape[0])
