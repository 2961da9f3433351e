"""Data intake of places and plans (rules/intake_places.py, queries/intake_places.py): 计划目标,
园区, 整体审核. Each kind on the hand-built databases (tests/handmade.py, handmade_parks.py,
plan_handmade.py), on SQLite and PostgreSQL: the preview's categories exactly, what confirm
writes, a blank cell keeps the stored value, undo, the jurisdiction, the template round trip.

计划目标 on tests/handmade.py: period 1 (2021—2023年实施方案) holds three targets of 2023 —
target 1 江苏省 全部行业 (listed 3, completed 3, passed 3, acceptances 2), target 2 南京市 化工
(2, 2, 2, 1, 100 吨标准煤, 2 吨 COD), target 3 苏州市 电镀 (1, 1, 1, 1).
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from components.export import template_bytes
from queries import intake
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Scope
from rules import intake as ri
from rules import intake_places as rp
from tests.handmade_parks import E2, E4, E5, E6, E7, E8
from tests.intake_files import xlsx

PROVINCE, SUZHOU, NANJING = Scope(), Scope("city", "320500"), Scope("city", "320100")
HUQIU = Scope("county", "320505")
ACTOR = intake.Actor("测试员")
P1 = "2021—2023年实施方案"


def src(url: str) -> Source:
    return Source(url, "")




# ---- 计划目标: the rules of each cell (pure) ----------------------------------------------

T_COLS = list(rp.TARGETS.columns)
T_HEAD = [c.header for c in T_COLS]
WHOLE = [c for c in T_COLS if c.field in rp.TARGET_FIELDS and c.kind == "int"]
DECIMAL = [c for c in T_COLS if c.field in rp.TARGET_FIELDS and c.kind == "number"]
REFS = {"period": {P1: "1"},
        "region": {"江苏省": "320000", "南京市": "320100", "320100": "320100",
                   "浦口区": "320111"},
        "industry_or_all": {"化工": "chemicals", "印染": "dyeing", "全部行业": "", "全部": ""}}


def t_row(**cells) -> list:
    """A row of the targets template by field: 2021—2023, 2022, 南京市, 化工 unless given."""
    values = {"period": P1, "year": 2022, "region": "南京市", "industry": "化工", **cells}
    return [values.get(c.field) for c in T_COLS]


def check(*rows: dict) -> list[ri.Row]:
    table = ri.Table("计划目标", 1, dict(enumerate(T_COLS)), dict(enumerate(T_HEAD)),
                     [(i, t_row(**r)) for i, r in enumerate(rows, start=2)])
    return ri.check_rows(table, rp.TARGETS, REFS)


def one_error(*rows: dict) -> str:
    problems = [p for r in check(*rows) for p in r.problems]
    assert len(problems) == 1, problems
    return problems[0].message


@pytest.mark.parametrize("col", WHOLE + DECIMAL, ids=lambda c: c.field)
def test_every_target_column_refuses_negative_values(col):
    assert "超出范围" in one_error({col.field: -1})
    assert "超出范围" in one_error({col.field: "-3" if col.kind == "int" else "-0.5"})
    assert check({col.field: 0})[0].values[col.field] == 0  # zero is a target


@pytest.mark.parametrize("col", WHOLE + DECIMAL, ids=lambda c: c.field)
def test_every_target_column_refuses_text(col):
    assert "不是数字" in one_error({col.field: "十"})
    assert "不是数字" in one_error({col.field: True})


@pytest.mark.parametrize("col", WHOLE, ids=lambda c: c.field)
def test_whole_columns_refuse_fractions(col):
    assert "应为整数" in one_error({col.field: 2.5})
    assert check({col.field: "3"})[0].values[col.field] == 3


@pytest.mark.parametrize("col", DECIMAL, ids=lambda c: c.field)
def test_decimal_columns_keep_fractions(col):
    assert check({col.field: "2,500.5"})[0].values[col.field] == 2500.5


@pytest.mark.parametrize("col", WHOLE + DECIMAL, ids=lambda c: c.field)
def test_every_target_column_has_a_largest_value(col):
    largest = rp.MAX_WHOLE if col.kind == "int" else rp.MAX_DECIMAL
    assert check({col.field: largest})[0].ok
    assert "超出范围" in one_error({col.field: largest + 1})
    assert "超出范围" in one_error({col.field: 1e20})


def test_units_are_written_out_in_the_headers():
    assert [c.header for c in WHOLE] == ["列入审核数（轮）", "完成审核数（轮）", "通过评估数（轮）",
                                         "通过验收数（轮）"]
    assert [c.unit for c in DECIMAL] == ["吨标准煤", "吨", "吨", "吨", "吨", "吨"]


@pytest.mark.parametrize("year, ok", [("2022", True), (2022.0, True), (2022.5, False),
                                      ("今年", False), (None, False)])
def test_year_is_a_whole_year(year, ok):
    got = check({"year": year, "audits_completed": 1})[0]
    assert got.ok is ok
    if ok:
        assert got.key[1] == 2022


def test_duplicates_are_the_same_period_year_region_and_industry():
    same = {"audits_completed": 1}
    assert "与第 2 行重复" in one_error(same, same)
    assert all(r.ok for r in check(same, {**same, "industry": "印染"}))
    assert all(r.ok for r in check(same, {**same, "year": 2023}))
    assert all(r.ok for r in check(same, {**same, "region": "江苏省"}))
    # a blank 行业 and 全部行业 are the same target (all industries)
    assert "与第 2 行重复" in one_error({**same, "industry": None},
                                     {**same, "industry": "全部行业"})


def test_the_industry_may_be_blank_but_not_the_other_keys():
    assert check({"industry": None, "audits_completed": 1})[0].key == ("1", 2022, "320100", "")
    for field in ("period", "year", "region"):
        assert "未填写" in one_error({field: None, "audits_completed": 1}), field


# ---- 计划目标 on the database -----------------------------------------------------------------

def targets(url: str) -> pd.DataFrame:
    return read_frame(get_engine(url), select(s.plan_target).order_by(s.plan_target.c.target_id))


def version(url: str) -> str:
    with get_engine(url).connect() as conn:
        return conn.execute(select(s.app_meta.c.value)
                            .where(s.app_meta.c.key == "data_version")).scalar()


def t_file(*rows: dict) -> bytes:
    return xlsx(T_HEAD, [t_row(**r) for r in rows], formulas=True)  # "=1+1" a formula


TARGET_FILE = (
    {"year": 2023, "audits_completed": 5},                                        # 修改 target 2
    {"year": 2023, "region": "江苏省", "industry": None, "acceptances": 2},        # 无变化 target 1
    {"region": "苏州市", "industry": "电镀", "audits_completed": 2},              # 新增 2022
    {"year": 2023, "region": "虎丘区", "industry": "全部行业", "audits_listed": 1},  # 新增 county
    {"year": 2024, "region": "苏州市", "audits_completed": 1},                    # 拒绝: period
    {"year": 2023, "region": "上海市", "audits_completed": 1},                    # 拒绝: region
)


def test_targets_preview_categories_exact(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "targets", t_file(*TARGET_FILE), "t.xlsx")
    assert pv.problems == []
    assert [(r.row, r.status) for r in pv.rows] == [(2, "修改"), (3, "无变化"), (4, "新增"),
                                                    (5, "新增"), (6, "拒绝"), (7, "拒绝")]
    assert {k: pv.count(k) for k in intake.STATUSES} == {"新增": 2, "修改": 1, "无变化": 1,
                                                         "拒绝": 2}
    assert pv.rows[0].changes == [("完成审核数", 2, 5)]
    assert pv.rows[2].changes == [("完成审核数", None, 2)]
    assert pv.rows[3].write["region_adcode"] == "320505"
    assert pv.rows[3].write["industry_code"] is None
    assert [p.message for p in pv.rows[4].problems] == [
        "不在规划期「2021—2023年实施方案」（2021—2023年）内，请核对年度或规划期。"]
    assert "未找到" in pv.rows[5].problems[0].message
    frame = pv.frame()
    assert frame["规划期、年度、地区、行业"][0] == "2021—2023年实施方案、2023年、南京市、化工"
    assert not pv.ok


@pytest.mark.parametrize("year, ok", [(2021, True), (2023, True), (2020, False), (2024, False)])
def test_year_within_the_plan_period(handmade_url, year, ok):
    pv = intake.preview(src(handmade_url), PROVINCE, "targets",
                        t_file({"year": year, "region": "苏州市", "audits_completed": 1}))
    assert (pv.rows[0].status == "新增") is ok


@pytest.mark.parametrize("region, code", [("南京市", "320100"), ("320100", "320100"),
                                          ("浦口区", "320111"), ("苏州市虎丘区", "320505"),
                                          (" 江苏省 ", "320000"), ("320000", "320000")])
def test_region_by_name_or_code(handmade_url, region, code):
    pv = intake.preview(src(handmade_url), PROVINCE, "targets",
                        t_file({"region": region, "audits_completed": 1}))
    assert pv.rows[0].status == "新增" and pv.rows[0].write["region_adcode"] == code


@pytest.mark.parametrize("industry, code", [("化工", "chemicals"), ("dyeing", "dyeing"),
                                            ("全部行业", None), ("全部", None), (None, None)])
def test_industry_by_name_or_code_or_all(handmade_url, industry, code):
    pv = intake.preview(src(handmade_url), PROVINCE, "targets",
                        t_file({"industry": industry, "audits_completed": 1}))
    assert pv.rows[0].status == "新增" and pv.rows[0].write["industry_code"] == code
    pv = intake.preview(src(handmade_url), PROVINCE, "targets",
                        t_file({"industry": "纺织", "audits_completed": 1}))
    assert "未找到" in pv.rows[0].problems[0].message


def test_targets_confirm_writes_and_records_before_values(handmade_url):
    before = version(handmade_url)
    out = intake.confirm(src(handmade_url), PROVINCE, "targets", t_file(*TARGET_FILE[:4]),
                         "目标.xlsx", ACTOR)
    assert out.ok and out.message == "已导入第 1 次：新增 2 条、修改 1 条、无变化 1 条。"
    t = targets(handmade_url).set_index("target_id")
    assert len(t) == 5 and t.loc[2, "audits_completed"] == 5
    assert (t.loc[4, "period_id"], t.loc[4, "year"], t.loc[4, "region_adcode"],
            t.loc[4, "industry_code"], t.loc[4, "audits_completed"]) == (1, 2022, "320500",
                                                                          "electroplating", 2)
    assert t.loc[5, "region_adcode"] == "320505" and t.loc[5, "audits_listed"] == 1
    assert pd.isna(t.loc[5, "audits_completed"])
    assert version(handmade_url) != before
    changes = read_frame(get_engine(handmade_url), select(s.import_change))
    assert sorted(zip(changes["row_key"], changes["action"], changes["before_json"].fillna(""),
                      strict=True)) == [("2", "修改", '{"audits_completed": 2}'),
                                        ("4", "新增", ""), ("5", "新增", "")]


def test_a_blank_cell_keeps_the_other_targets(handmade_url):
    """The old plan import emptied a row's other targets when one cell was filled: a blank cell
    now keeps the stored target, and only （清空） empties one."""
    out = intake.confirm(src(handmade_url), PROVINCE, "targets",
                         t_file({"year": 2023, "audits_completed": 4, "cod_t": "（清空）"}),
                         "x.xlsx", ACTOR)
    assert out.ok
    t = targets(handmade_url).set_index("target_id")
    assert t.loc[2, "audits_completed"] == 4 and pd.isna(t.loc[2, "cod_t"])
    assert (t.loc[2, "audits_listed"], t.loc[2, "evaluations_passed"], t.loc[2, "acceptances"],
            t.loc[2, "energy_tce"]) == (2, 2, 1, 100.0)
    assert pd.isna(t.loc[2, "nh3n_t"])  # and a figure never set stays unset
    assert t.loc[1, "audits_completed"] == 3 and t.loc[3, "audits_completed"] == 1


def test_a_row_of_keys_alone_writes_nothing(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "targets",
                        t_file({"region": "苏州市"}, {"year": 2023}))
    assert [r.status for r in pv.rows] == ["无变化", "无变化"] and not pv.ok


def test_targets_undo_restores_exactly(handmade_url):
    before = targets(handmade_url)
    out = intake.confirm(src(handmade_url), PROVINCE, "targets",
                         t_file(*TARGET_FILE[:4], {"year": 2023, "cod_t": "（清空）"}), "x.xlsx",
                         ACTOR)
    assert not out.ok  # the same target twice (rows 2 and 6): nothing written
    out = intake.confirm(src(handmade_url), PROVINCE, "targets",
                         t_file(*TARGET_FILE[:4]), "x.xlsx", ACTOR)
    assert out.ok
    undone = intake.undo(src(handmade_url), PROVINCE, out.batch_id, ACTOR)
    assert undone.ok and undone.message == "已撤销第 1 次导入：3 条记录已恢复到导入前。"
    pd.testing.assert_frame_equal(targets(handmade_url), before)


def test_huge_values_and_formulas_never_reach_the_database(handmade_url):
    before = targets(handmade_url)
    out = intake.confirm(src(handmade_url), PROVINCE, "targets",
                         t_file({"year": 2023, "audits_completed": 1e20, "energy_tce": 1e20}),
                         "x.xlsx", ACTOR)
    assert not out.ok and len(out.preview.row_problems) == 2
    out = intake.confirm(src(handmade_url), PROVINCE, "targets",
                         t_file({"year": 2023, "audits_completed": "=1+1", "energy_tce": 50.0}),
                         "x.xlsx", ACTOR)
    assert not out.ok
    assert "是公式，但文件中没有它的计算结果" in out.preview.row_problems[0].message
    pd.testing.assert_frame_equal(before, targets(handmade_url))  # nothing erased


# ---- 计划目标: jurisdiction ---------------------------------------------------------------------

def test_a_city_imports_only_its_city_and_counties(handmade_url):
    rows = ({"region": "苏州市", "industry": None, "audits_completed": 1},       # 新增
            {"region": "虎丘区", "audits_completed": 1},                         # 新增 (its county)
            {"year": 2023, "region": "南京市", "audits_completed": 9},           # exists there
            {"year": 2023, "region": "南京市", "industry": "印染",
             "audits_completed": 9},                                             # does not exist
            {"year": 2023, "region": "江苏省", "industry": None, "acceptances": 9})  # province
    pv = intake.preview(src(handmade_url), SUZHOU, "targets", t_file(*rows))
    assert [r.status for r in pv.rows] == ["新增", "新增", "拒绝", "拒绝", "拒绝"]
    said = {p.message for r in pv.rows[2:] for p in r.problems}
    # the same words whether or not a target exists there
    assert said == {"不能写入：只能导入本辖区（苏州市）的计划目标，市级用户为本市及所辖区县。"
                    "如确需修改，请联系省级用户。"}
    before = targets(handmade_url)
    assert not intake.confirm(src(handmade_url), SUZHOU, "targets", t_file(*rows), "x.xlsx",
                              ACTOR).ok
    pd.testing.assert_frame_equal(before, targets(handmade_url))


def test_a_county_imports_only_its_county(handmade_url):
    pv = intake.preview(src(handmade_url), HUQIU, "targets",
                        t_file({"region": "虎丘区", "audits_completed": 1},
                               {"region": "苏州市", "audits_completed": 1},
                               {"region": "吴江区", "audits_completed": 1}))
    assert [r.status for r in pv.rows] == ["新增", "拒绝", "拒绝"]


# ---- 计划目标: the template, pre-filled, round trip ---------------------------------------------

def test_targets_template_round_trip(handmade_url):
    """The pre-filled template, imported unchanged, changes nothing; each jurisdiction gets its
    own targets and its own regions in the drop-down list."""
    rows = intake.current_rows(src(handmade_url), PROVINCE, "targets")
    assert list(rows.columns) == T_HEAD
    assert list(rows["地区"]) == ["江苏省", "南京市", "苏州市"]
    assert list(rows["行业"]) == ["全部行业", "化工", "电镀"]
    assert list(rows["完成审核数（轮）"]) == [3, 2, 1]
    data = template_bytes(rp.TARGETS, intake.template_choices(src(handmade_url), PROVINCE,
                                                              "targets"), rows)
    pv = intake.preview(src(handmade_url), PROVINCE, "targets", data, "现有.xlsx")
    assert pv.problems == [] and [r.status for r in pv.rows] == ["无变化"] * 3
    suzhou = intake.current_rows(src(handmade_url), SUZHOU, "targets")
    assert list(suzhou["地区"]) == ["苏州市"]
    choices = intake.template_choices(src(handmade_url), SUZHOU, "targets")
    assert choices["region"] == ["苏州市", "苏州市虎丘区", "苏州市吴江区"]
    assert choices["industry"][0] == "全部行业" and choices["period"] == [P1]
    # edited in the template and imported: the page's figure is the file's
    book = load_workbook(io.BytesIO(template_bytes(rp.TARGETS, choices, suzhou)))
    ws = book["计划目标"]
    ws.cell(2, T_HEAD.index("完成审核数（轮）") + 1, 7)
    buf = io.BytesIO()
    book.save(buf)
    out = intake.confirm(src(handmade_url), SUZHOU, "targets", buf.getvalue(), "改.xlsx", ACTOR)
    assert out.ok and out.message == "已导入第 1 次：新增 0 条、修改 1 条、无变化 0 条。"
    assert targets(handmade_url).set_index("target_id").loc[3, "audits_completed"] == 7


# ---- 园区 (parks) on tests/handmade_parks.py ----------------------------------------------
# Park 1 南京江北新材料科技园 (国家级 化工园区, 南京市 浦口区, a boundary), park 2
# 苏州吴江化工新材料产业园 (省级, 苏州市 吴江区, a boundary), park 3 苏州高新技术产业开发区 (国家级
# 高新技术产业开发区, 苏州市 虎丘区, no boundary, point 120.55, 31.30).

P_HEAD = [c.header for c in rp.PARKS.columns]
PARK1, PARK2, PARK3 = "南京江北新材料科技园", "苏州吴江化工新材料产业园", "苏州高新技术产业开发区"
HIGH_TECH = (120.50, 31.28, 120.56, 31.33)  # a box in 虎丘区 for park 3
NEW_PARK = (120.60, 30.90, 120.63, 30.93)  # a box in 吴江区 for a new park


@pytest.fixture
def parks_url(db_url):
    from tests import handmade_parks

    handmade_parks.build(get_engine(db_url))
    return db_url


def p_file(*rows: dict) -> bytes:
    return xlsx(P_HEAD, [[r.get(c.field) for c in rp.PARKS.columns] for r in rows])


def shapes(features: dict, crs: str = "EPSG:4326"):
    """A GeoDataFrame of park name -> geometry (a tuple is a box)."""
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame({"园区名称": list(features)},
                            geometry=[box(*g) if isinstance(g, tuple) else g
                                      for g in features.values()], crs="EPSG:4326").to_crs(crs)


def geojson(features: dict, crs: str = "EPSG:4326") -> bytes:
    return shapes(features, crs).to_json().encode()


def zipped_shapefile(features: dict, tmp_path, crs: str = "EPSG:4326",
                     folder: str = "") -> bytes:
    """A zipped shapefile written by geopandas; its name field is 名称 (a DBF field name holds
    10 bytes: 园区名称 does not fit in UTF-8)."""
    import zipfile

    out = tmp_path / "shp"
    out.mkdir(exist_ok=True)
    shapes(features, crs).rename(columns={"园区名称": "名称"}).to_file(out / "parks.shp",
                                                                   encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in sorted(out.iterdir()):
            z.write(f, folder + f.name)
    return buf.getvalue()


def parks(url: str) -> pd.DataFrame:
    return read_frame(get_engine(url), select(s.park).order_by(s.park.c.park_id))


PARK_ROWS = (
    {"name": PARK3},                                                            # 修改: boundary
    {"name": "苏州新园", "level": "市级", "park_type": "工业集中区", "city": "苏州市",
     "county": "吴江区"},                                                       # 新增
    {"name": PARK1, "level": "省级"},                                           # 修改: level
    {"name": PARK2},                                                            # 无变化
    {"name": "苏州错园", "level": "市级", "park_type": "工业集中区", "city": "苏州市",
     "county": "浦口区"},                                                       # 拒绝: county
    {"name": "苏州缺园", "level": "市级"},                                      # 拒绝: missing
)


def test_parks_preview_categories_exact(parks_url):
    pv = intake.preview(src(parks_url), PROVINCE, "parks", p_file(*PARK_ROWS), "园区.xlsx",
                        attachment=(geojson({PARK3: HIGH_TECH, "苏州新园": NEW_PARK}),
                                    "边界.geojson"))
    assert pv.problems == []
    assert [(r.row, r.status) for r in pv.rows] == [(2, "修改"), (3, "新增"), (4, "修改"),
                                                    (5, "无变化"), (6, "拒绝"), (7, "拒绝")]
    assert {k: pv.count(k) for k in intake.STATUSES} == {"新增": 1, "修改": 2, "无变化": 1,
                                                         "拒绝": 2}
    assert [c[0] for c in pv.rows[0].changes] == ["经度", "纬度", "边界"]
    assert pv.rows[0].changes[2][1:] == (None, "边界文件中的边界（约 31.665 平方千米）")
    assert pv.rows[2].changes == [("园区级别", "国家级", "省级")]
    assert pv.rows[1].write["park_id"] == 4 and pv.rows[1].write["county_adcode"] == "320509"
    assert [p.message for p in pv.rows[4].problems] == [
        "区县「南京市浦口区」不在「苏州市」，请核对所在设区市或区县。"]
    assert [p.message for p in pv.rows[5].problems] == [
        "新增园区须填写：园区类型、所在设区市、所在区县。"]
    assert pv.file_name == "园区.xlsx、边界.geojson"


def test_parks_confirm_writes_the_boundary_and_undo_restores_it(parks_url):
    import shapely

    before = parks(parks_url)
    out = intake.confirm(src(parks_url), PROVINCE, "parks", p_file(*PARK_ROWS[:4]), "园区.xlsx",
                         ACTOR, attachment=(geojson({PARK3: HIGH_TECH, "苏州新园": NEW_PARK}),
                                            "边界.geojson"))
    assert out.ok and out.message == "已导入第 1 次：新增 1 条、修改 2 条、无变化 1 条。"
    after = parks(parks_url).set_index("park_id")
    boundary = shapely.from_geojson(after.loc[3, "boundary_geojson"])
    assert boundary.equals(shapely.box(*HIGH_TECH))
    assert boundary.contains(shapely.Point(after.loc[3, "lon"], after.loc[3, "lat"]))
    assert (after.loc[4, "name"], after.loc[4, "city_adcode"], after.loc[4, "level"]) == (
        "苏州新园", "320500", "市级")
    assert shapely.from_geojson(after.loc[4, "boundary_geojson"]).equals(
        shapely.box(*NEW_PARK))
    assert after.loc[1, "level"] == "省级"
    assert after.loc[1, "boundary_geojson"] == before.loc[0, "boundary_geojson"]  # kept
    batch = read_frame(get_engine(parks_url), select(s.import_batch))
    assert list(batch["file_name"]) == ["园区.xlsx、边界.geojson"]
    undone = intake.undo(src(parks_url), PROVINCE, out.batch_id, ACTOR)
    assert undone.ok
    pd.testing.assert_frame_equal(parks(parks_url), before)


def test_a_zipped_shapefile_gives_the_same_boundary(parks_url, tmp_path):
    import shapely

    for data in (zipped_shapefile({PARK3: HIGH_TECH}, tmp_path),
                 zipped_shapefile({PARK3: HIGH_TECH}, tmp_path, folder="边界/")):
        pv = intake.preview(src(parks_url), PROVINCE, "parks", p_file({"name": PARK3}),
                            attachment=(data, "边界.zip"))
        assert pv.problems == [] and [r.status for r in pv.rows] == ["修改"]
        assert shapely.from_geojson(pv.rows[0].write["boundary_geojson"]).equals(
            shapely.box(*HIGH_TECH))


def test_a_projected_shapefile_is_converted_with_a_warning(parks_url, tmp_path):
    import shapely

    data = zipped_shapefile({PARK3: HIGH_TECH}, tmp_path, crs="EPSG:4549")  # CGCS2000 / 120°E
    pv = intake.preview(src(parks_url), PROVINCE, "parks", p_file({"name": PARK3}),
                        attachment=(data, "边界.zip"))
    assert [r.status for r in pv.rows] == ["修改"] and pv.ok
    assert "已换算为经纬度" in pv.warnings[0].message and "EPSG:4549" in pv.warnings[0].message
    got = shapely.from_geojson(pv.rows[0].write["boundary_geojson"])
    assert got.symmetric_difference(shapely.box(*HIGH_TECH)).area < 1e-8


def test_a_row_without_a_boundary_keeps_the_stored_one(parks_url):
    before = parks(parks_url)
    out = intake.confirm(src(parks_url), PROVINCE, "parks",
                         p_file({"name": PARK2, "park_type": "工业集中区"}), "x.xlsx", ACTOR)
    assert out.ok
    after = parks(parks_url)
    assert after.loc[1, "park_type"] == "工业集中区"
    assert after.loc[1, "boundary_geojson"] == before.loc[1, "boundary_geojson"]
    assert (after.loc[1, "lon"], after.loc[1, "lat"], after.loc[1, "level"]) == (120.675, 30.98,
                                                                                "省级")


BAD_BOUNDARIES = {
    "a point": ({PARK3: "POINT"}, "不是面"),
    "no name": (None, "没有「园区名称」属性"),
    "too large": ({PARK3: (119.0, 30.8, 121.0, 32.0)}, "不像一个园区的边界"),
    "outside the province": ({PARK3: (116.30, 39.90, 116.35, 39.95)}, "超出本省范围"),
    "no row in the table": ({PARK3: HIGH_TECH, "无名园": NEW_PARK}, "在表格中没有对应的行"),
    "self-intersecting": ({PARK3: "BOWTIE"}, "多边形无效"),
}


@pytest.mark.parametrize("case", list(BAD_BOUNDARIES))
def test_a_bad_boundary_file_blocks_the_import(parks_url, case):
    from shapely.geometry import Point, Polygon

    features, words = BAD_BOUNDARIES[case]
    if features is None:
        data = shapes({PARK3: HIGH_TECH}).rename(columns={"园区名称": "备注"}).to_json().encode()
    else:
        special = {"POINT": Point(120.52, 31.30),
                   "BOWTIE": Polygon([(120.50, 31.28), (120.56, 31.33), (120.56, 31.28),
                                      (120.50, 31.33)])}
        data = geojson({k: special.get(v, v) if isinstance(v, str) else v
                        for k, v in features.items()})
    before = parks(parks_url)
    out = intake.confirm(src(parks_url), PROVINCE, "parks", p_file({"name": PARK3}), "x.xlsx",
                         ACTOR, attachment=(data, "边界.geojson"))
    assert not out.ok and out.preview.problems
    assert words in " ".join(str(p) for p in out.preview.problems), out.preview.problems
    pd.testing.assert_frame_equal(parks(parks_url), before)


@pytest.mark.parametrize("data, words", [(b"", "为空"), (b"not a map", "不是 GeoJSON"),
                                         (b"{broken", "不是有效的 GeoJSON"),
                                         (b"PK\x03\x04broken", "已损坏")])
def test_files_that_are_not_boundaries(data, words):
    boundaries, problems = rp.read_boundaries(data, "b")
    assert boundaries == [] and words in problems[0].message


def test_a_zip_without_its_dbf_is_told(tmp_path):
    import zipfile

    full = zipfile.ZipFile(io.BytesIO(zipped_shapefile({PARK3: HIGH_TECH}, tmp_path)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in full.namelist():
            if not name.endswith(".dbf"):
                z.writestr(name, full.read(name))
    _b, problems = rp.read_boundaries(buf.getvalue(), "b.zip")
    assert "缺少 .dbf 文件" in problems[0].message


def test_features_of_one_park_are_merged():
    import shapely

    boundaries, problems = rp.read_boundaries(geojson({PARK3: HIGH_TECH}).replace(
        b'"features": [', b'"features": [' + _feature(PARK3, NEW_PARK) + b", "), "b")
    assert problems == [] and len(boundaries) == 1
    assert boundaries[0].features == (1, 2)
    assert shapely.from_geojson(boundaries[0].geojson).geom_type == "MultiPolygon"


def _feature(name: str, bounds: tuple) -> bytes:
    import json

    import shapely

    return json.dumps({"type": "Feature", "properties": {"园区名称": name},
                       "geometry": json.loads(shapely.to_geojson(shapely.box(*bounds)))},
                      ensure_ascii=False).encode()


# ---- 园区: jurisdiction, park numbers, template -------------------------------------------------

def test_a_city_creates_and_changes_only_its_parks(parks_url):
    rows = ({"name": PARK3, "level": "省级"},                                   # 修改 (its own)
            {"name": PARK1, "level": "省级"},                                   # exists elsewhere
            {"name": "南京新园", "level": "市级", "park_type": "工业集中区", "city": "南京市",
             "county": "浦口区"})                                               # new elsewhere
    pv = intake.preview(src(parks_url), SUZHOU, "parks", p_file(*rows))
    assert [r.status for r in pv.rows] == ["修改", "拒绝", "拒绝"]
    said = {p.message for r in pv.rows[1:] for p in r.problems}
    assert said == {"不能写入：只能新增或修改本辖区（苏州市）的园区，所在区县也须在本辖区内。"
                    "如该园区确属本辖区，请联系省级用户核实。"}
    # its neighbour's boundary cannot come in through a file either
    pv = intake.preview(src(parks_url), SUZHOU, "parks", p_file({"name": PARK1}),
                        attachment=(geojson({PARK1: (118.68, 32.18, 118.73, 32.23)}), "b.json"))
    assert [r.status for r in pv.rows] == ["拒绝"]
    pv = intake.preview(src(parks_url), HUQIU, "parks",
                        p_file({"name": PARK3, "level": "省级"}, {"name": PARK2, "level": "市级"}))
    assert [r.status for r in pv.rows] == ["修改", "拒绝"]


def test_a_park_number_renames_and_an_unknown_number_is_refused(parks_url):
    pv = intake.preview(src(parks_url), SUZHOU, "parks",
                        p_file({"name": "苏州高新区", "park_id": 3},
                               {"name": "苏州某园", "park_id": 99},
                               {"name": "南京某园", "park_id": 1},
                               {"name": PARK2, "park_id": 3}))
    assert [r.status for r in pv.rows] == ["修改", "拒绝", "拒绝", "拒绝"]
    assert pv.rows[0].changes == [("园区名称", PARK3, "苏州高新区")]
    assert pv.rows[1].problems[0].message == pv.rows[2].problems[0].message.replace("1", "99")
    assert "已被另一个园区使用" in pv.rows[3].problems[0].message


def test_parks_template_round_trip(parks_url):
    rows = intake.current_rows(src(parks_url), SUZHOU, "parks")
    assert list(rows.columns) == P_HEAD
    assert list(rows["园区名称"]) == [PARK2, PARK3] and list(rows["已有边界"]) == ["有", "无"]
    choices = intake.template_choices(src(parks_url), SUZHOU, "parks")
    assert choices["level"] == ["国家级", "省级", "市级"] and choices["city"] == ["苏州市"]
    data = template_bytes(rp.PARKS, choices, rows)
    pv = intake.preview(src(parks_url), SUZHOU, "parks", data, "现有.xlsx")
    assert pv.problems == [] and [r.status for r in pv.rows] == ["无变化", "无变化"]
    everyone = intake.current_rows(src(parks_url), PROVINCE, "parks")
    pv = intake.preview(src(parks_url), PROVINCE, "parks",
                        template_bytes(rp.PARKS, {}, everyone), "现有.xlsx")
    assert [r.status for r in pv.rows] == ["无变化"] * 3


def test_the_page_offers_the_boundary_uploader_for_parks_only(monkeypatch, parks_sqlite):
    from tests.apptest import open_page

    at = open_page(monkeypatch, parks_sqlite, "pages/intake.py", {"kind": "parks"}, user="city")
    assert not at.exception and at.selectbox(key="intake_kind").value == "parks"
    labels = [w.proto.label for w in at.get("file_uploader")]
    assert labels == ["上传填写好的文件（.xlsx、.xls 或 .csv，不超过 20 MB）",
                      "园区边界文件（GeoJSON 或压缩的 Shapefile，可选）"]
    at.selectbox(key="intake_kind").set_value("targets").run()
    assert len(at.get("file_uploader")) == 1


def test_command_line_imports_parks_with_their_boundaries(parks_url, tmp_path, capsys):
    sheet, shape = tmp_path / "园区.xlsx", tmp_path / "边界.geojson"
    sheet.write_bytes(p_file({"name": PARK3}))
    shape.write_bytes(geojson({PARK3: HIGH_TECH}))
    assert intake.main(["import", "parks", str(sheet), "--attach", str(shape), "--url",
                        parks_url]) == 0
    assert "已导入第 1 次：新增 0 条、修改 1 条" in capsys.readouterr().out
    assert parks(parks_url).set_index("park_id").loc[3, "boundary_geojson"] is not None


# ---- 整体审核 (clusters) on tests/handmade_parks.py ------------------------------------------
# Cluster 1 (园区, park 2, 苏州市, consultancy 2): started 2024-04-01, evaluation 2024-10-15 通过;
# members R7 (E6 round 2), R8 (E7), R9 (E8). E4 (苏州 印染) has round R4 alone; E2 (南京) R2.

C_HEAD = [c.header for c in rp.CLUSTERS.columns]
CLUSTER1 = f"{PARK2}2024年园区整体清洁生产审核"
DYEING = "苏州印染行业整体审核"


def c_file(*rows: dict) -> bytes:
    return xlsx(C_HEAD, [[r.get(c.field) for c in rp.CLUSTERS.columns] for r in rows])


def clusters(url: str) -> pd.DataFrame:
    return read_frame(get_engine(url), select(s.cluster_audit)
                      .order_by(s.cluster_audit.c.cluster_id))


def memberships(url: str) -> dict:
    a = s.audit_round
    frame = read_frame(get_engine(url), select(a.c.audit_id, a.c.cluster_id, a.c.audit_mode)
                       .order_by(a.c.audit_id))
    return {int(r.audit_id): (None if pd.isna(r.cluster_id) else int(r.cluster_id),
                              r.audit_mode) for r in frame.itertuples()}


CLUSTER_ROWS = (
    {"name": CLUSTER1, "acceptance_date": "2024-12-20", "acceptance_result": "合格",
     "members": f"{E6}、{E7}"},                                               # 修改: R9 leaves
    {"name": DYEING, "kind": "行业", "industry": "印染", "city": "苏州市",
     "start_date": "2024-05-01", "members": E4},                              # 新增 with R4
    {"name": "苏州某园区整体审核", "kind": "园区", "city": "苏州市"},          # 拒绝: no park
    {"name": "苏州电镀行业整体审核", "kind": "行业", "industry": "电镀", "city": "苏州市",
     "start_date": "2024-06-01", "evaluation_date": "2024-05-01",
     "evaluation_result": "通过"},                                            # 拒绝: order
    {"name": "苏州化工行业整体审核", "kind": "行业", "industry": "化工", "city": "苏州市",
     "members": f"{E6}，{E5}"},                                               # 拒绝: members
)


def test_clusters_preview_categories_exact(parks_url):
    pv = intake.preview(src(parks_url), PROVINCE, "clusters", c_file(*CLUSTER_ROWS), "c.xlsx",
                        today=dt.date(2024, 12, 31))
    assert pv.problems == []
    assert [(r.row, r.status) for r in pv.rows] == [(2, "修改"), (3, "新增"), (4, "拒绝"),
                                                    (5, "拒绝"), (6, "拒绝")]
    assert pv.rows[0].write == {"acceptance_date": dt.date(2024, 12, 20), "acceptance_pass": True}
    assert [(w.row_key, w.values, w.before) for w in pv.rows[0].more] == [
        ("9", {"cluster_id": None, "audit_mode": "单独审核"},
         {"cluster_id": 1, "audit_mode": "园区整体审核"})]
    assert [(w.row_key, w.values) for w in pv.rows[1].more] == [
        ("4", {"cluster_id": 2, "audit_mode": "行业整体审核"})]
    assert pv.rows[1].changes[-1] == ("成员企业", None, "加入 1 家，移出 0 家")
    assert [p.message for p in pv.rows[2].problems] == ["园区整体审核须填写园区。"]
    assert [p.message for p in pv.rows[3].problems] == [
        "评估日期（2024-05-01）早于启动日期（2024-06-01），请核对两个日期。"]
    said = [p.message for p in pv.rows[4].problems]
    assert len(said) == 2 and "已属于另一项整体审核（编号 1）" in said[0]
    assert said[1].startswith("未找到这家已列入名单的企业")  # E5 was never listed


def test_clusters_confirm_and_undo(parks_url):
    before, members_before = clusters(parks_url), memberships(parks_url)
    out = intake.confirm(src(parks_url), PROVINCE, "clusters", c_file(*CLUSTER_ROWS[:2]),
                         "c.xlsx", ACTOR, today=dt.date(2024, 12, 31))
    assert out.ok and out.message == "已导入第 1 次：新增 1 条、修改 1 条、无变化 0 条。"
    after = clusters(parks_url).set_index("cluster_id")
    assert after.loc[1, "acceptance_pass"] and str(after.loc[1, "acceptance_date"]) == \
        "2024-12-20"
    assert (after.loc[2, "kind"], after.loc[2, "industry_code"], after.loc[2, "city_adcode"]) \
        == ("行业", "dyeing", "320500")
    got = memberships(parks_url)
    assert got[7] == got[8] == (1, "园区整体审核") and got[9] == (None, "单独审核")
    assert got[4] == (2, "行业整体审核")
    assert intake.undo(src(parks_url), PROVINCE, out.batch_id, ACTOR).ok
    pd.testing.assert_frame_equal(clusters(parks_url), before)
    assert memberships(parks_url) == members_before


def test_blank_cells_keep_the_cluster_and_its_members(parks_url):
    out = intake.confirm(src(parks_url), PROVINCE, "clusters",
                         c_file({"name": CLUSTER1, "consultancy": "（清空）"}), "c.xlsx", ACTOR)
    assert out.ok
    c1 = clusters(parks_url).iloc[0]
    assert pd.isna(c1["consultancy_id"]) and c1["park_id"] == 2 and c1["evaluation_pass"]
    got = memberships(parks_url)
    assert got[7] == got[8] == got[9] == (1, "园区整体审核")
    out = intake.confirm(src(parks_url), PROVINCE, "clusters",
                         c_file({"name": CLUSTER1, "members": "（清空）"}), "c.xlsx", ACTOR)
    assert out.ok and all(memberships(parks_url)[a] == (None, "单独审核") for a in (7, 8, 9))


def test_a_city_imports_only_its_clusters(parks_url):
    rows = ({"name": DYEING, "kind": "行业", "industry": "印染", "city": "苏州市"},
            {"name": "南京化工行业整体审核", "kind": "行业", "industry": "化工",
             "city": "南京市"},                                            # new, elsewhere
            {"name": "苏州化工行业整体审核", "kind": "行业", "industry": "化工", "city": "苏州市",
             "members": E2})                                               # a Nanjing member
    pv = intake.preview(src(parks_url), SUZHOU, "clusters", c_file(*rows))
    assert [r.status for r in pv.rows] == ["新增", "拒绝", "拒绝"]
    assert pv.rows[1].problems[0].message.startswith("不能写入：只能新增或修改本辖区（苏州市）")
    assert pv.rows[2].problems[0].message.startswith("未找到这家已列入名单的企业（本辖区）")
    nanjing = intake.preview(src(parks_url), NANJING, "clusters",
                             c_file({"name": CLUSTER1, "start_date": "2024-04-02"},
                                    {"name": "苏州印染", "kind": "行业", "industry": "印染",
                                     "city": "苏州市"}))
    assert [r.status for r in nanjing.rows] == ["拒绝", "拒绝"]
    assert nanjing.rows[0].problems[0].message == nanjing.rows[1].problems[0].message
    county = intake.preview(src(parks_url), HUQIU, "clusters",
                            c_file({"name": CLUSTER1, "start_date": "2024-04-02"}))
    assert [r.status for r in county.rows] == ["拒绝"]
    assert intake.current_rows(src(parks_url), NANJING, "clusters").empty


def test_clusters_template_round_trip(parks_url):
    rows = intake.current_rows(src(parks_url), SUZHOU, "clusters")
    assert list(rows.columns) == C_HEAD
    assert list(rows["成员企业"]) == ["、".join(sorted([E6, E7, E8]))]
    assert list(rows["评估结论"]) == ["通过"] and list(rows["园区"]) == [PARK2]
    data = template_bytes(rp.CLUSTERS, intake.template_choices(src(parks_url), SUZHOU,
                                                               "clusters"), rows)
    pv = intake.preview(src(parks_url), SUZHOU, "clusters", data, "现有.xlsx")
    assert pv.problems == [] and [r.status for r in pv.rows] == ["无变化"]


def test_the_park_page_shows_an_imported_boundary_and_cluster(monkeypatch, parks_sqlite):
    """园区 and 整体审核 imported through intake, as 园区详情 shows them (the version bumps)."""
    from tests.apptest import open_page, texts

    at = open_page(monkeypatch, parks_sqlite, "pages/park.py",
                   {"asof": "2024-12-31", "park": "3"})
    assert "本园区未录入边界数据" in texts(at)
    assert intake.confirm(src(parks_sqlite), SUZHOU, "parks", p_file({"name": PARK3}), "p.xlsx",
                          ACTOR, attachment=(geojson({PARK3: HIGH_TECH}), "b.geojson")).ok
    assert intake.confirm(src(parks_sqlite), SUZHOU, "clusters",
                          c_file({"name": "苏州高新区2024年园区整体审核", "kind": "园区",
                                  "park": PARK3, "start_date": "2024-06-01"}), "c.xlsx", ACTOR,
                          today=dt.date(2024, 12, 31)).ok
    at = open_page(monkeypatch, parks_sqlite, "pages/park.py",
                   {"asof": "2024-12-31", "park": "3"})
    assert not at.exception and "本园区未录入边界数据" not in texts(at)
    assert "park-boundary" in at.get("deck_gl_json_chart")[0].proto.json
    shown = [d.value for d in at.dataframe if "整体审核名称" in d.value.columns][0]
    assert list(shown["整体审核名称"]) == ["苏州高新区2024年园区整体审核"]
    assert list(shown["启动日期"]) == ["2024年6月1日"]


def test_a_member_listed_again_keeps_its_member_round(parks_url):
    """E7's cluster round R8 stays the member after E7 is listed again (R10, alone): the
    pre-filled template imports unchanged, and a new member joins with its latest round."""
    from sqlalchemy import insert

    from tests.handmade import _round

    with get_engine(parks_url).begin() as conn:
        conn.execute(insert(s.audit_round).values(
            _round(10, E7, 2, 2, "2024-03-01", "双有", 2, disclosure_date="2024-03-20")))
    rows = intake.current_rows(src(parks_url), PROVINCE, "clusters")
    pv = intake.preview(src(parks_url), PROVINCE, "clusters",
                        template_bytes(rp.CLUSTERS, {}, rows), "现有.xlsx")
    assert [r.status for r in pv.rows] == ["无变化"]
    pv = intake.preview(src(parks_url), PROVINCE, "clusters",
                        c_file({"name": CLUSTER1, "members": f"{E6}、{E7}、{E8}、{E4}"}))
    assert [(w.row_key, w.values["cluster_id"]) for w in pv.rows[0].more] == [("4", 1)]


def test_the_members_audit_mode_follows_the_clusters_kind(parks_url):
    out = intake.confirm(src(parks_url), PROVINCE, "clusters",
                         c_file({"name": CLUSTER1, "kind": "行业", "park": "（清空）",
                                 "industry": "化工"}), "c.xlsx", ACTOR)
    assert out.ok, [str(p) for r in out.preview.rows for p in r.problems]
    got = memberships(parks_url)
    assert got[7] == got[8] == got[9] == (1, "行业整体审核")
    assert intake.undo(src(parks_url), PROVINCE, out.batch_id, ACTOR).ok
    assert memberships(parks_url)[7] == (1, "园区整体审核")
