"""The per-audit outcome rollups (schema.audit_outcome, and audit_outcome_year per year of
implementation): rebuilt after a load, read by the pages.

`refresh(conn, version)` recomputes both in SQL from audit_option and records the data version
they match. Run it after loading data by other means: `python -m queries.rollup` (DATABASE_URL).
"""

from __future__ import annotations

import datetime as dt
import sys

from sqlalchemy import delete, func, insert, select, true, update
from sqlalchemy.engine import Connection

from queries import schema as s

FAR_FUTURE = dt.date(9999, 12, 31)


def refresh(conn: Connection, version: str) -> None:
    """Recompute the rollups from audit_option and mark them valid for data `version`."""
    from queries.audits import implemented_option_totals_stmt

    o = s.audit_option
    totals = implemented_option_totals_stmt(true(), FAR_FUTURE).subquery()
    last = (select(o.c.audit_id, func.max(o.c.implemented_date).label("last_done_date"))
            .where(o.c.status == "已实施").group_by(o.c.audit_id).subquery())
    names = [c.name for c in s.audit_outcome.columns]
    cols = [last.c.last_done_date if n == "last_done_date" else totals.c[n] for n in names]
    rows = select(*cols).select_from(totals.outerjoin(last, totals.c.audit_id
                                                      == last.c.audit_id))
    conn.execute(delete(s.audit_outcome))
    conn.execute(insert(s.audit_outcome).from_select(names, rows))
    yearly = implemented_option_totals_stmt(true(), FAR_FUTURE, by_year=True).subquery()
    names = [c.name for c in s.audit_outcome_year.columns]
    conn.execute(delete(s.audit_outcome_year))
    conn.execute(insert(s.audit_outcome_year).from_select(
        names, select(*[yearly.c[n] for n in names])))
    set_version(conn, version)


def set_version(conn: Connection, version: str) -> None:
    meta = s.app_meta
    if not conn.execute(update(meta).where(meta.c.key == "rollup_version")
                        .values(value=version)).rowcount:
        conn.execute(insert(meta).values(key="rollup_version", value=version))


def is_current(conn: Connection, version: str) -> bool:
    found = conn.execute(select(s.app_meta.c.value)
                         .where(s.app_meta.c.key == "rollup_version")).scalar()
    return bool(version) and found == version


def main() -> int:
    from queries.db import database_url, get_engine
    from queries.meta import read_meta

    url = database_url()
    version = read_meta(url).get("data_version", "")
    with get_engine(url).begin() as conn:
        s.audit_outcome.create(conn, checkfirst=True)
        s.audit_outcome_year.create(conn, checkfirst=True)
        refresh(conn, version)
    print(f"已重建审核绩效汇总表（数据版本 {version}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
