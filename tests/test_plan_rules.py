"""Pure rules of the plan page: projection to the end of a period, and the target template."""

from __future__ import annotations

import datetime as dt
import io
import math

import pandas as pd
import pytest
from openpyxl import Workbook

from components import export
from rules import target_template as tt
from rules.plan_projection import (
    cumulative_curve,
    elapsed_days,
    period_days,
    period_mark,
    project,
    projected_at,
    year_end,
)

D = dt.date.fromisoformat
REGIONS = pd.DataFrame({"adcode": ["320000", "320100", "320500"],
                        "name": ["江苏省", "南京市", "苏州市"]})
INDUSTRIES = pd.DataFrame({"code": ["chemicals", "electroplating"], "name": ["化工", "电镀"]})
HEAD = list(tt.HEADERS[:-1])  # every template column, without the optional 备注


# ---- projection ---------------------------------------------------------------------------------

def test_period_days_and_elapsed():
    assert period_days(2021, 2023) == 1095
    assert period_days(2024, 2025) == 731  # 2024 is a leap year
    assert elapsed_days(2024, 2025, D("2023-12-31")) == 0
    assert elapsed_days(2024, 2025, D("2024-01-01")) == 1
    assert elapsed_days(2024, 2025, D("2024-12-31")) == 366
    assert elapsed_days(2024, 2025, D("2030-01-01")) == 731


def test_projection_at_current_pace():
    # 1 done in the first 366 of 731 days -> 1 + 1/366 * 365 at the end.
    assert project(1, 2024, 2025, D("2024-12-31")) == pytest.approx(1 + 365 / 366)
    assert project(0, 2024, 2025, D("2024-12-31")) == 0
    assert project(5, 2021, 2023, D("2024-12-31")) == 5  # period over: nothing to add
    assert project(3, 2024, 2025, D("2023-06-30")) is None  # not begun
    assert projected_at(10, 2024, 2025, D("2024-12-31"), D("2024-06-30")) == 10  # the past


def test_period_mark_follows_the_projection():
    as_of = D("2024-12-31")  # 366/731 = 50.07% of 2024-2025 elapsed
    assert period_mark(1, 4, 2024, 2025, as_of) == "behind"      # 25% < 50% - 15
    assert period_mark(1, 2, 2024, 2025, as_of) == "at_risk"     # 50.0% just below 50.07%
    assert period_mark(1, 1, 2024, 2025, as_of) == "on_track"
    assert period_mark(0, 0, 2024, 2025, as_of) == "on_track"    # nothing asked
    assert period_mark(1, None, 2024, 2025, as_of) is None
    assert period_mark(2, 3, 2021, 2023, as_of) == "behind"      # period over, not reached
    assert period_mark(0, 3, 2025, 2026, as_of) is None          # not begun


def test_cumulative_curve():
    curve = cumulative_curve(2024, 2025, D("2024-12-31"), {2024: 2.0, 2025: 2.0},
                             {2024: 1.0, 2025: 0.0})
    assert list(curve["planned"]) == [2.0, 4.0]
    assert curve["actual"].iloc[0] == 1.0 and math.isnan(curve["actual"].iloc[1])
    assert curve["projected"].iloc[0] == 1.0
    assert curve["projected"].iloc[1] == pytest.approx(1 + 365 / 366)
    # A year without a target breaks the planned line from there on.
    gap = cumulative_curve(2021, 2023, D("2024-12-31"), {2021: None, 2022: None, 2023: 3.0},
                           {2023: 0.0})
    assert gap["planned"].isna().all() and list(gap["actual"]) == [0.0, 0.0, 0.0]
    assert year_end(2023, D("2024-12-31")) == D("2023-12-31")
    assert year_end(2024, D("2024-06-30")) == D("2024-06-30")


# ---- template -----------------------------------------------------------------------------------

def xlsx(rows: list[list], header: list[str] | None = None, sheets: int = 1) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(HEAD if header is None else header)
    for r in rows:
        ws.append(r)
    for i in range(1, sheets):
        book.create_sheet(f"附表{i}")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def row(year=2022, region="南京市", industry="化工", completed=2, **more) -> list:
    values = {"audits_completed": completed, **more}
    return [year, region, industry] + [values.get(f) for f, _h, _w in tt.TARGET_COLUMNS]


def check(data: bytes) -> tt.Checked:
    return tt.check_file(data, REGIONS, INDUSTRIES, 2021, 2023)


def test_a_good_file_is_read_by_name_or_code():
    got = check(xlsx([row(), row(2023, "320500", "electroplating", 1, energy_tce=12.5),
                      row(2021, "江苏省", "全部行业", 5), row(2021, "320100", None, 3),
                      [None] * len(HEAD),  # a blank line is skipped, row numbers still count
                      row(2022, "苏州市", "电镀", None)]))  # no target at all: skipped
    assert got.ok, [str(e) for e in got.errors]
    assert list(got.rows["region_adcode"]) == ["320100", "320500", "320000", "320100"]
    assert got.rows["industry_code"].tolist() == ["chemicals", "electroplating", None, None]
    assert list(got.rows["audits_completed"]) == [2, 1, 5, 3]
    assert got.rows["energy_tce"].tolist()[1] == 12.5
    assert list(got.rows[tt.EXCEL_ROW]) == [2, 3, 4, 5]


@pytest.mark.parametrize("bad, row_no, words", [
    (row(region="北京市"), 3, "未知地区「北京市」"),
    (row(industry="纺织"), 3, "未知行业「纺织」"),
    (row(region="苏州市", completed=-1), 3, "负数"),
    (row(region="苏州市", completed="十个"), 3, "不是数字"),
    (row(region="苏州市", completed=2.5), 3, "应为整数"),
    (row(year=2024), 3, "不在规划期 2021—2023 年内"),
    (row(year="明年"), 3, "不是有效的年份"),
    (row(), 3, "与第 2 行重复"),
])
def test_each_broken_row_is_reported_with_its_excel_row(bad, row_no, words):
    got = check(xlsx([row(), bad]))
    assert not got.ok and got.rows.empty
    assert [e.row for e in got.errors] == [row_no]
    assert words in got.errors[0].message
    assert str(got.errors[0]).startswith(f"第 {row_no} 行：")


def test_every_error_of_a_file_is_reported():
    got = check(xlsx([row(region="北京市"), row(completed=-3, energy_tce="abc"), row(year=2030),
                      row(region="南京市", industry="电镀"),
                      row(region="南京市", industry="电镀")]))
    rows = [e.row for e in got.errors]
    assert rows == [2, 3, 3, 4, 6]


def test_missing_and_unknown_columns():
    header = [h for h in HEAD if not h.startswith("通过评估")]
    got = check(xlsx([row()[:len(header)]], header=header))
    assert [e.row for e in got.errors] == [1]
    assert "缺少必填列：通过评估数（家）" in got.errors[0].message
    got = check(xlsx([row() + [1]], header=HEAD + ["完成率"]))
    assert "表头「完成率」不是模板中的列" in got.errors[0].message
    # Units in brackets are optional, a 备注 column is allowed.
    plain = [tt._label(h) for h in HEAD] + ["备注"]
    assert check(xlsx([row() + ["说明"]], header=plain)).ok


@pytest.mark.parametrize("data, words", [
    (b"", "文件为空"),
    (b"year,region\n2022,320100\n", "不是有效的 Excel"),
    (b"\x00\x01garbage", "不是有效的 Excel"),
])
def test_files_that_are_not_templates(data, words):
    got = check(data)
    assert not got.ok and got.errors[0].row is None and words in got.errors[0].message


def test_empty_sheet_header_only_and_extra_sheets():
    book = Workbook()
    buf = io.BytesIO()
    book.save(buf)
    assert "没有表头和数据" in check(buf.getvalue()).errors[0].message
    assert "没有数据行" in check(xlsx([])).errors[0].message
    assert "只能有一个工作表" in check(xlsx([row()], sheets=2)).errors[0].message


def test_blank_template_round_trip():
    data = export.excel_bytes({tt.TEMPLATE_SHEET: tt.blank_template(
        [2021, 2022, 2023], ["江苏省", "南京市", "苏州市"])}, [])
    frame, errors = tt.read_workbook(data)
    assert not errors and len(frame) == 9
    assert list(frame.columns[:-1]) == tt.HEADERS
    got = tt.validate(frame, REGIONS, INDUSTRIES, 2021, 2023)
    assert "没有填写任何目标值" in got.errors[0].message  # nothing filled in yet
    frame.loc[0, "完成审核数（家）"] = 4
    got = tt.validate(frame, REGIONS, INDUSTRIES, 2021, 2023)
    assert got.ok and got.rows.iloc[0]["audits_completed"] == 4
    assert got.rows.iloc[0][tt.EXCEL_ROW] == 2
