"""Planners for the kinds of rules/intake_registers.py: each looks up the stored records within the
importer's jurisdiction and says, row by row, what the import would write; register() adds it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
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


# ---- 信用评价与处罚 ------------------------------------------------------------------------------

RATING_COLUMNS = {"grade": "grade"}  # field -> credit_rating column (year is in the key)
PUBLISHED_ON = "信用中国"  # penalty_publication.channel of a date imported here
PENALTY_COLUMNS = {"amount_yuan": "amount_yuan", "authority": "authority",
                   "published": "published_credit_china", "description": "description",
                   "audit_id": "audit_id"}


def _stored_credit(conn: Connection, scope: Scope, usccs: list[str]):
    """The ratings, penalties (with their round number and publication date) and rounds of the
    enterprises among `usccs` within the jurisdiction."""
    cr, pn, a, e, pub = (s.credit_rating, s.penalty, s.audit_round, s.enterprise,
                         s.penalty_publication)
    ratings: dict[tuple, dict] = {}
    penalties: dict[tuple, list[dict]] = {}
    rounds: dict[tuple, int] = {}
    for part in qi._chunks(usccs):
        inside = (e.c.uscc.in_(part), scope_where(scope))
        for m in conn.execute(select(cr.c.uscc, cr.c.year, cr.c.grade)
                              .select_from(cr.join(e, e.c.uscc == cr.c.uscc))
                              .where(*inside)).mappings():
            ratings[(m["uscc"], m["year"])] = dict(m)
        for m in conn.execute(
                select(pn.c.penalty_id, pn.c.uscc, pn.c.decision_date, pn.c.kind,
                       *[pn.c[c] for c in PENALTY_COLUMNS.values()],
                       pub.c.published_date, a.c.round_no)
                .select_from(pn.join(e, e.c.uscc == pn.c.uscc)
                             .outerjoin(a, a.c.audit_id == pn.c.audit_id)
                             .outerjoin(pub, pub.c.penalty_id == pn.c.penalty_id))
                .where(*inside).order_by(pn.c.penalty_id)).mappings():
            penalties.setdefault((m["uscc"], m["decision_date"], m["kind"]), []).append(dict(m))
        rounds.update({(u, n): i for i, u, n in conn.execute(
            select(a.c.audit_id, a.c.uscc, a.c.round_no)
            .select_from(a.join(e, e.c.uscc == a.c.uscc)).where(*inside))})
    return ratings, penalties, rounds


def _plan_credit(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                 today: dt.date) -> list[qi.Planned]:
    kind = rr.CREDIT
    usccs = sorted({r.key[0] for r in rows if r.key})
    holders = _enterprises_in_scope(conn, scope, usccs)
    ratings, penalties, rounds = _stored_credit(conn, scope, usccs)
    next_id = (conn.execute(select(func.max(s.penalty.c.penalty_id))).scalar() or 0) + 1
    area = _area_words(scope, refs)
    header = {c.field: c.label for c in kind.columns}
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, "、".join(ri.show(k) for k in r.key),
                       problems=list(r.problems))
        if r.ok and r.key:
            p.problems.extend(Problem(m, r.row) for m in rr.credit_row_problems(r))
        if not r.ok or not r.key or _blocked(p):
            out.append(p)
            continue
        uscc = r.key[0]
        if uscc not in holders:
            p.problems.append(Problem(NO_HOLDER.format(area=area, uscc=uscc), r.row))
            out.append(p)
            continue
        p.label = holders[uscc]
        warning = _name_warning(r, kind, holders[uscc])
        if warning:
            p.problems.append(warning)
        if r.values["record"] == rr.RATING:
            _plan_rating(p, r, ratings.get((uscc, r.values["year"])), header, today)
        else:
            found = penalties.get((uscc, r.key[2], r.key[3]))
            next_id = _plan_penalty(p, r, found, rounds, header, today, next_id)
        out.append(p)
    return out


def _plan_rating(p: qi.Planned, r: ri.Row, old: dict | None, header: dict[str, str],
                 today: dt.date) -> None:
    uscc, year = r.values["uscc"], r.values["year"]
    p.table, p.row_key = "credit_rating", qi.row_key(uscc, year)
    if year > today.year:
        p.problems.append(Problem(f"评价年度 {year} 年晚于今年，尚未评价的年度不能填写。", r.row,
                                  header["year"], str(year)))
    if old is None and "grade" not in r.values:
        p.problems.append(Problem("新增信用评价须填写：信用等级。", r.row))
    if _blocked(p):
        return
    if old is None:
        p.status = qi.NEW
        p.write = {"uscc": uscc, "year": year, "grade": r.values["grade"]}
        p.changes = [(header["year"], None, year), (header["grade"], None, r.values["grade"])]
    elif "grade" in r.values:
        _diff(p, old, {"grade": r.values["grade"]}, header, ("grade",))
    else:
        p.status = qi.SAME


def _plan_penalty(p: qi.Planned, r: ri.Row, found: list[dict] | None,
                  rounds: dict[tuple, int], header: dict[str, str], today: dt.date,
                  next_id: int) -> int:
    """Plan one penalty row; returns the next free penalty_id."""
    uscc, decision = r.values["uscc"], r.values["decision_date"]
    p.table = "penalty"
    if found and len(found) > 1:
        p.problems.append(Problem(
            f"数据库中有 {len(found)} 条同一企业、同一日期、同一类型的处罚（编号 "
            f"{'、'.join(str(f['penalty_id']) for f in found)}），无法确定修改哪一条："
            "请联系省级用户核对。", r.row))
        return next_id
    old = found[0] if found else None
    if decision > today:
        p.problems.append(Problem(f"处罚决定日期 {decision.isoformat()} 晚于今天，"
                                  "尚未发生的日期不能填写。", r.row, header["decision_date"],
                                  ri.show(decision)))
    values: dict = {}
    for f, v in r.values.items():
        if f == "published_date":
            continue  # a record of its own (penalty_publication), below
        if f == "published":
            values["published_credit_china"] = v == "是"
        elif f == "round_no":
            audit_id = rounds.get((uscc, v))
            if audit_id is None:
                p.problems.append(Problem(f"该企业没有第 {v} 轮审核，请核对轮次（无关可留空）。",
                                          r.row, header["round_no"], str(v)))
            values["audit_id"] = audit_id
        elif f in PENALTY_COLUMNS:
            values[PENALTY_COLUMNS[f]] = v
    for f in r.clears:
        values["audit_id" if f == "round_no" else PENALTY_COLUMNS[f]] = None
    if old is None and "published_credit_china" not in values:
        p.problems.append(Problem(f"新增行政处罚须填写：{header['published']}（是/否）。", r.row))
    if (old is not None and old["published_date"] is not None
            and values.get("published_credit_china") is False):
        p.problems.append(Problem(
            f"该处罚已记录于 {old['published_date'].isoformat()} 在信用中国公示，不能改为“否”；"
            "如公示记录有误，请联系省级用户更正。", r.row, header["published"], "否"))
    published_on = r.values.get("published_date")
    if published_on is not None:
        published = values.get("published_credit_china",
                               old["published_credit_china"] if old else None)
        if published is not True:
            p.problems.append(Problem(f"填写了公示日期，「{header['published']}」须为 是。", r.row,
                                      header["published_date"], ri.show(published_on)))
        if published_on < decision or published_on > today:
            p.problems.append(Problem(
                f"公示日期 {published_on.isoformat()} 应在处罚决定日期（{decision.isoformat()}）"
                "与今天之间，请核对。", r.row, header["published_date"], ri.show(published_on)))
    # only a figure the row changes: a stored one typed back is not said again on every import
    amount = values.get("amount_yuan")
    warning = rr.amount_warning(amount) if old is None or amount != old["amount_yuan"] else None
    if warning:
        p.problems.append(Problem(warning, r.row, header["amount_yuan"],
                                  ri.show(values["amount_yuan"]), warning=True))
    if _blocked(p):
        return next_id
    shown = {"amount_yuan": header["amount_yuan"], "authority": header["authority"],
             "published_credit_china": header["published"],
             "description": header["description"], "audit_id": header["round_no"]}
    to_round = {i: n for (_u, n), i in rounds.items()}

    def show(column: str, v):
        if column == "published_credit_china" and v is not None:
            return "是" if v else "否"
        return to_round.get(v) if column == "audit_id" and v is not None else v

    penalty_id = old["penalty_id"] if old is not None else next_id
    if published_on is not None and published_on != (old or {}).get("published_date"):
        p.changes.append((header["published_date"], (old or {}).get("published_date"),
                          published_on))
        p.more.append(
            qi.Write("penalty_publication", str(penalty_id), qi.CHANGED,
                     {"published_date": published_on}, {"published_date": old["published_date"]})
            if old is not None and old["published_date"] is not None else
            qi.Write("penalty_publication", str(penalty_id), qi.NEW,
                     {"penalty_id": penalty_id, "published_date": published_on,
                      "channel": PUBLISHED_ON}))
    if old is None:
        p.status, p.row_key = qi.NEW, str(next_id)
        full = {**dict.fromkeys(PENALTY_COLUMNS.values()), **values}
        p.write = {"penalty_id": next_id, "uscc": uscc, "decision_date": decision,
                   "kind": r.values["penalty_kind"], **full}
        p.changes = [(header["decision_date"], None, decision),
                     (header["penalty_kind"], None, r.values["penalty_kind"]),
                     *[(shown[c], None, show(c, full[c])) for c in shown
                       if full[c] is not None], *p.changes]
        return next_id + 1
    p.row_key = str(old["penalty_id"])
    diff = {c: v for c, v in values.items() if old.get(c) != v}
    p.write, p.before = diff, {c: old.get(c) for c in diff}
    p.changes = [*[(shown[c], show(c, old.get(c)), show(c, diff[c])) for c in shown
                   if c in diff], *p.changes]
    p.status = qi.CHANGED if diff or p.more else qi.SAME
    return next_id


def _current_credit(conn: Connection, scope: Scope, refs: qi.Refs, limit: int
                    ) -> pd.DataFrame:
    """Every penalty, then the ratings newest year first up to the limit (a province holds more
    ratings than a file may have rows: the oldest years are left out, not the penalties)."""
    cr, pn, a, e, pub = (s.credit_rating, s.penalty, s.audit_round, s.enterprise,
                         s.penalty_publication)
    columns = [c.field for c in rr.CREDIT.columns]
    penalties = pd.DataFrame(conn.execute(
        select(pn.c.uscc, e.c.name, pn.c.decision_date, pn.c.kind.label("penalty_kind"),
               pn.c.amount_yuan, pn.c.authority, pn.c.published_credit_china,
               pub.c.published_date, pn.c.description, a.c.round_no)
        .select_from(pn.join(e, e.c.uscc == pn.c.uscc)
                     .outerjoin(a, a.c.audit_id == pn.c.audit_id)
                     .outerjoin(pub, pub.c.penalty_id == pn.c.penalty_id))
        .where(scope_where(scope))
        .order_by(e.c.city_adcode, pn.c.uscc, pn.c.decision_date, pn.c.penalty_id)
        .limit(limit)).mappings().all(),
        columns=["uscc", "name", "decision_date", "penalty_kind", "amount_yuan", "authority",
                 "published_credit_china", "published_date", "description", "round_no"]
    ).assign(record=rr.PENALTY)
    penalties["published"] = penalties.pop("published_credit_china").map(
        lambda v: "是" if v else "否").astype(object)
    ratings = pd.DataFrame(conn.execute(
        select(cr.c.uscc, e.c.name, cr.c.year, cr.c.grade)
        .select_from(cr.join(e, e.c.uscc == cr.c.uscc)).where(scope_where(scope))
        .order_by(cr.c.year.desc(), e.c.city_adcode, cr.c.uscc)
        .limit(max(limit - len(penalties), 0))).mappings().all(),
        columns=["uscc", "name", "year", "grade"]).assign(record=rr.RATING)
    frame = pd.concat([ratings, penalties], ignore_index=True) if len(penalties) else ratings
    frame = frame.reindex(columns=columns).astype(object)
    return frame.where(frame.notna(), None)


qi.register("credit", _plan_credit, _current_credit,
            {"credit_rating": (s.credit_rating, ("uscc", "year")),
             "penalty": (s.penalty, ("penalty_id",)),
             "penalty_publication": (s.penalty_publication, ("penalty_id",))},
            parents_first=True)


# ---- 专家库 ------------------------------------------------------------------------------------

EXPERT_COLUMNS = {"name": "name", "industry": "industry_code", "organisation": "organisation",
                  "title": "title", "city": "city_adcode", "admitted_date": "admitted_date",
                  "status": "status", "score": "score"}
CONTACT_FIELDS = ("phone", "id_number")


def _plan_experts(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                  today: dt.date) -> list[qi.Planned]:
    x, ct = s.expert, s.expert_contact
    kind = rr.EXPERTS
    stored = {m["expert_id"]: dict(m) for m in conn.execute(
        select(x.c.expert_id, *[x.c[c] for c in EXPERT_COLUMNS.values()])).mappings()}
    contacts = {m["expert_id"]: dict(m) for m in conn.execute(select(ct)).mappings()}
    alike: dict[tuple, list[int]] = {}
    for i, m in stored.items():
        alike.setdefault((ri.fold(m["name"]), ri.fold(m["organisation"] or "")), []).append(i)
    next_id = max(stored, default=0) + 1
    header = {c.field: c.label for c in kind.columns}
    names = {"industry_code": refs.names["industry"], "city_adcode": refs.names["city"]}

    def shown(column: str, v):
        return names[column].get(v, v) if column in names and v is not None else v

    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, str(r.values.get("expert_id", "（新）")),
                       table="expert", problems=list(r.problems))
        p.label = str(r.values.get("name", ""))
        if not r.ok or not r.key:
            out.append(p)
            continue
        given = r.values.get("expert_id")
        old = stored.get(given) if given is not None else None
        if given is not None and old is None:
            p.problems.append(Problem(f"专家编号 {given} 不在专家库中：新入库的专家请不填编号，"
                                      "导入时自动编号。", r.row, header["expert_id"], str(given)))
            out.append(p)
            continue
        values = {EXPERT_COLUMNS[f]: v for f, v in r.values.items() if f in EXPERT_COLUMNS}
        values.update({EXPERT_COLUMNS[f]: None for f in r.clears if f in EXPERT_COLUMNS})
        if old is None:
            missing = [c.label for c in kind.columns if c.required and c.field in EXPERT_COLUMNS
                       and values.get(EXPERT_COLUMNS[c.field]) is None]
            if missing:
                p.problems.append(Problem(f"新入库专家须填写：{'、'.join(missing)}。", r.row))
            same = alike.get(r.key[1:])
            if same:
                p.problems.append(Problem(
                    f"专家库中已有姓名、工作单位相同的专家（编号 {'、'.join(map(str, same))}）："
                    "如是同一人，请填写其专家编号，否则将新增一名专家。", r.row, warning=True))
        elif ri.fold(values["name"]) != ri.fold(old["name"]):  # a wrong number renames another
            p.problems.append(Problem(f"专家编号 {given} 在库中的姓名为「{old['name']}」，"
                                      f"将改为「{values['name']}」：如不是改名，请核对专家编号。",
                                      r.row, header["name"], values["name"], warning=True))
        admitted = values.get("admitted_date")
        if admitted is not None and admitted > today:
            p.problems.append(Problem(f"入库日期 {admitted.isoformat()} 晚于今天，"
                                      "尚未发生的日期不能填写。", r.row, header["admitted_date"],
                                      ri.show(admitted)))
        expert_id = given if old is not None else next_id
        contact = {f: ri.fold(r.values[f]).upper() for f in CONTACT_FIELDS if f in r.values}
        contact.update({f: None for f in r.clears if f in CONTACT_FIELDS})
        before = contacts.get(expert_id) or {}
        for f, check in (("phone", rr.phone_problem), ("id_number", rr.id_number_problem)):
            # a stored value typed back unchanged is not checked again (it is not imported)
            if contact.get(f) is not None and contact[f] != before.get(f):
                why = check(contact[f])
                if why:
                    p.problems.append(Problem(why, r.row, header[f], contact[f]))
        if _blocked(p):
            out.append(p)
            continue
        p.row_key, p.key_text = str(expert_id), str(expert_id)
        if old is None:
            p.status = qi.NEW
            full = {**dict.fromkeys(EXPERT_COLUMNS.values()), **values}
            p.write = {"expert_id": expert_id, **full}
            p.changes = [(header[f], None, shown(c, full[c])) for f, c in EXPERT_COLUMNS.items()
                         if full[c] is not None]
            next_id += 1
        else:
            p.label = p.label or old["name"]
            diff = {c: v for c, v in values.items() if old.get(c) != v}
            p.write, p.before = diff, {c: old.get(c) for c in diff}
            p.changes = [(header[f], shown(c, old.get(c)), shown(c, diff[c]))
                         for f, c in EXPERT_COLUMNS.items() if c in diff]
        _plan_contact(p, expert_id, contact, contacts.get(expert_id), header)
        if old is not None:
            p.status = qi.CHANGED if p.write or p.more else qi.SAME
        out.append(p)
    return out


def _plan_contact(p: qi.Planned, expert_id: int, contact: dict, old: dict | None,
                  header: dict[str, str]) -> None:
    """Phone and ID number live apart from the expert (expert_contact): a record of its own."""
    if old is None:
        if any(v is not None for v in contact.values()):
            full = {**dict.fromkeys(CONTACT_FIELDS), **contact}
            p.more.append(qi.Write("expert_contact", str(expert_id), qi.NEW,
                                   {"expert_id": expert_id, **full}))
            p.changes += [(header[f], None, full[f]) for f in CONTACT_FIELDS
                          if full[f] is not None]
        return
    diff = {f: v for f, v in contact.items() if old.get(f) != v}
    if diff:
        p.more.append(qi.Write("expert_contact", str(expert_id), qi.CHANGED, diff,
                               {f: old.get(f) for f in diff}))
        p.changes += [(header[f], old.get(f), diff[f]) for f in CONTACT_FIELDS if f in diff]


def _current_experts(conn: Connection, scope: Scope, refs: qi.Refs, limit: int
                     ) -> pd.DataFrame:
    x, ct = s.expert, s.expert_contact
    frame = pd.DataFrame(conn.execute(
        select(x.c.expert_id, *[x.c[c].label(f) for f, c in EXPERT_COLUMNS.items()],
               ct.c.phone, ct.c.id_number)
        .select_from(x.outerjoin(ct, ct.c.expert_id == x.c.expert_id))
        .order_by(x.c.expert_id).limit(limit)).mappings().all(),
        columns=[c.field for c in rr.EXPERTS.columns])
    frame["industry"] = frame["industry"].map(refs.names["industry"])
    frame["city"] = frame["city"].map(lambda a: None if a is None else refs.names["city"].get(a))
    return frame


qi.register("experts", _plan_experts, _current_experts,
            {"expert": (s.expert, ("expert_id",)),
             "expert_contact": (s.expert_contact, ("expert_id",))}, parents_first=True)


# ---- 咨询机构 ----------------------------------------------------------------------------------

CONSULTANCY_COLUMNS = {"name": "name", "uscc": "uscc", "city": "city_adcode",
                       "staff_count": "staff_count", "named_publicly": "named_publicly"}


def _plan_consultancies(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                        today: dt.date) -> list[qi.Planned]:
    c = s.consultancy
    kind = rr.CONSULTANCIES
    stored = [dict(m) for m in conn.execute(
        select(c.c.consultancy_id, *[c.c[col] for col in CONSULTANCY_COLUMNS.values()])
        .order_by(c.c.consultancy_id)).mappings()]
    by_name = {ri.fold(m["name"]): m for m in stored}
    by_uscc = {m["uscc"]: m for m in stored if m["uscc"]}
    next_id = max((m["consultancy_id"] for m in stored), default=0) + 1
    header = {col.field: col.label for col in kind.columns}
    seen_uscc: dict[str, int] = {}
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, str(r.values.get("name", "")), table="consultancy",
                       problems=list(r.problems))
        p.label = p.key_text
        if not r.ok or not r.key:
            out.append(p)
            continue
        name, uscc = r.values["name"], r.values.get("uscc")
        if uscc in seen_uscc:
            p.problems.append(Problem(f"与第 {seen_uscc[uscc]} 行统一社会信用代码相同，"
                                      "请合并为一行。", r.row, header["uscc"], uscc))
            out.append(p)
            continue
        if uscc:
            seen_uscc[uscc] = r.row
        old_u, old_n = by_uscc.get(uscc) if uscc else None, by_name.get(ri.fold(name))
        if old_u is not None and old_n is not None and old_u is not old_n:
            p.problems.append(Problem(
                f"机构名称「{name}」已属于库中另一家机构（编号 {old_n['consultancy_id']}），"
                f"而此代码属于「{old_u['name']}」：请核对名称和代码。", r.row))
        elif old_u is None and old_n is not None and uscc and old_n["uscc"] not in (None, uscc):
            p.problems.append(Problem(
                f"库中「{name}」的统一社会信用代码为 {old_n['uscc']}，与所填不同：请核对代码。",
                r.row, header["uscc"], uscc))
        if _blocked(p):
            out.append(p)
            continue
        old = old_u if old_u is not None else old_n
        values = {CONSULTANCY_COLUMNS[f]: (v == "是" if f == "named_publicly" else v)
                  for f, v in r.values.items() if f in CONSULTANCY_COLUMNS}
        values.update({CONSULTANCY_COLUMNS[f]: None for f in r.clears
                       if f in CONSULTANCY_COLUMNS})
        shown = _consultancy_display(refs)
        if old is None:
            full = {**dict.fromkeys(CONSULTANCY_COLUMNS.values()), "named_publicly": False,
                    **values}
            p.status, p.row_key = qi.NEW, str(next_id)
            p.write = {"consultancy_id": next_id, **full}
            p.changes = [(header[f], None, shown(col, full[col]))
                         for f, col in CONSULTANCY_COLUMNS.items() if full[col] is not None]
            next_id += 1
        else:
            if ri.fold(old["name"]) != ri.fold(name):
                p.problems.append(Problem(f"机构名称将由「{old['name']}」改为「{name}」"
                                          "（按统一社会信用代码识别），请核对。", r.row,
                                          header["name"], name, warning=True))
            p.row_key = str(old["consultancy_id"])
            diff = {col: v for col, v in values.items() if old.get(col) != v}
            p.write, p.before = diff, {col: old.get(col) for col in diff}
            p.changes = [(header[f], shown(col, old.get(col)), shown(col, diff[col]))
                         for f, col in CONSULTANCY_COLUMNS.items() if col in diff]
            p.status = qi.CHANGED if diff else qi.SAME
        out.append(p)
    return out


def _consultancy_display(refs: qi.Refs):
    def shown(column: str, v):
        if v is None:
            return None
        if column == "named_publicly":
            return "是" if v else "否"
        return refs.names["city"].get(v, v) if column == "city_adcode" else v
    return shown


def _current_consultancies(conn: Connection, scope: Scope, refs: qi.Refs, limit: int
                           ) -> pd.DataFrame:
    c = s.consultancy
    frame = pd.DataFrame(conn.execute(
        select(*[c.c[col].label(f) for f, col in CONSULTANCY_COLUMNS.items()])
        .order_by(c.c.consultancy_id).limit(limit)).mappings().all(),
        columns=[col.field for col in rr.CONSULTANCIES.columns])
    frame["city"] = frame["city"].map(lambda a: None if a is None else refs.names["city"].get(a))
    frame["named_publicly"] = frame["named_publicly"].map(lambda v: "是" if v else "否")
    return frame.astype(object).where(frame.notna(), None)


qi.register("consultancies", _plan_consultancies, _current_consultancies,
            {"consultancy": (s.consultancy, ("consultancy_id",))})
