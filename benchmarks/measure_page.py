"""Measure one page in a fresh process: cold run, warm rerun, SQL time, payload, peak memory.

Usage: python -m benchmarks.measure_page DATABASE_URL PAGE [USER]
(PAGE "" = the empty floor page; USER the account signed in, default demo-province)
Prints one JSON object. Run by benchmarks/run.py, one process per page, so caches start empty.
The process first imports what serve.py (`make run`) imports before the server takes its first
visitor; that start-up cost is reported as preload_s, not inside cold_s.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
sql_seconds = 0.0
in_read = False  # inside read_frame: its own timer counts the statement


@event.listens_for(Engine, "before_cursor_execute")
def _start(conn, cursor, statement, parameters, context, executemany):
    conn.info["t0"] = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _stop(conn, cursor, statement, parameters, context, executemany):
    global sql_seconds
    started = conn.info.pop("t0", time.perf_counter())
    if not in_read:
        sql_seconds += time.perf_counter() - started


def _time_reads() -> None:
    """Count the time spent in queries.db.read_frame (execute + fetch + frame), where most reads
    go; cursor events alone miss the fetch, which is most of SQLite's work."""
    from queries import db

    inner = db.read_frame

    def timed(*args, **kwargs):
        global sql_seconds, in_read
        t0 = time.perf_counter()
        in_read = True
        try:
            return inner(*args, **kwargs)
        finally:
            in_read = False
            sql_seconds += time.perf_counter() - t0

    db.read_frame = timed
    for module in list(sys.modules.values()):  # modules that imported it by name (preloaded)
        if getattr(module, "read_frame", None) is inner:
            module.read_frame = timed


def payload_bytes(node) -> int:
    """Bytes of the protobuf messages of every element on the page (what the browser gets)."""
    total = 0
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ByteSize"):
        total += proto.ByteSize()
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            total += payload_bytes(child)
    return total


def signed_in(url: str, username: str) -> None:
    """Sign `username` in as the sign-in page would (a server-side session), and make the app
    read its token as the browser's cookie. Not timed: signing in happens once a day."""
    import secrets

    from sqlalchemy import select

    from components import identity
    from queries import accounts
    from queries import schema as s
    from queries.auditlog import utc_now
    from queries.db import get_engine

    engine = get_engine(url)
    token = secrets.token_urlsafe(16)
    with engine.begin() as conn:
        account_id = conn.execute(select(s.account.c.account_id)
                                  .where(s.account.c.username == username)).scalar_one()
        accounts._new_session(conn, account_id, "本地账号", "127.0.0.1", utc_now(),
                              key=accounts.token_key(token))
    identity.session_token = lambda: token


def main(url: str, page: str, user: str = "demo-province") -> dict:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest, app_test

    class FramedPagesManager(PagesManager):  # as tests/conftest.py: every run goes through app.py
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test.PagesManager = FramedPagesManager

    os.environ["DATABASE_URL"] = url
    preload_s = 0.0
    if page:  # the server's start-up, as serve.py does it
        import serve

        preload_s = serve.preload()
    if page:
        signed_in(url, user)
    _time_reads()
    script = ROOT / ("app.py" if page else "benchmarks/empty_page.py")
    at = AppTest.from_file(str(script), default_timeout=300)
    if page:
        # Open the page directly, as a user following a link would (page URL = file name).
        at.switch_page(page)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    errors = [str(e.value) for e in at.exception]
    sql_cold = sql_seconds
    t0 = time.perf_counter()
    at.run()
    warm = time.perf_counter() - t0
    return {
        "cold_s": round(cold, 3), "warm_s": round(warm, 3), "sql_s": round(sql_cold, 3),
        "preload_s": round(preload_s, 3),
        "payload_bytes": payload_bytes(at._tree),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "errors": errors,
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
