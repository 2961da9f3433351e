"""数据质量: every check of the import rules run over the stored data of the viewer's jurisdiction,
so a data officer sees what each city must correct, and watches the count fall after imports.

One row per problem: city, check (检查项), the record (USCC, name), and what is wrong in words.
The checks are the import's (rules/identifiers, rules/intake.date_order_problems, the permit and
fine rules of rules/intake_registers, and of rules/intake_audits: 否定项 against the result, options
implemented before the audit; dates SQLite holds as text that is no date) plus the
map's coordinate check (queries/geo.location_issues), so a record the import would refuse today
shows up here.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st
from sqlalchemy import String, and_, func, insert, select, type_coerce
from sqlalchemy.engine import Connection, Engine

from queries import geo
from queries import schema as s
from queries.db import Source, read_frame
from queries.scope import Filters, Scope, enterprise_where, scope_where
from rules import intake as ri
from rules import intake_audits as ri_audits
from rules import intake_registers as rr
from rules.identifiers import permit_problem, uscc_problem
from rules.security import to_local

BAD_USCC = "统一社会信用代码无效"
BAD_PERMIT = "排污许可证编号无效"
PERMIT_EXPIRY = "排污许可证有效期缺失或有误"
FINE_IN_WAN = "罚款金额疑似按万元填写"
DATE_ORDER = "审核里程碑日期顺序错误"
BAD_DATE = "日期无法识别"
PARK_CITY = "所在园区不在企业所在市"
VETO = "否定项与结论不符"
OPTION_EARLY = "方案实施早于审核启动"
CHECKS = (BAD_USCC, BAD_PERMIT, PERMIT_EXPIRY, BAD_DATE, DATE_ORDER, VETO, OPTION_EARLY,
          PARK_CITY, FINE_IN_WAN, geo.OUTSIDE_PROVINCE, geo.WRONG_COUNTY, geo.NO_COORDINATES,
          geo.UNKNOWN_COUNTY)
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
    permits = read_frame(bind, select(pm.c.permit_no, pm.c.uscc, pm.c.kind,
                                      pm.c.issue_date, pm.c.expiry_date)
                         .select_from(pm.join(E, E.c.uscc == pm.c.uscc))
                         .where(enterprise_where(scope, filters)))
    for permit_no, uscc, kind, issue, expiry in permits.itertuples(index=False):
        problem = permit_problem(permit_no, uscc)
        if problem and uscc in by_uscc:
            add(by_uscc[uscc], BAD_PERMIT, f"{permit_no}：{problem}")
        # the import's own date rules (rules/intake_registers), as of no particular day
        errors, _ = rr.permit_date_problems(kind, _day(issue), _day(expiry), dt.date.max)
        if errors and uscc in by_uscc:
            add(by_uscc[uscc], PERMIT_EXPIRY, f"{permit_no}：" + "；".join(errors))

    pn = s.penalty
    fines = read_frame(bind, select(pn.c.uscc, pn.c.decision_date, pn.c.amount_yuan)
                       .select_from(pn.join(E, E.c.uscc == pn.c.uscc))
                       .where(and_(enterprise_where(scope, filters),
                                   pn.c.decision_date <= filters.as_of)))
    for uscc, decided, amount in fines.itertuples(index=False):
        warning = rr.amount_warning(None if pd.isna(amount) else float(amount))
        if warning and uscc in by_uscc:
            add(by_uscc[uscc], FINE_IN_WAN, f"{_day(decided).isoformat()} 的处罚：{warning}")

    a = s.audit_round
    dates = [f for f, _n in ri.DATE_ORDER]
    verdicts = [a.c[f"{stage}_{x}"] for stage, _w in ri.RESULT_STAGES for x in ("pass", "veto")]
    rounds = read_frame(bind, select(a.c.uscc, a.c.round_no, *[a.c[f] for f in dates],
                                     *verdicts)
                        .select_from(a.join(E, E.c.uscc == a.c.uscc))
                        .where(and_(enterprise_where(scope, filters),
                                    a.c.listing_date <= filters.as_of))
                        .order_by(a.c.uscc, a.c.round_no))
    for r in rounds.to_dict("records"):
        found = ri.date_order_problems({f: _day(r[f]) for f in dates})
        if found and r["uscc"] in by_uscc:
            add(by_uscc[r["uscc"]], DATE_ORDER, f"第 {r['round_no']} 轮：" + "；".join(found))
        vetoes = ri_audits.veto_problems({k: (None if pd.isna(v) else v) for k, v in r.items()})
        if vetoes and r["uscc"] in by_uscc:
            add(by_uscc[r["uscc"]], VETO,
                f"第 {r['round_no']} 轮：" + "；".join(m for _f, m in vetoes))

    # Options implemented before their audit started (the import's rule); SQL picks the
    # candidates so the province's million options are not all read.
    o = s.audit_option
    begin = func.coalesce(a.c.start_date, a.c.listing_date)
    early = read_frame(bind, select(
        a.c.uscc, a.c.round_no, o.c.title, o.c.status, o.c.implemented_date, a.c.start_date,
        a.c.listing_date).select_from(o.join(a, a.c.audit_id == o.c.audit_id)
                                      .join(E, E.c.uscc == a.c.uscc))
        .where(and_(enterprise_where(scope, filters), a.c.listing_date <= filters.as_of,
                    o.c.status == "已实施", o.c.implemented_date < begin))
        .order_by(a.c.uscc, a.c.round_no, o.c.option_id))
    for r in early.to_dict("records"):
        found = ri_audits.option_date_problem(r["status"], _day(r["implemented_date"]),
                                              _day(r["start_date"]), _day(r["listing_date"]),
                                              dt.date.max)
        if found and r["uscc"] in by_uscc:
            add(by_uscc[r["uscc"]], OPTION_EARLY,
                f"第 {r['round_no']} 轮「{r['title']}」：{found}")

    for uscc, detail in bad_dates(bind, scope, filters):
        if uscc in by_uscc:
            add(by_uscc[uscc], BAD_DATE, detail)

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


# The date columns of the records that hang off an enterprise, with how to name the record.
DATED = ((s.audit_round, lambda r: f"第 {r['round_no']} 轮审核", ("round_no",)),
         (s.permit, lambda r: f"排污许可证 {r['permit_no']} ", ("permit_no",)),
         (s.penalty, lambda r: "行政处罚记录", ()))
DATE_NAMES = {**dict(ri.DATE_ORDER), "issue_date": "发证日期", "expiry_date": "有效期至",
              "decision_date": "处罚决定日期"}
_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_day(text: str) -> bool:
    if not _ISO_DAY.match(text):
        return False
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def bad_dates(bind: Engine | Connection, scope: Scope, filters: Filters
              ) -> list[tuple[str, str]]:
    """(USCC, what is wrong) for every date cell holding text that is no date. Only SQLite can
    hold one (a file edited by hand); the pages read such a cell as no date (schema.Day)."""
    if bind.dialect.name != "sqlite":
        return []
    out = []
    for table, name, keys in DATED:
        days = [c for c in table.columns if isinstance(c.type, s.Day)]
        raw = [type_coerce(c, String).label(c.name) for c in days]
        rows = read_frame(bind, select(table.c.uscc, *[table.c[k] for k in keys], *raw)
                          .select_from(table.join(E, E.c.uscc == table.c.uscc))
                          .where(enterprise_where(scope, filters)))
        for r in rows.to_dict("records"):
            for c in days:
                v = r[c.name]
                if isinstance(v, str) and not _is_day(v):
                    out.append((r["uscc"], f"{name(r)}的{DATE_NAMES.get(c.name, c.name)}为"
                                           f"「{v[:20]}」，不是日期：请按 2021-03-05 的格式更正"
                                           "（更正前各页面按未填写处理）"))
    return out


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
