"""pages/supervision.py under AppTest on the hand-built province: exact counts and overdue days,
as-of switching, page filters, a city-scoped viewer, clock rules from a TOML file, and following
a watch-list row to the enterprise record."""

from __future__ import annotations

import io
import json

import openpyxl

from components import export
from queries import supervision as sv
from tests import handmade as hm
from tests.apptest import metrics, open_page, texts

PAGE = "pages/supervision.py"



def frames(at) -> dict[str, object]:
    """The page's tables by their first column name."""
    return {df.value.columns[0]: df.value for df in at.dataframe}


def open_supervision(monkeypatch, url, asof="2024-12-31", user="province", **params):
    return open_page(monkeypatch, url, PAGE, params={"asof": asof, **params}, user=user)


def show(at, section: str):
    """Open one of the page's lazy tabs (督办清单 / 审核进度 / 审核轮次与逾期)."""
    at.session_state["sup_section"] = section
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_known_answer_as_of_2024_12_31(monkeypatch, handmade_sqlite):
    at = open_supervision(monkeypatch, handmade_sqlite)
    m = metrics(at)
    kpis = ("列入审核轮次", "进行中", "逾期轮次", "未通过待处理", "督办清单事项")
    assert [m[k] for k in kpis] == ["5 轮", "3 轮", "2 轮", "0 轮", "2 项"]
    # The watch list opens first; the other tabs run only when chosen.
    assert list(frames(at)) == ["类别"] and not at.get("vega_lite_chart")
    watch = frames(at)["类别"]
    assert watch[["企业名称", "事由", "逾期天数", "咨询机构"]].values.tolist() == [
        ["南京乙化工有限公司", "审核报告逾期 305 天", 305, "江苏清源环境咨询有限公司"],
        # E4's start was due 2024-05-01 (May Day holiday), moved to 2024-05-06: 239 days.
        ["苏州丁印染有限公司", "启动审核逾期 239 天", 239, "苏州绿衡环保科技有限公司"]]
    assert "共 2 项" in texts(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载督办清单（Excel，截至 2024年12月31日）"]

    show(at, "审核进度")
    assert list(frames(at)) == ["分组"] and not at.get("download_button")
    funnel = frames(at)["分组"].set_index("分组")
    assert funnel.loc["合计"].tolist() == [5, 5, 4, 2, 1, 1, 1, 1, 0]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["y"]["sort"] == [
        "列入名单  5", "信息公开  5", "启动审核  4", "提交审核报告  2", "评估  通过1/未通过1",
        "中/高费方案实施完成  1", "验收  通过1/未通过0"]

    show(at, "审核轮次与逾期")
    assert list(frames(at)) == ["企业名称"] and not at.get("vega_lite_chart")
    m = metrics(at)
    assert (m["逾期 0–30天"], m["逾期 31–90天"], m["逾期 >90天"]) == ("0 轮", "0 轮", "2 轮")
    rounds = frames(at)["企业名称"]
    assert rounds["逾期天数"].tolist() == [305, 239, 0, 0, 0]
    assert rounds["原因"].tolist()[:2] == ["审核报告逾期 305 天", "启动审核逾期 239 天"]
    # The extended due dates are shown, with the original in 期限说明.
    assert rounds[["应完成日期", "期限说明"]].values.tolist()[1:3] == [
        ["2024年5月6日", "原期限2024年5月1日遇劳动节假期，依法顺延"],
        ["2025年3月3日", "原期限2025年3月1日遇周六，依法顺延"]]
    assert rounds["当前阶段"].tolist()[2:] == ["审核中", "验收通过", "评估未通过"]
    assert "共 5 轮" in texts(at)


def test_as_of_switching_changes_every_number(monkeypatch, handmade_sqlite):
    at = open_supervision(monkeypatch, handmade_sqlite, asof="2023-12-31")
    m = metrics(at)
    assert (m["列入审核轮次"], m["逾期轮次"], m["督办清单事项"]) == ("3 轮", "0 轮", "0 项")
    assert "截至 2023年12月31日，当前范围内没有需要督办的事项。" in texts(at)
    funnel = frames(show(at, "审核进度"))["分组"].set_index("分组")
    assert funnel.loc["合计"].tolist() == [3, 3, 3, 1, 0, 0, 0, 0, 0]
    at = open_supervision(monkeypatch, handmade_sqlite, asof="2024-06-30")
    # Start due 2024-05-06 (moved off the May Day holiday): 55 days by 2024-06-30.
    assert frames(at)["类别"]["事由"].tolist() == ["审核报告逾期 121 天", "启动审核逾期 55 天"]
    m = metrics(show(at, "审核轮次与逾期"))
    assert (m["逾期 31–90天"], m["逾期 >90天"]) == ("1 轮", "1 轮")


def test_page_filters_county_reason_mode(monkeypatch, handmade_sqlite):
    at = open_supervision(monkeypatch, handmade_sqlite)
    county = at.multiselect(key="sup_county")
    assert county.options == ["南京市·浦口区", "苏州市·虎丘区", "苏州市·吴江区"]
    county.set_value(["320509"]).run()
    assert metrics(at)["列入审核轮次"] == "1 轮"
    assert frames(at)["类别"]["事由"].tolist() == ["启动审核逾期 239 天"]
    county.set_value([]).run()
    at.multiselect(key="sup_reason").set_value(["双有"]).run()
    assert metrics(at)["列入审核轮次"] == "3 轮" and metrics(at)["督办清单事项"] == "0 项"
    at.multiselect(key="sup_reason").set_value([]).run()
    at.multiselect(key="sup_mode").set_value(["园区整体审核"]).run()
    assert metrics(at)["列入审核轮次"] == "0 轮"
    assert not at.exception


def test_city_scoped_viewer_sees_only_its_city(monkeypatch, handmade_sqlite):
    at = open_supervision(monkeypatch, handmade_sqlite, user="city:320100")
    assert metrics(at)["列入审核轮次"] == "2 轮"
    assert frames(at)["类别"]["逾期天数"].tolist() == [305]
    for section in ("督办清单", "审核进度", "审核轮次与逾期"):
        body = " ".join(df.value.to_string() for df in show(at, section).dataframe)
        assert body and "苏州" not in body and hm.E3 not in body and hm.E4 not in body
    assert at.multiselect(key="sup_county").options == ["南京市·浦口区"]


def test_clock_rules_file_changes_the_page_without_code(monkeypatch, handmade_sqlite, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[default]\nstart_months = 3\n\n["320000"]\nreport_months = 18\n',
                     encoding="utf-8")
    monkeypatch.setenv("CLOCK_RULES_FILE", str(rules))
    at = open_supervision(monkeypatch, handmade_sqlite)
    watch = frames(at)["类别"]
    # R2: report due 2024-09-01 (18 months), a Sunday: 2024-09-02. R4: start due 2024-06-01
    # (3 months), a Saturday: 2024-06-03 (hand-computed; 213 and 121 days before the rest-day
    # extension).
    assert watch[["事由", "应完成/到期日期"]].values.tolist() == [
        ["启动审核逾期 211 天", "2024年6月3日"], ["审核报告逾期 120 天", "2024年9月2日"]]


def test_watch_list_row_selection_leads_to_the_enterprise_record(monkeypatch, handmade_sqlite):
    at = open_supervision(monkeypatch, handmade_sqlite)
    assert not at.get("page_link")
    at.session_state["sup_watch_pick"] = {"selection": {"rows": [1], "columns": [],
                                                        "cells": []}}
    at.run()
    link = at.get("page_link")[0].proto
    assert link.label == "打开“苏州丁印染有限公司”的企业档案"
    assert link.page.endswith("enterprise") and f"uscc={hm.E4}" in link.query_string
    # Follow it the way the link does: the enterprise page with ?uscc=…
    at.query_params["uscc"] = hm.E4
    at.switch_page("pages/enterprise.py").run()
    assert not at.exception
    assert at.header[0].value == "苏州丁印染有限公司"
    assert "启动审核应于2024年5月6日前完成（已逾期 239 天）" in texts(at)


def test_watch_list_excel_has_the_rows_and_the_date(handmade_url, clear_caches):
    """The workbook the download button builds: all rows, header lines with the as-of date."""
    import datetime as dt

    from queries.db import Source
    from queries.scope import PROVINCE, Filters
    from rules.clock import ClockRules

    as_of = dt.date(2024, 12, 31)
    src, f = Source(handmade_url, "t"), Filters(as_of=as_of)
    st_df = sv.status(src, PROVINCE, f, ClockRules(), sv.PageFilters())
    watch = sv.watch_list(st_df, sv.permits(src, PROVINCE, f), as_of, ClockRules())
    header = sv.watch_header("江苏省", as_of, "江苏省", len(watch))
    data = export.excel_bytes({"督办清单": watch.drop(columns="档案")}, header)
    assert export.file_name("督办清单", as_of, "xlsx") == "督办清单_截至20241231.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(data))["督办清单"]
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "江苏省清洁生产审核督办清单"
    assert rows[2][0] == "数据截至 2024年12月31日；共 2 项"
    assert rows[4][:4] == ["类别", "企业名称", "事由", "逾期天数"]
    # E4's start deadline moved off the May Day holiday (05-01 -> 05-06): 239 days, not 244.
    assert [r[2] for r in rows[5:]] == ["审核报告逾期 305 天", "启动审核逾期 239 天"]
    assert [r[3] for r in rows[5:]] == [305, 239]
    assert rows[5][-1] == hm.E2


def test_choices_inside_a_tab_survive_a_visit_to_another_tab(monkeypatch, handmade_sqlite):
    at = open_supervision(monkeypatch, handmade_sqlite)
    category = frames(at)["类别"]["类别"].iloc[0]
    at.button_group(key="sup_watch_kinds").set_value([category]).run()
    assert set(frames(at)["类别"]["类别"]) == {category}
    show(at, "审核进度").radio(key="sup_funnel_by").set_value("batch").run()
    batch_groups = list(frames(at)["分组"]["分组"])
    show(at, "督办清单")
    assert at.button_group(key="sup_watch_kinds").value == [category]
    assert set(frames(at)["类别"]["类别"]) == {category}
    show(at, "审核进度")
    assert at.radio(key="sup_funnel_by").value == "batch"
    assert list(frames(at)["分组"]["分组"]) == batch_groups


def test_wide_lists_keep_the_enterprise_name_in_view(monkeypatch, handmade_sqlite):
    """The watch list pins 企业名称, the record's rounds 轮次."""
    import json

    from tests.handmade import E2

    def pinned(at) -> set[str]:
        return {name for d in at.dataframe
                for name, c in json.loads(d.proto.columns).items() if c.get("pinned")}

    at = open_page(monkeypatch, handmade_sqlite, "pages/supervision.py", {"asof": "2024-12-31"})
    assert "企业名称" in pinned(at)
    at = open_page(monkeypatch, handmade_sqlite, "pages/enterprise.py",
                   {"asof": "2024-12-31", "uscc": E2})
    assert "轮次" in pinned(at)
