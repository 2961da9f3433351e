"""The plan page (pages/plan.py) under AppTest on the hand-built databases: the exact figures it
shows, the drill, the import changing the figures, and the annual report read back from the
.docx and the .xlsx equal to the tables on the page."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import update

from components import annual_report, fmt, word
from queries import intake, schema
from queries.db import Source, get_engine
from queries.meta import read_meta
from queries.scope import Scope
from rules import indicators as ind
from rules.clock import ClockRules
from rules.intake_places import TARGETS
from tests import plan_handmade
from tests.apptest import metrics, open_page, texts
from tests.conftest import sqlite_with

PAGE = "pages/plan.py"
ASOF = {"asof": "2024-12-31"}



@pytest.fixture
def plan_sqlite(tmp_path):
    return sqlite_with(tmp_path, plan_handmade.build, "plan.db")


def frames(at) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def frame_with(at, column: str, first: str | None = None) -> pd.DataFrame:
    for df in frames(at):
        if column in df.columns and (first is None or df.columns[0] == first):
            return df
    raise AssertionError(f"no table with column {column}")


def test_period_1_known_answers(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, ASOF)
    assert at.selectbox(key="plan_period").value == 1
    m = metrics(at)
    assert m["期内目标（轮）"] == "3"
    assert m["实际完成（轮）"] == "0"
    assert m["规划期目标完成率"] == "0.0%"
    assert m["按当前进度预计期末（轮）"] == "0"
    assert m["进度判断"] == "进度滞后"
    board = frame_with(at, "期内目标（轮）", "地区").set_index("地区")
    assert board["期内目标（轮）"].to_dict() == {"南京市": 2, "苏州市": 1}
    assert board["实际完成（轮）"].to_dict() == {"南京市": 0, "苏州市": 0}
    assert board["列入企业数（家）"].to_dict() == {"南京市": 2, "苏州市": 2}
    detail = frame_with(at, "指标")
    nj = detail[(detail["地区"] == "南京市") & (detail["指标"] == "节能量")].iloc[0]
    assert (nj["目标"], nj["实际"]) == (100.0, 10.0)
    assert "江苏省 · 2021—2023年实施方案 · 完成审核" in texts(at)
    assert "数据截至 2024年12月31日" in texts(at)


def test_period_2_projection_marks_and_drill(monkeypatch, plan_sqlite):
    at = open_page(monkeypatch, plan_sqlite, PAGE, ASOF)
    assert at.selectbox(key="plan_period").value == 2  # the period holding the as-of year
    m = metrics(at)
    assert (m["期内目标（轮）"], m["实际完成（轮）"], m["规划期目标完成率"]) == ("4", "1", "25.0%")
    assert m["按当前进度预计期末（轮）"] == "2"  # 1 + 365/366
    assert m["进度判断"] == "进度滞后"
    board = frame_with(at, "期内目标（轮）", "地区").set_index("地区")
    assert board["状态"].to_dict() == {"南京市": "进度正常", "苏州市": "进度滞后"}
    assert board["每百家列入企业完成审核（轮）"].to_dict() == {"南京市": 50.0, "苏州市": 0.0}
    shortfall = [c for c in at.get("vega_lite_chart")
                 if "预计期末缺口" in json.dumps(json.loads(c.proto.spec), ensure_ascii=False)]
    assert len(shortfall) == 1  # the chart's data (Arrow) holds the one driver
    assert "苏州市 · 电镀".encode() in shortfall[0].proto.SerializeToString()
    assert "南京市 · 化工".encode() not in shortfall[0].proto.SerializeToString()

    at.selectbox(key="plan_metric").set_value("acceptances").run()
    assert metrics(at)["进度判断"] == "存在风险"
    at.selectbox(key="plan_metric").set_value("evaluations_passed").run()
    assert metrics(at)["进度判断"] == "进度正常"

    at.selectbox(key="plan_metric").set_value("audits_completed").run()
    at.selectbox(key="plan_city").set_value("320100").run()
    assert metrics(at)["期内目标（轮）"] == "1" and metrics(at)["实际完成（轮）"] == "1"
    counties = frame_with(at, "期内目标（轮）", "地区")
    assert list(counties["地区"]) == ["浦口区"] and list(counties["实际完成（轮）"]) == [1]
    at.selectbox(key="plan_county").set_value("320111").run()
    parks = frame_with(at, "期内目标（轮）", "地区")
    assert list(parks["地区"]) == ["南京江北新材料科技园"]
    assert list(parks["实际完成（轮）"]) == [1] and (parks["期内目标（轮）"] == "—").all()
    assert "园区没有单独目标" in texts(at)


def test_city_filter_limits_targets_and_actuals(monkeypatch, plan_sqlite):
    at = open_page(monkeypatch, plan_sqlite, PAGE, {**ASOF, "city": "320500"})
    m = metrics(at)
    assert (m["期内目标（轮）"], m["实际完成（轮）"]) == ("1", "0")  # 苏州 only
    # the chosen city is the unit shown (not the province's name over 苏州's figures): its
    # counties are compared
    assert at.subheader[0].value.startswith("苏州市")
    board = frame_with(at, "期内目标（轮）", "地区")
    assert list(board["地区"]) == ["虎丘区", "吴江区"]
    assert "南京" not in " ".join(frame_with(at, "指标")["地区"])


def _xlsx(*rows: dict) -> bytes:
    """The 计划目标 template of data intake, rows by field."""
    book = Workbook()
    ws = book.active
    ws.append([c.header for c in TARGETS.columns])
    for r in rows:
        ws.append([r.get(c.field) for c in TARGETS.columns])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_import_changes_the_page(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, ASOF)
    assert metrics(at)["期内目标（轮）"] == "3"
    # A write that does not bump the data version is not seen: the cached figures stay.
    with get_engine(handmade_sqlite).begin() as conn:
        conn.execute(update(schema.plan_target).where(schema.plan_target.c.target_id == 1)
                     .values(audits_completed=7))
    assert metrics(open_page(monkeypatch, handmade_sqlite, PAGE, ASOF))["期内目标（轮）"] == "3"
    # The import (data intake, kind 计划目标) bumps it, so the next run of the page recomputes.
    data = _xlsx({"period": "2021—2023年实施方案", "year": 2023, "region": "江苏省",
                  "industry": "全部行业", "audits_completed": 9})
    version = read_meta(handmade_sqlite)["data_version"]
    out = intake.confirm(Source(handmade_sqlite, version), Scope(), "targets", data, "目标.xlsx",
                         intake.Actor("测试员"))
    assert out.ok and out.preview.count("修改") == 1
    at = open_page(monkeypatch, handmade_sqlite, PAGE, ASOF)
    assert metrics(at)["期内目标（轮）"] == "9"


def test_the_import_tab_leads_to_data_intake_with_targets_chosen(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, PAGE, ASOF, user="city")
    at.session_state["plan_section"] = "导入计划目标"
    at.run()
    assert not at.exception
    links = [(w.proto.page, w.proto.label, w.proto.query_string) for w in at.get("page_link")]
    assert len(links) == 1 and links[0][:2] == ("intake", "前往数据导入（计划目标）")
    assert "kind=targets" in links[0][2] and "asof=2024-12-31" in links[0][2]
    assert not at.get("file_uploader")  # one import path: the upload is on 数据导入 only
    intake_page = open_page(monkeypatch, handmade_sqlite, "pages/intake.py",
                            {**ASOF, "kind": "targets"}, user="city")
    assert not intake_page.exception
    assert intake_page.selectbox(key="intake_kind").value == "targets"
    assert "下载计划目标空白模板（.xlsx）" in [b.proto.label for b in
                                        intake_page.get("download_button")]


def _number(text: str) -> float:
    text = text.replace(",", "").strip()
    if text.endswith("%"):
        return round(float(text[:-1]) / 100, 3)
    return float(text)


def test_annual_report_docx_and_xlsx_equal_the_page(monkeypatch, plan_sqlite):
    made = {}

    def capture(name, fn):
        def wrapper(*args, **kwargs):
            made[name] = fn(*args, **kwargs)
            return made[name]
        monkeypatch.setattr(annual_report, name, wrapper)

    capture("docx_bytes", annual_report.docx_bytes)
    capture("xlsx_bytes", annual_report.xlsx_bytes)
    at = open_page(monkeypatch, plan_sqlite, PAGE, ASOF)
    at.session_state["plan_section"] = "年度实施情况报告"
    at.run()
    at.selectbox(key="plan_report_year").set_value(2024).run()
    at.button(key="plan_report_make").click().run()
    assert not at.exception and {"docx_bytes", "xlsx_bytes"} <= set(made)
    # the build said its steps while it ran, and ends marked done
    assert [s.label for s in at.status] == ["年度报告已生成，请下载"]
    assert "第 2 步，共 2 步：数据表（Excel）" in [m.value for m in at.status[0].markdown]

    page = {k: frame_with(at, df.columns[1], df.columns[0]) for k, df in
            [("总体情况", pd.DataFrame(columns=["指标", "数值"])),
             ("按市审核进展", pd.DataFrame(columns=["城市", "截至年末累计列入名单企业（家）"])),
             ("按行业审核进展", pd.DataFrame(columns=["行业", "截至年末累计列入名单企业（家）"])),
             ("按市方案与绩效", pd.DataFrame(columns=["城市", "无/低费方案（项）"])),
             ("按行业方案与绩效", pd.DataFrame(columns=["行业", "无/低费方案（项）"]))]}
    page["与实施方案对比"] = frame_with(at, "年度目标", "地区")
    # Known answers of 2024 on the page itself.
    summary = dict(zip(page["总体情况"]["指标"], page["总体情况"]["数值"]))
    assert summary["当年完成审核"] == 1 and summary["当年评估未通过"] == 1
    assert summary["当年验收通过"] == 1 and summary["当年列入名单"] == 2
    assert summary["方案投资"] == 150.0 and summary["节能量"] == 120.0
    assert summary["截至年末累计列入名单企业"] == 4
    # figures are shown with thousands separators (4,500), shares as percentages, one decimal
    formats = [{c: v.get("type_config", {}).get("format")
                for c, v in json.loads(d.proto.columns).items()} for d in at.dataframe]
    assert any(f.get("数值") == "localized" for f in formats)
    assert any(f.get("年度目标") == "localized" for f in formats)
    shares = [d.value["完成率"] for d in at.dataframe if "完成率" in d.value]
    assert shares and all(s.str.fullmatch(r"\d+\.\d%|—").all() for s in shares)

    text, tables = word.read_back(made["docx_bytes"])
    assert "江苏省2024年度清洁生产审核实施情况报告" in text and "数据截至2024年12月31日" in text
    assert "完成审核1轮" in text and "对照《2024—2025年实施方案》2024年度目标" in text
    # the 指标口径 section: the registry's definitions with this province's clock
    lines = text.splitlines()
    assert "四、指标口径" in lines
    for n, line in enumerate(ind.definitions(annual_report.REPORT_INDICATORS, ClockRules()), 1):
        assert f"{n}. {line}" in lines
    assert "completion_milestone" not in text
    docx = {tuple(t.columns): t for t in tables}
    book = load_workbook(io.BytesIO(made["xlsx_bytes"]), data_only=True)
    for key, df in page.items():
        shown = docx[tuple(df.columns)]
        assert len(shown) == len(df), key
        ws = book[key]
        cells = [[c for c in r] for r in ws.iter_rows(min_row=5, values_only=True)]
        assert list(cells[0][:len(df.columns)]) == list(df.columns), key
        for i, (_, r) in enumerate(df.iterrows()):
            for col in df.columns:
                value, cell = r[col], cells[i + 1][list(df.columns).index(col)]
                if col == "完成率" and isinstance(cell, (int, float)):  # 50.0% shown, 0.5 in Excel
                    assert value == fmt.pct(cell) == shown.iloc[i][col], (key, col)
                elif isinstance(value, str):
                    assert shown.iloc[i][col] == value and cell == value, (key, col)
                elif pd.isna(value):
                    assert cell is None
                else:
                    assert _number(shown.iloc[i][col]) == pytest.approx(round(value, 3),
                                                                         abs=0.05), (key, col)
                    assert cell == pytest.approx(value), (key, col)


def test_only_the_chosen_tab_runs(monkeypatch, plan_sqlite):
    at = open_page(monkeypatch, plan_sqlite, PAGE, ASOF)
    assert [t.label for t in at.tabs] == ["计划对标", "年度实施情况报告", "导入计划目标"]
    keys = {w.key for w in at.selectbox}
    assert "plan_report_year" not in keys and "plan_metric" in keys
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("下载空白")]
    at.session_state["plan_section"] = "导入计划目标"
    at.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载对标明细（Excel）" not in labels
    assert [w.proto.label for w in at.get("page_link")] == ["前往数据导入（计划目标）"]
    at.session_state["plan_section"] = "年度实施情况报告"
    at.run()
    assert not at.exception and "plan_report_year" in {w.key for w in at.selectbox}


def test_the_report_year_survives_a_visit_to_another_tab(monkeypatch, plan_sqlite):
    at = open_page(monkeypatch, plan_sqlite, PAGE, ASOF)
    at.session_state["plan_section"] = "年度实施情况报告"
    at.run()
    year = at.selectbox(key="plan_report_year")
    assert year.value == 2023 and "2024年" in year.options  # default: the last full year
    year.set_value(2024).run()
    for section in ("计划对标", "年度实施情况报告"):
        at.session_state["plan_section"] = section
        at.run()
    assert not at.exception and at.selectbox(key="plan_report_year").value == 2024
