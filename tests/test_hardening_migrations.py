"""Schema versions (issue: hardening, item 4): the migrations build exactly queries.schema, a
database made before versioning is upgraded in place with every row kept, and the app says in
Chinese what to do with a database older or newer than the code, or missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, func, select, text

from queries import migrate, schema
from queries.db import get_engine
from tests import handmade
from tests.apptest import open_page, shown
from tests.browser import ROOT


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "empty.db"
        path.touch()
        return f"sqlite:///{path}"
    return request.getfixturevalue("pg_url")


def _legacy(url: str) -> None:
    """A database as today's main made it before versioning: the baseline schema, the
    hand-built rows, and no alembic_version table."""
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), migrate.BASELINE)
        conn.exec_driver_sql("DROP TABLE alembic_version")
        tables = MetaData()
        tables.reflect(conn)
        for table in schema.metadata.sorted_tables:  # parents first
            rows = handmade.ROWS.get(table.name)
            if rows:
                have = set(tables.tables[table.name].c.keys())
                conn.execute(tables.tables[table.name].insert(),
                             [{k: v for k, v in r.items() if k in have} for r in rows])
    engine.dispose()


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
               for t in schema.metadata.sorted_tables if handmade.ROWS.get(t.name)}
    engine.dispose()
    return out


def test_migrations_build_exactly_the_schema(empty_url):
    before, after, backup = migrate.upgrade(empty_url)
    assert (before.kind, after.kind, after.revision) == ("empty", "current", migrate.head())
    assert backup is None
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                schema.metadata)
    engine.dispose()
    assert diff == []


def test_a_database_from_before_versioning_is_upgraded_with_every_row(empty_url):
    _legacy(empty_url)
    expected = {name: len(rows) for name, rows in handmade.ROWS.items() if rows}
    assert _counts(empty_url) == expected
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        assert migrate.state_of(conn).kind == "unversioned"
    engine.dispose()

    before, after, backup = migrate.upgrade(empty_url)
    assert before.kind == "unversioned" and after.ok
    assert _counts(empty_url) == expected
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        name = conn.execute(text("select name from enterprise where uscc = :u"),
                            {"u": handmade.E1}).scalar_one()
    engine.dispose()
    assert name == next(r["name"] for r in handmade.ROWS["enterprise"]
                        if r["uscc"] == handmade.E1)
    if empty_url.startswith("sqlite"):  # the file may be the only copy: a backup beside it
        assert backup is not None and backup.exists()
        assert _counts(f"sqlite:///{backup}") == expected
    # a second run has nothing to do
    assert migrate.upgrade(empty_url)[0].ok


def test_create_all_marks_the_database_current(db_url):
    with get_engine(db_url).connect() as conn:
        assert migrate.state_of(conn).ok


def test_command_line_checks_and_upgrades(tmp_path):
    path = tmp_path / "legacy.db"
    path.touch()
    url = f"sqlite:///{path}"
    _legacy(url)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "queries.migrate", "--url", url, *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    check = run("--check")
    assert check.returncode == 1 and "python -m queries.migrate" in check.stdout
    up = run()
    assert up.returncode == 0, up.stderr
    assert migrate.head() in up.stdout and "备份" in up.stdout
    assert run("--check").returncode == 0
    missing = subprocess.run([sys.executable, "-m", "queries.migrate", "--url",
                              f"sqlite:///{tmp_path / 'none.db'}"], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "不存在" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_app_on_an_older_database_names_the_command(monkeypatch, tmp_path):
    path = tmp_path / "legacy.db"
    path.touch()
    _legacy(f"sqlite:///{path}")
    at = open_page(monkeypatch, f"sqlite:///{path}")
    assert "python -m queries.migrate" in shown(at.error[0].value)
    assert "早于" in shown(at.error[0].value)
    assert not at.exception


def test_app_on_a_newer_database_says_so(monkeypatch, handmade_sqlite):
    engine = get_engine(handmade_sqlite)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = 'zz_from_the_future'"))
    at = open_page(monkeypatch, handmade_sqlite)
    assert "比本程序新" in shown(at.error[0].value)
    assert not at.exception


def test_missing_sqlite_file_is_reported_not_created(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere.db"
    at = open_page(monkeypatch, f"sqlite:///{missing}")
    assert "无法连接" in at.error[0].value
    assert "make sample" not in " ".join(i.value for i in at.info)  # not the sample database
    assert not missing.exists()


def test_database_returns_without_restart(monkeypatch, tmp_path, handmade_sqlite):
    """The app reads the database again on the next run: once the file is back, pages work
    (and the official is still signed in)."""
    from tests.apptest import session_token, sign_in

    token = session_token(handmade_sqlite, "province")
    src = Path(handmade_sqlite.removeprefix("sqlite:///"))
    away = src.with_suffix(".away")
    src.rename(away)
    at = open_page(monkeypatch, handmade_sqlite, user=None)
    sign_in(monkeypatch, token)
    assert at.error and "无法连接" in at.error[0].value
    away.rename(src)
    at.run()
    assert not at.error and not at.exception
    assert at.title[0].value == "总览"
