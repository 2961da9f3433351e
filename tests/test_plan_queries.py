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
from sqlalchemy.exc import IntegrityError

from queries import plan, plan_import
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Filters, Scope
from rules import target_template as tt
from rules.clock import ClockRules
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


# ---- import -------------------------------------------------------------------------------------

HEAD = list(tt.HEADERS[:-1])


def xlsx(rows: list[list], header: list[str] | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(HEAD if header is None else header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def row(year=2023, region="南京市", industry="化工", completed=5, **more) -> list:
    values = {"audits_completed": completed, **more}
    return [year, region, industry] + [values.get(f) for f, _h, _w in tt.TARGET_COLUMNS]


def snapshot(url):
    e = get_engine(url)
    t = read_frame(e, select(s.plan_target).order_by(s.plan_target.c.target_id))
    version = read_frame(e, select(s.app_meta.c.value).where(s.app_meta.c.key == "data_version"))
    return t, version["value"].iloc[0]


BROKEN = {
    "unknown region": (xlsx([row(), row(region="上海市")]), [3], "未知地区"),
    "unknown industry": (xlsx([row(), row(region="苏州市", industry="纺织")]), [3], "未知行业"),
    "duplicate row": (xlsx([row(), row(completed=7)]), [3], "与第 2 行重复"),
    "negative": (xlsx([row(), row(region="苏州市", completed=-2)]), [3], "负数"),
    "non-numeric": (xlsx([row(), row(region="苏州市", energy_tce="很多")]), [3], "不是数字"),
    "year outside period": (xlsx([row(), row(year=2024)]), [3], "不在规划期"),
    "missing column": (xlsx([row()[:3]], header=HEAD[:3]), [1], "缺少必填列"),
    "empty file": (b"", [None], "文件为空"),
    "header only": (xlsx([]), [None], "没有数据行"),
    "not an Excel file": ("年度,地区\n2023,南京市\n".encode(), [None], "不是有效的 Excel"),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_file_writes_nothing(handmade_url, kind):
    data, rows, words = BROKEN[kind]
    before = snapshot(handmade_url)
    result = plan_import.import_file(src(handmade_url), Scope(), 1, data)
    assert not result.ok and result.version is None
    assert [e.row for e in result.errors] == rows
    assert words in result.errors[0].message
    after = snapshot(handmade_url)
    pd.testing.assert_frame_equal(before[0], after[0])
    assert before[1] == after[1] == "handmade-1"


def test_a_valid_file_upserts_and_bumps_the_version(handmade_url):
    data = xlsx([row(completed=5, energy_tce=300.0),          # updates target 2 (南京 化工)
                 row(2022, "苏州市", "电镀", 2),                # a new row
                 row(2023, "江苏省", "全部行业", 6)])           # updates target 1
    result = plan_import.import_file(src(handmade_url), Scope(), 1, data)
    assert result.ok and (result.inserted, result.updated) == (1, 2)
    t, version = snapshot(handmade_url)
    assert version == result.version != "handmade-1"
    by_id = t.set_index("target_id")
    assert by_id.loc[2, "audits_completed"] == 5 and by_id.loc[2, "energy_tce"] == 300.0
    assert by_id.loc[2, "cod_t"] == 2.0  # a blank cell keeps the stored target
    assert by_id.loc[1, "audits_completed"] == 6 and pd.isna(by_id.loc[1, "industry_code"])
    new = by_id.loc[4]
    assert (new["year"], new["region_adcode"], new["industry_code"]) == (2022, "320500",
                                                                          "electroplating")
    assert len(t) == 4
    # Importing the same file again changes values, not rows.
    again = plan_import.import_file(src(handmade_url), Scope(), 1, data)
    assert (again.inserted, again.updated) == (0, 3) and len(snapshot(handmade_url)[0]) == 4


def test_a_failure_during_the_write_rolls_everything_back(handmade_url, monkeypatch):
    before = snapshot(handmade_url)
    checked = plan_import.check_upload(src(handmade_url), Scope(), 1,
                                       xlsx([row(), row(2022, "苏州市", "电镀", 2)]))
    assert checked.ok
    rows = checked.rows.copy()
    rows.loc[1, "region_adcode"] = "999999"  # the database refuses it (foreign key)
    with pytest.raises(IntegrityError):
        plan_import.write_targets(src(handmade_url), 1, rows)
    after = snapshot(handmade_url)
    pd.testing.assert_frame_equal(before[0], after[0])
    assert after[1] == "handmade-1"


def test_a_city_official_cannot_import_other_regions(handmade_url):
    result = plan_import.import_file(src(handmade_url), Scope("city", "320100"), 1,
                                     xlsx([row(), row(region="苏州市", industry="电镀")]))
    assert [e.row for e in result.errors] == [3]
    assert "未知地区「苏州市」" in result.errors[0].message
