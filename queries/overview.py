"""The leadership overview (总览): KPIs against the same date last year, plan progress, what the
audits achieved, the city league, the quarterly trend, the industry breakdown, the most overdue
enterprises, and the records that could not be counted.

Built on queries/audits.py: every round-level figure comes from `rounds_with_status` (one
derive_status per filter set, cached), option figures are summed in SQL. Definitions (shown on
the page as help text, and in the briefing):

- rounds due this year: rounds whose report is due (listing date + ClockRules.report_months)
  within the as-of year;
- completed: the province's completion milestone reached (derive_status `completed`);
- overdue: days_overdue > 0 as derived by rules.clock.derive_status; counted per enterprise (its
  most overdue round decides the 0–30 / 31–90 / >90-day bucket);
- re-audit lapsed: the clock's reaudit_state "lapsed" (its own indicator, not part of overdue);
  counted per enterprise, with those coming due within the warning window as a sub-figure;
- plan year and target: rules.plan_status (plan_year, resolve_target, plan_mark).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy import and_, or_, select

from queries import audits
from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope
from rules import indicators as ind
from rules.clock import (
    MAP_STATUS_LABELS,
    MAP_STATUSES,
    OVERDUE_BUCKETS,
    STAGES,
    ClockRules,
    due_dates,
)
from rules.plan_status import (
    PLAN_MARK_HELP,
    PLAN_MARK_LABELS,
    elapsed_share,
    plan_mark,
    plan_year,
    resolve_target,
)
from rules.vocab import OUTCOME_COLUMNS

ACHIEVEMENT_COLUMNS = ("econ_benefit_wan", "energy_tce", "water_t", "cod_t", "nh3n_t", "so2_t",
                       "nox_t", "vocs_t")
LIST_LIMIT = 500  # rows of a KPI's list shown on the page (the Excel has the counts)
_STAGE_INDEX = {name: i for i, name in enumerate(STAGES)}


# --------------------------------------------------------------------------------------------
# Dates and the status frame
# --------------------------------------------------------------------------------------------

def same_date_last_year(d: dt.date) -> dt.date:
    """2024-12-31 -> 2023-12-31; 29 February -> 28 February."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def last_year_filters(filters: Filters) -> Filters:
    return dataclasses.replace(filters, as_of=same_date_last_year(filters.as_of))


def all_years(filters: Filters) -> Filters:
    """The filters without the listing-year / plan-period choice (plan years count every round
    completed in the year, whenever it was listed)."""
    return dataclasses.replace(filters, listing_years=(), period_id=None)


def _status(source: Source, scope: Scope, filters: Filters, clock: ClockRules) -> pd.DataFrame:
    return audits.rounds_with_status(source, scope, filters, clock)


def status_earlier(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
                   as_of: dt.date) -> pd.DataFrame:
    """rounds_with_status as of an earlier date (the same date last year). The rounds are read
    once per scope and filters (queries/audits), so this costs only the clock, not a read."""
    return audits.rounds_with_status(source, scope, dataclasses.replace(filters, as_of=as_of),
                                     clock)


def _report_due_year(status: pd.DataFrame, clock: ClockRules) -> pd.Series:
    """Year in which each round's report is due, by the clock (few distinct listing dates)."""
    listing = status["listing_date"]
    years = {d: due_dates(d.date(), None, clock)["report"].year for d in listing.dropna().unique()}
    return listing.map(years)


def _year_of(col: pd.Series) -> pd.Series:
    return col.dt.year


# --------------------------------------------------------------------------------------------
# KPIs
# --------------------------------------------------------------------------------------------

KPI_KEYS = ("listed", "due", "started", "reported", "eval_passed", "eval_failed", "accepted",
            "overdue", "reaudit")
# KPI key -> indicator of the registry (rules/indicators.py): names, units and help come from it.
KPI_INDICATORS = {"listed": "listed_enterprises", "due": "due_rounds", "started": "started",
                  "reported": "reported", "eval_passed": "eval_passed",
                  "eval_failed": "eval_failed", "accepted": "accepted",
                  "overdue": "overdue_enterprises", "reaudit": "reaudit_lapsed",
                  "due_completed": "due_rounds_done", "completed": "completed_total",
                  "rounds": "rounds", "reaudit_soon": "reaudit_soon"}
KPI_LABELS = {k: ind.name(KPI_INDICATORS[k]) for k in KPI_KEYS}
KPI_UNITS = {k: ind.unit(KPI_INDICATORS[k]) for k in KPI_KEYS}


# What the briefing's 指标口径 section defines: every figure it states.
BRIEFING_INDICATORS = ("listed_enterprises", "rounds", "due_rounds", "due_rounds_done",
                       "started", "reported", "eval_passed", "eval_failed", "accepted",
                       "overdue_enterprises", "reaudit_lapsed", "completed_in_year",
                       "year_target_rate", "completed_total", "completed_per_100",
                       "overdue_per_100", "low_cost_done", "high_cost_done", "investment_wan")


def briefing_definitions(clock: ClockRules) -> dict[str, str]:
    """“名称（单位）：定义” for the briefing's 指标口径, from the registry."""
    return dict(zip(BRIEFING_INDICATORS, ind.definitions(BRIEFING_INDICATORS, clock)))


def kpi_help(clock: ClockRules, link: bool = False) -> dict[str, str]:
    """Definitions of the KPIs (the registry's help texts), shown as help text on the page
    (`link`: with a link to the 指标说明 page) and in the briefing."""
    return {k: ind.help_text(KPI_INDICATORS[k], clock, link) for k in KPI_KEYS}


def section_help(clock: ClockRules) -> dict[str, str]:
    """Definitions of the page's sections (help text), from the registry's words."""
    done = ind.COMPLETION_WORDS[clock.completion_milestone]
    return {
        "plan": ("计划年度 = 截至日期所在年度，取包含该年度的规划期（左侧选了规划期且包含该年度时用"
                 "所选规划期，否则用最新的规划期）。" + ind.definition("year_target_rate", clock)
                 + ind.definition("completed_in_year", clock) + PLAN_MARK_HELP + ind.LINK),
        "achievements": ("已实施（状态为“已实施”且实施完成日期不晚于截至日期）的清洁生产方案。"
                         "“本年”为截至日期所在年度1月1日至截至日期；“累计”为截至日期前全部。"
                         "绩效为方案填报的年效益、年削减量；污染物为排放量削减；未填报的不计入。"
                         + ind.LINK),
        "league": (f"按“{ind.name('completed_per_100')}”排名，相同时“"
                   f"{ind.name('overdue_per_100')}”少者在前；按每百家计，列入企业多的和少的地区"
                   f"可以公平比较。{ind.definition('completed_per_100', clock)}" + ind.LINK),
        "trend": (f"每季度完成审核（{done}）的轮次，最近12个季度；"
                  "截至日期所在季度尚未结束，颜色较浅。"),
        "industries": "各行业审核轮次按当前状态分列（逾期、未通过优先于所处阶段）。",
    }


def _masks(status: pd.DataFrame, year: int, clock: ClockRules) -> dict[str, pd.Series]:
    """Which rounds each round-level KPI counts."""
    stage = status["stage"].map(_STAGE_INDEX)
    return {
        "listed": pd.Series(True, index=status.index),
        "due": _report_due_year(status, clock) == year,
        "started": stage >= _STAGE_INDEX["started"],
        "reported": stage >= _STAGE_INDEX["reported"],
        "eval_passed": status["stage"].isin(("evaluated", "acceptance_failed", "accepted")),
        "eval_failed": status["stage"] == "evaluation_failed",
        "accepted": status["stage"] == "accepted",
        "overdue": status["days_overdue"] > 0,
        "reaudit": status["reaudit_state"] == "lapsed",
    }


def _kpi_values(status: pd.DataFrame, year: int, clock: ClockRules) -> dict[str, float]:
    m = _masks(status, year, clock)
    out = {k: int(v.sum()) for k, v in m.items()}
    out["listed"] = int(status["uscc"].nunique())
    late = status[m["overdue"]].sort_values("days_overdue", ascending=False)
    worst = late.drop_duplicates("uscc")
    out["overdue"] = len(worst)
    counts = worst["overdue_bucket"].value_counts()
    for i, b in enumerate(OVERDUE_BUCKETS):
        out[f"overdue_{i}"] = int(counts.get(b, 0))
    out["reaudit"] = int(status.loc[m["reaudit"], "uscc"].nunique())
    out["reaudit_soon"] = int(status.loc[status["reaudit_state"] == "soon", "uscc"].nunique())
    out["due_completed"] = int((m["due"] & status["completed"]).sum())
    out["completed"] = int(status["completed"].sum())
    out["rounds"] = len(status)
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def kpis(source: Source, scope: Scope, filters: Filters, clock: ClockRules) -> pd.DataFrame:
    """One row per figure (key, label, unit, value, last_year, change, help): the KPIs,
    the overdue split (overdue_0/1/2 = OVERDUE_BUCKETS), reaudit_soon (enterprises whose re-audit
    falls due within the warning window), due_completed, completed, rounds."""
    now = _kpi_values(_status(source, scope, filters, clock), filters.as_of.year, clock)
    prev_day = same_date_last_year(filters.as_of)
    prev = _kpi_values(status_earlier(source, scope, filters, clock, prev_day), prev_day.year,
                       clock)
    helps = {k: ind.help_text(i, clock, link=False) for k, i in KPI_INDICATORS.items()}
    labels = ({k: ind.name(i) for k, i in KPI_INDICATORS.items()}
              | {f"overdue_{i}": f"逾期{b}" for i, b in enumerate(OVERDUE_BUCKETS)}
              | {"reaudit_soon": f"{ind.name('reaudit_soon')}（{clock.reaudit_warn_days}天内）"})
    units = ({k: ind.unit(i) for k, i in KPI_INDICATORS.items()}
             | {f"overdue_{i}": ind.unit("overdue_enterprises") for i in range(3)})
    rows = [dict(key=k, label=labels[k], unit=units[k], value=now[k], last_year=prev[k],
                 change=now[k] - prev[k], help=helps.get(k, "")) for k in now]
    return pd.DataFrame(rows)


LIST_COLUMNS = {"enterprise_name": "企业名称", "city": "城市", "county": "区县",
                "industry": "行业", "reason": "需关注事项", "days_overdue": "逾期天数",
                "stage_label": "当前阶段", "round_no": "轮次", "listing_date": "列入日期",
                "next_due": "下一节点应完成日期", "uscc": "统一社会信用代码"}


# The re-audit list: its days and its due date instead of the milestones'.
REAUDIT_LIST_COLUMNS = LIST_COLUMNS | {"days_overdue": "再审核逾期天数",
                                       "next_due": "再审核应开展日期"}


def _as_list(frame: pd.DataFrame, key: str, as_of: dt.date) -> pd.DataFrame:
    names = LIST_COLUMNS
    if key == "reaudit":
        names = REAUDIT_LIST_COLUMNS
        frame = frame.assign(next_due=frame["reaudit_due"],
                             days_overdue=(pd.Timestamp(as_of) - frame["reaudit_due"]).dt.days)
    out = frame[list(names)].rename(columns=names)
    for c in ("列入日期", names["next_due"]):
        out[c] = out[c].dt.date
    return out.reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def kpi_list(source: Source, scope: Scope, filters: Filters, clock: ClockRules, key: str,
             limit: int = LIST_LIMIT) -> tuple[pd.DataFrame, int, int]:
    """The rounds behind a KPI (most overdue first, then by city and name), at most `limit`
    rows, how many rounds there are in all, and how many enterprises they concern."""
    status = _status(source, scope, filters, clock)
    rows = status[_masks(status, filters.as_of.year, clock)[key]]
    first = "reaudit_due" if key == "reaudit" else "days_overdue"  # longest overdue first
    rows = rows.sort_values([first, "city_adcode", "enterprise_name", "round_no"],
                            ascending=[key == "reaudit", True, True, True])
    return (_as_list(rows.head(limit), key, filters.as_of), len(rows),
            int(rows["uscc"].nunique()))


# --------------------------------------------------------------------------------------------
# Plan progress
# --------------------------------------------------------------------------------------------

# Plan figure -> the registry's indicator of events in one year (named 当年…, counted in 轮).
PLAN_FIGURES = tuple((col, ind.name(i)) for col, i in (
    ("audits_listed", "listed_in_year"), ("audits_completed", "completed_in_year"),
    ("evaluations_passed", "eval_passed_in_year"), ("acceptances", "accepted_in_year")))


def _province_adcode(source: Source) -> str | None:
    r = s.region
    df = read_frame(source.engine, select(r.c.adcode).where(r.c.level == "省"))
    return str(df["adcode"].iloc[0]) if len(df) else None


def plan_regions(scope: Scope, filters: Filters, province: str | None
                 ) -> tuple[list[str], str | None]:
    """The regions whose targets apply to this view, or ([], why not)."""
    if scope.level == "park" or filters.parks:
        return [], "按园区查看时没有对应的计划目标（计划目标按行政区划分解）。"
    if scope.level in ("city", "county"):
        if filters.cities and scope.level == "city" and scope.code not in filters.cities:
            return [], "所选城市不在您的权限范围内。"
        return [scope.code], None
    if filters.cities:
        return list(filters.cities), None
    return ([province], None) if province else ([], "数据库中没有省级行政区划。")


@st.cache_data(show_spinner=False, max_entries=64)
def plan_progress(source: Source, scope: Scope, filters: Filters, clock: ClockRules) -> dict:
    """Progress of the current plan year: {"period", "year", "elapsed", "table", "basis",
    "mark", "message"}. table: 指标, 年度目标, 已完成, 完成率, 状态 (mark key in 'mark_key').
    message explains when there is no plan year or no target for the view."""
    as_of = filters.as_of
    periods = read_frame(source.engine, select(s.plan_period).order_by(s.plan_period.c.start_year))
    py = plan_year(periods, as_of, filters.period_id)
    out = {"period": None, "year": as_of.year, "elapsed": elapsed_share(as_of, as_of.year),
           "table": pd.DataFrame(), "basis": "", "mark": None, "message": None}
    if py is None:
        names = "、".join(periods["name"]) or "无"
        out["message"] = (f"截至日期所在的{as_of.year}年不在任何规划期内（现有规划期：{names}），"
                          f"不显示年度计划进度。")
        return out
    out["period"] = py.period_name
    province = _province_adcode(source)
    regions, why = plan_regions(scope, filters, province)
    if not regions:
        out["message"] = why
        return out

    t, r = s.plan_target, s.region
    near = [r.c.parent_adcode == province] if province in regions else []
    stmt = (select(t.c.region_adcode, t.c.industry_code, r.c.parent_adcode,
                   *[t.c[c] for c, _ in PLAN_FIGURES])
            .select_from(t.join(r, t.c.region_adcode == r.c.adcode))
            .where(and_(t.c.period_id == py.period_id, t.c.year == py.year,
                        or_(t.c.region_adcode.in_(regions), *near))))
    targets = read_frame(source.engine, stmt)
    for c, _ in PLAN_FIGURES:
        targets[c] = pd.to_numeric(targets[c], errors="coerce").astype("float64")

    status = _status(source, scope, all_years(filters), clock)
    y = py.year
    actual = {
        "audits_listed": int((_year_of(status["listing_date"]) == y).sum()),
        "audits_completed": int((status["completed"]
                                 & (_year_of(status["completed_date"]) == y)).sum()),
        "evaluations_passed": int((status["evaluation_pass"].fillna(False)
                                   & (_year_of(status["evaluation_date"]) == y)).sum()),
        "acceptances": int((status["acceptance_pass"].fillna(False)
                            & (_year_of(status["acceptance_date"]) == y)).sum()),
    }
    rows, basis = [], ""
    for col, label in PLAN_FIGURES:
        target, note = resolve_target(targets, regions, province or "", filters.industries, col)
        if col == "audits_completed":
            basis = note
        if target is None:
            rows.append(dict(指标=label, 年度目标=np.nan, 已完成=actual[col], 完成率=np.nan,
                             状态="未设定目标", mark_key=None, figure=col))
            continue
        mark = plan_mark(actual[col], target, out["elapsed"])
        rows.append(dict(指标=label, 年度目标=target, 已完成=actual[col],
                         完成率=actual[col] / target if target else np.nan,
                         状态=PLAN_MARK_LABELS[mark], mark_key=mark, figure=col))
    out["table"] = pd.DataFrame(rows)
    out["basis"] = basis
    out["mark"] = out["table"].set_index("figure").loc["audits_completed", "mark_key"]
    if basis == "未设定目标":
        out["message"] = f"{y}年未设定本范围的完成审核目标。"
    return out


# --------------------------------------------------------------------------------------------
# Achievements (options implemented), summed in SQL
# --------------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def achievements(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Options implemented by the as-of date: rows 指标, 单位, 本年, 累计 (本年 = implemented
    from 1 January of the as-of year to the as-of date). `key` names each row.

    Both are sums of options by year of implementation (queries/audits.option_sums_by_year):
    累计 all years, 本年 the as-of year."""
    by_year = audits.option_sums_by_year(source, scope, filters).set_index("year")
    df = by_year.sum()
    year = by_year.reindex([filters.as_of.year], fill_value=0.0).iloc[0]

    def both(expr) -> tuple[float, float]:
        return float(expr(year)), float(expr(df))

    rows = [
        ("low", "已实施无/低费方案", "项", both(lambda d: d["low_cost_done"])),
        ("high", "已实施中/高费方案", "项", both(lambda d: d["high_cost_done"])),
        ("investment_wan", "完成投资", "万元",
         both(lambda d: d["investment_low_wan"] + d["investment_high_wan"])),
    ]
    labels = {c: (label, unit) for c, label, unit in OUTCOME_COLUMNS}
    for c in ACHIEVEMENT_COLUMNS:
        label, unit = labels[c]
        rows.append((c, label, unit, both(lambda d, c=c: d[c])))
    rows.append(("no_figures", "未填报任何绩效数据的已实施方案", "项",
                 both(lambda d: d["no_figures_done"])))
    return pd.DataFrame([dict(key=k, 指标=label, 单位=unit, 本年=v[0], 累计=v[1])
                         for k, label, unit, v in rows])


# --------------------------------------------------------------------------------------------
# League, trend, industries, most overdue, data issues
# --------------------------------------------------------------------------------------------

def league_level(scope: Scope, filters: Filters) -> str:
    """Cities are compared in a province view; counties when one city (or less) is in view."""
    if scope.level != "province" or len(filters.cities) == 1:
        return "county"
    return "city"


@st.cache_data(show_spinner=False, max_entries=64)
def league(source: Source, scope: Scope, filters: Filters, clock: ClockRules) -> pd.DataFrame:
    """Cities (or counties) ranked by audits completed per 100 listed enterprises, then by
    overdue enterprises per 100 (fewer first). Columns: 排名, 地区, 列入企业, 已完成审核,
    每百家完成, 逾期企业, 每百家逾期, 评估未通过, adcode."""
    status = _status(source, scope, filters, clock)
    level = league_level(scope, filters)
    code, name = (("city_adcode", "city") if level == "city" else ("county_adcode", "county"))
    if status.empty:
        return pd.DataFrame(columns=["排名", "地区", "列入企业", "已完成审核", "每百家完成",
                                     "逾期企业", "每百家逾期", "评估未通过", "adcode"])
    late = status["days_overdue"] > 0
    g = status.assign(
        late_uscc=status["uscc"].where(late),
        failed=status["stage"] == "evaluation_failed",
    ).groupby([code, name], sort=False)
    df = pd.DataFrame({
        "列入企业": g["uscc"].nunique(),
        "已完成审核": g["completed"].sum().astype(int),
        "逾期企业": g["late_uscc"].nunique(),
        "评估未通过": g["failed"].sum().astype(int),
    }).reset_index().rename(columns={code: "adcode", name: "地区"})
    df["每百家完成"] = (df["已完成审核"] / df["列入企业"] * 100).round(1)
    df["每百家逾期"] = (df["逾期企业"] / df["列入企业"] * 100).round(1)
    df = df.sort_values(["每百家完成", "每百家逾期", "adcode"], ascending=[False, True, True])
    df.insert(0, "排名", range(1, len(df) + 1))
    return df[["排名", "地区", "列入企业", "已完成审核", "每百家完成", "逾期企业", "每百家逾期",
               "评估未通过", "adcode"]].reset_index(drop=True)


def _quarter(ts: pd.Series) -> pd.Series:
    return ts.dt.year * 4 + (ts.dt.month - 1) // 3


@st.cache_data(show_spinner=False, max_entries=64)
def quarterly(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
              quarters: int = 12) -> pd.DataFrame:
    """Audits completed and rounds listed per quarter, for the last `quarters` quarters up to
    the as-of quarter (not before the first listing). Columns: 季度, 完成审核, 新列入,
    截至日期所在季度."""
    status = _status(source, scope, filters, clock)
    as_of = pd.Timestamp(filters.as_of)
    last = int(as_of.year * 4 + (as_of.month - 1) // 3)
    first = last - quarters + 1
    if len(status):
        first = max(first, int(_quarter(status["listing_date"]).min()))
    qs = list(range(first, last + 1))
    done = _quarter(status.loc[status["completed"], "completed_date"]).value_counts()
    listed = _quarter(status["listing_date"]).value_counts()
    return pd.DataFrame({
        "季度": [f"{q // 4}年第{q % 4 + 1}季度" for q in qs],
        "完成审核": [int(done.get(q, 0)) for q in qs],
        "新列入": [int(listed.get(q, 0)) for q in qs],
        "截至日期所在季度": [q == last for q in qs],
    })


@st.cache_data(show_spinner=False, max_entries=64)
def industries(source: Source, scope: Scope, filters: Filters, clock: ClockRules
               ) -> pd.DataFrame:
    """Rounds per industry and map status (long form: 行业, 状态, 轮次, 顺序), industries with
    most rounds first, statuses in MAP_STATUSES order."""
    status = _status(source, scope, filters, clock)
    if status.empty:
        return pd.DataFrame(columns=["行业", "状态", "轮次", "顺序"])
    counts = status.groupby(["industry", "map_status"]).size().rename("轮次").reset_index()
    totals = counts.groupby("industry")["轮次"].sum().sort_values(ascending=False, kind="stable")
    order = {name: i for i, name in enumerate(totals.index)}
    counts["顺序"] = counts["industry"].map(order)
    counts["s"] = counts["map_status"].map(MAP_STATUSES.index)
    counts["状态"] = counts["map_status"].map(MAP_STATUS_LABELS)
    counts = counts.sort_values(["顺序", "s"]).rename(columns={"industry": "行业"})
    return counts[["行业", "状态", "轮次", "顺序"]].reset_index(drop=True)


def industry_table(long: pd.DataFrame) -> pd.DataFrame:
    """The industry breakdown as a table: one row per industry, one column per status, 合计."""
    cols = [MAP_STATUS_LABELS[m] for m in MAP_STATUSES]
    if long.empty:
        return pd.DataFrame(columns=["行业", *cols, "合计"])
    wide = long.pivot_table(index=["顺序", "行业"], columns="状态", values="轮次",
                            aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=cols, fill_value=0).astype(int)
    wide["合计"] = wide.sum(axis=1)
    return wide.reset_index().drop(columns="顺序").rename_axis(columns=None)


@st.cache_data(show_spinner=False, max_entries=64)
def most_overdue(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
                 n: int = 10) -> pd.DataFrame:
    """The `n` enterprises with the longest overdue round (one row each, their worst round)."""
    status = _status(source, scope, filters, clock)
    late = status[status["days_overdue"] > 0].sort_values(
        ["days_overdue", "listing_date", "uscc"], ascending=[False, True, True])
    top = late.drop_duplicates("uscc").head(n)
    out = pd.DataFrame({
        "序号": range(1, len(top) + 1),
        "企业名称": top["enterprise_name"].to_numpy(),
        "所在地": (top["city"] + top["county"]).to_numpy(),
        "行业": top["industry"].to_numpy(),
        "列入日期": top["listing_date"].dt.date.to_numpy(),
        "逾期天数": top["days_overdue"].astype(int).to_numpy(),
        "逾期原因": top["reason"].to_numpy(),
        "统一社会信用代码": top["uscc"].to_numpy(),
    })
    return out


@st.cache_data(show_spinner=False, max_entries=64)
def data_issues(source: Source, scope: Scope, filters: Filters, clock: ClockRules
                ) -> pd.DataFrame:
    """Rounds whose dates are incomplete or inconsistent, per reason (问题, 轮次). Such rounds
    are placed by their latest known date (rules.clock), so counts that need the missing date
    (e.g. reports submitted per quarter) cannot include them."""
    status = _status(source, scope, filters, clock)
    issues = status["data_issue"].dropna()
    if issues.empty:
        return pd.DataFrame(columns=["问题", "轮次"])
    counts = issues.value_counts()
    return pd.DataFrame({"问题": counts.index.astype(str), "轮次": counts.to_numpy().astype(int)})


# --------------------------------------------------------------------------------------------
# Words for the scope
# --------------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def scope_words(source: Source, scope: Scope, filters: Filters) -> dict[str, str]:
    """{"name": what the view covers, e.g. 江苏省 / 南京市 / 南京市、苏州市 (化工行业),
    "area": how the narrative names it, e.g. 全省 / 全市 / 南京市、苏州市,
    "places": 城市 or 区县 (what the league compares)}."""
    regions = dict(read_frame(source.engine, select(s.region.c.adcode, s.region.c.name))
                   .itertuples(index=False))
    ind = read_frame(source.engine, select(s.industry.c.code, s.industry.c.name))
    ind_names = dict(ind.itertuples(index=False))
    province = _province_adcode(source)
    if scope.level == "park":
        park = read_frame(source.engine, select(s.park.c.name)
                          .where(s.park.c.park_id == int(scope.code)))
        name = str(park["name"].iloc[0]) if len(park) else "园区"
        area = name
    elif filters.cities and scope.level == "province":
        name = area = "、".join(regions.get(c, c) for c in filters.cities)
        if len(filters.cities) == 1:
            area = "全市"
    elif scope.level == "city":
        name, area = regions.get(scope.code, scope.code), "全市"
    elif scope.level == "county":
        name, area = regions.get(scope.code, scope.code), "全区（县）"
    else:
        name, area = regions.get(province, "全省"), "全省"
    if filters.parks:
        name += "（所选园区）"
        area = name
    if filters.industries:
        words = "、".join(ind_names.get(c, c) for c in filters.industries)
        name += f"（{words}行业）"
        area += f"{words}行业"
    if filters.listing_years:
        ys = filters.listing_years
        span = f"{ys[0]}年" if len(ys) == 1 else f"{ys[0]}—{ys[-1]}年"
        name += f"（{span}列入）"
    places = "城市" if league_level(scope, filters) == "city" else "区县"
    return {"name": name, "area": area, "places": places}
