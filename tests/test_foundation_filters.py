"""The shared filters' pure pieces (components/filters.py): the link round trip and the summary
in words that the sidebar shows above the collapsed filter widgets."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components import filters

CHOICES = {
    "cities": pd.DataFrame({"adcode": ["320100", "320200", "320500"],
                            "name": ["南京市", "无锡市", "苏州市"]}),
    "industries": pd.DataFrame({"code": ["C26", "C33"], "name": ["化工", "电镀"]}),
    "parks": pd.DataFrame({"park_id": [1, 2], "name": ["南京江北新材料科技园", "苏州工业园区"],
                           "city_adcode": ["320100", "320500"]}),
    "years": pd.DataFrame({"year": [2023, 2024]}),
    "periods": pd.DataFrame({"period_id": [1], "name": ["2024—2025年实施方案"],
                             "start_year": [2024], "end_year": [2025]}),
}
TODAY = dt.date(2024, 12, 31)


def test_summary_of_the_defaults():
    values = filters.parse_params({}, CHOICES, TODAY).values
    assert filters.summary(values, CHOICES, TODAY) == (
        "全省 · 全部行业 · 全部园区（含园区外） · 全部年份  \n数据截至 2024年12月31日")


def test_summary_names_the_picks_and_counts_three_or_more():
    values = filters.parse_params({"city": "320100,320200,320500", "industry": "C33", "park": "2",
                                   "time": "p1", "asof": "2024-06-30"}, CHOICES, TODAY).values
    assert filters.summary(values, CHOICES, TODAY) == (
        "南京市等 3 个城市 · 电镀 · 苏州工业园区 · 2024—2025年实施方案  \n数据截至 2024年6月30日")
    two = {**values, "f_city": ["320100", "320500"], "f_time": "y2023"}
    assert filters.summary(two, CHOICES, TODAY).startswith(
        "南京市、苏州市 · 电镀 · 苏州工业园区 · 2023年列入")


def test_summary_without_a_date_says_today_as_the_pages_count():
    # the date input can be emptied by hand; the pages then count as of today (to_filters)
    assert filters.summary({"f_asof": None}, CHOICES, TODAY) == (
        "全省 · 全部行业 · 全部园区（含园区外） · 全部年份  \n数据截至 2024年12月31日")
    assert filters.to_filters({"f_asof": None}, CHOICES["periods"]).as_of == dt.date.today()
