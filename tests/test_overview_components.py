"""Pure pieces of the overview: the table and chart builders (components/overview_charts.py),
the HTML tables that draw them (components/html_table.py) and the KPI cards (components/kpi.py)."""

from __future__ import annotations

import re
import warnings

import pandas as pd

from components import html_table, kpi
from components import overview_charts as charts

LEAGUE = pd.DataFrame({"排名": [1, 2], "地区": ["南京市", "苏州市"], "列入企业": [2, 2],
                       "已完成审核": [1, 0], "每百家完成": [50.0, 0.0], "逾期企业": [1, 1],
                       "每百家逾期": [50.0, 50.0], "评估未通过": [0, 1],
                       "adcode": ["320100", "320500"]})
QUARTERS = pd.DataFrame({"季度": ["2024年第3季度", "2024年第4季度"], "完成审核": [3, 1],
                         "新列入": [0, 2], "截至日期所在季度": [False, True]})
INDUSTRIES = pd.DataFrame({"行业": ["化工", "化工", "印染"], "状态": ["已验收", "逾期", "逾期"],
                           "轮次": [1, 1, 1], "顺序": [0, 0, 1]})


def data_of(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def cells(styler) -> tuple[dict, dict]:
    """(row, col) -> displayed text, and (row, col) -> the CSS declared for that cell."""
    html = styler.to_html()
    text = {(int(r), int(c)): v for r, c, v in
            re.findall(r'<td id="T_\w+_row(\d+)_col(\d+)"[^>]*>([^<]*)</td>', html)}
    css = {}
    for selectors, body in re.findall(r"((?:#T_\w+_row\d+_col\d+(?:, )?)+) \{([^}]*)\}", html):
        for r, c in re.findall(r"_row(\d+)_col(\d+)", selectors):
            css[(int(r), int(c))] = css.get((int(r), int(c)), "") + body
    return text, css


def test_league_table_in_league_order_with_bars_from_zero():
    styler = charts.league_table(LEAGUE, "城市")
    assert list(styler.data.columns) == ["排名", "城市", "列入审核企业（家）", "累计完成审核（轮）",
                                         "每百家列入企业累计完成审核（轮）", "逾期企业（家）",
                                         "每百家列入企业中的逾期企业（家）"]
    text, css = cells(styler)
    assert [text[(0, 1)], text[(1, 1)]] == ["南京市", "苏州市"]  # the league's order is kept
    assert [text[(0, 4)], text[(1, 4)]] == ["50.0", "0.0"]  # one decimal
    # Bars start at zero: the largest value fills 70 % of its cell, a zero draws none.
    assert "linear-gradient(90deg, #8fc1a4 70.0%" in css[(0, 4)]
    assert "#8fc1a4" not in css.get((1, 4), "")
    assert all("#f0b27a 70.0%" in css[(r, 6)] for r in (0, 1))  # equal values, equal bars


def test_league_table_thousands_and_a_column_of_zeros():
    big = LEAGUE.assign(列入企业=[4500, 12], 逾期企业=[0, 0], 每百家逾期=[0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a zero range must not divide 0/0 inside pandas
        text, css = cells(charts.league_table(big, "城市"))
    assert text[(0, 2)] == "4,500" and text[(1, 2)] == "12"
    assert not any("#f0b27a" in css.get((r, 6), "") for r in (0, 1))  # nobody overdue: no bar


PLAN = pd.DataFrame({"figure": ["listed", "audits_completed"], "指标": ["列入审核名单", "完成审核"],
                     "年度目标": [1024.0, float("nan")], "已完成": [900, 675],
                     "完成率": [900 / 1024, float("nan")], "状态": ["存在风险", "未设定目标"],
                     "mark_key": ["risk", None]})
ACHIEVED = pd.DataFrame({"key": ["low", "investment_wan", "energy_tce", "no_figures"],
                         "指标": ["已实施无/低费方案", "完成投资", "节能量", "未填报"],
                         "单位": ["项", "万元", "吨标准煤/年", "项"],
                         "本年": [8465.0, 184062.54, 0.0, 3.0],
                         "累计": [116268.0, 1743701.66, 12.25, 7.0]})


def test_plan_table_shows_rounds_share_and_a_dash_without_target():
    styler = charts.plan_table(PLAN)
    assert list(styler.data.columns) == ["指标", "年度目标（轮）", "完成（轮）", "年度目标完成率",
                                         "状态"]
    text, _ = cells(styler)
    assert [text[(0, c)] for c in range(5)] == ["列入审核名单", "1,024", "900", "87.9%", "存在风险"]
    assert [text[(1, c)] for c in range(5)] == ["完成审核", "—", "675", "—", "未设定目标"]


def test_achievements_table_counts_whole_amounts_one_decimal_and_no_uncounted_row():
    text, _ = cells(charts.achievements_table(ACHIEVED))
    rows = [[text[(r, c)] for c in range(4)] for r in range(3)]
    assert rows == [["已实施无/低费方案", "项", "8,465", "116,268"],
                    ["完成投资", "万元", "184,062.5", "1,743,701.7"],
                    ["节能量", "吨标准煤/年", "0.0", "12.2"]]
    assert (3, 0) not in text  # options without any figures are the caption's business


def test_html_table_right_aligns_numbers_and_names_its_ids():
    html = html_table.to_html(charts.league_table(LEAGUE, "城市"), "league")
    assert html.startswith("<style>") and 'class="cpa-table"' in html
    assert '<table id="T_league"' in html and "#T_league_row0_col4" in html  # the bars' ids
    numeric = {int(c) for c in
               re.findall(r'<td id="T_league_row0_col(\d+)" class="[^"]*\bnum\b', html)}
    assert numeric == {0, 2, 3, 4, 5, 6}  # 排名 and the figures, not the city
    assert "#T_league th.col2" in html and "#T_league th.col1" not in html  # headings follow
    # a plain DataFrame works too, and two tables on a page never share an id
    assert '<table id="T_other"' in html_table.to_html(pd.DataFrame({"a": ["x"]}), "other")


def test_html_table_shows_names_as_text_not_markup():
    odd = LEAGUE.assign(地区=["<img src=x onerror=alert(1)>南京市", "苏州&市"])
    html = html_table.to_html(charts.league_table(odd, "城市"), "league")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;南京市" in html
    assert "苏州&amp;市" in html
    assert ">50.0<" in html  # the figures keep their own formats
    headed = html_table.to_html(pd.DataFrame({"<i>列</i>": ["x", None]}), "headed")
    assert "&lt;i&gt;列&lt;/i&gt;" in headed and "<i>" not in headed  # headings too
    assert ">—<" in headed  # a missing name shows a dash, not "None"


def test_html_table_leaves_the_builders_styler_as_it_was():
    styler = charts.league_table(LEAGUE, "城市")
    first = html_table.to_html(styler, "league")
    assert html_table.to_html(styler, "league") == first
    assert "T_league" not in styler.to_html()


def test_quarterly_chart_marks_the_running_quarter():
    spec = charts.quarterly_chart(QUARTERS).to_dict()
    assert spec["title"] == "各季度完成审核轮次"
    rows = data_of(spec)
    assert [r["简称"] for r in rows] == ["2024Q3", "2024Q4"]
    assert [r["说明"] for r in rows] == ["已结束季度", "本季度（截至日期）"]
    bars = spec["layer"][0]["encoding"]
    assert bars["y"]["title"] == "完成审核（轮）"
    assert bars["y"]["scale"]["domain"][1] > 3  # room for the value labels


def test_industry_chart_stacks_statuses_in_order():
    spec = charts.industry_chart(INDUSTRIES).to_dict()
    enc = spec["encoding"]
    assert enc["y"]["sort"] == ["化工", "印染"]
    assert enc["color"]["scale"]["domain"] == ["已列入", "审核中", "已提交报告", "已评估", "已验收",
                                               "逾期", "未通过"]
    assert enc["x"]["title"] == "审核轮次（轮）"
    assert len(data_of(spec)) == 3


def test_kpi_delta_and_cards():
    assert kpi.delta(3) == "+3" and kpi.delta(-1200) == "-1,200" and kpi.delta(0) == 0
    frame = pd.DataFrame({"key": ["listed", "overdue"], "label": ["列入审核企业", "逾期企业"],
                          "unit": ["家", "家"], "value": [4, 2], "change": [1, 2],
                          "help": ["h1", "h2"]})
    cards = kpi.cards(frame, ("listed", "overdue"), {"overdue": ">90天 2 家"})
    assert [(c.label, c.value, c.unit, c.change, c.note, c.lower_is_better) for c in cards] == [
        ("列入审核企业", 4, "家", 1, "", False), ("逾期企业", 2, "家", 2, ">90天 2 家", True)]
    # More lapsed re-audits is worse, like more overdue enterprises.
    lapsed = pd.DataFrame({"key": ["reaudit"], "label": ["再审核逾期"], "unit": ["家"],
                           "value": [1], "change": [1], "help": ["h"]})
    assert kpi.cards(lapsed, ("reaudit",))[0].lower_is_better
