"""Random points and park outlines inside real boundaries (GCJ-02 degrees, rounded to 6 decimals).

Points are drawn by vectorised rejection sampling with `shapely.contains_xy` on prepared
geometries; rounding happens before the test, so a stored point is inside what it claims.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import Polygon

KM_PER_DEGREE = 111.32
DECIMALS = 6


def sample_points(
    rng: np.random.Generator, geom, n: int, exclude=None
) -> tuple[np.ndarray, np.ndarray]:
    """n random points (lon, lat) inside `geom` and outside `exclude`."""
    if n <= 0:
        return np.empty(0), np.empty(0)
    shapely.prepare(geom)
    if exclude is not None:
        shapely.prepare(exclude)
    minx, miny, maxx, maxy = geom.bounds
    fill = max(geom.area / max((maxx - minx) * (maxy - miny), 1e-12), 0.02)
    xs, ys, got = [], [], 0
    for _ in range(1000):
        m = int((n - got) / fill * 1.3) + 16
        x = np.round(rng.uniform(minx, maxx, m), DECIMALS)
        y = np.round(rng.uniform(miny, maxy, m), DECIMALS)
        ok = shapely.contains_xy(geom, x, y)
        if exclude is not None:
            ok &= ~shapely.contains_xy(exclude, x, y)
        take = min(n - got, int(ok.sum()))
        xs.append(x[ok][:take])
        ys.append(y[ok][:take])
        got += take
        if got == n:
            return np.concatenate(xs), np.concatenate(ys)
    raise RuntimeError("无法在区域内生成随机点")


def _star(rng: np.random.Generator, cx: float, cy: float, radius_km: float) -> Polygon:
    """An irregular star-shaped (hence simple) polygon around (cx, cy)."""
    k = int(rng.integers(7, 13))
    step = 2 * math.pi / k
    angles = np.arange(k) * step + rng.uniform(0, 2 * math.pi) + rng.uniform(-0.3, 0.3, k) * step
    radii = radius_km * rng.uniform(0.55, 1.0, k)
    dx = radii * np.cos(angles) / (KM_PER_DEGREE * math.cos(math.radians(cy)))
    dy = radii * np.sin(angles) / KM_PER_DEGREE
    ring = np.round(np.column_stack([cx + dx, cy + dy]), DECIMALS)
    return Polygon(ring)


def park_polygon(rng: np.random.Generator, county, radius_km: float, avoid=None):
    """A park outline a few km across, entirely inside `county` and clear of `avoid`; or None.

    The polygon is returned as parsed back from its GeoJSON text, so later containment tests use
    exactly the stored coordinates.
    """
    lat = county.centroid.y
    outline = shapely.simplify(county, 0.002)  # buffering the full outline is slow
    for shrink in range(4):
        r = radius_km * 0.8**shrink
        margin = r / (KM_PER_DEGREE * math.cos(math.radians(lat)))
        interior = shapely.buffer(outline, -margin, quad_segs=2)
        if interior.is_empty:
            continue
        for _ in range(6):
            (cx,), (cy,) = sample_points(rng, interior, 1)
            poly = shapely.from_geojson(polygon_geojson(_star(rng, float(cx), float(cy), r)))
            if not poly.is_valid or not county.contains(poly):
                continue
            if avoid is not None and poly.buffer(0.005).intersects(avoid):
                continue
            return poly
    return None


def polygon_geojson(poly: Polygon) -> str:
    """Compact GeoJSON text of a polygon whose coordinates are already rounded."""
    ring = ",".join(f"[{x:.{DECIMALS}f},{y:.{DECIMALS}f}]" for x, y in poly.exterior.coords)
    return '{"type":"Polygon","coordinates":[[' + ring + "]]}"
