"""Plan progress: which plan year applies, which target counts, and the on-track mark.

Pure functions shared by the overview (issue 3) and the plan page (issue 6):

- `plan_year(periods, as_of, preferred)`: the plan year is the as-of year, inside the plan period
  that contains it (the period chosen in the filter if it contains it, else the latest-starting
  one); None when no period covers the as-of year.
- `resolve_target(targets, regions, province, industries, column)`: the target for a set of
  regions (see its docstring for the order: all-industries row, sum of industry rows, sum of the
  cities' targets); `own_targets` applies the same rule to every region and year at once.
- `plan_mark(actual, target, elapsed_share)`: "on_track" / "at_risk" / "behind", with
  `PLAN_MARK_LABELS` for the Chinese words and `PLAN_MARK_HELP` for the definition shown on pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

PLAN_MARKS = ("on_track", "at_risk", "behind")
PLAN_MARK_LABELS = {"on_track": "进度正常", "at_risk": "存在风险", "behind": "进度滞后"}
PLAN_MARK_COLOURS = {"on_track": "green", "at_risk": "orange", "behind": "red"}
# How far (as a share of the annual target) completion may trail the share of the year elapsed
# before the mark turns from at-risk to behind.
AT_RISK_TOLERANCE = 0.15

PLAN_MARK_HELP = (
    "时间进度 = 截至日期已过天数 ÷ 全年天数。完成率不低于时间进度为“进度正常”；"
    f"落后时间进度不超过{AT_RISK_TOLERANCE * 100:.0f}个百分点为“存在风险”；"
    f"落后超过{AT_RISK_TOLERANCE * 100:.0f}个百分点，或年度已结束仍未完成目标，为“进度滞后”。"
)


def elapsed_share(as_of: date, year: int) -> float:
    """Share of `year` elapsed on `as_of`, counting as_of itself: 0 before the year, 1 after."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if as_of < start:
        return 0.0
    if as_of >= end:
        return 1.0
    return ((as_of - start).days + 1) / ((end - start).days + 1)


def plan_mark(actual: float, target: float, elapsed_share: float) -> str:
    """On-track mark of `actual` against an annual `target` when `elapsed_share` of the year
    has passed. A target of 0 (nothing asked) is on track. Raises ValueError on negative or
    missing numbers (a programming error: callers skip figures that have no target)."""
    for name, v in (("actual", actual), ("target", target), ("elapsed_share", elapsed_share)):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v < 0:
            raise ValueError(f"plan_mark: {name} 应为非负数，实际为 {v!r}")
    expected = min(float(elapsed_share), 1.0)
    if target == 0 or actual >= target:
        return "on_track"
    gap = round(expected - actual / target, 9)  # rounding keeps 0.50 - 0.35 at 0.15
    if gap <= 0:
        return "on_track"
    if expected >= 1.0 or gap > AT_RISK_TOLERANCE:
        return "behind"
    return "at_risk"


def plan_mark_label(mark: str) -> str:
    return PLAN_MARK_LABELS[mark]


@dataclass(frozen=True)
class PlanYear:
    period_id: int
    period_name: str
    year: int


def plan_year(periods: pd.DataFrame, as_of: date, preferred: int | None = None
              ) -> PlanYear | None:
    """The plan year for `as_of`: its calendar year, within a period (rows with period_id, name,
    start_year, end_year) that contains it. The `preferred` period wins when it contains the
    year; otherwise the period that started last (the newest plan). None when none contains it."""
    year = as_of.year
    rows = periods[(periods["start_year"] <= year) & (periods["end_year"] >= year)]
    if rows.empty:
        return None
    chosen = rows[rows["period_id"] == preferred] if preferred is not None else rows.iloc[:0]
    if chosen.empty:
        chosen = rows.sort_values(["start_year", "period_id"]).iloc[[-1]]
    r = chosen.iloc[0]
    return PlanYear(int(r["period_id"]), str(r["name"]), year)


def own_targets(targets: pd.DataFrame, province: str, industries: tuple[str, ...] = (),
                column: str = "audits_completed", per_industry: bool = False) -> pd.DataFrame:
    """Every region's target `column` per year, resolved in one pass (the rule resolve_target
    states): columns year, region_adcode, value, note. `targets` holds plan_target rows
    (region_adcode, industry_code, parent_adcode, <column>, and year when several years are
    given). Regions with no target are absent. `per_industry`: one row per industry as well
    (column industry_code), each what `industries=(that industry,)` gives, for all at once."""
    t = targets[targets[column].notna()]
    if "year" not in t.columns:
        t = t.assign(year=0)
    if industries:
        t = t[t["industry_code"].isin(industries)]
    keys = ["year", "region_adcode", *(["industry_code"] if per_industry else [])]
    whole = t[t["industry_code"].isna()].drop_duplicates(keys)
    parts = t[t["industry_code"].notna()].groupby(keys, as_index=False)[column].sum()
    if industries or per_industry:
        own = (parts if per_industry else pd.concat([whole, parts]).groupby(
            keys, as_index=False)[column].sum()).assign(note="所选行业目标之和")
    else:
        own = pd.concat([whole[[*keys, column]].assign(note="全部行业目标"),
                         parts.assign(note="分行业目标之和")]).drop_duplicates(keys)
    own = own.rename(columns={column: "value"})[[*keys, "value", "note"]]
    # The province, where it has no target of its own: the sum of its cities' targets.
    city_codes = set(targets.loc[targets["parent_adcode"] == province, "region_adcode"])
    cities = own[own["region_adcode"].isin(city_codes)]
    rest = [k for k in keys if k != "region_adcode"]
    summed = (cities.groupby(rest, as_index=False)["value"].sum()
              .assign(region_adcode=province, note="各市目标之和"))
    has_own = own.loc[own["region_adcode"] == province, rest].drop_duplicates()
    summed = summed.merge(has_own, on=rest, how="left", indicator=True)
    summed = summed[summed["_merge"] == "left_only"]
    out = pd.concat([own, summed[own.columns]], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out


def resolve_target(targets: pd.DataFrame, regions: list[str], province: str,
                   industries: tuple[str, ...] = (), column: str = "audits_completed"
                   ) -> tuple[float | None, str]:
    """The target `column` for `regions` (summed), from the plan_target rows of one plan year
    (columns region_adcode, industry_code, <column>; region rows carry parent_adcode).

    For each region, in order:
    1. no industry filter: its all-industries row (industry NULL); else the sum of its industry
       rows; with an industry filter: the sum of its rows for those industries;
    2. the province only, when 1 gives nothing: the sum of its cities' targets by rule 1.
    A NULL value means no target is set for that figure. Returns (value or None, Chinese note
    of the basis used)."""
    own = own_targets(targets, province, industries, column).set_index("region_adcode")
    found = [own.loc[r] for r in regions if r in own.index]
    if not found:
        return None, "未设定目标"
    total = float(sum(float(r["value"]) for r in found))
    basis = "、".join(dict.fromkeys(str(r["note"]) for r in found))
    return total, ("多个地区" + basis + "合计" if len(regions) > 1 else basis)
