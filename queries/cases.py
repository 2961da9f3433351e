"""督办事项 (supervision cases): the only door to the case tables, for reads and writes.

Every function takes the viewer's Scope (writes: the Viewer, whose scope and role are checked):
a case belongs to its enterprise's jurisdiction, and a case outside the viewer's looks exactly
like one that does not exist. Every write is validated by rules/cases.py first, runs in one
transaction with its audit-log entry (queries/auditlog.record), and is refused when the case
changed since the person read it (the version column), with the current state in the message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from queries import schema as s
from queries.auditlog import utc_now
from queries.db import Source, read_frame
from queries.scope import Scope, scope_where
from rules import cases as rc
from rules.roles import SUPERVISE, may
from rules.security import local_day_start_utc

c, e, stp, att = s.supervision_case, s.enterprise, s.case_step, s.case_attachment
doc = s.case_document
NOT_FOUND = "未找到该督办事项（编号 {case_id}）。"
NO_RIGHT = "您的角色只能查看督办事项，不能登记或办理。"


class CaseConflict(rc.CaseError):
    """The case changed since it was read (someone else took a step meanwhile)."""


@dataclass(frozen=True)
class CaseFilters:
    """What the case list is narrowed to. Empty tuples mean 'all'; dates are inclusive."""

    cities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # shown statuses (逾期未回复 included)
    categories: tuple[str, ...] = ()
    due_from: dt.date | None = None  # reply deadline
    due_to: dt.date | None = None
    opened_from: dt.date | None = None  # day the case was opened (Beijing)
    opened_to: dt.date | None = None
    uscc: str | None = None


def _region(alias: str):
    return s.region.alias(alias)


def _case_select():
    city, county = _region("city_r"), _region("county_r")
    return (select(c, e.c.name.label("enterprise_name"), e.c.city_adcode, e.c.county_adcode,
                   city.c.name.label("city"), county.c.name.label("county"))
            .select_from(c.join(e, c.c.uscc == e.c.uscc)
                         .join(city, city.c.adcode == e.c.city_adcode)
                         .join(county, county.c.adcode == e.c.county_adcode)))


def _derive(df: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Add the shown status (逾期未回复) and days past the reply deadline."""
    for col in ("reply_due", "sent_date", "replied_date", "closed_date", "item_due"):
        df[col] = pd.to_datetime(df[col]).dt.date.astype(object).where(df[col].notna(), None)
    df["shown_status"] = [rc.shown_status(st, due, today)
                          for st, due in zip(df["status"], df["reply_due"])]
    df["days_overdue"] = [rc.days_overdue(st, due, today)
                          for st, due in zip(df["status"], df["reply_due"])]
    return df


def case_list(source: Source, scope: Scope, today: dt.date,
              filters: CaseFilters = CaseFilters()) -> pd.DataFrame:
    """Cases in scope and filters, newest first, with the shown status and days overdue."""
    clauses = [scope_where(scope)]
    if filters.cities:
        clauses.append(e.c.city_adcode.in_(filters.cities))
    if filters.categories:
        clauses.append(c.c.category.in_(filters.categories))
    if filters.due_from:
        clauses.append(c.c.reply_due >= filters.due_from)
    if filters.due_to:
        clauses.append(c.c.reply_due <= filters.due_to)
    if filters.opened_from:
        clauses.append(c.c.opened_at >= local_day_start_utc(filters.opened_from))
    if filters.opened_to:
        clauses.append(c.c.opened_at < local_day_start_utc(filters.opened_to
                                                           + dt.timedelta(days=1)))
    if filters.uscc:
        clauses.append(c.c.uscc == filters.uscc)
    if filters.statuses:  # stored statuses narrowed in SQL, the derived one after
        stored = {st for st in filters.statuses if st != rc.OVERDUE}
        if rc.OVERDUE in filters.statuses:
            stored |= set(rc.WAITING)
        clauses.append(c.c.status.in_(sorted(stored)))
    df = read_frame(source.engine, _case_select().where(and_(*clauses))
                    .order_by(c.c.opened_at.desc(), c.c.case_id.desc()))
    df = _derive(df, today)
    if filters.statuses:
        df = df[df["shown_status"].isin(filters.statuses)].reset_index(drop=True)
    return df


def case_detail(source: Source, scope: Scope, case_id: int, today: dt.date) -> dict | None:
    """One case with its steps and attachments (without their content); None when there is no
    such case in scope."""
    df = read_frame(source.engine, _case_select().where(and_(c.c.case_id == case_id,
                                                             scope_where(scope))))
    if df.empty:
        return None
    row = _derive(df, today).iloc[0].to_dict()
    steps = read_frame(source.engine, select(stp).where(stp.c.case_id == case_id)
                       .order_by(stp.c.at, stp.c.step_id))
    files = read_frame(source.engine, select(
        att.c.attachment_id, att.c.step_id, att.c.file_name, att.c.mime, att.c.size_bytes,
        att.c.uploaded_at, att.c.uploaded_by).where(att.c.case_id == case_id)
        .order_by(att.c.attachment_id))
    return {"case": row, "steps": steps, "attachments": files}


def attachment(source: Source, scope: Scope, attachment_id: int) -> tuple[str, str, bytes] | None:
    """(file name, MIME type, content) of an attachment of a case in scope, else None."""
    with source.engine.connect() as conn:
        row = conn.execute(select(att.c.file_name, att.c.mime, att.c.content)
                           .select_from(att.join(c, att.c.case_id == c.c.case_id)
                                        .join(e, c.c.uscc == e.c.uscc))
                           .where(and_(att.c.attachment_id == attachment_id,
                                       scope_where(scope)))).first()
    return None if row is None else (row.file_name, row.mime, bytes(row.content))


def open_items(source: Source, scope: Scope) -> pd.DataFrame:
    """(uscc, category, case_id, status) of every case in scope not yet closed: what the watch
    list marks as 已立案督办 and the form warns about."""
    return read_frame(source.engine, select(c.c.uscc, c.c.category, c.c.case_id, c.c.status)
                      .select_from(c.join(e, c.c.uscc == e.c.uscc))
                      .where(and_(scope_where(scope), c.c.status != rc.CLOSED))
                      .order_by(c.c.case_id))


def counts(source: Source, scope: Scope, today: dt.date) -> dict[str, int]:
    """在办 (not closed) and 逾期未回复 cases in scope: the overview's line."""
    df = read_frame(source.engine, select(c.c.status, c.c.reply_due)
                    .select_from(c.join(e, c.c.uscc == e.c.uscc))
                    .where(and_(scope_where(scope), c.c.status != rc.CLOSED)))
    overdue = sum(rc.shown_status(st, pd.Timestamp(d).date() if d is not None else None, today)
                  == rc.OVERDUE for st, d in zip(df["status"], df["reply_due"]))
    return {"在办": len(df), "逾期未回复": int(overdue)}


def suggested_close(cases: pd.DataFrame, watch: pd.DataFrame) -> pd.Series:
    """True for open cases (sent, replied or returned) whose watch-list item has cleared: the
    enterprise no longer has an item of that category. 其他 cases are never suggested. Nothing
    closes on its own: a person reads the suggestion and closes the case."""
    live = set(zip(watch["统一社会信用代码"], watch["类别"])) if len(watch) else set()
    return pd.Series([st in (rc.SENT, rc.REPLIED, rc.RETURNED) and cat != "其他"
                      and (u, cat) not in live
                      for u, cat, st in zip(cases["uscc"], cases["category"], cases["status"])],
                     index=cases.index, dtype=bool)


# --------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------

BUSY = "数据库正忙（他人正在办理），请稍后重试。"


@contextlib.contextmanager
def _writing(engine: Engine):
    """One write transaction; a database locked by another writer (SQLite) is told in words."""
    try:
        with engine.begin() as conn:
            yield conn
    except OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise rc.CaseError(BUSY) from None
        raise


def _claim(conn: Connection, case_ids: list[int]) -> None:
    """Take the write lock on the cases first (a no-op update): a second writer waits here
    until the first has committed and then reads the new version, instead of both reading the
    old one (SQLite has no row locks; on PostgreSQL this locks the rows)."""
    conn.execute(update(c).where(c.c.case_id.in_(case_ids)).values(version=c.c.version))


def _ensure_counter(engine: Engine, rules: rc.CaseRules, province: str, year: int) -> None:
    """Make sure the counter row of the pattern and year exists before a sending transaction
    locks it (two first numbers of a year at once would otherwise both insert it)."""
    k = s.doc_counter
    key = rc.counter_key(rules.doc_pattern, province)
    try:
        with _writing(engine) as conn:
            if conn.execute(select(k.c.last_no).where(and_(k.c.counter_key == key,
                                                           k.c.year == year))).first() is None:
                conn.execute(insert(k).values(counter_key=key, year=year, last_no=0))
    except IntegrityError:
        pass  # someone else made it meanwhile: that is all we wanted


def _check_right(engine: Engine, viewer, target: str) -> None:
    """Refuse (and log, in a transaction of its own) a write by a role that may only read."""
    if viewer.scope is None or not may(viewer.role, SUPERVISE):
        with engine.begin() as conn:
            viewer.log(conn, "denied", "拒绝", target=target, detail="无督办权限")
        raise rc.CaseError(NO_RIGHT)


def open_case(engine: Engine, viewer, *, uscc: str, category: str, reason: str,
              addressee_kind: str, addressee: str, reply_due: dt.date, today: dt.date,
              issuer: str, audit_id: int | None = None, item_due: dt.date | None = None,
              days_late: int | None = None, demand: str = "", contact: str = "",
              note: str = "") -> int:
    """Open a case (待发出) about an enterprise in the viewer's jurisdiction; returns its id."""
    reason, addressee, contact = reason.strip(), addressee.strip(), contact.strip()
    problem = rc.case_problem(uscc=uscc, reason=reason, addressee_kind=addressee_kind,
                              addressee=addressee, reply_due=reply_due, today=today,
                              contact=contact, note=note)
    if category not in rc.CATEGORIES:
        problem = problem or f"未知的督办事项类别：{category}"
    if problem:
        raise rc.CaseError(problem)
    _check_right(engine, viewer, uscc)
    now = utc_now()
    with _writing(engine) as conn:
        name = conn.execute(select(e.c.name).where(and_(e.c.uscc == uscc,
                                                        scope_where(viewer.scope)))).scalar()
        if name is None:
            viewer.log(conn, "denied", "拒绝", target=uscc, detail="为辖区外或不存在的企业登记督办")
            # Committed with the refusal; the message is that for an unknown enterprise.
        else:
            same = conn.execute(select(c.c.case_id).where(and_(
                c.c.uscc == uscc, c.c.category == category, c.c.status != rc.CLOSED))).scalar()
            if same is not None and category != "其他":
                raise rc.CaseError(f"该企业已有在办的同类督办事项（编号 {same}），"
                                   "请在该事项中继续办理。")
            if audit_id is not None:
                owner = conn.execute(select(s.audit_round.c.uscc)
                                     .where(s.audit_round.c.audit_id == audit_id)).scalar()
                if owner != uscc:
                    audit_id = None  # a round of another enterprise: not linked
            case_id = conn.execute(insert(c).values(
                uscc=uscc, audit_id=audit_id, category=category, reason=reason,
                item_due=item_due, days_late=days_late,
                demand=demand.strip() or rc.demand_text(category),
                addressee_kind=addressee_kind, addressee=addressee, contact=contact or None,
                issuer=issuer[:64], status=rc.DRAFT, reply_due=reply_due, opened_at=now,
                opened_by=viewer.username, updated_at=now, updated_by=viewer.username,
                version=1).returning(c.c.case_id)).scalar_one()
            conn.execute(insert(stp).values(
                case_id=case_id, action=rc.OPEN_STEP, from_status=None, to_status=rc.DRAFT,
                step_date=today, reply_due=reply_due, note=note.strip() or None,
                actor=viewer.username, actor_name=_actor_name(viewer), at=now))
            viewer.log(conn, "case_open", "成功", target=f"督办事项{case_id}",
                       detail=f"{name}：{category}，{reason}；主送 {addressee}")
            return case_id
    raise rc.CaseError("未在您的管辖范围内找到该企业。")


def _actor_name(viewer) -> str:
    return f"{viewer.display_name}（{viewer.unit}）"[:64] if viewer.unit else viewer.display_name


def _next_doc_no(conn: Connection, rules: rc.CaseRules, province: str, year: int) -> str:
    """The next unused 文号 of the pattern and year, taken in the caller's transaction."""
    key = rc.counter_key(rules.doc_pattern, province)
    k = s.doc_counter
    where = and_(k.c.counter_key == key, k.c.year == year)
    last = conn.execute(select(k.c.last_no).where(where).with_for_update()).scalar()
    n = (last or 0) + 1
    while True:  # a number typed by hand may already hold the next one: skip it
        number = rc.doc_no(rules.doc_pattern, province, year, n)
        if not _doc_exists(conn, number):
            break
        n += 1
    if last is None:
        conn.execute(insert(k).values(counter_key=key, year=year, last_no=n))
    else:
        conn.execute(update(k).where(where).values(last_no=n))
    return number


def _doc_exists(conn: Connection, number: str) -> bool:
    return conn.execute(select(doc.c.doc_no).where(doc.c.doc_no == number)).first() is not None


def _new_document(conn: Connection, viewer, *, kind: str, typed: str, sent: dt.date,
                  issuer: str, addressee: str, rules: rc.CaseRules, province: str,
                  now: dt.datetime) -> str:
    """Register the document that sends one or more cases, under the 文号 typed by hand (well
    formed and unused) or the next one of the counter; returns the number."""
    if typed:
        if _doc_exists(conn, typed):
            raise rc.CaseError(f"文号“{typed}”已被使用，请换一个文号或留空自动编号。")
        number = typed
    else:
        number = _next_doc_no(conn, rules, province, sent.year)
    try:  # a failure ends the whole transaction: nothing of the step is written
        conn.execute(insert(doc).values(doc_no=number, kind=kind, issuer=issuer[:64],
                                        addressee=addressee[:128], sent_date=sent,
                                        created_at=now, created_by=viewer.username))
    except IntegrityError:  # taken by someone else in the same moment
        raise rc.CaseError(f"文号“{number}”已被使用，请重试。") from None
    return number


def take_step(engine: Engine, viewer, case_id: int, version: int, step: str, *,
              today: dt.date, step_date: dt.date, note: str = "",
              reply_due: dt.date | None = None, doc_no: str = "",
              files: list[tuple[str, bytes]] = (), rules: rc.CaseRules = rc.CaseRules(),
              province: str = "") -> int:
    """Take one step (发出, 回复, 退回重办, 办结) on a case the viewer read at `version`, with
    optional attachments; all or nothing. Returns the case's new version.

    发出 gives the case its 文号: the next one of the pattern (rules.doc_pattern) for the year
    of the day sent, or `doc_no` typed by hand when it is well formed and unused."""
    note, doc_no = note.strip(), doc_no.strip()
    for name, data in files:
        problem = rc.attachment_problem(name, data, rules)
        if problem:
            raise rc.CaseError(f"{name}：{problem}")
    if step == rc.ISSUE and doc_no:
        problem = rc.manual_doc_no_problem(doc_no)
        if problem:
            raise rc.CaseError(problem)
    now = utc_now()
    target = f"督办事项{case_id}"
    _check_right(engine, viewer, target)
    if step == rc.ISSUE and not doc_no:
        _ensure_counter(engine, rules, province, step_date.year)
    with _writing(engine) as conn:
        _claim(conn, [case_id])
        row = conn.execute(
            select(c, e.c.name.label("enterprise_name"))
            .select_from(c.join(e, c.c.uscc == e.c.uscc))
            .where(and_(c.c.case_id == case_id, scope_where(viewer.scope)))
            .with_for_update(of=c)).first()
        if row is None:  # the refusal is logged (committed); the answer is "no such case"
            viewer.log(conn, "denied", "拒绝", target=target,
                       detail="办理辖区外或不存在的督办事项")
        else:
            return _write_step(conn, viewer, row, version, step, today=today,
                               step_date=step_date, note=note, reply_due=reply_due,
                               doc_no=doc_no, files=files, rules=rules, province=province,
                               now=now, target=target)
    raise rc.CaseError(NOT_FOUND.format(case_id=case_id))


def _write_step(conn: Connection, viewer, row, version: int, step: str, *, today, step_date,
                note, reply_due, doc_no, files, rules, province, now, target) -> int:
    case_id = row.case_id
    if row.version != version:
        raise CaseConflict(
            f"该督办事项已被他人办理（当前状态：{row.status}，最后办理人：{row.updated_by}）。"
            "页面已显示最新情况，请核对后再操作。")
    sent = row.sent_date if step != rc.ISSUE else None
    if step in (rc.REPLY, rc.CLOSE):
        reply_due = None  # these steps do not set a deadline
    problem = rc.step_problem(step, row.status, today=today, step_date=step_date,
                              sent_date=sent, reply_due=reply_due, note=note)
    if problem:
        raise rc.CaseError(problem)
    to = rc.next_status(step, row.status)
    values = {"status": to, "updated_at": now, "updated_by": viewer.username,
              "version": row.version + 1}
    if step == rc.ISSUE:
        number = _new_document(conn, viewer, kind=rc.NOTICE, typed=doc_no, sent=step_date,
                               issuer=row.issuer, addressee=row.addressee, rules=rules,
                               province=province, now=now)
        values |= {"doc_no": number, "sent_date": step_date, "reply_due": reply_due}
    elif step == rc.REPLY:
        values |= {"replied_date": step_date}
    elif step == rc.RETURN:
        values |= {"reply_due": reply_due, "replied_date": None}
    elif step == rc.CLOSE:
        values |= {"closed_date": step_date}
    changed = conn.execute(update(c).where(and_(c.c.case_id == case_id,
                                                c.c.version == version))
                           .values(**values)).rowcount
    if changed != 1:
        raise CaseConflict("该督办事项已被他人办理，请刷新后再操作。")
    step_id = conn.execute(insert(stp).values(
        case_id=case_id, action=step, from_status=row.status, to_status=to,
        step_date=step_date, reply_due=reply_due if step in (rc.ISSUE, rc.RETURN) else None,
        note=note or None, actor=viewer.username, actor_name=_actor_name(viewer),
        at=now).returning(stp.c.step_id)).scalar_one()
    for name, data in files:
        ext = name.rsplit(".", 1)[-1].lower()
        conn.execute(insert(att).values(
            case_id=case_id, step_id=step_id, file_name=name.strip()[:128],
            mime=rc.ATTACHMENT_TYPES[ext], size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(), content=data, uploaded_at=now,
            uploaded_by=viewer.username))
    detail = f"{row.enterprise_name}：{row.status} → {to}"
    if step == rc.ISSUE:
        detail += f"；文号 {values['doc_no']}"
    if files:
        detail += "；附件 " + "、".join(n for n, _ in files)
    viewer.log(conn, "case_step", "成功", target=target, detail=detail)
    return row.version + 1


def batch_candidates(source: Source, scope: Scope, city_adcode: str, today: dt.date
                     ) -> pd.DataFrame:
    """Cases a 批量督办函 to one city can send: that city's unsent cases addressed to the city's
    bureau, in scope, oldest first."""
    df = read_frame(source.engine, _case_select().where(and_(
        scope_where(scope), e.c.city_adcode == city_adcode, c.c.status == rc.DRAFT,
        c.c.addressee_kind == rc.ADDRESSEE_KINDS[0])).order_by(c.c.opened_at, c.c.case_id))
    return _derive(df, today)


def issue_batch(engine: Engine, viewer, cases: list[tuple[int, int]], *, today: dt.date,
                sent: dt.date, reply_due: dt.date, addressee: str, issuer: str,
                doc_no: str = "", rules: rc.CaseRules = rc.CaseRules(), province: str = ""
                ) -> str:
    """Send several unsent cases (case id, version read) with one 批量督办函 to a city: one
    文号 for the letter, every case 已发出 with the same reply deadline; all or nothing.
    Returns the letter's 文号."""
    doc_no = doc_no.strip()
    if not cases:
        raise rc.CaseError("没有可列入批量督办函的督办事项。")
    if doc_no:
        problem = rc.manual_doc_no_problem(doc_no)
        if problem:
            raise rc.CaseError(problem)
    _check_right(engine, viewer, f"批量督办函（{addressee}）")
    if not doc_no:
        _ensure_counter(engine, rules, province, sent.year)
    now = utc_now()
    with _writing(engine) as conn:
        ids = [cid for cid, _ in cases]
        _claim(conn, ids)
        rows = {r.case_id: r for r in conn.execute(
            select(c, e.c.name.label("enterprise_name"), e.c.city_adcode)
            .select_from(c.join(e, c.c.uscc == e.c.uscc))
            .where(and_(c.c.case_id.in_(ids), scope_where(viewer.scope)))
            .with_for_update(of=c))}
        missing = [cid for cid in ids if cid not in rows]
        if missing:
            raise rc.CaseError(NOT_FOUND.format(case_id="、".join(map(str, missing))))
        if len({r.city_adcode for r in rows.values()}) != 1:
            raise rc.CaseError("批量督办函只能列入同一城市的督办事项。")
        for cid, version in cases:
            row = rows[cid]
            if row.version != version:
                raise CaseConflict(f"督办事项 {cid} 已被他人办理（当前状态：{row.status}），"
                                   "请刷新后再操作。")
            problem = rc.step_problem(rc.ISSUE, row.status, today=today, step_date=sent,
                                      reply_due=reply_due)
            if problem:
                raise rc.CaseError(f"督办事项 {cid}：{problem}")
        number = _new_document(conn, viewer, kind=rc.BATCH_LETTER, typed=doc_no, sent=sent,
                               issuer=issuer, addressee=addressee, rules=rules,
                               province=province, now=now)
        for cid, version in cases:
            conn.execute(update(c).where(and_(c.c.case_id == cid, c.c.version == version))
                         .values(status=rc.SENT, doc_no=number, sent_date=sent,
                                 reply_due=reply_due, updated_at=now,
                                 updated_by=viewer.username, version=version + 1))
            conn.execute(insert(stp).values(
                case_id=cid, action=rc.ISSUE, from_status=rc.DRAFT, to_status=rc.SENT,
                step_date=sent, reply_due=reply_due, note=f"以批量督办函 {number} 发出",
                actor=viewer.username, actor_name=_actor_name(viewer), at=now))
        viewer.log(conn, "case_step", "成功", target=number,
                   detail=f"批量督办函主送 {addressee}，列入督办事项 {len(cases)} 项："
                          + "、".join(str(cid) for cid, _ in cases))
    return number


def document(source: Source, scope: Scope, doc_no: str, today: dt.date
             ) -> tuple[dict, pd.DataFrame] | None:
    """A document sent (its row) and the cases in scope it sent; None when it sent none of
    the viewer's cases."""
    cases = read_frame(source.engine, _case_select().where(and_(c.c.doc_no == doc_no,
                                                                scope_where(scope)))
                       .order_by(c.c.case_id))
    if cases.empty:
        return None
    with source.engine.connect() as conn:
        row = conn.execute(select(doc).where(doc.c.doc_no == doc_no)).one()
    return dict(row._mapping), _derive(cases, today)


def ledger(cases: pd.DataFrame, suggested: pd.Series | None = None) -> pd.DataFrame:
    """The 督办台账 as shown and exported: one row per case, Chinese columns, dates as dates."""
    hint = suggested if suggested is not None else pd.Series(False, index=cases.index)
    return pd.DataFrame({
        "编号": cases["case_id"].astype(int),
        "文号": cases["doc_no"].fillna("（未发出）"),
        "企业名称": cases["enterprise_name"],
        "城市": cases["city"], "区县": cases["county"],
        "类别": cases["category"], "督办事由": cases["reason"],
        "主送": cases["addressee"],
        "状态": cases["shown_status"],
        "建议办结": hint.map({True: "是", False: ""}),
        "发出日期": cases["sent_date"], "回复期限": cases["reply_due"],
        "逾期天数": cases["days_overdue"].astype(int),
        "回复日期": cases["replied_date"], "办结日期": cases["closed_date"],
        "统一社会信用代码": cases["uscc"],
    })


def city_counts(cases: pd.DataFrame) -> pd.DataFrame:
    """Per city: cases in all, 在办, waiting for a reply, 逾期未回复, 已办结 (plus 合计)."""
    cols = ["城市", "督办事项", "在办", "待回复", "逾期未回复", "已办结"]
    if cases.empty:
        return pd.DataFrame(columns=cols)
    g = cases.assign(
        在办=cases["status"].isin(rc.OPEN), 待回复=cases["status"].isin(rc.WAITING),
        逾期未回复=cases["shown_status"].eq(rc.OVERDUE), 已办结=cases["status"].eq(rc.CLOSED),
    ).groupby(["city_adcode", "city"], sort=True)
    out = g.agg(督办事项=("case_id", "size"), 在办=("在办", "sum"), 待回复=("待回复", "sum"),
                逾期未回复=("逾期未回复", "sum"), 已办结=("已办结", "sum")).reset_index()
    out = out.drop(columns="city_adcode").rename(columns={"city": "城市"})
    total = out.drop(columns="城市").sum()
    out.loc[len(out)] = ["合计", *total.tolist()]
    return out[cols].astype({c_: int for c_ in cols[1:]})


def ageing(cases: pd.DataFrame) -> dict[str, int]:
    """Cases waiting for a reply per ageing bucket (days past the reply deadline)."""
    waiting = cases[cases["status"].isin(rc.WAITING)]
    buckets = waiting["days_overdue"].map(rc.ageing_bucket).value_counts()
    return {b: int(buckets.get(b, 0)) for b in rc.AGEING_BUCKETS}


def today() -> dt.date:
    """Today in Beijing: reply deadlines and 逾期未回复 are counted in the office's days."""
    from rules.security import to_local

    return to_local(utc_now()).date()


def enterprise_brief(source: Source, scope: Scope, uscc: str) -> dict | None:
    """Name, city and county of an enterprise in scope (for the new-case form), else None."""
    city, county = _region("city_r"), _region("county_r")
    with source.engine.connect() as conn:
        row = conn.execute(
            select(e.c.uscc, e.c.name, city.c.name.label("city"),
                   county.c.name.label("county"))
            .select_from(e.join(city, city.c.adcode == e.c.city_adcode)
                         .join(county, county.c.adcode == e.c.county_adcode))
            .where(and_(e.c.uscc == uscc, scope_where(scope)))).first()
    return None if row is None else dict(row._mapping)
