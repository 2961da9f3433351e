"""数据导入 under AppTest on the hand-built database: the province and a city official open it
and see the kinds, templates and their own imports (AppTest cannot upload a file: imports are
made through the query layer, as the page makes them); undo from the page; read-only and park
accounts cannot open it."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from queries import intake
from queries import schema as s
from queries.db import Source, get_engine
from queries.scope import Scope
from tests import handmade
from tests.apptest import html_tables, open_page, texts

PAGE = "pages/intake.py"


def _file(rows) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "企业名录"
    ws.append(["统一社会信用代码", "企业名称", "行业", "所在区县", "企业规模"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _import(url: str, scope: Scope, rows, name: str = "名录.xlsx") -> intake.Outcome:
    out = intake.confirm(Source(url, ""), scope, "enterprises", _file(rows), name,
                         intake.Actor("测试导入"))
    assert out.ok, out.message
    return out


def _scale(url: str, uscc: str) -> str:
    with get_engine(url).connect() as conn:
        return conn.execute(select(s.enterprise.c.scale)
                            .where(s.enterprise.c.uscc == uscc)).scalar()


def test_province_sees_kinds_templates_and_every_import(monkeypatch, handmade_sqlite):
    _import(handmade_sqlite, Scope("city", "320500"),
            [[handmade.E4, "苏州丁印染有限公司", "印染", "吴江区", "大型"]], "苏州.xlsx")
    at = open_page(monkeypatch, handmade_sqlite, PAGE, user="province")
    body = texts(at)
    assert "数据导入" in body and "江苏省" in body
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载企业名录空白模板（.xlsx）", "下载含本辖区现有记录的模板（.xlsx）"]
    past = html_tables(at)["intake_batches"]
    assert list(past["文件"]) == ["苏州.xlsx"] and list(past["修改（条）"]) == ["1"]
    assert list(past["状态"]) == ["有效"]
    at.selectbox(key="intake_kind").set_value("progress").run()
    assert not at.exception
    assert "审核轮次" in texts(at)
    assert [b.label for b in at.get("download_button")][0] == "下载审核进度空白模板（.xlsx）"


def test_city_official_sees_only_own_imports_and_undoes_one(monkeypatch, handmade_sqlite):
    _import(handmade_sqlite, Scope(),
            [[handmade.E1, "南京甲化工有限公司", "化工", "浦口区", "中型"]],
            "南京.xlsx")
    _import(handmade_sqlite, Scope("city", "320500"),
            [[handmade.E4, "苏州丁印染有限公司", "印染", "吴江区", "大型"]], "苏州.xlsx")
    assert _scale(handmade_sqlite, handmade.E4) == "大型"
    at = open_page(monkeypatch, handmade_sqlite, PAGE, user="city:320500")
    assert any(c.value.startswith("苏州市 · 只能新增或修改本辖区") for c in at.caption)
    past = html_tables(at)["intake_batches"]
    assert list(past["文件"]) == ["苏州.xlsx"]  # not the province's import
    assert at.selectbox(key="intake_undo_which").options == ["第 2 次 · 苏州.xlsx · "
                                                             + past["导入时间"][0]]
    at.button(key="intake_undo").click().run()
    assert not at.exception
    assert "已撤销第 2 次导入" in texts(at)
    assert _scale(handmade_sqlite, handmade.E4) == "中型"  # as before the import
    assert html_tables(at)["intake_batches"]["状态"][0].startswith("已撤销")


def test_prefilled_template_holds_only_the_jurisdiction(monkeypatch, handmade_sqlite):
    source = Source(handmade_sqlite, "")
    rows = intake.current_rows(source, Scope("city", "320500"), "enterprises")
    assert sorted(rows["统一社会信用代码"]) == sorted([handmade.E3, handmade.E4, handmade.E5])
    from components.export import template_bytes
    from rules import intake as ri

    data = template_bytes(ri.ENTERPRISES, intake.template_choices(
        source, Scope("city", "320500"), "enterprises"), rows)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["填写说明", "企业名录", "填写示例", "选项"]
    ws = book["企业名录"]
    assert ws.freeze_panes == "A2"
    assert ws["A2"].data_type == "s" and ws["A2"].value == handmade.E3  # text stays text
    lists = book["选项"]
    counties = [c.value for c in lists["D"][1:] if c.value] if lists["D"][0].value == "所在区县" \
        else None
    columns = {lists.cell(1, j).value: [lists.cell(i, j).value for i in range(2, 10)
                                        if lists.cell(i, j).value]
               for j in range(1, lists.max_column + 1)}
    assert columns["所在区县"] == ["苏州市虎丘区", "苏州市吴江区"], counties  # only its counties
    assert columns["企业规模"] == ["大型", "中型", "小型", "微型"]
    assert len(ws.data_validations.dataValidation) >= 4
    # the template read back gives the same records: nothing changes
    pv = intake.preview(source, Scope("city", "320500"), "enterprises", data, "t.xlsx")
    assert [r.status for r in pv.rows] == ["无变化"] * 3


@pytest.mark.parametrize("user", ["readonly", "park"])
def test_roles_without_import_cannot_open_it(monkeypatch, handmade_sqlite, user):
    at = open_page(monkeypatch, handmade_sqlite, user=user)
    with pytest.raises(Exception):  # noqa: B017 - not in the navigation
        at.switch_page(PAGE)


def test_hostile_names_are_text_on_the_pages_and_in_every_workbook(monkeypatch, tmp_path):
    """Names that are formulas, Markdown or HTML (tests/hostile.py): shown as text by 数据导入
    and 数据质量, text in the templates (blank and pre-filled) and the past imports."""
    from tests import hostile
    from tests.conftest import sqlite_with
    from tests.test_hardening_markup import (
        assert_no_markup,
        assert_no_raw_html,
        assert_safe_workbook,
    )

    url = sqlite_with(tmp_path, hostile.build, "hostile.db")
    _import(url, Scope(), [[handmade.E4, None, None, None, "大型"]], hostile.HTML + ".xlsx")
    got = {}
    from streamlit.delta_generator import DeltaGenerator

    original = DeltaGenerator.download_button

    def record(self, label, data, *args, **kwargs):
        got[label] = data
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    at = open_page(monkeypatch, url, PAGE, user="province")
    assert_no_markup(at, "intake")
    assert_no_raw_html(at, "intake")
    assert list(html_tables(at)["intake_batches"]["文件"]) == [hostile.HTML + ".xlsx"]
    filled = assert_safe_workbook(got["下载含本辖区现有记录的模板（.xlsx）"](), "filled")
    assert {hostile.FORMULA, hostile.PLUS + "乙", hostile.AT + "丁" + hostile.TEMPLATE} <= filled
    assert_safe_workbook(got["下载企业名录空白模板（.xlsx）"](), "blank")
    at = open_page(monkeypatch, url, "pages/data_quality.py", user="province")
    assert_no_markup(at, "data_quality")
