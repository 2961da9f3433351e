"""The complete statutory clock (rules/clock.py): deadlines moved off rest days (民法典 Art. 203),
fixed due dates per listing batch, the optional evaluation deadline, the re-audit warning window,
every missed milestone named, and the configuration that switches each of them.

Every expected date is hand-computed from the official calendar (see tests/test_rules_calendar.py
for the notices): the month arithmetic first, then the move to the next working day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rules.clock import (
    DEFAULT_RULES_FILE,
    ClockRules,
    ClockRulesError,
    batch_dates_text,
    batch_problems,
    deadlines,
    derive_status,
    due_dates,
    load_clock_rules,
    status_of,
)

D = dt.date.fromisoformat
RULES = ClockRules()
NO_EXTENSION = ClockRules(extend_on_rest_days=False)


def rnd(listing="2024-01-15", reason="双超", batch=None, audit_id=1, uscc="U1", round_no=1,
        **dates) -> dict:
    row = dict(audit_id=audit_id, uscc=uscc, round_no=round_no, listing_date=listing,
               listing_reason=reason, batch_name=batch, disclosure_date=None, start_date=None,
               report_date=None, evaluation_date=None, evaluation_pass=None,
               acceptance_date=None, acceptance_pass=None)
    row.update({f"{k}_date" if not k.endswith("_pass") else k: v for k, v in dates.items()})
    return row


def one(as_of: str, rules: ClockRules = RULES, **kw) -> dict:
    return status_of(rnd(**kw), D(as_of), rules)


# --- rest-day extension --------------------------------------------------------------------------

@pytest.mark.parametrize(("listing", "milestone", "original", "due"), [
    # Spring Festival 2024 (2月10日至17日): Thursday 15 Feb -> Sunday 18 Feb, a make-up day.
    ("2024-01-15", "disclosure", "2024-02-15", "2024-02-18"),
    # National Day 2024 (10月1日至7日) -> Tuesday 8 October.
    ("2024-09-01", "disclosure", "2024-10-01", "2024-10-08"),
    # National Day 2023 (9月29日至10月6日) -> Saturday 7 October, a make-up working day.
    ("2023-09-01", "disclosure", "2023-10-01", "2023-10-07"),
    # A deadline on a make-up Sunday (4 Feb 2024) is a working day: it stays.
    ("2024-01-04", "disclosure", "2024-02-04", "2024-02-04"),
    # Year end: 2 months after 2022-10-31 is Saturday 31 Dec 2022, New Year 2023 (12月31日至
    # 1月2日) -> 3 January.
    ("2022-10-31", "start", "2022-12-31", "2023-01-03"),
    # Leap day: Saturday 29 Feb 2020 -> Monday 2 March; Thursday 29 Feb 2024 stays.
    ("2020-01-29", "disclosure", "2020-02-29", "2020-03-02"),
    ("2024-01-29", "disclosure", "2024-02-29", "2024-02-29"),
    # Report 12 months after 2023-10-01 -> Tuesday 1 Oct 2024, National Day -> 8 October.
    ("2023-10-01", "report", "2024-10-01", "2024-10-08"),
    # Acceptance 24 months after 2022-01-31 -> 2024-01-31, a Wednesday: stays.
    ("2022-01-31", "acceptance", "2024-01-31", "2024-01-31"),
])
def test_deadlines_move_to_the_next_working_day(listing, milestone, original, due):
    assert deadlines(D(listing), RULES)[milestone] == (D(original), D(due))
    assert due_dates(D(listing), None, RULES)[milestone] == D(due)
    assert deadlines(D(listing), NO_EXTENSION)[milestone] == (D(original), D(original))


def test_a_province_can_switch_the_extension_off():
    # Listed 2024-01-15: disclosure due 2024-02-15 (Spring Festival).
    assert one("2024-02-16")["days_overdue"] == 0
    off = one("2024-02-16", NO_EXTENSION)
    assert (off["days_overdue"], off["reason"]) == (1, "信息公开逾期 1 天")
    assert off["next_due"] == off["next_due_original"] == D("2024-02-15")


def test_days_overdue_count_from_the_extended_deadline():
    # Listed 2024-09-01: disclosure due 2024-10-01 -> 2024-10-08. On 2024-12-31: 84 days
    # (91 and a different ageing bucket without the extension).
    s = one("2024-12-31", listing="2024-09-01", disclosure=None, start="2024-09-20")
    assert s["days_overdue"] == 0  # the start implies the disclosure
    s = one("2024-12-31", listing="2024-09-01")
    assert s["reason"].split("；")[0] == "信息公开逾期 84 天"
    assert (s["days_overdue"], s["overdue_bucket"]) == (84, "31–90天")
    off = one("2024-12-31", NO_EXTENSION, listing="2024-09-01")
    assert (off["days_overdue"], off["overdue_bucket"]) == (91, ">90天")


def test_a_deadline_beyond_the_calendar_counts_weekends_only():
    # Listed 2026-10-02: report due 2027-10-02, a Saturday (2027 is not in the file): the
    # clock does not fail and moves it to Monday 2027-10-04.
    assert deadlines(D("2026-10-02"), RULES)["report"] == (D("2027-10-02"), D("2027-10-04"))
    s = one("2026-11-24", listing="2026-10-02", disclosure="2026-10-10", start="2026-10-20")
    assert s["next_due"] == D("2027-10-04")


# --- every missed milestone named ----------------------------------------------------------------

def test_every_missed_milestone_is_named_most_days_first():
    # Listed 2023-03-01, nothing done, as of 2025-06-30 (hand-computed):
    # disclosure 2023-04-01 (Sat) -> 04-03: 819 days; start 2023-05-01 (May Day) -> 05-04:
    # 788; report 2024-03-01 (Fri): 486; acceptance 2025-03-01 (Sat) -> 03-03: 119.
    s = one("2025-06-30", listing="2023-03-01")
    assert s["reason"] == ("信息公开逾期 819 天；启动审核逾期 788 天；审核报告逾期 486 天；"
                           "验收逾期 119 天")
    assert s["days_overdue"] == 819 and s["next_milestone"] == "disclosure"


def test_most_serious_first_even_against_the_chain_order():
    # A batch fixes the start earlier than the month-based disclosure: the start is then the
    # longer overdue, named first, and days_overdue counts from it.
    rules = ClockRules(batches={"B": {"start": D("2024-01-31")}})
    s = one("2024-03-01", rules, listing="2024-01-05", batch="B")
    # start 2024-01-31 (Wed): 30 days; disclosure 2024-02-05 (Mon): 25 days.
    assert s["reason"] == "启动审核逾期 30 天；信息公开逾期 25 天"
    assert s["days_overdue"] == 30


def test_one_milestone_late_reads_as_before():
    s = one("2024-05-10", listing="2024-01-15", disclosure="2024-01-20")
    assert s["reason"] == "启动审核逾期 56 天"  # start due 2024-03-15 (Fri)


# --- fixed due dates per listing batch -----------------------------------------------------------

HEBEI = ClockRules(batches={"2021年第二批": {"disclosure": D("2021-10-15"),
                                             "start": D("2022-01-31"),
                                             "report": D("2022-09-30")}})


def test_batch_dates_override_month_counts_for_their_batch_only():
    d = deadlines(D("2021-09-01"), HEBEI, batch="2021年第二批")
    assert d["disclosure"] == (D("2021-10-15"), D("2021-10-15"))
    # 31 January 2022 is in the Spring Festival 2022 (1月31日至2月6日): moved to 7 February.
    assert d["start"] == (D("2022-01-31"), D("2022-02-07"))
    assert d["report"] == (D("2022-09-30"), D("2022-09-30"))
    # Not fixed: acceptance still 24 months after listing, 2023-09-01 (Fri).
    assert d["acceptance"] == (D("2023-09-01"), D("2023-09-01"))
    # Another batch, or no batch, follows the month counts: disclosure 2021-10-01 -> 10-08.
    assert deadlines(D("2021-09-01"), HEBEI, batch="2021年第一批")["disclosure"][1] == D(
        "2021-10-08")
    assert deadlines(D("2021-09-01"), HEBEI)["disclosure"][1] == D("2021-10-08")


def test_batch_dates_in_the_status_of_rounds():
    rows = [rnd(listing="2021-09-01", batch="2021年第二批", disclosure="2021-10-10"),
            rnd(listing="2021-09-01", batch="2021年第一批", disclosure="2021-10-10",
                audit_id=2, uscc="U2")]
    out = derive_status(pd.DataFrame(rows), D("2022-02-10"), HEBEI).set_index("audit_id")
    # Batch 二: start fixed 2022-01-31 -> 2022-02-07: 3 days late on 2022-02-10.
    assert (out.loc[1, "reason"], out.loc[1, "next_due"]) == ("启动审核逾期 3 天",
                                                              pd.Timestamp("2022-02-07"))
    assert out.loc[1, "next_due_original"] == pd.Timestamp("2022-01-31")
    # Batch 一: start 2 months after listing, 2021-11-01 (Mon): 101 days late.
    assert out.loc[2, "reason"] == "启动审核逾期 101 天"


def test_a_fixed_acceptance_date_overrides_the_evaluation_basis():
    rules = ClockRules(acceptance_basis="evaluation", acceptance_months=12,
                       batches={"B": {"acceptance": D("2024-06-28")}})
    assert deadlines(D("2023-01-10"), rules, batch="B")["acceptance"][1] == D("2024-06-28")
    assert deadlines(D("2023-01-10"), rules)["acceptance"] == (None, None)


def test_batch_rules_need_the_batch_column():
    frame = pd.DataFrame([rnd()]).drop(columns="batch_name")
    with pytest.raises(ValueError, match="batch_name"):
        derive_status(frame, D("2024-06-30"), HEBEI)
    derive_status(frame, D("2024-06-30"), RULES)  # without batch rules it is not needed


def test_batch_rules_are_hashable_and_order_free():
    a = ClockRules(batches={"A": {"report": D("2024-12-31"), "start": D("2024-03-31")},
                            "B": {"start": D("2024-04-30")}})
    b = ClockRules(batches={"B": {"start": D("2024-04-30")},
                            "A": {"start": D("2024-03-31"), "report": D("2024-12-31")}})
    assert a == b and hash(a) == hash(b)
    assert a.batch_dates["A"] == {"start": D("2024-03-31"), "report": D("2024-12-31")}
    assert batch_dates_text(a, "A") == "启动审核 2024年3月31日；提交审核报告 2024年12月31日"
    assert batch_dates_text(a, "C") is None


def test_batch_problems_against_the_database():
    batches = pd.DataFrame({"name": ["2021年第一批", "2021年第二批"],
                            "publish_date": [D("2021-01-04"), D("2021-09-01")]})
    rules = ClockRules(batches={"2021年第二批": {"disclosure": D("2021-08-31")},
                                "2021年第三批": {"report": D("2022-09-30")},
                                "2021年第一批": {"report": D("2021-12-31")}})
    problems = batch_problems(rules, batches)
    assert len(problems) == 2  # 2021年第一批 is fine
    assert any(p.startswith("时限配置中名单批次“2021年第二批”的信息公开期限 2021年8月31日 早于")
               for p in problems)
    assert any("“2021年第三批”设定了固定期限，但数据库中没有这一批次" in p for p in problems)
    assert batch_problems(RULES, batches) == []


# --- the evaluation deadline ---------------------------------------------------------------------

EVAL3 = ClockRules(evaluation_months=3)
REPORTED = dict(listing="2024-01-15", disclosure="2024-01-20", start="2024-02-01",
                report="2024-06-10")


def test_no_evaluation_deadline_by_default():
    s = one("2025-06-30", **REPORTED)
    assert s["next_milestone"] == "acceptance" and s["reason"] is None
    assert deadlines(D("2024-01-15"), RULES, report_date=D("2024-06-10"))["evaluation"] == (
        None, None)


def test_evaluation_due_months_after_the_report():
    # Report 2024-06-10 + 3 months = 2024-09-10 (Tue).
    s = one("2024-09-10", EVAL3, **REPORTED)
    assert (s["next_milestone"], s["next_due"], s["days_overdue"]) == (
        "evaluation", D("2024-09-10"), 0)
    s = one("2024-09-11", EVAL3, **REPORTED)
    assert (s["reason"], s["days_overdue"], s["map_status"]) == ("评估逾期 1 天", 1, "overdue")
    # Once evaluated, acceptance is next (24 months after listing: 2026-01-15, a Thursday).
    done = one("2024-09-11", EVAL3, **REPORTED, evaluation="2024-09-05", evaluation_pass=True)
    assert (done["next_milestone"], done["next_due"], done["reason"]) == (
        "acceptance", D("2026-01-15"), None)


def test_evaluation_deadline_needs_the_report_and_moves_off_rest_days():
    s = one("2024-05-01", EVAL3, listing="2024-01-15", disclosure="2024-01-20",
            start="2024-02-01")
    assert s["next_milestone"] == "report"  # nothing to count the evaluation from yet
    # Report 2023-07-01 + 3 months = Sunday 2023-10-01 in National Day -> Saturday 7 October,
    # a make-up working day. Month end: report 2024-11-30 + 3 = 2025-02-28 (Fri).
    assert deadlines(D("2023-01-05"), EVAL3, report_date=D("2023-07-01"))["evaluation"] == (
        D("2023-10-01"), D("2023-10-07"))
    assert deadlines(D("2024-01-05"), EVAL3, report_date=D("2024-11-30"))["evaluation"] == (
        D("2025-02-28"), D("2025-02-28"))


def test_a_late_evaluation_and_a_late_acceptance_are_both_named():
    # As of 2026-03-02: evaluation due 2024-09-10 (365 + 173 = 538 days); acceptance due
    # 2026-01-15 (46 days).
    s = one("2026-03-02", EVAL3, **REPORTED)
    assert s["reason"] == "评估逾期 538 天；验收逾期 46 天"


def test_a_batch_can_fix_the_evaluation_date_without_a_month_rule():
    rules = ClockRules(batches={"B": {"evaluation": D("2024-10-31")}})
    s = one("2024-11-01", rules, batch="B", **REPORTED)
    assert (s["next_milestone"], s["reason"]) == ("evaluation", "评估逾期 1 天")


# --- the re-audit warning window -----------------------------------------------------------------

# Accepted 2019-02-28: re-audit due 2024-02-28 (a Wednesday). 180 days before: 2023-09-01.
ACCEPTED = dict(listing="2018-03-01", reason="双有", disclosure="2018-03-10",
                start="2018-04-01", report="2018-12-01", evaluation="2019-01-10",
                evaluation_pass=True, acceptance="2019-02-28", acceptance_pass=True)


@pytest.mark.parametrize(("as_of", "state"), [
    ("2023-08-31", None),       # the day before the window opens
    ("2023-09-01", "soon"),     # the window's first day (180 days left)
    ("2024-02-27", "soon"),
    ("2024-02-28", "soon"),     # the due day itself: not yet late
    ("2024-02-29", "lapsed"),   # the day after
])
def test_reaudit_window_edges(as_of, state):
    s = one(as_of, **ACCEPTED)
    assert s["reaudit_state"] == state
    assert s["reaudit_due"] == D("2024-02-28")
    assert s["days_overdue"] == 0  # its own indicator, not an overdue milestone


def test_reaudit_window_is_configurable():
    thirty = ClockRules(reaudit_warn_days=30)
    assert one("2024-01-28", thirty, **ACCEPTED)["reaudit_state"] is None
    assert one("2024-01-29", thirty, **ACCEPTED)["reaudit_state"] == "soon"
    zero = ClockRules(reaudit_warn_days=0)
    assert one("2024-02-27", zero, **ACCEPTED)["reaudit_state"] is None
    assert one("2024-02-28", zero, **ACCEPTED)["reaudit_state"] == "soon"


def test_a_reaudit_due_on_a_holiday_moves_and_so_does_its_window():
    # Accepted 2019-02-15: due 2024-02-15, in the Spring Festival -> Sunday 2024-02-18.
    accepted = dict(ACCEPTED, acceptance="2019-02-15")
    s = one("2024-02-18", **accepted)
    assert (s["reaudit_due"], s["reaudit_due_original"]) == (D("2024-02-18"), D("2024-02-15"))
    assert s["reaudit_state"] == "soon"
    assert one("2024-02-19", **accepted)["reaudit_state"] == "lapsed"
    # The window counts back from the moved date: 180 days before 2024-02-18 is 2023-08-22.
    assert one("2023-08-21", **accepted)["reaudit_state"] is None
    assert one("2023-08-22", **accepted)["reaudit_state"] == "soon"


def test_no_reaudit_window_once_a_new_round_is_listed():
    rows = [rnd(**ACCEPTED), rnd(listing="2023-12-01", reason="双有", audit_id=2, round_no=2)]
    out = derive_status(pd.DataFrame(rows), D("2024-01-10"), RULES).set_index("audit_id")
    assert out.loc[1, "reaudit_state"] is None and out.loc[1, "later_round_listed"]


# --- configuration -------------------------------------------------------------------------------

def test_defaults():
    r = ClockRules()
    assert r.extend_on_rest_days is True and r.evaluation_months is None
    assert r.reaudit_warn_days == 180 and r.batches == ()


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"evaluation_months": 0}, "evaluation_months"),
    ({"evaluation_months": -3}, "evaluation_months"),
    ({"evaluation_months": 1.5}, "evaluation_months"),
    ({"evaluation_months": True}, "evaluation_months"),
    ({"reaudit_warn_days": -1}, "reaudit_warn_days"),
    ({"reaudit_warn_days": 4000}, "reaudit_warn_days"),
    ({"reaudit_warn_days": 1.0}, "reaudit_warn_days"),
    ({"extend_on_rest_days": 1}, "extend_on_rest_days"),
    ({"extend_on_rest_days": "true"}, "extend_on_rest_days"),
    ({"batches": ["2021年第一批"]}, "batches"),
    ({"batches": {"B": {}}}, "至少一个节点"),
    ({"batches": {"B": {"listing": D("2024-01-01")}}}, "未知节点 listing"),
    ({"batches": {"B": {"report": "2024-12-31"}}}, "应为日期（不加引号"),
    ({"batches": {"B": {"report": dt.datetime(2024, 12, 31, 8)}}}, "应为日期"),
    ({"batches": {"B": {"report": D("1900-12-31")}}}, "不在 1990—2100 年之间"),
    ({"batches": {"B": {"start": D("2024-06-30"), "report": D("2024-03-31")}}}, "先后颠倒"),
    ({"batches": {"": {"report": D("2024-03-31")}}}, "批次名称"),
    ({"batches": {"批" * 65: {"report": D("2024-03-31")}}}, "批次名称"),
])
def test_bad_new_keys_raise_a_clear_error(kwargs, key):
    with pytest.raises(ClockRulesError, match=key):
        ClockRules(**kwargs)


def _write(tmp_path, text: str):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_sets_every_new_key(tmp_path):
    path = _write(tmp_path, """
[default]
reaudit_warn_days = 90

["130000"]
evaluation_months = 2
extend_on_rest_days = false

["130000".batches."2023年第一批"]
start = 2023-05-31
report = 2024-02-29

["130000".batches]
"2023年第二批" = { disclosure = 2023-10-31 }
""")
    hebei = load_clock_rules("130100", path)  # a city falls back to its province
    assert (hebei.evaluation_months, hebei.extend_on_rest_days, hebei.reaudit_warn_days) == (
        2, False, 90)
    assert hebei.batch_dates == {"2023年第一批": {"start": D("2023-05-31"),
                                                  "report": D("2024-02-29")},
                                 "2023年第二批": {"disclosure": D("2023-10-31")}}
    assert load_clock_rules("320000", path) == ClockRules(reaudit_warn_days=90)


@pytest.mark.parametrize(("text", "fragments"), [
    ('[default]\nextend_on_rest_days = "yes"\n', ["[default]", "extend_on_rest_days"]),
    ('[default]\nevaluation_months = 0\n', ["evaluation_months", "删去此项"]),
    ('[default]\nreaudit_warn_days = -5\n', ["reaudit_warn_days", "-5"]),
    ('[default.batches."2023年第一批"]\nreport = 2024-02-29\n',
     ["[default] 中不能写 batches", "省份"]),
    ('["130000".batches."2023年第一批"]\nreport = "2024-02-29"\n',
     ["[130000]", "2023年第一批", "不加引号"]),
    ('["130000".batches."2023年第一批"]\nreprot = 2024-02-29\n', ["未知节点 reprot"]),
    ('["130000"]\nbatches = 3\n', ["[130000]", "batches 应为按批次名称分列的表"]),
])
def test_bad_new_keys_in_the_file(tmp_path, text, fragments):
    with pytest.raises(ClockRulesError) as err:
        load_clock_rules("320000", _write(tmp_path, text))
    for fragment in fragments:
        assert fragment in str(err.value)


def test_the_shipped_file_keeps_jiangsu_and_carries_the_hebei_example():
    jiangsu = load_clock_rules("320000")
    assert jiangsu == ClockRules()  # the default clock, with the rest-day extension
    assert DEFAULT_RULES_FILE.exists()
    hebei = load_clock_rules("130000")
    assert hebei.evaluation_months == 3
    assert set(hebei.batch_dates) == {"2021年第一批", "2021年第二批"}
    # The example's start date of 2021年第二批 falls in the Spring Festival 2022.
    assert deadlines(D("2021-09-01"), hebei, batch="2021年第二批")["start"] == (
        D("2022-01-31"), D("2022-02-07"))
