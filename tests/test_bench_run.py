"""The benchmark runs end to end at a tiny scale (budgets are checked by `make bench`, not here)."""

from __future__ import annotations

import json

from benchmarks import concurrency, run
from tests.browser import require_browser

FIELDS = {"page", "user", "scale", "database", "cold_s", "warm_s", "sql_s", "payload_bytes",
          "peak_rss_mb", "floor_cold_s", "floor_warm_s", "preload_s"}


def test_benchmark_writes_records_and_table(tmp_path):
    pages = ["pages/data_status.py", "pages/overview.py"]
    assert run.main(["--scales", "0.03", "--no-postgres", "--no-readme", "--no-browser",
                     "--out", str(tmp_path),
                     "--data", str(tmp_path / "data"), "--pages", *pages]) == 0
    records = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert [(r["page"], r["user"]) for r in records] == [
        (p, u) for p in pages for u in ("demo-province", "demo-city")]
    for r in records:
        assert set(r) == FIELDS
        assert r["cold_s"] > 0 and r["warm_s"] > 0 and r["payload_bytes"] > 1000
        assert r["sql_s"] > 0 and r["peak_rss_mb"] > 50
        assert r["floor_cold_s"] > 0 and r["floor_warm_s"] > 0  # timings: budgets, not here
        assert r["preload_s"] > 0  # the server's start-up imports, kept out of cold_s
    table = (tmp_path / "results.md").read_text("utf-8")
    assert table.count("\n") == len(records) + 2 and "pages/overview.py | demo-city" in table


def test_concurrency_rounds_are_summarised_beside_their_floors():
    c = concurrency.summarise(tabs=[[7.0, 7.84], [9.1, 8.0]], floor=[[3.5, 3.92], [4.55, 4.0]],
                              first=[17.6, 17.3], sessions=2)
    assert (c["max_s"], c["median_s"], c["all_s"]) == (9.1, 8.0, [7.0, 7.84, 9.1, 8.0])
    assert c["rounds"] == [{"max_s": 7.84, "floor_max_s": 3.92, "ratio": 2.0},
                           {"max_s": 9.1, "floor_max_s": 4.55, "ratio": 2.0}]
    assert c["floor"]["max_s"] == 4.55 and c["first_visit"]["median_s"] == 17.6
    text = run.concurrency_text(c, 1.0)
    assert "(scale 1, SQLite;" in text and "2 rounds, each beside a round of the floor" in text
    assert "slowest 9.1 s (each round's slowest: 7.8, 9.1 s), median 8.0 s" in text
    assert "each round's slowest tab is 2.0× its floor's" in text  # one ratio, said once
    c["rounds"][1]["ratio"] = 2.34
    assert "each round's slowest tab is 2.0–2.3× its floor's" in run.concurrency_text(c, 1.0)
    assert "nothing cached): slowest 17.6 s, median 17.6 s" in text


def test_concurrency_runs_in_a_real_browser(handmade_sqlite):
    """Two sessions, two rounds on the hand-built province: every tab reaches the finish line."""
    require_browser()
    c = concurrency.measure(handmade_sqlite, sessions=2, rounds=2)
    assert len(c["all_s"]) == 4 and len(c["floor"]["all_s"]) == 4 and len(c["rounds"]) == 2
    assert all(0 < t < 120 for t in c["all_s"] + c["first_visit"]["all_s"])
    assert c["max_s"] == max(r["max_s"] for r in c["rounds"])


def test_every_page_file_is_benchmarked():
    assert "pages/data_status.py" in run.pages()
    assert all(p.startswith("pages/") and p.endswith(".py") for p in run.pages())
    # each as someone who may open it
    assert run.users("pages/intake.py") == ["demo-province", "demo-city"]
    assert run.users("pages/audit_log.py") == ["demo-audit"]
    assert all(run.users(p) for p in run.pages())


def test_the_launcher_preloads_every_page_module_but_the_document_builders():
    import serve

    names = serve.modules()
    assert {"pandas", "altair", "queries.audits", "components.map_view"} <= set(names)
    assert not set(names) & serve.ON_DEMAND  # matplotlib and python-docx load on a download


def test_the_launcher_freezes_start_up_objects_and_runs_the_first_element_check(tmp_path):
    # (on the sample database; DATABASE_URL as the test run has it)
    # In a fresh interpreter, as `make run` starts: after preload the imported objects are out
    # of the collector's way and Streamlit's one-time stack inspection is done, silently.
    import subprocess
    import sys

    probe = tmp_path / "probe.py"
    probe.write_text(f"import sys; sys.path.insert(0, {str(run.ROOT)!r})\n"
                     "import gc, serve; serve.preload()\n"
                     "from streamlit import delta_generator as d\n"
                     "print(gc.get_freeze_count() > 100000, d._use_warning_has_been_displayed)\n"
                     "from queries.db import database_url, get_engine\n"
                     "print(get_engine(database_url()).pool.checkedin())\n")
    out = subprocess.run([sys.executable, str(probe)], cwd=run.ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["True", "True", "1"]  # ... and a connection is open
    assert "streamlit run" not in out.stderr  # no 'run it with streamlit run' warning


def test_the_deployed_config_watches_no_source_files():
    # Streamlit's source watcher resolves every loaded module's path after each session's run:
    # ~0.15 s of server CPU per visit, paid ten times when ten officials open the overview.
    import tomllib

    config = tomllib.loads((run.ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False


def test_the_launcher_starts_when_the_database_is_missing(tmp_path):
    import os
    import subprocess
    import sys

    probe = tmp_path / "probe.py"
    probe.write_text(f"import sys; sys.path.insert(0, {str(run.ROOT)!r})\n"
                     "import serve; print(serve.preload() > 0)\n")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/none.db"}
    out = subprocess.run([sys.executable, str(probe)], cwd=run.ROOT, capture_output=True,
                         text=True, env=env, timeout=60)
    # no traceback: the pages report the missing database, in Chinese
    assert out.returncode == 0 and out.stdout.split() == ["True"], out.stderr
    assert "Traceback" not in out.stderr  # not even from the connecting thread
