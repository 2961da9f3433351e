"""Hostile names (issue: hardening, items 1 and 2): on a copy of the hand-built database whose
every name is a formula (`=HYPERLINK(…)`, `+1`, `-1`, `@SUM(…)`), Markdown (`**粗体**`, `$$x$$`,
`:red[红]`, a link), HTML or a tooltip placeholder (`{d}`), every page and tab is scanned:

- no element that Streamlit renders as Markdown carries a name unescaped (titles, captions,
  messages, metrics, expanders, tabs, buttons, links, pills, help texts);
- every Excel the pages offer has no formula cell, keeps every name as text (with the quote
  prefix where a spreadsheet would see a formula), numbers as numbers, an autofilter and a
  frozen header row;
- the map tooltips carry no placeholder inside a name.
How the escaped text looks in a browser: tests/test_hardening_browser.py.
"""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pytest
from google.protobuf.message import Message
from openpyxl.utils.escape import unescape

from components import export, safe
from tests import handmade, hostile
from tests.apptest import open_page
from tests.conftest import sqlite_with

AS_OF = {"asof": "2024-12-31"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what a spreadsheet evaluates
# Names whose characters Markdown, HTML, directives or the tooltip template would interpret.
MARKUP = [n for n in hostile.EVERY if re.search(r"[*$\[\]<>{}`:_~]", n)]
# Fields that are not drawn as Markdown: ids, data, specs, plain-text widget values.
NOT_MARKDOWN = {"id", "form_id", "spec", "json", "data", "columns", "deferred_file_id", "url",
                "icon", "type", "format", "theme", "tag", "min", "max", "default", "value",
                "raw_value", "placeholder", "options", "query_string", "page", "page_name"}
PLAIN_ELEMENTS = {"Dataframe", "VegaLiteChart", "DeckGlJsonChart", "Html", "Text", "Code",
                  "Selectbox", "MultiSelect", "TextInput", "DateInput", "NumberInput"}


@pytest.fixture
def hostile_sqlite(tmp_path):
    return sqlite_with(tmp_path, hostile.build, "hostile.db")


@pytest.fixture
def downloads(offered):
    """Every st.download_button call of a run (tests/conftest.py offered)."""
    return offered


def _strings(msg: Message, path: str = ""):
    for field, value in msg.ListFields():
        if isinstance(value, str):
            yield path + field.name, field.name, value
        elif isinstance(value, Message):
            yield from _strings(value, f"{path}{field.name}.")
        elif not isinstance(value, bytes) and hasattr(value, "__iter__"):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield f"{path}{field.name}[{i}]", field.name, item
                elif isinstance(item, Message):
                    yield from _strings(item, f"{path}{field.name}[{i}].")


def markdown_sources(at) -> list[tuple[str, str, str]]:
    """(element, field, text) of every string Streamlit renders as Markdown on the page."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message) and type(proto).__name__ not in PLAIN_ELEMENTS:
            for path, name, text in _strings(proto):
                if name not in NOT_MARKDOWN:
                    out.append((type(proto).__name__, path, text))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def assert_no_markup(at, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    raw = [(el, path, name, text[:120]) for el, path, text in markdown_sources(at)
           for name in MARKUP if name in text]
    assert raw == [], where


def assert_no_raw_html(at, where: str) -> None:
    for element in at.html:
        assert "<b>粗</b>" not in element.value, where


def excel_files(got: dict) -> dict[str, bytes]:
    return {label: (data() if callable(data) else data)
            for label, (name, data) in got.items() if str(name).endswith(".xlsx")}


def assert_safe_workbook(data: bytes, where: str) -> set[str]:
    """No formula cell anywhere; formula-like text has the quote prefix; every table has an
    autofilter and a frozen header row. Returns every text in the workbook."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts: set[str] = set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (where, ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(FORMULA_START):
                        assert cell.quotePrefix, (where, ws.title, cell.coordinate, cell.value)
        assert ws.auto_filter.ref, (where, ws.title)
        assert ws.freeze_panes, (where, ws.title)
    return texts


def show(at, key: str, value) -> None:
    at.session_state[key] = value
    at.run()


def test_pages_show_hostile_names_as_text_and_excel_keeps_them_text(
        monkeypatch, hostile_sqlite, downloads):
    workbooks: dict[str, bytes] = {}

    # 总览: the page, every lazy tab, the list behind a KPI
    at = open_page(monkeypatch, hostile_sqlite, "pages/overview.py", AS_OF)
    sidebar = [c.value for c in at.sidebar.caption]
    assert any(c.startswith(safe.text(hostile.PROVINCE)) for c in sidebar), sidebar
    for section in at.tabs:
        show(at, "ov_section", section.label)
        assert_no_markup(at, f"overview {section.label}")
        assert_no_raw_html(at, f"overview {section.label}")
    show(at, "ov_list", "overdue")
    assert_no_markup(at, "overview list")
    workbooks |= excel_files(downloads)

    # 审核进度与督办: three tabs, and the link opened by ticking a row of the watch list
    at = open_page(monkeypatch, hostile_sqlite, "pages/supervision.py", AS_OF)
    for section in ("督办清单", "审核进度", "审核轮次与逾期"):
        show(at, "sup_section", section)
        assert_no_markup(at, f"supervision {section}")
    show(at, "sup_section", "督办清单")
    show(at, "sup_watch_pick", {"selection": {"rows": [0], "columns": [], "cells": []}})
    links = [link.proto.label for link in at.get("page_link")]
    assert links and all("“" in label for label in links)
    assert_no_markup(at, "supervision link")
    workbooks |= excel_files(downloads)

    # 计划对标与年报: comparison, annual report (made on click), the way to the target import
    at = open_page(monkeypatch, hostile_sqlite, "pages/plan.py", AS_OF)
    assert_no_markup(at, "plan comparison")
    show(at, "plan_section", "年度实施情况报告")
    at.button(key="plan_report_make").click().run()
    assert_no_markup(at, "plan report")
    show(at, "plan_section", "导入计划目标")
    assert_no_markup(at, "plan import")
    workbooks |= excel_files(downloads)
    # 数据导入 as the plan page's link opens it: the target templates, blank and pre-filled
    downloads.clear()
    at = open_page(monkeypatch, hostile_sqlite, "pages/intake.py", AS_OF | {"kind": "targets"})
    assert_no_markup(at, "intake targets")
    wanted = ("下载计划目标空白模板（.xlsx）", "下载含本辖区现有记录的模板（.xlsx）")
    templates = {k: v for k, v in excel_files(downloads).items() if k in wanted}
    assert set(templates) == set(wanted)
    downloads.clear()

    # 园区评比: three tabs
    at = open_page(monkeypatch, hostile_sqlite, "pages/parks.py", AS_OF)
    for section in ("园区评分表", "同类园区比较", "园区成员登记核对"):
        show(at, "parks_section", section)
        assert_no_markup(at, f"parks {section}")
    workbooks |= excel_files(downloads)

    # 园区详情, 企业档案 (every enterprise), 地图, 数据概况
    for park_id, name in hostile.NAMES["park"].items():
        at = open_page(monkeypatch, hostile_sqlite, "pages/park.py", AS_OF | {"park": str(park_id)})
        assert_no_markup(at, f"park {park_id}")
        assert at.header[0].value == safe.text(name)
    for uscc, name in hostile.NAMES["enterprise"].items():
        at = open_page(monkeypatch, hostile_sqlite, "pages/enterprise.py",
                       AS_OF | {"uscc": uscc})
        assert_no_markup(at, f"enterprise {uscc}")
        assert at.header[0].value == safe.text(name)
    for page in ("pages/map.py", "pages/data_status.py"):
        at = open_page(monkeypatch, hostile_sqlite, page, AS_OF)
        assert_no_markup(at, page)

    # Every Excel download of every page
    expected = {"下载附表（Excel）", "下载督办清单（Excel，截至 2024年12月31日）",
                "下载对标明细（Excel）", "下载年度报告数据（Excel）", "下载园区评分表（Excel）"}
    assert set(workbooks) == expected
    texts = {label: assert_safe_workbook(data, label) for label, data in workbooks.items()}
    # the names are there, exactly as in the database
    assert {hostile.PLUS + "乙", hostile.AT + "丁" + hostile.TEMPLATE} <= texts[
        "下载督办清单（Excel，截至 2024年12月31日）"]
    # 南京市 renamed, in the target template's list of regions and its pre-filled rows
    for label, data in templates.items():
        book = openpyxl.load_workbook(io.BytesIO(data))
        cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
                 if c.value == hostile.FORMULA]
        assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells), label
    assert {hostile.NAMES["park"][1], hostile.NAMES["park"][2]} <= texts["下载园区评分表（Excel）"]
    assert hostile.MINUS in texts["下载附表（Excel）"]  # an industry named "-1"


def test_excel_numbers_stay_numbers_and_text_stays_text():
    frame = pd.DataFrame({"名称": [hostile.FORMULA, hostile.PLUS, hostile.MINUS, hostile.AT,
                                 "\t制表", "\r回车", "普通"],
                          "数值": [-1, 2.5, None, float("nan"), 0, -0.5, 10**6],
                          "日期": [pd.Timestamp("2024-12-31")] + [None] * 6,
                          "是否": [True, False, None, None, None, None, None]})
    data = export.excel_bytes({"表:1/2": frame}, [hostile.FORMULA, "@标题"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    assert ws.title == "表_1_2"  # characters Excel refuses in a sheet name
    assert ws["A1"].value == hostile.FORMULA and ws["A1"].quotePrefix  # header lines too
    assert ws["A2"].value == "@标题" and ws["A2"].quotePrefix
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0] == ("名称", "数值", "日期", "是否")
    # openpyxl leaves Excel's escape of a carriage return (_x000D_) as it is; Excel reads it
    assert [unescape(r[0]) for r in rows[1:]] == list(frame["名称"])
    assert [r[1] for r in rows[1:]] == [-1, 2.5, None, None, 0, -0.5, 10**6]
    assert [ws.cell(5 + i, 2).data_type for i in range(7)] == ["n"] * 7  # −1 is a number
    assert [ws.cell(5 + i, 1).quotePrefix for i in range(7)] == [True] * 6 + [False]
    assert rows[1][2].date() == pd.Timestamp("2024-12-31").date()
    assert [r[3] for r in rows[1:3]] == ["是", "否"]
    assert ws.auto_filter.ref == "A4:D11" and ws.freeze_panes == "A5"
    assert_safe_workbook(data, "frame")
    # without header lines (the target template) the table's header is row 1
    plain = openpyxl.load_workbook(io.BytesIO(export.excel_bytes({"t": frame}, [])))["t"]
    assert plain["A1"].value == "名称" and plain.freeze_panes == "A2"
    assert plain.auto_filter.ref == "A1:D8"


def test_map_tooltips_take_any_name(monkeypatch, hostile_sqlite):
    at = open_page(monkeypatch, hostile_sqlite, "pages/map.py", AS_OF)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    texts = []
    for layer in deck["layers"]:
        data = layer.get("data")
        records = data.get("features", []) if isinstance(data, dict) else (data or [])
        for rec in records:
            props = rec.get("properties", rec)
            texts += [str(props[k]) for k in ("n", "d") if k in props]
    assert texts
    assert not [t for t in texts if re.search(r"\{[nds]\}", t)]
    e4 = hostile.NAMES["enterprise"][handmade.E4]
    assert safe.tooltip(e4) in texts and safe.unjoin(safe.tooltip(e4)) == e4
    park = hostile.NAMES["park"][1]
    assert safe.tooltip(park) in texts

    at = open_page(monkeypatch, hostile_sqlite, "pages/park.py", AS_OF | {"park": "1"})
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    names = [r["n"] for layer in deck["layers"] if isinstance(layer.get("data"), list)
             for r in layer["data"] if "n" in r]
    assert safe.tooltip(hostile.NAMES["enterprise"][handmade.E1]) in names
    assert not [n for n in names if re.search(r"\{[nds]\}", n)]


@pytest.mark.parametrize("name", [hostile.BOLD, hostile.MATH, hostile.COLOUR, hostile.LINK,
                                  hostile.HTML, "&amp;", "# 标题", "a -> b", ":smile:",
                                  "www.evil.cn", "a@b.cn", "`代码`", "~~删~~", "| a |", "1. 项",
                                  "\\*", "a\nb\r\tc"])
def test_escape_is_reversible_to_the_text_itself(name):
    """What a reader sees is the name (line breaks as spaces); the browser test checks how
    Streamlit draws these, this one that nothing is lost or added."""
    from tests.apptest import shown

    assert shown(safe.text(name)) == re.sub(r"[\r\n\t]+", " ", name)
    assert "\n" not in safe.text(name)


def test_echoed_values_are_shortened():
    assert safe.cut("x" * 10_000) == "x" * 40 + "…"
    assert safe.short("[a](http://b)" * 100).endswith("…")
    assert len(safe.short("=" * 10_000)) < 100
    assert safe.cut("短") == "短" and safe.text(None) == ""
