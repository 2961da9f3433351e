"""One enterprise's record (企业档案) and the search that finds it, always within the scope.

An enterprise outside the scope is treated exactly like one that does not exist: the functions
return None / no rows, so no page can tell the two apart (no existence leak). Everything is seen
as of a date: rounds listed later are left out, later milestones blanked (by the clock), options
implemented later count as not yet implemented, later penalties and ratings are not shown.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from sqlalchemy import and_, case, or_, select

from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Scope, scope_where
from rules import watchlist
from rules.calendar import coverage_note, uncovered_years
from rules.clock import ClockRules, derive_status
from rules.identifiers import uscc_problem
from rules.vocab import CP_LEVEL_LABELS, CREDIT_COLOURS, OUTCOME_COLUMNS

E, R, OPT = s.enterprise, s.audit_round, s.audit_option
CITY = s.region.alias("city")
COUNTY = s.region.alias("county")
SEARCH_LIMIT = 50
NOT_FOUND = "未在您的管辖范围内找到统一社会信用代码为 {code} 的企业。"


def record_link(uscc: str, as_of: dt.date | None = None) -> str:
    """The deep link to an enterprise's record (relative to the app root)."""
    params = {"uscc": uscc}
    if as_of is not None:
        params["asof"] = as_of.isoformat()
    return "/enterprise?" + urlencode(params)


def link_problem(code: object) -> str | None:
    """A Chinese message when a deep-link USCC is malformed; None when its format is valid."""
    problem = uscc_problem(code)
    if problem is None:
        return None
    shown = str(code)[:40] + ("…" if len(str(code)) > 40 else "")
    return f"链接中的统一社会信用代码“{shown}”无效：{problem}。请检查链接，或在上方按名称搜索企业。"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@st.cache_data(show_spinner=False, max_entries=64)
def search(source: Source, scope: Scope, text: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Enterprises in scope whose name contains `text`, or whose USCC or a permit number contains
    it (case-insensitive for codes). At most `limit` rows, by name."""
    text = (text or "").strip()
    if len(text) < 2:
        return pd.DataFrame(columns=["uscc", "name", "city", "county", "industry"])
    code = _like(text.upper())
    permit_hit = select(s.permit.c.uscc).where(s.permit.c.permit_no.like(code, escape="\\"))
    stmt = (select(E.c.uscc, E.c.name, CITY.c.name.label("city"),
                   COUNTY.c.name.label("county"), s.industry.c.name.label("industry"))
            .select_from(E.join(CITY, E.c.city_adcode == CITY.c.adcode)
                         .join(COUNTY, E.c.county_adcode == COUNTY.c.adcode)
                         .join(s.industry, E.c.industry_code == s.industry.c.code))
            .where(and_(scope_where(scope),
                        or_(E.c.name.like(_like(text), escape="\\"),
                            E.c.uscc.like(code, escape="\\"),
                            E.c.uscc.in_(permit_hit))))
            .order_by(E.c.name).limit(limit))
    return read_frame(source.engine, stmt)


def _profile(source: Source, scope: Scope, uscc: str) -> dict | None:
    stmt = (select(E.c.uscc, E.c.name, E.c.scale, E.c.permit_class, E.c.address, E.c.lon,
                   E.c.lat, E.c.city_adcode, CITY.c.name.label("city"),
                   COUNTY.c.name.label("county"), s.industry.c.name.label("industry"),
                   s.park.c.name.label("park"), s.park.c.level.label("park_level"))
            .select_from(E.join(CITY, E.c.city_adcode == CITY.c.adcode)
                         .join(COUNTY, E.c.county_adcode == COUNTY.c.adcode)
                         .join(s.industry, E.c.industry_code == s.industry.c.code)
                         .outerjoin(s.park, E.c.park_id == s.park.c.park_id))
            .where(and_(scope_where(scope), E.c.uscc == uscc)))
    df = read_frame(source.engine, stmt)
    return None if df.empty else df.iloc[0].to_dict()


def _in_scope(scope: Scope, uscc: str):
    """The enterprise (by uscc) within the scope, as a subquery for the per-table reads."""
    return select(E.c.uscc).where(and_(scope_where(scope), E.c.uscc == uscc))


def _rounds(source: Source, scope: Scope, uscc: str, as_of: dt.date) -> pd.DataFrame:
    stmt = (select(R, s.listing_batch.c.name.label("batch"),
                   s.listing_batch.c.name.label("batch_name"),
                   s.consultancy.c.name.label("consultancy"),
                   s.cluster_audit.c.name.label("cluster"))
            .select_from(R.join(s.listing_batch, R.c.batch_id == s.listing_batch.c.batch_id)
                         .outerjoin(s.consultancy,
                                    R.c.consultancy_id == s.consultancy.c.consultancy_id)
                         .outerjoin(s.cluster_audit,
                                    R.c.cluster_id == s.cluster_audit.c.cluster_id))
            .where(and_(R.c.uscc.in_(_in_scope(scope, uscc)), R.c.listing_date <= as_of))
            .order_by(R.c.round_no))
    return read_frame(source.engine, stmt)


def _panels(source: Source, audit_ids: list[int], cluster_ids: list[int]) -> pd.DataFrame:
    pa, ex = s.panel_assignment, s.expert
    cols = [pa.c.audit_id, pa.c.cluster_id, pa.c.stage, pa.c.role, ex.c.name, ex.c.title,
            ex.c.organisation, ex.c.expert_id]
    if not audit_ids and not cluster_ids:
        return pd.DataFrame(columns=[c.name for c in cols])
    stmt = (select(*cols).select_from(pa.join(ex, pa.c.expert_id == ex.c.expert_id))
            .where(or_(pa.c.audit_id.in_(audit_ids or [-1]),
                       pa.c.cluster_id.in_(cluster_ids or [-1])))
            .order_by(case((pa.c.stage == "评估", 0), else_=1),
                      case((pa.c.role == "组长", 0), else_=1), ex.c.expert_id))
    return read_frame(source.engine, stmt)


def _options(source: Source, audit_ids: list[int], as_of: dt.date) -> pd.DataFrame:
    names = ["option_id", "audit_id", "title", "cost_class", "category", "status",
             "investment_wan", "implemented_date", *(c for c, _l, _u in OUTCOME_COLUMNS)]
    cols = [OPT.c[n] for n in names]
    stmt = (select(*cols).where(OPT.c.audit_id.in_(audit_ids or [-1]))
            .order_by(OPT.c.audit_id, OPT.c.option_id))
    df = read_frame(source.engine, stmt)
    numeric = ["investment_wan", *(c for c, _l, _u in OUTCOME_COLUMNS)]
    df[numeric] = df[numeric].apply(pd.to_numeric, errors="coerce").astype("float64")
    implemented = pd.to_datetime(df["implemented_date"], errors="coerce")
    done = (df["status"] == "已实施") & (implemented <= pd.Timestamp(as_of))
    later = (df["status"] == "已实施") & ~done
    df["status_as_of"] = df["status"].astype(object).where(~later, "尚未实施")
    df["implemented_as_of"] = done
    df["implemented_date"] = implemented.where(done)
    return df


def _small(source: Source, stmt) -> pd.DataFrame:
    return read_frame(source.engine, stmt)


@st.cache_data(show_spinner=False, max_entries=64)
def outside_scope(source: Source, scope: Scope, uscc: str) -> bool:
    """Whether `uscc` is an enterprise of the database that the viewer may not see: for the
    audit log only (the page answers as for an unknown code)."""
    uscc = (uscc or "").strip().upper()
    with source.engine.connect() as conn:
        anywhere = conn.execute(select(E.c.uscc).where(E.c.uscc == uscc)).first()
        mine = conn.execute(select(E.c.uscc).where(E.c.uscc == uscc, scope_where(scope))
                            ).first()
    return anywhere is not None and mine is None


def record(source: Source, scope: Scope, uscc: str, as_of: dt.date,
           clock: ClockRules) -> dict | None:
    """Everything the record page and sheet show for one enterprise, or None when the code is
    unknown OR outside the scope (indistinguishable on purpose)."""
    uscc = (uscc or "").strip().upper()
    profile = _profile(source, scope, uscc)
    if profile is None:
        return None
    rounds = _rounds(source, scope, uscc, as_of)
    status = derive_status(rounds, as_of, clock) if not rounds.empty else rounds
    audit_ids = [int(a) for a in status["audit_id"]] if not status.empty else []
    cluster_ids = ([int(c) for c in status["cluster_id"].dropna()] if not status.empty else [])

    permits = _small(source, select(s.permit).where(
        and_(s.permit.c.uscc.in_(_in_scope(scope, uscc)), s.permit.c.issue_date <= as_of))
        .order_by(s.permit.c.permit_no))
    permits = watchlist.permit_states(permits, as_of)
    credit = _small(source, select(s.credit_rating.c.year, s.credit_rating.c.grade).where(
        and_(s.credit_rating.c.uscc.in_(_in_scope(scope, uscc)),
             s.credit_rating.c.year <= as_of.year)).order_by(s.credit_rating.c.year.desc()))
    credit["colour"] = credit["grade"].map(CREDIT_COLOURS)
    pen = s.penalty
    penalties = _small(source, select(pen.c.decision_date, pen.c.kind, pen.c.amount_yuan,
                                      pen.c.authority, pen.c.published_credit_china,
                                      pen.c.description, R.c.round_no)
                       .select_from(pen.outerjoin(R, pen.c.audit_id == R.c.audit_id))
                       .where(and_(pen.c.uscc.in_(_in_scope(scope, uscc)),
                                   pen.c.decision_date <= as_of))
                       .order_by(pen.c.decision_date.desc()))
    panels = _panels(source, audit_ids, cluster_ids)
    options = _options(source, audit_ids, as_of)

    milestones = []
    for r in status.to_dict("records") if not status.empty else []:
        for m in watchlist.milestone_rows(r, as_of, clock):
            milestones.append({"audit_id": r["audit_id"], "round_no": r["round_no"], **m})
    milestones = pd.DataFrame(milestones, columns=["audit_id", "round_no", "milestone", "due",
                                                   "original", "note", "actual", "verdict"])
    due, next_text = watchlist.next_audit(status, as_of, clock) if not status.empty else (
        None, "未列入清洁生产审核名单")
    latest = status.sort_values("round_no").iloc[-1] if not status.empty else None
    return {"profile": profile, "rounds": status, "milestones": milestones, "panels": panels,
            "options": options, "totals": _totals(options), "permits": permits,
            "credit": credit, "penalties": penalties, "cp_level": _cp_level(status),
            "next_due": due, "next_text": next_text, "as_of": as_of,
            # "soon" / "lapsed" when the latest round's re-audit needs attention, else None
            "reaudit_state": None if latest is None else latest["reaudit_state"],
            "calendar_note": coverage_note(uncovered_years(milestones["due"]))}


def _totals(options: pd.DataFrame) -> dict:
    """Implemented options (as of the date): counts, investment and yearly outcomes."""
    done = options[options["implemented_as_of"]]
    out = {"options": len(options), "implemented": len(done),
           "investment_wan": float(done["investment_wan"].sum())}
    for col, _label, _unit in OUTCOME_COLUMNS:
        out[col] = float(pd.to_numeric(done[col], errors="coerce").fillna(0).sum())
    return out


def _cp_level(status: pd.DataFrame) -> str | None:
    """The level of the latest round that passed acceptance by the as-of date."""
    if status.empty:
        return None
    passed = status[status["stage"] == "accepted"].sort_values("round_no")
    levels = passed["cp_level"].dropna()
    return CP_LEVEL_LABELS.get(levels.iloc[-1], levels.iloc[-1]) if len(levels) else None
