"""督办事项 queries (issue 17) on SQLite and PostgreSQL: the whole life cycle written in single
transactions with the audit log, 文号 that never repeat, the version check of two writers, and
the jurisdiction — a city official neither reads nor writes another city's case by any path."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from queries import cases as qc
from queries import schema as s
from queries.accounts import Viewer
from queries.db import Source, get_engine
from queries.scope import Scope
from rules import cases as rc
from tests import handmade

TODAY = dt.date(2026, 11, 24)
DUE = dt.date(2026, 12, 15)
PDF = b"%PDF-1.4 reply scan"


def viewer(role="province", level="province", code=None, name="prov") -> Viewer:
    return Viewer(account_id=1, username=name, display_name=f"测试{name}", unit="测试单位",
                  role=role, scope=Scope(level, code), session_key="k", kind="本地账号",
                  scope_name={"320500": "苏州市", "320100": "南京市"}.get(code, "江苏省"))


PROV = viewer()
SUZHOU = viewer("city", "city", "320500", "suzhou")
NANJING = viewer("city", "city", "320100", "nanjing")
READER = viewer("readonly", "province", None, "reader")


def new_case(engine, who=PROV, uscc=handmade.E3, category="未通过", **kw) -> int:
    args = dict(uscc=uscc, category=category, reason="评估不合格，待整改", addressee_kind="企业",
                addressee="测试企业", reply_due=DUE, today=TODAY, issuer="江苏省生态环境厅")
    return qc.open_case(engine, who, **{**args, **kw})


def log_actions(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(s.audit_log.c.username, s.audit_log.c.action, s.audit_log.c.outcome)
            .order_by(s.audit_log.c.log_id))]


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def numbers_given(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.coalesce(func.sum(s.doc_counter.c.last_no), 0))
                            ).scalar_one()


def test_life_cycle_with_steps_attachments_and_log(handmade_url):
    engine, source = get_engine(handmade_url), Source(handmade_url, "t")
    case_id = new_case(engine)
    v = qc.take_step(engine, PROV, case_id, 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                     reply_due=DUE, province="320000")
    assert v == 2
    v = qc.take_step(engine, PROV, case_id, v, rc.REPLY, today=TODAY, step_date=TODAY,
                     note="已整改", files=[("回复.pdf", PDF)])
    v = qc.take_step(engine, PROV, case_id, v, rc.CLOSE, today=TODAY, step_date=TODAY)
    d = qc.case_detail(source, PROV.scope, case_id, TODAY)
    case = d["case"]
    assert (case["status"], case["doc_no"], case["version"]) == ("已办结", "苏环督〔2026〕1号", 4)
    assert (case["sent_date"], case["replied_date"], case["closed_date"]) == (TODAY,) * 3
    assert list(d["steps"]["action"]) == ["登记", "发出", "回复", "办结"]
    assert list(d["steps"]["to_status"]) == ["待发出", "已发出", "已回复", "已办结"]
    assert list(d["attachments"]["file_name"]) == ["回复.pdf"]
    aid = int(d["attachments"]["attachment_id"].iloc[0])
    assert qc.attachment(source, PROV.scope, aid) == ("回复.pdf", "application/pdf", PDF)
    assert log_actions(engine) == [("prov", "case_open", "成功")] + [
        ("prov", "case_step", "成功")] * 3


def test_reply_deadline_passing_makes_a_case_overdue(handmade_url):
    engine, source = get_engine(handmade_url), Source(handmade_url, "t")
    case_id = new_case(engine)
    qc.take_step(engine, PROV, case_id, 1, rc.ISSUE, today=TODAY, step_date=TODAY, reply_due=DUE)
    on_time = qc.case_list(source, PROV.scope, DUE)
    late = qc.case_list(source, PROV.scope, DUE + dt.timedelta(days=3))
    assert (on_time["shown_status"][0], on_time["days_overdue"][0]) == ("已发出", 0)
    assert (late["shown_status"][0], late["days_overdue"][0]) == ("逾期未回复", 3)
    assert qc.counts(source, PROV.scope, DUE + dt.timedelta(days=3)) == {"在办": 1,
                                                                        "逾期未回复": 1}
    # The status filter knows the derived status.
    late_only = qc.CaseFilters(statuses=("逾期未回复",))
    assert len(qc.case_list(source, PROV.scope, DUE, late_only)) == 0
    assert len(qc.case_list(source, PROV.scope, DUE + dt.timedelta(days=1), late_only)) == 1
    sent_only = qc.CaseFilters(statuses=("已发出",))
    assert len(qc.case_list(source, PROV.scope, DUE + dt.timedelta(days=1), sent_only)) == 0


def test_document_numbers_never_repeat(handmade_url):
    engine = get_engine(handmade_url)
    ids = [new_case(engine, uscc=u, category=c) for u, c in
           [(handmade.E1, "逾期"), (handmade.E2, "逾期"), (handmade.E3, "逾期"),
            (handmade.E4, "逾期")]]
    qc.take_step(engine, PROV, ids[0], 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                 reply_due=DUE, province="320000")
    # A number typed by hand takes 2; the counter skips it.
    qc.take_step(engine, PROV, ids[1], 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                 reply_due=DUE, doc_no="苏环督〔2026〕2号")
    qc.take_step(engine, PROV, ids[2], 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                 reply_due=DUE, province="320000")
    with pytest.raises(rc.CaseError, match="已被使用"):
        qc.take_step(engine, PROV, ids[3], 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                     reply_due=DUE, doc_no="苏环督〔2026〕3号")
    with engine.connect() as conn:
        numbers = dict(conn.execute(select(s.supervision_case.c.case_id,
                                           s.supervision_case.c.doc_no)).all())
        counter = conn.execute(select(s.doc_counter.c.last_no)).scalar_one()
    assert [numbers[i] for i in ids] == ["苏环督〔2026〕1号", "苏环督〔2026〕2号",
                                         "苏环督〔2026〕3号", None]
    assert counter == 3
    # A new year starts its own sequence.
    qc.take_step(engine, PROV, ids[3], 1, rc.ISSUE, today=dt.date(2027, 1, 5),
                 step_date=dt.date(2027, 1, 5), reply_due=dt.date(2027, 1, 26),
                 province="320000")
    with engine.connect() as conn:
        assert conn.execute(select(s.supervision_case.c.doc_no)
                            .where(s.supervision_case.c.case_id == ids[3])).scalar() \
            == "苏环督〔2027〕1号"


def test_second_writer_on_an_old_version_is_refused_and_nothing_written(handmade_url):
    engine = get_engine(handmade_url)
    case_id = new_case(engine)
    qc.take_step(engine, PROV, case_id, 1, rc.ISSUE, today=TODAY, step_date=TODAY, reply_due=DUE)
    with pytest.raises(qc.CaseConflict, match="已被他人办理.*当前状态：已发出"):
        qc.take_step(engine, SUZHOU, case_id, 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                     reply_due=DUE)
    assert count(engine, s.case_step) == 2
    assert numbers_given(engine) == 1


def test_two_writers_at_the_same_moment(handmade_url):
    """Two people send the same case at once (threads, one connection each): one succeeds, the
    other is told; and two different cases sent at once get two different numbers."""
    import threading

    engine = get_engine(handmade_url)
    same = new_case(engine)
    a = new_case(engine, uscc=handmade.E1, category="逾期")
    b = new_case(engine, uscc=handmade.E2, category="逾期")

    def race(jobs):
        barrier, results = threading.Barrier(len(jobs)), []

        def run(case_id, who):
            barrier.wait()
            try:
                qc.take_step(engine, who, case_id, 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                             reply_due=DUE, province="320000")
                results.append("ok")
            except rc.CaseError as exc:
                results.append(str(exc))

        threads = [threading.Thread(target=run, args=job) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    results = race([(same, PROV), (same, SUZHOU)])
    assert results.count("ok") == 1, results
    assert any("他人" in r for r in results if r != "ok"), results
    for attempt in range(3):  # SQLite may refuse one writer as busy: that one tries again
        results = race([(a, PROV), (b, PROV)] if attempt == 0 else
                       [(i, PROV) for i in (a, b)
                        if qc.case_detail(Source(handmade_url, "t"), PROV.scope, i,
                                          TODAY)["case"]["status"] == "待发出"])
        if all(r == "ok" for r in results):
            break
    with engine.connect() as conn:
        numbers = conn.execute(select(s.supervision_case.c.doc_no)
                               .where(s.supervision_case.c.doc_no.is_not(None))).scalars().all()
    assert sorted(numbers) == ["苏环督〔2026〕1号", "苏环督〔2026〕2号", "苏环督〔2026〕3号"]


@pytest.mark.parametrize("step,kw,words", [
    (rc.CLOSE, {}, "尚未发出的督办事项不能办结"),
    (rc.ISSUE, {"reply_due": TODAY - dt.timedelta(days=1)}, "早于"),
    (rc.ISSUE, {"reply_due": DUE, "doc_no": "苏环督2026-1"}, "文号格式"),
    (rc.REPLY, {"files": [("setup.exe", b"MZ")]}, "不支持的附件类型"),
])
def test_bad_steps_write_nothing(handmade_url, step, kw, words):
    engine = get_engine(handmade_url)
    case_id = new_case(engine)
    before = (count(engine, s.case_step), count(engine, s.case_attachment),
              count(engine, s.case_document), numbers_given(engine))
    with pytest.raises(rc.CaseError, match=words):
        qc.take_step(engine, PROV, case_id, 1, step, today=TODAY, step_date=TODAY, **kw)
    assert (count(engine, s.case_step), count(engine, s.case_attachment),
            count(engine, s.case_document), numbers_given(engine)) == before


def test_an_attachment_that_fails_midway_leaves_the_step_unwritten(handmade_url):
    engine = get_engine(handmade_url)
    case_id = new_case(engine)
    qc.take_step(engine, PROV, case_id, 1, rc.ISSUE, today=TODAY, step_date=TODAY, reply_due=DUE)
    with pytest.raises(rc.CaseError, match="过大"):
        qc.take_step(engine, PROV, case_id, 2, rc.REPLY, today=TODAY, step_date=TODAY,
                     files=[("a.pdf", PDF), ("b.pdf", b"%PDF" + b"0" * 1024 * 1024)],
                     rules=rc.CaseRules(max_attachment_mb=1))
    assert count(engine, s.case_attachment) == 0
    assert qc.case_detail(Source(handmade_url, "t"), PROV.scope, case_id,
                          TODAY)["case"]["status"] == "已发出"


def test_a_second_open_case_of_the_same_kind_is_refused(handmade_url):
    engine = get_engine(handmade_url)
    first = new_case(engine)
    with pytest.raises(rc.CaseError, match=f"编号 {first}"):
        new_case(engine)
    new_case(engine, category="逾期")  # another kind of item is another case


def test_a_city_sees_and_acts_only_on_its_own_cases(handmade_url):
    engine, source = get_engine(handmade_url), Source(handmade_url, "t")
    suzhou_case = new_case(engine, SUZHOU, handmade.E3)  # 苏州 虎丘区
    nanjing_case = new_case(engine, PROV, handmade.E2, "逾期")  # 南京 浦口区
    assert list(qc.case_list(source, SUZHOU.scope, TODAY)["case_id"]) == [suzhou_case]
    assert list(qc.case_list(source, NANJING.scope, TODAY)["case_id"]) == [nanjing_case]
    assert len(qc.case_list(source, PROV.scope, TODAY)) == 2
    assert qc.case_detail(source, SUZHOU.scope, nanjing_case, TODAY) is None
    assert qc.counts(source, SUZHOU.scope, TODAY) == {"在办": 1, "逾期未回复": 0}
    assert list(qc.open_items(source, SUZHOU.scope)["case_id"]) == [suzhou_case]
    assert qc.enterprise_brief(source, SUZHOU.scope, handmade.E2) is None
    # Writing another city's case looks like writing a case that does not exist.
    with pytest.raises(rc.CaseError, match="未找到该督办事项"):
        qc.take_step(engine, SUZHOU, nanjing_case, 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                     reply_due=DUE)
    with pytest.raises(rc.CaseError, match="管辖范围内找到该企业"):
        new_case(engine, SUZHOU, handmade.E1, "逾期")
    assert count(engine, s.supervision_case) == 2
    assert qc.case_detail(source, PROV.scope, nanjing_case, TODAY)["case"]["status"] == "待发出"
    # An attachment of another city's case is not there either.
    qc.take_step(engine, PROV, nanjing_case, 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                 reply_due=DUE)
    qc.take_step(engine, PROV, nanjing_case, 2, rc.REPLY, today=TODAY, step_date=TODAY,
                 files=[("回复.pdf", PDF)])
    aid = int(qc.case_detail(source, PROV.scope, nanjing_case,
                             TODAY)["attachments"]["attachment_id"].iloc[0])
    assert qc.attachment(source, SUZHOU.scope, aid) is None
    refusals = [a for a in log_actions(engine) if a[2] == "拒绝"]
    assert refusals == [("suzhou", "denied", "拒绝")] * 2


def test_a_round_of_another_enterprise_is_not_linked(handmade_url):
    engine, source = get_engine(handmade_url), Source(handmade_url, "t")
    own = new_case(engine, uscc=handmade.E3, audit_id=3)  # R3 is E3's
    other = new_case(engine, uscc=handmade.E4, category="逾期", audit_id=1)  # R1 is E1's
    assert qc.case_detail(source, PROV.scope, own, TODAY)["case"]["audit_id"] == 3
    assert pd.isna(qc.case_detail(source, PROV.scope, other, TODAY)["case"]["audit_id"])


def test_batch_candidates_are_scoped(handmade_url):
    engine, source = get_engine(handmade_url), Source(handmade_url, "t")
    new_case(engine, uscc=handmade.E2, category="逾期", addressee_kind="市级生态环境部门",
             addressee="南京市生态环境局")
    assert len(qc.batch_candidates(source, PROV.scope, "320100", TODAY)) == 1
    assert qc.batch_candidates(source, SUZHOU.scope, "320100", TODAY).empty


def test_read_only_roles_cannot_write(handmade_url):
    engine = get_engine(handmade_url)
    case_id = new_case(engine)
    with pytest.raises(rc.CaseError, match="只能查看"):
        new_case(engine, READER, category="逾期")
    with pytest.raises(rc.CaseError, match="只能查看"):
        qc.take_step(engine, READER, case_id, 1, rc.ISSUE, today=TODAY, step_date=TODAY,
                     reply_due=DUE)
    assert count(engine, s.supervision_case) == 1
    assert ("reader", "denied", "拒绝") in log_actions(engine)


def test_filters_by_city_category_and_dates(handmade_url):
    engine, source = get_engine(handmade_url), Source(handmade_url, "t")
    a = new_case(engine, uscc=handmade.E3)
    b = new_case(engine, uscc=handmade.E2, category="逾期", reply_due=dt.date(2026, 12, 31))

    def ids(**kw):
        return list(qc.case_list(source, PROV.scope, TODAY, qc.CaseFilters(**kw))["case_id"])

    assert ids(cities=("320500",)) == [a]
    assert ids(categories=("逾期",)) == [b]
    assert ids(due_from=dt.date(2026, 12, 16)) == [b]
    assert ids(due_to=dt.date(2026, 12, 15)) == [a]
    assert ids(uscc=handmade.E2) == [b]
    today = qc.today()
    assert sorted(ids(opened_from=today, opened_to=today)) == [a, b]
    assert ids(opened_to=today - dt.timedelta(days=1)) == []
    assert ids(opened_from=today + dt.timedelta(days=1)) == []


def test_suggested_close_when_the_item_has_cleared():
    cases = pd.DataFrame({"uscc": ["A", "B", "C", "D"],
                          "category": ["逾期", "逾期", "其他", "逾期"],
                          "status": ["已发出", "已回复", "已回复", "待发出"]})
    watch = pd.DataFrame({"统一社会信用代码": ["A"], "类别": ["逾期"]})
    assert list(qc.suggested_close(cases, watch)) == [False, True, False, False]


def test_city_counts_and_ageing():
    cases = pd.DataFrame({
        "case_id": [1, 2, 3, 4], "city_adcode": ["320500", "320500", "320100", "320100"],
        "city": ["苏州市", "苏州市", "南京市", "南京市"],
        "status": ["已发出", "已办结", "退回重办", "待发出"],
        "shown_status": ["逾期未回复", "已办结", "退回重办", "待发出"],
        "days_overdue": [40, 0, 0, 0]})
    table = qc.city_counts(cases)
    assert table.to_dict("records") == [
        {"城市": "南京市", "督办事项": 2, "在办": 2, "待回复": 1, "逾期未回复": 0, "已办结": 0},
        {"城市": "苏州市", "督办事项": 2, "在办": 1, "待回复": 1, "逾期未回复": 1, "已办结": 1},
        {"城市": "合计", "督办事项": 4, "在办": 3, "待回复": 2, "逾期未回复": 1, "已办结": 1}]
    assert qc.ageing(cases) == {"未到期": 1, "逾期1–15天": 0, "逾期16–30天": 0, "逾期30天以上": 1}


def test_a_batch_letter_sends_a_citys_cases_under_one_number(handmade_url):
    engine, source = get_engine(handmade_url), Source(handmade_url, "t")
    kw = dict(addressee_kind="市级生态环境部门", addressee="苏州市生态环境局")
    a = new_case(engine, uscc=handmade.E3, **kw)
    b = new_case(engine, uscc=handmade.E4, category="逾期", **kw)
    new_case(engine, uscc=handmade.E2, category="逾期", addressee_kind="市级生态环境部门",
             addressee="南京市生态环境局")
    own = new_case(engine, uscc=handmade.E4, category="即将到期")  # addressed to the enterprise
    candidates = qc.batch_candidates(source, PROV.scope, "320500", TODAY)
    assert list(candidates["case_id"]) == [a, b]  # 苏州 only, to the city's bureau only
    number = qc.issue_batch(engine, PROV, [(a, 1), (b, 1)], today=TODAY, sent=TODAY,
                            reply_due=DUE, addressee="苏州市生态环境局", issuer="江苏省生态环境厅",
                            province="320000")
    assert number == "苏环督〔2026〕1号"
    letter, listed = qc.document(source, PROV.scope, number, TODAY)
    assert (letter["kind"], letter["addressee"]) == ("批量督办函", "苏州市生态环境局")
    assert list(listed["case_id"]) == [a, b]
    assert set(listed["status"]) == {"已发出"} and set(listed["reply_due"]) == {DUE}
    assert qc.document(source, NANJING.scope, number, TODAY) is None
    # The next notice gets the next number; a case of another city cannot join a letter.
    qc.take_step(engine, PROV, own, 1, rc.ISSUE, today=TODAY, step_date=TODAY, reply_due=DUE,
                 province="320000")
    assert qc.case_detail(source, PROV.scope, own, TODAY)["case"]["doc_no"] == "苏环督〔2026〕2号"
    nanjing = int(qc.batch_candidates(source, PROV.scope, "320100", TODAY)["case_id"].iloc[0])
    c = new_case(engine, uscc=handmade.E3, category="逾期", **kw)
    with pytest.raises(rc.CaseError, match="同一城市"):
        qc.issue_batch(engine, PROV, [(c, 1), (nanjing, 1)], today=TODAY, sent=TODAY,
                       reply_due=DUE, addressee="苏州市生态环境局", issuer="江苏省生态环境厅")
    with pytest.raises(qc.CaseConflict):
        qc.issue_batch(engine, PROV, [(c, 1), (a, 1)], today=TODAY, sent=TODAY,
                       reply_due=DUE, addressee="苏州市生态环境局", issuer="江苏省生态环境厅")
    with pytest.raises(rc.CaseError, match="已被使用"):
        qc.issue_batch(engine, PROV, [(c, 1)], today=TODAY, sent=TODAY, reply_due=DUE,
                       addressee="苏州市生态环境局", issuer="江苏省生态环境厅",
                       doc_no="苏环督〔2026〕2号")
    with pytest.raises(rc.CaseError, match="未找到"):  # a city cannot send another's case
        qc.issue_batch(engine, SUZHOU, [(nanjing, 1)], today=TODAY, sent=TODAY,
                       reply_due=DUE, addressee="南京市生态环境局", issuer="苏州市生态环境局")
    assert qc.case_detail(source, PROV.scope, c, TODAY)["case"]["status"] == "待发出"
    assert count(engine, s.case_document) == 2
