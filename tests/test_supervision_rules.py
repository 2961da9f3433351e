"""Watch-list rules (rules/watchlist.py) and the pure builders of the supervision and enterprise
pages: every reason an item appears, when it disappears, and the date edge cases.

The clock itself (due dates, stage, days overdue) is tested in tests/test_rules_clock.py; here the
clock's output is the input, produced by rules.clock.derive_status on small frames."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import pytest

from components.funnel import funnel_chart, step_labels
from components.timeline import milestone_table, timeline_chart, timeline_points
from queries.supervision import FUNNEL_COLUMNS, funnel_flags, funnel_steps
from rules import watchlist as wl
from rules.clock import ROUND_COLUMNS, ClockRules, derive_status

D = dt.date.fromisoformat
RULES = ClockRules()


def _date(v):
    """ISO text to a date; impossible dates (2023-02-30) stay text, as bad data would."""
    try:
        return D(v) if isinstance(v, str) else v
    except ValueError:
        return v


def rounds(*specs: dict) -> pd.DataFrame:
    """Rounds with defaults: uscc U1, round 1, listed 2023-03-01, reason 双超."""
    if not specs:
        return pd.DataFrame(columns=list(ROUND_COLUMNS)).astype(object)
    rows = []
    for i, spec in enumerate(specs, start=1):
        row = {c: None for c in ROUND_COLUMNS}
        row.update(audit_id=i, uscc="U1", round_no=1, listing_date=D("2023-03-01"),
                   listing_reason="双超")
        row.update({k: _date(v) if k.endswith("_date") else v for k, v in spec.items()})
        rows.append(row)
    return pd.DataFrame(rows).astype(object)


def items(as_of: str, *specs: dict, rules: ClockRules = RULES, **kw) -> pd.DataFrame:
    status = derive_status(rounds(*specs), D(as_of), rules)
    return wl.round_items(status, D(as_of), rules, **kw)


# --------------------------------------------------------------------------------------------
# Round items
# --------------------------------------------------------------------------------------------

def test_overdue_start_gives_the_clock_reason_and_the_missed_due_date():
    # Start due 2024-05-01, in the May Day holiday (5月1日至5日): moved to Monday 2024-05-06,
    # 239 days before 2024-12-31 (244 before the rest-day extension; hand-computed).
    out = items("2024-12-31", dict(listing_date="2024-03-01", disclosure_date="2024-03-15"))
    assert out[["category", "reason", "days_overdue"]].values.tolist() == [
        ["逾期", "启动审核逾期 239 天", 239]]
    assert out["due_date"].iloc[0] == pd.Timestamp("2024-05-06")


def test_overdue_item_empties_when_the_milestone_date_is_entered():
    assert items("2024-12-31", dict(listing_date="2024-03-01", disclosure_date="2024-03-15",
                                    start_date="2024-12-30")).empty


def test_deadline_day_itself_is_not_overdue_but_due_soon_with_zero_days_left():
    # Start due 2023-05-01, in the May Day holiday (4月29日至5月3日): moved to 2023-05-04.
    out = items("2023-05-04", dict(disclosure_date="2023-03-10"))
    assert out["category"].tolist() == ["即将到期"]
    assert out["reason"].iloc[0] == ("启动审核将于2023年5月4日到期（剩 0 天"
                                     "；原期限2023年5月1日遇劳动节假期，依法顺延）")
    assert out["due_date"].iloc[0] == pd.Timestamp("2023-05-04")
    # Without the extension 2023-05-02 would be a day late; with it, two days are left.
    assert items("2023-05-02", dict(disclosure_date="2023-03-10"))["days_left"].tolist() == [2]
    assert items("2023-05-05", dict(disclosure_date="2023-03-10"))["reason"].tolist() == [
        "启动审核逾期 1 天"]


@pytest.mark.parametrize("as_of, expected", [
    # Disclosure due 2023-04-01, a Saturday: moved to Monday 2023-04-03.
    ("2023-04-03", ["即将到期"]),   # 0 days left
    ("2023-03-04", ["即将到期"]),   # 30 days left
    ("2023-03-03", []),            # 31 days left: not yet
])
def test_due_soon_window_is_inclusive_of_30_days(as_of, expected):
    assert items(as_of, {})["category"].tolist() == expected


def test_due_soon_window_is_configurable():
    assert items("2023-03-01", {}, due_soon_days=33)["category"].tolist() == ["即将到期"]
    assert items("2023-03-01", {}, due_soon_days=32).empty
    assert items("2023-03-02", {}, due_soon_days=0).empty


def test_month_end_listing_counts_to_the_end_of_february_in_a_leap_year():
    # Listed 31 Jan 2024: disclosure due 29 Feb 2024 (clamped), overdue on 1 March by 1 day.
    out = items("2024-03-01", dict(listing_date="2024-01-31"))
    assert out["reason"].tolist() == ["信息公开逾期 1 天"]
    assert out["due_date"].iloc[0] == pd.Timestamp("2024-02-29")


def test_listing_on_29_february_report_due_28_february_next_year():
    out = items("2025-03-01", dict(listing_date="2024-02-29", disclosure_date="2024-03-01",
                                   start_date="2024-03-02"))
    assert out["reason"].tolist() == ["审核报告逾期 1 天"]
    assert out["due_date"].iloc[0] == pd.Timestamp("2025-02-28")


def test_failed_evaluation_is_listed_until_the_enterprise_is_relisted():
    failed = dict(disclosure_date="2023-03-10", start_date="2023-04-01",
                  report_date="2023-12-01", evaluation_date="2024-01-10",
                  evaluation_pass=False)
    out = items("2024-02-01", failed)
    assert out[["category", "reason"]].values.tolist() == [["未通过", "评估未通过，待重新审核"]]
    relisted = dict(round_no=2, listing_date="2024-03-01", relisted_from=1)
    # Before the new listing date the failure still needs action; after it, only the new round.
    assert items("2024-02-29", failed, relisted)["category"].tolist() == ["未通过"]
    out = items("2024-03-02", failed, relisted)
    assert out["audit_id"].tolist() == [2] and out["category"].tolist() == ["即将到期"]


def test_failed_acceptance_awaits_rectification():
    out = items("2025-06-01", dict(disclosure_date="2023-03-10", start_date="2023-04-01",
                                   report_date="2023-12-01", evaluation_date="2024-01-10",
                                   evaluation_pass=True, acceptance_date="2025-01-10",
                                   acceptance_pass=False))
    assert out["reason"].tolist() == ["验收未通过，待整改"]


def test_overdue_round_superseded_by_a_relisting_leaves_the_list():
    late = dict(disclosure_date="2023-03-10", start_date="2023-04-01")  # report due 2024-03-01
    relisted = dict(round_no=2, listing_date="2024-06-01", disclosure_date="2024-06-05",
                    start_date="2024-06-10")
    assert items("2024-05-31", late, relisted)["reason"].tolist() == ["审核报告逾期 91 天"]
    assert items("2024-06-30", late, relisted).empty


def test_reaudit_of_shuangyou_enterprise_after_five_years():
    done = dict(listing_reason="双有", disclosure_date="2018-03-10", start_date="2018-04-01",
                report_date="2018-12-01", evaluation_date="2019-01-10", evaluation_pass=True,
                acceptance_date="2019-02-28", acceptance_pass=True)
    base = dict(done, listing_date="2018-03-01")
    # Due 2024-02-28 (a Wednesday): on the last day it is coming due, not yet late.
    out = items("2024-02-28", base)
    assert out[["category", "reason", "days_left"]].values.tolist() == [
        ["再审核即将到期", "双有企业下一轮审核（再审核）应于2024年2月28日前开展（剩 0 天）", 0]]
    out = items("2024-03-01", base)
    assert out[["category", "reason", "days_overdue"]].values.tolist() == [
        ["再审核逾期", "双有企业距上轮审核已满5年未再审核（再审核逾期 2 天）", 2]]
    assert out["due_date"].iloc[0] == pd.Timestamp("2024-02-28")
    # 双超 has no re-audit period; a new round (re-audit started) clears the item.
    assert items("2024-03-01", dict(base, listing_reason="双超")).empty
    again = items("2024-03-02", base, dict(round_no=2, listing_reason="双有",
                                           listing_date="2024-03-01"))
    assert set(again["category"]) == {"即将到期"} and again["audit_id"].tolist() == [2]


def test_reaudit_period_follows_the_configured_rules():
    base = dict(listing_reason="高耗能", listing_date="2018-03-01", disclosure_date="2018-03-10",
                start_date="2018-04-01", report_date="2018-12-01",
                evaluation_date="2019-01-10", evaluation_pass=True,
                acceptance_date="2019-02-28", acceptance_pass=True)
    assert items("2024-03-01", base).empty
    rules = ClockRules(reaudit_reasons=("高耗能",), reaudit_months=36)
    out = items("2022-03-01", base, rules=rules)
    # Due 2022-02-28, a Monday.
    assert out["reason"].tolist() == ["高耗能企业距上轮审核已满3年未再审核（再审核逾期 1 天）"]


def test_missing_and_out_of_order_dates_become_data_items_not_overdue():
    # Report without start: the clock reports a data issue; no overdue start.
    out = items("2024-06-01", dict(disclosure_date="2023-03-10", report_date="2024-01-10"))
    assert out["category"].tolist() == ["数据待核实"]
    assert out["reason"].iloc[0] == "数据待核实：缺少启动日期但已有报告日期"
    out = items("2023-06-01", dict(disclosure_date="2023-02-20", start_date="2023-04-01"))
    assert out["category"].tolist() == ["数据待核实"]
    assert "信息公开日期早于列入日期" in out["reason"].iloc[0]


def test_unreadable_date_is_a_data_item():
    out = items("2023-03-05", dict(disclosure_date="2023-02-30"))
    assert "信息公开日期无法识别" in " ".join(out["reason"])


def test_nothing_listed_after_the_as_of_date():
    assert items("2023-02-28", {}).empty


# --------------------------------------------------------------------------------------------
# Permits
# --------------------------------------------------------------------------------------------

def permits(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(permit_no=n, uscc=u, kind=k, issue_date=D(i),
                              expiry_date=D(e) if e else None) for n, u, k, i, e in rows])


def test_permit_states_and_the_expiry_day_itself_is_still_valid():
    p = permits(("P1", "U1", "许可证", "2020-01-01", "2024-12-31"),
                ("P2", "U1", "许可证", "2025-01-01", "2029-12-31"),
                ("P3", "U2", "登记", "2020-01-01", None),
                ("P4", "U3", "许可证", "2019-01-01", "2024-12-30"))
    s = wl.permit_states(p, D("2024-12-31")).set_index("permit_no")
    assert s["state"].to_dict() == {"P1": "即将到期", "P2": "未生效", "P3": "有效",
                                    "P4": "已过期"}
    assert s.loc["P1", "days_left"] == 0


def test_permit_alerts_expired_expiring_and_renewed():
    p = permits(("A001P", "UA", "许可证", "2019-12-01", "2024-11-30"),   # expired, none left
                ("B001P", "UB", "许可证", "2019-12-01", "2024-11-30"),   # expired, renewed
                ("B002P", "UB", "许可证", "2024-12-01", "2029-11-30"),
                ("C001P", "UC", "许可证", "2020-04-01", "2025-03-31"),   # 90 days left
                ("D001P", "UD", "许可证", "2020-04-02", "2025-04-01"),   # 91 days left
                ("E001W", "UE", "登记", "2020-01-01", None),
                ("F001P", "UF", "许可证", "2025-01-05", "2030-01-04"))   # not issued yet
    out = wl.permit_alerts(p, D("2024-12-31")).set_index("uscc")
    assert out["category"].to_dict() == {"UA": "许可证过期", "UC": "许可证即将到期"}
    assert out.loc["UA", "reason"] == ("排污许可证 A001P 已于2024年11月30日到期，已过期 31 天，"
                                       "无有效许可证")
    assert out.loc["UA", "days_overdue"] == 31
    assert out.loc["UC", "reason"] == "排污许可证 C001P 将于2025年3月31日到期（剩 90 天）"
    assert wl.permit_alerts(p, D("2024-12-31"), warn_days=91)["uscc"].tolist() == [
        "UA", "UC", "UD"]


def test_registration_without_expiry_keeps_an_enterprise_covered():
    p = permits(("A001P", "UA", "许可证", "2015-01-01", "2020-01-01"),
                ("A002W", "UA", "登记", "2020-01-02", None))
    assert wl.permit_alerts(p, D("2024-12-31")).empty


def test_watch_items_order_most_urgent_first():
    r = items("2024-12-31",
              dict(uscc="U1", listing_date="2024-03-01", disclosure_date="2024-03-15"),
              dict(uscc="U2", listing_date="2023-03-01", disclosure_date="2023-03-15",
                   start_date="2023-04-01"),
              dict(uscc="U3", listing_date="2024-12-15"))
    p = wl.permit_alerts(permits(("X", "U4", "许可证", "2019-01-01", "2024-01-01")),
                         D("2024-12-31"))
    out = wl.watch_items(r, p)
    assert out["category"].tolist() == ["逾期", "逾期", "许可证过期", "即将到期"]
    assert out["days_overdue"].tolist()[:2] == [305, 239]  # U1: start due 05-01 -> 05-06
    assert wl.watch_items(r.iloc[0:0], p.iloc[0:0]).empty


# --------------------------------------------------------------------------------------------
# One round's milestones and the next audit
# --------------------------------------------------------------------------------------------

def test_milestone_rows_on_time_late_pending_and_no_deadline():
    r = dict(listing_date=D("2023-01-31"), disclosure_date=D("2023-02-28"),
             start_date=D("2023-04-01"), report_date=None, evaluation_date=None)
    rows = {x["milestone"]: x for x in wl.milestone_rows(r, D("2023-06-30"), RULES)}
    assert rows["信息公开"]["due"] == D("2023-02-28")      # 31 Jan + 1 month: month end
    assert rows["信息公开"]["verdict"] == "按期完成"
    assert rows["启动审核"]["due"] == D("2023-03-31")
    assert rows["启动审核"]["verdict"] == "逾期 1 天完成"
    assert rows["提交审核报告"]["verdict"] == "未到期（剩 215 天）"
    assert rows["评估"]["due"] is None and rows["评估"]["verdict"] == "未进行"
    # 2025-01-31 falls in the 2025 Spring Festival (1月28日至2月4日): due Wednesday 2025-02-05.
    assert (rows["验收"]["due"], rows["验收"]["original"]) == (D("2025-02-05"), D("2025-01-31"))
    assert rows["验收"]["note"] == "原期限2025年1月31日遇春节假期，依法顺延"
    assert rows["信息公开"]["original"] is None and rows["信息公开"]["note"] is None


def test_milestone_rows_failed_evaluation_and_acceptance_from_evaluation():
    r = dict(listing_date=D("2024-02-29"), disclosure_date=D("2024-03-10"),
             start_date=D("2024-04-01"), report_date=D("2025-01-10"),
             evaluation_date=D("2025-02-01"), evaluation_pass=False)
    rows = {x["milestone"]: x for x in wl.milestone_rows(r, D("2025-06-01"), RULES)}
    assert rows["评估"]["verdict"] == "已完成（未通过）"
    assert rows["验收"]["verdict"] == "不适用（评估未通过，应重新审核）"
    wuhan = ClockRules(acceptance_basis="evaluation", acceptance_months=12)
    r["evaluation_pass"] = True
    # Evaluation 2025-02-01 + 12 months = 2026-02-01, a Sunday: due Monday 2026-02-02.
    rows = {x["milestone"]: x for x in wl.milestone_rows(r, D("2026-02-02"), wuhan)}
    assert (rows["验收"]["due"], rows["验收"]["original"]) == (D("2026-02-02"), D("2026-02-01"))
    assert rows["验收"]["note"] == "原期限2026年2月1日遇周日，依法顺延"
    assert rows["验收"]["verdict"] == "未到期（剩 0 天）"
    rows = {x["milestone"]: x for x in wl.milestone_rows(r, D("2026-02-03"), wuhan)}
    assert rows["验收"]["verdict"] == "已逾期 1 天"
    assert rows["提交审核报告"]["due"] == D("2025-02-28")   # 29 Feb + 12 months


def test_milestone_rows_show_out_of_order_dates_as_they_are():
    r = dict(listing_date=D("2023-03-01"), disclosure_date=D("2023-03-10"),
             start_date=D("2023-02-01"))
    rows = {x["milestone"]: x for x in wl.milestone_rows(r, D("2023-06-30"), RULES)}
    assert rows["启动审核"]["actual"] == D("2023-02-01")
    assert rows["启动审核"]["verdict"] == "按期完成"


def status_of(as_of: str, *specs, rules=RULES):
    return derive_status(rounds(*specs), D(as_of), rules)


def test_next_audit_in_progress_overdue_failed_and_reaudit():
    due, text = wl.next_audit(status_of("2024-12-31", dict(listing_date="2024-03-01",
                                                           disclosure_date="2024-03-15")),
                              D("2024-12-31"), RULES)
    assert due == D("2024-05-06")  # 2024-05-01 is in the May Day holiday
    assert text == "第1轮审核进行中：启动审核应于2024年5月6日前完成（已逾期 239 天）"
    accepted = dict(listing_reason="双有", disclosure_date="2023-03-20",
                    start_date="2023-04-15", report_date="2024-02-10",
                    evaluation_date="2024-04-10", evaluation_pass=True,
                    acceptance_date="2024-02-29", acceptance_pass=True)
    due, text = wl.next_audit(status_of("2024-12-31", accepted), D("2024-12-31"), RULES)
    assert due == D("2029-02-28") and text == "双有企业下一轮审核（再审核）应于2029年2月28日前开展"
    evaluated = dict(accepted, acceptance_date=None, acceptance_pass=None)
    due, text = wl.next_audit(status_of("2024-06-30", evaluated), D("2024-06-30"), RULES)
    assert due == D("2025-03-03")  # 2025-03-01 is a Saturday
    assert text == ("第1轮评估通过，验收应于2025年3月3日前完成；"
                    "双有企业下一轮审核（再审核）应于2029年4月10日前开展")
    due, text = wl.next_audit(status_of("2024-12-31", dict(accepted, listing_reason="双超")),
                              D("2024-12-31"), RULES)
    assert due is None and text.startswith("无法定再审核期限（列入原因：双超）")
    failed = dict(accepted, evaluation_pass=False, acceptance_date=None, acceptance_pass=None)
    assert wl.next_audit(status_of("2024-12-31", failed), D("2024-12-31"), RULES) == (
        None, "第1轮评估未通过，应重新开展审核")
    assert wl.next_audit(status_of("2024-12-31"), D("2024-12-31"), RULES) == (
        None, "未列入清洁生产审核名单")


# --------------------------------------------------------------------------------------------
# Funnel flags and builders
# --------------------------------------------------------------------------------------------

def test_funnel_flags_count_high_cost_implementation_only_when_all_are_done():
    st_df = status_of("2024-12-31",
                      dict(disclosure_date="2023-03-10", start_date="2023-04-01",
                           report_date="2023-12-01", evaluation_date="2024-01-10",
                           evaluation_pass=True),
                      dict(uscc="U2", disclosure_date="2023-03-10", start_date="2023-04-01",
                           report_date="2023-12-01", evaluation_date="2024-01-10",
                           evaluation_pass=True),
                      dict(uscc="U3", disclosure_date="2023-03-10", start_date="2023-04-01",
                           report_date="2023-12-01", evaluation_date="2024-01-10",
                           evaluation_pass=True, acceptance_date="2024-11-01",
                           acceptance_pass=False))
    options = pd.DataFrame({"audit_id": [1, 2], "high_cost_total": [2.0, 2.0],
                            "high_cost_done": [2.0, 1.0]})
    flags = funnel_flags(st_df, options)
    assert flags["中/高费方案实施完成"].tolist() == [True, False, True]
    assert flags["验收未通过"].tolist() == [False, False, True]
    assert flags["评估通过"].tolist() == [True, True, True]


def funnel_row(**counts) -> pd.Series:
    return pd.Series({c: counts.get(c, 0) for c in FUNNEL_COLUMNS})


def test_funnel_builder_returns_a_chart_with_counts_in_the_labels():
    steps = funnel_steps(funnel_row(**{"列入名单": 5, "信息公开": 5, "启动审核": 4,
                                       "提交审核报告": 2, "评估通过": 1, "评估未通过": 1,
                                       "中/高费方案实施完成": 1, "验收通过": 1}))
    assert len(steps) == 9
    labels = step_labels(steps)
    assert labels["列入名单"] == "列入名单  5"
    assert labels["评估"] == "评估  通过1/未通过1"
    chart = funnel_chart(steps, "测试")
    assert isinstance(chart, alt.Chart)
    spec = chart.to_dict()
    assert spec["encoding"]["y"]["sort"][0] == "列入名单  5"
    assert spec["encoding"]["color"]["scale"]["range"][2] == "#c0392b"


def test_timeline_builder_and_table():
    rows = wl.milestone_rows(dict(listing_date=D("2024-03-01"), disclosure_date=D("2024-03-15"),
                                  start_date=D("2024-06-10")), D("2024-12-31"), RULES)
    ms = pd.DataFrame(rows)
    points = timeline_points(ms)
    kinds = dict(zip(zip(points["节点"], points["类型"]), points["日期"]))
    assert kinds[("启动审核", "逾期完成")] == pd.Timestamp("2024-06-10")
    # Start due 2024-05-01 (May Day holiday), moved to 2024-05-06: 35 days late, not 40.
    assert kinds[("启动审核", "应完成日期")] == pd.Timestamp("2024-05-06")
    assert isinstance(timeline_chart(ms), alt.Chart)
    table = milestone_table(ms)
    assert table.loc[table["节点"] == "启动审核", "情况"].item() == "逾期 35 天完成"
    assert table.loc[table["节点"] == "评估", "应完成日期"].item() == "—"


def test_permit_alerts_on_no_permits_and_only_future_permits():
    empty = pd.DataFrame(columns=["permit_no", "uscc", "kind", "issue_date", "expiry_date"])
    assert wl.permit_alerts(empty, D("2024-12-31")).empty
    future = permits(("F001P", "UF", "许可证", "2025-01-05", "2030-01-04"))
    out = wl.permit_alerts(future, D("2024-12-31"))
    assert out.empty and list(out.columns) == list(wl.ITEM_COLUMNS)
