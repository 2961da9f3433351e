"""Pure builders of the map (components/map_view.py): layers and ids, no basemap, tooltips,
status colours, payload per point, determinism, the optional tile layer, and what a click opens."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pydeck as pdk
import pytest

from components import deck as d
from components import map_view as mv
from rules.clock import MAP_STATUS_LABELS, MAP_STATUSES

SQUARE = {"type": "Polygon", "coordinates": [[[118.0, 32.0], [119.0, 32.0], [119.0, 33.0],
                                              [118.0, 33.0], [118.0, 32.0]]]}


def fc(*codes: str) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": SQUARE, "properties": {"adcode": c, "name": f"区{c}"}}
        for c in codes]}


PROVINCE, CITIES, COUNTIES = fc("320000"), fc("320100", "320500"), fc("320111")
VIEW = d.view_for((116.3, 30.7, 121.9, 35.1))


def points_frame(n_per_status: int = 2) -> pd.DataFrame:
    rows = []
    for k, status in enumerate(MAP_STATUSES):
        for j in range(n_per_status):
            rows.append(dict(
                uscc=f"9132{k:02d}{j:02d}".ljust(18, "0"), name=f"测试{status}{j}有限公司",
                industry="化工", park="某某化工园区" if j % 2 == 0 else None,
                park_id=1 if j % 2 == 0 else None, city_adcode="320100",
                county_adcode="320111", lon=118.123456 + j, lat=32.654321,
                map_status=status, stage_label="审核中",
                days_overdue=30 + j if status == "overdue" else 0))
    return pd.DataFrame(rows)


def spec_of(deck: pdk.Deck) -> dict:
    return json.loads(deck.to_json())


def layers_by_id(deck: pdk.Deck) -> dict[str, dict]:
    return {layer["id"]: layer for layer in spec_of(deck)["layers"]}


def test_layers_and_ids_bottom_to_top():
    pts = points_frame()
    parks, _ = mv.park_fill(pd.DataFrame([dict(
        park_id=7, name="某某化工园区", level="国家级", park_type="化工园区", enterprises=3,
        completed=1,
        completed_rounds=1, overdue=1, accepted=0, completion_rate=1 / 3, overdue_rate=1 / 3,
        acceptance_rate=0.0, geometry=SQUARE)]), "enterprises")
    metrics = pd.DataFrame([dict(adcode="320100", enterprises=2, completed=1,
                                 completed_rounds=1, overdue=1,
                                 accepted=1, completion_rate=0.5, overdue_rate=0.5,
                                 acceptance_rate=0.5)])
    regions, _ = mv.region_fill(CITIES, metrics, "completion_rate")
    deck = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=pts, parks=parks,
                        regions=regions)
    ids = [layer["id"] for layer in spec_of(deck)["layers"]]
    assert ids == ["province-fill", "region-fill", "county-lines", "city-lines",
                   "province-line", "parks", *(f"pts-{s}" for s in MAP_STATUSES)]
    types = {layer["id"]: layer["@@type"] for layer in spec_of(deck)["layers"]}
    assert {types[f"pts-{s}"] for s in MAP_STATUSES} == {"ScatterplotLayer"}
    assert types["parks"] == types["region-fill"] == "GeoJsonLayer"


def test_optional_layers_are_left_out():
    deck = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW)
    assert [layer["id"] for layer in spec_of(deck)["layers"]] == [
        "province-fill", "county-lines", "city-lines", "province-line"]
    only_two = points_frame()[lambda df: df["map_status"].isin(["overdue", "listed"])]
    deck = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=only_two)
    assert [lid for lid in layers_by_id(deck) if lid.startswith("pts-")] == [
        "pts-listed", "pts-overdue"]


def test_no_basemap_and_nothing_fetched():
    spec = spec_of(mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=points_frame()))
    assert spec.get("mapProvider") is None
    style = str(spec.get("mapStyle", ""))
    assert "://" not in style and "mapbox" not in style and "carto" not in style
    assert "http" not in json.dumps(spec)  # no URL anywhere in the spec


def test_tile_layer_only_when_configured():
    assert mv.configured_tile_url({}) is None
    assert mv.configured_tile_url({"MAP_TILE_URL": "  "}) is None
    url = "http://tiles.intranet.local/{z}/{x}/{y}.png"
    assert mv.configured_tile_url({"MAP_TILE_URL": url}) == url
    without = layers_by_id(mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW))
    assert "tiles" not in without
    with_tiles = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, tile_url=url)
    layers = spec_of(with_tiles)["layers"]
    tiles = [layer for layer in layers if layer["id"].startswith("tiles-")]
    assert tiles and layers[:len(tiles)] == tiles  # under the polygons
    assert {layer["@@type"] for layer in tiles} == {"BitmapLayer"}
    z, x, y = (int(v) for v in tiles[0]["id"].split("-")[1:])
    assert tiles[0]["image"] == f"http://tiles.intranet.local/{z}/{x}/{y}.png"
    west, south, east, north = tiles[0]["bounds"]
    assert east - west == pytest.approx(360 / 2 ** z)
    # together the tiles cover the province square (118–119°E, 32–33°N)
    assert min(t["bounds"][0] for t in tiles) <= 118 and max(t["bounds"][2] for t in tiles) >= 119
    assert min(t["bounds"][1] for t in tiles) <= 32 and max(t["bounds"][3] for t in tiles) >= 33
    assert "province-fill" not in layers_by_id(with_tiles)  # the tiles show through


def test_tile_count_is_capped():
    tiles = mv.tile_layers("http://t/{z}/{x}/{y}.png", (73.0, 18.0, 135.0, 53.0), 12.0,
                           max_tiles=64)
    assert 0 < len(tiles) <= 64


def test_tile_url_read_from_environment(monkeypatch):
    monkeypatch.delenv("MAP_TILE_URL", raising=False)
    assert mv.configured_tile_url() is None
    monkeypatch.setenv("MAP_TILE_URL", "http://10.0.0.5/tiles/{z}/{x}/{y}.png")
    assert mv.configured_tile_url() == "http://10.0.0.5/tiles/{z}/{x}/{y}.png"


def test_colours_per_status_cost_no_bytes_per_point():
    layers = layers_by_id(mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=points_frame()))
    colours = {s: layers[f"pts-{s}"]["getFillColor"] for s in MAP_STATUSES}
    assert colours == {s: d.STATUS_COLORS[s] for s in MAP_STATUSES}
    assert len({tuple(c) for c in colours.values()}) == len(MAP_STATUSES)  # all distinct
    assert colours["overdue"] != colours["failed"]
    for s in MAP_STATUSES:
        for rec in layers[f"pts-{s}"]["data"]:
            assert set(rec) == {"p", "n", "d"}


def test_tooltip_fields_in_chinese():
    deck = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=points_frame())
    tooltip = deck._tooltip
    assert tooltip["html"] == "<b>{n}</b><br/>{d}"
    assert tooltip["style"]["whiteSpace"] == "pre-line"  # "\n" in d breaks the line
    layers = layers_by_id(deck)
    in_park, outside = layers["pts-overdue"]["data"]
    assert in_park["n"] == "测试overdue0有限公司"
    # industry · park (park only where present), then stage · days overdue
    assert in_park["d"] == "化工 · 某某化工园区\n审核中 · 逾期 30 天"
    assert outside["d"] == "化工\n审核中 · 逾期 31 天"
    assert layers["pts-accepted"]["data"][0]["d"] == "化工 · 某某化工园区\n审核中"  # on time
    assert layers["pts-failed"]["data"][0]["d"].endswith("审核中 · 待重新审核或整改")


def test_many_points_leave_industry_and_park_out_of_the_tooltip(monkeypatch):
    pts = points_frame()  # 14 points
    monkeypatch.setattr(mv, "DETAILED_POINTS", len(pts) - 1)
    layers = layers_by_id(mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=pts))
    in_park, outside = layers["pts-overdue"]["data"]
    assert (in_park["d"], outside["d"]) == ("审核中 · 逾期 30 天", "审核中 · 逾期 31 天")
    assert layers["pts-accepted"]["data"][0]["d"] == "审核中"
    monkeypatch.setattr(mv, "DETAILED_POINTS", len(pts))  # at the limit: still detailed
    layers = layers_by_id(mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=pts))
    assert layers["pts-accepted"]["data"][0]["d"] == "化工 · 某某化工园区\n审核中"


def test_every_pickable_layer_offers_the_tooltip_fields():
    """One tooltip serves every layer: a missing field would show as a literal {x}."""
    parks = pd.DataFrame([dict(park_id=7, name="某某化工园区", level="省级", park_type="化工园区",
                               enterprises=0, completed=0,
                               completed_rounds=0, overdue=0, accepted=0,
                               completion_rate=np.nan, overdue_rate=np.nan,
                               acceptance_rate=np.nan, geometry=SQUARE)])
    park_geo, _ = mv.park_fill(parks, "completion_rate")
    regions, _ = mv.region_fill(CITIES, pd.DataFrame(
        [dict(adcode="320100", enterprises=1, completed=1,
              completed_rounds=1, overdue=0, accepted=0,
              completion_rate=1.0, overdue_rate=0.0, acceptance_rate=0.0)]), "completion_rate")
    deck = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=points_frame(),
                        parks=park_geo, regions=regions)
    for layer in spec_of(deck)["layers"]:
        if not layer.get("pickable"):
            continue
        data = layer["data"]
        records = ([f["properties"] for f in data["features"]] if isinstance(data, dict)
                   else data)
        assert records, layer["id"]
        for rec in records:
            assert {"n", "d"} <= set(rec), (layer["id"], rec)


def test_coordinates_rounded_to_four_digits():
    rec = layers_by_id(mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW,
                                    points=points_frame()))["pts-listed"]["data"][0]
    assert rec["p"] == [118.1235, 32.6543]


def test_bytes_per_point_within_budget():
    """At most 120 bytes per enterprise point with realistic names (~30 bytes of UTF-8), long
    industry names and a park on a third of the points."""
    rng = np.random.default_rng(1)
    n = 3000
    statuses = rng.choice(MAP_STATUSES, n, p=[.02, .17, .03, .09, .66, .02, .01])
    pts = pd.DataFrame({
        "uscc": [f"{i:018d}" for i in range(n)],
        "name": [f"江苏省{'某某'*2}{i:04d}化工有限公司"[:13] for i in range(n)],  # 13 characters
        "industry": rng.choice(["化工", "电镀", "农副食品加工", "工业涂装", "包装印刷"], n),
        "park": np.where(rng.random(n) < 0.33, "南京江北新材料科技园", None),
        "lon": rng.uniform(116.4, 121.8, n), "lat": rng.uniform(30.8, 35.0, n),
        "map_status": statuses, "stage_label": rng.choice(["审核中", "已提交报告", "验收通过"], n),
        "days_overdue": np.where(statuses == "overdue", rng.integers(1, 900, n), 0),
    })
    deck = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=pts)
    point_bytes = sum(len(json.dumps(layer, ensure_ascii=False, separators=(",", ":"),
                                     sort_keys=True).encode())
                      for layer in spec_of(deck)["layers"] if layer["id"].startswith("pts-"))
    assert point_bytes / n <= 120, point_bytes / n
    # the deck JSON is compact: no indentation, raw UTF-8
    text = deck.to_json()
    assert "\n" not in text and "\\u" not in text


def test_spec_is_byte_identical_for_the_same_input():
    a = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=points_frame()).to_json()
    b = mv.build_map(PROVINCE, CITIES, COUNTIES, VIEW, points=points_frame()).to_json()
    assert a == b


def test_region_fill_classes_and_texts():
    metrics = pd.DataFrame([
        dict(adcode="320100", enterprises=2, completed=1, completed_rounds=1, overdue=1, accepted=1,
             completion_rate=0.5, overdue_rate=0.5, acceptance_rate=0.5),
    ])
    regions, legend = mv.region_fill(CITIES, metrics, "overdue_rate")
    props = {f["properties"]["n"]: f["properties"] for f in regions["features"]}
    assert props["区320100"]["d"] == ("逾期企业占比 50.0%\n"
                                       "列入审核企业 2 家 · 累计完成审核 1 轮 · 逾期企业 1 家")
    assert props["区320100"]["fill"][:3] == mv.hex_rgb(mv.PALETTES["red"][2])  # one value
    assert props["区320500"]["d"].startswith("无数据\n")
    assert props["区320500"]["fill"] == mv.NO_DATA
    assert "逾期企业占比" in legend and "50.0%" in legend and "无数据" in legend
    many = pd.DataFrame([dict(adcode=f"3201{i:02d}", enterprises=10, completed=5,
                              completed_rounds=5, overdue=i,
                              accepted=1, completion_rate=.5, overdue_rate=i / 100,
                              acceptance_rate=.1) for i in range(1, 11)])
    regions, legend = mv.region_fill(fc(*many["adcode"]), many, "overdue_rate")
    fills = [f["properties"]["fill"][:3] for f in regions["features"]]
    assert fills[0] == mv.hex_rgb(mv.PALETTES["red"][0])  # lowest rate, lightest
    assert fills[-1] == mv.hex_rgb(mv.PALETTES["red"][-1])  # highest rate, darkest
    assert len({tuple(f) for f in fills}) == 5  # classes follow the data (quantiles)
    assert "1.0% 至不足" in legend and "–10.0%" in legend
    assert "properties" in CITIES["features"][0] and "fill" not in \
        CITIES["features"][0]["properties"]  # the shared base is left untouched


def test_reduction_metric_is_per_enterprise_with_unit():
    metrics = pd.DataFrame([dict(adcode="320100", enterprises=2, completed=1,
                                 completed_rounds=1, overdue=1,
                                 accepted=1, completion_rate=.5, overdue_rate=.5,
                                 acceptance_rate=.5, energy_tce_per_ent=65.0)])
    regions, legend = mv.region_fill(CITIES, metrics, "reduction",
                                     ("energy_tce", "节能量", "吨标准煤/年"))
    nj = regions["features"][0]["properties"]
    assert nj["d"].startswith("单位企业节能量 65.00 吨标准煤/年\n")
    assert "单位企业节能量（吨标准煤/年）" in legend


def test_class_breaks():
    fixed = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    assert mv.class_breaks([0.1, 0.9], fixed) == list(fixed)
    edges = mv.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])
    assert edges[0] == 1 and edges[-1] == 100 and edges == sorted(set(edges))
    assert mv.class_breaks([2, 2]) == [2, 2]
    assert mv.classify(2, [2, 2]) == 0
    assert mv.classify(None, [0, 1]) is None and mv.classify(float("nan"), [0, 1]) is None
    assert mv.classify(1.0, list(fixed)) == 4 and mv.classify(0.0, [0, .5, 1]) == 0
    assert mv.class_labels([2, 2], "count") == ["2"]
    # classes hold lo ≤ x < hi (the last lo ≤ x ≤ hi): labels must not overlap at the edges
    assert mv.class_labels([2, 12, 18], "count") == ["2–11", "12–18"]
    assert mv.class_labels([2, 3, 18], "count") == ["2", "3–18"]
    assert mv.class_labels([0.1, 0.25, 0.5], "rate") == ["10.0% 至不足 25.0%", "25.0%–50.0%"]


def test_status_legend_in_chinese_with_counts():
    legend = mv.status_legend_html({"overdue": 1234, "accepted": 5})
    for s in MAP_STATUSES:
        assert MAP_STATUS_LABELS[s] in legend
        assert mv.rgb_css(d.STATUS_COLORS[s]) in legend
    assert "1,234 家" in legend and "5 家" in legend and "0 家" in legend


@pytest.mark.parametrize("selection, expected", [
    ({"indices": {"pts-overdue": [1]}, "objects": {}}, ("enterprise", "overdue1")),
    ({"indices": {"pts-listed": [0]}, "objects": {}}, ("enterprise", "listed0")),
    ({"indices": {"parks": [0]}, "objects": {"parks": [{"properties": {"id": 7}}]}},
     ("park", "7")),
    ({"indices": {"parks": [0]}, "objects": {}}, ("park", "7")),
    ({"indices": {"region-fill": [0]}, "objects": {}}, None),
    ({"indices": {"pts-overdue": [5]}, "objects": {}}, None),  # stale index
    ({"indices": {}, "objects": {}}, None),
    (None, None),
])
def test_picked_target(selection, expected):
    pts = points_frame().assign(uscc=lambda df: df["map_status"] + df.groupby(
        "map_status").cumcount().astype(str))
    assert mv.picked_target(selection, pts, [7]) == expected


def test_record_pages():
    assert mv.record_page(("enterprise", "91320111MA1AAA026G")) == (
        "pages/enterprise.py", {"uscc": "91320111MA1AAA026G"}, "企业档案")
    assert mv.record_page(("park", "3")) == ("pages/park.py", {"park": "3"}, "园区详情")
