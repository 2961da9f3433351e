"""Backups (issue: hardening, item 6): `python -m queries.backup` (make backup / make restore)
backs up and restores the database while the app reads it, on SQLite (online backup API) and
PostgreSQL (pg_dump / pg_restore); the data after a restore equals the data backed up.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, delete, func, select, update

from queries import backup as bk
from queries import migrate
from queries import schema as s
from queries.db import get_engine, read_frame
from tests import handmade
from tests.browser import ROOT


def everything(url: str) -> dict[str, pd.DataFrame]:
    """Every table, rows in a fixed order."""
    engine = get_engine(url)
    out = {}
    for table in s.metadata.sorted_tables:
        frame = read_frame(engine, select(table))
        out[table.name] = frame.sort_values(list(frame.columns)).reset_index(drop=True) \
            if len(frame) else frame
    return out


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False, obj=name)


def spoil(url: str) -> None:
    """What a mistaken import or a bad day does: rows gone, names changed, version bumped."""
    with get_engine(url).begin() as conn:
        conn.execute(delete(s.penalty))
        conn.execute(update(s.enterprise).values(name="被误改的名称"))
        conn.execute(update(s.app_meta).where(s.app_meta.c.key == "data_version")
                     .values(value="spoiled"))


def test_backup_and_restore_round_trip(handmade_url, tmp_path):
    original = everything(handmade_url)
    made = bk.backup(handmade_url, tmp_path)
    assert made.parent == tmp_path and made.stat().st_size > 0
    assert made.suffix == (".sqlite" if handmade_url.startswith("sqlite") else ".dump")
    spoil(handmade_url)
    assert everything(handmade_url)["penalty"].empty
    safety, said = bk.restore(handmade_url, made, tmp_path)
    get_engine(handmade_url).dispose()
    assert_same(original, everything(handmade_url))  # data equal after the restore
    assert said == f"已从 {made.name} 恢复"
    assert "-before-restore" in safety.name and safety.exists()
    if handmade_url.startswith("sqlite"):  # the spoiled state was kept: it can come back
        bk.restore(handmade_url, safety, tmp_path)
        get_engine(handmade_url).dispose()
        assert everything(handmade_url)["penalty"].empty


def test_sqlite_backup_and_restore_while_pages_read(handmade_sqlite, tmp_path):
    """A reader running all the time sees the data before or after, never an error or a mix,
    and sees the restored data without reconnecting."""
    import time

    made = bk.backup(handmade_sqlite, tmp_path)  # 5 permits
    seen, errors, stop = [], [], threading.Event()
    reader = create_engine(handmade_sqlite, connect_args={"timeout": 30})

    def read():
        while not stop.is_set():
            try:
                with reader.connect() as conn:
                    seen.append(conn.execute(select(func.count()).select_from(s.permit))
                                .scalar())
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)
            time.sleep(0.001)

    def wait_for(count: int) -> bool:
        deadline = time.time() + 10
        while time.time() < deadline:
            if seen and seen[-1] == count:
                return True
            time.sleep(0.01)
        return False

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for _ in range(3):
            with get_engine(handmade_sqlite).begin() as conn:  # 5 -> 4 permits
                conn.execute(delete(s.permit).where(s.permit.c.uscc == handmade.E4))
            assert wait_for(4)
            bk.backup(handmade_sqlite, tmp_path)
            bk.restore(handmade_sqlite, made, tmp_path)
            assert wait_for(5)  # the pooled reader sees the restored data
    finally:
        stop.set()
        thread.join()
        reader.dispose()
    assert errors == [] and set(seen) == {4, 5} and len(seen) > 10


def test_an_older_backup_is_brought_to_the_code_schema(tmp_path):
    from tests.test_hardening_migrations import _legacy

    old = tmp_path / "old" / "legacy.sqlite"
    old.parent.mkdir()
    old.touch()
    _legacy(f"sqlite:///{old}")
    live = tmp_path / "live.db"
    url = f"sqlite:///{live}"
    s.create_all(get_engine(url))
    handmade.build(get_engine(url))
    _safety, said = bk.restore(url, old, tmp_path / "backups")
    assert f"升级到 {migrate.head()}" in said
    with get_engine(url).connect() as conn:
        assert migrate.state_of(conn).ok
    assert len(everything(url)["enterprise"]) == len(handmade.ROWS["enterprise"])


def test_wrong_or_missing_backup_files_are_refused(handmade_sqlite, tmp_path):
    with pytest.raises(bk.BackupError, match="备份文件不存在"):
        bk.restore(handmade_sqlite, tmp_path / "none.sqlite", tmp_path)
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(bk.BackupError, match="与数据库类型不符"):
        bk.restore(handmade_sqlite, dump, tmp_path)
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(Exception):  # noqa: B017 - sqlite3 or the check: never restored
        bk.restore(handmade_sqlite, broken, tmp_path)
    assert len(everything(handmade_sqlite)["enterprise"]) == 5
    with pytest.raises(bk.BackupError, match="数据库文件不存在"):
        bk.backup(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path)
    assert not (tmp_path / "missing.db").exists()


def test_pg_dump_older_than_the_server_is_named(pg_url, tmp_path, monkeypatch):
    s.create_all(get_engine(pg_url))
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PG_DUMP", str(fake))
    server = bk.server_major(pg_url)
    with pytest.raises(bk.BackupError) as info:
        bk.backup(pg_url, tmp_path)
    assert f"本机 pg_dump 的版本（9）低于数据库服务器（PostgreSQL {server}）" in str(info.value)
    assert f"postgresql-client-{server}" in str(info.value)
    monkeypatch.setenv("PG_DUMP", str(tmp_path / "nowhere"))
    with pytest.raises(bk.BackupError, match="本机没有 pg_dump"):
        bk.backup(pg_url, tmp_path)
    assert bk.version_problem("pg_dump (PostgreSQL) 15.20 (Debian)", 15) is None


def test_command_line_backup_list_prune_and_restore(handmade_sqlite, tmp_path):
    env = {**os.environ, "DATABASE_URL": handmade_sqlite, "BACKUP_DIR": str(tmp_path / "b")}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "queries.backup", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)

    first = run("backup")
    assert first.returncode == 0 and "已备份到" in first.stdout, first.stderr
    files = sorted((tmp_path / "b").glob("handmade-*.sqlite"))
    assert len(files) == 1
    # names carry the second: make three more a second apart in name, keep the newest two
    for i, f in enumerate(["handmade-20200101-000000", "handmade-20200101-000001"]):
        (tmp_path / "b" / f"{f}.sqlite").write_bytes(files[0].read_bytes())
        os.utime(tmp_path / "b" / f"{f}.sqlite", (1_000_000 + i, 1_000_000 + i))
    kept = run("backup", "--keep", "2")
    assert kept.returncode == 0 and kept.stdout.count("已删除较早的备份") == 2
    assert len(list((tmp_path / "b").glob("handmade-*.sqlite"))) == 2
    listed = run("list")
    assert listed.returncode == 0 and listed.stdout.count(".sqlite") == 2
    spoil(handmade_sqlite)
    back = run("restore", str(files[0]) if files[0].exists() else
               str(sorted((tmp_path / "b").glob("handmade-*.sqlite"))[-1]))
    assert back.returncode == 0 and "已从" in back.stdout, back.stderr
    get_engine(handmade_sqlite).dispose()
    assert len(everything(handmade_sqlite)["penalty"]) == 1
    missing = run("restore", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 1 and "备份文件不存在" in missing.stderr


def test_make_targets_exist():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-m queries.backup backup" in text and "-m queries.backup restore" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make backup" in readme and "make restore FILE=" in readme
    assert Path(bk.backup_dir({})).name == "backups"
