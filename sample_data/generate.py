"""Build the deterministic sample database: a real province's geography, fictional enterprises.

    python -m sample_data.generate [--out PATH | --url DATABASE_URL] [--province 320000]
                                   [--scale 1.0] [--seed 20201015] [--as-of 2026-11-24]

Default output: sample_data/sample.db (SQLite), written to a temporary file and renamed, so the
app never sees half a database. With --url the tables are dropped and recreated. The same
parameters give the same content (and, for SQLite, the same bytes). Bad input exits with code 2
and a message in Chinese.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, Float, Integer, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError

from queries import accounts, boundaries, rollup, schema
from queries.db import SAMPLE_DB, describe, get_engine
from sample_data import audits, cases, firms, options, oversight, people, places, pool
from sample_data.common import MAX_AS_OF, MIN_AS_OF, make_context

DEFAULTS = {"province": "320000", "scale": 1.0, "seed": 20201015, "as_of": dt.date(2026, 11, 24)}
MAX_SCALE = 100.0
CHUNK = 5000  # rows per INSERT batch


class BadInput(ValueError):
    """A parameter the generator cannot use; the message is for the user, in Chinese."""


# -- parameters --------------------------------------------------------------------------------

def check_province(value) -> str:
    code = str(value).strip()
    try:
        boundaries.province_regions(code)
    except boundaries.UnknownProvinceError as e:
        raise BadInput(str(e)) from None
    return code


def check_scale(value) -> float:
    try:
        scale = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"规模 --scale 应为正数，收到：{value}") from None
    if not math.isfinite(scale) or scale <= 0:
        raise BadInput(f"规模 --scale 应为大于0的数（1.0 约为一个江苏规模的省份），收到：{value}")
    if scale > MAX_SCALE:
        raise BadInput(f"规模 --scale 不能超过 {MAX_SCALE:g}，收到：{value}")
    return scale


def check_seed(value) -> int:
    try:
        seed = int(str(value).strip())
    except ValueError:
        raise BadInput(f"随机种子 --seed 应为非负整数，收到：{value}") from None
    if seed < 0:
        raise BadInput(f"随机种子 --seed 应为非负整数，收到：{value}")
    return seed


def check_as_of(value) -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise BadInput(
                f"无法解析截止日期 --as-of：{value}（格式应为 YYYY-MM-DD，如 2026-11-24）"
            ) from None
    if not MIN_AS_OF <= day <= MAX_AS_OF:
        raise BadInput(f"截止日期 --as-of 应在 {MIN_AS_OF} 至 {MAX_AS_OF} 之间，收到：{day}")
    return day


# -- generation --------------------------------------------------------------------------------

def generate(province: str, scale: float, seed: int, as_of: dt.date) -> list[tuple]:
    """All rows of the sample, as (table, rows) in insertion order (parents before children)."""
    ctx = make_context(province, scale, seed, as_of)
    industry_rows = firms.industries(ctx)
    ent = firms.allocate(ctx)
    parks = places.make_parks(ctx, ent)
    ent = places.place_enterprises(ctx, ent, parks)
    usccs: set[str] = set()
    ent = firms.describe(ctx, ent, parks, usccs)
    cons = firms.consultancies(ctx, ent, usccs)
    batch = audits.batches(ctx)
    industry_names = {r["code"]: r["name"] for r in industry_rows}
    clusters, rounds = audits.Rounds(ctx, ent, parks, batch, cons, industry_names).build()
    opts = options.make_options(ctx, rounds, ent)
    exp = people.experts(ctx, ent, [r["code"] for r in industry_rows])
    ent_industry = dict(zip(ent["uscc"], ent["industry_code"]))
    panel_rows = people.panels(ctx, rounds, clusters, exp, ent_industry,
                               _cluster_industries(clusters, rounds, ent_industry))
    city_of = dict(zip(ent["uscc"], ent["city_adcode"]))
    fines = oversight.penalties(ctx, rounds, dict(zip(batch["batch_id"], batch["name"])), city_of)
    cons = _name_publicly(ctx, cons, rounds, fines)  # domain.md §7
    # Issue 18 (own random stream): scores explained by deductions, conflicts, copied reports.
    exp, deductions = pool.deductions(ctx, exp)
    exp = pool.conflicts(ctx, exp, panel_rows, rounds, cons, dict(zip(ent["uscc"], ent["name"])))
    opts, _copying = pool.copied_options(ctx, rounds, opts, ent_industry)
    plans, sessions = pool.training(ctx, sorted(ent["city_adcode"].unique()))
    published = pool.publications(ctx, fines)  # before the penalties are written: marks them
    periods = oversight.plan_periods(ctx)
    region_rows = places.region_rows(ctx)
    demo_city = "320500" if "320500" in set(ent["city_adcode"]) else str(
        ent.groupby("city_adcode").size().sort_index().idxmax())
    doc_rows, case_rows, step_rows, counter_rows = cases.make_cases(ctx, rounds, ent,
                                                          region_rows[0]["name"], demo_city)
    return [
        (schema.region, region_rows),
        (schema.industry, industry_rows),
        (schema.park, [p.row() for p in parks]),
        (schema.consultancy, cons),
        (schema.enterprise, ent),
        (schema.permit, firms.permits(ctx, ent)),
        (schema.listing_batch, batch),
        (schema.cluster_audit, clusters),
        (schema.audit_round, rounds),
        (schema.audit_option, opts),
        (schema.expert, exp),
        (schema.panel_assignment, panel_rows),
        (schema.plan_period, periods),
        (schema.plan_target, oversight.plan_targets(ctx, periods, rounds, opts, ent)),
        (schema.credit_rating, oversight.credit(ctx, ent, rounds, fines)),
        (schema.penalty, fines),
        (schema.expert_deduction, deductions),
        (schema.expert_contact, pool.contacts(ctx, exp)),
        (schema.penalty_publication, published),
        (schema.training_plan, plans),
        (schema.training_session, sessions),
        (schema.account, _demo_accounts(seed, region_rows, ent, parks)),
        (schema.case_document, doc_rows),
        (schema.supervision_case, case_rows),
        (schema.case_step, step_rows),
        (schema.doc_counter, counter_rows),
    ]


def _demo_accounts(seed: int, region_rows: list[dict], ent: pd.DataFrame, parks) -> list[dict]:
    """One demo account per role (README): the city is 苏州市 (320500) where the province has
    it, else its city with the most enterprises; the county and park are that city's busiest."""
    names = {r["adcode"]: r["name"] for r in region_rows}
    counts = ent.groupby("city_adcode").size()
    city = "320500" if "320500" in counts.index else str(counts.sort_index().idxmax())
    mine = ent[ent["city_adcode"] == city]
    county = str(mine.groupby("county_adcode").size().sort_index().idxmax())
    members = mine["park_id"].dropna().astype(int).value_counts().sort_index()
    park_id = int(members.idxmax()) if len(members) else min(p.park_id for p in parks)
    park_name = next(p.name for p in parks if p.park_id == park_id)
    return accounts.demo_rows(seed, region_rows[0]["name"], city, names[city], county,
                              names[county], park_id, park_name)


def _cluster_industries(clusters, rounds, ent_industry) -> dict[int, str]:
    """A cluster's industry: its own for 行业 clusters, the members' commonest for 园区 ones."""
    out = {}
    for c in clusters:
        members = rounds.loc[rounds["cluster_id"] == c["cluster_id"], "uscc"]
        codes = sorted(ent_industry[u] for u in members)
        out[c["cluster_id"]] = c["industry_code"] or max(codes, key=codes.count)
    return out


def _name_publicly(ctx, cons: pd.DataFrame, rounds: pd.DataFrame, fines) -> pd.DataFrame:
    """A couple of consultancies with the worst share of vetoed reports are named publicly."""
    done = rounds[rounds["evaluation_date"].notna() & rounds["consultancy_id"].notna()]
    vetoed = done["evaluation_veto"].eq(True).groupby(done["consultancy_id"]).agg(["mean", "sum"])
    vetoed = vetoed[vetoed["sum"] > 0].sort_values(["mean", "sum"], ascending=False)
    named = [int(i) for i in vetoed.index[:2]]
    cons = cons.copy()
    cons["named_publicly"] = cons["consultancy_id"].isin(named)
    return cons


# -- writing -----------------------------------------------------------------------------------

def _column(series: pd.Series, coltype) -> list:
    """Plain Python values for one column (None for missing), typed as the schema wants."""
    missing = series.isna().to_numpy()
    if isinstance(coltype, Date):
        if series.dtype.kind == "M":
            values = series.to_numpy().astype("datetime64[D]").astype(object).tolist()
        else:
            values = series.astype(object).tolist()
    elif isinstance(coltype, Boolean):
        values = [bool(v) for v in series.where(~missing, False)]
    elif isinstance(coltype, Integer):
        values = series.astype(object).where(~missing, 0).astype("int64").tolist()
    elif isinstance(coltype, Float):
        values = series.astype(float).tolist()
    else:
        values = series.astype(object).tolist()
    for i in np.flatnonzero(missing):
        values[i] = None
    return values


class Writer:
    """Inserts rows in chunks and hashes exactly what it inserts (for app_meta.data_version)."""

    def __init__(self, conn):
        self.conn = conn
        self.digest = hashlib.sha256()
        self.counts: dict[str, int] = {}

    def write(self, table, rows) -> None:
        names = [c.name for c in table.columns]
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=names)
        columns = [_column(frame[c.name], c.type) for c in table.columns] if len(frame) else []
        total = len(frame)
        self.digest.update(table.name.encode())
        for start in range(0, total, CHUNK):
            chunk = list(zip(*(col[start:start + CHUNK] for col in columns)))
            self.digest.update(repr(chunk).encode())
            self.conn.execute(table.insert(), [dict(zip(names, row)) for row in chunk])
        self.counts[table.name] = total


def build(engine: Engine, province: str = DEFAULTS["province"], scale: float = DEFAULTS["scale"],
          seed: int = DEFAULTS["seed"], as_of: dt.date = DEFAULTS["as_of"]) -> dict[str, int]:
    """(Re)create the schema on `engine` and fill it with the sample; returns rows per table."""
    province, scale = check_province(province), check_scale(scale)
    seed, as_of = check_seed(seed), check_as_of(as_of)
    _refuse_real_data(engine)
    tables = generate(province, scale, seed, as_of)
    schema.drop_all(engine)
    schema.create_all(engine)
    # SQLAlchemy creates a table's indexes in set order, which differs between runs. Loading
    # without them and recreating them by name is faster and makes the SQLite file reproducible.
    indexes = sorted((ix for t in schema.metadata.sorted_tables for ix in t.indexes),
                     key=lambda ix: ix.name)
    with engine.begin() as conn:
        for ix in indexes:
            ix.drop(conn)
        writer = Writer(conn)
        for table, rows in tables:
            writer.write(table, rows)
        meta = {
            "province_adcode": province,
            "province_name": tables[0][1][0]["name"],
            "is_sample": "1",
            "seed": str(seed),
            "scale": repr(scale),
            "as_of": as_of.isoformat(),
            "generated_by": "sample_data.generate",
            "data_version": writer.digest.hexdigest()[:16],
        }
        writer.write(schema.app_meta, [{"key": k, "value": v} for k, v in meta.items()])
        for ix in indexes:
            ix.create(conn)
        rollup.refresh(conn, meta["data_version"])  # per-audit totals the pages read
        if conn.dialect.name == "postgresql":  # ids written explicitly: move the counters on
            for table in (schema.account, schema.audit_log, schema.supervision_case,
                          schema.case_step):
                key = next(iter(table.primary_key.columns)).name
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key}'), "
                    f"COALESCE((SELECT max({key}) FROM {table.name}), 0) + 1, false)")
        for derived in (schema.audit_outcome, schema.audit_outcome_year):
            writer.counts[derived.name] = conn.execute(
                select(func.count()).select_from(derived)).scalar_one()
    if engine.dialect.name == "sqlite":  # rewrite the file compactly, in sqlite_master order
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
    return dict(writer.counts)


def _refuse_real_data(engine: Engine) -> None:
    """The generator replaces every table: never on a database that holds real data."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        if not inspect(conn).has_table("app_meta"):
            return
        flag = conn.execute(select(schema.app_meta.c.value)
                            .where(schema.app_meta.c.key == "is_sample")).scalar()
        rows = conn.execute(select(func.count()).select_from(schema.app_meta)).scalar()
    if rows and flag != "1":
        raise BadInput("目标数据库中已有正式数据（不是样例数据）。生成样例会删除全部数据表，"
                       "为防止数据丢失，已拒绝执行。请换一个空数据库。")


# -- command line ------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"参数错误：{message}\n用法见：python -m sample_data.generate --help\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m sample_data.generate",
                description="生成确定性的示例数据库（真实行政区划，虚构企业）。")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--out", help=f"SQLite 文件路径（默认 {SAMPLE_DB}）")
    target.add_argument("--url", help="数据库 URL（如 postgresql+psycopg://…），将删除并重建表")
    p.add_argument("--province", default=DEFAULTS["province"], help="省级行政区划代码，默认 320000")
    p.add_argument("--scale", default=str(DEFAULTS["scale"]), help="数据规模倍数，默认 1.0")
    p.add_argument("--seed", default=str(DEFAULTS["seed"]), help="随机种子，默认 20201015")
    p.add_argument("--as-of", default=DEFAULTS["as_of"].isoformat(),
                   help="数据截止日期 YYYY-MM-DD，默认 2026-11-24")
    return p


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


def _temp_file(out: Path) -> Path:
    parent = out.parent
    if not parent.is_dir():
        raise BadInput(f"输出目录不存在：{parent}")
    if out.is_dir():
        raise BadInput(f"输出路径是一个目录：{out}")
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as e:
        raise BadInput(f"无法写入输出目录 {parent}：{e.strerror}") from None
    os.close(fd)
    return Path(tmp)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        params = {"province": check_province(args.province), "scale": check_scale(args.scale),
                  "seed": check_seed(args.seed), "as_of": check_as_of(args.as_of)}
        out = Path(args.out or SAMPLE_DB).resolve()
        tmp = None if args.url else _temp_file(out)
    except BadInput as e:
        return _fail(str(e))
    started = time.perf_counter()
    url = args.url or f"sqlite:///{tmp}"
    try:
        engine = get_engine(url)
        with engine.connect():
            pass
        counts = build(engine, **params)
        engine.dispose()
        if tmp:
            tmp.chmod(0o644)  # mkstemp makes it private; the app may run as another user
            os.replace(tmp, out)
    except (OperationalError, ArgumentError) as e:
        return _fail(f"无法连接或写入数据库：{str(e).splitlines()[0]}")
    except BadInput as e:
        return _fail(str(e))
    except OSError as e:
        return _fail(f"无法写入 {out}：{e.strerror}")
    finally:
        if tmp and tmp.exists():
            tmp.unlink()
    target = describe(args.url) if args.url else str(out)
    lines = [f"已生成示例数据 → {target}（{time.perf_counter() - started:.1f} 秒）"]
    lines += [f"  {name:<18}{n:>9}" for name, n in counts.items()]
    try:
        print("\n".join(lines))
    except BrokenPipeError:  # output piped into `head`
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
