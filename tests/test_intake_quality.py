"""数据质量 on a hand-built database with known faults: the exact problems found by city and by
check, scope (a city sees only its own), the as-of date, and the page as province and city."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from queries import quality
from queries.db import Source
from queries.scope import Filters, Scope
from tests import handmade
from tests.apptest import open_page, texts
from tests.conftest import sqlite_with

BAD = handmade.E5[:-1] + ("A" if handmade.E5[-1] != "A" else "B")  # wrong check character
AS_OF = dt.date(2024, 12, 31)


def build(engine) -> None:
    rows = copy.deepcopy(handmade.ROWS)
    e5 = next(e for e in rows["enterprise"] if e["uscc"] == handmade.E5)
    rows["enterprise"].append({**e5, "uscc": BAD, "name": "苏州己电镀有限公司", "lon": None,
                               "lat": None})
    e3 = next(e for e in rows["enterprise"] if e["uscc"] == handmade.E3)
    e3["park_id"] = 1  # a 南京 park for a 苏州 enterprise
    r4 = next(r for r in rows["audit_round"] if r["audit_id"] == 4)
    r4["disclosure_date"] = dt.date(2024, 2, 1)  # before its listing, 2024-03-01
    handmade.build(engine, rows)


@pytest.fixture
def faulty(tmp_path):
    return sqlite_with(tmp_path, build, "faulty.db")


def found(url, scope=Scope(), as_of=AS_OF):
    return quality.problems(Source(url, "v"), scope, Filters(as_of=as_of), "320000")


def test_known_problems_by_city_and_check(faulty):
    got = found(faulty)
    assert got[["城市", "检查项", "统一社会信用代码"]].values.tolist() == [
        ["苏州市", quality.BAD_USCC, BAD],
        ["苏州市", quality.DATE_ORDER, handmade.E4],
        ["苏州市", quality.PARK_CITY, handmade.E3],
        ["苏州市", "缺少坐标", BAD],
    ]
    detail = dict(zip(got["检查项"], got["问题说明"], strict=False))
    assert detail[quality.DATE_ORDER] == ("第 1 轮：信息公开日期（2024-02-01）早于列入名单日期"
                                          "（2024-03-01），请核对两个日期。")
    assert detail[quality.PARK_CITY] == "登记的园区「南京江北新材料科技园」不在企业所在的苏州市"
    table = quality.by_city_and_check(got)
    assert table.to_dict("records") == [{"城市": "苏州市", quality.BAD_USCC: 1,
                                         quality.DATE_ORDER: 1, quality.PARK_CITY: 1,
                                         "缺少坐标": 1, "合计": 4}]


def test_scope_and_as_of(faulty):
    assert found(faulty, Scope("city", "320100")).empty  # 南京 has none of them
    assert len(found(faulty, Scope("city", "320500"))) == 4
    # before R4 was listed (2024-03-01) its dates are not checked yet
    assert quality.DATE_ORDER not in set(found(faulty, as_of=dt.date(2024, 2, 29))["检查项"])



def test_page_as_province_and_city(monkeypatch, faulty):
    at = open_page(monkeypatch, faulty, "pages/data_quality.py", params={"asof": "2024-12-31"})
    assert {m.label: m.value for m in at.metric} == {"问题": "4 处", "涉及企业": "3 家",
                                                      "涉及城市": "1 个"}
    assert [b.label for b in at.get("download_button")] == ["苏州市（4 处）"]
    listed = at.dataframe[1].value
    assert list(listed["档案"])[0] == f"/enterprise?uscc={BAD}&asof=2024-12-31"
    at.multiselect(key="dq_checks").set_value([quality.DATE_ORDER]).run()
    assert list(at.dataframe[1].value["统一社会信用代码"]) == [handmade.E4]
    city = open_page(monkeypatch, faulty, "pages/data_quality.py",
                     params={"asof": "2024-12-31"}, user="city:320100")
    assert "当前范围内没有发现数据问题" in texts(city)
    reader = open_page(monkeypatch, faulty, "pages/data_quality.py",
                       params={"asof": "2024-12-31"}, user="readonly")
    assert reader.metric[0].value == "4 处" and not reader.get("download_button")
