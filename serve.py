"""`make run`: import the app's libraries and modules once, then start Streamlit on app.py.

Streamlit imports a page's modules on the first visit, so after every restart the first
official to open a page waited about a second for pandas, SQLAlchemy, pyarrow and altair.
Importing them here, before the server accepts connections, moves that wait to start-up (as a
web server's preload does). Usage: python serve.py [streamlit options, e.g. --server.port 8501]
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LIBRARIES = ("pandas", "pyarrow", "sqlalchemy", "altair", "pydeck", "shapely")
PACKAGES = ("rules", "queries", "components")
# Loaded only when a Word document is made (matplotlib alone is ~0.5 s and ~30 MB).
ON_DEMAND = {"components.chart_images", "components.word"}


def modules() -> list[str]:
    names = list(LIBRARIES)
    for package in PACKAGES:
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(ROOT / package)])]
    return [n for n in names if n not in ON_DEMAND]


def preload() -> float:
    """Import everything the pages use, open the database connection and set the loaded
    objects aside for the garbage collector; returns the seconds it took."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # Defining cached functions before the server runs makes Streamlit note, once per function,
    # that it uses in-memory caches: what the server itself would use. Not worth a screenful.
    quiet = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    t0 = time.perf_counter()
    try:
        for name in modules():
            importlib.import_module(name)
    finally:
        quiet.setLevel(level)
    _connect()
    _calendar()
    # What is loaded now lives as long as the server: freezing it keeps the collector from
    # walking it again. Without this a full collection during a page's first large read
    # (~55k rounds at scale 10) re-scans every imported object (~0.2 s of a cold page).
    gc.collect()
    gc.freeze()
    _first_element_check()
    return time.perf_counter() - t0


def _calendar() -> None:
    """Read the official calendar (rules/calendar_cn.csv) before the first visitor; a broken
    file is reported by the app itself, with the clock rules."""
    from rules.calendar import CalendarError, load_calendar

    try:
        load_calendar()
    except CalendarError:
        pass


def _connect() -> None:
    """Open the first database connection before the first visitor: SQLAlchemy's first connect
    also inspects the server (~0.1 s on PostgreSQL). A database that is not reachable is not the
    launcher's to report (the app's pages say so, in Chinese), nor a reason to delay start-up by
    more than a few seconds: the attempt runs in a thread that start-up waits for briefly."""
    from sqlalchemy import text

    from queries.db import database_url, get_engine

    def attempt() -> None:
        try:
            with get_engine(database_url()).connect() as conn:
                conn.execute(text("select 1"))
        except Exception:  # noqa: BLE001 - see above
            pass

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=5)


def _first_element_check() -> None:
    """Streamlit checks once per process, on the first element drawn, whether it runs in a REPL;
    the check inspects the whole call stack and every loaded module's path (~0.1 s on the first
    visitor's page). Run it now, on a short stack; the direct-execution warning it could print is
    turned off in .streamlit/config.toml. Skipped if a Streamlit release renames it."""
    from streamlit import delta_generator

    check = getattr(delta_generator, "_maybe_print_use_warning", None)
    if check is not None:
        check()


def main(argv: list[str]) -> int:
    from streamlit.web import cli

    seconds = preload()
    print(f"已预加载 {len(modules())} 个模块（{seconds:.1f} 秒）", file=sys.stderr)
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
