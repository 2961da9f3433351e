"""Plan targets against what was done (计划对标), per year × region × industry of a plan period.

Actuals of a year are counted to 31 December of that year, or to the as-of date if earlier:
audits listed, started, completed (the clock's completion milestone), evaluations and acceptances
(passed and failed), and the options implemented in the year with their investment and yearly
outcomes. They are built on queries.audits (rounds_with_status, option_totals), so the plan page
counts exactly what the other pages count. Targets come from plan_target; a target is resolved for
every region at once by rules.plan_status.own_targets. Every read takes the viewer's scope.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import pandas as pd
import streamlit as st
from sqlalchemy import and_, false, func, or_, select, true

from queries import audits
from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules import indicators as ind
from rules.clock import ClockRules
from rules.plan_projection import (
    period_elapsed_share,
    period_mark,
    project,
    year_end,
)
from rules.plan_status import PLAN_MARK_LABELS, own_targets
from rules.vocab import OUTCOME_COLUMNS

KEYS = ["city_adcode", "county_adcode", "park_id", "industry_code"]
# Plan figures: target column -> (actual column, Chinese name, unit, whole number?).
# Counts of rounds take their unit from the registry (rules/indicators.py): 轮, as on the overview.
METRICS = {
    "audits_completed": ("completed", "完成审核", ind.unit("completed_in_year"), True),
    "evaluations_passed": ("evaluations_passed", "通过评估", ind.unit("eval_passed_in_year"), True),
    "acceptances": ("acceptances", "通过验收", ind.unit("accepted_in_year"), True),
    "audits_listed": ("listed", "列入审核", ind.unit("listed_in_year"), True),
    "energy_tce": ("energy_tce", "节能量", "吨标准煤", False),
    "cod_t": ("cod_t", "化学需氧量减排量", "吨", False),
    "nh3n_t": ("nh3n_t", "氨氮减排量", "吨", False),
    "so2_t": ("so2_t", "二氧化硫减排量", "吨", False),
    "nox_t": ("nox_t", "氮氧化物减排量", "吨", False),
    "vocs_t": ("vocs_t", "挥发性有机物减排量", "吨", False),
}
EVENT_COLUMNS = ["listed", "started", "reported", "completed", "evaluated", "evaluations_passed",
                 "evaluations_failed", "accepted", "acceptances", "acceptances_failed"]
OPTION_COLUMNS = ["low_cost_done", "high_cost_done", "investment_low_wan",
                  "investment_high_wan"] + [c for c, _l, _u in OUTCOME_COLUMNS]
ACTUAL_COLUMNS = EVENT_COLUMNS + OPTION_COLUMNS
CACHE = dict(show_spinner=False, max_entries=64)


def _unfiltered_years(filters: Filters, as_of: dt.date) -> Filters:
    """The sidebar's place filters with another as-of date; listing years do not apply (a plan
    year counts what happened in it, whenever the enterprise was listed)."""
    return Filters(cities=filters.cities, industries=filters.industries, parks=filters.parks,
                   as_of=as_of)


@st.cache_data(**CACHE)
def plan_periods(source: Source) -> pd.DataFrame:
    p = s.plan_period
    return read_frame(source.engine, select(p).order_by(p.c.start_year, p.c.period_id))


def region_in_scope(scope: Scope, reg=s.region):
    if scope.level == "province":
        return true()
    if scope.level == "city":
        return or_(reg.c.adcode == scope.code, reg.c.parent_adcode == scope.code)
    if scope.level == "county":
        return reg.c.adcode == scope.code
    return false()  # a park viewer has no region of their own


@st.cache_data(**CACHE)
def scope_regions(source: Source, scope: Scope) -> pd.DataFrame:
    """Regions (adcode, name, level, parent_adcode) the viewer may see and write targets for."""
    r = s.region
    stmt = (select(r.c.adcode, r.c.name, r.c.level, r.c.parent_adcode)
            .where(region_in_scope(scope)).order_by(r.c.adcode))
    return read_frame(source.engine, stmt)


@st.cache_data(**CACHE)
def industries(source: Source) -> pd.DataFrame:
    i = s.industry
    return read_frame(source.engine, select(i.c.code, i.c.name, i.c.sort_order)
                      .order_by(i.c.sort_order, i.c.code))


@st.cache_data(**CACHE)
def scope_parks(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Parks with enterprises in scope: park_id, name, county_adcode."""
    e, p = s.enterprise, s.park
    stmt = (select(p.c.park_id, p.c.name, p.c.county_adcode).where(p.c.park_id.in_(
        select(e.c.park_id).where(enterprise_where(scope, filters)).distinct()))
        .order_by(p.c.park_id))
    return read_frame(source.engine, stmt)


@st.cache_data(**CACHE)
def targets(source: Source, scope: Scope, filters: Filters, period_id: int) -> pd.DataFrame:
    """plan_target rows of the period within scope, with region name, level and parent and the
    industry name. The city filter keeps those cities and their counties; the industry filter
    keeps rows of those industries (all-industries rows then no longer apply)."""
    t, r, i = s.plan_target, s.region, s.industry
    where = and_(t.c.period_id == period_id, region_in_scope(scope))
    if filters.cities:
        where = and_(where, or_(r.c.adcode.in_(filters.cities),
                                r.c.parent_adcode.in_(filters.cities)))
    if filters.industries:
        where = and_(where, t.c.industry_code.in_(filters.industries))
    stmt = (select(t, r.c.name.label("region_name"), r.c.level.label("region_level"),
                   r.c.parent_adcode, i.c.name.label("industry_name"))
            .select_from(t.join(r, t.c.region_adcode == r.c.adcode)
                         .outerjoin(i, t.c.industry_code == i.c.code))
            .where(where).order_by(t.c.year, t.c.region_adcode, i.c.sort_order))
    df = read_frame(source.engine, stmt)
    return df.astype({c: "float64" for c in METRICS})


def _year_of(col: pd.Series) -> pd.Series:
    return pd.to_datetime(col).dt.year


@st.cache_data(**CACHE)
def yearly_actuals(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
                   first_year: int, last_year: int) -> pd.DataFrame:
    """What happened in each year first_year..last_year, per year × city × county × park ×
    industry (ACTUAL_COLUMNS), counted to 31 December or filters.as_of if earlier."""
    cap = year_end(last_year, filters.as_of)
    status = audits.rounds_with_status(source, scope, _unfiltered_years(filters, cap), clock)
    keyed = status[["audit_id", *KEYS]].copy()
    keyed["park_id"] = keyed["park_id"].astype("Int64")
    years = range(first_year, last_year + 1)

    def passed(flag: str, value: bool) -> pd.Series:
        return (status[flag] == value).fillna(False).astype(bool)

    events = {
        "listed": status["listing_date"],
        "started": status["start_date"],
        "reported": status["report_date"],
        "completed": status["completed_date"].where(status["completed"].astype(bool)),
        "evaluated": status["evaluation_date"],
        "evaluations_passed": status["evaluation_date"].where(passed("evaluation_pass", True)),
        "evaluations_failed": status["evaluation_date"].where(passed("evaluation_pass", False)),
        "accepted": status["acceptance_date"],
        "acceptances": status["acceptance_date"].where(passed("acceptance_pass", True)),
        "acceptances_failed": status["acceptance_date"].where(passed("acceptance_pass", False)),
    }
    parts = []
    for name, dates in events.items():
        year = _year_of(dates)
        hit = keyed[year.isin(years).to_numpy()].assign(year=year[year.isin(years)].astype(int),
                                                         **{name: 1.0})
        parts.append(hit.drop(columns="audit_id"))

    # Options implemented in each year, summed in SQL by year and the enterprise keys.
    options = audits.option_sums_by_year(source, scope, _unfiltered_years(filters, cap),
                                         tuple(KEYS))
    options = options[options["year"].isin(years)]
    parts.append(options.astype({"park_id": "Int64"})[["year", *KEYS, *OPTION_COLUMNS]])

    columns = ["year", *KEYS, *ACTUAL_COLUMNS]
    parts = [p for p in parts if len(p)]
    if not parts:
        # keys stay text: an empty year must still join with the region and industry names
        return pd.DataFrame({c: pd.Series(dtype="object" if c in KEYS else "float64")
                             for c in columns})
    long = pd.concat(parts, ignore_index=True)
    for c in ACTUAL_COLUMNS:
        if c not in long.columns:
            long[c] = 0.0
    out = (long.groupby(["year", *KEYS], dropna=False, sort=True)[ACTUAL_COLUMNS]
           .sum(min_count=0).reset_index())
    out[ACTUAL_COLUMNS] = out[ACTUAL_COLUMNS].fillna(0.0).astype("float64")
    return out[columns]


@st.cache_data(**CACHE)
def listed_enterprises(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per city × county × park × industry: key enterprises, and those listed (at least one
    round listed) by filters.as_of — the denominator of "per 100 listed enterprises"."""
    e, r = s.enterprise, s.audit_round
    listed = (select(r.c.uscc).where(r.c.listing_date <= filters.as_of).distinct()
              .subquery())
    stmt = (select(e.c.city_adcode, e.c.county_adcode, e.c.park_id, e.c.industry_code,
                   func.count().label("enterprises"),
                   func.count(listed.c.uscc).label("listed_enterprises"))
            .select_from(e.outerjoin(listed, e.c.uscc == listed.c.uscc))
            .where(enterprise_where(scope, filters))
            .group_by(e.c.city_adcode, e.c.county_adcode, e.c.park_id, e.c.industry_code))
    df = read_frame(source.engine, stmt)
    df["park_id"] = df["park_id"].astype("Int64")
    return df


# ------------------------------------------------------------------------------------------------
# Assembly (pure: frames in, frames out)
# ------------------------------------------------------------------------------------------------

def _level_of(regions: pd.DataFrame, code: str) -> str:
    return str(regions.loc[regions["adcode"] == code, "level"].iloc[0])


def in_unit(frame: pd.DataFrame, unit: tuple[str, str]) -> pd.Series:
    """Rows of an actuals/denominator frame inside a unit: ("省", adcode), ("市", adcode),
    ("区县", adcode) or ("园区", park_id)."""
    level, code = unit
    if level == "省":
        return pd.Series(True, index=frame.index)
    if level == "市":
        return frame["city_adcode"] == code
    if level == "区县":
        return frame["county_adcode"] == code
    return frame["park_id"] == int(code)


def actual_in(actuals: pd.DataFrame, unit: tuple[str, str], industries: tuple[str, ...],
              column: str, years: range | list[int]) -> float:
    rows = actuals[in_unit(actuals, unit) & actuals["year"].isin(list(years))]
    if industries:
        rows = rows[rows["industry_code"].isin(industries)]
    return float(rows[column].sum())


def _by_year_region(own: pd.DataFrame) -> dict[tuple[int, str], float]:
    return dict(zip(zip(own["year"].astype(int), own["region_adcode"]), own["value"]))


def resolved_targets(targets: pd.DataFrame, province: str, industries: tuple[str, ...],
                     metric: str) -> dict[tuple[int, str], float]:
    """{(year, region): target} for every region and year, by rules.plan_status.own_targets."""
    return _by_year_region(own_targets(targets, province, industries, metric))


def target_in(resolved: dict[tuple[int, str], float], unit: tuple[str, str],
              years: range | list[int]) -> float | None:
    """Sum of a unit's targets over `years` (None when no year has a target; parks have none)."""
    if unit[0] == "园区":
        return None
    values = [resolved[(y, unit[1])] for y in years if (y, unit[1]) in resolved]
    return float(sum(values)) if values else None


def _ratio(a: float | None, b: float | None) -> float:
    if a is None or b is None or b == 0 or (isinstance(a, float) and math.isnan(a)):
        return math.nan
    return a / b


@st.cache_data(**CACHE)  # pure, but costly on a province: cached on its inputs
def scoreboard(units: list[tuple], targets: pd.DataFrame, actuals: pd.DataFrame,
               denominators: pd.DataFrame, province: str, industries: tuple[str, ...],
               metric: str, start_year: int, end_year: int, as_of: dt.date) -> pd.DataFrame:
    """One row per unit (level, code, name[, industries]) for one plan figure over the whole
    period: target, planned to date, actual to date, completion, projection, mark, and the
    figures per 100 listed enterprises. A unit's own industries (4th item) replace
    `industries`. Columns are the Chinese headers the page shows (plus code, level, mark)."""
    column, name, unit_word, _whole = METRICS[metric]
    years = range(start_year, end_year + 1)
    begun = [y for y in years if dt.date(y, 1, 1) <= as_of]
    # Units of one industry each (the shortfall drivers, the industry board) share one
    # resolution of every industry; other industry sets are resolved once each.
    @functools.cache
    def single() -> dict[tuple[str], dict]:
        per_industry = own_targets(targets, province, (), metric, per_industry=True)
        return {(code,): _by_year_region(g) for code, g in per_industry.groupby("industry_code")}

    resolved = functools.cache(lambda inds: single().get(inds, {}) if len(inds) == 1
                               else resolved_targets(targets, province, inds, metric))
    rows = []
    for level, code, label, *own in units:
        unit = (level, code)
        inds = tuple(own[0]) if own else industries
        target = target_in(resolved(inds), unit, years)
        planned = target_in(resolved(inds), unit, begun) if begun else None
        actual = actual_in(actuals, unit, inds, column, years)
        den = denominators[in_unit(denominators, unit)]
        if inds:
            den = den[den["industry_code"].isin(inds)]
        listed = float(den["listed_enterprises"].sum())
        projected = project(actual, start_year, end_year, as_of)
        mark = period_mark(actual, target, start_year, end_year, as_of)
        rows.append({
            "地区": label, "code": code, "level": level,
            f"期内目标（{unit_word}）": target,
            f"截至当年目标（{unit_word}）": planned,
            f"实际完成（{unit_word}）": actual,
            "完成率": _ratio(actual, target),
            f"预计期末（{unit_word}）": projected,
            f"预计缺口（{unit_word}）": None if target is None
            else max(target - (projected or 0.0), 0.0),
            "mark": mark, "状态": PLAN_MARK_LABELS[mark] if mark else "未设目标",
            "列入企业数（家）": listed,
            f"每百家列入企业{name}（{unit_word}）": _ratio(actual * 100, listed),
            f"每百家列入企业目标（{unit_word}）": _ratio(None if target is None else target * 100,
                                                    listed),
        })
    return pd.DataFrame(rows)


ALL = "*"  # industry key of an all-industries figure


def actual_cells(actuals: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Actuals summed per year × level × region code × industry, with industry "*" for all
    industries and code "" for the province: the table target rows are looked up in."""
    parts = []
    for level, key in (("省", None), ("市", "city_adcode"), ("区县", "county_adcode")):
        frame = actuals.assign(code="" if key is None else actuals[key], level=level)
        by_ind = frame.groupby(["year", "level", "code", "industry_code"])[columns].sum()
        parts.append(by_ind.reset_index())
        every = frame.groupby(["year", "level", "code"])[columns].sum().reset_index()
        parts.append(every.assign(industry_code=ALL))
    cells = pd.concat(parts, ignore_index=True)
    cells["year"] = cells["year"].astype(int)
    return cells


@st.cache_data(**CACHE)  # pure, but costly on a province: cached on its inputs
def target_detail(targets: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Every target figure of the period against its actual, one row per target row × figure:
    year, region, industry, figure, unit, target, actual, completion. The actual of an
    all-industries row counts every industry."""
    columns = ["年度", "地区", "行业", "指标", "单位", "目标", "实际", "完成率"]
    if targets.empty:
        return pd.DataFrame(columns=columns)
    cells = actual_cells(actuals, [v[0] for v in METRICS.values()])
    t = targets.assign(
        year=targets["year"].astype(int), level=targets["region_level"],
        code=targets["region_adcode"].where(targets["region_level"] != "省", ""),
        industry_code=targets["industry_code"].fillna(ALL),
        order=range(len(targets)))
    merged = t.merge(cells, on=["year", "level", "code", "industry_code"], how="left",
                     suffixes=("", "_actual"))
    rows = []
    for metric, (column, name, unit_word, _whole) in METRICS.items():
        have = merged[merged[metric].notna()]
        actual_col = column + "_actual" if column in targets.columns else column
        actual = have[actual_col].fillna(0.0).astype("float64") if actual_col in have else 0.0
        rows.append(pd.DataFrame({
            "order": have["order"], "m": list(METRICS).index(metric),
            "年度": have["year"], "地区": have["region_name"],
            "行业": have["industry_name"].where(have["industry_code"] != ALL, "全部行业"),
            "指标": name, "单位": unit_word, "目标": have[metric].astype("float64"),
            "实际": actual}))
    out = pd.concat(rows, ignore_index=True).sort_values(["order", "m"])
    out["完成率"] = (out["实际"] / out["目标"]).where(out["目标"] > 0)
    return out[columns].reset_index(drop=True)


def curve_inputs(targets: pd.DataFrame, actuals: pd.DataFrame, unit: tuple[str, str],
                 province: str, industries: tuple[str, ...], metric: str, start_year: int,
                 end_year: int) -> tuple[dict[int, float | None], dict[int, float]]:
    column = METRICS[metric][0]
    years = range(start_year, end_year + 1)
    resolved = resolved_targets(targets, province, industries, metric)
    return ({y: target_in(resolved, unit, [y]) for y in years},
            {y: actual_in(actuals, unit, industries, column, [y]) for y in years})


@st.cache_data(**CACHE)  # pure, but costly on a province: cached on its inputs
def shortfall_drivers(units: list[tuple[str, str, str]], industry_names: dict[str, str],
                      targets: pd.DataFrame, actuals: pd.DataFrame, metric: str,
                      start_year: int, end_year: int, as_of: dt.date, limit: int = 12
                      ) -> pd.DataFrame:
    """The region × industry pairs (regions from `units`, industries with their own target
    rows) whose projected end-of-period figure falls furthest short of the period target:
    地区, 行业, 目标, 实际, 预计期末, 缺口 (largest first)."""
    column = METRICS[metric][0]
    columns = ["地区", "行业", "目标", "实际", "预计期末", "缺口"]
    labels = {code: label for level, code, label in units if level != "园区"}
    t = targets[targets["industry_code"].notna() & targets[metric].notna()
                & targets["region_adcode"].isin(list(labels))
                & targets["industry_code"].isin(list(industry_names))]
    if t.empty:
        return pd.DataFrame(columns=columns)
    wanted = t.groupby(["region_level", "region_adcode", "industry_code"])[metric].sum()
    cells = actual_cells(actuals, [column]).set_index(["level", "code", "industry_code"])
    cells = cells[cells["year"].between(start_year, end_year)].groupby(level=[0, 1, 2])[column]
    done = cells.sum()
    rows = []
    for (level, code, industry), target in wanted.items():
        key = (level, "" if level == "省" else code, industry)
        actual = float(done.get(key, 0.0))
        projected = project(actual, start_year, end_year, as_of) or 0.0
        if target - projected > 1e-9:
            rows.append({"地区": labels[code], "行业": industry_names[industry],
                         "目标": float(target), "实际": actual, "预计期末": projected,
                         "缺口": target - projected})
    df = pd.DataFrame(rows, columns=columns)
    return df.sort_values(["缺口", "地区", "行业"], ascending=[False, True, True]
                          ).head(limit).reset_index(drop=True)


def elapsed(start_year: int, end_year: int, as_of: dt.date) -> float:
    return period_elapsed_share(start_year, end_year, as_of)


@st.cache_data(**CACHE)
def cluster_audits(source: Source, scope: Scope, filters: Filters, year: int) -> pd.DataFrame:
    """Park- and industry-wide audits (整体审核) under way in `year`, seen on 31 December (or
    filters.as_of if earlier): those with member enterprises in scope, started by then and not
    accepted before the year began. Members are counted within scope only."""
    c, r, e = s.cluster_audit, s.audit_round, s.enterprise
    city, ind, park = s.region.alias("c_city"), s.industry.alias("c_ind"), s.park.alias("c_park")
    cap = year_end(year, filters.as_of)
    members = (select(r.c.cluster_id, func.count(func.distinct(r.c.uscc)).label("members"))
               .select_from(r.join(e, r.c.uscc == e.c.uscc))
               .where(enterprise_where(scope, filters), r.c.cluster_id.isnot(None),
                      r.c.listing_date <= cap)
               .group_by(r.c.cluster_id).subquery())
    stmt = (select(c.c.cluster_id, c.c.name, c.c.kind, city.c.name.label("city"),
                   park.c.name.label("park"), ind.c.name.label("industry"), members.c.members,
                   c.c.start_date, c.c.evaluation_date, c.c.evaluation_pass,
                   c.c.acceptance_date, c.c.acceptance_pass)
            .select_from(c.join(members, members.c.cluster_id == c.c.cluster_id)
                         .join(city, c.c.city_adcode == city.c.adcode)
                         .outerjoin(park, c.c.park_id == park.c.park_id)
                         .outerjoin(ind, c.c.industry_code == ind.c.code))
            .where(c.c.start_date <= cap,
                   or_(c.c.acceptance_date.is_(None),
                       c.c.acceptance_date >= dt.date(year, 1, 1)))
            .order_by(c.c.city_adcode, c.c.cluster_id))
    df = read_frame(source.engine, stmt)
    for stage in ("evaluation", "acceptance"):
        dates = pd.to_datetime(df[f"{stage}_date"])
        late = dates > pd.Timestamp(cap)
        df[f"{stage}_date"] = dates.where(~late)
        df[f"{stage}_pass"] = df[f"{stage}_pass"].astype(object).where(~late.to_numpy(), None)
    df["start_date"] = pd.to_datetime(df["start_date"])
    return df
