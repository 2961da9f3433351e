"""Legacy Excel (.xls) uploads: read through xlrd like an .xlsx (title rows, a two-row merged
header, formulas as their saved results, dates by the workbook's own calendar), within the
upload limits (checked from each sheet's declared size before its cells are read), and a damaged
or renamed file gets a Chinese message. The fixtures are made by tests/fixtures/make_xls.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rules import intake as ri
from rules.uploads import UploadLimits

from .test_intake_rules import REFS, U1, U2

FIXTURES = Path(__file__).parent / "fixtures"
ENTERPRISES = (FIXTURES / "enterprises.xls").read_bytes()
PROGRESS_1904 = (FIXTURES / "progress_1904.xls").read_bytes()


def check(data: bytes, kind=ri.ENTERPRISES, limits=None):
    return ri.check_file(data, "上传.xls", kind, REFS, limits)


def test_xls_with_a_title_row_and_a_two_row_merged_header_reads_like_xlsx():
    table, rows, problems = check(ENTERPRISES)
    assert problems == []
    assert table.sheet == "企业名录"  # the template's 填写说明 sheet before it is skipped
    assert table.header_row == 3
    assert [r.row for r in rows] == [5, 6]
    assert [r.values for r in rows] == [
        # 纬度 is a formula (=31+0.32): its saved result
        {"uscc": U1, "name": "苏州丙电镀有限公司", "industry": "electroplating",
         "county": "320505", "lon": 120.52, "lat": 31.32, "scale": "小型"},
        # a number written as text, a county as its code
        {"uscc": U2, "name": "苏州丁化工有限公司", "industry": "chemicals",
         "county": "320505", "lon": 120.6, "lat": 31.3}]
    assert all(r.ok for r in rows)


def test_xls_dates_follow_the_workbooks_1904_calendar():
    _t, rows, problems = check(PROGRESS_1904, kind=ri.PROGRESS)
    assert problems == []
    assert rows[0].values == {"uscc": U1, "round_no": 1,
                              "disclosure_date": dt.date(2021, 4, 1),
                              "start_date": dt.date(2021, 5, 6),
                              "report_date": dt.date(2022, 3, 1)}


def test_xls_row_limit_is_checked_from_the_declared_size():
    sheets, problems = ri.read_file(ENTERPRISES, "上传.xls", UploadLimits(max_rows=4))
    assert sheets is None
    assert "工作表「企业名录」有 6 行，超过上限 4 行" in problems[0].message
    # exactly at the limit (rows + header) it is read
    sheets, problems = ri.read_file(ENTERPRISES, "上传.xls", UploadLimits(max_rows=5))
    assert problems == [] and sheets is not None


def test_xls_row_limit_holds_when_the_declared_size_is_missing(monkeypatch):
    import rules.uploads as up

    monkeypatch.setattr(up, "_xls_dimensions", lambda book: [])
    sheets, problems = ri.read_file(ENTERPRISES, "上传.xls", UploadLimits(max_rows=4))
    assert sheets is None and "已停止读取" in problems[0].message


def test_xls_size_limit_applies():
    sheets, problems = ri.read_file(ENTERPRISES, "上传.xls", UploadLimits(max_bytes=1000))
    assert sheets is None and "文件过大" in problems[0].message


@pytest.mark.parametrize("data, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "文件已损坏，或设有打开密码"),
    (ENTERPRISES[:3000], "文件已损坏"),  # cut short
    (bytes(range(256)) * 10, "文件名是 .xls，但内容不是 Excel 工作簿"),
])
def test_damaged_or_renamed_xls_gets_a_chinese_message(data, words):
    _t, rows, problems = check(data)
    assert rows == [] and len(problems) == 1
    assert words in problems[0].message


def test_tab_separated_text_named_xls_is_read_as_text():
    text = ("统一社会信用代码\t企业名称\t行业\t所在区县\r\n"
            f"{U1}\t苏州丙电镀有限公司\t电镀\t虎丘区\r\n")
    _t, rows, problems = check(text.encode("gbk"))
    assert problems == [] and rows[0].values["name"] == "苏州丙电镀有限公司"
