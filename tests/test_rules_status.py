"""derive_status: stage, deadlines, overdue days, reasons and data issues of audit rounds.

Defaults (ClockRules()): disclosure 1 month, start 2, report 12, acceptance 24 months after
listing, 双有 re-audit within 60 months, completion = evaluation passed.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from rules.clock import (
    MAP_STATUS_LABELS,
    MAP_STATUSES,
    OVERDUE_BUCKETS,
    ROUND_COLUMNS,
    STAGE_LABELS,
    STAGES,
    STATUS_COLUMNS,
    ClockRules,
    derive_status,
    status_of,
)

D = date.fromisoformat
RULES = ClockRules()


def rnd(audit_id=1, uscc="U1", round_no=1, listing="2024-01-15", reason="双超", disclosure=None,
        start=None, report=None, evaluation=None, evaluation_pass=None, acceptance=None,
        acceptance_pass=None) -> dict:
    return dict(audit_id=audit_id, uscc=uscc, round_no=round_no, listing_date=listing,
                listing_reason=reason, disclosure_date=disclosure, start_date=start,
                report_date=report, evaluation_date=evaluation, evaluation_pass=evaluation_pass,
                acceptance_date=acceptance, acceptance_pass=acceptance_pass)


# A round that went through every step on time (listed 2022-01-10).
DONE = dict(listing="2022-01-10", disclosure="2022-01-20", start="2022-02-01",
            report="2022-12-01", evaluation="2023-03-01", evaluation_pass=True)


def one(as_of: str, rules: ClockRules = RULES, **kw) -> dict:
    return status_of(rnd(**kw), D(as_of), rules)


def frame(rows: list[dict], as_of: str, rules: ClockRules = RULES) -> pd.DataFrame:
    return derive_status(pd.DataFrame(rows), D(as_of), rules).set_index("audit_id")


# --- vocabulary ---------------------------------------------------------------------------------

def test_vocabularies_are_complete():
    assert set(STAGE_LABELS) == set(STAGES)
    assert set(MAP_STATUS_LABELS) == set(MAP_STATUSES)
    assert OVERDUE_BUCKETS == ("0–30天", "31–90天", ">90天")
    assert "\u2013" in OVERDUE_BUCKETS[0]  # en dash, as the pages spell it


# --- the deadline day ---------------------------------------------------------------------------

def test_on_the_due_day_is_not_overdue_and_one_day_after_is():
    # Listed 2024-01-15: disclosure due 2024-02-15, a day of the 2024 Spring Festival (2月10日至
    # 17日放假); the deadline moves to Sunday 2024-02-18, a make-up working day (民法典 Art. 203).
    on_time = one("2024-02-18")
    assert (on_time["next_milestone"], on_time["next_due"]) == ("disclosure", D("2024-02-18"))
    assert on_time["next_due_original"] == D("2024-02-15")
    assert on_time["days_overdue"] == 0
    assert on_time["overdue_bucket"] is None and on_time["reason"] is None
    assert on_time["map_status"] == "listed"
    assert one("2024-02-16")["days_overdue"] == 0  # late without the extension, not with it

    late = one("2024-02-19")
    assert (late["days_overdue"], late["overdue_bucket"]) == (1, "0–30天")
    assert late["reason"] == "信息公开逾期 1 天"
    assert late["map_status"] == "overdue"


@pytest.mark.parametrize(("days", "bucket"), [
    (0, None), (1, "0–30天"), (30, "0–30天"), (31, "31–90天"), (90, "31–90天"), (91, ">90天"),
    (400, ">90天"),
])
def test_overdue_bucket_edges(days, bucket):
    # Disclosure due 2024-02-15, moved off the Spring Festival to 2024-02-18 (see above); later
    # deadlines pass too, but the earliest missed one counts and is named first.
    as_of = D("2024-02-18") + timedelta(days=days)
    s = status_of(rnd(), as_of, RULES)
    assert s["days_overdue"] == days
    assert s["overdue_bucket"] == bucket
    assert (s["reason"] or "").split("；")[0] == (f"信息公开逾期 {days} 天" if days else "")


def test_29_february_listing():
    assert one("2024-03-29", listing="2024-02-29")["days_overdue"] == 0
    assert one("2024-03-30", listing="2024-02-29")["reason"] == "信息公开逾期 1 天"
    started = dict(listing="2024-02-29", disclosure="2024-03-10", start="2024-04-10")
    s = one("2025-02-28", **started)
    assert (s["stage"], s["next_milestone"], s["next_due"]) == ("started", "report",
                                                              D("2025-02-28"))
    assert s["days_overdue"] == 0
    assert one("2025-03-01", **started)["reason"] == "审核报告逾期 1 天"


def test_start_overdue_counts_from_the_start_deadline():
    s = one("2024-04-29", disclosure="2024-01-20")  # start due 2024-03-15
    assert (s["stage"], s["next_milestone"]) == ("disclosed", "start")
    assert (s["days_overdue"], s["overdue_bucket"]) == (45, "31–90天")
    assert s["reason"] == "启动审核逾期 45 天"


# --- stages and what comes next -----------------------------------------------------------------

STEP = dict(listing="2024-01-15", disclosure="2024-01-16", start="2024-01-17",
            report="2024-01-18", evaluation="2024-01-19", acceptance="2024-01-20")


@pytest.mark.parametrize(("upto", "results", "stage", "nxt", "due", "map_status"), [
    # Disclosure due 2024-02-15 (Spring Festival), moved to 2024-02-18 (a make-up working day).
    ("listing", {}, "listed", "disclosure", "2024-02-18", "listed"),
    ("disclosure", {}, "disclosed", "start", "2024-03-15", "in_audit"),
    ("start", {}, "started", "report", "2025-01-15", "in_audit"),
    ("report", {}, "reported", "acceptance", "2026-01-15", "reported"),
    ("evaluation", {"evaluation_pass": True}, "evaluated", "acceptance", "2026-01-15",
     "evaluated"),
    ("evaluation", {"evaluation_pass": False}, "evaluation_failed", None, None, "failed"),
    ("acceptance", {"evaluation_pass": True, "acceptance_pass": True}, "accepted", None, None,
     "accepted"),
    ("acceptance", {"evaluation_pass": True, "acceptance_pass": False}, "acceptance_failed",
     "acceptance", None, "failed"),
])
def test_stage_progression(upto, results, stage, nxt, due, map_status):
    keys = list(STEP)
    dates = {k: v for k, v in STEP.items() if keys.index(k) <= keys.index(upto)}
    s = one("2024-01-31", **dates, **results)
    assert s["stage"] == stage
    assert s["stage_label"] == STAGE_LABELS[stage]
    assert s["next_milestone"] == nxt
    assert s["next_due"] == (D(due) if due else None)
    assert s["map_status"] == map_status
    assert s["days_overdue"] == 0
    assert s["data_issue"] is None


def test_failed_results_give_their_reasons():
    failed_eval = one("2024-01-31", **{**STEP, "acceptance": None}, evaluation_pass=False)
    assert failed_eval["reason"] == "评估未通过，待重新审核"
    failed_acc = one("2024-01-31", **STEP, evaluation_pass=True, acceptance_pass=False)
    assert failed_acc["reason"] == "验收未通过，待整改"


# --- as of a past date --------------------------------------------------------------------------

def test_as_of_in_the_past_ignores_later_dates_and_results():
    rows = [rnd(1, listing="2022-01-10", disclosure="2022-01-20", start="2022-02-01",
                report="2023-05-01", evaluation="2023-08-01", evaluation_pass=False),
            rnd(2, uscc="U2", listing="2023-01-10")]
    past = frame(rows, "2022-12-31")
    assert list(past.index) == [1]  # round 2 not yet listed
    r = past.loc[1]
    assert (r.stage, r.next_milestone, r.next_due) == ("started", "report",
                                                       pd.Timestamp("2023-01-10"))
    assert r.days_overdue == 0 and r.map_status == "in_audit"
    # The output shows the round as it stood: no future report, evaluation or result.
    assert pd.isna(r.report_date) and pd.isna(r.evaluation_date) and pd.isna(r.evaluation_pass)
    assert r.data_issue is None

    later = frame(rows, "2023-03-01").loc[1]  # report overdue by 50 days, still not evaluated
    assert (later.stage, later.reason) == ("started", "审核报告逾期 50 天")
    now = frame(rows, "2023-09-01").loc[1]
    assert (now.stage, now.map_status) == ("evaluation_failed", "failed")
    assert now.report_date == pd.Timestamp("2023-05-01")


# --- re-listing after a failed evaluation ---------------------------------------------------------

def test_failed_evaluation_reason_disappears_once_relisted():
    failed = dict(listing="2022-01-10", disclosure="2022-01-20", start="2022-02-01",
                  report="2022-12-01", evaluation="2023-01-10", evaluation_pass=False)
    rows = [rnd(1, uscc="F", round_no=1, **failed),
            rnd(2, uscc="F", round_no=2, listing="2023-06-01"),
            rnd(3, uscc="G", round_no=1, **failed)]

    before = frame(rows, "2023-05-31")
    assert list(before.index) == [1, 3]
    assert before.loc[1, "reason"] == "评估未通过，待重新审核"
    assert before.loc[1, "map_status"] == "failed"
    assert before.loc[1, "next_milestone"] is None and pd.isna(before.loc[1, "next_due"])
    assert not before.loc[1, "later_round_listed"]

    after = frame(rows, "2023-06-01")
    assert after.loc[1, "reason"] is None
    assert after.loc[1, "later_round_listed"]
    assert after.loc[1, "map_status"] == "failed"  # the round itself still failed
    assert after.loc[2, "stage"] == "listed"
    # Another enterprise's re-listing does not clear G's round.
    assert after.loc[3, "reason"] == "评估未通过，待重新审核"


def test_overdue_round_stops_its_clock_once_relisted():
    never_started = dict(listing="2021-04-29", disclosure="2021-05-10")
    rows = [rnd(1, uscc="H", round_no=1, **never_started),
            rnd(2, uscc="H", round_no=2, listing="2022-04-01")]
    before = frame(rows, "2022-03-31")
    assert (before.loc[1, "reason"], before.loc[1, "days_overdue"]) == ("启动审核逾期 275 天", 275)
    after = frame(rows, "2024-12-31")
    assert after.loc[1, "later_round_listed"]
    assert after.loc[1, "days_overdue"] == 0 and after.loc[1, "reason"] is None
    assert after.loc[1, "next_milestone"] is None and pd.isna(after.loc[1, "next_due"])
    assert after.loc[1, "overdue_bucket"] is None and after.loc[1, "map_status"] != "overdue"
    # The new round carries the clock, and every milestone it missed is named, most days first
    # (hand-computed, listed 2022-04-01, as of 2024-12-31): disclosure due 2022-05-01, a day of
    # the 2022 May Day holiday (4月30日至5月4日) -> 2022-05-05, 971 days; start 2022-06-01,
    # 944 days; report 2023-04-01, a Saturday -> Monday 2023-04-03, 638 days; acceptance
    # 2024-04-01, 274 days. days_overdue counts from the earliest: 971.
    assert after.loc[2, "reason"] == ("信息公开逾期 971 天；启动审核逾期 944 天；"
                                      "审核报告逾期 638 天；验收逾期 274 天")
    assert after.loc[2, "days_overdue"] == 971


# --- 5-year re-audit for 双有 ---------------------------------------------------------------------

ACCEPTED_2018 = dict(uscc="R", listing="2017-01-10", disclosure="2017-01-20",
                     start="2017-02-01", report="2017-12-01", evaluation="2018-01-15",
                     evaluation_pass=True, acceptance="2018-06-30", acceptance_pass=True)


def REAUDIT(days: int, reason: str = "双有", years: int = 5) -> str:
    return f"{reason}企业距上轮审核已满{years}年未再审核（再审核逾期 {days} 天）"


def test_reaudit_after_exactly_five_years_is_due_the_day_after():
    # Accepted 2018-06-30: re-audit due 2023-06-30, a Friday (a working day: no extension).
    s = one("2023-06-30", reason="双有", **ACCEPTED_2018)
    assert s["reason"] is None
    assert (s["reaudit_due"], s["reaudit_state"]) == (D("2023-06-30"), "soon")
    s = one("2023-07-01", reason="双有", **ACCEPTED_2018)
    assert s["reason"] == REAUDIT(1)
    assert s["reaudit_state"] == "lapsed"
    assert (s["map_status"], s["days_overdue"]) == ("accepted", 0)


def test_reaudit_only_for_configured_reasons():
    s = one("2024-01-01", reason="双超", **ACCEPTED_2018)
    assert s["reason"] is None and s["reaudit_due"] is None and s["reaudit_state"] is None
    both = ClockRules(reaudit_reasons=("双有", "双超"))
    # 2024-01-01 is 185 days after 2023-06-30.
    assert one("2024-01-01", both, reason="双超", **ACCEPTED_2018)["reason"] == (
        REAUDIT(185, "双超"))
    three = ClockRules(reaudit_months=36)  # due 2021-06-30, a Wednesday
    assert one("2021-07-01", three, reason="双有", **ACCEPTED_2018)["reason"] == (
        REAUDIT(1, years=3))


def test_reaudit_cleared_by_a_later_round_listed_by_the_date():
    rows = [rnd(1, round_no=1, reason="双有", **ACCEPTED_2018),
            rnd(2, uscc="R", round_no=2, reason="双有", listing="2023-09-01")]
    assert frame(rows, "2023-08-31").loc[1, "reason"] == REAUDIT(62)
    cleared = frame(rows, "2023-09-01").loc[1]
    assert cleared["reason"] is None and cleared["reaudit_state"] is None
    assert cleared["reaudit_due"] == pd.Timestamp("2023-06-30")  # still known, for the record


def test_reaudit_counts_from_evaluation_when_never_accepted():
    evaluated = {**ACCEPTED_2018, "acceptance": None, "acceptance_pass": None}
    # Acceptance was due 2019-01-10 (24 months after listing): long overdue as well.
    # The re-audit is due 5 years after the evaluation of 2018-01-15: 2023-01-15 is a Sunday,
    # so the deadline moves to Monday 2023-01-16 and lapses from 2023-01-17 (hand-computed;
    # before the rest-day extension it lapsed on 2023-01-16).
    assert one("2023-01-15", reason="双有", **evaluated)["reason"] == "验收逾期 1466 天"
    s = one("2023-01-16", reason="双有", **evaluated)
    assert s["reason"] == "验收逾期 1467 天"
    assert (s["reaudit_due"], s["reaudit_due_original"]) == (D("2023-01-16"), D("2023-01-15"))
    assert one("2023-01-17", reason="双有", **evaluated)["reason"] == (
        "验收逾期 1468 天；" + REAUDIT(1))


def test_no_reaudit_reason_after_failed_acceptance():
    failed = {**ACCEPTED_2018, "acceptance_pass": False}
    assert one("2024-01-01", reason="双有", **failed)["reason"] == "验收未通过，待整改"


# --- acceptance basis ---------------------------------------------------------------------------

WUHAN = ClockRules(acceptance_basis="evaluation", acceptance_months=12)


def test_acceptance_due_from_listing_or_from_evaluation():
    listing = one("2024-01-30", **DONE)  # due 2024-01-10
    assert (listing["next_due"], listing["reason"]) == (D("2024-01-10"), "验收逾期 20 天")
    assert listing["map_status"] == "overdue"
    wuhan = one("2024-01-30", WUHAN, **DONE)  # due 2024-03-01
    assert (wuhan["next_due"], wuhan["days_overdue"], wuhan["map_status"]) == (
        D("2024-03-01"), 0, "evaluated")
    assert one("2024-03-02", WUHAN, **DONE)["reason"] == "验收逾期 1 天"


def test_reported_round_awaits_evaluation_under_evaluation_basis():
    reported = {**DONE, "evaluation": None, "evaluation_pass": None}
    s = one("2024-02-10", **reported)  # listing basis: due 2024-01-10
    assert (s["next_milestone"], s["days_overdue"], s["overdue_bucket"]) == (
        "acceptance", 31, "31–90天")
    w = one("2030-01-01", WUHAN, **reported)
    assert (w["next_milestone"], w["next_due"], w["days_overdue"]) == ("acceptance", None, 0)
    assert w["map_status"] == "reported"


def test_evaluation_after_as_of_does_not_start_the_acceptance_clock():
    s = one("2023-02-01", WUHAN, **DONE)  # evaluation 2023-03-01 is still ahead
    assert (s["stage"], s["next_due"]) == ("reported", None)


# --- completion milestone -----------------------------------------------------------------------

@pytest.mark.parametrize(("milestone", "round_kw", "completed", "when"), [
    ("report", DONE, True, "2022-12-01"),
    ("evaluation", DONE, True, "2023-03-01"),
    ("acceptance", DONE, False, None),
    ("acceptance", {**DONE, "acceptance": "2023-09-01", "acceptance_pass": True}, True,
     "2023-09-01"),
    ("acceptance", {**DONE, "acceptance": "2023-09-01", "acceptance_pass": False}, False, None),
    ("evaluation", {**DONE, "evaluation_pass": False}, False, None),
    ("report", {**DONE, "evaluation_pass": False}, True, "2022-12-01"),
    ("evaluation", {**DONE, "acceptance": "2023-09-01", "acceptance_pass": False}, True,
     "2023-03-01"),
    # No report date but an evaluation: completed no later than the evaluation.
    ("report", {**DONE, "report": None}, True, "2023-03-01"),
])
def test_completion_milestone_switch(milestone, round_kw, completed, when):
    s = one("2024-01-01", ClockRules(completion_milestone=milestone), **round_kw)
    assert s["completed"] is completed
    assert s["completed_date"] == (D(when) if when else None)


def test_completion_is_as_of_the_date():
    s = one("2023-02-01", **DONE)  # evaluation on 2023-03-01 has not happened yet
    assert (s["completed"], s["completed_date"]) == (False, None)


# --- data issues ----------------------------------------------------------------------------------

def test_missing_earlier_dates_keep_the_furthest_stage():
    s = one("2024-07-01", report="2024-06-01")
    assert s["stage"] == "reported"
    assert s["days_overdue"] == 0  # not "disclosure overdue": the report implies it
    assert s["data_issue"] == "缺少信息公开、启动日期但已有报告日期"

    s = one("2024-10-01", disclosure="2024-01-20", start="2024-02-01",
            evaluation="2024-09-01", evaluation_pass=True)
    assert s["stage"] == "evaluated"
    assert s["data_issue"] == "缺少报告日期但已有评估日期"


def test_results_and_dates_must_come_together():
    flag_only = one("2024-07-01", disclosure="2024-01-20", start="2024-02-01",
                    report="2024-06-01", evaluation_pass=True)
    assert flag_only["stage"] == "reported" and not flag_only["completed"]
    assert flag_only["data_issue"] == "有评估结果但缺少评估日期"

    date_only = one("2024-07-01", disclosure="2024-01-20", start="2024-02-01",
                    report="2024-06-01", evaluation="2024-06-20")
    assert date_only["stage"] == "reported"
    assert date_only["data_issue"] == "有评估日期但缺少评估结果"

    acc_flag = one("2024-07-01", **{**STEP, "acceptance": None}, evaluation_pass=True,
                   acceptance_pass=True)
    assert acc_flag["stage"] == "evaluated"
    assert acc_flag["data_issue"] == "有验收结果但缺少验收日期"

    # An acceptance held implies a passed evaluation, even with the results missing.
    acc_date = one("2024-07-01", **STEP)
    assert (acc_date["stage"], acc_date["completed"]) == ("evaluated", True)
    assert acc_date["data_issue"] == "有评估日期但缺少评估结果；有验收日期但缺少验收结果"


@pytest.mark.parametrize(("dates", "issue"), [
    ({"disclosure": "2024-01-10"}, "信息公开日期早于列入日期"),
    ({"disclosure": "2024-01-20", "start": "2024-01-10"}, "启动日期早于列入日期"),
    ({"disclosure": "2024-01-20", "start": "2024-04-01", "report": "2024-03-01"},
     "报告日期早于启动日期"),
    ({"disclosure": "2024-01-20", "start": "2024-02-01", "report": "2024-06-01",
      "evaluation": "2024-05-01", "evaluation_pass": True}, "评估日期早于报告日期"),
    ({"disclosure": "2024-01-20", "start": "2024-02-01", "report": "2024-06-01",
      "evaluation": "2024-07-01", "evaluation_pass": True, "acceptance": "2024-06-15",
      "acceptance_pass": True}, "验收日期早于评估日期"),
])
def test_dates_out_of_order(dates, issue):
    s = one("2024-12-31", **dates)
    assert s["data_issue"] == issue
    assert s["stage"] in STAGES


def test_order_is_checked_against_the_nearest_earlier_date_present():
    s = one("2024-12-31", disclosure="2024-01-20", report="2024-01-01")
    assert s["data_issue"] == "报告日期早于列入日期；缺少启动日期但已有报告日期"


def test_acceptance_after_failed_evaluation_is_flagged():
    s = one("2024-12-31", **STEP, evaluation_pass=False, acceptance_pass=True)
    assert s["stage"] == "accepted"
    assert s["data_issue"] == "评估未通过但已有验收记录"


def test_bad_data_never_raises():
    rows = [
        rnd(1, listing="not a date"),                             # dropped: no listing date
        rnd(2, report="2024-13-45", disclosure=""),               # unreadable / blank
        rnd(3, uscc=None, round_no=None, evaluation_pass="yes",   # odd flag: no result
            evaluation="2024-03-01"),
        rnd(4, evaluation_pass=np.nan, acceptance_pass=float("nan"), acceptance=12345),
        rnd(5, listing=pd.Timestamp("2024-01-15", tz="Asia/Shanghai"), start=np.datetime64(
            "2024-02-01")),
        rnd(6, listing=None),
    ]
    out = frame(rows, "2024-06-30")
    assert list(out.index) == [2, 3, 4, 5]
    assert out.loc[2, "data_issue"] == "报告日期无法识别"  # the blank disclosure is just empty
    assert out.loc[2, "stage"] == "listed"
    # An evaluation date without a result still implies the report; nothing is overdue.
    assert (out.loc[3, "stage"], out.loc[3, "days_overdue"]) == ("reported", 0)
    assert out.loc[3, "data_issue"] == (
        "缺少信息公开、启动、报告日期但已有评估日期；有评估日期但缺少评估结果")
    assert not out.loc[3, "later_round_listed"]
    assert out.loc[5, "stage"] == "started"
    assert set(out["map_status"]) <= set(MAP_STATUSES)


def test_missing_column_is_a_programming_error():
    with pytest.raises(ValueError, match="acceptance_pass"):
        derive_status(pd.DataFrame([rnd()]).drop(columns="acceptance_pass"), D("2024-06-30"),
                      RULES)


# --- the frame contract ---------------------------------------------------------------------------

def _known_rows() -> list[dict]:
    return [rnd(1), rnd(2, uscc="U2", **DONE), rnd(3, uscc="U3", **STEP, evaluation_pass=True,
                                                    acceptance_pass=True),
            rnd(4, uscc="U4", listing="2030-01-01")]


@pytest.mark.parametrize("convert", [
    lambda s: s,
    lambda s: s.map(lambda v: D(v) if isinstance(v, str) else v),
    lambda s: pd.to_datetime(s),
    lambda s: pd.Series(pd.to_datetime(s).to_numpy().astype("datetime64[D]")),
], ids=["iso strings", "python dates", "timestamps", "datetime64[D]"])
def test_date_types_give_the_same_status(convert):
    base = pd.DataFrame(_known_rows())
    other = base.copy()
    for c in other.columns:
        if c.endswith("_date"):
            other[c] = convert(other[c].astype(object))
    expected = derive_status(base, D("2024-06-30"), RULES)
    got = derive_status(other, D("2024-06-30"), RULES)
    pd.testing.assert_frame_equal(got[list(STATUS_COLUMNS)], expected[list(STATUS_COLUMNS)])


def test_frame_contract():
    rounds = pd.DataFrame(_known_rows(), index=[10, 11, 12, 13])
    before = rounds.copy()
    out = derive_status(rounds, D("2024-06-30"), RULES)
    pd.testing.assert_frame_equal(rounds, before)  # input untouched
    assert list(out.index) == [10, 11, 12]          # listed by as_of, index kept
    assert list(out.columns) == list(ROUND_COLUMNS) + list(STATUS_COLUMNS)
    assert out["days_overdue"].dtype == np.int64
    assert out["completed"].dtype == bool
    assert out["next_due"].dtype.kind == "M" and out["listing_date"].dtype.kind == "M"
    assert out.loc[10, "reason"] is None or isinstance(out.loc[10, "reason"], str)
    assert out.loc[12, "reason"] is None and out.loc[12, "data_issue"] is None


def test_empty_frame():
    out = derive_status(pd.DataFrame(columns=list(ROUND_COLUMNS)), D("2024-06-30"), RULES)
    assert out.empty
    assert list(out.columns) == list(ROUND_COLUMNS) + list(STATUS_COLUMNS)


def test_status_of_for_a_round_not_yet_listed():
    s = one("2023-12-31")
    assert s["stage"] is None and s["map_status"] is None and s["days_overdue"] == 0


# --- known-answer story (tests/handmade.py, as of 2024-12-31) -------------------------------

def test_handmade_story():
    rows = [
        rnd(1, "E1", 1, "2023-03-01", "双有", "2023-03-20", "2023-04-15", "2024-02-10",
            "2024-04-10", True, "2024-11-20", True),
        rnd(2, "E2", 1, "2023-03-01", "双超", "2023-03-25", "2023-06-10"),
        rnd(3, "E3", 1, "2023-03-01", "双有", "2023-03-15", "2023-04-01", "2023-12-20",
            "2024-02-01", False),
        rnd(4, "E4", 1, "2024-03-01", "双超", "2024-03-15"),
        rnd(5, "E3", 2, "2024-03-01", "双有", "2024-03-20", "2024-04-20"),
    ]
    out = frame(rows, "2024-12-31")
    assert list(out["stage"]) == ["accepted", "started", "evaluation_failed", "disclosed",
                                  "started"]
    assert list(out["map_status"]) == ["accepted", "overdue", "failed", "overdue", "in_audit"]
    # R4's start was due 2024-05-01, in the 2024 May Day holiday (5月1日至5日): the deadline
    # moves to Monday 2024-05-06, so 239 days by 2024-12-31 (244 before the extension).
    assert list(out["days_overdue"]) == [0, 305, 0, 239, 0]
    assert list(out["reason"]) == [None, "审核报告逾期 305 天", None, "启动审核逾期 239 天", None]
    assert list(out["completed"]) == [True, False, False, False, False]
    assert out["data_issue"].isna().all()
