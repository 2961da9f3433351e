"""Loading plan targets from the Excel template (计划目标导入), all or nothing.

`import_file` reads and validates the whole file (rules.target_template) against the regions the
importer's scope may write and the plan period's years, within the upload limits
(rules.uploads). Only a file without a single error is written, in ONE transaction: each row
upserts the target of (period, year, region, industry) — the cells it fills; a blank cell keeps
the stored value — and
app_meta.data_version is bumped in the same transaction so every cached page recomputes (the
Source object carries the version). Any failure during the write rolls everything back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from queries import rollup
from queries import schema as s
from queries.db import Source, read_frame
from queries.db import write_problem as _write_problem
from queries.plan import region_in_scope
from queries.scope import Scope
from rules.target_template import TARGET_COLUMNS, Checked, TemplateError, check_file
from rules.uploads import UploadLimits

TARGET_FIELDS = [f for f, _h, _w in TARGET_COLUMNS]
WRITES = ("plan_target", "app_meta")  # the tables an import writes


@dataclass(frozen=True)
class ImportResult:
    inserted: int = 0
    updated: int = 0
    version: str | None = None  # the new data_version when something was written
    errors: list[TemplateError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(ValueError):
    """The rows handed to write_targets were not validated (a programming error)."""


def _known(source: Source, scope: Scope, period_id: int):
    e = source.engine
    regions = read_frame(e, select(s.region.c.adcode, s.region.c.name)
                         .where(region_in_scope(scope)))
    industries = read_frame(e, select(s.industry.c.code, s.industry.c.name))
    period = read_frame(e, select(s.plan_period).where(s.plan_period.c.period_id == period_id))
    return regions, industries, period


def write_problem(source: Source) -> str | None:
    """Why an import could not be written now (a read-only database), before any file is read."""
    return _write_problem(source.engine, WRITES)


def check_upload(source: Source, scope: Scope, period_id: int, data: bytes,
                 limits: UploadLimits | None = None) -> Checked:
    """Validate an uploaded file for a plan period without writing anything."""
    regions, industries, period = _known(source, scope, period_id)
    if period.empty:
        return Checked(pd.DataFrame(), [TemplateError(None, f"规划期 {period_id} 不存在。")])
    p = period.iloc[0]
    return check_file(data, regions, industries, int(p["start_year"]), int(p["end_year"]),
                      limits or UploadLimits.from_env())


def write_targets(source: Source, period_id: int, rows: pd.DataFrame, actor=None,
                  file_name: str = "") -> ImportResult:
    """Upsert validated rows (year, region_adcode, industry_code, target columns) and bump the
    data version, in one transaction, with the audit-log entry of `actor` (the signed-in
    queries.accounts.Viewer) in the same transaction."""
    needed = {"year", "region_adcode", "industry_code", *TARGET_FIELDS}
    if rows.empty or not needed <= set(rows.columns):
        raise ImportRejected("write_targets 需要经过校验的目标行")
    t, meta = s.plan_target, s.app_meta
    inserted = updated = 0
    with source.engine.begin() as conn:
        next_id = (conn.execute(select(func.max(t.c.target_id))).scalar() or 0) + 1
        for r in rows.to_dict("records"):
            industry = r["industry_code"]
            industry = None if industry is None or pd.isna(industry) else str(industry)
            key = and_(t.c.period_id == period_id, t.c.year == int(r["year"]),
                       t.c.region_adcode == str(r["region_adcode"]),
                       t.c.industry_code.is_(None) if industry is None
                       else t.c.industry_code == industry)
            values = {}
            for f, _h, whole in TARGET_COLUMNS:
                v = r[f]
                values[f] = None if v is None or pd.isna(v) else (int(v) if whole else float(v))
            existing = conn.execute(select(t.c.target_id).where(key)).scalar()
            if existing is None:
                conn.execute(insert(t).values(target_id=next_id, period_id=period_id,
                                              year=int(r["year"]),
                                              region_adcode=str(r["region_adcode"]),
                                              industry_code=industry, **values))
                next_id += 1
                inserted += 1
            else:
                # a blank cell keeps the stored target: only filled cells change it
                filled = {f: v for f, v in values.items() if v is not None}
                if filled:
                    conn.execute(update(t).where(t.c.target_id == existing).values(**filled))
                updated += 1
        old = conn.execute(select(meta.c.value).where(meta.c.key == "data_version")).scalar()
        rollup_was_current = rollup.is_current(conn, old or "")
        version = uuid.uuid4().hex
        done = conn.execute(update(meta).where(meta.c.key == "data_version")
                            .values(value=version)).rowcount
        if not done:
            conn.execute(insert(meta).values(key="data_version", value=version))
        if rollup_was_current:  # targets do not change the per-audit option totals
            rollup.set_version(conn, version)
        if actor is not None:
            actor.log(conn, "import", "成功", target=file_name or "计划目标",
                      detail=(f"计划目标（规划期 {period_id}）：新增 {inserted} 行、"
                              f"更新 {updated} 行"))
    return ImportResult(inserted, updated, version)


def import_file(source: Source, scope: Scope, period_id: int, data: bytes,
                limits: UploadLimits | None = None, actor=None, file_name: str = ""
                ) -> ImportResult:
    """Validate the whole file; write it only if it has no error at all, and only to a
    database that can take the write (checked first). `actor` (the signed-in
    queries.accounts.Viewer) is written to the audit log with the outcome."""
    problem = write_problem(source)
    if problem:
        return ImportResult(errors=[TemplateError(None, problem)])
    checked = check_upload(source, scope, period_id, data, limits)
    if not checked.ok:
        if actor is not None:
            from queries.auditlog import record_now

            record_now(source.engine, "import", "失败", actor.username,
                       account_id=actor.account_id, role=actor.role, ip=actor.ip,
                       scope=actor.scope_name, target=file_name or "计划目标",
                       detail=f"校验未通过，{len(checked.errors)} 处问题，未写入")
        return ImportResult(errors=checked.errors)
    try:
        return write_targets(source, period_id, checked.rows, actor, file_name)
    except SQLAlchemyError as exc:  # the transaction was rolled back as a whole
        return ImportResult(errors=[TemplateError(None, "写入数据库失败，已全部撤销，未写入任何"
                                                        f"数据。（{str(exc).splitlines()[0][:120]}）")])
