"""Shared fixtures: empty databases on SQLite and PostgreSQL, the hand-built known-answer
database, and the rule that missing infrastructure skips locally but fails under CI=true."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from queries import schema
from queries.db import get_engine

IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def need(condition: bool, reason: str) -> None:
    """Skip with `reason` when `condition` is false; under CI=true, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def _pg_reachable(url: str) -> str | None:
    try:
        with create_engine(url).connect() as conn:
            conn.execute(text("select 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    problem = _pg_reachable(url)
    need(problem is None, f"PostgreSQL not reachable at {url}: {problem}")
    return url


@pytest.fixture
def pg_url(pg_server_url):
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    name = f"cpa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    yield url
    get_engine.cache_clear()
    for eng in (create_engine(url),):
        eng.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty database with the schema, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    schema.create_all(get_engine(url))
    yield url
    get_engine(url).dispose()


@pytest.fixture
def handmade_url(db_url):
    """The hand-built known-answer database (tests/handmade.py) on each backend."""
    from tests import handmade

    handmade.build(get_engine(db_url))
    return db_url


def sqlite_with(tmp_path, build, name: str = "test.db") -> str:
    """A SQLite database file with the schema, filled by `build(engine)`; returns its URL."""
    url = f"sqlite:///{tmp_path / name}"
    engine = get_engine(url)
    schema.create_all(engine)
    build(engine)
    return url


@pytest.fixture
def handmade_sqlite(tmp_path):
    """The hand-built database on SQLite only, for page tests."""
    from tests import handmade

    return sqlite_with(tmp_path, handmade.build, "handmade.db")


@pytest.fixture(autouse=True)
def _apptest_runs_the_frame(monkeypatch):
    """AppTest resets Streamlit's legacy pages/-folder flag before every run, so each run would
    execute the page without app.py. A real server clears that flag for good on the first
    st.navigation call; make AppTest behave the same, so every test run goes through the frame
    (filters, context) exactly as the browser does."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class FramedPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", FramedPagesManager)
    from components import vega

    monkeypatch.setattr(vega, "VALIDATE", True)  # every chart a page test draws is validated


@pytest.fixture
def parks_sqlite(tmp_path):
    """tests/handmade_parks.py (two more parks, a park cluster audit) on SQLite."""
    from tests import handmade_parks

    return sqlite_with(tmp_path, handmade_parks.build, "parks.db")


@pytest.fixture(autouse=True)
def clear_caches():
    """st.cache_data persists across AppTest instances and tests: start each test from empty."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()


@pytest.fixture
def clock_url(db_url):
    """tests/handmade_clock.py (a lapsed re-audit, one coming due, a National Day deadline) on
    each backend."""
    from tests import handmade_clock

    handmade_clock.build(get_engine(db_url))
    return db_url


@pytest.fixture
def clock_sqlite(tmp_path):
    """tests/handmade_clock.py on SQLite only, for page tests."""
    from tests import handmade_clock

    return sqlite_with(tmp_path, handmade_clock.build, "clock.db")


@pytest.fixture
def offered(monkeypatch):
    """Every download button of a run: label -> (file name, data or the function building it)."""
    import streamlit as st
    from streamlit.delta_generator import DeltaGenerator

    got: dict[str, tuple[str, object]] = {}
    original = DeltaGenerator.download_button

    def record(self, label, data, *args, **kwargs):
        got[label] = (kwargs.get("file_name", ""), data)
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: record(st._main, *a, **k))
    return got
