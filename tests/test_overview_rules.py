"""rules/plan_status.py: the plan year, the target that applies, and the on-track mark."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from rules.plan_status import (
    AT_RISK_TOLERANCE,
    PLAN_MARK_LABELS,
    PLAN_MARKS,
    elapsed_share,
    own_targets,
    plan_mark,
    plan_mark_label,
    plan_year,
    resolve_target,
)

D = dt.date.fromisoformat


@pytest.mark.parametrize(("actual", "target", "elapsed", "mark"), [
    (50, 100, 0.5, "on_track"),      # exactly on the time line
    (60, 100, 0.5, "on_track"),
    (40, 100, 0.5, "at_risk"),       # 10 points behind
    (35, 100, 0.5, "at_risk"),       # 15 points behind: still at risk (boundary)
    (34, 100, 0.5, "behind"),        # 16 points behind
    (0, 10, 0.1, "at_risk"),         # early in the year, nothing done yet
    (0, 10, 0.2, "behind"),
    (99, 100, 1.0, "behind"),        # the year is over and the target was missed
    (100, 100, 1.0, "on_track"),
    (130, 100, 0.2, "on_track"),
    (0, 0, 0.7, "on_track"),         # nothing asked
    (3, 4, 1.5, "behind"),           # elapsed beyond the year counts as the whole year
    (0, 4, 0.0, "on_track"),         # before the year starts
])
def test_plan_mark(actual, target, elapsed, mark):
    assert plan_mark(actual, target, elapsed) == mark


def test_tolerance_is_fifteen_points_and_labels_are_chinese():
    assert AT_RISK_TOLERANCE == 0.15
    assert set(PLAN_MARK_LABELS) == set(PLAN_MARKS)
    assert [plan_mark_label(m) for m in PLAN_MARKS] == ["进度正常", "存在风险", "进度滞后"]


@pytest.mark.parametrize("bad", [(-1, 10, 0.5), (1, -10, 0.5), (1, 10, -0.1),
                                 (np.nan, 10, 0.5), (1, None, 0.5)])
def test_plan_mark_rejects_negative_or_missing_numbers(bad):
    with pytest.raises(ValueError):
        plan_mark(*bad)


def test_elapsed_share_counts_the_as_of_day():
    assert elapsed_share(D("2024-01-01"), 2024) == pytest.approx(1 / 366)
    assert elapsed_share(D("2024-06-30"), 2024) == pytest.approx(182 / 366)
    assert elapsed_share(D("2023-07-02"), 2023) == pytest.approx(183 / 365)
    assert elapsed_share(D("2024-12-31"), 2024) == 1.0
    assert elapsed_share(D("2025-03-01"), 2024) == 1.0
    assert elapsed_share(D("2023-12-31"), 2024) == 0.0


PERIODS = pd.DataFrame({"period_id": [1, 2, 3], "name": ["2021—2023", "2024—2026", "十四五"],
                        "start_year": [2021, 2024, 2021], "end_year": [2023, 2026, 2025]})


def test_plan_year_picks_the_newest_period_containing_the_year():
    py = plan_year(PERIODS, D("2024-05-01"))
    assert (py.period_id, py.period_name, py.year) == (2, "2024—2026", 2024)
    # 2021—2023 and 十四五 both start in 2021: the tie goes to the later entry (higher id)
    assert plan_year(PERIODS, D("2022-05-01")).period_id == 3


def test_plan_year_honours_the_chosen_period_when_it_contains_the_year():
    assert plan_year(PERIODS, D("2024-05-01"), preferred=3).period_id == 3
    assert plan_year(PERIODS, D("2022-05-01"), preferred=1).period_id == 1
    # chosen period does not contain the year: fall back to the newest that does
    assert plan_year(PERIODS, D("2024-05-01"), preferred=1).period_id == 2


def test_no_plan_year_outside_every_period():
    assert plan_year(PERIODS, D("2027-01-01")) is None
    assert plan_year(PERIODS.iloc[:0], D("2024-01-01")) is None


TARGETS = pd.DataFrame([
    # region, parent, industry, audits_completed
    ("320000", None, None, 10.0),
    ("320100", "320000", None, 4.0),
    ("320100", "320000", "chemicals", 3.0),
    ("320500", "320000", "chemicals", 2.0),
    ("320500", "320000", "dyeing", 1.0),
    ("320200", "320000", None, np.nan),          # NULL = no target set
], columns=["region_adcode", "parent_adcode", "industry_code", "audits_completed"])


def test_province_all_industries_row_wins():
    assert resolve_target(TARGETS, ["320000"], "320000") == (10.0, "全部行业目标")


def test_city_without_all_industries_row_sums_its_industry_rows():
    assert resolve_target(TARGETS, ["320500"], "320000") == (3.0, "分行业目标之和")
    assert resolve_target(TARGETS, ["320100"], "320000") == (4.0, "全部行业目标")


def test_several_cities_are_summed():
    value, note = resolve_target(TARGETS, ["320100", "320500"], "320000")
    assert value == 7.0 and note == "多个地区全部行业目标、分行业目标之和合计"


def test_industry_filter_uses_industry_rows_and_falls_back_to_the_cities():
    assert resolve_target(TARGETS, ["320500"], "320000", ("dyeing",)) == (1.0, "所选行业目标之和")
    # the province has no chemicals row: the cities' chemicals targets add up
    assert resolve_target(TARGETS, ["320000"], "320000", ("chemicals",)) == (5.0, "各市目标之和")


def test_province_without_its_own_row_sums_the_cities():
    no_province = TARGETS[TARGETS["region_adcode"] != "320000"]
    assert resolve_target(no_province, ["320000"], "320000") == (7.0, "各市目标之和")


def test_no_target_set():
    assert resolve_target(TARGETS, ["320200"], "320000") == (None, "未设定目标")
    assert resolve_target(TARGETS, ["320100"], "320000", ("magnesia",)) == (None, "未设定目标")


def test_own_targets_resolves_every_region_and_year_at_once():
    two_years = pd.concat([TARGETS.assign(year=2024),
                           TARGETS[TARGETS["region_adcode"] != "320000"].assign(year=2025)])
    own = own_targets(two_years, "320000").set_index(["year", "region_adcode"])
    assert own.loc[(2024, "320000"), "value"] == 10.0  # its own row
    assert own.loc[(2025, "320000"), "value"] == 7.0  # no row in 2025: the cities' sum
    assert own.loc[(2025, "320000"), "note"] == "各市目标之和"
    assert own.loc[(2025, "320500"), "value"] == 3.0
    assert (2024, "320200") not in own.index  # NULL target: absent
    by_industry = own_targets(two_years, "320000", ("chemicals",)).set_index(
        ["year", "region_adcode"])["value"].to_dict()
    assert by_industry == {(2024, "320100"): 3.0, (2024, "320500"): 2.0, (2024, "320000"): 5.0,
                           (2025, "320100"): 3.0, (2025, "320500"): 2.0, (2025, "320000"): 5.0}


def test_own_targets_per_industry_equal_one_industry_at_a_time():
    two_years = pd.concat([TARGETS.assign(year=2024),
                           TARGETS[TARGETS["region_adcode"] != "320100"].assign(year=2025)])
    every = own_targets(two_years, "320000", per_industry=True)
    assert set(every["industry_code"]) == {"chemicals", "dyeing"}
    for code in ("chemicals", "dyeing"):
        alone = own_targets(two_years, "320000", (code,))
        mine = every[every["industry_code"] == code].drop(columns="industry_code")
        pd.testing.assert_frame_equal(
            mine.sort_values(["year", "region_adcode"], ignore_index=True),
            alone.sort_values(["year", "region_adcode"], ignore_index=True))
