"""Pure pieces of the overview: the league table and chart builders
(components/overview_charts.py) and the KPI cards (components/kpi.py)."""

from __future__ import annotations

import re
import warnings

import pandas as pd

from components import kpi
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
    assert list(styler.data.columns) == ["排名", "城市", "列入企业（家）", "已完成审核（轮）",
                                         "每百家完成（轮）", "逾期企业（家）", "每百家逾期（家）"]
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
