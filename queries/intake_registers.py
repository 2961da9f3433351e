"""Planners for the kinds of rules/intake_registers.py: each looks up the stored records within the
importer's jurisdiction and says, row by row, what the import would write; register() adds it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from queries import intake as qi
from queries import schema as s
from queries.scope import Scope, scope_where
from rules import intake as ri
from rules import intake_registers as rr
from rules.intake import Problem

# A holder outside the jurisdiction reads exactly like one that does not exist.
NO_HOLDER = ("未找到{area}统一社会信用代码为 {uscc} 的企业：请核对代码；"
             "尚未在企业名录中的企业，请先导入企业名录。")


def _area_words(scope: Scope, refs: qi.Refs) -> str:
    return "" if scope.level == "province" else f"本辖区（{qi.area_of(scope, refs)}）"


def _enterprises_in_scope(conn: Connection, scope: Scope, usccs) -> dict[str, str]:
    """uscc -> name of the enterprises among `usccs` within the jurisdiction."""
    e = s.enterprise
    out: dict[str, str] = {}
    for part in qi._chunks(sorted(set(usccs))):
        out.update(conn.execute(select(e.c.uscc, e.c.name)
                                .where(e.c.uscc.in_(part), scope_where(scope))).all())
    return out


def _name_warning(r: ri.Row, kind: ri.Kind, stored_name: str) -> Problem | None:
    """A name typed beside the code only to check it: a difference is said, never written."""
    if "name" in r.values and ri.fold(r.values["name"]) != ri.fold(stored_name):
        return Problem(f"企业名称与名录不同（名录中为「{stored_name}」），请核对；名称不会被修改。",
                       r.row, kind.column("name").label, str(r.values["name"]), warning=True)
    return None


def _diff(p: qi.Planned, old: dict, values: dict, header: dict[str, str],
          fields: tuple[str, ...]) -> None:
    """Fill a stored record's plan: the columns that change and the values they replace."""
    diff = {c: v for c, v in values.items() if old.get(c) != v}
    p.write = diff
    p.before = {c: old.get(c) for c in diff}
    p.changes = [(header[c], old.get(c), diff[c]) for c in fields if c in diff]
    p.status = qi.CHANGED if diff else qi.SAME


def _blocked(p: qi.Planned) -> bool:
    return any(not x.warning for x in p.problems)


# ---- 排污许可 ----------------------------------------------------------------------------------

PERMIT_FIELDS = ("kind", "issue_date", "expiry_date")


def _plan_permits(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                  today: dt.date) -> list[qi.Planned]:
    pt, e = s.permit, s.enterprise
    kind = rr.PERMITS
    numbers = sorted({r.key[0] for r in rows if r.key})
    stored: dict[str, dict] = {}
    for part in qi._chunks(numbers):
        stmt = (select(pt.c.permit_no, *[pt.c[f] for f in PERMIT_FIELDS])
                .select_from(pt.join(e, e.c.uscc == pt.c.uscc))
                .where(pt.c.permit_no.in_(part), scope_where(scope)))
        stored.update({m["permit_no"]: dict(m) for m in conn.execute(stmt).mappings()})
    holders = _enterprises_in_scope(conn, scope, [n[:18] for n in numbers])
    area = _area_words(scope, refs)
    header = {c.field: c.label for c in kind.columns}
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, r.key[0] if r.key else "", table="permit",
                       problems=list(r.problems))
        if not r.ok or not r.key:
            out.append(p)
            continue
        number = r.key[0]
        holder = number[:18]
        if "uscc" in r.values and r.values["uscc"] != holder:
            p.problems.append(Problem(f"与许可证编号前18位（{holder}）不一致：编号中含持证企业的"
                                      "统一社会信用代码，请核对代码或编号。", r.row, header["uscc"],
                                      r.values["uscc"]))
            out.append(p)
            continue
        if holder not in holders:
            p.problems.append(Problem(NO_HOLDER.format(area=area, uscc=holder), r.row))
            out.append(p)
            continue
        p.label, p.row_key = holders[holder], number
        warning = _name_warning(r, kind, holders[holder])
        if warning:
            p.problems.append(warning)
        values = {f: v for f, v in r.values.items() if f in PERMIT_FIELDS}
        values.update({f: None for f in r.clears if f in PERMIT_FIELDS})
        old = stored.get(number)
        merged = {**(old or dict.fromkeys(PERMIT_FIELDS)), **values}
        missing = [header[f] for f in ("kind", "issue_date") if merged[f] is None]
        if missing:
            p.problems.append(Problem(f"新增许可证须填写：{'、'.join(missing)}。", r.row))
            out.append(p)
            continue
        mismatch = rr.permit_kind_problem(number, merged["kind"])
        if mismatch:
            p.problems.append(Problem(mismatch, r.row, header["kind"], merged["kind"]))
        errors, warnings = rr.permit_date_problems(merged["kind"], merged["issue_date"],
                                                   merged["expiry_date"], today)
        p.problems.extend(Problem(m, r.row) for m in errors)
        p.problems.extend(Problem(m, r.row, warning=True) for m in warnings)
        if _blocked(p):
            out.append(p)
            continue
        if old is None:
            p.status = qi.NEW
            p.write = {"permit_no": number, "uscc": holder, **merged}
            p.changes = [(header[f], None, merged[f]) for f in PERMIT_FIELDS
                         if merged[f] is not None]
        else:
            _diff(p, old, values, header, PERMIT_FIELDS)
        out.append(p)
    return out


def _current_permits(conn: Connection, scope: Scope, refs: qi.Refs, limit: int
                     ) -> pd.DataFrame:
    pt, e = s.permit, s.enterprise
    return pd.DataFrame(conn.execute(
        select(pt.c.permit_no, pt.c.uscc, e.c.name, *[pt.c[f] for f in PERMIT_FIELDS])
        .select_from(pt.join(e, e.c.uscc == pt.c.uscc)).where(scope_where(scope))
        .order_by(e.c.city_adcode, pt.c.uscc, pt.c.permit_no).limit(limit)).mappings().all(),
        columns=[c.field for c in rr.PERMITS.columns])


qi.register("permits", _plan_permits, _current_permits, {"permit": (s.permit, ("permit_no",))})
