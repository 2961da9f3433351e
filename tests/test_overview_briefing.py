"""The Word briefing and the Excel workbook (components/briefing.py), read back and checked
against the hand-built province as of 2024-12-31 (numbers as in tests/test_overview_queries.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from docx import Document

from components import briefing, export, word
from queries import overview as ov
from queries import schema
from queries.db import Source, get_engine
from queries.scope import PROVINCE, Filters, Scope
from rules.clock import ClockRules
from tests import handmade, overview_data

F = Filters(as_of=handmade.AS_OF)
CLOCK = ClockRules()



def brief_of(url: str, version: str, sample: bool, scope: Scope = PROVINCE,
             filters: Filters = F) -> briefing.BriefingData:
    """The briefing's data as pages/overview.py assembles it."""
    src = Source(url, version)
    w = ov.scope_words(src, scope, filters)
    return briefing.BriefingData(
        scope_name=w["name"], area=w["area"], places=w["places"], as_of=filters.as_of,
        sample=sample, kpis=ov.kpis(src, scope, filters, CLOCK),
        plan=ov.plan_progress(src, scope, filters, CLOCK),
        achievements=ov.achievements(src, scope, filters),
        league=ov.league(src, scope, filters, CLOCK),
        quarterly=ov.quarterly(src, scope, filters, CLOCK),
        industries=ov.industry_table(ov.industries(src, scope, filters, CLOCK)),
        most_overdue=ov.most_overdue(src, scope, filters, CLOCK),
        issues=ov.data_issues(src, scope, filters, CLOCK),
        definitions=ov.briefing_definitions(CLOCK))


@pytest.fixture
def hand(handmade_sqlite) -> briefing.BriefingData:
    return brief_of(handmade_sqlite, "handmade-1", sample=False)


@pytest.fixture
def plus(tmp_path) -> briefing.BriefingData:
    url = f"sqlite:///{tmp_path / 'overview.db'}"
    schema.create_all(get_engine(url))
    overview_data.build(get_engine(url), sample=True)
    return brief_of(url, "overview-1", sample=True)


OVERALL = ("截至2024年12月31日，全省共有4家企业列入强制性清洁生产审核名单（较去年同期增加1家），"
           "累计开展审核5轮。其中，已启动审核4轮，已提交审核报告2轮，评估通过1轮、评估未通过1轮，"
           "验收通过1轮。")
THIS_YEAR = ("2024年到期审核3轮（审核报告应在2024年内提交），其中已完成1轮（33.3%）；"
             "逾期企业2家（较去年同期增加2家），"
             "其中逾期90天以上2家，主要集中在南京市（1家）、苏州市（1家）。")
ACHIEVED = ("累计实施清洁生产方案3项，其中无/低费方案2项、中/高费方案1项，完成投资155万元，"
            "实现经济效益90万元/年，节能130吨标准煤/年，节水6,000吨/年，"
            "削减化学需氧量(COD)2.5吨/年。")


def test_narrative_in_official_style(hand):
    assert briefing.narrative(hand) == [
        OVERALL, THIS_YEAR,
        "截至日期所在的2024年不在任何规划期内（现有规划期：2021—2023年实施方案），不显示年度计划进度。",
        ACHIEVED]


def test_docx_read_back_has_the_exact_numbers(hand):
    data = briefing.build_docx(hand)
    text, tables = word.read_back(data)
    lines = text.splitlines()
    assert lines[0] == "江苏省强制性清洁生产审核工作简报"
    assert lines[1] == "（数据截至2024年12月31日）"
    for para in (OVERALL, THIS_YEAR, ACHIEVED):
        assert para in lines
    assert "样例数据" not in text
    kpi, plan_or_ach = tables[0], tables[1]
    assert list(kpi.columns) == ["指标", "截至2024年12月31日", "去年同期", "增减"]
    assert kpi.values.tolist() == [
        ["列入审核企业（家）", "4", "3", "+1"], ["本年到期审核（轮）", "3", "0", "+3"],
        ["其中：已完成（轮）", "1", "0", "+1"], ["已启动审核（轮）", "4", "3", "+1"],
        ["已提交审核报告（轮）", "2", "1", "+1"], ["评估通过（轮）", "1", "0", "+1"],
        ["评估未通过（轮）", "1", "0", "+1"], ["验收通过（轮）", "1", "0", "+1"],
        ["逾期企业（家）", "2", "0", "+2"], ["其中：逾期0–30天（家）", "0", "0", "0"],
        ["其中：逾期31–90天（家）", "0", "0", "0"], ["其中：逾期90天以上（家）", "2", "0", "+2"],
        ["再审核逾期（家）", "0", "0", "0"], ["再审核即将到期（家）", "0", "0", "0"]]
    # no plan year in 2024: the achievements table follows directly
    ach = plan_or_ach.set_index("指标")
    assert ach.loc["完成投资"].tolist() == ["万元", "150", "155"]
    assert ach.loc["化学需氧量(COD)减排量"].tolist() == ["吨/年", "2.5", "2.5"]
    league = tables[2]
    assert league.values.tolist() == [
        ["1", "南京市", "2", "1", "50.0", "1", "50.0", "0"],
        ["2", "苏州市", "2", "0", "0.0", "1", "50.0", "1"]]
    assert list(league.columns)[:3] == ["排名", "城市", "列入审核企业（家）"]
    late = tables[3]
    # E4: start due 2024-05-01 (May Day holiday) -> 2024-05-06, 239 days (244 without it)
    assert late.values.tolist() == [
        ["1", "南京乙化工有限公司", "南京市浦口区", "化工", "305 天", "审核报告逾期 305 天"],
        ["2", "苏州丁印染有限公司", "苏州市吴江区", "印染", "239 天", "启动审核逾期 239 天"]]
    assert "截至2024年12月31日逾期时间最长的2家企业如下，请督促限期整改。" in lines
    # three charts as images, each with its caption
    assert len(Document(io.BytesIO(data)).inline_shapes) == 3
    assert "图1 各城市每百家列入企业累计完成审核轮次" in lines
    assert any(x.startswith("图2 各季度完成审核轮次") for x in lines)
    assert any(x.startswith("图3 各行业审核轮次") for x in lines)
    # the definitions travel with the numbers
    assert any("列入名单后12个月" in x for x in lines)
    assert any("落后超过15个百分点" in x for x in lines)


def test_sample_mark_plan_and_uncounted_records(plus):
    data = briefing.build_docx(plus)
    text, tables = word.read_back(data)
    lines = text.splitlines()
    assert word.SAMPLE_MARK in lines  # page header
    assert f"说明：本简报基于{word.SAMPLE_MARK}生成。" in lines
    assert ("按《2024—2025年实施方案》，2024年度计划完成审核4轮（全部行业目标），2024年完成审核"
            "2轮，年度目标完成率50.0%，时间进度100.0%，进度滞后。") in lines
    plan = tables[1]
    assert plan.values.tolist() == [
        ["当年列入名单", "2", "3", "150.0%", "进度正常"],
        ["当年完成审核", "4", "2", "50.0%", "进度滞后"],
        ["当年评估通过", "2", "2", "100.0%", "进度正常"],
        ["当年验收通过", "1", "1", "100.0%", "进度正常"]]
    assert ("截至2024年12月31日，全省共有5家企业列入强制性清洁生产审核名单（较去年同期增加2家），"
            "累计开展审核6轮。") in text
    assert any(x.endswith("有1轮审核记录日期不完整或前后矛盾，已按已知的较晚日期推定其进度，"
                          "需要缺失日期的统计未能计入：缺少报告日期但已有评估日期（1轮）。")
               for x in lines)


def test_city_briefing_names_the_city_and_its_counties(handmade_sqlite):
    d = brief_of(handmade_sqlite, "handmade-1", False, Scope("city", "320500"))
    text, tables = word.read_back(briefing.build_docx(d))
    assert text.splitlines()[0] == "苏州市强制性清洁生产审核工作简报"
    assert "截至2024年12月31日，全市共有2家企业列入强制性清洁生产审核名单" in text
    assert "主要集中在吴江区（1家）。" in text
    assert "南京" not in text and all("南京" not in t.to_string() for t in tables)


def test_excel_workbook_of_the_tables_behind_the_page(hand):
    data = export.excel_bytes(briefing.excel_sheets(hand), briefing.header_lines(hand))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["主要指标", "年度计划", "审核成效", "各城市排名", "季度完成",
                               "行业分布", "逾期最久企业", "数据问题"]
    sheet = book["主要指标"]
    assert sheet["A1"].value == "江苏省强制性清洁生产审核工作简报（附表）"
    assert sheet["A2"].value == "数据截至 2024年12月31日"
    kpis = pd.read_excel(io.BytesIO(data), sheet_name="主要指标", skiprows=3)
    row = kpis.set_index("指标").loc["逾期企业"]
    assert (row["截至日期"], row["去年同期"], row["增减"]) == (2, 0, 2)
    league = pd.read_excel(io.BytesIO(data), sheet_name="各城市排名", skiprows=3)
    # the same headings as on the page and in the Word briefing (the registry's labels)
    assert league["每百家列入企业累计完成审核（轮）"].tolist() == [50.0, 0.0]
    plan = pd.read_excel(io.BytesIO(data), sheet_name="年度计划", skiprows=3)
    assert "年度目标完成率" in plan.columns or "说明" in plan.columns


def test_words_for_big_numbers_and_changes():
    assert briefing.big(3_981_701.4, "万元") == "398.17亿元"
    assert briefing.big(1_011_327.2, "万元/年") == "101.13亿元/年"
    assert briefing.big(74_211_478.8, "吨/年") == "7,421.1万吨/年"
    assert briefing.big(155.0, "万元") == "155万元"
    assert briefing.big(2.5, "吨/年") == "2.5吨/年"
    assert briefing.change_words(3, "家") == "较去年同期增加3家"
    assert briefing.change_words(-2, "轮") == "较去年同期减少2轮"
    assert briefing.change_words(0, "家") == "与去年同期持平"


def test_nothing_overdue_and_nothing_implemented_read_plainly(hand):
    quiet = hand.kpis.assign(value=hand.kpis["value"].where(
        ~hand.kpis["key"].str.startswith("overdue"), 0))
    d = dataclasses.replace(hand, kpis=quiet,
                            achievements=hand.achievements.assign(本年=0.0, 累计=0.0))
    paras = briefing.narrative(d)
    assert paras[1].endswith("；无逾期企业。")
    assert paras[-1] == "截至目前，尚无已实施的清洁生产方案。"


def test_briefing_before_any_listing(handmade_sqlite):
    d = brief_of(handmade_sqlite, "handmade-1", False, filters=Filters(as_of=dt.date(2021, 6, 30)))
    text, _tables = word.read_back(briefing.build_docx(d))
    assert "截至2021年6月30日，全省共有0家企业列入强制性清洁生产审核名单" in text
    assert "2021年无到期审核的轮次；无逾期企业。" in text
    assert "2021年度未设定完成审核目标" in text
    assert "截至目前无逾期企业。" in text


def test_definitions_section_comes_from_the_registry(hand):
    """附：指标口径 of the Word briefing: the registry's “名称（单位）：定义” lines (no link, no
    configuration key), then the plan mark rule."""
    from rules import indicators as ind

    text, _ = word.read_back(briefing.build_docx(hand))
    lines = text.splitlines()
    part = lines[lines.index("附：指标口径") + 1:]
    wanted = ind.definitions(ov.BRIEFING_INDICATORS, CLOCK)
    assert part[:len(wanted)] == [f"{n}. {t}" for n, t in enumerate(wanted, 1)]
    assert "completion_milestone" not in text and "](" not in text
