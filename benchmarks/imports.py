"""Import benchmark (数据导入): time preview and confirm of large files on SQLite and PostgreSQL.

    python -m benchmarks.imports [--n 10000] [--no-postgres] [--out benchmarks/imports.json]

Each database starts as a fresh copy of the scale-1 sample (benchmarks/run.py builds it), and the
steps below run in order as the province, each a generated .xlsx: STEPS[i].n rows of its kind,
previewed (read, checked, planned: what the official waits for after uploading) and confirmed
(the same again inside the transaction, then the write, the undo record, the data-quality
snapshot). The issue's budget: the whole sequence within 60 s on each database.

A new kind is one more line in STEPS: Step(kind, rows, builder), the builder returning the
template's header and rows for the records made so far (`Made`: the new enterprises and their
rounds). The issue's sequence: 10,000 enterprises, their listing, their rounds' progress and
100,000 options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select, text

from benchmarks.run import DATA, ROOT, build_postgres, build_sqlite, data_version

TODAY = dt.date(2026, 11, 24)  # the sample's as-of date: no milestone "after today"


@dataclass
class Made:
    """What the steps created, for the ones after them."""

    usccs: list[str] = field(default_factory=list)
    rounds: list[tuple[str, int]] = field(default_factory=list)  # (uscc, round_no)
    listed: dt.date | None = None  # their listing date


Builder = Callable[[object, int, Made], tuple[list[str], list[list]]]


@dataclass(frozen=True)
class Step:
    kind: str
    n: int
    rows: Builder
    prepare: Callable[[object, Made], None] | None = None  # untimed set-up before the step


def enterprise_rows(engine, n: int, made: Made) -> tuple[list[str], list[list]]:
    """n new enterprises spread over the province's counties, each at its county's point."""
    from queries import schema as s
    from rules.identifiers import make_uscc

    with engine.connect() as conn:
        counties = conn.execute(select(s.region.c.adcode, s.region.c.name, s.region.c.lon,
                                       s.region.c.lat).where(s.region.c.level == "区县")
                                .order_by(s.region.c.adcode)).all()
        parent = dict(conn.execute(select(s.region.c.adcode, s.region.c.name)).all())
        names = {a: parent.get(a[:4] + "00", "") for a, *_ in counties}
        industries = conn.execute(select(s.industry.c.name)).scalars().all()
    rows = []
    for i in range(n):
        code, county, lon, lat = counties[i % len(counties)]
        uscc = make_uscc(code, f"MB{i:06d}")
        made.usccs.append(uscc)
        rows.append([uscc, f"基准测试{i:05d}有限公司", industries[i % len(industries)],
                     names[code] + county, lon, lat, "中型", "重点管理", f"示例路{i}号"])
    return (["统一社会信用代码", "企业名称", "行业", "所在区县", "经度（度）", "纬度（度）",
             "企业规模", "排污许可管理类别", "地址"], rows)


BATCH = "2026年基准测试批次"


def listing_rows(engine, n: int, made: Made) -> tuple[list[str], list[list]]:
    """The new enterprises listed in a new batch (created by the import from its year and
    publication date), round 1 each."""
    published = TODAY - dt.timedelta(days=60)
    made.listed = published
    made.rounds = [(u, 1) for u in made.usccs[:n]]
    rows = [[u, 1, BATCH, 2026, published, published, "双超", "单独审核"]
            for u in made.usccs[:n]]
    return (["统一社会信用代码", "审核轮次（轮）", "名单批次", "批次年度（年）", "发布日期",
             "列入日期", "列入原因", "审核方式"], rows)


def progress_rows(engine, n: int, made: Made) -> tuple[list[str], list[list]]:
    """Disclosure and start dates of n of the rounds listed in set-up."""
    listed = made.listed
    rows = [[u, r, listed + dt.timedelta(days=10 + i % 15), listed + dt.timedelta(days=30)]
            for i, (u, r) in enumerate(made.rounds[:n])]
    return ["统一社会信用代码", "审核轮次（轮）", "信息公开日期", "启动审核日期"], rows


def option_rows(engine, n: int, made: Made) -> tuple[list[str], list[list]]:
    """n options spread evenly over the listed rounds (ten each for 10,000 rounds), half of
    them implemented after the audit started."""
    from rules import vocab

    started = made.listed + dt.timedelta(days=30)
    rows = []
    for i in range(n):
        uscc, round_no = made.rounds[i % len(made.rounds)]
        done = i % 2 == 0
        rows.append([uscc, round_no, f"方案{i // len(made.rounds) + 1:02d}",
                     vocab.COST_CLASSES[i % 5 == 0], vocab.OPTION_CATEGORIES[i % 8],
                     "已实施" if done else "拟实施", 2.5 + i % 40,
                     started + dt.timedelta(days=5) if done else None])
    return (["统一社会信用代码", "审核轮次（轮）", "方案名称", "方案类别", "方案类型", "实施状态",
             "投资（万元）", "实施完成日期"], rows)


STEPS = [
    Step("enterprises", 10_000, enterprise_rows),
    Step("listings", 10_000, listing_rows),
    Step("progress", 10_000, progress_rows),
    Step("options", 100_000, option_rows),
]


def xlsx(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("数据")
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def fresh_copy(database: str, scale: float = 1.0) -> str | None:
    """A throw-away copy of the scale's sample on `database` (SQLite or PostgreSQL)."""
    sqlite_url = build_sqlite(scale)
    if database == "SQLite":
        target = DATA / "import_bench.db"
        shutil.copyfile(sqlite_url.split(":///", 1)[1], target)
        return f"sqlite:///{target}"
    pg = build_postgres(scale, data_version(sqlite_url))
    if pg is None:
        return None
    admin = create_engine(pg.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    template = pg.rsplit("/", 1)[1]
    with admin.connect() as conn:
        # a pooled connection of the build may still be open on the template: end it
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :t AND pid <> pg_backend_pid()"), {"t": template})
        conn.execute(text("DROP DATABASE IF EXISTS cpa_bench_import"))
        conn.execute(text(f'CREATE DATABASE cpa_bench_import TEMPLATE "{template}"'))
    admin.dispose()
    return pg.rsplit("/", 1)[0] + "/cpa_bench_import"


def run(url: str, steps: list[Step], scale_n: float = 1.0) -> list[dict]:
    from queries import intake
    from queries.db import Source, get_engine
    from queries.meta import read_meta
    from queries.scope import Scope
    from rules.uploads import UploadLimits

    engine = get_engine(url)
    limits = UploadLimits(max_bytes=500 * 2**20, max_rows=1_000_000,
                          max_unzipped_bytes=2_000 * 2**20)
    made, out = Made(), []
    for step in steps:
        n = max(1, int(step.n * scale_n))
        if step.prepare is not None:
            step.prepare(engine, made)
        header, rows = step.rows(engine, n, made)
        data = xlsx(header, rows)
        source = Source(url, read_meta(url).get("data_version", ""))
        t0 = time.perf_counter()
        pv = intake.preview(source, Scope(), step.kind, data, f"{step.kind}.xlsx", limits, TODAY)
        t1 = time.perf_counter()
        if not pv.ok:
            raise SystemExit(f"{step.kind}: preview refused: {[str(p) for p in pv.problems]} "
                             f"{[str(p) for p in pv.row_problems[:5]]}")
        done = intake.confirm(source, Scope(), step.kind, data, f"{step.kind}.xlsx",
                              intake.Actor("基准测试"), pv.fingerprint, limits, TODAY)
        t2 = time.perf_counter()
        if not done.ok:
            raise SystemExit(f"{step.kind}: confirm failed: {done.message}")
        out.append({"kind": step.kind, "rows": n, "file_kb": round(len(data) / 1024),
                    "preview_s": round(t1 - t0, 2), "confirm_s": round(t2 - t1, 2),
                    "new": pv.count(intake.NEW), "changed": pv.count(intake.CHANGED)})
        print(json.dumps(out[-1], ensure_ascii=False), file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="导入性能基准 / import benchmark")
    ap.add_argument("--n", type=float, default=1.0, help="rows as a share of each step's n")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "imports.json")
    args = ap.parse_args(argv)
    results = {}
    for database in ["SQLite"] + ([] if args.no_postgres else ["PostgreSQL"]):
        url = fresh_copy(database)
        if url is None:
            continue
        steps = run(url, STEPS, args.n)
        results[database] = {"steps": steps, "total_s": round(sum(
            s["preview_s"] + s["confirm_s"] for s in steps), 2)}
        print(f"{database}: {results[database]['total_s']} s in all", file=sys.stderr)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
