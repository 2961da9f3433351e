"""The province map: pydeck deck builders (they RETURN a deck), legends, and what a click opens.

Built on components/deck.py: compact deterministic JSON (CompactDeck), no basemap
(`map_provider=None`), fixed layer ids. Enterprise points go one ScatterplotLayer per audit
status, so colour costs no bytes per point; each point carries only its position and three
short tooltip texts. Every pickable layer offers the same two properties, because the deck has
one tooltip for all layers: n (the name, in bold) and d (the details: two lines separated by
"\n", shown as a line break by the tooltip's `white-space: pre-line`; one field instead of two
saves a key per point).
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pydeck as pdk

from components import deck as d
from components import fmt, safe
from rules import indicators as ind
from rules.clock import MAP_STATUS_LABELS, MAP_STATUSES

TILE_URL_ENV = "MAP_TILE_URL"

# Layer ids, bottom to top. Fixed, so the frontend keeps its state across reruns.
TILES_ID = "tiles"
PROVINCE_FILL_ID = "province-fill"
REGION_FILL_ID = "region-fill"
COUNTY_LINES_ID = "county-lines"
CITY_LINES_ID = "city-lines"
PROVINCE_LINE_ID = "province-line"
PARKS_ID = "parks"
POINTS_PREFIX = "pts-"

TOOLTIP = {
    "html": "<b>{n}</b><br/>{d}",
    "style": {"whiteSpace": "pre-line", "backgroundColor": "white", "color": "#222",
              "fontSize": "13px", "border": "1px solid #bbb", "borderRadius": "4px",
              "padding": "6px 8px", "lineHeight": "1.5"},
}

PAPER = [248, 246, 240, 255]
NO_DATA = [225, 225, 225, 200]
PALETTES = {  # ColorBrewer, 5 classes, light to dark
    "green": ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"],
    "red": ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"],
    "blue": ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"],
    "purple": ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"],
}
FILL_ALPHA = 200


def point_layer_id(status: str) -> str:
    return POINTS_PREFIX + status


def hex_rgb(colour: str) -> list[int]:
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


def rgb_css(rgb) -> str:
    return "#" + "".join(f"{int(c):02x}" for c in rgb[:3])


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------

def configured_tile_url(env: Mapping[str, str] | None = None) -> str | None:
    """The intranet tile server URL template (`{z}/{x}/{y}`) from env MAP_TILE_URL; None (no
    tiles, no request leaves the app) unless set."""
    url = (os.environ if env is None else env).get(TILE_URL_ENV, "").strip()
    return url or None


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _tile_bounds(x: int, y: int, z: int) -> list[float]:
    n = 2 ** z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return [round(x / n * 360 - 180, 6), round(lat(y + 1), 6), round((x + 1) / n * 360 - 180, 6),
            round(lat(y), 6)]


def tile_layers(url: str, bounds: tuple[float, float, float, float], zoom: float,
                max_tiles: int = 64) -> list[pdk.Layer]:
    """Raster tiles of an intranet server ({z}/{x}/{y} template) covering `bounds`, one
    BitmapLayer per tile (ids "tiles-z-x-y"), at one zoom level above the view's so they stay
    sharp when zooming in a step.

    Why not deck.gl's TileLayer: drawing images needs a JavaScript renderSubLayers, which the
    JSON interface cannot express; TerrainLayer would fetch its decoder worker from a CDN."""
    minx, miny, maxx, maxy = bounds
    z = max(0, min(18, math.ceil(zoom) + 1))
    while True:
        x0, y0 = _tile_xy(minx, maxy, z)
        x1, y1 = _tile_xy(maxx, miny, z)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= max_tiles or z == 0:
            break
        z -= 1
    layers = []
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            image = url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
            layers.append(pdk.Layer("BitmapLayer", id=f"{TILES_ID}-{z}-{x}-{y}",
                                    image=pdk.types.String(image),
                                    bounds=_tile_bounds(x, y, z), pickable=False))
    return layers


# --------------------------------------------------------------------------------------------
# Enterprise points
# --------------------------------------------------------------------------------------------

# Above this many enterprise points the tooltip leaves out "industry · park" (a click still opens
# the record with everything): at ~45,000 points that line alone is ~1 MB of the page.
DETAILED_POINTS = 20_000


def point_texts(points: pd.DataFrame, detailed: bool = True) -> pd.DataFrame:
    """Tooltip texts of each enterprise: n = name; d = "industry · park (only when in a park)"
    and "stage · days overdue (only when overdue)" on two lines (`detailed`), else the second
    line only."""
    industry = points["industry"].astype(object).fillna("").astype(str)
    park = points["park"].astype(object)
    has_park = park.notna() & (park.astype(str) != "")
    info = industry.where(~has_park, industry + " · " + park.astype(str))
    days = pd.to_numeric(points["days_overdue"], errors="coerce").fillna(0).astype(int)
    stage = points["stage_label"].astype(object).fillna("").astype(str)
    late = (points["map_status"] == "overdue") & (days > 0)
    text = stage.where(~late, stage + " · 逾期 " + days.astype(str) + " 天")
    failed = points["map_status"] == "failed"
    text = text.where(~failed, stage + " · 待重新审核或整改")
    # names and park names from the database: no tooltip placeholder inside them
    info = safe.tooltips(info)
    return pd.DataFrame({"n": safe.tooltips(points["name"]),
                         "d": info + "\n" + text if detailed else text,
                         "lon": points["lon"], "lat": points["lat"]}, index=points.index)


def status_groups(points: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Points per map status, in drawing order (overdue and failed last, on top), each in the
    order of `points`. The layer index of a picked point is its row in its group."""
    groups = {}
    for status in MAP_STATUSES:
        g = points[points["map_status"] == status]
        if not g.empty:
            groups[status] = g
    return groups


def point_layers(points: pd.DataFrame, radius_px: float = 3.5) -> list[pdk.Layer]:
    """One ScatterplotLayer per status present, id "pts-<status>", records {p, n, d}."""
    layers = []
    detailed = len(points) <= DETAILED_POINTS
    for status, g in status_groups(points).items():
        records = _records(point_texts(g, detailed))
        layers.append(d.point_layer(records, point_layer_id(status), d.STATUS_COLORS[status],
                                    radius_px=radius_px))
    return layers


def _records(texts: pd.DataFrame) -> list[dict]:
    """{"p": [lon, lat], "n": …, "d": …} per point, coordinates rounded to d.COORD_DIGITS.
    The texts are never missing, so this skips the per-value checks of d.point_records
    (five times faster at 45,000 points)."""
    lon = texts["lon"].astype(float).round(d.COORD_DIGITS).tolist()
    lat = texts["lat"].astype(float).round(d.COORD_DIGITS).tolist()
    return [{"p": [x, y], "n": n, "d": t}
            for x, y, n, t in zip(lon, lat, texts["n"].tolist(), texts["d"].tolist())]


# --------------------------------------------------------------------------------------------
# Classed colours (choropleth and parks)
# --------------------------------------------------------------------------------------------

def class_breaks(values, fixed: tuple[float, ...] | None = None, k: int = 5) -> list[float]:
    """k+1 ascending class edges: `fixed` if given, else quantiles of the non-missing values
    rounded to 2 significant digits (duplicates dropped, so there may be fewer classes)."""
    if fixed is not None:
        return list(fixed)
    v = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce").dropna()
    if v.empty:
        return [0.0, 1.0]
    qs = np.quantile(v.to_numpy(), np.linspace(0, 1, k + 1))
    edges = []
    for q in qs:
        q = _round_sig(float(q))
        if not edges or q > edges[-1]:
            edges.append(q)
    if len(edges) == 1:  # all values equal: one class holding that value
        edges.append(edges[0])
    edges[0] = min(edges[0], float(v.min()))
    edges[-1] = max(edges[-1], float(v.max()))
    return edges


def _round_sig(x: float, sig: int = 2) -> float:
    if x == 0 or not math.isfinite(x):
        return 0.0
    digits = sig - int(math.floor(math.log10(abs(x)))) - 1
    return round(x, digits)


def class_colours(palette: str, n_classes: int) -> list[list[int]]:
    colours = PALETTES[palette]
    if n_classes >= len(colours):
        picked = colours
    elif n_classes == 1:  # a single value: the middle shade
        picked = [colours[len(colours) // 2]]
    else:  # spread fewer classes over the palette, keeping both ends
        idx = np.linspace(0, len(colours) - 1, n_classes).round().astype(int)
        picked = [colours[i] for i in idx]
    return [hex_rgb(c) for c in picked]


def classify(value, edges: list[float]) -> int | None:
    """Class index of `value` (0-based) for the edges; None for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for i in range(1, len(edges) - 1):
        if value < edges[i]:
            return i - 1
    return len(edges) - 2


def format_value(value, kind: str, unit: str = "", digits: int = 1) -> str:
    if kind == "rate":
        return fmt.pct(value)
    return fmt.with_unit(value, unit, digits) if unit else fmt.num(value, digits)


def class_labels(edges: list[float], kind: str, unit: str = "") -> list[str]:
    """Labels that do not overlap: a class holds lo ≤ x < hi (the last one lo ≤ x ≤ hi), so
    counts end one below the next class ("2–11", "12–18") and other values say 不足 hi."""
    def one(x) -> str:
        if kind == "rate":
            return fmt.pct(x, 1)
        return fmt.num(x, 0 if kind == "count" or abs(x) >= 100 else 1)

    out = []
    pairs = list(zip(edges[:-1], edges[1:]))
    for i, (lo, hi) in enumerate(pairs):
        last = i == len(pairs) - 1
        if kind == "count":
            lo, hi = math.ceil(lo), (math.floor(hi) if last else math.ceil(hi) - 1)
            out.append(one(lo) if lo >= hi else f"{one(lo)}–{one(hi)}")
        elif lo == hi:
            out.append(one(lo))
        else:
            out.append(f"{one(lo)}–{one(hi)}" if last else f"{one(lo)} 至不足 {one(hi)}")
    return out


# --------------------------------------------------------------------------------------------
# Regions and parks
# --------------------------------------------------------------------------------------------

def choropleth_geojson(base: dict, values: Mapping[str, float], edges: list[float],
                       colours: list[list[int]], describe: Mapping[str, tuple[str, str]]
                       ) -> dict:
    """A new GeoJSON dict (`base` is shared and left untouched) whose features carry `fill`
    and the tooltip texts: n (region name) and d, the two lines of `describe[adcode]`
    (or 无数据)."""
    features = []
    for f in base["features"]:
        code = f["properties"]["adcode"]
        cls = classify(values.get(code), edges)
        fill = NO_DATA if cls is None else [*colours[cls], FILL_ALPHA]
        i, s = describe.get(code, ("无数据", "当前筛选条件下没有列入审核的企业"))
        features.append({"type": "Feature", "geometry": f["geometry"],
                         "properties": {"n": safe.tooltip(f["properties"]["name"]),
                                        "d": f"{i}\n{s}",
                                        "fill": fill}})
    return {"type": "FeatureCollection", "features": features}


def park_geojson(parks: pd.DataFrame, values: Mapping[int, float], edges: list[float],
                 colours: list[list[int]], describe: Mapping[int, tuple[str, str]]) -> dict:
    """Parks with an outline as GeoJSON features: id, fill and tooltip texts, in park_id order.
    The geometry dicts are used as given (queries.geo rounds them once)."""
    features = []
    for row in parks.itertuples(index=False):
        if not isinstance(row.geometry, dict):
            continue
        pid = int(row.park_id)
        cls = classify(values.get(pid), edges)
        fill = NO_DATA if cls is None else [*colours[cls], 230]
        i, s = describe.get(pid, ("", ""))
        features.append({"type": "Feature", "geometry": row.geometry,
                         "properties": {"id": pid, "n": safe.tooltip(row.name),
                                        "d": f"{i}\n{s}",
                                        "fill": fill}})
    return {"type": "FeatureCollection", "features": features}


def park_layer(geojson: dict) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer", geojson, id=PARKS_ID, stroked=True, filled=True,
        get_fill_color="properties.fill", get_line_color=[40, 40, 40, 255],
        line_width_units=d.PIXELS, get_line_width=1.2, line_width_min_pixels=1,
        pickable=True, auto_highlight=True)


# --------------------------------------------------------------------------------------------
# The deck
# --------------------------------------------------------------------------------------------

def build_map(province: dict, cities: dict, counties: dict, view: pdk.ViewState, *,
              points: pd.DataFrame | None = None, parks: dict | None = None,
              regions: dict | None = None, tile_url: str | None = None,
              tile_bounds: tuple[float, float, float, float] | None = None) -> d.CompactDeck:
    """The map, bottom to top: intranet tiles (only if a URL is configured; covering
    `tile_bounds`, default the province), the province on
    paper (or the region choropleth), county, city and province lines, parks, enterprise points
    by status. No basemap provider: nothing is fetched from the internet."""
    layers = []
    if tile_url:
        layers.extend(tile_layers(tile_url, tile_bounds or _bounds_of(province), view.zoom))
    else:
        layers.append(d.boundary_layer(province, PROVINCE_FILL_ID, [0, 0, 0, 0], 0,
                                       fill_rgba=PAPER))
    if regions is not None:
        layers.append(d.choropleth_layer(regions, REGION_FILL_ID))
    layers.append(d.boundary_layer(counties, COUNTY_LINES_ID, [170, 170, 170, 255], 0.6))
    layers.append(d.boundary_layer(cities, CITY_LINES_ID, [110, 110, 110, 255], 1.4))
    layers.append(d.boundary_layer(province, PROVINCE_LINE_ID, [50, 50, 50, 255], 2.2))
    if parks is not None and parks["features"]:
        layers.append(park_layer(parks))
    if points is not None and not points.empty:
        layers.extend(point_layers(points))
    return d.deck(layers, view, tooltip=TOOLTIP)


def _bounds_of(geojson: dict) -> tuple[float, float, float, float]:
    import shapely

    geoms = [shapely.geometry.shape(f["geometry"]) for f in geojson["features"]]
    minx, miny, maxx, maxy = shapely.GeometryCollection(geoms).bounds
    return minx, miny, maxx, maxy


def picked_target(selection: Mapping | None, points: pd.DataFrame | None,
                  park_ids: list[int]) -> tuple[str, str] | None:
    """What a single-object selection opens: ("enterprise", uscc) or ("park", park_id as text),
    or None (nothing selected, a region, or an index that no longer exists)."""
    if not selection:
        return None
    indices = selection.get("indices") or {}
    objects = selection.get("objects") or {}
    for layer_id, idx in indices.items():
        if not idx:
            continue
        i = idx[0]
        if layer_id.startswith(POINTS_PREFIX) and points is not None:
            group = status_groups(points).get(layer_id[len(POINTS_PREFIX):])
            if group is not None and isinstance(i, int) and 0 <= i < len(group):
                return "enterprise", str(group.iloc[i]["uscc"])
        if layer_id == PARKS_ID:
            obj = (objects.get(layer_id) or [None])[0]
            props = obj.get("properties", {}) if isinstance(obj, Mapping) else {}
            pid = props.get("id")
            if pid is None and isinstance(i, int) and 0 <= i < len(park_ids):
                pid = park_ids[i]
            if pid is not None and int(pid) in park_ids:
                return "park", str(int(pid))
    return None


def record_page(target: tuple[str, str]) -> tuple[str, dict[str, str], str]:
    """Page file, query parameters and Chinese name of the record a picked target opens:
    /enterprise?uscc=… or /park?park=…"""
    kind, code = target
    if kind == "enterprise":
        return "pages/enterprise.py", {"uscc": code}, "企业档案"
    return "pages/park.py", {"park": code}, "园区详情"


# --------------------------------------------------------------------------------------------
# Legends (HTML next to the map)
# --------------------------------------------------------------------------------------------

def _swatch(rgb, shape: str = "circle") -> str:
    radius = "50%" if shape == "circle" else "2px"
    return (f'<span style="display:inline-block;width:12px;height:12px;border-radius:{radius};'
            f'background:{rgb_css(rgb)};border:1px solid #666;margin-right:6px;'
            f'vertical-align:-1px"></span>')


def status_legend_html(counts: Mapping[str, int]) -> str:
    """Status colours with their Chinese labels and the number of enterprises drawn (家)."""
    rows = [f'<div style="margin:2px 0">{_swatch(d.STATUS_COLORS[s])}'
            f'{html.escape(MAP_STATUS_LABELS[s])}'
            f'<span style="float:right;margin-left:12px">{counts.get(s, 0):,} 家</span></div>'
            for s in MAP_STATUSES]
    return '<div style="font-size:0.9rem">' + "".join(rows) + "</div>"


def classes_legend_html(title: str, edges: list[float], colours: list[list[int]], kind: str,
                        unit: str = "", no_data: bool = True) -> str:
    labels = class_labels(edges, kind, unit)
    rows = [f'<div style="margin:2px 0">{_swatch(c, "square")}{html.escape(lab)}</div>'
            for c, lab in zip(colours, labels)]
    if no_data:
        rows.append(f'<div style="margin:2px 0">{_swatch(NO_DATA, "square")}无数据</div>')
    head = f'<div style="font-weight:600;margin:6px 0 2px">{html.escape(title)}</div>'
    return '<div style="font-size:0.9rem">' + head + "".join(rows) + "</div>"


# --------------------------------------------------------------------------------------------
# Metrics offered for shading
# --------------------------------------------------------------------------------------------

# key -> (label, kind, palette). "reduction" is per enterprise of a chosen outcome column.
# Names from the registry (rules/indicators.py): the shares look at each enterprise's latest
# round and say so; the counts in the tooltip are the overview's.
REGION_METRICS = {
    "completion_rate": (ind.name("latest_completed_share"), "rate", "green"),
    "overdue_rate": (ind.name("overdue_share"), "rate", "red"),
    "acceptance_rate": (ind.name("latest_accepted_share"), "rate", "purple"),
    "reduction": ("单位企业减排量", "value", "blue"),
}
PARK_METRICS = {
    "enterprises": (ind.name("listed_enterprises"), "count", "blue"),
    "completion_rate": (ind.name("latest_completed_share"), "rate", "green"),
    "overdue_rate": (ind.name("overdue_share"), "rate", "red"),
}


def _counts_text(row) -> str:
    return (f"{ind.name('listed_enterprises')} {int(row.enterprises):,} 家 · "
            f"{ind.name('completed_total')} {int(row.completed_rounds):,} 轮 · "
            f"{ind.name('overdue_enterprises')} {int(row.overdue):,} 家")


def region_fill(base: dict, metrics: pd.DataFrame, metric: str,
                outcome: tuple[str, str, str] | None = None) -> tuple[dict, str]:
    """Choropleth GeoJSON of `metric` over the regions of `base`, and its HTML legend.
    `outcome` = (column, label, unit) from rules.vocab.OUTCOME_COLUMNS for "reduction"."""
    label, kind, palette = REGION_METRICS[metric]
    unit = ""
    if metric == "reduction":
        col, out_label, unit = outcome
        column = f"{col}_per_ent"
        label = f"单位企业{out_label}"
    else:
        column = metric
    values = {str(r.adcode): float(getattr(r, column)) for r in metrics.itertuples()}
    edges = class_breaks(list(values.values()))
    colours = class_colours(palette, len(edges) - 1)
    describe = {str(r.adcode): (f"{label} {format_value(getattr(r, column), kind, unit, 2)}",
                                _counts_text(r)) for r in metrics.itertuples()}
    geo = choropleth_geojson(base, values, edges, colours, describe)
    title = f"{label}（{unit}）" if unit else label
    return geo, classes_legend_html(title, edges, colours, kind, unit)


def park_fill(parks: pd.DataFrame, metric: str) -> tuple[dict, str]:
    """Park outlines shaded by `metric`, and the HTML legend."""
    label, kind, palette = PARK_METRICS[metric]
    values = {int(r.park_id): float(getattr(r, metric)) for r in parks.itertuples()
              if r.enterprises > 0}
    edges = class_breaks(list(values.values()))
    colours = class_colours(palette, len(edges) - 1)
    unit = "家" if kind == "count" else ""
    describe = {}
    for r in parks.itertuples():
        value = getattr(r, metric) if r.enterprises > 0 else None
        shown = (f"{int(value):,} 家" if kind == "count" and value is not None
                 else format_value(value, kind))
        describe[int(r.park_id)] = (f"{r.level}{r.park_type} · {label} {shown}", _counts_text(r))
    geo = park_geojson(parks, values, edges, colours, describe)
    title = f"园区：{label}" + (f"（{unit}）" if unit else "")
    return geo, classes_legend_html(title, edges, colours, kind, unit)
