"""Data intake of places and plans (rules/intake_places.py, queries/intake_places.py): 计划目标,
园区, 整体审核. Each kind on the hand-built databases (tests/handmade.py, handmade_parks.py,
plan_handmade.py), on SQLite and PostgreSQL: the preview's categories exactly, what confirm
writes, a blank cell keeps the stored value, undo, the jurisdiction, the template round trip.

计划目标 on tests/handmade.py: period 1 (2021—2023年实施方案) holds three targets of 2023 —
target 1 江苏省 全部行业 (listed 3, completed 3, passed 3, acceptances 2), target 2 南京市 化工
(2, 2, 2, 1, 100 吨标准煤, 2 吨 COD), target 3 苏州市 电镀 (1, 1, 1, 1).
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from components.export import template_bytes
from queries import intake
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Scope
from rules import intake as ri
from rules import intake_places as rp

PROVINCE, SUZHOU, NANJING = Scope(), Scope("city", "320500"), Scope("city", "320100")
HUQIU = Scope("county", "320505")
ACTOR = intake.Actor("测试员")
P1 = "2021—2023年实施方案"


def src(url: str) -> Source:
    return Source(url, "")


def xlsx(header: list, rows: list[list], title: str = "数据") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = title
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


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
    return xlsx(T_HEAD, [t_row(**r) for r in rows])


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
