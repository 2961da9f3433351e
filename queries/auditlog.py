"""操作日志 (the security audit log of 等保 2.0): every sign-in, sign-out, failure, lockout,
download, import and account or settings change, with who, when, where from and in which
jurisdiction. Written by the app in the same transaction as the action it records; read by the
audit administrator; never changed or deleted (database triggers refuse it, see
queries.schema.LOG_GUARDS). Entries past the retention period move to audit_log_archive only in
an explicit archive step.

    python -m queries.auditlog archive [--url DATABASE_URL]   move entries past retention
"""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd
from sqlalchemy import DateTime, String, and_, delete, func, insert, literal, select
from sqlalchemy.engine import Connection, Engine

from queries import schema as s
from queries.db import read_frame
from rules.security import local_day_start_utc

# The actions the log knows, in the words the audit administrator filters by.
ACTIONS = {
    "signin": "登录", "signin_failed": "登录失败", "locked": "账号锁定", "signout": "退出登录",
    "session_end": "会话结束", "password_change": "修改密码", "account_create": "新建账号",
    "account_bulk": "批量新建账号", "account_role": "变更角色或辖区",
    "account_status": "停用或启用账号",
    "account_reset": "重置密码", "account_unlock": "解锁账号", "settings": "修改安全设置",
    "download": "下载", "import": "导入数据", "import_undo": "撤销导入", "denied": "越权访问",
    "log_export": "导出日志",
    "log_archive": "归档日志", "case_open": "登记督办事项", "case_step": "办理督办事项",
}
LOG_LIMIT = 5000  # rows a query of the log page returns at most (newest first)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def record(conn: Connection, action: str, outcome: str, username: str, *,
           account_id: int | None = None, role: str | None = None, target: str | None = None,
           scope: str | None = None, detail: str | None = None, ip: str | None = None,
           at: dt.datetime | None = None) -> None:
    """Write one entry on `conn` (inside the caller's transaction, so the entry and the action
    it records are written together or not at all)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(insert(s.audit_log).values(
        at=at or utc_now(), account_id=account_id, username=(username or "")[:64], role=role,
        action=action, outcome=outcome, target=(target or None) and target[:256],
        scope=(scope or None) and scope[:128], detail=detail, ip=(ip or None) and ip[:64]))


def record_now(engine: Engine, action: str, outcome: str, username: str, **kw) -> None:
    """`record` in a transaction of its own (downloads, refusals: nothing else is written)."""
    with engine.begin() as conn:
        record(conn, action, outcome, username, **kw)


def entries(engine: Engine, start: dt.date, end: dt.date, username: str = "",
            actions: tuple[str, ...] = (), outcomes: tuple[str, ...] = (),
            archived: bool = False, limit: int = LOG_LIMIT) -> tuple[pd.DataFrame, int]:
    """Entries from `start` to `end` (Beijing dates, inclusive), newest first, at most
    `limit`; returns (rows, total matching)."""
    t = s.audit_log_archive if archived else s.audit_log
    clauses = [t.c.at >= local_day_start_utc(start),
               t.c.at < local_day_start_utc(end + dt.timedelta(days=1))]
    if username.strip():
        clauses.append(t.c.username.contains(username.strip(), autoescape=True))
    if actions:
        clauses.append(t.c.action.in_(actions))
    if outcomes:
        clauses.append(t.c.outcome.in_(outcomes))
    where = and_(*clauses)
    cols = [t.c.log_id, t.c.at, t.c.username, t.c.role, t.c.action, t.c.outcome, t.c.target,
            t.c.scope, t.c.detail, t.c.ip]
    rows = read_frame(engine, select(*cols).where(where)
                      .order_by(t.c.at.desc(), t.c.log_id.desc()).limit(limit))
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(t).where(where)).scalar_one()
    return rows, int(total)


def archivable(engine: Engine, retention_days: int, now: dt.datetime | None = None) -> int:
    cutoff = (now or utc_now()) - dt.timedelta(days=retention_days)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(s.audit_log)
                                .where(s.audit_log.c.at < cutoff)).scalar_one())


def archive(engine: Engine, by: str, retention_days: int, now: dt.datetime | None = None,
            account_id: int | None = None, role: str | None = None, ip: str | None = None
            ) -> int:
    """Move entries older than the retention period to audit_log_archive, in one transaction
    (the guard lets an entry leave audit_log only once its copy is in the archive)."""
    now = now or utc_now()
    cutoff = now - dt.timedelta(days=retention_days)
    log, arc = s.audit_log, s.audit_log_archive
    names = [c.name for c in log.columns]
    with engine.begin() as conn:
        moved = conn.execute(select(func.count()).select_from(log)
                             .where(log.c.at < cutoff)).scalar_one()
        conn.execute(insert(arc).from_select(
            [*names, "archived_at", "archived_by"],
            select(*[log.c[n] for n in names], literal(now, DateTime()),
                   literal(by[:64], String(64))).where(log.c.at < cutoff)))
        conn.execute(delete(log).where(log.c.at < cutoff))
        record(conn, "log_archive", "成功", by, account_id=account_id, role=role,
               detail=f"归档 {moved} 条 {retention_days} 天前的日志", ip=ip, at=now)
    return int(moved)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from queries.accounts import settings
    from queries.db import database_url, get_engine

    p = argparse.ArgumentParser(prog="python -m queries.auditlog",
                                description="操作日志归档：把超过在线保存期的日志移入归档表（不删除）。")
    p.add_argument("command", choices=["archive"])
    p.add_argument("--url", help="数据库 URL（默认 DATABASE_URL）")
    args = p.parse_args(argv)
    engine = get_engine(args.url or database_url())
    days = settings(engine).log_retention_days
    n = archive(engine, "命令行", days)
    print(f"已将 {n} 条超过 {days} 天的操作日志移入归档表 audit_log_archive。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
