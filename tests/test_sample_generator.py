"""The sample generator: deterministic, scalable, portable (SQLite and PostgreSQL), safe CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from queries import schema
from queries.db import get_engine
from sample_data.generate import BadInput, build

ROOT = Path(__file__).resolve().parent.parent
SMALL = 0.05
CJK = re.compile(r"[\u4e00-\u9fff]")


# Sums of floats: the last bits differ between database engines.
DERIVED = {"audit_outcome", "audit_outcome_year"}


def content_hash(engine) -> str:
    """Hash of every loaded table's rows ordered by primary key, as SQLAlchemy returns them."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            if table.name in DERIVED:
                continue
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest.update(table.name.encode())
            digest.update(repr([tuple(r) for r in rows]).encode())
    return digest.hexdigest()


def sqlite_build(path: Path, **params) -> tuple[sa.Engine, dict]:
    engine = get_engine(f"sqlite:///{path}")
    counts = build(engine, **params)
    return engine, counts


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "a.db"
    engine, counts = sqlite_build(path, scale=SMALL)
    yield path, engine, counts
    engine.dispose()


# Written by the app as people use it (sign-ins, the log, imports through 数据导入), not by
# the generator (the demo accounts and the 督办 history are; attachments are files people upload).
RUNTIME_TABLES = {"audit_log", "audit_log_archive", "security_setting", "user_session",
                  "import_batch", "import_change", "case_attachment", "quality_snapshot"}


def test_build_fills_every_table(small):
    _, _, counts = small
    assert set(counts) == set(schema.metadata.tables) - RUNTIME_TABLES
    assert all(n > 0 for name, n in counts.items()), counts


def test_same_seed_gives_same_content_and_bytes(small, tmp_path):
    path, engine, _ = small
    other, _ = sqlite_build(tmp_path / "b.db", scale=SMALL)
    assert content_hash(other) == content_hash(engine)
    other.dispose()
    engine.dispose()
    assert (tmp_path / "b.db").read_bytes() == path.read_bytes()


def test_other_seed_gives_other_content(small, tmp_path):
    _, engine, _ = small
    other, _ = sqlite_build(tmp_path / "c.db", scale=SMALL, seed=7)
    assert content_hash(other) != content_hash(engine)
    other.dispose()


def test_scale_multiplies_entities(tmp_path):
    _, counts = sqlite_build(tmp_path / "d.db", scale=0.06)
    _, bigger = sqlite_build(tmp_path / "e.db", scale=0.18)
    for table in ("enterprise", "park", "audit_round", "audit_option", "permit",
                  "panel_assignment", "credit_rating"):
        assert 2.4 < bigger[table] / counts[table] < 3.6, (table, counts[table], bigger[table])
    for table in ("consultancy", "expert"):  # these have a floor for tiny samples
        assert bigger[table] > counts[table]
    for table in ("region", "industry", "listing_batch", "plan_period"):
        assert bigger[table] == counts[table]


def test_app_meta_describes_the_sample(small):
    _, engine, _ = small
    with engine.connect() as conn:
        meta = dict(conn.execute(sa.select(schema.app_meta)).all())
    assert meta["province_adcode"] == "320000"
    assert meta["province_name"] == "江苏省"
    assert meta["is_sample"] == "1"
    assert meta["seed"] == "20201015"
    assert float(meta["scale"]) == SMALL
    assert meta["as_of"] == "2026-11-24"
    assert meta["generated_by"] == "sample_data.generate"
    assert re.fullmatch(r"[0-9a-f]{16}", meta["data_version"])


@pytest.mark.parametrize("params", [
    {"province": "999999"}, {"province": "320100"}, {"scale": 0}, {"scale": -1},
    {"scale": "abc"}, {"seed": -1}, {"as_of": "2026-13-01"}, {"as_of": dt.date(2019, 1, 1)},
])
def test_build_rejects_bad_parameters(params):
    engine = sa.create_engine("sqlite://")
    with pytest.raises(BadInput) as err:
        build(engine, **params)
    assert CJK.search(str(err.value))


# -- other provinces ---------------------------------------------------------------------------

def _rows(engine, sql: str):
    with engine.connect() as conn:
        return conn.exec_driver_sql(sql).all()


def test_beijing_is_a_municipality(tmp_path):
    engine, counts = sqlite_build(tmp_path / "bj.db", province="110000", scale=SMALL)
    levels = dict(_rows(engine, "SELECT level, count(*) FROM region GROUP BY level"))
    assert levels == {"省": 1, "市": 1, "区县": 16}
    assert _rows(engine, "SELECT adcode FROM region WHERE level = '市'") == [("110100",)]
    assert counts["enterprise"] < 100  # Beijing has little heavy industry left
    assert _rows(engine, "SELECT count(*) FROM enterprise WHERE city_adcode <> '110100'") == [(0,)]
    engine.dispose()


def test_liaoning_adds_its_own_industry(tmp_path):
    engine, _ = sqlite_build(tmp_path / "ln.db", province="210000", scale=0.03)
    extra = _rows(engine, "SELECT code, name, is_national FROM industry WHERE NOT is_national")
    assert extra == [("magnesia", "镁砂", 0)]
    assert _rows(engine, "SELECT count(*) FROM industry WHERE is_national") == [(13,)]
    engine.dispose()


def test_hubei_cities_without_counties(tmp_path):
    engine, _ = sqlite_build(tmp_path / "hb.db", province="420000", scale=0.03)
    # 仙桃/潜江/天门/神农架 are county-level cities under the province: their own county.
    rows = _rows(engine, "SELECT level, parent_adcode FROM region WHERE adcode = '429004'")
    assert rows == [("市", "420000")]
    bad = _rows(engine, "SELECT count(*) FROM enterprise e JOIN region c ON c.adcode = "
                        "e.county_adcode WHERE c.adcode <> e.city_adcode "
                        "AND c.parent_adcode <> e.city_adcode")
    assert bad == [(0,)]
    engine.dispose()


# -- PostgreSQL --------------------------------------------------------------------------------

def _pg_url() -> str:
    return os.environ.get("TEST_DATABASE_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_schema():
    """A throwaway PostgreSQL schema; skipped when no server answers (fails under CI=true)."""
    admin = sa.create_engine(_pg_url())
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as e:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL unreachable at {_pg_url()} under CI: {e}")
        pytest.skip(f"PostgreSQL unreachable at {_pg_url()} (set TEST_DATABASE_URL)")
    name = f"sample_test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    engine = sa.create_engine(_pg_url(), connect_args={"options": f"-csearch_path={name}"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    admin.dispose()


def test_postgresql_build_matches_sqlite(pg_schema, small):
    _, lite, counts = small
    assert build(pg_schema, scale=SMALL) == counts
    assert content_hash(pg_schema) == content_hash(lite)
    rollups = [pd.read_sql_table("audit_outcome", e).sort_values("audit_id", ignore_index=True)
               for e in (pg_schema, lite)]
    pd.testing.assert_frame_equal(*rollups, check_dtype=False, rtol=1e-9)
    # Building again replaces the data rather than adding to it.
    assert build(pg_schema, scale=SMALL) == counts


# -- command line ------------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sample_data.generate", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_cli_writes_the_file_atomically(tmp_path):
    out = tmp_path / "cli.db"
    result = run_cli("--out", str(out), "--scale", "0.02", "--seed", "3", "--as-of", "2025-06-30")
    assert result.returncode == 0, result.stderr
    assert "enterprise" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["cli.db"]  # no temporary file left
    engine = get_engine(f"sqlite:///{out}")
    meta = dict(_rows(engine, "SELECT key, value FROM app_meta"))
    assert (meta["seed"], meta["as_of"]) == ("3", "2025-06-30")
    engine.dispose()


@pytest.fixture
def a_file(tmp_path) -> Path:
    path = tmp_path / "plain.txt"
    path.write_text("not a directory")
    return path


@pytest.mark.parametrize("args", [
    ["--province", "999999"],
    ["--province", "320100"],
    ["--scale", "0"],
    ["--scale", "-2"],
    ["--scale", "nan"],
    ["--seed", "-1"],
    ["--as-of", "2026-13-45"],
    ["--as-of", "2019-01-01"],
    ["--out", "{file}/x.db"],
    ["--out", "/nonexistent-dir-for-test/x.db"],
    ["--url", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
    ["--url", "notadb://x"],
    ["--unknown-flag"],
])
def test_cli_bad_input_exits_2_in_chinese(args, a_file):
    args = [a.replace("{file}", str(a_file)) for a in args]
    if "--out" not in args and "--url" not in args:
        args += ["--out", str(a_file.parent / "never.db")]
    result = run_cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert CJK.search(result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert not (a_file.parent / "never.db").exists()
