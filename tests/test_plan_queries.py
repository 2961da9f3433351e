"""Targets vs actuals and the target import on the hand-built database, SQLite and PostgreSQL.

Known answers, derived by hand from tests/handmade.py (clock defaults: an audit counts as
completed when its evaluation is passed):
- In 2023 three rounds are listed and started (R1, R2 南京 化工; R3 苏州 电镀), R3's report is
  submitted, nothing is evaluated or accepted; R1's two 无/低费 options (10 tce, 1,000 t water,
  5.0 万元) are implemented. So against the 2021—2023 plan (2023: province completed 3,
  evaluations 3, acceptances 2; 南京 化工 2/2/1, 100 tce, 2 t COD; 苏州 电镀 1/1/1) every
  completion figure is 0, and the period is over: behind.
- In 2024 (tests/plan_handmade.py, period 2024—2025): R1 passes evaluation (04-10) and
  acceptance (11-20), R3 fails evaluation (02-01), R4 and R5 are listed, option 3 (120 tce,
  2.5 t COD, 150 万元) is implemented.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import select

from queries import intake, plan
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Filters, Scope
from rules.clock import ClockRules
from rules.intake_places import TARGETS
from tests import plan_handmade

AS_OF = dt.date(2024, 12, 31)
F = Filters(as_of=AS_OF)
PROVINCE = "320000"



@pytest.fixture
def plan_url(db_url):
    plan_handmade.build(get_engine(db_url))
    return db_url


def src(url: str, version: str = "v1") -> Source:
    return Source(url, version)


def actuals(url, scope=Scope(), first=2021, last=2023, filters=F):
    return plan.yearly_actuals(src(url), scope, filters, ClockRules(), first, last)


def test_actuals_of_2023_by_hand(handmade_url):
    a = actuals(handmade_url)
    assert set(a["year"]) == {2023}
    by_city = a.groupby("city_adcode")[plan.ACTUAL_COLUMNS].sum()
    assert by_city.loc["320100", "listed"] == 2 and by_city.loc["320500", "listed"] == 1
    assert by_city["started"].sum() == 3 and by_city["reported"].sum() == 1
    for col in ("completed", "evaluations_passed", "acceptances", "evaluated", "accepted"):
        assert by_city[col].sum() == 0, col
    assert by_city.loc["320100", "low_cost_done"] == 2
    assert by_city.loc["320100", "investment_low_wan"] == 5.0
    assert by_city.loc["320100", "energy_tce"] == 10.0
    assert by_city.loc["320100", "water_t"] == 1000.0
    assert by_city["high_cost_done"].sum() == 0


def test_a_year_counted_alone_equals_that_year_of_the_period(handmade_url):
    """The plan page takes the annual report's year from the period's actuals (one count
    instead of two): that is only right if counting a year alone, to its 31 December, gives
    the same rows."""
    period = actuals(handmade_url, first=2021, last=2024)
    for year in (2023, 2024):
        alone = actuals(handmade_url, first=year, last=year,
                        filters=Filters(as_of=dt.date(year, 12, 31)))
        assert len(alone), year
        pd.testing.assert_frame_equal(
            period[period["year"] == year].reset_index(drop=True), alone)


def test_actuals_of_2024_by_hand(handmade_url):
    a = actuals(handmade_url, first=2024, last=2024).set_index(["city_adcode", "industry_code",
                                                                "county_adcode"])
    nj = a.loc[("320100", "chemicals", "320111")]
    assert (nj["completed"], nj["evaluations_passed"], nj["acceptances"]) == (1, 1, 1)
    assert (nj["energy_tce"], nj["cod_t"], nj["investment_high_wan"]) == (120.0, 2.5, 150.0)
    sz = a.loc[("320500", "electroplating", "320505")]
    assert (sz["evaluations_failed"], sz["listed"], sz["started"]) == (1, 1, 1)  # R3, R5
    assert a.loc[("320500", "dyeing", "320509"), "listed"] == 1  # R4


def test_as_of_caps_the_year(handmade_url):
    mid = Filters(as_of=dt.date(2024, 6, 30))
    a = actuals(handmade_url, first=2024, last=2024, filters=mid)
    assert a["evaluations_passed"].sum() == 1 and a["acceptances"].sum() == 0  # 11-20 is later
    assert a["energy_tce"].sum() == 0  # option 3 implemented 2024-09-01


def test_target_detail_of_period_1(handmade_url):
    targets = plan.targets(src(handmade_url), Scope(), F, 1)
    detail = plan.target_detail(targets, actuals(handmade_url))
    got = {(r.地区, r.行业, r.指标): (r.目标, r.实际) for r in detail.itertuples()}
    assert got[("江苏省", "全部行业", "完成审核")] == (3, 0)
    assert got[("江苏省", "全部行业", "通过评估")] == (3, 0)
    assert got[("江苏省", "全部行业", "通过验收")] == (2, 0)
    assert got[("江苏省", "全部行业", "列入审核")] == (3, 3)
    assert got[("南京市", "化工", "完成审核")] == (2, 0)
    assert got[("南京市", "化工", "节能量")] == (100, 10)
    assert got[("南京市", "化工", "化学需氧量减排量")] == (2, 0)
    assert got[("苏州市", "电镀", "完成审核")] == (1, 0)
    assert got[("苏州市", "电镀", "列入审核")] == (1, 1)
    assert len(detail) == 14


def board(url, period, metric, units, start, end, scope=Scope()):
    return plan.scoreboard(units, plan.targets(src(url), scope, F, period),
                           actuals(url, scope, start, end),
                           plan.listed_enterprises(src(url), scope, F), PROVINCE, (), metric,
                           start, end, AS_OF).set_index("地区")


UNITS = [("省", PROVINCE, "江苏省"), ("市", "320100", "南京市"), ("市", "320500", "苏州市")]


def test_period_1_scoreboard(handmade_url):
    b = board(handmade_url, 1, "audits_completed", UNITS, 2021, 2023)
    assert list(b["期内目标（轮）"]) == [3, 2, 1]
    assert list(b["实际完成（轮）"]) == [0, 0, 0]
    assert list(b["预计期末（轮）"]) == [0, 0, 0]
    assert list(b["mark"]) == ["behind"] * 3
    assert list(b["列入企业数（家）"]) == [4, 2, 2]  # E5 was never listed
    listed = board(handmade_url, 1, "audits_listed", UNITS, 2021, 2023)
    assert list(listed["实际完成（轮）"]) == [3, 2, 1]
    assert list(listed["mark"]) == ["on_track"] * 3


def test_period_2_projection_and_marks(plan_url):
    b = board(plan_url, 2, "audits_completed", UNITS, 2024, 2025)
    assert list(b["期内目标（轮）"]) == [4, 1, 1]
    assert list(b["实际完成（轮）"]) == [1, 1, 0]
    assert b.loc["江苏省", "预计期末（轮）"] == pytest.approx(1 + 365 / 366)
    assert list(b["mark"]) == ["behind", "on_track", "behind"]
    assert b.loc["江苏省", "每百家列入企业完成审核（轮）"] == 25.0
    assert b.loc["南京市", "每百家列入企业完成审核（轮）"] == 50.0
    assert b.loc["苏州市", "每百家列入企业目标（轮）"] == 50.0
    prov = [UNITS[0]]
    assert board(plan_url, 2, "evaluations_passed", prov, 2024, 2025)["mark"].iloc[0] == "on_track"
    assert board(plan_url, 2, "acceptances", prov, 2024, 2025)["mark"].iloc[0] == "at_risk"
    drivers = plan.shortfall_drivers(
        UNITS[1:], {"chemicals": "化工", "electroplating": "电镀"},
        plan.targets(src(plan_url), Scope(), F, 2), actuals(plan_url, first=2024, last=2025),
        "audits_completed", 2024, 2025, AS_OF)
    assert drivers[["地区", "行业", "缺口"]].values.tolist() == [["苏州市", "电镀", 1.0]]


def test_city_scope_sees_only_its_city(handmade_url):
    nj = Scope("city", "320100")
    a = actuals(handmade_url, nj, 2021, 2024)
    assert set(a["city_adcode"]) == {"320100"}
    t = plan.targets(src(handmade_url), nj, F, 1)
    assert list(t["region_adcode"]) == ["320100"]  # not the province's nor 苏州's target
    assert set(plan.scope_regions(src(handmade_url), nj)["adcode"]) == {"320100", "320111"}
    assert set(plan.listed_enterprises(src(handmade_url), nj, F)["city_adcode"]) == {"320100"}
    assert plan.cluster_audits(src(handmade_url), nj, F, 2024).empty


# ---- import: data intake's kind 计划目标 (queries/intake_places.py) -----------------------------

P1 = "2021—2023年实施方案"
HEAD = [c.header for c in TARGETS.columns]


def xlsx(*rows: dict) -> bytes:
    """The 计划目标 template with rows by field (period 1, 2023, 南京市, 化工 unless given)."""
    book = Workbook()
    ws = book.active
    ws.append(HEAD)
    for r in rows:
        values = {"period": P1, "year": 2023, "region": "南京市", "industry": "化工", **r}
        ws.append([values.get(c.field) for c in TARGETS.columns])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_an_import_changes_the_targets_the_plan_reads(handmade_url):
    data = xlsx({"audits_completed": 5, "energy_tce": 300.0},          # target 2
                {"year": 2022, "region": "苏州市", "industry": "电镀",
                 "audits_completed": 2},                                # a new target
                {"region": "江苏省", "industry": "全部行业", "audits_completed": 6})  # target 1
    out = intake.confirm(src(handmade_url), Scope(), "targets", data, "目标.xlsx",
                         intake.Actor("测试员"))
    assert out.ok and (out.preview.count("新增"), out.preview.count("修改")) == (1, 2)
    t = plan.targets(src(handmade_url, out.version), Scope(), F, 1).set_index(
        ["year", "region_adcode"])
    assert t.loc[(2023, "320100"), "audits_completed"] == 5
    assert t.loc[(2023, "320100"), "energy_tce"] == 300.0
    assert t.loc[(2023, "320000"), "audits_completed"] == 6
    assert t.loc[(2022, "320500"), "industry_name"] == "电镀"
    assert len(t) == 4
    # Importing the same file again changes nothing.
    again = intake.preview(src(handmade_url), Scope(), "targets", data)
    assert [r.status for r in again.rows] == ["无变化"] * 3


def test_a_blank_cell_keeps_the_other_targets(handmade_url):
    """One filled cell of a row changes that target only: the others of the row are kept (the
    old plan import left them empty)."""
    before = plan.targets(src(handmade_url), Scope(), F, 1).set_index("target_id")
    out = intake.confirm(src(handmade_url), Scope(), "targets", xlsx({"acceptances": 2}),
                         "目标.xlsx", intake.Actor("测试员"))
    assert out.ok
    after = plan.targets(src(handmade_url, out.version), Scope(), F, 1).set_index("target_id")
    assert after.loc[2, "acceptances"] == 2
    changed = [(i, c) for i in before.index for c in plan.METRICS
               if not (before.loc[i, c] == after.loc[i, c]
                       or pd.isna(before.loc[i, c]) and pd.isna(after.loc[i, c]))]
    assert changed == [(2, "acceptances")]


def test_a_city_official_cannot_import_other_regions(handmade_url):
    before = read_frame(get_engine(handmade_url), select(s.plan_target))
    out = intake.confirm(src(handmade_url), Scope("city", "320100"), "targets",
                         xlsx({"audits_completed": 1},
                              {"region": "苏州市", "industry": "电镀", "audits_completed": 1}),
                         "目标.xlsx", intake.Actor("测试员"))
    assert not out.ok
    assert [r.status for r in out.preview.rows] == ["修改", "拒绝"]
    assert "只能导入本辖区（南京市）的计划目标" in out.preview.rows[1].problems[0].message
    pd.testing.assert_frame_equal(before, read_frame(get_engine(handmade_url),
                                                     select(s.plan_target)))
