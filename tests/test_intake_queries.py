"""queries/intake on the hand-built database, on SQLite and PostgreSQL: the preview's categories
exactly, all-or-nothing writes, a blank cell keeps the stored value, undo restores exactly (and
refuses when a later import is in the way), and the jurisdiction: a city can neither create nor
change another city's enterprise, and cannot tell whether one exists there."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from queries import intake
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Scope
from rules.identifiers import make_uscc
from tests.handmade import E1, E2, E3, E4, E5
from tests.intake_files import xlsx

SUZHOU = Scope("city", "320500")
PROVINCE = Scope()
NEW = make_uscc("320505", "MA1NEW01")
ENT_HEADER = ["统一社会信用代码", "企业名称", "行业", "所在区县", "所在园区", "经度（度）",
              "纬度（度）",
              "企业规模", "排污许可管理类别", "地址"]
PROG_HEADER = ["统一社会信用代码", "审核轮次", "企业名称", "信息公开日期", "启动审核日期",
               "提交报告日期",
               "评估日期", "评估结论", "评估得分", "验收日期", "验收结论"]
TODAY = dt.date(2024, 12, 31)
ACTOR = intake.Actor("测试员")




def ent(*rows) -> bytes:
    return xlsx(ENT_HEADER, [list(r) + [None] * (len(ENT_HEADER) - len(r)) for r in rows])


def prog(*rows) -> bytes:
    return xlsx(PROG_HEADER, [list(r) + [None] * (len(PROG_HEADER) - len(r)) for r in rows])


def src(url: str) -> Source:
    return Source(url, "")


def snapshot(url: str) -> dict:
    """Every row of the tables an import may write, and the data version."""
    engine = get_engine(url)
    out = {}
    for t in (s.enterprise, s.audit_round, s.import_batch, s.import_change):
        frame = read_frame(engine, select(t).order_by(*t.primary_key.columns))
        out[t.name] = frame.astype(str).values.tolist()
    with engine.connect() as conn:
        out["version"] = conn.execute(select(s.app_meta.c.value)
                                      .where(s.app_meta.c.key == "data_version")).scalar()
    return out


def enterprise(url: str, uscc: str) -> dict | None:
    with get_engine(url).connect() as conn:
        row = conn.execute(select(s.enterprise).where(s.enterprise.c.uscc == uscc)
                           ).mappings().first()
    return dict(row) if row else None


# ---- the preview -------------------------------------------------------------------------------

def test_preview_categories_exact(handmade_url):
    data = ent([NEW, "苏州新材料有限公司", "化工", "虎丘区", None, 120.5, 31.3, "中型"],  # 新增
               [E3, "苏州丙电镀有限公司", "电镀", "虎丘区", None, None, None, "中型", None,
                "虎丘区新路9号"],  # 修改 (scale, address)
               [E4, "苏州丁印染有限公司", "印染", "吴江区"],  # 无变化
               [E5, None, None, None, None, "（清空）"],  # 拒绝: latitude left without longitude
               [E1, "南京甲化工有限公司", "化工", "浦口区"])  # 拒绝: another city's
    pv = intake.preview(src(handmade_url), SUZHOU, "enterprises", data, "名录.xlsx")
    assert pv.problems == []
    assert [(r.row, r.status) for r in pv.rows] == [(2, "新增"), (3, "修改"), (4, "无变化"),
                                                    (5, "拒绝"), (6, "拒绝")]
    assert pv.rows[1].changes == [("企业规模", "小型", "中型"), ("地址", "虎丘区示例路3号",
                                                                "虎丘区新路9号")]
    assert pv.rows[0].changes == [("企业名称", None, "苏州新材料有限公司"), ("行业", None, "化工"),
                                  ("所在区县", None, "苏州市虎丘区"), ("经度", None, 120.5),
                                  ("纬度", None, 31.3), ("企业规模", None, "中型")]
    assert [p.message for p in pv.rows[3].problems] == ["经度和纬度须同时填写（或同时清空）。"]
    frame = pv.frame()
    assert list(frame["结果"]) == ["新增", "修改", "无变化", "拒绝", "拒绝"]
    assert frame["变化或原因"][1] == "企业规模：小型 → 中型；地址：虎丘区示例路3号 → 虎丘区新路9号"
    assert {k: pv.count(k) for k in intake.STATUSES} == {"新增": 1, "修改": 1, "无变化": 1,
                                                         "拒绝": 2}
    assert not pv.ok


def test_progress_preview_dates_results_order_and_warnings(handmade_url):
    data = prog([E3, 2, "苏州丙电镀有限公司", None, None, "2024/12/1", "2024年12月20日", "合格",
                 91],
                [E4, 1, "苏州丁印染厂", None, "2024-03-10"],  # before its disclosure 03-15
                [E2, 1, None, None, None, "2025-01-05"],  # in the future
                [E3, 1, None, None, None, None, None, None, None, "2024-06-01"],  # no word
                [E4, 1, "苏州丁印染厂", None, "2024-04-01"])  # duplicate key
    pv = intake.preview(src(handmade_url), PROVINCE, "progress", data, "进度.xlsx", today=TODAY)
    assert [r.status for r in pv.rows] == ["修改", "拒绝", "拒绝", "拒绝", "拒绝"]
    assert pv.rows[0].write == {"report_date": dt.date(2024, 12, 1),
                                "evaluation_date": dt.date(2024, 12, 20),
                                "evaluation_result": "合格", "evaluation_pass": True,
                                "evaluation_score": 91.0}
    said = [[p.message for p in r.problems] for r in pv.rows]
    assert "启动审核日期（2024-03-10）早于信息公开日期（2024-03-15），请核对两个日期。" in said[1]
    assert any("企业名称与名录不同" in m for m in said[1])  # a warning beside the error
    assert said[2] == ["提交报告日期 2025-01-05 晚于今天，尚未发生的日期不能填写。"]
    assert said[3] == ["填写了验收日期，还须填写验收结论（通过/不通过/合格/不合格）。"]
    assert said[4] == ["与第 3 行重复（统一社会信用代码、审核轮次相同），请合并为一行。"]


def test_a_name_warning_alone_does_not_block(handmade_url):
    pv = intake.preview(src(handmade_url), PROVINCE, "progress",
                        prog([E2, 1, "南京乙化工厂", None, None, "2024-05-01"]), today=TODAY)
    assert [r.status for r in pv.rows] == ["修改"] and pv.ok and len(pv.warnings) == 1


# ---- writing -----------------------------------------------------------------------------------

def test_confirm_writes_logs_and_records_before_values(handmade_url):
    data = ent([NEW, "苏州新材料有限公司", "化工", "虎丘区"],
               [E3, None, None, None, None, None, None, "中型"])
    before = snapshot(handmade_url)
    out = intake.confirm(src(handmade_url), SUZHOU, "enterprises", data, "名录.xlsx", ACTOR)
    assert out.ok and out.message == "已导入第 1 次：新增 1 条、修改 1 条、无变化 0 条。"
    assert enterprise(handmade_url, NEW)["city_adcode"] == "320500"
    e3 = enterprise(handmade_url, E3)
    assert (e3["scale"], e3["name"], e3["address"]) == ("中型", "苏州丙电镀有限公司",
                                                         "虎丘区示例路3号")
    after = snapshot(handmade_url)
    assert after["version"] != before["version"]
    changes = read_frame(get_engine(handmade_url), select(s.import_change))
    assert sorted(zip(changes["row_key"], changes["action"], changes["before_json"].fillna(""),
                      strict=True)) == sorted([(NEW, "新增", ""),
                                               (E3, "修改", '{"scale": "小型"}')])
    log = read_frame(get_engine(handmade_url), select(s.audit_log))
    assert list(log["action"]) == ["import"] and list(log["username"]) == ["测试员"]
    assert "新增 1 条、修改 1 条" in log["detail"][0] and log["target"][0] == "名录.xlsx"


def test_blank_cells_keep_values_and_the_marker_clears(handmade_url):
    out = intake.confirm(src(handmade_url), PROVINCE, "enterprises",
                         ent([E1, None, None, None, None, None, None, None, None, "（清空）"]),
                         "x.xlsx", ACTOR)
    assert out.ok
    e1 = enterprise(handmade_url, E1)
    assert (e1["name"], e1["industry_code"], e1["park_id"], e1["lon"], e1["scale"],
            e1["address"]) == ("南京甲化工有限公司", "chemicals", 1, 118.70, "大型", None)


def test_one_rejected_row_writes_nothing(handmade_url):
    before = snapshot(handmade_url)
    data = ent([NEW, "苏州新材料有限公司", "化工", "虎丘区"], [E3, None, None, "火星区"])
    out = intake.confirm(src(handmade_url), SUZHOU, "enterprises", data, "x.xlsx", ACTOR)
    assert not out.ok and out.message == "文件未通过校验，未写入任何数据。"
    assert snapshot(handmade_url) == before


def test_a_failure_during_the_write_rolls_everything_back(handmade_url, monkeypatch):
    before = snapshot(handmade_url)

    def broken(conn, options=False):
        raise OperationalError("UPDATE app_meta", {}, Exception("disk I/O error"))

    monkeypatch.setattr(intake, "_bump_version", broken)
    out = intake.confirm(src(handmade_url), SUZHOU, "enterprises",
                         ent([NEW, "苏州新材料有限公司", "化工", "虎丘区"],
                             [E3, None, None, None, None, None, None, "中型"]), "x.xlsx", ACTOR)
    assert not out.ok and out.message.startswith("写入数据库失败，已全部撤销")
    assert snapshot(handmade_url) == before


def test_confirm_refuses_a_plan_that_changed_since_the_preview(handmade_url):
    data = ent([E3, None, None, None, None, None, None, "中型"])
    pv = intake.preview(src(handmade_url), SUZHOU, "enterprises", data)
    with get_engine(handmade_url).begin() as conn:  # someone else changes E3 meanwhile
        conn.execute(update(s.enterprise).where(s.enterprise.c.uscc == E3).values(scale="大型"))
    before = snapshot(handmade_url)
    out = intake.confirm(src(handmade_url), SUZHOU, "enterprises", data, "x.xlsx", ACTOR,
                         pv.fingerprint)
    assert not out.ok and "预览之后数据库中的数据已有变化" in out.message
    assert snapshot(handmade_url) == before


def test_progress_writes_dates_and_normalised_result(handmade_url):
    data = prog([E3, 2, None, None, None, "2024/12/1", "2024年12月20日", "不合格", 55])
    out = intake.confirm(src(handmade_url), SUZHOU, "progress", data, "p.xlsx", ACTOR,
                         today=TODAY)
    assert out.ok
    with get_engine(handmade_url).connect() as conn:
        r5 = conn.execute(select(s.audit_round).where(s.audit_round.c.audit_id == 5)
                          ).mappings().one()
    assert (r5["report_date"], r5["evaluation_date"], r5["evaluation_result"],
            r5["evaluation_pass"], r5["evaluation_score"], r5["start_date"]) == (
        dt.date(2024, 12, 1), dt.date(2024, 12, 20), "不合格", False, 55.0,
        dt.date(2024, 4, 20))
    assert intake.undo(src(handmade_url), SUZHOU, out.batch_id, ACTOR).ok
    with get_engine(handmade_url).connect() as conn:
        r5 = conn.execute(select(s.audit_round).where(s.audit_round.c.audit_id == 5)
                          ).mappings().one()
    assert (r5["report_date"], r5["evaluation_result"], r5["evaluation_pass"]) == (None, None,
                                                                                   None)


# ---- undo --------------------------------------------------------------------------------------

def test_undo_restores_exactly_what_was_there(handmade_url):
    before = snapshot(handmade_url)
    out = intake.confirm(src(handmade_url), SUZHOU, "enterprises",
                         ent([NEW, "苏州新材料有限公司", "化工", "虎丘区", None, 120.5, 31.3],
                             [E3, "苏州丙电镀股份有限公司", None, "吴江区", None, "（清空）",
                              "（清空）",
                              "中型"]), "x.xlsx", ACTOR)
    assert out.ok
    undone = intake.undo(src(handmade_url), SUZHOU, out.batch_id, ACTOR)
    assert undone.ok and undone.message == "已撤销第 1 次导入：2 条记录已恢复到导入前。"
    after = snapshot(handmade_url)
    assert after["enterprise"] == before["enterprise"]
    assert after["version"] != before["version"]
    batch = intake.batches(src(handmade_url), SUZHOU)
    assert list(batch["status"]) == ["已撤销"] and list(batch["undone_by"]) == ["测试员"]
    log = read_frame(get_engine(handmade_url), select(s.audit_log).order_by(s.audit_log.c.log_id))
    assert list(log["action"]) == ["import", "import_undo"]
    assert log["detail"][1] == "撤销第 1 次导入（2 条记录恢复原值）"
    again = intake.undo(src(handmade_url), SUZHOU, out.batch_id, ACTOR)
    assert not again.ok and "已于之前撤销" in again.message


def test_undo_refused_while_a_later_import_touched_the_rows(handmade_url):
    first = intake.confirm(src(handmade_url), SUZHOU, "enterprises",
                           ent([E3, None, None, None, None, None, None, "中型"]), "一.xlsx", ACTOR)
    second = intake.confirm(src(handmade_url), SUZHOU, "enterprises",
                            ent([E3, None, None, None, None, None, None, "大型"]), "二.xlsx", ACTOR)
    out = intake.undo(src(handmade_url), SUZHOU, first.batch_id, ACTOR)
    assert not out.ok
    assert out.message == ("不能撤销第 1 次导入：之后的第 2 次导入（二.xlsx，测试员，1 条）"
                           "又修改了其中的记录。请先撤销之后的那次导入。")
    assert intake.undo(src(handmade_url), SUZHOU, second.batch_id, ACTOR).ok
    assert intake.undo(src(handmade_url), SUZHOU, first.batch_id, ACTOR).ok
    assert enterprise(handmade_url, E3)["scale"] == "小型"


def test_undo_refused_when_the_record_was_changed_otherwise(handmade_url):
    out = intake.confirm(src(handmade_url), SUZHOU, "enterprises",
                         ent([E3, None, None, None, None, None, None, "中型"]), "x.xlsx", ACTOR)
    with get_engine(handmade_url).begin() as conn:
        conn.execute(update(s.enterprise).where(s.enterprise.c.uscc == E3).values(scale="微型"))
    before = snapshot(handmade_url)
    undone = intake.undo(src(handmade_url), SUZHOU, out.batch_id, ACTOR)
    assert not undone.ok and "在导入之后已被修改或删除" in undone.message
    assert snapshot(handmade_url) == before


def test_another_city_cannot_see_or_undo_an_import(handmade_url):
    out = intake.confirm(src(handmade_url), SUZHOU, "enterprises",
                         ent([E3, None, None, None, None, None, None, "中型"]), "x.xlsx", ACTOR)
    nanjing = Scope("city", "320100")
    assert intake.batches(src(handmade_url), nanjing).empty
    refused = intake.undo(src(handmade_url), nanjing, out.batch_id, ACTOR)
    assert not refused.ok and refused.message == "未找到第 1 次导入（或不在您的辖区）。"
    assert list(intake.batches(src(handmade_url), PROVINCE)["batch_id"]) == [out.batch_id]


# ---- jurisdiction ------------------------------------------------------------------------------

def test_a_city_cannot_create_or_change_another_citys_enterprise(handmade_url):
    other_new = make_uscc("320111", "MA1NJX01")
    data = ent([E1, "南京甲化工有限公司", "化工", "浦口区"],  # exists in 南京, as it is
               [E2, "改名", "化工", "虎丘区"],  # exists in 南京, "moved" into 苏州
               [other_new, "新企业", "化工", "浦口区"],  # new, in 南京
               [E4, None, None, "浦口区"])  # its own, moved out
    before = snapshot(handmade_url)
    pv = intake.preview(src(handmade_url), SUZHOU, "enterprises", data)
    assert [r.status for r in pv.rows] == ["拒绝"] * 4
    messages = {p.message for r in pv.rows for p in r.problems}
    # one and the same message: it does not tell whether the code exists elsewhere
    assert messages == {intake.OUTSIDE.format(area="苏州市")}
    assert "南京" not in str(pv.frame()[["变化或原因", "企业名称"]].values.tolist()).replace(
        "南京甲化工有限公司", "")
    assert not intake.confirm(src(handmade_url), SUZHOU, "enterprises", data, "x", ACTOR).ok
    assert snapshot(handmade_url) == before
    assert enterprise(handmade_url, E2)["name"] == "南京乙化工有限公司"


def test_a_county_writes_only_its_county(handmade_url):
    huqiu = Scope("county", "320505")
    pv = intake.preview(src(handmade_url), huqiu, "enterprises",
                        ent([E3, None, None, None, None, None, None, "中型"],
                            [E4, None, None, None, None, None, None, "大型"]))
    assert [r.status for r in pv.rows] == ["修改", "拒绝"]


def test_progress_outside_the_jurisdiction_looks_like_not_found(handmade_url):
    pv = intake.preview(src(handmade_url), SUZHOU, "progress",
                        prog([E1, 1, None, "2023-03-20"], [E5, 1, None, "2023-03-20"]),
                        today=TODAY)
    said = [r.problems[0].message for r in pv.rows]
    assert said == [intake.NOT_FOUND.format(area="本辖区（苏州市）", round=1, uscc=E1),
                    intake.NOT_FOUND.format(area="本辖区（苏州市）", round=1, uscc=E5)]


def test_province_may_move_an_enterprise_between_cities(handmade_url):
    out = intake.confirm(src(handmade_url), PROVINCE, "enterprises",
                         ent([E5, None, None, "浦口区"]), "x", ACTOR)
    assert out.ok and enterprise(handmade_url, E5)["city_adcode"] == "320100"


# ---- a rejected file leaves SQLite byte-identical; the command line --------------------------

def test_rejected_file_leaves_the_sqlite_file_byte_identical(handmade_sqlite):
    path = Path(handmade_sqlite.removeprefix("sqlite:///"))
    get_engine(handmade_sqlite).dispose()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    data = ent([NEW, "苏州新材料有限公司", "化工", "虎丘区"], [E3, None, None, "火星区"])
    intake.preview(src(handmade_sqlite), SUZHOU, "enterprises", data)
    assert not intake.confirm(src(handmade_sqlite), SUZHOU, "enterprises", data, "x", ACTOR).ok
    get_engine(handmade_sqlite).dispose()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_command_line_import_dry_run_and_template(handmade_sqlite, tmp_path, capsys):
    good = tmp_path / "名录.xlsx"
    good.write_bytes(ent([NEW, "苏州新材料有限公司", "化工", "虎丘区"]))
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(ent([E3, None, None, "火星区"]))
    url = ["--url", handmade_sqlite]
    assert intake.main(["import", "enterprises", str(bad), *url]) == 1
    assert "拒绝：工作表「数据」第 2 行「所在区县」列：值「火星区」" in capsys.readouterr().out
    assert intake.main(["import", "enterprises", str(good), "--dry-run", *url]) == 0
    assert enterprise(handmade_sqlite, NEW) is None
    assert intake.main(["load", str(good), "--kind", "enterprises", *url]) == 0
    captured = capsys.readouterr()
    assert "已导入第 1 次：新增 1 条" in captured.out and "写入 [####" in captured.err
    assert enterprise(handmade_sqlite, NEW)["name"] == "苏州新材料有限公司"
    out = tmp_path / "t.xlsx"
    assert intake.main(["template", "progress", "--out", str(out), *url]) == 0
    with get_engine(handmade_sqlite).connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.import_batch)).scalar() == 1


@pytest.mark.parametrize("n", [2000])
def test_a_few_thousand_rows_in_one_go(handmade_url, n):
    rows = [[make_uscc("320509", f"MA1{i:05d}"), f"企业{i}", "印染", "吴江区"] for i in range(n)]
    out = intake.confirm(src(handmade_url), SUZHOU, "enterprises", ent(*rows), "大.xlsx", ACTOR)
    assert out.ok and out.preview.count("新增") == n
    assert intake.undo(src(handmade_url), SUZHOU, out.batch_id, ACTOR).ok
    with get_engine(handmade_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.enterprise)).scalar() == 5


# ---- properties, names as formulas, ambiguous county names ------------------------------------

SCALES = [None, "大型", "中型", "小型", "微型", "（清空）"]


@given(edits=hst.lists(hst.tuples(hst.sampled_from([E3, E4, E5, NEW]),
                                  hst.sampled_from(SCALES),
                                  hst.sampled_from([None, "（清空）", "路1号", "=A1+1"])),
                       min_size=1, max_size=6, unique_by=lambda e: e[0]))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_import_then_undo_restores_the_table(handmade_sqlite, edits):
    before = snapshot(handmade_sqlite)["enterprise"]
    rows = [[u, "新企业" if u == NEW else None, "印染" if u == NEW else None,
             "吴江区" if u == NEW else None, None, None, None, scale, None, address]
            for u, scale, address in edits]
    out = intake.confirm(src(handmade_sqlite), SUZHOU, "enterprises", ent(*rows), "x", ACTOR)
    if out.ok:
        for u, scale, address in edits:  # a blank keeps, the marker clears, a value is set
            row = enterprise(handmade_sqlite, u)
            if scale is not None:
                assert row["scale"] == (None if scale == "（清空）" else scale)
            if address is not None:
                assert row["address"] == (None if address == "（清空）" else address)
        assert intake.undo(src(handmade_sqlite), SUZHOU, out.batch_id, ACTOR).ok
    assert snapshot(handmade_sqlite)["enterprise"] == before


def test_formula_like_names_stay_text_in_the_prefilled_template(handmade_url):
    from openpyxl import load_workbook

    from components.export import template_bytes
    from rules import intake as ri

    assert intake.confirm(src(handmade_url), SUZHOU, "enterprises",
                          ent([E3, "=HYPERLINK(\"http://x\",\"点此\")"]), "x", ACTOR).ok
    rows = intake.current_rows(src(handmade_url), SUZHOU, "enterprises")
    book = load_workbook(io.BytesIO(template_bytes(ri.ENTERPRISES, {}, rows)))
    cell = book["企业名录"]["B2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        "=HYPERLINK(\"http://x\",\"点此\")", "s", True)


def test_a_county_name_in_two_cities_needs_the_city(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        conn.execute(s.region.insert().values(adcode="320199", name="虎丘区", level="区县",
                                              parent_adcode="320100"))
    pv = intake.preview(src(handmade_url), PROVINCE, "enterprises",
                        ent([NEW, "甲", "化工", "虎丘区"],
                            [make_uscc("320505", "MA1NEW02"), "乙", "化工", "苏州市虎丘区"]))
    assert [r.status for r in pv.rows] == ["拒绝", "新增"]
    assert "名称不唯一" in pv.rows[0].problems[0].message


def test_coordinates_outside_the_county_are_a_warning(handmade_url):
    pv = intake.preview(src(handmade_url), SUZHOU, "enterprises",
                        ent([E3, None, None, None, None, 118.70, 32.20],  # a point in 南京
                            [E4, None, None, None, None, 120.641, 30.951]))  # in 吴江区
    assert [r.status for r in pv.rows] == ["修改", "修改"] and pv.ok
    assert [p.message for p in pv.warnings] == [
        "坐标（118.7000，32.2000）不在所填区县（苏州市虎丘区）范围内，请核对坐标（应为 GCJ-02，"
        "如高德地图取点）或区县。"]


def test_two_imports_at_once_take_turns(handmade_url):
    """An import waits for one in progress and then records the values that one wrote as its
    before-values (so undoing it restores them, not older ones)."""
    import threading

    engine = get_engine(handmade_url)
    first = engine.connect()
    tx = first.begin()
    intake._one_at_a_time(first)  # another import holds the turn …
    first.execute(update(s.enterprise).where(s.enterprise.c.uscc == E3).values(scale="大型"))
    result = {}

    def second():
        result["out"] = intake.confirm(src(handmade_url), SUZHOU, "enterprises",
                                       ent([E3, None, None, None, None, None, None, "中型"]),
                                       "二.xlsx", ACTOR)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=2)
    assert thread.is_alive()  # … so this one waits
    tx.commit()
    first.close()
    thread.join(timeout=60)
    assert result["out"].ok
    with engine.connect() as conn:
        before = conn.execute(select(s.import_change.c.before_json)).scalar()
    assert before == '{"scale": "大型"}'  # what the first one wrote


def test_a_large_import_writes_and_undoes_every_row(handmade_url):
    """1,500 new enterprises: PostgreSQL takes them (and their import records) by COPY, SQLite
    by executemany; every row is written with its values, and undo removes them all."""
    rows = [[make_uscc("320505", f"MB{i:06d}"), f"批量企业{i:04d}有限公司", "化工", "虎丘区",
             None, None, None, "小型"] for i in range(1500)]
    out = intake.confirm(src(handmade_url), PROVINCE, "enterprises", ent(*rows), "批量.xlsx",
                         ACTOR, today=TODAY)
    assert out.ok, out.message
    e, c = s.enterprise, s.import_change
    with get_engine(handmade_url).connect() as conn:
        stored = dict(conn.execute(select(e.c.uscc, e.c.scale).where(
            e.c.name.like("批量企业%"))).all())
        changes = conn.execute(select(func.count()).select_from(c).where(
            c.c.batch_id == out.batch_id)).scalar()
        city = conn.execute(select(e.c.city_adcode).where(e.c.uscc == rows[777][0])).scalar()
    assert len(stored) == 1500 and set(stored.values()) == {"小型"} and changes == 1500
    assert city == "320500"
    assert intake.undo(src(handmade_url), PROVINCE, out.batch_id, ACTOR).ok
    with get_engine(handmade_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(e).where(
            e.c.name.like("批量企业%"))).scalar() == 0
