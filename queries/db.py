"""The database connection: one engine per URL, chosen by DATABASE_URL.

Without DATABASE_URL the app reads the embedded sample database (sample_data/sample.db), built by
`make sample`. SQLite connections enforce foreign keys, as PostgreSQL does.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

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


def read_frame(engine: Engine, stmt, **params) -> pd.DataFrame:
    """Run one SELECT (bound parameters only) and return its rows as a DataFrame."""
    with engine.connect() as conn:
        result = conn.execute(stmt, params) if params else conn.execute(stmt)
        columns = list(result.keys())
        rows = result.fetchall()
    # Column-wise construction: handing pandas a list of Row objects inspects every row and is
    # several times slower at province scale.
    values = list(zip(*rows)) if rows else [[] for _ in columns]
    return pd.DataFrame({i: list(v) for i, v in enumerate(values)}).set_axis(columns, axis=1) \
        if rows else pd.DataFrame(columns=columns)
