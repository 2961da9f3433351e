"""督办台账 page (issue 17) under AppTest, through the real frame, as the province, a city
(苏州市 320500) and a read-only user, on the hand-built database with cases written through the
query layer: the numbers shown, a case's steps taken on the page, the new-case form prefilled
from the watch list, two people at once, and what a city or a reader may not do."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import select

from queries import cases as qc
from queries import schema as s
from queries.db import get_engine
from rules import cases as rc
from tests import handmade
from tests.apptest import metrics, open_page, texts
from tests.test_cases_queries import PROV, viewer

PAGE = "pages/cases.py"


@pytest.fixture
def cases_db(handmade_sqlite):
    """Two cases: 苏州 E3 (未通过) sent and overdue; 南京 E2 (逾期) still a draft."""
    engine = get_engine(handmade_sqlite)
    today = qc.today()
    sent = today - dt.timedelta(days=60)
    suzhou = qc.open_case(engine, PROV, uscc=handmade.E3, category="未通过",
                          reason="评估不合格，待整改", addressee_kind="企业", addressee="测试企业",
                          reply_due=today, today=today, issuer="江苏省生态环境厅")
    qc.take_step(engine, PROV, suzhou, 1, rc.ISSUE, today=sent, step_date=sent,
                 reply_due=rc.default_reply_due(sent, rc.CaseRules()), province="320000")
    nanjing = qc.open_case(engine, PROV, uscc=handmade.E2, category="逾期",
                           reason="提交审核报告逾期", addressee_kind="市级生态环境部门",
                           addressee="南京市生态环境局", reply_due=today + dt.timedelta(days=30),
                           today=today, issuer="江苏省生态环境厅")
    return handmade_sqlite, suzhou, nanjing


def status_of(url, case_id):
    with get_engine(url).connect() as conn:
        return conn.execute(select(s.supervision_case.c.status, s.supervision_case.c.doc_no)
                            .where(s.supervision_case.c.case_id == case_id)).one()


def test_province_list_counts(monkeypatch, cases_db):
    url, suzhou, nanjing = cases_db
    at = open_page(monkeypatch, url, PAGE)
    m = metrics(at)
    assert (m["督办事项"], m["在办督办事项"], m["待回复督办事项"], m["逾期未回复督办事项"],
            m["已办结督办事项"]) == (
        "2 项", "2 项", "1 项", "1 项", "0 项")
    assert m["逾期30天以上"] == "1 项"
    table = at.dataframe[1].value
    assert sorted(table["企业名称"]) == sorted(r["name"] for r in handmade.ROWS["enterprise"]
                                              if r["uscc"] in (handmade.E2, handmade.E3))
    cities = at.dataframe[0].value
    assert cities.set_index("城市").loc["合计", "督办事项"] == 2
    # The status filter knows 逾期未回复.
    at.multiselect(key="case_status").set_value(["逾期未回复"]).run()
    assert metrics(at)["督办事项"] == "1 项"
    assert list(at.dataframe[1].value["编号"]) == [suzhou]


def test_suggested_close_when_the_watch_list_item_has_cleared(monkeypatch, cases_db):
    # As of 2024-12-31 苏州丙's failed round 3 is superseded by round 2 in audit (no 未通过
    # item): its sent case is suggested for closing. The 南京 draft is not (not sent yet).
    url, suzhou, nanjing = cases_db
    at = open_page(monkeypatch, url, PAGE, params={"asof": "2024-12-31"})
    assert metrics(at)["建议办结督办事项"] == "1 项"
    table = at.dataframe[1].value.set_index("编号")
    assert (table.loc[suzhou, "建议办结"], table.loc[nanjing, "建议办结"]) == ("是", "")
    at = open_page(monkeypatch, url, PAGE, params={"asof": "2024-12-31", "case": str(suzhou)})
    assert "建议办结" in texts(at) and metrics(at)["状态"] == "逾期未回复"  # not closed by itself


def test_a_city_sees_only_its_cases_and_not_another_citys_by_link(monkeypatch, cases_db):
    url, suzhou, nanjing = cases_db
    at = open_page(monkeypatch, url, PAGE, user="city:320500")
    assert metrics(at)["督办事项"] == "1 项"
    assert list(at.dataframe[1].value["编号"]) == [suzhou]
    assert "case_city" not in [w.key for w in at.multiselect]  # one city: no city filter
    at = open_page(monkeypatch, url, PAGE, params={"case": str(nanjing)}, user="city:320500")
    assert "未找到该督办事项" in texts(at)
    assert not at.get("download_button")
    at = open_page(monkeypatch, url, PAGE, params={"new": handmade.E2}, user="city:320500")
    assert "未在您的管辖范围内找到该企业" in texts(at)


def test_case_moves_through_its_life_on_the_page(monkeypatch, cases_db):
    url, suzhou, nanjing = cases_db
    at = open_page(monkeypatch, url, PAGE, params={"case": str(nanjing)})
    assert metrics(at)["状态"] == "待发出"
    assert at.radio(key="case_step_kind").options == ["发出"]
    at.button(key="case_submit_发出").click().run()
    assert not at.exception
    status, doc_no = status_of(url, nanjing)
    year = qc.today().year  # the 苏州 case was sent 60 days ago: number 1 of its year
    n = 2 if (qc.today() - dt.timedelta(days=60)).year == year else 1
    assert (status, doc_no) == ("已发出", f"苏环督〔{year}〕{n}号")
    assert metrics(at)["状态"] == "已发出"
    at.button(key="case_submit_回复").click().run()
    assert status_of(url, nanjing)[0] == "已回复"
    at.radio(key="case_step_kind").set_value("办结").run()
    at.button(key="case_submit_办结").click().run()
    assert status_of(url, nanjing)[0] == "已办结"
    assert "该督办事项已办结" in texts(at)
    steps = at.dataframe[1].value
    assert list(steps["办理"]) == ["登记", "发出", "回复", "办结"]


def test_a_return_needs_its_reason(monkeypatch, cases_db):
    url, suzhou, _ = cases_db
    engine = get_engine(url)
    qc.take_step(engine, PROV, suzhou, 2, rc.REPLY, today=qc.today(), step_date=qc.today())
    at = open_page(monkeypatch, url, PAGE, params={"case": str(suzhou)})
    at.radio(key="case_step_kind").set_value("退回重办").run()
    at.button(key="case_submit_退回重办").click().run()
    assert "退回重办须写明理由" in texts(at)
    assert status_of(url, suzhou)[0] == "已回复"


def test_two_people_at_once_the_second_is_told(monkeypatch, cases_db):
    url, _, nanjing = cases_db
    at = open_page(monkeypatch, url, PAGE, params={"case": str(nanjing)})
    # Someone else sends the notice while this page is open.
    qc.take_step(get_engine(url), viewer(name="other"), nanjing, 1, rc.ISSUE, today=qc.today(),
                 step_date=qc.today(), reply_due=rc.default_reply_due(qc.today(),
                                                                     rc.CaseRules()))
    at.button(key="case_submit_发出").click().run()
    shown = texts(at)
    assert "已被他人办理" in shown and "当前状态：已发出" in shown
    assert metrics(at)["状态"] == "已发出"  # the current state is shown
    with get_engine(url).connect() as conn:
        steps = conn.execute(select(s.case_step.c.action)
                             .where(s.case_step.c.case_id == nanjing)).scalars().all()
    assert steps == ["登记", "发出"]


def test_new_case_prefilled_from_the_watch_list(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE,
                   params={"new": handmade.E4, "cat": "逾期"})
    assert at.selectbox(key="case_new_item").value.startswith("逾期：")
    reason = at.text_area(key="case_new_reason").value
    assert "逾期" in reason
    assert at.selectbox(key="case_new_to").value == ("市级生态环境部门", "苏州市生态环境局")
    at.button(key="case_new_submit").click().run()
    assert not at.exception
    with get_engine(handmade_sqlite).connect() as conn:
        row = conn.execute(select(s.supervision_case)).one()
    assert (row.uscc, row.category, row.reason, row.status) == (handmade.E4, "逾期", reason,
                                                                "待发出")
    assert at.query_params["case"] == str(row.case_id)
    assert metrics(at)["状态"] == "待发出"


def test_read_only_user_reads_but_cannot_write(monkeypatch, cases_db):
    url, suzhou, _ = cases_db
    at = open_page(monkeypatch, url, PAGE, params={"case": str(suzhou)}, user="readonly")
    assert metrics(at)["状态"] == "逾期未回复"
    assert "您的角色只能查看督办事项" in texts(at)
    assert not at.radio and not at.get("download_button")
    at = open_page(monkeypatch, url, PAGE, params={"new": handmade.E3}, user="readonly")
    assert qc.NO_RIGHT in texts(at)
    assert not at.text_area


@pytest.mark.parametrize("params,words", [
    ({"case": "abc"}, "督办事项编号“abc”无效"), ({"case": "007"}, "无效"),
    ({"new": "<script>"}, "统一社会信用代码无效")])
def test_bad_links_get_a_short_message_and_the_list(monkeypatch, cases_db, params, words):
    url, *_ = cases_db
    at = open_page(monkeypatch, url, PAGE, params=params)
    assert words in texts(at)
    assert "督办事项" in metrics(at)


# -- from the watch list (审核进度与督办) -------------------------------------------------------

def pick_watch_row(at, row: int):
    at.session_state["sup_watch_pick"] = {"selection": {"rows": [row], "columns": [],
                                                        "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def watch_table(at):
    return next(d.value for d in at.dataframe if "督办" in d.value.columns)


def test_two_clicks_from_a_watch_list_row_to_an_open_case(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/supervision.py",
                   params={"asof": "2024-12-31"})
    table = watch_table(at)
    assert set(table["督办"]) == {"未立案"}
    row = 1  # 苏州丁印染有限公司 (E4): 启动审核逾期 239 天
    assert table.iloc[row]["统一社会信用代码"] == handmade.E4
    pick_watch_row(at, row)  # click 1
    at.button(key="sup_case_open").click().run()  # click 2
    assert not at.exception
    with get_engine(handmade_sqlite).connect() as conn:
        case = conn.execute(select(s.supervision_case)).one()
    assert (case.uscc, case.category, case.status, case.days_late) == (
        handmade.E4, "逾期", "待发出", 239)
    assert case.reason == table.iloc[row]["事由"]
    assert (case.addressee_kind, case.addressee) == ("市级生态环境部门", "苏州市生态环境局")
    assert case.reply_due == rc.default_reply_due(qc.today(), rc.CaseRules())
    # The watch list now says the item has a case, and offers it instead of a new one.
    at = open_page(monkeypatch, handmade_sqlite, "pages/supervision.py",
                   params={"asof": "2024-12-31"})
    assert watch_table(at).iloc[row]["督办"] == f"在办（编号 {case.case_id}）"
    pick_watch_row(at, row)
    labels = [link.proto.label for link in at.get("page_link")]
    assert f"打开在办的督办事项（编号 {case.case_id}）" in labels
    assert not [b for b in at.button if b.key == "sup_case_open"]


def test_a_read_only_user_is_not_offered_to_open_a_case(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/supervision.py",
                   params={"asof": "2024-12-31"}, user="readonly")
    pick_watch_row(at, 0)
    assert not [b for b in at.button if b.key == "sup_case_open"]
    assert all("登记" not in link.proto.label for link in at.get("page_link"))


# -- the overview and the enterprise record ----------------------------------------------------

def test_overview_counts_cases_in_progress_and_overdue(monkeypatch, cases_db):
    url, suzhou, nanjing = cases_db
    at = open_page(monkeypatch, url, "pages/overview.py", params={"asof": "2024-12-31"})
    assert "督办事项：在办 2 项，逾期未回复 1 项" in texts(at)
    listed = next(d.value for d in at.dataframe if "编号" in d.value.columns)
    assert list(listed["编号"]) == [suzhou, nanjing]  # the overdue one first
    at = open_page(monkeypatch, url, "pages/overview.py", params={"asof": "2024-12-31"},
                   user="city:320500")
    assert "督办事项：在办 1 项，逾期未回复 1 项" in texts(at)
    # The province with 南京市 chosen in the sidebar: 南京's case only, as the heading says.
    at = open_page(monkeypatch, url, "pages/overview.py",
                   params={"asof": "2024-12-31", "city": "320100"})
    assert "督办事项：在办 1 项，逾期未回复 0 项" in texts(at)
    # Closing the 南京 case takes it off the province's line.
    engine = get_engine(url)
    qc.take_step(engine, PROV, nanjing, 1, rc.ISSUE, today=qc.today(), step_date=qc.today(),
                 reply_due=rc.default_reply_due(qc.today(), rc.CaseRules()))
    qc.take_step(engine, PROV, nanjing, 2, rc.REPLY, today=qc.today(), step_date=qc.today())
    qc.take_step(engine, PROV, nanjing, 3, rc.CLOSE, today=qc.today(), step_date=qc.today())
    at = open_page(monkeypatch, url, "pages/overview.py", params={"asof": "2024-12-31"})
    assert "督办事项：在办 1 项，逾期未回复 1 项" in texts(at)


def test_enterprise_record_shows_its_cases(monkeypatch, cases_db):
    url, suzhou, _ = cases_db
    at = open_page(monkeypatch, url, "pages/enterprise.py",
                   params={"uscc": handmade.E3, "asof": "2024-12-31"})
    table = next(d.value for d in at.dataframe if "编号" in d.value.columns)
    assert list(table["编号"]) == [suzhou]
    assert list(table["状态"]) == ["逾期未回复"]
    assert table["查看"].iloc[0] == f"/cases?case={suzhou}"
    links = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    assert links["为该企业登记督办事项"] == f"new={handmade.E3}"
    at = open_page(monkeypatch, url, "pages/enterprise.py",
                   params={"uscc": handmade.E3, "asof": "2024-12-31"}, user="readonly")
    assert "为该企业登记督办事项" not in [link.proto.label for link in at.get("page_link")]
    at = open_page(monkeypatch, url, "pages/enterprise.py",
                   params={"uscc": handmade.E4, "asof": "2024-12-31"})
    assert "该企业没有督办事项。" in texts(at)


def download_labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_batch_letter_sends_a_citys_cases_with_one_number(monkeypatch, cases_db):
    url, suzhou, nanjing = cases_db
    at = open_page(monkeypatch, url, PAGE)
    assert at.selectbox(key="case_batch_city").value == "320100"  # 南京: one draft to its bureau
    at.button(key="case_batch_submit").click().run()
    assert not at.exception
    status, doc_no = status_of(url, nanjing)
    assert status == "已发出" and doc_no.startswith("苏环督〔")
    assert f"已以批量督办函 {doc_no} 发出南京市的督办事项 1 项。" in texts(at)
    assert f"下载批量督办函 {doc_no}（Word）" in download_labels(at)
    at = open_page(monkeypatch, url, PAGE, params={"case": str(nanjing)})
    assert f"下载批量督办函 {doc_no}（Word）" in download_labels(at)
    steps = at.dataframe[1].value
    assert steps["说明"].tolist()[-1] == f"以批量督办函 {doc_no} 发出"
    # A city official is not offered batch letters.
    at = open_page(monkeypatch, url, PAGE, user="city:320500")
    assert "case_batch_city" not in [w.key for w in at.selectbox]




def ledger_rows(downloads) -> list[tuple]:
    label = [k for k in downloads if k.startswith("下载督办台账")][-1]  # of the last run
    name, data = downloads[label]
    ws = openpyxl.load_workbook(io.BytesIO(data() if callable(data) else data))["督办台账"]
    rows = list(ws.iter_rows(values_only=True))
    return name, rows[:3], rows[4], rows[5:]


@pytest.mark.parametrize("user,expected", [("province", "E2 E3"), ("city:320500", "E3")])
def test_ledger_export_holds_the_jurisdiction_only(monkeypatch, cases_db, offered, user,
                                                   expected):
    url, *_ = cases_db
    at = open_page(monkeypatch, url, PAGE, user=user)
    assert not at.exception
    name, header, columns, rows = ledger_rows(offered)
    area = "江苏省" if user == "province" else "苏州市"
    assert name.startswith(f"{area}督办台账_")
    assert header[0][0] == f"{area}清洁生产审核督办台账"
    assert columns[:3] == ("编号", "文号", "企业名称")
    usccs = {getattr(handmade, e) for e in expected.split()}
    assert {r[columns.index("统一社会信用代码")] for r in rows} == usccs


def test_ledger_export_date_range(monkeypatch, cases_db, offered):
    url, *_ = cases_db
    at = open_page(monkeypatch, url, PAGE)
    yesterday = qc.today() - dt.timedelta(days=1)
    at.date_input(key="case_export_span").set_value((yesterday - dt.timedelta(days=30),
                                                     yesterday)).run()
    assert ledger_rows(offered)[3] == []  # both cases were opened today


def test_hostile_names_and_reasons_are_shown_as_text(monkeypatch, tmp_path, offered):
    """Enterprise, city and county names, the reason and the contact of a case drawn literally
    on the list, the case and the new-case form; the ledger keeps them text in Excel."""
    from tests import hostile
    from tests.conftest import sqlite_with
    from tests.test_hardening_markup import MARKUP, assert_no_markup, excel_files

    url = sqlite_with(tmp_path, hostile.build, "hostile.db")
    engine = get_engine(url)
    today = qc.today()
    case_id = qc.open_case(engine, PROV, uscc=handmade.E4, category="逾期",
                           reason=hostile.BOLD + hostile.LINK, addressee_kind="企业",
                           addressee=hostile.HTML + "{d}", contact=hostile.FORMULA,
                           reply_due=rc.default_reply_due(today, rc.CaseRules()), today=today,
                           issuer=hostile.PROVINCE + "生态环境厅")
    assert {hostile.BOLD, hostile.LINK, hostile.HTML + "{d}"} <= set(MARKUP)
    at = open_page(monkeypatch, url, PAGE)
    assert_no_markup(at, "cases list")
    at = open_page(monkeypatch, url, PAGE, params={"case": str(case_id)})
    assert_no_markup(at, "case")
    at.button(key="case_submit_发出").click().run()
    assert_no_markup(at, "case sent")
    at = open_page(monkeypatch, url, PAGE, params={"new": handmade.E3})
    assert_no_markup(at, "new case")
    at = open_page(monkeypatch, url, PAGE)
    book = [data for label, data in excel_files(offered).items()
            if label.startswith("下载督办台账")]
    ws = openpyxl.load_workbook(io.BytesIO(book[-1]))["督办台账"]
    cells = [c for row in ws.iter_rows() for c in row
             if c.value in (hostile.AT + "丁" + hostile.TEMPLATE, hostile.BOLD + hostile.LINK)]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_new_case_form_points_to_the_case_already_in_progress(monkeypatch, cases_db):
    url, suzhou, _ = cases_db
    at = open_page(monkeypatch, url, PAGE, params={"new": handmade.E3, "cat": "未通过"})
    # 其他 (no watch-list item): the reason is left for the official to write.
    at.selectbox(key="case_new_item").set_value("其他（手工填写事由）").run()
    assert not at.exception
    assert at.text_area(key="case_new_reason").value == ""
    # A case of the same kind in progress: the form is replaced by a link to it.
    engine = get_engine(url)
    qc.open_case(engine, PROV, uscc=handmade.E4, category="逾期", reason="启动审核逾期",
                 addressee_kind="企业", addressee="测试企业",
                 reply_due=rc.default_reply_due(qc.today(), rc.CaseRules()), today=qc.today(),
                 issuer="江苏省生态环境厅")
    at = open_page(monkeypatch, url, PAGE, params={"new": handmade.E4, "cat": "逾期",
                                                   "asof": "2024-12-31"})
    assert "该企业已有在办的同类督办事项（编号 3）" in texts(at)
    links = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    assert links["打开督办事项 3"] == "case=3"
    assert not [b for b in at.button if b.key == "case_new_submit"]
