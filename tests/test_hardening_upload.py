"""Uploads and writes (issue: hardening, items 5 and 7), on the target import (data intake's
kind 计划目标): it refuses oversized files, zip bombs and sheets of millions of rows before
reading them whole; lists at most 1,000 problems with the total; reads two-row and blank
headers; refuses 1e20 and formulas without a computed value; keeps a stored target where a cell
is blank; and a read-only database is found
before an import starts (queries.db.write_problem), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass

import openpyxl
import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from queries import intake
from queries import schema as s
from queries.db import Source, get_engine, read_frame, write_problem
from queries.scope import Scope
from rules import intake as ri
from rules import uploads
from rules.intake_places import TARGET_FIELDS, TARGETS
from rules.uploads import UploadLimits
from tests.browser import ROOT
from tests.conftest import need

HEAD = [c.header for c in TARGETS.columns]
P1 = "2021—2023年实施方案"
REFS = {"period": {P1: "1"}, "region": {"江苏省": "320000", "南京市": "320100"},
        "industry_or_all": {"化工": "chemicals", "全部行业": ""}}


def xlsx(rows: list[list], header: list | None = None, merge: list[str] = ()) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(HEAD if header is None else header)
    for r in rows:
        ws.append(r)
    for cells in merge:
        ws.merge_cells(cells)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def row(year=2023, region="南京市", industry="化工", **values) -> list:
    return [P1, year, region, industry] + [values.get(f) for f in TARGET_FIELDS]


@dataclass
class Checked:
    rows: list
    errors: list

    @property
    def ok(self) -> bool:
        return not self.errors


def check(data: bytes, limits: UploadLimits | None = None) -> Checked:
    """The 计划目标 file read and checked cell by cell as data intake does (rules.intake)."""
    _table, rows, problems = ri.check_file(data, "目标.xlsx", TARGETS, REFS, limits)
    return Checked(rows, [*problems, *(p for r in rows for p in r.problems if not p.warning)])


@pytest.fixture
def never_opened(monkeypatch):
    """Fails the test if openpyxl is asked to open the file."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the file was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    return calls


def src(url: str) -> Source:
    return Source(url, "v")


def confirm(url: str, data: bytes) -> intake.Outcome:
    return intake.confirm(src(url), Scope(), "targets", data, "目标.xlsx", intake.Actor("测试员"))


def targets(url: str) -> pd.DataFrame:
    return read_frame(get_engine(url), select(s.plan_target).order_by(s.plan_target.c.target_id))


# ---- limits, before the file is read -----------------------------------------------------------

def test_limits_come_from_the_environment():
    assert UploadLimits.from_env({}) == UploadLimits(20 * uploads.MB, 20_000, 50 * uploads.MB)
    got = UploadLimits.from_env({"UPLOAD_MAX_MB": "5", "UPLOAD_MAX_ROWS": "100",
                                 "UPLOAD_MAX_UNZIPPED_MB": "0.5"})
    assert got == UploadLimits(5 * uploads.MB, 100, uploads.MB // 2)
    assert got.max_mb == 5
    assert UploadLimits.from_env({"UPLOAD_MAX_MB": "很大", "UPLOAD_MAX_ROWS": "-3"}) == \
        UploadLimits()


def test_a_file_over_the_size_limit_is_refused_unread(never_opened):
    data = xlsx([row(audits_completed=1)] * 50)
    got = check(data, UploadLimits(max_bytes=len(data) - 1))
    assert "文件过大" in got.errors[0].message and not never_opened
    assert check(b"x" * (20 * uploads.MB + 1)).errors[0].message.startswith("文件过大（20 MB）")


def _bomb(path: str, size: int) -> bytes:
    """A zip whose one sheet is `size` bytes of spaces: a few hundred KB on disk."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, \
            z.open(path, "w", force_zip64=True) as part:
        chunk = b" " * (1 << 20)
        for _ in range(size // len(chunk)):
            part.write(chunk)
    return buf.getvalue()


def test_a_zip_bomb_renamed_xlsx_is_refused_from_its_directory(never_opened):
    data = _bomb("xl/worksheets/sheet1.xml", 60 * uploads.MB)
    assert len(data) < 1 * uploads.MB
    started = time.perf_counter()
    got = check(data)
    assert time.perf_counter() - started < 1
    assert "解压后过大（60 MB，上限 50 MB）" in got.errors[0].message and not never_opened


def _sheet_of(rows: int, declared: str | None) -> bytes:
    """An .xlsx (openpyxl's parts) whose sheet has `rows` rows of one number, written as
    streamed XML, with the given <dimension ref> (None: no dimension element)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in base.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                z.writestr(item, base.read(item))
                continue
            with z.open(item.filename, "w", force_zip64=True) as part:
                part.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                           b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                           b'2006/main">')
                if declared:
                    part.write(f'<dimension ref="{declared}"/>'.encode())
                part.write(b"<sheetData>")
                for start in range(1, rows + 1, 100_000):
                    part.write("".join(f'<row r="{i}"><c r="D{i}"><v>1</v></c></row>'
                                       for i in range(start, min(start + 100_000, rows + 1)))
                               .encode())
                part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_a_small_file_declaring_four_million_rows_is_refused_before_reading(never_opened):
    data = _sheet_of(4_000_000, "A1:N4000000")
    assert len(data) < 25 * uploads.MB  # it passes the size limit
    started = time.perf_counter()
    got = check(data)
    assert time.perf_counter() - started < 1
    assert not never_opened
    assert got.errors[0].message.startswith("文件解压后过大") or "4,000,000 行" in \
        got.errors[0].message
    # the same declaration on a sheet that is small once unzipped: refused by its dimension
    small = _sheet_of(10, "A1:N4000000")
    assert "工作表有 4,000,000 行，超过上限 20,000 行" in check(small).errors[0].message
    assert "列，超过上限" in check(_sheet_of(10, "A1:ZZ10")).errors[0].message


def test_a_sheet_hiding_its_size_is_cut_off_while_streamed():
    # no dimension, or a false one: reading stops at the row limit (header + 100)
    limits = UploadLimits(max_rows=100)
    for declared in (None, "A1:A1"):
        got = check(_sheet_of(5_000, declared), limits)
        assert got.errors[0].message == "工作表超过 100 行，已停止读取。请分成几个文件上传。"
    # the limit counts data rows: 100 of them under a header row pass, 101 do not
    assert "已停止读取" not in check(_sheet_of(101, None), limits).errors[0].message
    assert "已停止读取" in check(_sheet_of(102, None), limits).errors[0].message


def test_problems_are_listed_up_to_one_thousand_with_the_total():
    data = xlsx([row(region=f"火星{i}市", audits_completed=1) for i in range(1_500)])
    got = check(data)
    assert len(got.errors) == 1_500
    shown, count = uploads.listed(got.errors)
    assert len(shown) == 1_000 and count == "共 1,500 处问题，下表列出前 1,000 处"
    assert uploads.listed(got.errors[:3]) == (got.errors[:3], "共 3 处问题")


# ---- headers, values and formulas --------------------------------------------------------------

def test_a_merged_two_row_header_is_read_as_one():
    top = ["规划期", "年度", "地区", "行业", "目标值"] + [None] * 9
    data = xlsx([[None] * 4 + HEAD[4:], row(audits_completed=1)],
                header=top, merge=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:N1"])
    got = check(data)
    assert got.ok, got.errors
    assert [(r.row, r.values["audits_completed"]) for r in got.rows] == [(3, 1)]


@pytest.mark.parametrize("blanks", [(14, 15), (4, 5), (0, 1)])
def test_blank_header_cells_do_not_crash(blanks):
    """Two header cells left blank (after, between or before the template's columns): their
    cells are not read, whatever they hold (a city's own notes)."""
    header, values = list(HEAD), row(audits_completed=1)
    for j in blanks:
        header.insert(j, None)
        values.insert(j, None)
    assert check(xlsx([values], header=header)).ok
    values[blanks[1]] = "多出的数据"
    got = check(xlsx([values], header=header))
    assert got.ok and got.rows[0].values == {"period": "1", "year": 2023, "region": "320100",
                                             "industry": "chemicals", "audits_completed": 1}


@pytest.mark.parametrize("field, value", [("audits_completed", 1e20), ("energy_tce", 1e20),
                                          ("audits_listed", 1_000_001),
                                          ("cod_t", 1_000_000_001.0)])
def test_huge_values_are_refused_by_validation(field, value):
    got = check(xlsx([row(**{field: value})]))
    assert "超出范围" in got.errors[0].message


@pytest.mark.parametrize("field, value", [("audits_listed", 1_000_000),
                                          ("energy_tce", 1_000_000_000.0)])
def test_the_largest_values_are_accepted(field, value):
    assert check(xlsx([row(**{field: value})])).ok


def test_huge_values_never_reach_the_database(handmade_url):
    before = targets(handmade_url)
    out = confirm(handmade_url, xlsx([row(audits_completed=1e20, energy_tce=1e20)]))
    assert not out.ok and len(out.preview.row_problems) == 2
    pd.testing.assert_frame_equal(before, targets(handmade_url))


def test_a_formula_without_a_computed_value_is_an_error_never_a_blank(handmade_url):
    before = targets(handmade_url)
    cells = row(audits_completed="=1+1", energy_tce=50.0)  # openpyxl stores no result
    out = confirm(handmade_url, xlsx([cells]))
    assert not out.ok and out.preview.row_problems[0].row == 2
    assert "是公式，但文件中没有它的计算结果" in out.preview.row_problems[0].message
    pd.testing.assert_frame_equal(before, targets(handmade_url))  # nothing erased


def test_a_formula_with_its_computed_value_reads_as_the_value():
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    ws = book.add_worksheet()
    ws.write_row(0, 0, HEAD)
    ws.write_row(1, 0, [P1, 2023, "南京市", "化工"])
    ws.write_formula(1, 5, "=2+3", None, 5)  # 完成审核数, as a spreadsheet saves it
    book.close()
    got = check(buf.getvalue())
    assert got.ok and got.rows[0].values["audits_completed"] == 5


def test_a_blank_cell_keeps_the_stored_target(handmade_url):
    # target 2: 南京市 化工 2023 with audits_listed 2, completed 2, passed 2, acceptances 1,
    # energy 100, COD 2; the file fills one figure only
    out = confirm(handmade_url, xlsx([row(audits_completed=4)]))
    assert out.ok and (out.preview.count("新增"), out.preview.count("修改")) == (0, 1)
    t = targets(handmade_url).set_index("target_id")
    assert t.loc[2, "audits_completed"] == 4
    assert (t.loc[2, "audits_listed"], t.loc[2, "evaluations_passed"], t.loc[2, "acceptances"],
            t.loc[2, "energy_tce"], t.loc[2, "cod_t"]) == (2, 2, 1, 100.0, 2.0)
    assert pd.isna(t.loc[2, "nh3n_t"])  # and a figure never set stays unset


# ---- a read-only database ---------------------------------------------------------------------

def test_a_writable_database_has_no_write_problem(handmade_url):
    assert intake.write_problem(src(handmade_url)) is None


def test_sqlite_opened_read_only_is_told_before_the_file_is_read(handmade_sqlite, monkeypatch):
    path = make_url(handmade_sqlite).database
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    problem = write_problem(get_engine(url))
    assert problem.startswith("审核数据库当前为只读，暂不能导入或修改数据：数据库以只读方式连接")
    read = []
    monkeypatch.setattr(ri, "check_file", lambda *a, **k: read.append(a))
    out = confirm(url, xlsx([row(audits_completed=4)]))
    assert not out.ok and out.message == problem and not read


def run_read_only(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run a Python snippet as a user who cannot write root's files: as root (which ignores
    file modes) without the capability to override them (setpriv)."""
    cmd = [sys.executable, "-c", script, *args]
    if os.geteuid() == 0:
        need(shutil.which("setpriv") is not None, "setpriv (util-linux) is not installed")
        drop = "-dac_override,-dac_read_search"
        cmd = ["setpriv", "--bounding-set", drop, "--inh-caps", drop, *cmd]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


PROBE = """
import json, os, sys
from queries.db import get_engine, write_problem
url = sys.argv[1]
out = {"checked": write_problem(get_engine(url), ("plan_target", "app_meta"))}
os.access = lambda *a, **k: True  # as if the file looked writable: the write probe must tell
out["probed"] = write_problem(get_engine(url), ("plan_target", "app_meta"))
print(json.dumps(out, ensure_ascii=False))
"""


def test_a_read_only_sqlite_file_and_folder_are_found(handmade_sqlite, tmp_path):
    path = make_url(handmade_sqlite).database
    os.chmod(path, 0o444)
    try:
        got = run_read_only(PROBE, handmade_sqlite)
    finally:
        os.chmod(path, 0o644)
    assert got.returncode == 0, got.stderr
    found = json.loads(got.stdout)
    assert "数据库文件 handmade.db 为只读" in found["checked"]
    assert "试写入失败" in found["probed"] and "readonly" in found["probed"]
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(path, folder / "db.sqlite")
    os.chmod(folder, 0o555)
    try:
        got = run_read_only(PROBE, f"sqlite:///{folder / 'db.sqlite'}")
    finally:
        os.chmod(folder, 0o755)
    assert "数据库所在文件夹不可写" in json.loads(got.stdout)["checked"]


def test_a_locked_sqlite_file_is_told(handmade_sqlite):
    import sqlite3

    holder = sqlite3.connect(make_url(handmade_sqlite).database, isolation_level=None,
                             timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        engine = create_engine(handmade_sqlite, connect_args={"timeout": 0.2})
        assert "已锁定" in write_problem(engine)
        engine.dispose()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_postgresql_read_only_and_without_grants_is_found(pg_url):
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    s.create_all(get_engine(pg_url))
    database = make_url(pg_url).database
    role = f"ro_{database[-8:]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
    try:
        writes = tuple(intake.WRITES)  # every table an import may write, plan_target among them
        assert "plan_target" in writes and write_problem(get_engine(pg_url), writes) is None
        reader = create_engine(make_url(pg_url).set(username=role))
        assert "没有表 plan_target 的写入权限" in write_problem(reader, ("plan_target",
                                                                    "app_meta"))
        assert "的写入权限" in write_problem(reader, writes)
        reader.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" SET default_transaction_read_only '
                              "= on"))
        fresh = create_engine(pg_url)
        assert "只读状态（transaction_read_only）" in write_problem(fresh, writes)
        fresh.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" RESET default_transaction_read_only'))
            conn.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"'))
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()
