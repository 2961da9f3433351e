"""Industries, enterprises, their discharge permits, and the consultancies that run audits."""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np
import pandas as pd

from rules.identifiers import ALPHABET, make_permit_no, make_uscc
from sample_data import names, profiles
from sample_data.common import Context, days, norm
from sample_data.places import Park

PERMIT_START = dt.date(2017, 1, 1)  # the permit system (HJ 608-2017) issued from 2017


def industries(ctx: Context) -> list[dict]:
    """The 13 national key industries plus the province's own additions (industries are data)."""
    rows = [
        {"code": code, "name": name, "is_national": True, "sort_order": i + 1}
        for i, (code, name) in enumerate(profiles.NATIONAL_INDUSTRIES)
    ]
    for code, name, *_ in profiles.PROVINCIAL_INDUSTRIES.get(ctx.province, ()):
        rows.append({"code": code, "name": name, "is_national": False, "sort_order": len(rows) + 1})
    return rows


def _mix(ctx: Context, rng, city_name: str, codes: list[str]) -> np.ndarray:
    if city_name in profiles.CITY_MIX:
        mix = profiles.CITY_MIX[city_name]
        w = np.array([mix.get(c, profiles.MIX_FLOOR) for c in codes], dtype=float)
    else:  # the national mix, varied per city so cities differ
        w = np.array([profiles.GENERIC_MIX.get(c, 0.0) for c in codes], dtype=float)
        w *= rng.lognormal(0.0, 0.5, len(codes))
    for code, _, weight, by_city in profiles.PROVINCIAL_INDUSTRIES.get(ctx.province, ()):
        w[codes.index(code)] = by_city.get(city_name, weight)
    return norm(w)


def allocate(ctx: Context) -> pd.DataFrame:
    """How many enterprises of which industry sit in which county: city_adcode, county, industry."""
    rng = ctx.rng["firms"]
    n = ctx.count(profiles.BASE_ENTERPRISES, minimum=30)
    leaves = ctx.leaves
    codes = [r["code"] for r in industries(ctx)]
    # Counties: bigger ones host more industry; urban core districts are small and get little.
    # The exponent (0.7) keeps a 75 km² core district at a tenth of a 1,500 km² county.
    area_km2 = np.array([
        ctx.geoms[a].area * geo_km2(ctx.geoms[a].centroid.y) for a in leaves["adcode"]
    ])
    is_district = leaves["name"].str.endswith("区").to_numpy()
    county_w = area_km2**0.7 * np.where(is_district, 1.0, 1.25)
    county_w *= rng.lognormal(0.0, 0.35, len(leaves))
    cities = sorted(leaves["city_adcode"].unique())
    city_names = [ctx.region_name[c] for c in cities]
    if all(name in profiles.CITY_WEIGHT for name in city_names):
        city_w = np.array([profiles.CITY_WEIGHT[name] for name in city_names])
    else:  # a province without a table: cities weigh what their counties weigh
        city_w = np.array([county_w[leaves["city_adcode"] == c].sum() for c in cities])
    per_city = rng.multinomial(n, norm(city_w))
    parts = []
    for city, name, k in zip(cities, city_names, per_city):
        mix = _mix(ctx, rng, name, codes)
        rows = np.flatnonzero(leaves["city_adcode"].to_numpy() == city)
        county = leaves["adcode"].to_numpy()[rows[rng.choice(len(rows), k, p=norm(county_w[rows]))]]
        industry = np.array(codes)[rng.choice(len(codes), k, p=mix)]
        parts.append(pd.DataFrame({"city_adcode": city, "county_adcode": county,
                                   "industry_code": industry}))
    ent = pd.concat(parts, ignore_index=True)
    return ent.sort_values(["city_adcode", "county_adcode", "industry_code"], kind="stable",
                           ignore_index=True)


def geo_km2(lat: float) -> float:
    """Square kilometres per square degree at this latitude."""
    return 111.32**2 * math.cos(math.radians(lat))


def _org8(rng, new_style: bool) -> str:
    """Organisation-code body: 'MA' + 6 characters for registrations since 2015, else 8 digits."""
    if new_style:
        return "MA" + "".join(ALPHABET[i] for i in rng.integers(0, len(ALPHABET), 6))
    return str(rng.integers(1, 8)) + "".join(str(d) for d in rng.integers(0, 10, 7))


def new_uscc(rng, region6: str, new_style: bool, taken: set[str]) -> str:
    return names.unique(lambda: make_uscc(region6, _org8(rng, new_style)), taken)


def describe(ctx: Context, ent: pd.DataFrame, parks: list[Park], taken: set[str]) -> pd.DataFrame:
    """Names, USCCs, size, permit class and address for the located enterprises."""
    rng = ctx.rng["firms"]
    park_name = {p.park_id: p.name for p in parks}
    leaf_name = dict(zip(ctx.leaves["adcode"], ctx.leaves["name"]))
    city_name = ctx.region_name
    used_names: set[str] = set()
    out = {k: [] for k in ("uscc", "name", "scale", "permit_class", "address")}
    for row in ent.itertuples(index=False):
        kind = "heavy" if row.industry_code in profiles.HEAVY_INDUSTRIES else "other"
        scale = profiles.SCALES[int(rng.choice(4, p=profiles.SCALE_ODDS[kind]))]
        permit_class = ("重点管理", "简化管理", "登记管理")[
            int(rng.choice(3, p=profiles.PERMIT_CLASS_ODDS[kind]))]
        new_style = rng.random() < (0.25 if scale in ("大型", "中型") else 0.55)
        county, city = leaf_name[row.county_adcode], city_name[row.city_adcode]
        out["uscc"].append(new_uscc(rng, row.county_adcode, new_style, taken))
        make = functools.partial(_company_name, rng, ctx, scale, county, city, row.industry_code)
        out["name"].append(names.unique(make, used_names))
        out["scale"].append(scale)
        out["permit_class"].append(permit_class)
        out["address"].append(_address(ctx, rng, city, county, park_name.get(row.park_id)))
    ent = ent.copy()
    for key, values in out.items():
        ent[key] = values
    return ent


def _company_name(rng, ctx: Context, scale: str, county: str, city: str, industry: str) -> str:
    words = names.INDUSTRY_WORDS.get(industry, names.DEFAULT_INDUSTRY_WORDS)
    u = rng.random()
    if scale == "大型" and u < 0.4:
        prefix = ctx.province_short
    elif u < 0.7:
        prefix = names.place_name(county, city)
    else:
        prefix = names.short_name(city)
    listed = rng.random() < {"大型": 0.45, "中型": 0.1}.get(scale, 0.0)
    suffix = "股份有限公司" if listed else "有限公司"
    return f"{prefix}{names.trade_name(rng)}{names.pick(rng, words)}{suffix}"


def _address(ctx: Context, rng, city: str, county: str, park: str | None) -> str:
    parts = [ctx.province_name]
    if city != ctx.province_name:
        parts.append(city)
    if county != city:
        parts.append(county)
    if park:
        parts.append(park)
    return "".join(parts) + names.road_address(rng)


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def permits(ctx: Context, ent: pd.DataFrame) -> list[dict]:
    """1–3 sites per enterprise; permits run five years, some expired, some about to expire."""
    rng = ctx.rng["permits"]
    as_of = ctx.as_of
    newest = days(as_of, -330)
    valid_from = max(days(add_years(as_of, -5), 1), PERMIT_START)
    rows = []
    for uscc, permit_class in zip(ent["uscc"], ent["permit_class"]):
        registration = permit_class == "登记管理"
        sites = 1 if registration else int(rng.choice(3, p=(0.65, 0.25, 0.10))) + 1
        for seq in range(1, sites + 1):
            # Most permits are renewed in time (the number is kept); a few sites let theirs lapse.
            expired = rng.random() < 0.03 and valid_from > PERMIT_START
            lo, hi = (PERMIT_START, days(valid_from, -1)) if expired else (valid_from, newest)
            issue = days(lo, rng.integers(0, max((hi - lo).days, 0) + 1))
            expiry = add_years(issue, 5)
            if registration and rng.random() < 0.5:
                expiry = None
            kind = "登记" if registration else "许可证"
            rows.append({"permit_no": make_permit_no(uscc, seq, kind), "uscc": uscc,
                         "kind": kind, "issue_date": issue, "expiry_date": expiry})
    return rows


def consultancies(ctx: Context, ent: pd.DataFrame, taken: set[str]) -> pd.DataFrame:
    """Audit consultancies, most in the capital and the busy cities."""
    rng = ctx.rng["firms"]
    n = ctx.count(profiles.BASE_CONSULTANCIES, minimum=3)
    counts = ent["city_adcode"].value_counts()
    cities = sorted(counts.index)
    w = np.array([counts[c] * (2.5 if c.endswith("0100") else 1.0) for c in cities], dtype=float)
    used: set[str] = set()
    rows = []
    # Ids follow workload rank (see audits.Rounds.consultancy), so the busiest have most staff.
    staff = np.sort(np.clip(rng.lognormal(math.log(22), 0.6, n), 5, 150).astype(int))[::-1]
    for i in range(n):
        city = cities[int(rng.choice(len(cities), p=norm(w)))]
        city_short = names.short_name(ctx.region_name[city])

        def make(city_short=city_short):
            form = names.pick(rng, names.CONSULTANCY_NAMES)
            return form.format(p=ctx.province_short, c=city_short, t=names.trade_name(rng))

        rows.append({
            "consultancy_id": i + 1,
            "name": names.unique(make, used),
            "uscc": new_uscc(rng, city, rng.random() < 0.8, taken),
            "city_adcode": city,
            "staff_count": int(staff[i]),
            "named_publicly": False,
        })
    return pd.DataFrame(rows)
