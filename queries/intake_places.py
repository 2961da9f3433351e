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
