"""The database connection: one engine per URL, chosen by DATABASE_URL.

Without DATABASE_URL the app reads the embedded sample database (sample_data/sample.db), built by
`make sample`. SQLite connections enforce foreign keys, as PostgreSQL does.
"""

from __future__ import annotations

import functools
import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DB = ROOT / "sample_data" / "sample.db"


def default_url() -> str:
    """The embedded sample database."""
    return f"sqlite:///{SAMPLE_DB}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or default_url()


@functools.cache
def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass(frozen=True)
class Source:
    """Which database to read and the version of its data. Every cached query takes one, so a
    cache entry never outlives the data it was computed from (an import bumps the version)."""

    url: str
    version: str

    @property
    def engine(self) -> Engine:
        return get_engine(self.url)


def describe(url: str) -> str:
    """A short, password-free description of a database URL for the footer."""
    if url.startswith("sqlite"):
        return f"SQLite {Path(url.split(':///', 1)[-1]).name}"
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return f"{u.get_backend_name()} {u.host or ''}/{u.database or ''}"


def read_frame(engine: Engine | Connection, stmt, **params) -> pd.DataFrame:
    """Run one SELECT (bound parameters only) and return its rows as a DataFrame. Given a
    Connection, on it (inside its transaction, seeing what it wrote)."""
    with nullcontext(engine) if isinstance(engine, Connection) else engine.connect() as conn:
        result = conn.execute(stmt, params) if params else conn.execute(stmt)
        columns = list(result.keys())
        rows = result.fetchall()
    # Column-wise construction: handing pandas a list of Row objects inspects every row and is
    # several times slower at province scale.
    values = list(zip(*rows)) if rows else [[] for _ in columns]
    return pd.DataFrame({i: list(v) for i, v in enumerate(values)}).set_axis(columns, axis=1) \
        if rows else pd.DataFrame(columns=columns)


READ_ONLY = ("审核数据库当前为只读，暂不能导入或修改数据：{why}。"
             "请联系系统管理员开通写入权限后再操作。")


def _sqlite_file(url) -> Path | None:
    """The file of a SQLite URL, also in URI form (sqlite:///file:/path?mode=ro&uri=true)."""
    u = make_url(url)
    db = u.database or ""
    if u.get_backend_name() != "sqlite" or db in ("", ":memory:"):
        return None
    return Path(db.removeprefix("file:").split("?", 1)[0])


def write_problem(engine: Engine, tables: tuple[str, ...] = ("app_meta",)) -> str | None:
    """Why a write to this database would fail now, in Chinese; None when it can be written.
    Checked before an import starts, so an official never validates a file for nothing.

    SQLite: the file and its folder must be writable (SQLite writes its journal beside the
    file), the URL must not open it read-only, and a probe — BEGIN IMMEDIATE, a no-op UPDATE of
    each table, ROLLBACK — must succeed (a locked file, a read-only file system).
    PostgreSQL: not a standby, transaction_read_only off, INSERT and UPDATE granted on `tables`.
    """
    if engine.dialect.name == "sqlite":
        path = _sqlite_file(engine.url)
        if path is not None:
            if not path.exists():
                return READ_ONLY.format(why=f"数据库文件不存在（{path.name}）")
            if not os.access(path, os.W_OK):
                return READ_ONLY.format(why=f"数据库文件 {path.name} 为只读")
            if not os.access(path.parent, os.W_OK):
                return READ_ONLY.format(why="数据库所在文件夹不可写（SQLite 写入时需在同一文件夹"
                                            "建立日志文件）")
        if engine.url.query.get("mode") == "ro":
            return READ_ONLY.format(why="数据库以只读方式连接（mode=ro）")
        raw = engine.raw_connection()
        try:
            dbapi = raw.driver_connection
            level = dbapi.isolation_level
            dbapi.isolation_level = None  # we open and end the transaction ourselves
            try:
                dbapi.execute("BEGIN IMMEDIATE")
                for table in tables:  # rewrites one row as it is (a read-only file refuses)
                    dbapi.execute(f'UPDATE "{table}" SET rowid = rowid WHERE rowid = '
                                  f'(SELECT min(rowid) FROM "{table}")')
            except Exception as exc:  # noqa: BLE001 - sqlite3 errors, told in words
                text = str(exc).lower()
                if "locked" in text or "busy" in text:
                    return READ_ONLY.format(why="数据库正被其他程序写入（已锁定），请稍后再试")
                return READ_ONLY.format(why=f"试写入失败（{str(exc).splitlines()[0][:80]}）")
            finally:
                if dbapi.in_transaction:
                    dbapi.execute("ROLLBACK")
                dbapi.isolation_level = level
        finally:
            raw.close()
        return None
    try:
        with engine.connect() as conn:
            if conn.exec_driver_sql("SELECT pg_is_in_recovery()").scalar():
                return READ_ONLY.format(why="连接的是只读备库（standby）")
            if conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
                return READ_ONLY.format(why="数据库处于只读状态（transaction_read_only）")
            for table in tables:
                granted = conn.exec_driver_sql(  # one privilege at a time: a list means "any"
                    "SELECT has_table_privilege(current_user, %(t)s, 'INSERT')"
                    " AND has_table_privilege(current_user, %(t)s, 'UPDATE')",
                    {"t": table}).scalar()
                if not granted:
                    user = conn.exec_driver_sql("SELECT current_user").scalar()
                    return READ_ONLY.format(why=f"数据库用户 {user} 没有表 {table} 的写入权限")
    except SQLAlchemyError as exc:
        return READ_ONLY.format(why=f"无法连接数据库（{str(exc).splitlines()[0][:80]}）")
    return None
