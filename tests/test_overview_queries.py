"""queries/overview.py on the hand-built province, SQLite and PostgreSQL, as of 2024-12-31.

Known answers (tests/handmade.py docstring): 4 enterprises listed in 5 rounds; report due in 2024
for R1–R3; started R1 R2 R3 R5; reports R1 R3; evaluation passed R1, failed R3; accepted R1;
overdue E2 (report, 305 days) and E4 (start, 239 days: due 2024-05-01, in the May Day holiday,
moved to 2024-05-06). A year earlier (2023-12-31): 3 enterprises, 3 rounds, all started, R3's
report in, nothing overdue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from queries import overview as ov
from queries.db import Source, get_engine
from queries.scope import PROVINCE, Filters, Scope
from rules.clock import ClockRules
from tests import handmade, overview_data

AS_OF = handmade.AS_OF
F = Filters(as_of=AS_OF)
CLOCK = ClockRules()
NANJING, SUZHOU = Scope("city", "320100"), Scope("city", "320500")



@pytest.fixture
def src(handmade_url):
    return Source(handmade_url, "handmade-1")


@pytest.fixture
def plus(db_url):
    """tests/overview_data.py (handmade + a 2024 plan + R6 with no report date) on each backend."""
    overview_data.build(get_engine(db_url))
    return Source(db_url, "overview-1")


def values(df, col="value"):
    return dict(zip(df["key"], df[col]))


def test_kpis_and_change_against_the_same_date_last_year(src):
    k = ov.kpis(src, PROVINCE, F, CLOCK)
    assert values(k) == {
        "listed": 4, "due": 3, "started": 4, "reported": 2, "eval_passed": 1, "eval_failed": 1,
        "accepted": 1, "overdue": 2, "overdue_0": 0, "overdue_1": 0, "overdue_2": 2,
        "reaudit": 0, "reaudit_soon": 0,  # E1's re-audit is due 2029-11-20
        "due_completed": 1, "completed": 1, "rounds": 5}
    assert values(k, "last_year") == {
        "listed": 3, "due": 0, "started": 3, "reported": 1, "eval_passed": 0, "eval_failed": 0,
        "accepted": 0, "overdue": 0, "overdue_0": 0, "overdue_1": 0, "overdue_2": 0,
        "reaudit": 0, "reaudit_soon": 0, "due_completed": 0, "completed": 0, "rounds": 3}
    assert values(k, "change")["listed"] == 1 and values(k, "change")["overdue"] == 2
    assert all(k.loc[k["key"].isin(ov.KPI_KEYS), "help"].str.len() > 10)


def test_overdue_split_by_days(src):
    # 2024-04-15: E2 not yet late (report due 2024-03-01 -> 45 days late); E4's start due
    # 2024-05-01 not reached. So one enterprise, 31–90 days.
    k = ov.kpis(src, PROVINCE, dataclasses.replace(F, as_of=dt.date(2024, 4, 15)), CLOCK)
    v = values(k)
    assert (v["overdue"], v["overdue_0"], v["overdue_1"], v["overdue_2"]) == (1, 0, 1, 0)


def test_the_list_behind_a_kpi(src):
    rows, total, firms = ov.kpi_list(src, PROVINCE, F, CLOCK, "overdue")
    assert (total, firms) == (2, 2)
    assert list(rows["企业名称"]) == ["南京乙化工有限公司", "苏州丁印染有限公司"]
    # E4's start was due 2024-05-01 (May Day holiday), moved to 2024-05-06: 239 days, not 244.
    assert list(rows["逾期天数"]) == [305, 239]
    assert list(rows["需关注事项"]) == ["审核报告逾期 305 天", "启动审核逾期 239 天"]
    rows, total, _ = ov.kpi_list(src, PROVINCE, F, CLOCK, "due")
    assert total == 3 and set(rows["企业名称"]) == {
        "南京甲化工有限公司", "南京乙化工有限公司", "苏州丙电镀有限公司"}
    rows, total, firms = ov.kpi_list(src, PROVINCE, F, CLOCK, "started", limit=2)
    assert (len(rows), total, firms) == (2, 4, 3)  # E3 started two rounds


def test_achievements_summed_in_sql(src):
    a = ov.achievements(src, PROVINCE, F).set_index("key")
    assert a.loc["low", ["本年", "累计"]].tolist() == [0.0, 2.0]
    assert a.loc["high", ["本年", "累计"]].tolist() == [1.0, 1.0]
    assert a.loc["investment_wan", ["本年", "累计"]].tolist() == [150.0, 155.0]
    assert a.loc["econ_benefit_wan", ["本年", "累计"]].tolist() == [80.0, 90.0]
    assert a.loc["energy_tce", ["本年", "累计"]].tolist() == [120.0, 130.0]
    assert a.loc["water_t", ["本年", "累计"]].tolist() == [5000.0, 6000.0]
    assert a.loc["cod_t", ["本年", "累计"]].tolist() == [2.5, 2.5]
    assert a.loc["so2_t", "累计"] == 0.0 and a.loc["no_figures", "累计"] == 0.0
    assert a.loc["energy_tce", "单位"] == "吨标准煤/年"
    # before R1's medium/high-cost option was implemented (2024-09-01)
    early = ov.achievements(src, PROVINCE, dataclasses.replace(F, as_of=dt.date(2024, 8, 31)))
    assert early.set_index("key").loc["investment_wan", "累计"] == 5.0


def test_city_league_per_100_listed(src):
    lg = ov.league(src, PROVINCE, F, CLOCK)
    assert lg.drop(columns="adcode").to_dict("records") == [
        {"排名": 1, "地区": "南京市", "列入企业": 2, "已完成审核": 1, "每百家完成": 50.0,
         "逾期企业": 1, "每百家逾期": 50.0, "评估未通过": 0},
        {"排名": 2, "地区": "苏州市", "列入企业": 2, "已完成审核": 0, "每百家完成": 0.0,
         "逾期企业": 1, "每百家逾期": 50.0, "评估未通过": 1}]


def test_quarterly_completions(src):
    q = ov.quarterly(src, PROVINCE, F, CLOCK)
    assert q["季度"].iloc[0] == "2023年第1季度" and q["季度"].iloc[-1] == "2024年第4季度"
    assert dict(zip(q["季度"], q["完成审核"])) == {
        "2023年第1季度": 0, "2023年第2季度": 0, "2023年第3季度": 0, "2023年第4季度": 0,
        "2024年第1季度": 0, "2024年第2季度": 1, "2024年第3季度": 0, "2024年第4季度": 0}
    assert q["新列入"].tolist() == [3, 0, 0, 0, 2, 0, 0, 0]
    assert q["截至日期所在季度"].tolist() == [False] * 7 + [True]


def test_industry_breakdown(src):
    t = ov.industry_table(ov.industries(src, PROVINCE, F, CLOCK))
    assert t.to_dict("records") == [
        {"行业": "化工", "已列入": 0, "审核中": 0, "已提交报告": 0, "已评估": 0, "已验收": 1,
         "逾期": 1, "未通过": 0, "合计": 2},
        {"行业": "电镀", "已列入": 0, "审核中": 1, "已提交报告": 0, "已评估": 0, "已验收": 0,
         "逾期": 0, "未通过": 1, "合计": 2},
        {"行业": "印染", "已列入": 0, "审核中": 0, "已提交报告": 0, "已评估": 0, "已验收": 0,
         "逾期": 1, "未通过": 0, "合计": 1}]


def test_most_overdue_with_reasons(src):
    top = ov.most_overdue(src, PROVINCE, F, CLOCK)
    assert top[["序号", "企业名称", "所在地", "逾期天数", "逾期原因"]].to_dict("records") == [
        {"序号": 1, "企业名称": "南京乙化工有限公司", "所在地": "南京市浦口区", "逾期天数": 305,
         "逾期原因": "审核报告逾期 305 天"},
        # start due 2024-05-01 (May Day holiday) -> 2024-05-06: 239 days, not 244
        {"序号": 2, "企业名称": "苏州丁印染有限公司", "所在地": "苏州市吴江区", "逾期天数": 239,
         "逾期原因": "启动审核逾期 239 天"}]


def test_no_plan_year_in_2024_on_the_handmade_data(src):
    p = ov.plan_progress(src, PROVINCE, F, CLOCK)
    assert p["table"].empty and p["period"] is None
    assert p["message"].startswith("截至日期所在的2024年不在任何规划期内")


def test_plan_progress_2023_against_the_province_row(src):
    p = ov.plan_progress(src, PROVINCE, dataclasses.replace(F, as_of=dt.date(2023, 12, 31)),
                         CLOCK)
    t = p["table"].set_index("figure")
    assert p["period"] == "2021—2023年实施方案" and p["basis"] == "全部行业目标"
    assert t.loc["audits_completed", ["年度目标", "已完成"]].tolist() == [3.0, 0]
    assert t.loc["audits_listed", ["年度目标", "已完成", "状态"]].tolist() == [3.0, 3, "进度正常"]
    assert p["mark"] == "behind"


def test_plan_progress_2024_province_city_and_industry(plus):
    p = ov.plan_progress(plus, PROVINCE, F, CLOCK)
    t = p["table"].set_index("figure")
    assert (p["period"], p["year"], p["elapsed"], p["basis"]) == (
        "2024—2025年实施方案", 2024, 1.0, "全部行业目标")
    assert t.loc["audits_completed", ["年度目标", "已完成", "完成率", "状态"]].tolist() == [
        4.0, 2, 0.5, "进度滞后"]
    assert t.loc["evaluations_passed", ["已完成", "状态"]].tolist() == [2, "进度正常"]
    assert t.loc["acceptances", ["已完成", "状态"]].tolist() == [1, "进度正常"]
    assert t.loc["audits_listed", ["年度目标", "已完成"]].tolist() == [2.0, 3]

    suzhou = ov.plan_progress(plus, SUZHOU, F, CLOCK)
    assert suzhou["basis"] == "分行业目标之和"
    row = suzhou["table"].set_index("figure").loc["audits_completed"]
    assert (row["年度目标"], row["已完成"]) == (2.0, 1)
    # the same through the city filter of a province viewer
    by_filter = ov.plan_progress(plus, PROVINCE, dataclasses.replace(F, cities=("320500",)), CLOCK)
    assert by_filter["table"].equals(suzhou["table"])

    dyeing = ov.plan_progress(plus, PROVINCE, dataclasses.replace(F, industries=("dyeing",)),
                              CLOCK)
    row = dyeing["table"].set_index("figure").loc["audits_completed"]
    assert (dyeing["basis"], row["年度目标"], row["已完成"]) == ("各市目标之和", 1.0, 0)
    # no province target for evaluations in 印染: shown as not set
    assert dyeing["table"].set_index("figure").loc["evaluations_passed", "状态"] == "未设定目标"

    mid = ov.plan_progress(plus, NANJING, dataclasses.replace(F, as_of=dt.date(2024, 6, 30)),
                           CLOCK)
    row = mid["table"].set_index("figure").loc["audits_completed"]
    assert (row["年度目标"], row["已完成"], row["状态"]) == (2.0, 1, "进度正常")  # 50% vs 49.7%


def test_plan_progress_listing_year_filter_still_counts_every_completion(plus):
    only_2023 = dataclasses.replace(F, listing_years=(2023,))
    row = ov.plan_progress(plus, PROVINCE, only_2023, CLOCK)["table"].set_index("figure")
    assert row.loc["audits_completed", "已完成"] == 2  # R6 was listed in 2024 but counts


def test_park_view_has_no_plan_target(plus):
    p = ov.plan_progress(plus, PROVINCE, dataclasses.replace(F, parks=(1,)), CLOCK)
    assert p["table"].empty and "园区" in p["message"]


def test_handmade_records_are_complete(src):
    assert ov.data_issues(src, PROVINCE, F, CLOCK).empty


def test_records_that_could_not_be_counted(plus):
    issues = ov.data_issues(plus, PROVINCE, F, CLOCK)
    assert issues.to_dict("records") == [{"问题": "缺少报告日期但已有评估日期", "轮次": 1}]


def test_city_scope_sees_only_its_own_enterprises(src):
    k = values(ov.kpis(src, NANJING, F, CLOCK))
    assert (k["listed"], k["rounds"], k["overdue"], k["eval_failed"]) == (2, 2, 1, 0)
    for key in ov.KPI_KEYS:
        rows, _, _ = ov.kpi_list(src, NANJING, F, CLOCK, key)
        assert set(rows["城市"]) <= {"南京市"}
    assert list(ov.most_overdue(src, NANJING, F, CLOCK)["企业名称"]) == ["南京乙化工有限公司"]
    lg = ov.league(src, NANJING, F, CLOCK)
    assert list(lg["地区"]) == ["浦口区"]  # a city viewer compares counties
    assert ov.industry_table(ov.industries(src, NANJING, F, CLOCK))["行业"].tolist() == ["化工"]
    suzhou = ov.achievements(src, SUZHOU, F).set_index("key")
    assert suzhou["累计"].sum() == 0.0  # R3's only option was never implemented
    words = ov.scope_words(src, NANJING, F)
    assert words == {"name": "南京市", "area": "全市", "places": "区县"}


def test_scope_words(src):
    assert ov.scope_words(src, PROVINCE, F) == {"name": "江苏省", "area": "全省", "places": "城市"}
    two = dataclasses.replace(F, cities=("320100", "320500"), industries=("chemicals",))
    assert ov.scope_words(src, PROVINCE, two) == {
        "name": "南京市、苏州市（化工行业）", "area": "南京市、苏州市化工行业", "places": "城市"}


def test_same_date_last_year():
    assert ov.same_date_last_year(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert ov.same_date_last_year(dt.date(2024, 12, 31)) == dt.date(2023, 12, 31)


@pytest.mark.parametrize(("years", "rounds"), [((), 3), ((2023,), 3), ((2024,), 0)])
def test_last_year_status_is_derived_without_a_second_read(src, years, rounds):
    from queries import audits

    f = dataclasses.replace(F, listing_years=years)
    prev = ov.last_year_filters(f)
    derived = ov.status_earlier(src, PROVINCE, f, CLOCK, prev.as_of)
    read = audits.rounds_with_status(src, PROVINCE, prev, CLOCK)
    cols = ["audit_id", "stage", "days_overdue", "completed", "reason", "later_round_listed",
            "report_date", "evaluation_pass"]
    pd.testing.assert_frame_equal(derived[cols], read[cols])
    assert len(derived) == rounds
