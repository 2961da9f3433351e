"""Pure rules of the plan page: projection to the end of a period. (The target import is data
intake's kind 计划目标: tests/test_intake_places.py.)"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from rules.plan_projection import (
    cumulative_curve,
    elapsed_days,
    period_days,
    period_mark,
    project,
    projected_at,
    year_end,
)

D = dt.date.fromisoformat


# ---- projection ---------------------------------------------------------------------------------

def test_period_days_and_elapsed():
    assert period_days(2021, 2023) == 1095
    assert period_days(2024, 2025) == 731  # 2024 is a leap year
    assert elapsed_days(2024, 2025, D("2023-12-31")) == 0
    assert elapsed_days(2024, 2025, D("2024-01-01")) == 1
    assert elapsed_days(2024, 2025, D("2024-12-31")) == 366
    assert elapsed_days(2024, 2025, D("2030-01-01")) == 731


def test_projection_at_current_pace():
    # 1 done in the first 366 of 731 days -> 1 + 1/366 * 365 at the end.
    assert project(1, 2024, 2025, D("2024-12-31")) == pytest.approx(1 + 365 / 366)
    assert project(0, 2024, 2025, D("2024-12-31")) == 0
    assert project(5, 2021, 2023, D("2024-12-31")) == 5  # period over: nothing to add
    assert project(3, 2024, 2025, D("2023-06-30")) is None  # not begun
    assert projected_at(10, 2024, 2025, D("2024-12-31"), D("2024-06-30")) == 10  # the past


def test_period_mark_follows_the_projection():
    as_of = D("2024-12-31")  # 366/731 = 50.07% of 2024-2025 elapsed
    assert period_mark(1, 4, 2024, 2025, as_of) == "behind"      # 25% < 50% - 15
    assert period_mark(1, 2, 2024, 2025, as_of) == "at_risk"     # 50.0% just below 50.07%
    assert period_mark(1, 1, 2024, 2025, as_of) == "on_track"
    assert period_mark(0, 0, 2024, 2025, as_of) == "on_track"    # nothing asked
    assert period_mark(1, None, 2024, 2025, as_of) is None
    assert period_mark(2, 3, 2021, 2023, as_of) == "behind"      # period over, not reached
    assert period_mark(0, 3, 2025, 2026, as_of) is None          # not begun


def test_cumulative_curve():
    curve = cumulative_curve(2024, 2025, D("2024-12-31"), {2024: 2.0, 2025: 2.0},
                             {2024: 1.0, 2025: 0.0})
    assert list(curve["planned"]) == [2.0, 4.0]
    assert curve["actual"].iloc[0] == 1.0 and math.isnan(curve["actual"].iloc[1])
    assert curve["projected"].iloc[0] == 1.0
    assert curve["projected"].iloc[1] == pytest.approx(1 + 365 / 366)
    # A year without a target breaks the planned line from there on.
    gap = cumulative_curve(2021, 2023, D("2024-12-31"), {2021: None, 2022: None, 2023: 3.0},
                           {2023: 0.0})
    assert gap["planned"].isna().all() and list(gap["actual"]) == [0.0, 0.0, 0.0]
    assert year_end(2023, D("2024-12-31")) == D("2023-12-31")
    assert year_end(2024, D("2024-06-30")) == D("2024-06-30")
