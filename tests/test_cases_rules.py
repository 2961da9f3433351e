"""督办事项 rules (issue 17): the life cycle and its refusals, reply deadlines in working days
from the official calendar (holidays, make-up days, a new year), 文号, attachments."""

from __future__ import annotations

import datetime as dt

import pytest

from rules import cases as rc

D = dt.date.fromisoformat
RULES = rc.CaseRules()


# -- life cycle ---------------------------------------------------------------------------------

def test_the_whole_life_cycle():
    status = rc.DRAFT
    for step, expected in [(rc.ISSUE, rc.SENT), (rc.REPLY, rc.REPLIED), (rc.RETURN, rc.RETURNED),
                           (rc.REPLY, rc.REPLIED), (rc.CLOSE, rc.CLOSED)]:
        assert step in rc.allowed_steps(status)
        status = rc.next_status(step, status)
        assert status == expected
    assert rc.allowed_steps(rc.CLOSED) == ()


@pytest.mark.parametrize("step,status,words", [
    (rc.CLOSE, rc.DRAFT, "尚未发出的督办事项不能办结"),
    (rc.CLOSE, rc.SENT, "尚未收到回复"),
    (rc.REPLY, rc.DRAFT, "尚未发出"),
    (rc.ISSUE, rc.SENT, "不能重复发出"),
    (rc.RETURN, rc.SENT, "尚未收到回复"),
    (rc.REPLY, rc.CLOSED, "已办结"),
    (rc.ISSUE, rc.CLOSED, "已办结"),
])
def test_steps_out_of_order_are_refused_in_words(step, status, words):
    with pytest.raises(rc.CaseError, match=words):
        rc.next_status(step, status)
    assert step not in rc.allowed_steps(status)


def test_allowed_steps_by_status():
    assert rc.allowed_steps(rc.DRAFT) == (rc.ISSUE,)
    assert rc.allowed_steps(rc.SENT) == (rc.REPLY,)
    assert rc.allowed_steps(rc.RETURNED) == (rc.REPLY,)
    assert rc.allowed_steps(rc.REPLIED) == (rc.RETURN, rc.CLOSE)


def test_overdue_is_derived_from_the_deadline_the_day_after_it():
    due = D("2026-10-23")
    assert rc.shown_status(rc.SENT, due, due) == rc.SENT  # the last day is still in time
    assert rc.shown_status(rc.SENT, due, due + dt.timedelta(days=1)) == rc.OVERDUE
    assert rc.shown_status(rc.RETURNED, due, D("2026-11-01")) == rc.OVERDUE
    assert rc.days_overdue(rc.SENT, due, D("2026-11-01")) == 9
    # Not waiting for a reply: never overdue.
    for status in (rc.DRAFT, rc.REPLIED, rc.CLOSED):
        assert rc.shown_status(status, due, D("2027-01-01")) == status
        assert rc.days_overdue(status, due, D("2027-01-01")) == 0


@pytest.mark.parametrize("late,bucket", [(0, "未到期"), (1, "逾期1–15天"), (15, "逾期1–15天"),
                                         (16, "逾期16–30天"), (30, "逾期16–30天"),
                                         (31, "逾期30天以上")])
def test_ageing_buckets_at_their_edges(late, bucket):
    assert rc.ageing_bucket(late) == bucket


# -- deadlines in working days -----------------------------------------------------------------

@pytest.mark.parametrize("sent,due", [
    # 15 working days over 国庆节 2026 (10月1日至7日 rest, Saturday 10月10日 a make-up day).
    ("2026-09-28", "2026-10-23"),
    # Across the new year: 元旦 2026 (1月1日至3日) and the make-up Sunday 1月4日.
    ("2025-12-22", "2026-01-13"),
    # Across 春节 2026 (2月15日至23日) with make-up Saturdays 2月14日 and 2月28日.
    ("2026-02-10", "2026-03-09"),
    # An ordinary month end: Friday 2026-07-31 -> 15 working days later.
    ("2026-07-31", "2026-08-21"),
])
def test_default_reply_deadline_counts_working_days(sent, due):
    assert rc.default_reply_due(D(sent), RULES) == D(due)


def test_reply_days_are_configurable():
    rules = rc.CaseRules.from_env({"CASE_REPLY_DAYS": "5"})
    assert rules.reply_days == 5
    # 9月29日, 30日, 10月8日, 9日 and the make-up Saturday 10月10日.
    assert rc.default_reply_due(D("2026-09-28"), rules) == D("2026-10-10")
    assert rc.CaseRules.from_env({"CASE_REPLY_DAYS": "很多"}).reply_days == 15


def test_reply_deadline_validation():
    today = D("2026-11-24")
    assert "早于今天" in rc.reply_due_problem(D("2026-11-23"), today)
    assert rc.reply_due_problem(today, today) is None
    assert "休息日" in rc.reply_due_problem(D("2026-11-28"), today)  # a Saturday
    assert "休息日" in rc.reply_due_problem(D("2026-10-02"), D("2026-09-01"))  # 国庆节
    assert rc.reply_due_problem(D("2026-10-10"), D("2026-09-01")) is None  # make-up Saturday
    assert "一年" in rc.reply_due_problem(D("2028-01-03"), today)
    assert rc.reply_due_problem(None, today) == "请填写回复期限。"


def test_step_validation():
    today = D("2026-11-24")
    ok = dict(today=today, step_date=today, reply_due=D("2026-12-15"))
    assert rc.step_problem(rc.ISSUE, rc.DRAFT, **ok) is None
    assert "晚于今天" in rc.step_problem(rc.ISSUE, rc.DRAFT, today=today,
                                       step_date=D("2026-11-25"), reply_due=D("2026-12-15"))
    assert "早于发出日期" in rc.step_problem(rc.ISSUE, rc.DRAFT, today=today, step_date=today,
                                         reply_due=D("2026-11-20"))
    assert "早于今天" in rc.step_problem(rc.ISSUE, rc.DRAFT, today=today,
                                       step_date=D("2026-11-10"), reply_due=D("2026-11-20"))
    assert "请填写回复期限" in rc.step_problem(rc.ISSUE, rc.DRAFT, today=today, step_date=today)
    assert "早于督办通知发出日期" in rc.step_problem(
        rc.REPLY, rc.SENT, today=today, step_date=D("2026-11-01"), sent_date=D("2026-11-10"))
    assert "须写明理由" in rc.step_problem(rc.RETURN, rc.REPLIED, **ok)
    assert rc.step_problem(rc.RETURN, rc.REPLIED, note="材料不全", **ok) is None
    assert "尚未发出" in rc.step_problem(rc.CLOSE, rc.DRAFT, today=today, step_date=today)


def test_new_case_validation():
    today = D("2026-11-24")
    good = dict(uscc="X" * 18, reason="审核报告逾期", addressee_kind="企业", addressee="某公司",
                reply_due=D("2026-12-15"), today=today)
    assert rc.case_problem(**good) is None
    assert "事由" in rc.case_problem(**{**good, "reason": "  "})
    assert "主送单位类别" in rc.case_problem(**{**good, "addressee_kind": "个人"})
    assert "主送单位" in rc.case_problem(**{**good, "addressee": ""})
    assert "早于今天" in rc.case_problem(**{**good, "reply_due": D("2026-11-01")})
    assert "联系人" in rc.case_problem(**{**good, "contact": "x" * 65})


# -- 文号 -------------------------------------------------------------------------------------

def test_document_number_from_the_pattern():
    assert rc.doc_no(RULES.doc_pattern, "320000", 2026, 12) == "苏环督〔2026〕12号"
    assert rc.doc_no("{abbr}环办督〔{year}〕{n}号", "420000", 2027, 3) == "鄂环办督〔2027〕3号"
    with pytest.raises(rc.CaseError, match="CASE_DOC_PATTERN"):
        rc.doc_no("苏环督12号", "320000", 2026, 1)
    with pytest.raises(rc.CaseError, match="格式有误"):
        rc.doc_no("{year}{n}{bad}", "320000", 2026, 1)
    assert rc.CaseRules.from_env({"CASE_DOC_PATTERN": "苏环清〔{year}〕{n}号"}).doc_pattern \
        == "苏环清〔{year}〕{n}号"


def test_typed_document_numbers_are_checked():
    assert rc.manual_doc_no_problem("苏环督〔2026〕12号") is None
    assert rc.manual_doc_no_problem("苏环督[2026]12号") is not None
    assert "前导零" in rc.manual_doc_no_problem("苏环督〔2026〕012号")


def test_addressees_and_issuer_by_level():
    assert rc.addressee_choices("province", "苏州市", "虎丘区", "甲公司") == [
        ("市级生态环境部门", "苏州市生态环境局"), ("县级生态环境部门", "苏州市虎丘区生态环境局"),
        ("企业", "甲公司")]
    assert [k for k, _ in rc.addressee_choices("city", "苏州市", "虎丘区", "甲")] == [
        "县级生态环境部门", "企业"]
    assert rc.addressee_choices("county", "苏州市", "虎丘区", "甲") == [("企业", "甲")]
    assert rc.issuer_name("province", "江苏省") == "江苏省生态环境厅"
    assert rc.issuer_name("city", "苏州市") == "苏州市生态环境局"


# -- attachments ------------------------------------------------------------------------------

def test_attachments_type_size_and_content():
    pdf = b"%PDF-1.4 reply"
    assert rc.attachment_problem("回复.pdf", pdf, RULES) is None
    assert rc.attachment_problem("扫描件.JPG", b"\xff\xd8\xff rest", RULES) is None
    assert "不支持的附件类型" in rc.attachment_problem("setup.exe", b"MZ....", RULES)
    assert "不支持的附件类型" in rc.attachment_problem("run.bat", b"echo", RULES)
    assert "可执行程序" in rc.attachment_problem("回复.pdf", b"MZ\x90\x00", RULES)
    assert "不符" in rc.attachment_problem("回复.pdf", b"hello", RULES)
    assert "空文件" in rc.attachment_problem("回复.pdf", b"", RULES)
    small = rc.CaseRules(max_attachment_mb=1)
    big = b"%PDF" + b"0" * (1024 * 1024)
    assert "过大" in rc.attachment_problem("回复.pdf", big, small)
    assert rc.attachment_problem("回复.pdf", big[:1024 * 1024], small) is None
