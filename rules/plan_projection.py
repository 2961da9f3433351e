"""Where a plan period will end at the current pace (计划期末预计完成), and its on-track mark.

Pure functions over numbers and dates. The pace is what has been achieved since the period began
divided by the days elapsed (counting the as-of day); the projection extends that pace to the last
day of the period. The mark is rules.plan_status.plan_mark with the share of the *period* elapsed,
so "on track" means exactly "the projection reaches the target".
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from rules.plan_status import plan_mark


def period_days(start_year: int, end_year: int) -> int:
    return (date(end_year, 12, 31) - date(start_year, 1, 1)).days + 1


def elapsed_days(start_year: int, end_year: int, as_of: date) -> int:
    """Days of the period passed on `as_of`, counting as_of itself (0 before, all after)."""
    start, end = date(start_year, 1, 1), date(end_year, 12, 31)
    if as_of < start:
        return 0
    return (min(as_of, end) - start).days + 1


def period_elapsed_share(start_year: int, end_year: int, as_of: date) -> float:
    return elapsed_days(start_year, end_year, as_of) / period_days(start_year, end_year)


def year_end(year: int, as_of: date) -> date:
    """The date a year's figures are counted to: 31 December, or the as-of date if earlier."""
    return min(date(year, 12, 31), as_of)


def projected_at(actual_to_date: float, start_year: int, end_year: int, as_of: date,
                 on: date) -> float | None:
    """Cumulative figure expected on `on` at the pace so far; None before the period starts.
    Dates up to as_of give back the actual figure (nothing is projected into the past)."""
    done = elapsed_days(start_year, end_year, as_of)
    if done == 0:
        return None
    if on <= as_of:
        return float(actual_to_date)
    ahead = elapsed_days(start_year, end_year, on) - done
    return float(actual_to_date) + float(actual_to_date) / done * ahead


def project(actual_to_date: float, start_year: int, end_year: int, as_of: date) -> float | None:
    """The figure at the end of the period at the current pace (None before it starts)."""
    return projected_at(actual_to_date, start_year, end_year, as_of, date(end_year, 12, 31))


def period_mark(actual_to_date: float, target: float | None, start_year: int, end_year: int,
                as_of: date) -> str | None:
    """on_track / at_risk / behind of a period total, or None without a target or before the
    period starts."""
    if target is None or (isinstance(target, float) and math.isnan(target)):
        return None
    share = period_elapsed_share(start_year, end_year, as_of)
    if share == 0:
        return None
    return plan_mark(float(actual_to_date), float(target), share)


def cumulative_curve(start_year: int, end_year: int, as_of: date,
                     target_by_year: dict[int, float | None],
                     actual_by_year: dict[int, float]) -> pd.DataFrame:
    """Year-end points of the planned, actual and projected cumulative figures.

    Columns: year, planned (cumulative target; NaN once a year has no target), actual
    (cumulative, only for years begun by as_of), projected (from the current year on, at the
    pace so far). Actuals of a year count to 31 December or to as_of if earlier."""
    rows, planned, actual = [], 0.0, 0.0
    have_plan = True
    for y in range(start_year, end_year + 1):
        t = target_by_year.get(y)
        if t is None or (isinstance(t, float) and math.isnan(t)):
            have_plan = False
        else:
            planned += float(t)
        begun = date(y, 1, 1) <= as_of
        if begun:
            actual += float(actual_by_year.get(y, 0.0) or 0.0)
        rows.append({"year": y, "planned": planned if have_plan else math.nan,
                     "actual": actual if begun else math.nan})
    df = pd.DataFrame(rows, columns=["year", "planned", "actual"])
    to_date = float(df["actual"].max()) if df["actual"].notna().any() else 0.0
    started = as_of >= date(start_year, 1, 1)
    df["projected"] = [
        projected_at(to_date, start_year, end_year, as_of, date(y, 12, 31))
        if started and date(y, 12, 31) >= as_of else math.nan for y in df["year"]]
    df["projected"] = df["projected"].astype("float64")
    return df
