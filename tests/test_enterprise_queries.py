"""queries/enterprise.py on the hand-built province, on SQLite and PostgreSQL (handmade_url):
search, the record as of a date, and the scope (no existence leak)."""

from __future__ import annotations

import datetime as dt

from queries import enterprise as en
from queries.db import Source
from queries.scope import PROVINCE, Scope
from rules.clock import ClockRules
from tests import handmade as hm

D = dt.date.fromisoformat
CLOCK = ClockRules()
NANJING = Scope("city", "320100")



def test_search_by_name_uscc_and_permit_scoped(handmade_url):
    src = Source(handmade_url, "t")
    assert en.search(src, PROVINCE, "化工")["name"].tolist() == ["南京乙化工有限公司",
                                                               "南京甲化工有限公司"]
    assert en.search(src, PROVINCE, hm.E4.lower())["uscc"].tolist() == [hm.E4]
    assert en.search(src, PROVINCE, hm.E3 + "002P")["uscc"].tolist() == [hm.E3]
    assert en.search(src, NANJING, "苏州").empty
    assert en.search(src, NANJING, hm.E3).empty
    assert en.search(src, PROVINCE, "%").empty  # wildcards are literal
    assert en.search(src, PROVINCE, "公").empty  # one character is too short


def test_record_known_answer(handmade_url):
    rec = en.record(Source(handmade_url, "t"), PROVINCE, hm.E1, D("2024-12-31"), CLOCK)
    assert rec["profile"]["name"] == "南京甲化工有限公司"
    assert rec["profile"]["park"] == "南京江北新材料科技园"
    assert rec["cp_level"] == "Ⅱ级 国内先进"
    assert (rec["next_due"], rec["next_text"]) == (
        D("2029-11-20"), "双有企业下一轮审核（再审核）应于2029年11月20日前开展")
    assert rec["reaudit_state"] is None  # more than 180 days ahead
    # 2029 is beyond the official calendar: the record says its deadlines count weekends only.
    assert rec["calendar_note"].startswith("法定节假日日历收录2019—2026年；2029年的期限")
    assert rec["totals"]["implemented"] == 3 and rec["totals"]["investment_wan"] == 155.0
    assert rec["totals"]["energy_tce"] == 130.0 and rec["totals"]["water_t"] == 6000.0
    assert sorted(rec["panels"]["name"]) == ["张丙", "张丙", "李乙", "李乙", "王甲", "王甲"]
    assert rec["credit"]["grade"].tolist() == ["环保诚信"]
    ms = rec["milestones"].set_index("milestone")
    assert ms.loc["验收", "verdict"] == "按期完成（通过）"
    assert ms.loc["评估", "verdict"] == "已完成（通过）"


def test_record_as_of_an_earlier_date(handmade_url):
    rec = en.record(Source(handmade_url, "t"), PROVINCE, hm.E1, D("2024-06-30"), CLOCK)
    assert rec["cp_level"] is None
    assert rec["totals"]["implemented"] == 2 and rec["totals"]["investment_wan"] == 5.0
    assert rec["options"]["status_as_of"].tolist() == ["已实施", "已实施", "尚未实施"]
    e3 = en.record(Source(handmade_url, "t"), PROVINCE, hm.E3, D("2024-01-31"), CLOCK)
    assert e3["penalties"].empty and len(e3["rounds"]) == 1
    assert e3["permits"]["permit_no"].tolist() == [hm.E3 + "001P"]


def test_record_outside_scope_is_the_same_as_unknown(handmade_url):
    src = Source(handmade_url, "t")
    assert en.record(src, NANJING, hm.E3, D("2024-12-31"), CLOCK) is None
    assert en.record(src, NANJING, "91320000MA1ZZZ99XX", D("2024-12-31"), CLOCK) is None
    assert en.record(src, NANJING, hm.E1, D("2024-12-31"), CLOCK) is not None
    e5 = en.record(src, PROVINCE, hm.E5, D("2024-12-31"), CLOCK)
    assert e5["rounds"].empty and e5["next_text"] == "未列入清洁生产审核名单"


def test_link_problem_messages():
    assert en.link_problem(hm.E1) is None
    assert "应为18位" in en.link_problem("123")
    assert "校验" in en.link_problem(hm.E1[:-1] + ("0" if hm.E1[-1] != "0" else "1"))
