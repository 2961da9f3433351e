"""Audit progress and the watch list (审核进度与督办): the funnel, the rounds table, ageing buckets
and what needs action now, for the viewer's scope, the shared filters and the page's own filters
(county, listing reason, audit mode).

Everything starts from queries.audits.rounds_with_status (scope, filters and the statutory clock
applied once, in one place); this module narrows that frame by the page filters and shapes it for
the screen. Permits are read here (scoped in SQL) because the watch list flags lapsed permits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy import and_, select

from queries import audits
from queries import schema as s
from queries.db import Source, read_frame
from queries.enterprise import record_link
from queries.scope import Filters, Scope, enterprise_where
from rules import indicators as ind
from rules import watchlist
from rules.calendar import cn_date, coverage_note, uncovered_years
from rules.clock import OVERDUE_BUCKETS, STAGES, ClockRules

# Funnel steps in order; evaluation and acceptance are split into pass / fail.
FUNNEL_STEPS = ("列入名单", "信息公开", "启动审核", "提交审核报告", "评估", "中/高费方案实施完成",
                "验收")
FUNNEL_COLUMNS = ("列入名单", "信息公开", "启动审核", "提交审核报告", "评估通过", "评估未通过",
                  "中/高费方案实施完成", "验收通过", "验收未通过")
_STAGE_NO = {name: i for i, name in enumerate(STAGES)}
CATEGORIES = watchlist.CATEGORIES  # the watch list's categories, most urgent first
CLOCK_HELP = ("期限的最后一日是法定休假日（法定节假日和周六、周日，调休上班日除外）的，以休假日"
              "结束的次日为最后一日（民法典第二百零三条）；节假日按国务院办公厅每年公布的安排。")
TABLE_PAGE_SIZE = 50
WATCH_SHOWN = 200  # rows of the watch list sent to the browser; the Excel file has them all


@dataclass(frozen=True)
class PageFilters:
    """This page's own filters, on top of the shared sidebar. Empty tuples mean 'all'."""

    counties: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()


@st.cache_data(show_spinner=False, max_entries=32)
def status(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
           page: PageFilters) -> pd.DataFrame:
    """Rounds in scope with the clock's status as of filters.as_of, narrowed by the page filters."""
    df = audits.rounds_with_status(source, scope, filters, clock)
    keep = pd.Series(True, index=df.index)
    if page.counties:
        keep &= df["county_adcode"].isin(page.counties)
    if page.reasons:
        keep &= df["listing_reason"].isin(page.reasons)
    if page.modes:
        keep &= df["audit_mode"].isin(page.modes)
    return df[keep].reset_index(drop=True)


def county_choices(source: Source, scope: Scope, filters: Filters, clock: ClockRules
                   ) -> dict[str, str]:
    """Counties (adcode -> name, city first) that hold rounds within scope and shared filters."""
    df = audits.rounds_with_status(source, scope, filters, clock)
    pairs = (df[["county_adcode", "city", "county"]].drop_duplicates()
             .sort_values("county_adcode"))
    return {r.county_adcode: f"{r.city}·{r.county}" for r in pairs.itertuples()}


# --------------------------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=8)
def batches(source: Source) -> pd.DataFrame:
    """Listing batches (names and years are public: no scope needed)."""
    b = s.listing_batch
    return read_frame(source.engine, select(b.c.batch_id, b.c.name, b.c.year, b.c.publish_date)
                      .order_by(b.c.publish_date, b.c.batch_id))


def funnel_flags(st_df: pd.DataFrame, options: pd.DataFrame) -> pd.DataFrame:
    """One row per round: which funnel steps it has reached as of the status date.

    中/高费方案实施完成: every medium/high-cost option of a round with a passed evaluation is
    implemented by the as-of date (abandoned options count as not implemented), or the round has
    reached acceptance, which follows implementation.
    """
    stage = st_df["stage"].map(_STAGE_NO)
    opts = st_df[["audit_id"]].merge(
        options[["audit_id", "high_cost_total", "high_cost_done"]], on="audit_id", how="left")
    total = opts["high_cost_total"].fillna(0).to_numpy()
    done = opts["high_cost_done"].fillna(0).to_numpy()
    eval_pass = stage.isin([_STAGE_NO["evaluated"], _STAGE_NO["acceptance_failed"],
                            _STAGE_NO["accepted"]])
    accepted_any = stage >= _STAGE_NO["acceptance_failed"]
    implemented = accepted_any | (eval_pass & (total > 0) & (done >= total))
    return pd.DataFrame({
        "列入名单": True,
        "信息公开": stage >= _STAGE_NO["disclosed"],
        "启动审核": stage >= _STAGE_NO["started"],
        "提交审核报告": stage >= _STAGE_NO["reported"],
        "评估通过": eval_pass,
        "评估未通过": stage == _STAGE_NO["evaluation_failed"],
        "中/高费方案实施完成": implemented,
        "验收通过": stage == _STAGE_NO["accepted"],
        "验收未通过": stage == _STAGE_NO["acceptance_failed"],
    }, index=st_df.index)


def funnel_table(st_df: pd.DataFrame, options: pd.DataFrame, batch_frame: pd.DataFrame,
                 by: str) -> pd.DataFrame:
    """Counts of rounds (家次) per funnel step, one row per listing year (by="year") or batch
    (by="batch"), plus a 合计 row. Columns: 分组, then FUNNEL_COLUMNS."""
    flags = funnel_flags(st_df, options).astype(int)
    b = batch_frame.set_index("batch_id")
    if by == "year":
        group = st_df["batch_id"].map(b["year"]).map(lambda y: f"{int(y)}年列入")
        order = [f"{int(y)}年列入" for y in sorted(b["year"].unique())]
    else:
        group = st_df["batch_id"].map(b["name"])
        order = list(b["name"])
    table = flags.groupby(group.to_numpy()).sum().reindex(order).dropna(how="all")
    table = table.fillna(0).astype(int)
    table.loc["合计"] = flags.sum()
    return table.rename_axis("分组").reset_index()[["分组", *FUNNEL_COLUMNS]]


def funnel_steps(row: pd.Series) -> pd.DataFrame:
    """One row of funnel_table as chart data: step, order, outcome (通过/未通过/—), rounds."""
    out = []
    for i, step in enumerate(FUNNEL_STEPS):
        if step in ("评估", "验收"):
            out.append((step, i, "通过", int(row[f"{step}通过"])))
            out.append((step, i, "未通过", int(row[f"{step}未通过"])))
        else:
            out.append((step, i, "—", int(row[step])))
    return pd.DataFrame(out, columns=["环节", "顺序", "结果", "轮次"])


# --------------------------------------------------------------------------------------------
# KPIs, ageing, rounds table
# --------------------------------------------------------------------------------------------

def _live_overdue(st_df: pd.DataFrame) -> pd.Series:
    return (st_df["days_overdue"] > 0) & ~st_df["later_round_listed"].astype(bool)


def ageing(st_df: pd.DataFrame) -> pd.DataFrame:
    """Overdue rounds (not superseded by a later round) per ageing bucket (0–30/31–90/>90 天)."""
    late = st_df[_live_overdue(st_df)]
    counts = late["overdue_bucket"].value_counts()
    return pd.DataFrame({"逾期时长": list(OVERDUE_BUCKETS),
                         "轮次": [int(counts.get(b, 0)) for b in OVERDUE_BUCKETS]})


KPI_IDS = {ind.name(i): i for i in ("rounds", "rounds_in_progress", "overdue_rounds",
                                    "failed_pending", "watch_items")}


def kpis(st_df: pd.DataFrame, watch: pd.DataFrame) -> dict[str, int]:
    live = ~st_df["later_round_listed"].astype(bool)
    in_progress = st_df["stage"].isin(["listed", "disclosed", "started", "reported",
                                       "evaluated"]) & live
    failed = st_df["stage"].isin(["evaluation_failed", "acceptance_failed"]) & live
    # keyed by the registry's names (rules/indicators.py)
    return {ind.name("rounds"): len(st_df), ind.name("rounds_in_progress"): int(in_progress.sum()),
            ind.name("overdue_rounds"): int(_live_overdue(st_df).sum()),
            ind.name("failed_pending"): int(failed.sum()), ind.name("watch_items"): len(watch)}


def _date_text(s: pd.Series) -> pd.Series:
    """Dates as read: 2024年12月31日 (missing stays missing, the table writes "—")."""
    return _dates(s).map(lambda d: None if d is None else cn_date(d))


def _dates(s: pd.Series) -> pd.Series:
    """Real dates (a date cell in Excel, a date column on screen); None where missing."""
    days = pd.to_datetime(s)
    return pd.Series([None if pd.isna(d) else d.date() for d in days], index=s.index,
                     dtype=object)


def rounds_table(st_df: pd.DataFrame, as_of: dt.date, page_no: int = 1,
                 page_size: int = TABLE_PAGE_SIZE) -> tuple[pd.DataFrame, int]:
    """One page of the rounds table, most overdue first (then the nearest due date), and the
    number of rounds in all. Columns are what the screen shows, in Chinese."""
    # Rounds still running the clock first: a round superseded by a re-listing is history.
    df = st_df.assign(_old=st_df["later_round_listed"].astype(bool)).sort_values(
        ["_old", "days_overdue", "next_due", "audit_id"], ascending=[True, False, True, True],
        na_position="last", kind="stable")
    total = len(df)
    start = max(0, (page_no - 1) * page_size)
    df = df.iloc[start:start + page_size]
    milestone = df["next_milestone"].map(
        {"disclosure": "信息公开", "start": "启动审核", "report": "提交审核报告",
         "evaluation": "评估", "acceptance": "验收"})
    reason = df["reason"].astype(object).where(df["reason"].notna(), None)
    old = df["_old"]
    reason = reason.where(~old | reason.isna(), reason.fillna("") + "（已重新列入下一轮）")
    reason = reason.where(~old | reason.notna(), "已重新列入下一轮")
    out = pd.DataFrame({
        "企业名称": df["enterprise_name"],
        "档案": [record_link(u, as_of) for u in df["uscc"]],
        "当前阶段": df["stage_label"], "下一节点": milestone,
        "应完成日期": _date_text(df["next_due"]),
        "期限说明": watchlist.extension_notes(df["next_due"],
                                               df["next_due_original"]),
        "逾期天数": df["days_overdue"].astype(int), "原因": reason,
        "城市": df["city"], "区县": df["county"],
        "轮次": df["round_no"].astype(int), "列入日期": _date_text(df["listing_date"]),
        "列入原因": df["listing_reason"], "审核方式": df["audit_mode"],
        "咨询机构": df["consultancy"], "数据问题": df["data_issue"],
        "统一社会信用代码": df["uscc"],
    })
    text_cols = ["下一节点", "应完成日期", "期限说明", "咨询机构", "原因", "数据问题"]
    out[text_cols] = out[text_cols].astype(object).where(out[text_cols].notna(), "—")
    return out.reset_index(drop=True), total


# --------------------------------------------------------------------------------------------
# Watch list
# --------------------------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def permits(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Permits of the enterprises in scope and shared filters (issued by the as-of date)."""
    p, e = s.permit, s.enterprise
    stmt = (select(p.c.permit_no, p.c.uscc, p.c.kind, p.c.issue_date, p.c.expiry_date)
            .select_from(p.join(e, p.c.uscc == e.c.uscc))
            .where(and_(enterprise_where(scope, filters), p.c.issue_date <= filters.as_of))
            .order_by(p.c.uscc, p.c.permit_no))
    return read_frame(source.engine, stmt)


def watch_list(st_df: pd.DataFrame, permit_frame: pd.DataFrame, as_of: dt.date,
               clock: ClockRules) -> pd.DataFrame:
    """What needs action now, each row saying why, most urgent first (Chinese columns).

    Permit items are limited to enterprises that have rounds in the frame, so the page filters
    (county, reason, mode) narrow them too."""
    items = watchlist.watch_items(
        watchlist.round_items(st_df, as_of, clock),
        watchlist.permit_alerts(permit_frame[permit_frame["uscc"].isin(st_df["uscc"])], as_of))
    ent = (st_df.sort_values("round_no").drop_duplicates("uscc", keep="last")
           .set_index("uscc")[["enterprise_name", "city", "county"]])
    by_round = st_df.set_index("audit_id")
    rid = items["audit_id"]
    has_round = rid.notna()

    def from_round(col):
        values = pd.Series(None, index=items.index, dtype=object)
        values[has_round] = by_round.loc[rid[has_round].astype(int), col].to_numpy()
        return values

    return pd.DataFrame({
        "类别": items["category"],
        "企业名称": items["uscc"].map(ent["enterprise_name"]),
        "档案": [record_link(u, as_of) for u in items["uscc"]],
        "事由": items["reason"],
        "逾期天数": items["days_overdue"].astype(int),
        "应完成/到期日期": _dates(items["due_date"]),
        "城市": items["uscc"].map(ent["city"]), "区县": items["uscc"].map(ent["county"]),
        "轮次": from_round("round_no").map(lambda v: "—" if pd.isna(v) else f"第{int(v)}轮"),
        "咨询机构": from_round("consultancy").fillna("—"),
        "统一社会信用代码": items["uscc"],
    })


@st.cache_data(show_spinner=False, max_entries=32)
def watch(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
          page: PageFilters) -> pd.DataFrame:
    """The watch list of the page's view (status, permits and the rules, computed once)."""
    return watch_list(status(source, scope, filters, clock, page),
                      permits(source, scope, filters), filters.as_of, clock)


def category_counts(watch_frame: pd.DataFrame) -> dict[str, int]:
    """Items per category, in the watch list's order of urgency (categories present only)."""
    counts = watch_frame["类别"].value_counts()
    return {c: int(counts[c]) for c in watchlist.CATEGORIES if c in counts}


def watch_header(province: str, as_of: dt.date, scope_text: str, total: int) -> list[str]:
    """The lines on top of the exported watch list."""
    return [f"{province}清洁生产审核督办清单", f"范围：{scope_text}",
            f"数据截至 {cn_date(as_of)}；共 {total} 项"]


def calendar_note(st_df: pd.DataFrame) -> str | None:
    """A note when deadlines the page shows (next milestone, re-audit) fall in years the official
    calendar does not cover (only weekends move them there), else None."""
    live = st_df[~st_df["later_round_listed"].astype(bool)]
    return coverage_note(uncovered_years(pd.concat([live["next_due"], live["reaudit_due"]])))


def option_totals(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per-round implemented option counts as of filters.as_of (the shared audits base)."""
    return audits.option_totals(source, scope, filters, ("high_cost_total", "high_cost_done"))


def filter_text(province: str, filters: Filters, page: PageFilters, names: dict[str, str]
                ) -> str:
    """The view in words, for export headers: 江苏省；南京市；列入原因 双超 …"""
    parts = [province or "全省"]
    if filters.cities:
        parts.append("、".join(names.get(c, c) for c in filters.cities))
    if page.counties:
        parts.append("、".join(names.get(c, c) for c in page.counties))
    if filters.listing_years:
        parts.append("列入年份 " + "、".join(str(y) for y in filters.listing_years))
    if page.reasons:
        parts.append("列入原因 " + "、".join(page.reasons))
    if page.modes:
        parts.append("审核方式 " + "、".join(page.modes))
    if filters.industries or filters.parks:
        parts.append("另有行业/园区筛选")
    return "；".join(parts)
