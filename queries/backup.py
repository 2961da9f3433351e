"""Backups of the audit database, made and restored while the app runs.

    python -m queries.backup backup [--url URL] [--dir DIR] [--keep N]    (make backup)
    python -m queries.backup restore FILE [--url URL]                     (make restore FILE=…)
    python -m queries.backup list [--dir DIR]

SQLite: SQLite's online backup API copies a consistent snapshot while pages keep reading (and
an import may be writing); a restore copies the backup into the live file the same way, so a
page sees either the old or the restored data, never a mix. PostgreSQL: `pg_dump -Fc` and
`pg_restore --clean --single-transaction` (all or nothing). The pg_dump on this machine must not
be older than the server (pg_dump refuses newer servers): the command says so and names the
version needed; PG_DUMP / PG_RESTORE point to other binaries.

Backups go to BACKUP_DIR (default `backups/` beside the code), named after the database and the
time: `sample-20261201-153000.sqlite`, `cpa-20261201-153000.dump`. A restore first backs up the
database as it is (`…-before-restore.…`), checks the backup's schema version, and brings an
older backup up to the code's version (queries.migrate) in the same command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from queries.db import ROOT, database_url, describe

BACKUP_DIR_ENV = "BACKUP_DIR"
COMMAND = "python -m queries.backup"


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why, in Chinese."""


def backup_dir(env: dict | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get(BACKUP_DIR_ENV) or ROOT / "backups")


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def _name(url: str) -> str:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        base = Path((u.database or "db").removeprefix("file:").split("?", 1)[0]).stem
    else:
        base = u.database or "db"
    return re.sub(r"[^\w.-]", "_", base) or "db"


def _sqlite_file(url: str) -> Path | None:
    from queries.migrate import sqlite_path

    return sqlite_path(url)


def _schema_of(url: str) -> tuple[str, str | None]:
    """(state kind, revision) of a database: current / behind / ahead / unversioned / empty."""
    from queries.migrate import state_of

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            state = state_of(conn)
        return state.kind, state.revision
    finally:
        engine.dispose()


# ---- SQLite ----------------------------------------------------------------------------------

def _sqlite_copy(source: Path, target: Path, pages: int = -1) -> None:
    """Copy `source` into `target` with SQLite's online backup API. Readers of the target see
    the old or the new content (the copy commits as one); a busy database is retried."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst, pages=pages, sleep=0.05)
        finally:
            dst.close()
    finally:
        src.close()


def _sqlite_check(path: Path) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = con.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        con.close()
    if result != "ok":
        raise BackupError(f"备份文件校验未通过（{result}）：{path}")


# ---- PostgreSQL ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PgTarget:
    dsn: str  # libpq URL without the password
    env: dict


def _pg(url: str) -> PgTarget:
    u = make_url(url)
    dsn = u.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)  # not on the command line
    return PgTarget(dsn, env)


def _tool(name: str) -> str:
    path = os.environ.get(name.upper().replace("-", "_")) or shutil.which(name)
    if not path or not Path(path).is_file():
        raise BackupError(f"本机没有 {name}：请安装 PostgreSQL 客户端工具（Debian：apt-get install "
                          f"postgresql-client），或用环境变量 {name.upper()} 指明其路径。")
    return path


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.(\d+))?", version_text)
    if not found:
        raise BackupError(f"无法识别版本：{version_text.strip()}")
    return int(found.group(1))


def server_major(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SHOW server_version_num").scalar()) // 10_000
    finally:
        engine.dispose()


def version_problem(tool_version: str, server: int, tool: str = "pg_dump") -> str | None:
    """pg_dump refuses a server newer than itself; say so with the version needed."""
    mine = _major(tool_version)
    if mine >= server:
        return None
    return (f"本机 {tool} 的版本（{mine}）低于数据库服务器（PostgreSQL {server}），无法备份或恢复。"
            f"请安装 PostgreSQL {server} 的客户端工具（Debian：postgresql-client-{server}），"
            f"或用环境变量 {tool.upper()} 指向版本不低于 {server} 的 {tool}。")


def _run(cmd: list[str], env: dict, what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [x for x in (done.stderr or done.stdout).splitlines() if x.strip()]
        raise BackupError(f"{what}失败：" + ("；".join(lines[-3:]) or f"退出码 {done.returncode}"))


def _pg_checked_tool(url: str, name: str) -> str:
    tool = _tool(name)
    version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    problem = version_problem(version, server_major(url), name)
    if problem:
        raise BackupError(problem)
    return tool


# ---- the two commands ------------------------------------------------------------------------

def backup(url: str, folder: Path, label: str = "") -> Path:
    """A backup of the database at `url` in `folder`; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = _sqlite_file(url)
    sqlite = make_url(url).get_backend_name() == "sqlite"
    if sqlite and (path is None or not path.exists()):
        raise BackupError(f"数据库文件不存在：{path}")
    tool = None if sqlite else _pg_checked_tool(url, "pg_dump")
    target = _new_file(folder, f"{_name(url)}-{_stamp()}", label,
                       ".sqlite" if sqlite else ".dump")
    try:
        if sqlite:
            _sqlite_copy(path, target)
            _sqlite_check(target)
        else:
            pg = _pg(url)
            _run([tool, "--format=custom", "--file", str(target), "--dbname", pg.dsn], pg.env,
                 "pg_dump 备份")
    except BaseException:
        target.unlink(missing_ok=True)  # no half-made backup is left to be trusted
        raise
    return target


def _new_file(folder: Path, stem: str, label: str, suffix: str) -> Path:
    """A name no earlier backup has: two backups within one second get -2, -3, …"""
    n = 1
    while True:
        target = folder / f"{stem}{'' if n == 1 else f'-{n}'}{label}{suffix}"
        try:
            target.open("xb").close()  # claimed atomically, never overwriting
            return target
        except FileExistsError:
            n += 1


def restore(url: str, file: Path, folder: Path) -> tuple[Path, str]:
    """Replace the database at `url` by the backup `file`, after backing it up in `folder`.
    Returns (the backup of the database as it was, what was done in words)."""
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"备份文件不存在：{file}")
    sqlite = make_url(url).get_backend_name() == "sqlite"
    if sqlite != (file.suffix == ".sqlite"):
        raise BackupError(f"备份文件 {file.name} 与数据库类型不符（SQLite 用 .sqlite，"
                          "PostgreSQL 用 .dump）。")
    if sqlite:
        _sqlite_check(file)
        kind, revision = _schema_of(f"sqlite:///{file}")
        if kind == "ahead":
            raise BackupError(f"备份的数据库结构版本（{revision}）比本程序新，"
                              "请用对应版本的程序恢复。")
    safety = backup(url, folder, "-before-restore")
    if sqlite:
        path = _sqlite_file(url)
        _sqlite_copy(file, path)
    else:
        pg = _pg(url)
        tool = _pg_checked_tool(url, "pg_restore")
        _run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", "--dbname", pg.dsn, str(file)], pg.env, "pg_restore 恢复")
    kind, revision = _schema_of(url)
    said = f"已从 {file.name} 恢复"
    if kind in ("behind", "unversioned"):
        from queries.migrate import upgrade

        before, after, _ = upgrade(url)
        said += f"，并将数据库结构从 {revision or '未标注版本'} 升级到 {after.revision}"
    elif kind == "ahead":
        said += f"；注意：数据库结构版本（{revision}）比本程序新，请更新程序"
    return safety, said


def backups(folder: Path) -> list[Path]:
    return sorted((p for p in folder.glob("*") if p.suffix in (".sqlite", ".dump")),
                  key=lambda p: p.stat().st_mtime)


def prune(folder: Path, url: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` regular backups of this database; returns the deleted."""
    name = _name(url)
    mine = [p for p in backups(folder)
            if re.fullmatch(rf"{re.escape(name)}-\d{{8}}-\d{{6}}(-\d+)?", p.stem)]
    gone = mine[:-keep] if keep > 0 else []
    for p in gone:
        p.unlink()
    return gone


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=COMMAND,
                                description="备份与恢复审核数据库（应用运行时即可）。")
    p.add_argument("--url", help="数据库 URL（默认取环境变量 DATABASE_URL，或内置样例库）")
    p.add_argument("--dir", help=f"备份文件夹（默认取环境变量 {BACKUP_DIR_ENV}，或 backups/）")
    sub = p.add_subparsers(dest="action", required=True)
    b = sub.add_parser("backup", help="备份")
    b.add_argument("--keep", type=int, default=0, help="只保留最近 N 份备份（默认全部保留）")
    r = sub.add_parser("restore", help="用备份文件替换数据库（先自动备份当前数据库）")
    r.add_argument("file")
    sub.add_parser("list", help="列出备份")
    args = p.parse_args(argv)
    url = args.url or database_url()
    folder = Path(args.dir) if args.dir else backup_dir()
    where = describe(url)
    try:
        if args.action == "backup":
            made = backup(url, folder)
            print(f"{where}：已备份到 {made}（{made.stat().st_size / 1e6:,.1f} MB）")
            for gone in prune(folder, url, args.keep):
                print(f"已删除较早的备份：{gone.name}")
        elif args.action == "restore":
            safety, said = restore(url, Path(args.file), folder)
            print(f"{where}：{said}。恢复前的数据库已备份到 {safety}")
        else:
            for item in backups(folder):
                print(f"{item}  {item.stat().st_size / 1e6:,.1f} MB")
    except BackupError as exc:
        print(f"{where}：{exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the operator needs the reason, not a traceback
        print(f"{where}：{args.action} 失败：{str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
