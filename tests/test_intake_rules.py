"""rules/intake: reading what cities send (xlsx, CSV in UTF-8 / BOM / GBK / GB18030 / UTF-16),
title rows, header variants, dates in every form, cells checked with Chinese messages, and the
files that must be refused with a message instead of a traceback."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rules import intake as ri
from rules.identifiers import make_uscc
from rules.uploads import UploadLimits

U1 = make_uscc("320505", "MA1BBB03")
U2 = make_uscc("320509", "MA1CCC04")
REFS = {"industry": {"化工": "chemicals", "CHEMICALS": "chemicals", "电镀": "electroplating"},
        "county": {"虎丘区": "320505", "苏州市虎丘区": "320505", "320505": "320505",
                   "鼓楼区": None, "南京市鼓楼区": "320106"},
        "park": {}}
HEADER = ["统一社会信用代码", "企业名称", "行业", "所在区县", "经度（度）", "纬度（度）",
          "企业规模"]


def xlsx(rows, title="企业名录", extra_sheets=()) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for name, srows in extra_sheets:
        other = book.create_sheet(name)
        for r in srows:
            other.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def check(data: bytes, kind=ri.ENTERPRISES, name="f.xlsx", limits=None):
    return ri.check_file(data, name, kind, REFS, limits)


def values(data: bytes, **kw) -> list[dict]:
    _t, rows, problems = check(data, **kw)
    assert problems == [], [str(p) for p in problems]
    return [r.values for r in rows]


# ---- encodings and formats ---------------------------------------------------------------------

CSV_TEXT = ("统一社会信用代码,企业名称,行业,所在区县,经度（度）,纬度（度）,企业规模\r\n"
            f"{U1},苏州丙电镀有限公司,电镀,虎丘区,\"120.52\",31.32,小型\r\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_cities_use(encoding):
    data = CSV_TEXT.encode(encoding)
    assert values(data, name="名录.csv") == [{
        "uscc": U1, "name": "苏州丙电镀有限公司", "industry": "electroplating",
        "county": "320505", "lon": 120.52, "lat": 31.32, "scale": "小型"}]


def test_gbk_csv_as_wps_writes_it_with_a_title_line_and_tabs():
    text = ("苏州市重点企业名录\t\t\t\r\n\r\n"
            "信用代码\t单位名称\t所属行业\t区县\r\n"
            f"{U1}\t苏州丙电镀有限公司\t电镀\t虎丘区\r\n")
    assert values(text.encode("gbk"), name="x.csv") == [{
        "uscc": U1, "name": "苏州丙电镀有限公司", "industry": "electroplating",
        "county": "320505"}]


def test_title_rows_above_the_header_are_skipped():
    data = xlsx([["苏州市重点企业名录"], ["填报单位：苏州市生态环境局", None, "2026年"], [],
                 HEADER, [U1, "甲", "化工", "虎丘区", None, None, None]])
    table, rows, _ = check(data)
    assert table.header_row == 4 and rows[0].row == 5 and rows[0].values["name"] == "甲"


@pytest.mark.parametrize("header", ["统一社会信用代码", "信用代码", "社会信用代码",
                                    " 统一社会 信用代码 ",
                                    "*统一社会信用代码", "USCC", "ｕｓｃｃ"])
def test_key_header_variants(header):
    assert values(xlsx([[header, "企业名称"], [U1, "甲"]]))[0]["uscc"] == U1


@pytest.mark.parametrize("header", ["经度（度）", "经度(度)", "经度 （度）", "经度",
                                    "经度（单位：度）",
                                    "经度,单位:度", "东经"])
def test_unit_and_bracket_variants(header):
    assert values(xlsx([["信用代码", header], [U1, "120.5"]]))[0]["lon"] == 120.5


@pytest.mark.parametrize("cell", [dt.date(2021, 3, 5), dt.datetime(2021, 3, 5), "2021-03-05",
                                  "2021/3/5", "2021.3.5", "2021年3月5日", "2021 年 3 月 5 日",
                                  "２０２１－０３－０５", "20210305", 44260, "44260", 44260.0,
                                  "2021-03-05 00:00:00"])
def test_every_date_form(cell):
    assert ri.parse_date(cell) == dt.date(2021, 3, 5)


@pytest.mark.parametrize("cell, words", [("2021-02-30", "不存在"), ("明年", "不是可识别的日期"),
                                         ("1899-01-01", "不在 1990—2099"), (True, "不是日期"),
                                         (-5, "不是日期"), ("3/5/2021", "不是可识别的日期")])
def test_bad_dates_say_what_is_wrong(cell, words):
    with pytest.raises(ri.CellError, match=words):
        ri.parse_date(cell)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
       st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日",
                        "{y}{m:02d}{d:02d}", "serial"]))
@settings(max_examples=200, deadline=None)
def test_any_date_in_any_form_reads_back(day, form):
    if form == "serial":
        cell = (day - ri.EXCEL_EPOCH).days
    else:
        cell = form.format(y=day.year, m=day.month, d=day.day)
    assert ri.parse_date(cell) == day


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
@settings(max_examples=100, deadline=None)
def test_numbers_with_thousands_separators(x):
    assert ri.parse_number(f"{x:,.3f}") == pytest.approx(round(x, 3))


def test_numbers_dates_and_choices_as_text_or_full_width():
    rows = values(xlsx([["信用代码", "经度", "纬度", "企业规模"],
                        [U1, "１２０.５", "31.3", "中型"]]))
    assert rows == [{"uscc": U1, "lon": 120.5, "lat": 31.3, "scale": "中型"}]
    level = ri.PROGRESS.column("cp_level")
    assert ri.parse_cell(level, "Ⅱ级 国内先进", {}) == "Ⅱ级"  # the local label
    assert ri.parse_cell(level, "II级", {}) == "Ⅱ级"  # typed with Latin letters


# ---- cell and row problems ---------------------------------------------------------------------

def test_cell_problems_name_sheet_row_column_value_and_fix():
    data = xlsx([HEADER,
                 [U1[:-1] + ("0" if U1[-1] != "0" else "1"), "甲", "化工", "虎丘区"],
                 [U2, "乙", "纺织", "鼓楼区", "abc", 200, "巨型"],
                 [None, "丙", "化工", "虎丘区"],
                 [U2, "丁", "化工", "320505"]])
    _t, rows, _ = check(data)
    said = [[str(p) for p in r.problems] for r in rows]
    assert said[0] == ["工作表「企业名录」第 2 行「统一社会信用代码」列：值「" + U1[:-1]
                       + ("0" if U1[-1] != "0" else "1")
                       + "」：统一社会信用代码校验码错误。请按营业执照核对。"]
    assert [p.column for p in rows[1].problems] == ["行业", "所在区县", "经度（度）", "纬度（度）",
                                                    "企业规模"]
    assert "名称不唯一" in said[1][1] and "请填写全称或代码" in said[1][1]
    assert "不是数字" in said[1][2] and "超出范围：应在 3—54 度之间" in said[1][3]
    assert "可选：大型、中型、小型、微型" in said[1][4]
    assert said[2] == ["工作表「企业名录」第 4 行：「统一社会信用代码」未填写："
                       "这一列用来识别记录，必须填写。"]
    assert said[3] == ["工作表「企业名录」第 5 行：与第 3 行重复（统一社会信用代码相同），"
                       "请合并为一行。"]


def test_blank_keeps_and_the_clear_marker_clears():
    _t, rows, _ = check(xlsx([HEADER, [U1, "甲", None, "  ", "（清空）", "(清空)", None]]))
    assert rows[0].values == {"uscc": U1, "name": "甲"}
    assert rows[0].clears == {"lon", "lat"}
    _t, rows, _ = check(xlsx([HEADER, [U1, "（清空）"]]))
    assert "此列不能清空" in str(rows[0].problems[0])


def test_formula_without_a_saved_value_is_an_error_not_a_blank():
    _t, rows, _ = check(xlsx([HEADER, [U1, "甲", None, None, "=100+20.5"]]))
    assert "是公式，但文件中没有它的计算结果" in str(rows[0].problems[0])
    assert "lon" not in rows[0].values


def test_text_starting_with_formula_characters_stays_text():
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    ws.append([U1, "x"])
    ws["B2"].value = "=HYPERLINK(\"http://x\")"
    ws["B2"].data_type = "s"  # a text cell, as the app's writer writes it
    buf = io.BytesIO()
    book.save(buf)
    assert values(buf.getvalue())[0]["name"] == "=HYPERLINK(\"http://x\")"


def test_date_order_rule():
    d = dt.date.fromisoformat
    assert ri.date_order_problems({"listing_date": d("2023-03-01"),
                                   "start_date": d("2023-04-01"),
                                   "report_date": d("2024-01-01")}) == []
    assert ri.date_order_problems({"listing_date": d("2023-03-01"),
                                   "disclosure_date": d("2023-02-20")}) == [
        "信息公开日期（2023-02-20）早于列入名单日期（2023-03-01），请核对两个日期。"]
    # every adjacent pair is checked, also across a missing one
    assert len(ri.date_order_problems({"start_date": d("2023-05-01"),
                                       "evaluation_date": d("2023-04-01"),
                                       "acceptance_date": d("2023-06-01")})) == 1


# ---- whole files refused -----------------------------------------------------------------------

def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


BAD_FILES = {
    "empty": (b"", "文件为空（0 字节）"),
    "picture": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "这是一张图片"),
    "pdf": (b"%PDF-1.4 ...", "这是 PDF 文件"),
    "xls or password": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
                        "文件已损坏，或设有打开密码的工作簿"),
    "other zip": (_zip({"readme.txt": b"hello"}), "这是一个压缩包，不是 Excel 工作簿"),
    "zip bomb": (_zip({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml":
                       b"\x00" * (60 * 1024 * 1024)}), "文件解压后过大"),
    "broken xlsx": (_zip({"xl/workbook.xml": b"<not xml"}), "文件已损坏或不是有效的 Excel"),
    "binary junk": (bytes(range(256)) * 10, "无法识别文件的文字编码"),
    "no header": (xlsx([["甲", "乙"], ["1", "2"]]), "未找到企业名录的表头"),
    "header only": (xlsx([HEADER]), "文件只有表头，没有数据行"),
    "another kind": (xlsx([["统一社会信用代码", "审核轮次", "企业名称", "启动审核日期"],
                           [U1, 1, "甲", None]]),
                     "这是「审核进度」的文件，不是「企业名录」"),
    "duplicate column": (xlsx([["信用代码", "企业名称", "单位名称"], [U1, "甲", "乙"]]),
                         "与前面的列重复"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_get_a_chinese_message(case):
    data, words = BAD_FILES[case]
    _t, rows, problems = check(data, name="上传.xlsx")
    assert rows == [] and len(problems) == 1, [str(p) for p in problems]
    assert words in str(problems[0])


def _merged(rows, ranges) -> bytes:
    book = Workbook()
    ws = book.active
    for r in rows:
        ws.append(r)
    for cells in ranges:
        ws.merge_cells(cells)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_two_row_merged_header():
    # 统一社会信用代码 and 企业名称 merged over two rows, 坐标 over 经度 | 纬度
    data = _merged([["苏州市企业名录"], ["统一社会信用代码", "企业名称", "坐标", None],
                    [None, None, "经度", "纬度"], [U1, "甲", 120.5, 31.3]],
                   ["A1:D1", "A2:A3", "B2:B3", "C2:D2"])
    table, rows, problems = check(data)
    assert problems == [] and rows[0].row == 4
    assert rows[0].values == {"uscc": U1, "name": "甲", "lon": 120.5, "lat": 31.3}
    # the names repeated in the second row read the same
    data = xlsx([["统一社会信用代码", "企业名称", "坐标", None],
                 ["统一社会信用代码", "企业名称", "经度", "纬度"], [U1, "甲", 120, 31]])
    assert values(data) == [{"uscc": U1, "name": "甲", "lon": 120.0, "lat": 31.0}]


def test_wrong_kind_the_other_way_round():
    _t, _rows, problems = check(xlsx([HEADER, [U1, "甲"]]), kind=ri.PROGRESS)
    assert "这是「企业名录」的文件，不是「审核进度」" in str(problems[0])


def test_limits_size_and_rows():
    small = UploadLimits(max_bytes=1000, max_rows=3)
    _t, _r, problems = check(b"x" * 2000, name="a.csv", limits=small)
    assert "文件过大" in str(problems[0])
    data = xlsx([HEADER] + [[make_uscc("320505", f"MA1AAA{i:02d}"), "甲"] for i in range(5)])
    _t, _r, problems = check(data, limits=UploadLimits(max_rows=3))
    assert "超过上限 3 行" in str(problems[0]) or "超过 3 行" in str(problems[0])
    text = "\r\n".join(["信用代码,企业名称"] + [f"{U1},甲"] * 5).encode()
    _t, _r, problems = check(text, name="a.csv", limits=UploadLimits(max_rows=3))
    assert "工作表超过 3 行" in str(problems[0])


def test_the_template_sheets_of_instructions_and_example_are_not_data():
    data = xlsx([HEADER, [U1, "甲"]], extra_sheets=[("填写示例", [HEADER, [U2, "示例"]])])
    assert [v["uscc"] for v in values(data)] == [U1]


def test_instructions_cover_every_column():
    rows = ri.instructions(ri.ENTERPRISES, {"industry": ["化工", "电镀"]})
    assert [r["列名"] for r in rows] == [c.header for c in ri.ENTERPRISES.columns]
    first = rows[0]
    assert first["是否必填"] == "必填（识别记录）" and first["示例"] == ri.USCC.example
    assert rows[2]["可选值或格式"].endswith("：化工、电镀")
    assert rows[7]["可选值或格式"] == "大型、中型、小型、微型"
    assert rows[7]["是否必填"].startswith("选填")
    assert all(r["含义"] and r["是否必填"] for r in rows)


@pytest.mark.parametrize("value, message", [
    (1e20, "数值过大（超过 2,147,483,647），请核对。"),  # would overflow the INTEGER column
    (3.5, "应为整数（单位：人）。"),
    (-1, "不能小于 0 人（减排量、投资等填写正数）。"),
    ("12", None), (12.0, None)])
def test_whole_numbers_are_validated_with_their_bounds(value, message):
    col = ri.Column("staff", "人员（人）", "人数", kind="int", unit="人", low=0)
    if message is None:
        assert ri.parse_cell(col, value, {}) == 12
    else:
        with pytest.raises(ri.CellError) as err:
            ri.parse_cell(col, value, {})
        assert str(err.value) == message


def test_text_longer_than_its_column_is_refused():
    col = ri.Column("name", "企业名称", "名称", max_len=4)
    assert ri.parse_cell(col, "苏州化工", {}) == "苏州化工"
    with pytest.raises(ri.CellError, match="超过 4 个字"):
        ri.parse_cell(col, "苏州化工厂", {})
