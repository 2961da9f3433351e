"""The map page (pages/map.py) under AppTest on the hand-built province, as of 2024-12-31:
layers, legend counts, choropleth texts, a selection injected through session state opening the
right record, the coordinate check, a stable spec across reruns, and the optional tile server."""

from __future__ import annotations

import json

import pytest
import streamlit as st

from tests.apptest import open_page, texts
from tests.conftest import sqlite_with
from tests.handmade import E2, E4, E5
from tests.test_map_queries import build_misplaced

PAGE = "pages/map.py"
ASOF = {"asof": "2024-12-31"}



@pytest.fixture
def misplaced_sqlite(tmp_path):
    return sqlite_with(tmp_path, build_misplaced, "misplaced.db")


def deck_spec(at) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def layer_ids(at) -> list[str]:
    return [layer["id"] for layer in deck_spec(at)["layers"]]


def layer(at, layer_id: str) -> dict:
    return next(lyr for lyr in deck_spec(at)["layers"] if lyr["id"] == layer_id)


def legend_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_map_shows_enterprises_by_status_parks_and_boundaries(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    assert at.title[0].value == "地图"
    assert layer_ids(at) == ["province-fill", "county-lines", "city-lines", "province-line",
                             "parks", "pts-in_audit", "pts-accepted", "pts-overdue"]
    overdue = layer(at, "pts-overdue")["data"]
    assert [p["n"] for p in overdue] == ["南京乙化工有限公司", "苏州丁印染有限公司"]
    # E4: start due 2024-05-01 (May Day holiday) -> 2024-05-06, 239 days (244 without it)
    assert [p["d"] for p in overdue] == ["化工 · 南京江北新材料科技园\n审核中 · 逾期 305 天",
                                         "印染\n已信息公开 · 逾期 239 天"]
    assert layer(at, "pts-accepted")["data"][0]["p"] == [118.7, 32.2]
    parks = layer(at, "parks")["data"]["features"]
    assert [f["properties"]["n"] for f in parks] == ["南京江北新材料科技园"]
    assert parks[0]["properties"]["d"] == ("国家级化工园区 · 列入审核企业 2 家\n"
                                           "列入审核企业 2 家 · 累计完成审核 1 轮 · 逾期企业 1 家")
    legend = legend_text(at)
    for label, count in [("已列入", 0), ("审核中", 1), ("已验收", 1), ("逾期", 2), ("未通过", 0)]:
        assert f"{label}<span" in legend and f"{count:,} 家</span>" in legend.split(label)[1]
    body = texts(at)
    assert "地图标注 4 家列入审核的企业（截至 2024年12月31日）" in body
    assert "数据截至 2024年12月31日" in body
    assert "所有企业的坐标均位于登记区县内" in body
    spec = deck_spec(at)
    assert spec.get("mapProvider") is None
    assert not any(lid.startswith("tiles") for lid in layer_ids(at))  # off by default


def test_spec_is_byte_identical_across_reruns(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    first = at.get("deck_gl_json_chart")[0].proto.json
    at.run()
    assert at.get("deck_gl_json_chart")[0].proto.json == first
    st.cache_data.clear()  # recomputed from the database: still the same bytes
    at.run()
    assert at.get("deck_gl_json_chart")[0].proto.json == first


def test_city_choropleth_of_completion_rate(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    at.selectbox(key="map_region").set_value("city").run()
    at.selectbox(key="map_metric").set_value("completion_rate").run()
    assert "region-fill" in layer_ids(at)
    props = {f["properties"]["n"]: f["properties"]
             for f in layer(at, "region-fill")["data"]["features"]}
    assert len(props) == 13  # every city of Jiangsu is drawn, with or without data
    assert props["南京市"]["d"] == ("最近一轮已完成的企业占比 50.0%\n"
                                  "列入审核企业 2 家 · 累计完成审核 1 轮 · 逾期企业 1 家")
    assert props["苏州市"]["d"].startswith("最近一轮已完成的企业占比 0.0%\n")
    assert props["无锡市"]["d"].startswith("无数据\n")
    assert "最近一轮已完成的企业占比" in legend_text(at)


def test_county_choropleth_of_reductions_per_enterprise(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    at.selectbox(key="map_region").set_value("county").run()
    at.selectbox(key="map_metric").set_value("reduction").run()
    at.selectbox(key="map_outcome").set_value("energy_tce").run()
    props = {f["properties"]["n"]: f["properties"]
             for f in layer(at, "region-fill")["data"]["features"]}
    assert props["浦口区"]["d"].startswith("单位企业节能量 65.00 吨标准煤/年\n")
    assert props["吴江区"]["d"].startswith("单位企业节能量 0.00 吨标准煤/年\n")
    assert "单位企业节能量（吨标准煤/年）" in legend_text(at)


def test_layers_can_be_switched_off(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    at.toggle(key="map_points").set_value(False).run()
    at.toggle(key="map_parks").set_value(False).run()
    assert layer_ids(at) == ["province-fill", "county-lines", "city-lines", "province-line"]


def test_sidebar_filters_apply_to_the_map(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params={**ASOF, "city": "320500"})
    ids = layer_ids(at)
    assert "parks" not in ids  # the only park is in 南京
    names = [p["n"] for lid in ids if lid.startswith("pts-") for p in layer(at, lid)["data"]]
    assert sorted(names) == ["苏州丁印染有限公司", "苏州丙电镀有限公司"]
    view = deck_spec(at)["initialViewState"]
    assert 120 < view["longitude"] < 121.5 and view["zoom"] > 7  # zoomed to 苏州


def _capture_switch(monkeypatch) -> list:
    calls = []

    def fake_switch_page(page, *, query_params=None):
        calls.append((page, dict(query_params or {})))
        st.stop()

    monkeypatch.setattr(st, "switch_page", fake_switch_page)
    return calls


def test_selecting_an_enterprise_opens_its_record(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    calls = _capture_switch(monkeypatch)
    # the second overdue point is 苏州丁印染 (E4); layer order is by credit code
    at.session_state["map_deck"] = {"selection": {"indices": {"pts-overdue": [1]},
                                                  "objects": {}}}
    at.run()
    assert calls == [("pages/enterprise.py", {"uscc": E4})]


def test_selecting_a_park_opens_the_park_view(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    calls = _capture_switch(monkeypatch)
    at.session_state["map_deck"] = {"selection": {
        "indices": {"parks": [0]}, "objects": {"parks": [{"properties": {"id": 1}}]}}}
    at.run()
    assert calls == [("pages/park.py", {"park": "1"})]


def test_selecting_a_region_or_nothing_stays_on_the_map(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    calls = _capture_switch(monkeypatch)
    at.session_state["map_deck"] = {"selection": {"indices": {"county-lines": [0]},
                                                  "objects": {}}}
    at.run()
    assert calls == [] and at.title[0].value == "地图" and not at.exception


def test_selection_navigates_to_the_enterprise_page(monkeypatch, handmade_sqlite):
    """Without stand-ins: the real switch lands on 企业档案 with the credit code in the URL."""
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    at.session_state["map_deck"] = {"selection": {"indices": {"pts-overdue": [0]},
                                                  "objects": {}}}
    at.run()
    if any("暂未启用" in w.value for w in at.warning):
        pytest.skip("pages/enterprise.py is not in this tree yet")
    assert at.query_params["uscc"] in (E2, [E2])
    assert at.title and at.title[0].value != "地图"


def test_misplaced_enterprises_are_listed_not_drawn(monkeypatch, misplaced_sqlite):
    at = open_page(monkeypatch, misplaced_sqlite, PAGE, params=ASOF)
    warning = at.warning[0].value
    assert warning.startswith("3 家企业的坐标有误，未在地图上标注")
    assert "坐标位于省界以外 1 家" in warning and "坐标不在登记区县内 1 家" in warning
    assert "缺少坐标 1 家" in warning
    table = at.dataframe[0].value
    assert list(table["统一社会信用代码"]) == [E2, E4, E5]
    assert list(table["问题"]) == ["坐标位于省界以外", "坐标不在登记区县内", "缺少坐标"]
    assert list(table["坐标实际所在区县"]) == ["—", "虎丘区", "—"]
    assert list(table["登记区县"]) == ["浦口区", "吴江区", "吴江区"]
    drawn = [p["n"] for lid in layer_ids(at) if lid.startswith("pts-")
             for p in layer(at, lid)["data"]]
    assert sorted(drawn) == ["南京甲化工有限公司", "苏州丙电镀有限公司"]
    assert all(p["p"][0] < 122 for lid in layer_ids(at) if lid.startswith("pts-")
               for p in layer(at, lid)["data"])
    assert "地图标注 2 家" in texts(at)


def test_tile_server_from_configuration(monkeypatch, handmade_sqlite):
    url = "http://10.1.2.3/tiles/{z}/{x}/{y}.png"
    monkeypatch.setenv("MAP_TILE_URL", url)
    at = open_page(monkeypatch, handmade_sqlite, PAGE, params=ASOF)
    tiles = deck_spec(at)["layers"][0]
    z, x, y = tiles["id"].split("-")[1:]
    assert tiles["@@type"] == "BitmapLayer" and tiles["image"] == f"http://10.1.2.3/tiles/{z}/{x}/{y}.png"


def test_the_deck_is_built_once_per_view(monkeypatch, handmade_sqlite):
    from components import map_view

    built = []
    real = map_view.build_map

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(map_view, "build_map", counting)
    at = open_page(monkeypatch, handmade_sqlite, PAGE, ASOF)
    first = deck_spec(at)
    at.run()  # a rerun of the same view reuses the serialised deck
    assert len(built) == 1 and deck_spec(at) == first
    at.toggle(key="map_parks").set_value(False).run()  # another view: built again
    assert len(built) == 2 and "parks" not in layer_ids(at)
    at.toggle(key="map_parks").set_value(True).run()
    assert len(built) == 2 and deck_spec(at) == first
