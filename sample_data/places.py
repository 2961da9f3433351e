"""Where things are: region rows, industrial parks with outlines, and enterprise locations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from queries import boundaries
from rules import vocab
from sample_data import geo, names, profiles
from sample_data.common import Context, norm, weighted


@dataclass
class Park:
    park_id: int
    name: str
    level: str
    park_type: str
    city_adcode: str
    county_adcode: str
    polygon: shapely.Geometry

    def row(self) -> dict:
        point = self.polygon.centroid
        return {
            "park_id": self.park_id,
            "name": self.name,
            "level": self.level,
            "park_type": self.park_type,
            "city_adcode": self.city_adcode,
            "county_adcode": self.county_adcode,
            "boundary_geojson": geo.polygon_geojson(self.polygon),
            "lon": round(point.x, geo.DECIMALS),
            "lat": round(point.y, geo.DECIMALS),
        }


def region_rows(ctx: Context) -> list[dict]:
    """Province, cities, counties (parents first), each with a label point inside it."""
    regions = ctx.regions
    geoms = boundaries.region_geometries(regions["adcode"]).geometry.values
    points = shapely.point_on_surface(geoms)
    rows = []
    for (adcode, name, level, parent), pt in zip(regions.itertuples(index=False), points):
        rows.append({
            "adcode": adcode,
            "name": name,
            "level": level,
            "parent_adcode": parent if isinstance(parent, str) else None,
            "lon": round(shapely.get_x(pt), geo.DECIMALS),
            "lat": round(shapely.get_y(pt), geo.DECIMALS),
        })
    return rows


def _park_type(rng, has_chem_park: bool, chem_share: float, taken_types: list[str]) -> str:
    if not has_chem_park and rng.random() < 0.1 + 0.9 * chem_share:
        return "化工园区"
    kind = weighted(rng, profiles.PARK_TYPE_ODDS)
    return "工业集中区" if kind in taken_types else kind


def _park_name(rng, park_type: str, level: str, county: str, city: str,
               taken: set[str]) -> str | None:
    forms = (profiles.PARK_NAME_FORMS.get((park_type, level))
             or profiles.PARK_NAME_FORMS[(park_type, None)])
    place, city_short = names.place_name(county, city), names.short_name(city)
    for i in rng.permutation(len(forms)):
        name = forms[i].format(place=place, city=city_short)
        if name not in taken:
            taken.add(name)
            return name
    return None


def make_parks(ctx: Context, ent: pd.DataFrame) -> list[Park]:
    """Parks where the enterprises are: busier counties get more, chemical ones a 化工园区."""
    rng = ctx.rng["places"]
    target = ctx.count(profiles.BASE_PARKS, minimum=1)
    leaves = ctx.leaves
    n_ent = ent["county_adcode"].value_counts().reindex(leaves["adcode"], fill_value=0).to_numpy()
    chem = ent["industry_code"].isin(profiles.CHEMICAL_INDUSTRIES)
    n_chem = chem.groupby(ent["county_adcode"]).sum()
    chem_share = (n_chem.reindex(leaves["adcode"], fill_value=0).to_numpy() / np.maximum(n_ent, 1))
    placed = np.zeros(len(leaves))
    parks: list[Park] = []
    taken: set[str] = set()
    for _ in range(target * 4):
        if len(parks) == target or n_ent.sum() == 0:
            break
        i = int(rng.choice(len(leaves), p=norm(n_ent * 0.35**placed + 1e-9 * (n_ent > 0))))
        county, city = leaves.at[i, "adcode"], leaves.at[i, "city_adcode"]
        here = [p for p in parks if p.county_adcode == county]
        kind = _park_type(rng, any(p.park_type == "化工园区" for p in here), chem_share[i],
                          [p.park_type for p in here])
        level = weighted(rng, zip(vocab.PARK_LEVELS, profiles.PARK_LEVEL_ODDS[kind]))
        lo, hi = profiles.PARK_RADIUS_KM.get(kind if kind == "化工园区" else level,
                                             profiles.PARK_RADIUS_KM["default"])
        avoid = shapely.union_all([p.polygon for p in here]) if here else None
        polygon = geo.park_polygon(rng, ctx.geoms[county], rng.uniform(lo, hi), avoid)
        placed[i] += 1
        if polygon is None:
            continue
        name = _park_name(rng, kind, level, leaves.at[i, "name"], leaves.at[i, "city_name"],
                          taken)
        if name:
            parks.append(Park(len(parks) + 1, name, level, kind, city, county, polygon))
    return parks


def _assign_parks(ctx: Context, ent: pd.DataFrame, parks: list[Park]) -> np.ndarray:
    """Park id per enterprise (-1 = none); firms may move into a park elsewhere in their city."""
    rng = ctx.rng["places"]
    pools: dict[tuple, list[Park]] = {}
    for p in parks:
        kind = "chem" if p.park_type == "化工园区" else "other"
        pools.setdefault((kind, "county", p.county_adcode), []).append(p)
        pools.setdefault((kind, "city", p.city_adcode), []).append(p)
    is_chem = ent["industry_code"].isin(profiles.CHEMICAL_INDUSTRIES).to_numpy()
    choice: list[list[Park] | None] = []
    odds = np.full(len(ent), np.nan)  # NaN: a park elsewhere in the city, at the filling rate
    for k, (county, city) in enumerate(zip(ent["county_adcode"], ent["city_adcode"])):
        kind = "chem" if is_chem[k] else "other"
        if (kind, "county", county) in pools:
            share = profiles.PARK_SHARE_CHEM if is_chem[k] else profiles.PARK_SHARE_OTHER
            choice.append(pools[(kind, "county", county)])
            odds[k] = share
        elif is_chem[k] and ("chem", "city", city) in pools:
            choice.append(pools[("chem", "city", city)])
            odds[k] = profiles.PARK_SHARE_CHEM_CITY
        else:
            choice.append(pools.get(("other", "city", city)))
            odds[k] = np.nan if choice[-1] else 0.0
    fillers = np.isnan(odds)
    missing = profiles.PARK_SHARE_TARGET * len(ent) - np.nansum(odds)
    odds[fillers] = np.clip(missing / max(fillers.sum(), 1), 0, profiles.PARK_SHARE_CITY_MAX)
    u = rng.random(len(ent))
    park_id = np.full(len(ent), -1)
    for k in np.flatnonzero(u < odds):
        park_id[k] = _pick_park(rng, choice[k])
    return park_id


def place_enterprises(ctx: Context, ent: pd.DataFrame, parks: list[Park]) -> pd.DataFrame:
    """Give each enterprise a park (or none) and a point inside its park or else its county."""
    rng = ctx.rng["places"]
    park_id = _assign_parks(ctx, ent, parks)
    park_county = {p.park_id: p.county_adcode for p in parks}
    ent = ent.copy()
    ent["county_adcode"] = [park_county.get(int(p), c)
                            for p, c in zip(park_id, ent["county_adcode"])]
    lon, lat = np.zeros(len(ent)), np.zeros(len(ent))
    groups = ent.groupby("county_adcode").indices
    for county in sorted(groups):
        idx = groups[county]
        here = [p for p in parks if p.county_adcode == county]
        for p in here:
            members = idx[park_id[idx] == p.park_id]
            lon[members], lat[members] = geo.sample_points(rng, p.polygon, len(members))
        outside = idx[park_id[idx] < 0]
        exclude = shapely.union_all([p.polygon for p in here]) if here else None
        lon[outside], lat[outside] = geo.sample_points(rng, ctx.geoms[county], len(outside),
                                                       exclude)
    ent["park_id"] = [int(p) if p > 0 else None for p in park_id]
    ent["lon"], ent["lat"] = lon, lat
    return ent.sort_values(["city_adcode", "county_adcode", "industry_code"], kind="stable",
                           ignore_index=True)


def _pick_park(rng, candidates: list[Park]) -> int:
    areas = np.array([p.polygon.area for p in candidates])
    return candidates[int(rng.choice(len(candidates), p=areas / areas.sum()))].park_id
