"""Schema versions (Alembic): which version a database is at, and upgrading it in place.

    python -m queries.migrate [--url DATABASE_URL]     upgrade to the code's version
    python -m queries.migrate --check [--url …]        say where the database stands (exit 1
                                                       when it is not at the code's version)

The migrations live in queries/migrations/versions. A database made before versioning existed
(no alembic_version table, but the audit tables) is the baseline revision: it is stamped and
upgraded. An upgrade is one transaction on both databases; on SQLite the file is also copied
beside itself first (SQLite's online backup), because the file may be the only copy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine, make_url

HERE = Path(__file__).resolve().parent
BASELINE = "0001_baseline"
COMMAND = "python -m queries.migrate"


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head() -> str:
    """The schema version this code expects."""
    return ScriptDirectory.from_config(_config()).get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    return frozenset(s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions())


@dataclass(frozen=True)
class SchemaState:
    kind: str  # "current" | "behind" | "ahead" | "unversioned" | "empty"
    revision: str | None  # the database's version (None when unversioned or empty)

    @property
    def ok(self) -> bool:
        return self.kind == "current"

    def message(self) -> str:
        """What an operator reads, in Chinese, with the command to run."""
        if self.kind == "empty":
            return f"数据库中没有审核数据表。请运行 `{COMMAND}` 建立数据库结构，再导入数据。"
        if self.kind in ("behind", "unversioned"):
            found = self.revision or "未标注版本（早期版本）"
            return (f"数据库结构版本（{found}）早于本程序所需版本（{head()}）。"
                    f"请先备份数据库，再运行 `{COMMAND}` 升级（保留全部数据）。")
        if self.kind == "ahead":
            return (f"数据库结构版本（{self.revision}）比本程序新（本程序需要 {head()}）。"
                    "请将本程序更新到与数据库一致的版本。")
        return f"数据库结构版本为最新（{self.revision}）。"


def state_of(conn: Connection) -> SchemaState:
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None:
        has_tables = inspect(conn).has_table("app_meta")
        return SchemaState("unversioned" if has_tables else "empty", None)
    if revision == head():
        return SchemaState("current", revision)
    if revision in known_revisions():
        return SchemaState("behind", revision)
    return SchemaState("ahead", revision)


def stamp_head(conn: Connection) -> None:
    """Mark a schema just created from queries.schema as the code's version."""
    command.stamp(_config(conn), "head")


def _migration_engine(url: str) -> Engine:
    """An engine whose transactions cover DDL. pysqlite otherwise commits before each DDL
    statement, and foreign keys are checked once at the end (SQLite rebuilds tables to alter
    them, which a per-statement check would refuse)."""
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    return engine


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database.removeprefix("file:").split("?", 1)[0])  # also sqlite:///file:…?uri


def backup_sqlite(path: Path, label: str) -> Path:
    """A consistent copy of a SQLite file beside it, made with SQLite's online backup API."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


class MigrationError(RuntimeError):
    """The upgrade could not be done; nothing was changed."""


def upgrade(url: str) -> tuple[SchemaState, SchemaState, Path | None]:
    """Bring the database at `url` to the code's version in one transaction; returns the
    state before, the state after and the SQLite backup made (if any). An empty database
    gets the whole schema."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise MigrationError(f"数据库文件不存在：{path}")
    engine = _migration_engine(url)
    try:
        with engine.connect() as conn:
            before = state_of(conn)
        if before.kind == "ahead":
            raise MigrationError(before.message())
        if before.kind == "current":
            return before, before, None
        backup = (backup_sqlite(path, before.revision or "unversioned")
                  if path and before.kind != "empty" else None)
        with engine.begin() as conn:
            if before.kind == "unversioned":
                command.stamp(_config(conn), BASELINE)
            command.upgrade(_config(conn), "head")
            if conn.dialect.name == "sqlite":
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise MigrationError(f"升级后外键检查未通过（{len(broken)} 处），已全部撤销。")
            after = state_of(conn)
        return before, after, backup
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    from queries.db import database_url, describe

    p = argparse.ArgumentParser(prog=COMMAND, description="升级审核数据库结构（保留全部数据）。")
    p.add_argument("--url", help="数据库 URL（默认取环境变量 DATABASE_URL，或内置样例库）")
    p.add_argument("--check", action="store_true", help="只检查版本，不升级")
    args = p.parse_args(argv)
    url = args.url or database_url()
    where = describe(url)
    try:
        if args.check:
            path = sqlite_path(url)
            if path is not None and not path.exists():
                print(f"数据库文件不存在：{path}", file=sys.stderr)
                return 1
            engine = create_engine(url)
            with engine.connect() as conn:
                st = state_of(conn)
            engine.dispose()
            print(f"{where}：{st.message()}")
            return 0 if st.ok else 1
        before, after, backup = upgrade(url)
    except MigrationError as exc:
        print(f"{where}：{exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the operator needs the reason, not a traceback
        print(f"{where}：升级失败，数据库未作任何修改。原因：{str(exc).splitlines()[0]}",
              file=sys.stderr)
        return 1
    if before.kind == "current":
        print(f"{where}：{after.message()}无需升级。")
    else:
        print(f"{where}：已从 {before.revision or '未标注版本'} 升级到 {after.revision}。")
        if backup:
            print(f"升级前的备份：{backup}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
