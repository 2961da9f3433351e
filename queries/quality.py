"""数据质量: every check of the import rules run over the stored data of the viewer's jurisdiction,
so a data officer sees what each city must correct, and watches the count fall after imports.

One row per problem: city, check (检查项), the record (USCC, name), and what is wrong in words.
After each import and undo the counts per county and check are recorded (quality_snapshot, in the
import's transaction), so the page can draw the open count over time.
The checks are the import's (rules/identifiers, rules/intake.date_order_problems) plus the
map's coordinate check (queries/geo.location_issues), so a record the import would refuse today
shows up here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from sqlalchemy import and_, insert, select
from sqlalchemy.engine import Connection, Engine

from queries import geo
from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where, scope_where
from rules import intake as ri
from rules.identifiers import permit_problem, uscc_problem
from rules.security import to_local

BAD_USCC = "统一社会信用代码无效"
BAD_PERMIT = "排污许可证编号无效"
DATE_ORDER = "审核里程碑日期顺序错误"
PARK_CITY = "所在园区不在企业所在市"
CHECKS = (BAD_USCC, BAD_PERMIT, DATE_ORDER, PARK_CITY, geo.OUTSIDE_PROVINCE, geo.WRONG_COUNTY,
          geo.NO_COORDINATES, geo.UNKNOWN_COUNTY)
COLUMNS = ["城市", "检查项", "统一社会信用代码", "企业名称", "问题说明"]

E = s.enterprise
CITY = s.region.alias("city")


def _enterprises(bind: Engine | Connection, scope: Scope, filters: Filters) -> pd.DataFrame:
    p = s.park
    return read_frame(bind, select(
        E.c.uscc, E.c.name, CITY.c.name.label("city"), E.c.city_adcode,
        p.c.name.label("park"), p.c.city_adcode.label("park_city"))
        .select_from(E.join(CITY, CITY.c.adcode == E.c.city_adcode)
                     .outerjoin(p, p.c.park_id == E.c.park_id))
        .where(enterprise_where(scope, filters)).order_by(E.c.uscc))


@st.cache_data(show_spinner=False, max_entries=32)
def problems(source: Source, scope: Scope, filters: Filters, province_adcode: str
             ) -> pd.DataFrame:
    """Every problem found in the jurisdiction (and the enterprise filters), audit rounds listed
    by the as-of date. Columns: COLUMNS, sorted by city, check order, USCC."""
    return find(source.engine, scope, filters, province_adcode,
                geo.location_issues(source, scope, filters, province_adcode))


def find(bind: Engine | Connection, scope: Scope, filters: Filters, province_adcode: str,
         located: pd.DataFrame | None = None) -> pd.DataFrame:
    """`problems`, read on `bind` (an import's connection sees what it wrote); `located` is
    geo.location_issues when the caller has it (cached), else it is worked out here."""
    ents = _enterprises(bind, scope, filters)
    out: list[dict] = []

    def add(row, check: str, detail: str) -> None:
        out.append({"城市": row["city"], "检查项": check, "统一社会信用代码": row["uscc"],
                    "企业名称": row["name"], "问题说明": detail})

    for row in ents.to_dict("records"):
        problem = uscc_problem(row["uscc"])
        if problem:
            add(row, BAD_USCC, problem)
        if not pd.isna(row["park"]) and row["park_city"] != row["city_adcode"]:
            add(row, PARK_CITY, f"登记的园区「{row['park']}」不在企业所在的{row['city']}")
    by_uscc = {r["uscc"]: r for r in ents.to_dict("records")}

    pm = s.permit
    permits = read_frame(bind, select(pm.c.permit_no, pm.c.uscc)
                         .select_from(pm.join(E, E.c.uscc == pm.c.uscc))
                         .where(enterprise_where(scope, filters)))
    for permit_no, uscc in permits.itertuples(index=False):
        problem = permit_problem(permit_no, uscc)
        if problem and uscc in by_uscc:
            add(by_uscc[uscc], BAD_PERMIT, f"{permit_no}：{problem}")

    a = s.audit_round
    dates = [f for f, _n in ri.DATE_ORDER]
    rounds = read_frame(bind, select(a.c.uscc, a.c.round_no, *[a.c[f] for f in dates])
                        .select_from(a.join(E, E.c.uscc == a.c.uscc))
                        .where(and_(enterprise_where(scope, filters),
                                    a.c.listing_date <= filters.as_of))
                        .order_by(a.c.uscc, a.c.round_no))
    for r in rounds.to_dict("records"):
        found = ri.date_order_problems({f: _day(r[f]) for f in dates})
        if found and r["uscc"] in by_uscc:
            add(by_uscc[r["uscc"]], DATE_ORDER, f"第 {r['round_no']} 轮：" + "；".join(found))

    if located is None:
        located = geo.issues_of(read_frame(bind, geo.locations_stmt(scope, filters)),
                                province_adcode)
    for r in located.to_dict("records"):
        detail = r["problem"]
        if r["problem"] == geo.WRONG_COUNTY:
            detail = (f"登记在{r['county']}，坐标（{r['lon']:.4f}，{r['lat']:.4f}）位于"
                      f"{r['found_county'] or '其他区县'}")
        elif r["problem"] == geo.OUTSIDE_PROVINCE:
            detail = f"坐标（{r['lon']:.4f}，{r['lat']:.4f}）不在本省范围内"
        add(r, r["problem"], detail)

    frame = pd.DataFrame(out, columns=COLUMNS)
    order = {c: i for i, c in enumerate(CHECKS)}
    return (frame.assign(_o=frame["检查项"].map(order))
            .sort_values(["城市", "_o", "统一社会信用代码"]).drop(columns="_o")
            .reset_index(drop=True))


def _day(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    return pd.Timestamp(v).date() if not hasattr(v, "year") else v


def by_city_and_check(found: pd.DataFrame) -> pd.DataFrame:
    """Counts: one row per city, one column per check that found something, and 合计."""
    if found.empty:
        return pd.DataFrame(columns=["城市", "合计"])
    table = (found.pivot_table(index="城市", columns="检查项", values="统一社会信用代码",
                               aggfunc="count", fill_value=0)
             .reindex(columns=[c for c in CHECKS if c in set(found["检查项"])]))
    table["合计"] = table.sum(axis=1)
    return table.reset_index()


# ---- the open count over time ------------------------------------------------------------------

TOTAL = "合计"


def record_snapshot(conn: Connection, batch_id: int, event: str, at: dt.datetime) -> int:
    """After an import or an undo, on its connection (in its transaction): the open problems
    of the whole province, per county and check (quality_snapshot). The whole province, not
    only the importer's area, so that every event is a complete picture and any jurisdiction's
    line is a sum over its counties. Returns the province's total."""
    province = conn.execute(select(s.app_meta.c.value)
                            .where(s.app_meta.c.key == "province_adcode")).scalar() or ""
    filters = Filters(as_of=to_local(at).date())
    ents = read_frame(conn, geo.locations_stmt(Scope(), filters))
    try:
        located = geo.issues_of(ents, province)
    except Exception:  # noqa: BLE001 - no boundaries for this province: the other checks
        located = pd.DataFrame(columns=["problem"])
    found = find(conn, Scope(), filters, province, located)
    county_of = dict(conn.execute(select(E.c.uscc, E.c.county_adcode)).all())
    found = found.assign(county=found["统一社会信用代码"].map(county_of))
    per = found.groupby(["county", "检查项"]).size()
    rows = [dict(county_adcode=c, check_name=k, problems=int(n)) for (c, k), n in per.items()]
    totals = found.groupby("county").size()
    for county in sorted(set(county_of.values())):
        rows.append(dict(county_adcode=county, check_name=TOTAL,
                         problems=int(totals.get(county, 0))))
    conn.execute(insert(s.quality_snapshot),
                 [dict(r, at=at, batch_id=batch_id, event=event) for r in rows])
    return len(found)


@st.cache_data(show_spinner=False, max_entries=32)
def open_over_time(source: Source, scope: Scope) -> pd.DataFrame:
    """The jurisdiction's open problems after each import and undo: at (Beijing time), event,
    batch_id, problems (处, the sum of its counties' 合计). A county counts for a jurisdiction
    when it holds one of its enterprises; a park's jurisdiction is not recorded (it is no set of
    counties): empty."""
    q = s.quality_snapshot
    cols = ["at", "event", "batch_id", "problems"]
    if scope.level == "park":
        return pd.DataFrame(columns=cols)
    counties = select(E.c.county_adcode).where(scope_where(scope)).distinct()
    frame = read_frame(source.engine, select(
        q.c.snapshot_id, q.c.at, q.c.event, q.c.batch_id, q.c.problems)
        .where(q.c.check_name == TOTAL, q.c.county_adcode.in_(counties)))
    if frame.empty:
        return pd.DataFrame(columns=cols)
    # events in the order they were written (an undo in the same second as its import after it)
    out = (frame.groupby(["at", "event", "batch_id"], as_index=False)
           .agg(problems=("problems", "sum"), first=("snapshot_id", "min"))
           .sort_values("first").reset_index(drop=True))
    out["at"] = [to_local(pd.Timestamp(t).to_pydatetime()) for t in out["at"]]
    out["problems"] = out["problems"].astype(int)
    return out[cols]
