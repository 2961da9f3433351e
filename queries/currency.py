"""数据更新至: the day each city's data was last reported, so pages can say how current their
numbers are and the as-of date can default to that day instead of counting the days since as
overdue.

A city's data is reported by an import (数据导入) that is still in force (not undone):
- an import by one of the city's own accounts covers the city, whatever rows it changed (a city
  sends its whole list; rows that did not change are reported too);
- an import by the province (or a county) covers the cities whose records it wrote: its
  import_change rows name the table and key of each record, and the record names its city
  (city_adcode, or through its enterprise: uscc, or audit_id → audit round → enterprise). A
  table whose records name no city (batches, experts) covers no city.
A city no import covers is as current as the loaded data: app_meta's `as_of`, the day the sample
generator (or a loader that sets it) stopped. Without that, the day is unknown (None).

Imports are stored in UTC; the day reported is the Beijing day.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce

import pandas as pd
import streamlit as st
from sqlalchemy import String, and_, cast, func, literal, select, union_all

from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Scope, scope_where
from rules.security import to_local

COLUMNS = ["city_adcode", "city", "reported", "basis"]
BY_IMPORT, BY_LOAD = "导入", "数据库载入"


def _city_of(table, keys: tuple[str, ...]):
    """(from clause, city column) naming each record's city, or None when its records name no
    city."""
    e, a = s.enterprise, s.audit_round
    if "city_adcode" in table.c:
        return table, table.c.city_adcode
    if "uscc" in table.c:
        ent = e.alias(f"e_{table.name}")
        return table.join(ent, ent.c.uscc == table.c.uscc), ent.c.city_adcode
    if "audit_id" in table.c:
        rnd, ent = a.alias(f"a_{table.name}"), e.alias(f"e_{table.name}")
        return (table.join(rnd, rnd.c.audit_id == table.c.audit_id)
                .join(ent, ent.c.uscc == rnd.c.uscc), ent.c.city_adcode)
    return None


def _row_key(table, keys: tuple[str, ...]):
    """The record's key as import_change.row_key writes it: the key columns as text, joined by
    | (queries.intake.row_key)."""
    from queries.intake import KEY_SEP

    parts = [cast(table.c[k], String) for k in keys]
    return reduce(lambda x, y: x + literal(KEY_SEP) + y, parts)


def _imports_by_city():
    """One select: (city_adcode, last) for every city an import in force covers."""
    from queries.intake import TABLES  # the registry of what imports write

    b, c = s.import_batch, s.import_change
    in_force = b.c.status == "有效"
    parts = [select(b.c.scope_code.label("city_adcode"), b.c.created_at.label("at"))
             .where(in_force, b.c.scope_level == "city")]
    for name, (table, keys) in TABLES.items():
        found = _city_of(table, keys)
        if found is None:
            continue
        source, city = found
        parts.append(
            select(city.label("city_adcode"), b.c.created_at.label("at"))
            .select_from(c.join(b, b.c.batch_id == c.c.batch_id)
                         .join(source, and_(c.c.table_name == name,
                                            c.c.row_key == _row_key(table, keys))))
            .where(in_force, b.c.scope_level != "city"))
    every = union_all(*parts).subquery()
    return (select(every.c.city_adcode, func.max(every.c.at).label("last"))
            .group_by(every.c.city_adcode))


def loaded_day(meta: dict) -> dt.date | None:
    """The day the loaded data runs to (app_meta as_of), or None."""
    try:
        return dt.date.fromisoformat(str(meta.get("as_of", "")).strip())
    except ValueError:
        return None


@st.cache_data(show_spinner=False, max_entries=32)
def data_currency(source: Source, scope: Scope) -> pd.DataFrame:
    """One row per city of the viewer's jurisdiction (cities holding an enterprise in scope):
    city_adcode, city (name), reported (the day its data was last reported, or None) and basis
    (导入: an import; 数据库载入: the loaded data's own date; "" when unknown). Sorted by adcode."""
    engine = source.engine
    e, r = s.enterprise, s.region
    cities = read_frame(engine, select(r.c.adcode.label("city_adcode"), r.c.name.label("city"))
                        .where(r.c.adcode.in_(select(e.c.city_adcode).where(scope_where(scope))
                                              .distinct()))
                        .order_by(r.c.adcode))
    with engine.connect() as conn:
        meta = dict(conn.execute(select(s.app_meta.c.key, s.app_meta.c.value)).all())
        last = {code: at for code, at in conn.execute(_imports_by_city()) if at is not None}
    loaded = loaded_day(meta)
    rows = []
    for code, name in cities.itertuples(index=False):
        at = last.get(code)
        day = to_local(pd.Timestamp(at).to_pydatetime()).date() if at is not None else None
        if day is not None and (loaded is None or day >= loaded):
            rows.append((code, name, day, BY_IMPORT))
        else:
            rows.append((code, name, loaded, BY_LOAD if loaded else ""))
    return pd.DataFrame(rows, columns=COLUMNS)
