"""`make bench`: build sample databases at several scales and time every page.

For each database (SQLite; PostgreSQL too when reachable) and scale, every page of pages/ runs in
a fresh process (cold: empty caches; warm: a rerun with the same filters), next to an empty page
measured in the same run (the floor), so results read as ratios on a noisy machine. Writes
benchmarks/results.json and benchmarks/results.md, and the table into README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
PG_SERVER = os.environ.get("TEST_DATABASE_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pages() -> list[str]:
    return sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


def build_sqlite(scale: float, data: Path = DATA) -> str:
    path = data / f"sample_scale{scale:g}.db"
    sources = [*ROOT.glob("sample_data/*.py"), ROOT / "queries" / "schema.py",
               ROOT / "queries" / "rollup.py", ROOT / "queries" / "audits.py"]
    stale = path.exists() and path.stat().st_mtime < max(p.stat().st_mtime for p in sources)
    if not path.exists() or stale:  # built by an older generator or schema: rebuild
        data.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sample_data.generate", "--scale", str(scale),
                        "--out", str(path)], cwd=ROOT, check=True)
        print(f"built {path.name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return f"sqlite:///{path}"


def data_version(url: str) -> str | None:
    """The data version of a built database, or None when its schema is not the current one."""
    from sqlalchemy import inspect

    from queries import schema

    try:
        engine = create_engine(url)
        found = inspect(engine)
        for table in schema.metadata.sorted_tables:
            columns = {c["name"] for c in found.get_columns(table.name)}
            if not {c.name for c in table.columns} <= columns:
                return None
        with engine.connect() as conn:
            return conn.execute(text("select value from app_meta where key = 'data_version'")
                                ).scalar()
    except Exception:  # noqa: BLE001 - no such database or table: not built yet
        return None


def build_postgres(scale: float, expected_version: str | None) -> str | None:
    """The PostgreSQL copy of the scale's sample; rebuilt unless it holds the same data (same
    data_version) as the SQLite build, so a schema or generator change is never measured stale."""
    try:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        name = f"cpa_bench_scale{str(scale).replace('.', '_')}"
        with admin.connect() as conn:
            exists = conn.execute(text("select 1 from pg_database where datname = :n"),
                                  {"n": name}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
    except Exception as exc:  # noqa: BLE001 - no server: PostgreSQL rows are left out
        print(f"PostgreSQL not reachable, skipped: {str(exc).splitlines()[0]}", file=sys.stderr)
        return None
    if not exists or data_version(url) != expected_version:
        subprocess.run([sys.executable, "-m", "sample_data.generate", "--scale", str(scale),
                        "--url", url], cwd=ROOT, check=True)
    return url


def users(page: str) -> list[str]:
    """Who opens the page in the benchmark: the data pages as a province and as a city user
    (demo-city, 苏州市), an administration page as the demo account whose role has it."""
    from rules import roles

    name = Path(page).stem
    if name != roles.ACCOUNT_PAGE and any(roles.may_open(r, name) for r in roles.DATA_ROLES):
        return ["demo-province", "demo-city"]  # data pages, 数据导入 too
    demo = {"sysadmin": "demo-admin", "secadmin": "demo-security", "auditor": "demo-audit"}
    return [next(demo[r] for r in roles.ADMIN_ROLES if roles.may_open(r, name))
            if name != roles.ACCOUNT_PAGE else "demo-city"]


def measure(url: str, page: str, user: str = "demo-province") -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.measure_page", url, page, user],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def markdown(records: list[dict]) -> str:
    head = ("| page | user | scale | database | cold s | warm s | SQL s | payload KB | peak MB | "
            "floor cold/warm s | preload s |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
    rows = [f"| {r['page']} | {r.get('user', '')} | {r['scale']:g} | {r['database']} | "
            f"{r['cold_s']:.2f} | "
            f"{r['warm_s']:.2f} | {r['sql_s']:.2f} | {r['payload_bytes'] / 1024:.0f} | "
            f"{r['peak_rss_mb']:.0f} | {r['floor_cold_s']:.2f}/{r['floor_warm_s']:.2f} | "
            f"{r.get('preload_s', 0.0):.2f} |"
            for r in records]
    return head + "\n".join(rows) + "\n"


def concurrency_text(c: dict, scale: float) -> str:
    """The sentence under the table: the concurrency result over its rounds, each round's
    slowest tab as a multiple of its own floor (what reads across days on this machine), the
    floor and the first visits."""
    fv, fl, rounds = c["first_visit"], c["floor"], c["rounds"]
    each = ", ".join(f"{r['max_s']:.1f}" for r in rounds)
    low, high = (f"{f(r['ratio'] for r in rounds):.1f}" for f in (min, max))
    return (f"\nTen browser sessions opening the overview at once (scale {scale:g}, SQLite; ten "
            f"tabs of one headless Chromium whose cache holds the app's static files; "
            f"{len(rounds)} rounds, each beside a round of the floor): slowest {c['max_s']:.1f} s "
            f"(each round's slowest: {each} s), median {c['median_s']:.1f} s (budget: all within "
            f"10 s); each round's slowest tab is {low if low == high else f'{low}–{high}'}× its "
            f"floor's. "
            f"Floor (ten tabs opening an empty Streamlit page the same way): slowest "
            f"{fl['max_s']:.1f} s, median {fl['median_s']:.1f} s. Ten first visits at once (ten "
            f"fresh browser contexts, nothing cached): slowest {fv['max_s']:.1f} s, median "
            f"{fv['median_s']:.1f} s.\n")


def write_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text_ = readme.read_text(encoding="utf-8")
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in text_ and end in text_:
        before, rest = text_.split(start, 1)
        after = rest.split(end, 1)[1]
        readme.write_text(f"{before}{start}\n{table}{end}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="页面性能基准 / page benchmarks")
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--pages", nargs="*", default=None, help="page files; default all")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks")
    ap.add_argument("--no-readme", action="store_true")
    ap.add_argument("--data", type=Path, default=DATA, help="where built databases are kept")
    ap.add_argument("--no-browser", action="store_true",
                    help="skip the ten concurrent browser sessions on the overview")
    args = ap.parse_args(argv)

    records = []
    for scale in args.scales:
        dbs = [("SQLite", build_sqlite(scale, args.data))]
        if not args.no_postgres:
            pg = build_postgres(scale, data_version(dbs[0][1]))
            if pg:
                dbs.append(("PostgreSQL", pg))
        for db_name, url in dbs:
            floor = measure(url, "")
            for page, user in [(p, u) for p in args.pages or pages() for u in users(p)]:
                m = measure(url, page, user)
                if m["errors"]:  # a page that fails is not a measurement
                    raise SystemExit(f"{page} on {db_name} scale {scale:g} raised: {m['errors']}")
                records.append({"page": page, "user": user, "scale": scale,
                                "database": db_name,
                                **{k: m[k] for k in ("cold_s", "warm_s", "sql_s",
                                                     "payload_bytes", "peak_rss_mb",
                                                     "preload_s")},
                                "floor_cold_s": floor["cold_s"],
                                "floor_warm_s": floor["warm_s"]})
                print(json.dumps(records[-1], ensure_ascii=False), file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(records, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    table = markdown(records)
    if not args.no_browser and Path("/usr/bin/chromium").exists():
        from benchmarks.concurrency import measure as concurrent_sessions

        smallest = min(args.scales)
        c = concurrent_sessions(build_sqlite(smallest, args.data), 10)
        (args.out / "concurrency.json").write_text(json.dumps(c), encoding="utf-8")
        table += concurrency_text(c, smallest)
    (args.out / "results.md").write_text(table, encoding="utf-8")
    if not args.no_readme:
        write_readme(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
