"""专家库 reads: the pool, deductions, panel seats and one expert, within the viewer's scope.

Who is visible: the province sees the whole pool. Anyone else sees an expert who sat on a panel
for an enterprise in their jurisdiction (a cluster audit counts when one of its members is) or,
for a city, who is based in that city. Their seats, workload, rotation and conflicts count only
reviews within the jurisdiction. Phone and ID numbers are read only for province-level viewers;
everyone else gets them masked here, so no page or export can show more.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import (
    String,
    and_,
    case,
    exists,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)

from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules import experts as xr

X, PA, R, E, CA, C = (s.expert, s.panel_assignment, s.audit_round, s.enterprise,
                      s.cluster_audit, s.consultancy)
REGION, IND = s.region, s.industry
NOT_FOUND = "未找到专家（编号 {code}）：编号不存在，或该专家未参与您辖区内的评审。"


def _seat_selects(scope: Scope, filters: Filters | None):
    """Seats on audit panels (enterprise in scope and filters) and on cluster panels (a member
    in scope and filters), with the reviewed enterprise (uscc) or cluster (its name), the
    consultancy, date and result; with filters, only reviews held by the as-of date."""
    where = enterprise_where(scope, filters)
    is_eval = PA.c.stage == "评估"
    solo_date = case((is_eval, R.c.evaluation_date), else_=R.c.acceptance_date)
    cluster_date = case((is_eval, CA.c.evaluation_date), else_=CA.c.acceptance_date)
    member = (select(literal(1)).select_from(R.join(E, R.c.uscc == E.c.uscc))
              .where(and_(R.c.cluster_id == CA.c.cluster_id, where)))
    solo_where, cluster_where = where, exists(member)
    if filters is not None:
        solo_where = and_(solo_where, solo_date.isnot(None), solo_date <= filters.as_of)
        cluster_where = and_(cluster_where, cluster_date.isnot(None),
                             cluster_date <= filters.as_of)
    # Dates as text, parsed in one vectorised step; names are added from the small tables
    # afterwards: row-by-row date objects and repeated names cost more than the query itself.
    solo = (select(PA.c.assignment_id, PA.c.expert_id, PA.c.audit_id, PA.c.cluster_id,
                   PA.c.stage, PA.c.role, type_coerce(solo_date, String).label("review_date"),
                   case((is_eval, R.c.evaluation_pass), else_=R.c.acceptance_pass)
                   .label("passed"),
                   case((is_eval, R.c.evaluation_score), else_=R.c.acceptance_score)
                   .label("review_score"),
                   R.c.consultancy_id, E.c.uscc, null().label("cluster_name"), E.c.city_adcode,
                   E.c.industry_code)
            .select_from(PA.join(R, PA.c.audit_id == R.c.audit_id)
                         .join(E, R.c.uscc == E.c.uscc))
            .where(solo_where))
    cluster = (select(PA.c.assignment_id, PA.c.expert_id, PA.c.audit_id, PA.c.cluster_id,
                      PA.c.stage, PA.c.role, type_coerce(cluster_date, String),
                      case((is_eval, CA.c.evaluation_pass), else_=CA.c.acceptance_pass),
                      null(), CA.c.consultancy_id, null(), CA.c.name, CA.c.city_adcode,
                      CA.c.industry_code)
               .select_from(PA.join(CA, PA.c.cluster_id == CA.c.cluster_id))
               .where(cluster_where))
    return solo, cluster


@st.cache_data(show_spinner=False, max_entries=16)
def _names(source: Source) -> dict[str, pd.DataFrame | dict]:
    """The small tables seats are named from: experts, consultancies, industries, regions."""
    experts = read_frame(source.engine, select(X.c.expert_id, X.c.name, X.c.organisation,
                                               X.c.city_adcode)).set_index("expert_id")
    firms = read_frame(source.engine, select(C.c.consultancy_id, C.c.name))
    inds = read_frame(source.engine, select(IND.c.code, IND.c.name))
    regions = read_frame(source.engine, select(REGION.c.adcode, REGION.c.name))
    return {"experts": experts, "firms": dict(zip(firms["consultancy_id"], firms["name"])),
            "industries": dict(zip(inds["code"], inds["name"])),
            "regions": dict(zip(regions["adcode"], regions["name"]))}


@st.cache_data(show_spinner=False, max_entries=16)
def _enterprise_names(source: Source, scope: Scope) -> dict[str, str]:
    df = read_frame(source.engine, select(E.c.uscc, E.c.name).where(enterprise_where(scope)))
    return dict(zip(df["uscc"], df["name"]))


# cache_resource, not cache_data: the ~30k seats of a province are shared, not pickled on every
# store and hit; callers only filter the frame and build new ones from it.
@st.cache_resource(show_spinner=False, max_entries=16)
def seats(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Panel seats reviewed on or before the as-of date within scope and filters, oldest
    first, with the expert's name, organisation and city, the enterprise's (or cluster's) name
    and the consultancy's name (what the conflict rules compare)."""
    solo, cluster = _seat_selects(scope, filters)
    u = union_all(solo, cluster).subquery()
    df = read_frame(source.engine, select(u))
    df["review_date"] = pd.to_datetime(df["review_date"], format="ISO8601").dt.date
    df = df.sort_values(["review_date", "assignment_id"]).reset_index(drop=True)
    df["consultancy_id"] = df["consultancy_id"].astype("Int64")
    df["passed"] = df["passed"].astype("boolean")
    names = _names(source)
    experts = names["experts"]
    df["expert_name"] = df["expert_id"].map(experts["name"])
    df["organisation"] = df["expert_id"].map(experts["organisation"])
    df["expert_city_adcode"] = df["expert_id"].map(experts["city_adcode"])
    df["enterprise_name"] = df["uscc"].map(_enterprise_names(source, scope)).fillna(
        df["cluster_name"])
    df["consultancy_name"] = df["consultancy_id"].map(names["firms"]).astype(object)
    df["industry"] = df["industry_code"].map(names["industries"])
    df["city"] = df["city_adcode"].map(names["regions"])
    return df.drop(columns="cluster_name")


OTHER_CITY = "外市"


def city_shown(scope: Scope, code, name):
    """A person's or firm's city as a viewer below the province sees it: their own city by
    name, any other city as 外市 (another city's name says nothing they need)."""
    if scope.level == "province":
        return name
    return case((code.is_(None), null()), (code == _scope_city(scope), name),
                else_=literal(OTHER_CITY))


def _visible_where(scope: Scope):
    """Experts this viewer may see (see the module docstring)."""
    if scope.level == "province":
        return true()
    solo, cluster = _seat_selects(scope, None)
    worked = union_all(solo.with_only_columns(PA.c.expert_id),
                       cluster.with_only_columns(PA.c.expert_id))
    clause = X.c.expert_id.in_(select(worked.subquery().c.expert_id))
    if scope.level == "city":
        clause = or_(clause, X.c.city_adcode == scope.code)
    return clause


@st.cache_data(show_spinner=False, max_entries=16)
def pool(source: Source, scope: Scope) -> pd.DataFrame:
    """Visible experts: id, name, industry, organisation, title, city, admitted date, status,
    stored score, and phone / ID number (masked unless the viewer is province-level); another
    city than the viewer's is named 外市."""
    CT = s.expert_contact
    stmt = (select(X.c.expert_id, X.c.name, X.c.industry_code, IND.c.name.label("industry"),
                   IND.c.sort_order, X.c.organisation, X.c.title, X.c.city_adcode,
                   city_shown(scope, X.c.city_adcode, REGION.c.name).label("city"),
                   X.c.admitted_date, X.c.status, X.c.score,
                   CT.c.phone, CT.c.id_number)
            .select_from(X.join(IND, X.c.industry_code == IND.c.code)
                         .outerjoin(REGION, X.c.city_adcode == REGION.c.adcode)
                         .outerjoin(CT, X.c.expert_id == CT.c.expert_id))
            .where(_visible_where(scope)).order_by(X.c.expert_id))
    df = read_frame(source.engine, stmt)
    if scope.level != "province":  # 个人信息保护法: minimum necessary
        df["phone"] = df["phone"].map(xr.mask_phone)
        df["id_number"] = df["id_number"].map(xr.mask_id)
    else:
        df["phone"] = df["phone"].fillna("—")
        df["id_number"] = df["id_number"].fillna("—")
    return df


@st.cache_data(show_spinner=False, max_entries=16)
def deductions(source: Source, scope: Scope) -> pd.DataFrame:
    """Deductions (记分考核) of the visible experts, newest first."""
    D = s.expert_deduction
    stmt = (select(D.c.deduction_id, D.c.expert_id, D.c.event_date, D.c.reason, D.c.points)
            .where(D.c.expert_id.in_(select(X.c.expert_id).where(_visible_where(scope))))
            .order_by(D.c.event_date.desc(), D.c.deduction_id))
    df = read_frame(source.engine, stmt)
    df["event_date"] = pd.to_datetime(df["event_date"]).dt.date
    return df


def expert_id_problem(value: str) -> str | None:
    """A ?expert= value that is not an expert number at all."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9:
        return f"专家编号应为正整数，收到：{text[:40]}"
    return None


def scores(pool_df: pd.DataFrame, deductions_df: pd.DataFrame, as_of: dt.date,
           rules: xr.ExpertRules) -> pd.DataFrame:
    """The pool with the points left in the year of `as_of`, the state against the threshold
    and a note where the status disagrees."""
    left = xr.remaining_scores(pool_df["expert_id"], deductions_df, as_of, rules)
    state = xr.score_state(left, rules)
    out = pool_df.assign(remaining=left.to_numpy(), score_state=state.to_numpy())
    out["status_note"] = [xr.status_mismatch(a, b) for a, b in zip(out["status"],
                                                                      out["score_state"])]
    return out


def demand(seats_df: pd.DataFrame, pool_df: pd.DataFrame, as_of: dt.date,
           rules: xr.ExpertRules) -> pd.DataFrame:
    """Per industry (in the pool's order): active experts against the reviews (panels) and
    seats of the last `demand_months` months in scope."""
    from rules.clock import add_months

    since = add_months(as_of, -rules.demand_months)
    recent = seats_df[seats_df["review_date"] > since] if len(seats_df) else seats_df
    recent = recent[recent["industry_code"].notna()]  # a park-wide audit has no one industry
    panels = recent.drop_duplicates(["audit_id", "cluster_id", "stage"])
    active = pool_df[pool_df["status"] == "在库"].groupby("industry_code").size()
    names = (pool_df[["industry_code", "industry", "sort_order"]].drop_duplicates()
             .set_index("industry_code"))
    extra = recent[["industry_code", "industry"]].drop_duplicates().set_index("industry_code")
    names = names.combine_first(extra.assign(sort_order=999))
    df = xr.supply_demand(active.reindex(names.index),
                          panels.groupby("industry_code").size().reindex(names.index),
                          recent.groupby("industry_code").size().reindex(names.index), rules)
    df = df.join(names).sort_values(["sort_order", "industry"]).reset_index(drop=True)
    return df


def record(pool_df: pd.DataFrame, expert_id: int) -> dict | None:
    """One visible expert (None when not visible or not there: not told apart)."""
    row = pool_df[pool_df["expert_id"] == int(expert_id)]
    return None if row.empty else row.iloc[0].to_dict()


@st.cache_data(show_spinner=False, max_entries=8)
def exists_anywhere(source: Source, expert_id: int) -> bool:
    """Whether the expert exists at all (for the audit log of a refused deep link only)."""
    return bool(read_frame(source.engine, select(X.c.expert_id)
                           .where(X.c.expert_id == int(expert_id))).shape[0])


def _scope_city(scope: Scope):
    """The city of a city, county or park jurisdiction (a SQL value)."""
    if scope.level == "city":
        return literal(scope.code)
    if scope.level == "county":
        return (select(REGION.c.parent_adcode).where(REGION.c.adcode == scope.code)
                .scalar_subquery())
    return select(s.park.c.city_adcode).where(s.park.c.park_id == int(scope.code)) \
        .scalar_subquery()


@st.cache_data(show_spinner=False, max_entries=16)
def training(source: Source, scope: Scope, year: int, as_of: dt.date
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The province's training plan for `year` (public to every data user) and the sessions
    held that year by the as-of date: province-level ones and those of the viewer's city."""
    TP, TS = s.training_plan, s.training_session
    plan = read_frame(source.engine, select(TP.c.audience, TP.c.sessions_planned,
                                            TP.c.attendees_planned).where(TP.c.year == year))
    where = and_(TS.c.session_date >= dt.date(year, 1, 1),
                 TS.c.session_date <= min(as_of, dt.date(year, 12, 31)))
    if scope.level != "province":
        where = and_(where, or_(TS.c.city_adcode.is_(None),
                                TS.c.city_adcode == _scope_city(scope)))
    held = read_frame(source.engine, select(
        TS.c.session_id, TS.c.session_date, TS.c.title, TS.c.audience, TS.c.attendees,
        REGION.c.name.label("city"))
        .select_from(TS.outerjoin(REGION, TS.c.city_adcode == REGION.c.adcode)).where(where))
    held["session_date"] = pd.to_datetime(held["session_date"]).dt.date
    return plan, held


@st.cache_data(show_spinner=False, max_entries=8)
def training_years(source: Source) -> list[int]:
    TP = s.training_plan
    return [int(y) for y in read_frame(source.engine, select(TP.c.year).distinct()
                                       .order_by(TP.c.year))["year"]]


@st.cache_data(show_spinner=False, max_entries=32)
def findings(source: Source, scope: Scope, filters: Filters, rules: xr.ExpertRules
             ) -> dict[str, pd.DataFrame]:
    """What the rules find in the seats of this scope, filters and date (cached: small
    results of the largest frame): workload in the as-of year, conflicts, rotation."""
    seats_df = seats(source, scope, filters)
    return {"workload": xr.workload(seats_df, filters.as_of.year, rules),
            "conflicts": xr.conflicts(seats_df, rules),
            "rotation": xr.rotation(seats_df, filters.as_of, rules)}
