"""pages/overview.py under AppTest on the hand-built province as of 2024-12-31: the exact numbers
the page shows (tests/handmade.py docstring; tests/test_overview_queries.py derives them)."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from queries import schema
from queries.db import get_engine
from tests import overview_data
from tests.apptest import html_tables, metrics, open_page, texts

PAGE = "pages/overview.py"
ASOF = {"asof": "2024-12-31"}



@pytest.fixture
def plus_sqlite(tmp_path):
    """tests/overview_data.py (a 2024 plan, a round without report date), marked as sample."""
    url = f"sqlite:///{tmp_path / 'overview.db'}"
    engine = get_engine(url)
    schema.create_all(engine)
    overview_data.build(engine, sample=True)
    return url


def deltas(at) -> dict[str, str]:
    return {m.label: m.delta for m in at.metric}


def frame_with(at, column: str):
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with column {column}"
    return found[0]


def league_of(at):
    """The city league: an HTML table (a Styler with in-cell bars), as the text shown."""
    tables = html_tables(at)
    assert "league" in tables, "no league table"
    return tables["league"]


def charts(at) -> dict[str, tuple[dict, int]]:
    """title -> (spec, rows shipped to the browser)."""
    out = {}
    for c in at.get("vega_lite_chart"):
        spec = json.loads(c.proto.spec)
        rows = sum(pa.ipc.open_stream(d.data.data).read_all().num_rows for d in c.proto.datasets)
        out[spec["title"]] = (spec, rows)
    return out


def test_overview_is_the_default_page(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, params=ASOF)
    assert at.title[0].value == "总览"


def test_kpi_row_known_answers_with_change_against_last_year(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    m = metrics(at)
    assert {k: m[k] for k in ("列入审核企业", "本年到期审核", "已启动审核", "已提交审核报告",
                              "评估通过", "评估未通过", "验收通过", "逾期企业")} == {
        "列入审核企业": "4 家", "本年到期审核": "3 轮", "已启动审核": "4 轮",
        "已提交审核报告": "2 轮", "评估通过": "1 轮", "评估未通过": "1 轮", "验收通过": "1 轮",
        "逾期企业": "2 家"}
    d = deltas(at)
    assert (d["列入审核企业"], d["本年到期审核"], d["已启动审核"], d["已提交审核报告"],
            d["逾期企业"]) == ("+1", "+3", "+1", "+1", "+2")
    body = texts(at)
    assert "其中已完成 1 轮（33.3%）" in body
    assert "其中 0–30天 0 · 31–90天 0 · >90天 2（家）" in body
    assert "江苏省 · 数据截至 2024年12月31日 · 增减均与去年同期（2023年12月31日）比较" in body
    assert "样例数据" not in body
    helps = {mt.label: mt.proto.help for mt in at.metric}
    assert "列入名单后12个月" in helps["本年到期审核"] and "逾期天数>0" in helps["逾期企业"]


def test_each_kpi_opens_the_list_behind_it(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    assert not at.expander  # nothing open until asked
    at.session_state["ov_list"] = "overdue"
    at.run()
    assert at.expander[0].label == "逾期企业名单（截至 2024年12月31日）"
    assert "共 2 轮审核，涉及 2 家企业；逾期最久的在前。" in texts(at)
    rows = frame_with(at, "需关注事项")
    assert list(rows["企业名称"]) == ["南京乙化工有限公司", "苏州丁印染有限公司"]
    assert list(rows["逾期天数"]) == [305, 239]  # E4: start due 05-01 (May Day) -> 05-06
    at.session_state["ov_list"] = "eval_failed"
    at.run()
    rows = frame_with(at, "需关注事项")
    assert list(rows["企业名称"]) == ["苏州丙电镀有限公司"]
    assert rows["当前阶段"].iloc[0] == "评估未通过"
    assert (rows["需关注事项"] == "—").all()  # re-listed as R5: nothing left to chase on R3


def test_achievements_league_trend_industries_and_most_overdue(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    assert ("累计实施清洁生产方案3项，其中无/低费方案2项、中/高费方案1项，完成投资155万元，"
            "实现经济效益90万元/年，节能130吨标准煤/年，节水6,000吨/年，"
            "削减化学需氧量(COD)2.5吨/年。") in texts(at)
    ach = html_tables(at)["achievements"].set_index("指标")
    assert ach.loc["完成投资", ["单位", "本年", "累计"]].tolist() == ["万元", "150.0", "155.0"]
    # both implemented 2023-10-01 (tests/handmade.py): none this year; counts are whole
    assert ach.loc["已实施无/低费方案", ["单位", "本年", "累计"]].tolist() == ["项", "0", "2"]
    assert ach.loc["化学需氧量(COD)减排量", "累计"] == "2.5"
    league = league_of(at)
    assert list(league.columns) == ["排名", "城市", "列入审核企业（家）", "累计完成审核（轮）",
                                    "每百家列入企业累计完成审核（轮）", "逾期企业（家）",
                                    "每百家列入企业中的逾期企业（家）"]
    assert league.values.tolist() == [["1", "南京市", "2", "1", "50.0", "1", "50.0"],
                                      ["2", "苏州市", "2", "0", "0.0", "1", "50.0"]]
    # One section at a time; the first screen carries no chart at all (the league is a table).
    assert [t.label for t in at.tabs] == ["各城市进展排名", "季度完成趋势", "行业分布",
                                          "逾期时间最长的企业"]
    assert not charts(at)
    shown = {}
    for section in ("季度完成趋势", "行业分布"):
        at.session_state["ov_section"] = section
        at.run()
        c = charts(at)
        assert len(c) == 1 and "league" not in html_tables(at), section
        shown.update({title: n for title, (_spec, n) in c.items()})
    # aggregated before they reach the browser: 8 quarters, 5 industry x status cells
    assert shown == {"各季度完成审核轮次": 8, "各行业审核进展": 5}
    at.session_state["ov_section"] = "逾期时间最长的企业"
    at.run()
    assert not charts(at)
    top = frame_with(at, "逾期原因")
    # E4: start due 2024-05-01 (May Day holiday) -> 2024-05-06, 239 days (244 before the
    # rest-day extension).
    assert list(top["逾期原因"]) == ["审核报告逾期 305 天", "启动审核逾期 239 天"]


def test_plan_year_missing_is_explained(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    assert ("截至日期所在的2024年不在任何规划期内（现有规划期：2021—2023年实施方案），"
            "不显示年度计划进度。") in [i.value for i in at.info]
    assert "数据完整性：当前范围内全部审核记录的日期完整，均已计入。" in texts(at)


def test_plan_progress_mark_and_uncounted_records(monkeypatch, plus_sqlite):
    at = open_page(monkeypatch, plus_sqlite, PAGE, params=ASOF)
    body = texts(at)
    assert "2024年度计划进度" in body
    assert ("当年完成审核 **2 / 4 轮**，年度目标完成率 **50.0%**，时间进度 100.0% "
            ":red-badge[进度滞后]"
            in body)
    assert "《2024—2025年实施方案》 · 目标口径：全部行业目标" in body
    plan = html_tables(at)["plan"].set_index("指标")
    assert plan.loc["当年完成审核"].tolist() == ["4", "2", "50.0%", "进度滞后"]
    assert plan.loc["当年评估通过", "状态"] == "进度正常"
    warning = at.warning[0].value
    assert warning.startswith("有 1 轮审核记录日期不完整或前后矛盾")
    assert frame_with(at, "问题").to_dict("records") == [
        {"问题": "缺少报告日期但已有评估日期", "轮次": 1}]
    # the sample mark
    assert "当前为样例数据" in " ".join(i.value for i in at.info)
    assert "· 样例数据" in body


def test_plan_progress_for_one_city_from_the_link(monkeypatch, plus_sqlite):
    at = open_page(monkeypatch, plus_sqlite, PAGE, params={**ASOF, "city": "320500"})
    assert metrics(at)["列入审核企业"] == "3 家"  # E3, E4, E5
    body = texts(at)
    assert "完成审核 **1 / 2 轮**" in body and "目标口径：分行业目标之和" in body
    league = league_of(at)
    assert set(league["区县"]) == {"虎丘区", "吴江区"}  # one city: its counties compared
    at.session_state["ov_section"] = "逾期时间最长的企业"
    at.run()
    assert "南京" not in " ".join(frame_with(at, "逾期原因")["所在地"])


def test_downloads_are_offered(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载领导简报（Word）", "下载附表（Excel）"]


def test_before_any_listing_the_page_says_so_without_errors(monkeypatch, handmade_sqlite):
    # 2021-06-30: inside the 2021—2023 plan period, which has no 2021 targets; nothing listed
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params={"asof": "2021-06-30"})
    m = metrics(at)
    assert m["列入审核企业"] == "0 家" and m["逾期企业"] == "0 家"
    body = texts(at)
    assert "2021年未设定本范围的完成审核目标。" in body
    assert "当前范围内没有列入名单的企业。" in body
    assert "截至目前，尚无已实施的清洁生产方案。" in body
    for section, message in (
            ("行业分布", "当前范围内没有审核轮次。"),
            ("逾期时间最长的企业", "截至 2021年6月30日，当前范围内没有逾期企业。")):
        at.session_state["ov_section"] = section
        at.run()
        assert not at.exception and message in texts(at), section
