"""Planners for the kinds of rules/intake_audits.py: each looks up the stored records within the
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
from rules import intake_audits as ra
from rules import vocab
from rules.intake import Problem

NO_ENTERPRISE = ("未找到{area}统一社会信用代码为 {uscc} 的企业：请核对代码；"
                 "新企业请先导入企业名录。")


def _area_words(scope: Scope, refs: qi.Refs) -> str:
    return "" if scope.level == "province" else f"本辖区（{qi.area_of(scope, refs)}）"


def _enterprises(conn: Connection, scope: Scope, usccs: list[str]) -> dict[str, dict]:
    """The enterprises of `usccs` within the scope (others look as if they did not exist)."""
    e = s.enterprise
    out = {}
    for part in qi._chunks(usccs):
        for m in conn.execute(select(e.c.uscc, e.c.name, e.c.city_adcode, e.c.park_id)
                              .where(e.c.uscc.in_(part), scope_where(scope))).mappings():
            out[m["uscc"]] = dict(m)
    return out


ROUND_STATE = ("audit_id", "uscc", "round_no", "batch_id", "listing_date", "listing_reason",
               "audit_mode", "cluster_id", "consultancy_id", "disclosure_date", "start_date",
               "report_date", "evaluation_date", "evaluation_pass", "acceptance_date",
               "acceptance_pass")


def _rounds(conn: Connection, usccs: list[str], columns=ROUND_STATE) -> dict[str, dict]:
    """Every stored round of the enterprises: uscc -> round_no -> the round."""
    a = s.audit_round
    out: dict[str, dict[int, dict]] = {}
    for part in qi._chunks(usccs):
        for m in conn.execute(select(*[a.c[c] for c in columns])
                              .where(a.c.uscc.in_(part))).mappings():
            out.setdefault(m["uscc"], {})[m["round_no"]] = dict(m)
    return out


def _is_open(r: dict) -> bool:
    """Neither accepted nor failed: the round is still running (or stalled)."""
    return not (r.get("acceptance_pass") is True or r.get("evaluation_pass") is False
                or r.get("acceptance_pass") is False)


# ---- 名单批次与列入企业 ------------------------------------------------------------------------

LISTING_FIELDS = {"batch": "batch_id", "listing_date": "listing_date",
                  "listing_reason": "listing_reason", "audit_mode": "audit_mode",
                  "cluster": "cluster_id", "consultancy": "consultancy_id"}


def _plan_listings(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                   today: dt.date) -> list[qi.Planned]:
    kind = ra.LISTINGS
    header = {c.field: c.label for c in kind.columns}
    usccs = sorted({r.key[0] for r in rows if r.key})
    firms = _enterprises(conn, scope, usccs)
    rounds = _rounds(conn, sorted(firms))
    b, cl = s.listing_batch, s.cluster_audit
    batches = {m["batch_id"]: dict(m) for m in conn.execute(select(b)).mappings()}
    clusters = {m["cluster_id"]: dict(m) for m in conn.execute(
        select(cl.c.cluster_id, cl.c.kind, cl.c.park_id, cl.c.city_adcode)).mappings()}
    next_audit = (conn.execute(select(func.max(s.audit_round.c.audit_id))).scalar() or 0) + 1
    next_batch = (conn.execute(select(func.max(b.c.batch_id))).scalar() or 0) + 1
    created: dict[str, dict] = {}  # batch name (folded) -> the batch this file creates
    taken: dict[tuple, int] = {}  # (uscc, round) -> the row that planned it
    area = _area_words(scope, refs)
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, "、".join(str(k) for k in r.key if k is not None),
                       table="audit_round", problems=list(r.problems))
        p.label = str(r.values.get("name", ""))
        firm = firms.get(r.key[0]) if r.key else None
        if r.key and firm is None:
            p.problems.append(Problem(NO_ENTERPRISE.format(area=area, uscc=r.key[0]), r.row))
        if not r.ok or firm is None:
            out.append(p)
            continue
        uscc = r.key[0]
        p.label = firm["name"]
        if "name" in r.values and ri.fold(r.values["name"]) != ri.fold(firm["name"]):
            p.problems.append(Problem(f"企业名称与名录不同（名录中为「{firm['name']}」），请核对；"
                                      "名称不会被修改。", r.row, header["name"],
                                      str(r.values["name"]), warning=True))
        mine = rounds.setdefault(uscc, {})

        # The batch: a stored one (its year and date, if given, must agree), one this file
        # creates, or a new one from the row's year and date.
        batch, new_batch = None, None
        if "batch" in r.values:
            name = str(r.values["batch"])
            code = refs.lookup["batch"].get(qi._key(name))
            year, published = r.values.get("batch_year"), r.values.get("batch_publish")
            if code is not None:
                batch = batches[int(code)]
            elif qi._key(name) in refs.lookup["batch"]:  # two stored names fold alike
                p.problems.append(Problem("名称不唯一（库中有写法相近的批次），请按下拉列表填写。",
                                          r.row, header["batch"], name))
            elif qi._key(name) in created:
                batch = created[qi._key(name)]
            elif year is None or published is None:
                p.problems.append(Problem(
                    f"库中没有名单批次「{name}」：新建批次须同时填写「{header['batch_year']}」"
                    f"和「{header['batch_publish']}」；已有批次请按下拉列表填写名称。", r.row,
                    header["batch"], name))
            elif published > today:
                p.problems.append(Problem(f"发布日期 {published.isoformat()} 晚于今天，"
                                          "尚未公布的名单不能导入。", r.row,
                                          header["batch_publish"], ri.show(published)))
            else:
                batch = new_batch = {"batch_id": next_batch, "name": name, "year": year,
                                     "publish_date": published}
                if published.year != year:
                    p.problems.append(Problem(
                        f"批次年度 {year} 与发布日期 {published.isoformat()} 不在同一年，"
                        "请核对。", r.row, header["batch_year"], str(year), warning=True))

        # The round: as given; else the enterprise's round in this batch; else its next round.
        round_no = r.key[1]
        if round_no is None and batch is not None:
            in_batch = [n for n, x in mine.items() if x["batch_id"] == batch["batch_id"]]
            round_no = max(in_batch) if in_batch else max(mine, default=0) + 1
        old = mine.get(round_no) if round_no is not None else None
        if old is not None and old.get("_row"):
            old = None  # planned by an earlier row: the duplicate check below says so
        if batch is None and old is not None and "batch" not in r.values:
            batch = batches.get(old["batch_id"])  # the round keeps its batch
        if batch is not None and new_batch is None:
            for f, col in (("batch_year", "year"), ("batch_publish", "publish_date")):
                if f in r.values and r.values[f] != batch[col]:
                    p.problems.append(Problem(
                        f"与名单批次「{batch['name']}」的{header[f]}"
                        f"（{ri.show(batch[col])}）不一致：已有批次的年度和发布日期"
                        "不能通过导入修改，请核对或留空。", r.row, header[f],
                        ri.show(r.values[f])))
        if round_no is not None:
            p.key_text = f"{uscc}、{round_no}"
            if (uscc, round_no) in taken:
                p.problems.append(Problem(f"与第 {taken[(uscc, round_no)]} 行是同一轮审核"
                                          f"（{uscc} 第 {round_no} 轮），请合并为一行。", r.row))
                out.append(p)
                continue
            taken[(uscc, round_no)] = r.row
        last = max(mine, default=0)
        if old is None and round_no is not None and round_no != last + 1:
            p.problems.append(Problem(
                f"轮次不连续：该企业已有 {last} 轮审核，新列入的应为第 {last + 1} 轮"
                "（或留空自动编号）。", r.row, header["round_no"], str(round_no)))
        if old is None:
            missing = [header[c.field] for c in kind.columns if c.required and not c.key
                       and c.field not in r.values]
            if missing:
                p.problems.append(Problem(f"新列入须填写：{'、'.join(missing)}。", r.row))
        if any(not x.warning for x in p.problems):
            out.append(p)
            continue

        values = {LISTING_FIELDS[f]: v for f, v in r.values.items() if f in LISTING_FIELDS}
        values.update({LISTING_FIELDS[f]: None for f in r.clears if f in LISTING_FIELDS})
        values["batch_id"] = batch["batch_id"] if batch else (old or {}).get("batch_id")
        for f in ("cluster_id", "consultancy_id"):
            if values.get(f) is not None:
                values[f] = int(values[f])
        merged = {**(old or {}), **values}
        moved = old is not None and merged["batch_id"] != old["batch_id"]
        if "listing_date" not in r.values and (old is None or moved):
            # The clock counts from the list's publication when no other date is given.
            merged["listing_date"] = values["listing_date"] = batch["publish_date"]
        if merged["audit_mode"] == "单独审核" and merged.get("cluster_id") is not None:
            merged["cluster_id"] = values["cluster_id"] = None  # only cluster audits have one
        dated_anew = old is None or any(merged[k] != old[k] for k in ("listing_date", "batch_id"))
        p.problems.extend(_listing_problems(r.row, header, merged, batch, firm, mine, round_no,
                                            clusters, refs, today, dated_anew))
        previous = mine.get(round_no - 1)
        if old is None and previous is not None and _is_open(previous):
            p.problems.append(Problem(
                f"该企业第 {round_no - 1} 轮审核尚未完成（未验收通过，也未判定不通过）："
                f"列入后由第 {round_no} 轮接续，第 {round_no - 1} 轮不再计逾期。"
                "逾期未完成的企业列入下一批名单属正常情况，否则请核对。", r.row, warning=True))
        if any(not x.warning for x in p.problems):
            out.append(p)
            continue

        if new_batch is not None:
            created[qi._key(new_batch["name"])] = new_batch
            next_batch += 1
            p.more.append(qi.Write("listing_batch", str(new_batch["batch_id"]), qi.NEW,
                                   dict(new_batch), first=True))
            p.changes.append(("新建名单批次", None, f"{new_batch['name']}（{new_batch['year']}年，"
                                                 f"{qi._shown(new_batch['publish_date'])}发布）"))
        shown = _listing_display(refs, batches, created)
        if old is None:
            audit_id = next_audit
            next_audit += 1
            relisted = (previous["audit_id"] if previous is not None
                        and previous.get("acceptance_pass") is not True else None)
            p.status, p.row_key = qi.NEW, str(audit_id)
            p.write = {"audit_id": audit_id, "uscc": uscc, "round_no": round_no,
                       "relisted_from": relisted,
                       **{c: merged.get(c) for c in LISTING_FIELDS.values()}}
            p.changes += [(header[f], None, shown(c, merged.get(c)))
                          for f, c in LISTING_FIELDS.items() if merged.get(c) is not None]
            if relisted is not None:
                p.changes.append(("重新列入来源", None, f"第 {round_no - 1} 轮"))
            mine[round_no] = {**merged, "audit_id": audit_id, "round_no": round_no, "_row": r.row}
        else:
            diff = {c: v for c, v in values.items() if old.get(c) != v}
            p.row_key = str(old["audit_id"])
            p.write, p.before = diff, {c: old.get(c) for c in diff}
            p.changes += [(header[f], shown(c, old.get(c)), shown(c, diff[c]))
                          for f, c in LISTING_FIELDS.items() if c in diff]
            p.status = qi.CHANGED if diff else qi.SAME
        out.append(p)
    return out


def _listing_problems(row: int, header: dict, merged: dict, batch: dict | None, firm: dict,
                      mine: dict, round_no: int, clusters: dict, refs: qi.Refs,
                      today: dt.date, dated_anew: bool) -> list[Problem]:
    """Errors on the round as it would be stored; the late-listing warning only when the row
    sets the date or the batch (not again on every re-import)."""
    out = []
    listing = merged["listing_date"]
    if listing > today:
        out.append(Problem(f"列入日期 {listing.isoformat()} 晚于今天，尚未发生的日期不能填写。",
                           row, header["listing_date"], ri.show(listing)))
    if batch is not None and listing < batch["publish_date"]:
        # The list is the legal act that puts an enterprise under the clock: nobody is on it
        # before it is published.
        out.append(Problem(f"列入日期 {listing.isoformat()} 早于名单批次「{batch['name']}」的"
                           f"发布日期 {batch['publish_date'].isoformat()}，请核对。", row,
                           header["listing_date"], ri.show(listing)))
    elif batch is not None and listing > batch["publish_date"] and dated_anew:
        out.append(Problem(f"列入日期晚于名单发布日期（{batch['publish_date'].isoformat()}）："
                           "审核时限从列入日期起算，请确认。", row, header["listing_date"],
                           ri.show(listing), warning=True))
    for n, other in mine.items():  # rounds follow one another in time
        if n < round_no and other["listing_date"] >= listing or \
                n > round_no and other["listing_date"] <= listing:
            word = "早于或等于" if n < round_no else "晚于或等于"
            out.append(Problem(f"列入日期 {listing.isoformat()} {word}该企业第 {n} 轮的列入日期"
                               f"（{other['listing_date'].isoformat()}），轮次与日期先后不符，"
                               "请核对轮次。", row, header["listing_date"], ri.show(listing)))
    out.extend(Problem(m, row) for m in ri.date_order_problems(merged))
    mode, cluster_id = merged["audit_mode"], merged.get("cluster_id")
    if mode != "单独审核":
        cluster = clusters.get(cluster_id) if cluster_id is not None else None
        want = "园区" if mode == "园区整体审核" else "行业"
        if cluster is None:
            out.append(Problem(f"审核方式为{mode}，须填写「{header['cluster']}」。", row))
        elif cluster["kind"] != want:
            out.append(Problem(f"「{refs.names['cluster'].get(str(cluster_id))}」是{cluster['kind']}"
                               f"整体审核，与审核方式「{mode}」不符。", row, header["cluster"]))
        elif cluster["city_adcode"] != firm["city_adcode"]:
            out.append(Problem(f"整体审核「{refs.names['cluster'].get(str(cluster_id))}」不在企业"
                               f"所在的{refs.region_names.get(firm['city_adcode'], '')}，请核对。",
                               row, header["cluster"]))
        elif want == "园区" and cluster["park_id"] != firm["park_id"]:
            out.append(Problem("企业不在该园区整体审核所属的园区内（见企业名录），请核对。", row,
                               header["cluster"], warning=True))
    return out


def _listing_display(refs: qi.Refs, batches: dict, created: dict):
    names = {**{bid: x["name"] for bid, x in batches.items()},
             **{x["batch_id"]: x["name"] for x in created.values()}}

    def shown(column: str, v: object) -> object:
        if v is None:
            return None
        if column == "batch_id":
            return names.get(v, v)
        ref = {"cluster_id": "cluster", "consultancy_id": "consultancy"}.get(column)
        return refs.names[ref].get(str(v), v) if ref else v
    return shown


def _current_listings(conn: Connection, scope: Scope, refs: qi.Refs, limit: int
                      ) -> pd.DataFrame:
    a, e, b = s.audit_round, s.enterprise, s.listing_batch
    frame = pd.DataFrame(conn.execute(select(
        a.c.uscc, a.c.round_no, e.c.name, b.c.name.label("batch"),
        b.c.year.label("batch_year"), b.c.publish_date.label("batch_publish"), a.c.listing_date,
        a.c.listing_reason, a.c.audit_mode, a.c.cluster_id.label("cluster"),
        a.c.consultancy_id.label("consultancy"))
        .select_from(a.join(e, e.c.uscc == a.c.uscc).join(b, b.c.batch_id == a.c.batch_id))
        .where(scope_where(scope)).order_by(e.c.city_adcode, a.c.uscc, a.c.round_no)
        .limit(limit)).mappings().all(), columns=[c.field for c in ra.LISTINGS.columns])
    for f in ("cluster", "consultancy"):
        frame[f] = frame[f].map(lambda v, f=f: None if v is None or pd.isna(v)
                                else refs.names[f].get(str(int(v))))
    return frame


# ---- 评估与验收结论 -------------------------------------------------------------------------

RESULT_FIELDS = ("evaluation_date", "evaluation_result", "evaluation_score", "evaluation_veto",
                 "acceptance_date", "acceptance_result", "acceptance_score", "acceptance_veto",
                 "cp_level")
YES = {"是": True, "否": False}
# Domain §4: panels are typically 3–5 experts; outside that range is worth a second look.
PANEL_SIZE = (3, 5)


def _panels(conn: Connection, audit_ids: list[int]) -> dict[tuple[int, str], list[dict]]:
    """The stored panel of each (audit, stage), in assignment order."""
    pa = s.panel_assignment
    out: dict[tuple[int, str], list[dict]] = {}
    for part in qi._chunks(audit_ids):
        for m in conn.execute(select(pa.c.assignment_id, pa.c.expert_id, pa.c.audit_id,
                                     pa.c.cluster_id, pa.c.stage, pa.c.role)
                              .where(pa.c.audit_id.in_(part))
                              .order_by(pa.c.assignment_id)).mappings():
            out.setdefault((m["audit_id"], m["stage"]), []).append(dict(m))
    return out


def _panel_text(refs: qi.Refs, members: list[tuple[int, str]]) -> str | None:
    """A panel as the template writes it: the leader first, marked."""
    if not members:
        return None
    def name(e: int) -> str:  # the number where the name alone would be ambiguous
        n = refs.names["expert"].get(str(e), str(e))
        return n if refs.lookup["expert"].get(qi._key(n)) == str(e) else str(e)

    ordered = sorted(members, key=lambda m: m[1] != "组长")
    return "、".join(name(e) + (ra.LEADER_MARK if role == "组长" else "") for e, role in ordered)


def _plan_panel(p: qi.Planned, r: ri.Row, header: dict, stage: str, word: str,
                text: str | None, merged: dict, audit_id: int, stored: list[dict],
                refs: qi.Refs, next_id: list[int], pool: dict[int, dict]) -> None:
    """The panel_assignment writes that make the stage's panel the one the cell names (None:
    （清空）, no panel): seats of experts kept stay (their role may change), seats of experts no
    longer named go to the newly named, further experts get new seats and seats left over are
    removed."""
    column = header[f"{stage}_panel"]
    names, leaders = ra.panel_names(text or "")
    problems = []
    experts: list[int] = []
    for name in names:
        code = refs.lookup["expert"].get(qi._key(name), "")
        if code is None:
            problems.append(f"专家库中有不止一位「{name}」，请改填其专家编号。")
        elif code == "":
            problems.append(f"专家「{name}」不在专家库中，请核对姓名或填写专家编号。")
        elif int(code) in experts:
            problems.append(f"专家「{name}」重复填写。")
        else:
            experts.append(int(code))
    if text is not None and not names:
        problems.append("没有可识别的专家姓名；要删除专家组请填写（清空）。")
    if len(leaders) > 1:
        problems.append(f"只能有一位组长（只在一位专家的姓名后注明{ra.LEADER_MARK}）。")
    if text is not None and merged.get(f"{stage}_date") is None:
        problems.append(f"填写了{word}专家组，还须填写{word}日期。")
    for m in problems:
        p.problems.append(Problem(m, r.row, column, ri.show(text)))
    if problems:
        return
    lead = experts[leaders[0] if leaders else 0] if experts else None
    want = {e: ("组长" if e == lead else "成员") for e in experts}
    seats = {m["expert_id"]: m for m in stored}
    free = [m for m in stored if m["expert_id"] not in want]  # seats to give to new experts
    held = merged.get(f"{stage}_date")
    for e in want:  # a newly named expert who could not sit then, or may not sit now
        if e in seats:
            continue
        who, status, admitted = refs.names["expert"].get(str(e)), *pool[e]
        if status != "在库":
            p.problems.append(Problem(f"专家「{who}」在专家库中的状态为「{status}」，请核对。",
                                      r.row, column, ri.show(text), warning=True))
        if held is not None and admitted > held:
            p.problems.append(Problem(f"专家「{who}」{admitted.isoformat()} 才入库，晚于{word}日期"
                                      f"（{held.isoformat()}），请核对。", r.row, column,
                                      ri.show(text), warning=True))
    for e, role in want.items():
        seat = seats.get(e) or (free.pop(0) if free else None)
        if seat is None:
            values = {"assignment_id": next_id[0], "expert_id": e, "audit_id": audit_id,
                      "cluster_id": None, "stage": word, "role": role}
            p.more.append(qi.Write("panel_assignment", str(next_id[0]), qi.NEW, values))
            next_id[0] += 1
            continue
        new = {"expert_id": e, "role": role}
        diff = {k: v for k, v in new.items() if seat[k] != v}
        if diff:
            p.more.append(qi.Write("panel_assignment", str(seat["assignment_id"]), qi.CHANGED,
                                   diff, {k: seat[k] for k in diff}))
    for seat in free:  # experts no longer named, with nobody to take their seat
        p.more.append(qi.Write("panel_assignment", str(seat["assignment_id"]), qi.DELETED, {},
                               dict(seat)))
    old_text = _panel_text(refs, [(m["expert_id"], m["role"]) for m in stored])
    new_text = _panel_text(refs, list(want.items()))
    if old_text != new_text:
        p.changes.append((column, old_text, new_text))
        if text is not None and not PANEL_SIZE[0] <= len(experts) <= PANEL_SIZE[1]:
            p.problems.append(Problem(f"{word}专家组 {len(experts)} 人：专家组一般为 "
                                      f"{PANEL_SIZE[0]}—{PANEL_SIZE[1]} 人，请核对。", r.row,
                                      column, ri.show(text), warning=True))


def _plan_results(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                  today: dt.date) -> list[qi.Planned]:
    a, e = s.audit_round, s.enterprise
    kind = ra.RESULTS
    keys = sorted({r.key for r in rows if r.key})
    stored: dict[tuple, dict] = {}
    dates = [f for f, _name in ri.DATE_ORDER]
    cols = [a.c.audit_id, a.c.uscc, a.c.round_no, e.c.name,
            *[a.c[f] for f in dict.fromkeys([*dates, *RESULT_FIELDS])],
            a.c.evaluation_pass, a.c.acceptance_pass]
    for part in qi._chunks(keys):
        for m in conn.execute(select(*cols).select_from(a.join(e, e.c.uscc == a.c.uscc))
                              .where(qi.round_keys_in(part), scope_where(scope))).mappings():
            stored[(m["uscc"], m["round_no"])] = dict(m)
    panels = _panels(conn, sorted(x["audit_id"] for x in stored.values()))
    next_id = [(conn.execute(select(func.max(s.panel_assignment.c.assignment_id))).scalar()
                or 0) + 1]
    ex = s.expert  # the pool is small (hundreds): read whole
    pool = {i: (st, d) for i, st, d in conn.execute(
        select(ex.c.expert_id, ex.c.status, ex.c.admitted_date))}
    area = _area_words(scope, refs)
    header = {c.field: c.label for c in kind.columns}
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, "、".join(str(k) for k in r.key),
                       table="audit_round", problems=list(r.problems))
        p.label = str(r.values.get("name", ""))
        old = stored.get(r.key) if r.key else None
        if r.key and old is None:
            p.problems.append(Problem(qi.NOT_FOUND.format(area=area, round=r.key[1],
                                                          uscc=r.key[0]), r.row))
        if not r.ok or old is None:
            out.append(p)
            continue
        p.label, p.row_key = old["name"], str(old["audit_id"])
        if "name" in r.values and ri.fold(r.values["name"]) != ri.fold(old["name"]):
            p.problems.append(Problem(f"企业名称与名录不同（名录中为「{old['name']}」），请核对；"
                                      "名称不会被修改。", r.row, header["name"],
                                      str(r.values["name"]), warning=True))
        values = {f: (YES[v] if f.endswith("_veto") else v) for f, v in r.values.items()
                  if f in RESULT_FIELDS}
        values.update({f: None for f in r.clears if f in RESULT_FIELDS})
        values.update(ri.passes(values))
        merged = {**old, **values}
        p.problems.extend(qi.round_date_problems(r.row, header, values, merged, today))
        p.problems.extend(Problem(m, r.row, header[f]) for f, m in ra.veto_problems(merged))
        for stage, word in ri.RESULT_STAGES:
            if f"{stage}_panel" in r.values or f"{stage}_panel" in r.clears:
                text = r.values.get(f"{stage}_panel")
                _plan_panel(p, r, header, stage, word, None if text is None else str(text),
                            merged, old["audit_id"], panels.get((old["audit_id"], word), []),
                            refs, next_id, pool)
        if any(not x.warning for x in p.problems):
            out.append(p)
            continue
        diff = {c: v for c, v in values.items() if old.get(c) != v}
        p.write, p.before = diff, {c: old.get(c) for c in diff}
        shown = {True: "是", False: "否"}
        field_changes = [(header[c], shown.get(old.get(c), old.get(c)) if c.endswith("_veto")
                          else old.get(c), shown.get(diff[c], diff[c]) if c.endswith("_veto")
                          else diff[c]) for c in RESULT_FIELDS if c in diff]
        p.changes = field_changes + p.changes
        p.status = qi.CHANGED if diff or p.more else qi.SAME
        out.append(p)
    return out


def _current_results(conn: Connection, scope: Scope, refs: qi.Refs, limit: int
                     ) -> pd.DataFrame:
    a, e = s.audit_round, s.enterprise
    frame = pd.DataFrame(conn.execute(select(
        a.c.uscc, a.c.round_no, e.c.name, a.c.audit_id, *[a.c[f] for f in RESULT_FIELDS])
        .select_from(a.join(e, e.c.uscc == a.c.uscc)).where(scope_where(scope))
        .order_by(e.c.city_adcode, a.c.uscc, a.c.round_no).limit(limit)).mappings().all(),
        columns=["uscc", "round_no", "name", "audit_id", *RESULT_FIELDS])
    panels = _panels(conn, [int(x) for x in frame["audit_id"]])
    for stage, word in ri.RESULT_STAGES:
        frame[f"{stage}_veto"] = frame[f"{stage}_veto"].map(
            lambda v: None if v is None or pd.isna(v) else ("是" if v else "否"))
        frame[f"{stage}_panel"] = [
            _panel_text(refs, [(m["expert_id"], m["role"])
                               for m in panels.get((int(x), word), [])])
            for x in frame["audit_id"]]
    return frame[[c.field for c in ra.RESULTS.columns]]


# ---- 清洁生产方案 -----------------------------------------------------------------------------

OPTION_FIELDS = ("cost_class", "category", "status", "investment_wan", "implemented_date",
                 *(c for c, _label, _unit in vocab.OUTCOME_COLUMNS))


def _plan_options(conn: Connection, scope: Scope, rows: list[ri.Row], refs: qi.Refs,
                  today: dt.date) -> list[qi.Planned]:
    a, e, o = s.audit_round, s.enterprise, s.audit_option
    kind = ra.OPTIONS
    header = {c.field: c.label for c in kind.columns}
    keys = sorted({r.key[:2] for r in rows if r.key})
    rounds: dict[tuple, dict] = {}
    for part in qi._chunks(keys):
        for m in conn.execute(select(a.c.audit_id, a.c.uscc, a.c.round_no, a.c.listing_date,
                                     a.c.start_date, a.c.evaluation_date, e.c.name)
                              .select_from(a.join(e, e.c.uscc == a.c.uscc))
                              .where(qi.round_keys_in(part), scope_where(scope))).mappings():
            rounds[(m["uscc"], m["round_no"])] = dict(m)
    options: dict[tuple[int, str], list[dict]] = {}  # (audit, folded title) -> stored options
    for part in qi._chunks(sorted(x["audit_id"] for x in rounds.values())):
        for m in conn.execute(select(o.c.option_id, o.c.audit_id, o.c.title,
                                     *[o.c[f] for f in OPTION_FIELDS])
                              .where(o.c.audit_id.in_(part))).mappings():
            options.setdefault((m["audit_id"], ri.fold(m["title"])), []).append(dict(m))
    next_id = (conn.execute(select(func.max(o.c.option_id))).scalar() or 0) + 1
    taken: dict[tuple[int, str], int] = {}  # (audit, folded title) -> the row that has it
    area = _area_words(scope, refs)
    out = []
    for r in rows:
        p = qi.Planned(r.row, qi.REJECTED, "、".join(str(k) for k in r.key),
                       table="audit_option", problems=list(r.problems))
        p.label = str(r.values.get("name", ""))
        audit = rounds.get(r.key[:2]) if r.key else None
        if r.key and audit is None:
            p.problems.append(Problem(qi.NOT_FOUND.format(area=area, round=r.key[1],
                                                          uscc=r.key[0]), r.row))
        if not r.ok or audit is None:
            out.append(p)
            continue
        p.label = audit["name"]
        if "name" in r.values and ri.fold(r.values["name"]) != ri.fold(audit["name"]):
            p.problems.append(Problem(f"企业名称与名录不同（名录中为「{audit['name']}」），请核对；"
                                      "名称不会被修改。", r.row, header["name"],
                                      str(r.values["name"]), warning=True))
        title_key = (audit["audit_id"], ri.fold(r.key[2]))
        if title_key in taken:  # titles equal but for blanks or full-width letters
            p.problems.append(Problem(f"与第 {taken[title_key]} 行是同一项方案，请合并为一行。",
                                      r.row, header["title"], r.key[2]))
            out.append(p)
            continue
        taken[title_key] = r.row
        same = options.get(title_key, [])
        if len(same) > 1:
            p.problems.append(Problem(f"该轮审核库中已有 {len(same)} 项名为「{r.key[2]}」的方案，"
                                      "无法确定修改哪一项，请联系省级用户核实。", r.row,
                                      header["title"], r.key[2]))
            out.append(p)
            continue
        old = same[0] if same else None
        values = {f: v for f, v in r.values.items() if f in OPTION_FIELDS}
        values.update({f: None for f in r.clears if f in OPTION_FIELDS})
        if old is None:
            missing = [header[c.field] for c in kind.columns if c.required and not c.key
                       and values.get(c.field) is None]
            if missing:
                p.problems.append(Problem(f"新增方案须填写：{'、'.join(missing)}。", r.row))
                out.append(p)
                continue
        merged = {**(old or {}), **values}
        if merged["status"] != "已实施" and "implemented_date" not in values \
                and merged.get("implemented_date") is not None:
            # no longer implemented: the date goes (the database keeps one only for 已实施)
            merged["implemented_date"] = values["implemented_date"] = None
        changed = {f for f, v in values.items() if old is None or old.get(f) != v}
        p.problems.extend(_option_problems(r.row, header, merged, changed, audit, today))
        if any(not x.warning for x in p.problems):
            out.append(p)
            continue
        if old is None:
            p.status, p.row_key = qi.NEW, str(next_id)
            p.write = {"option_id": next_id, "audit_id": audit["audit_id"], "title": r.key[2],
                       **{f: merged.get(f) for f in OPTION_FIELDS}}
            p.changes = [(header[f], None, merged[f]) for f in OPTION_FIELDS
                         if merged.get(f) is not None]
            next_id += 1
        else:
            diff = {c: v for c, v in values.items() if old.get(c) != v}
            p.row_key = str(old["option_id"])
            p.write, p.before = diff, {c: old.get(c) for c in diff}
            p.changes = [(header[c], old.get(c), diff[c]) for c in OPTION_FIELDS if c in diff]
            p.status = qi.CHANGED if diff else qi.SAME
        out.append(p)
    return out


def _option_problems(row: int, header: dict, merged: dict, changed: set[str], audit: dict,
                     today: dt.date) -> list[Problem]:
    """Errors on the option as it would be stored; warnings only on what the row changes (a
    value confirmed once is not questioned again on every re-import)."""
    out = []
    done, column = merged.get("implemented_date"), header["implemented_date"]
    wrong = ra.option_date_problem(merged["status"], done, audit["start_date"],
                                   audit["listing_date"], today)
    if wrong:
        out.append(Problem(wrong, row, column, None if done is None else ri.show(done)))
    early = ra.built_before_evaluation(merged["cost_class"], done, audit["evaluation_date"])
    if early and not wrong and changed & {"implemented_date", "cost_class"}:
        out.append(Problem(early, row, column, ri.show(done), warning=True))
    big = ra.yuan_like(merged["cost_class"], merged.get("investment_wan"))
    if big and changed & {"investment_wan", "cost_class"}:
        out.append(Problem(big, row, header["investment_wan"],
                           ri.show(merged["investment_wan"]), warning=True))
    return out


def _current_options(conn: Connection, scope: Scope, refs: qi.Refs, limit: int
                     ) -> pd.DataFrame:
    a, e, o = s.audit_round, s.enterprise, s.audit_option
    return pd.DataFrame(conn.execute(select(
        a.c.uscc, a.c.round_no, o.c.title, e.c.name, *[o.c[f] for f in OPTION_FIELDS])
        .select_from(o.join(a, a.c.audit_id == o.c.audit_id).join(e, e.c.uscc == a.c.uscc))
        .where(scope_where(scope))
        .order_by(e.c.city_adcode, a.c.uscc, a.c.round_no, o.c.option_id).limit(limit))
        .mappings().all(), columns=[c.field for c in ra.OPTIONS.columns])


qi.register("listings", _plan_listings, _current_listings,
            {"listing_batch": (s.listing_batch, ("batch_id",)),
             "audit_round": (s.audit_round, ("audit_id",))})
qi.register("results", _plan_results, _current_results,
            {"audit_round": (s.audit_round, ("audit_id",)),
             "panel_assignment": (s.panel_assignment, ("assignment_id",))})
qi.register("options", _plan_options, _current_options,
            {"audit_option": (s.audit_option, ("option_id",))}, options=True)
