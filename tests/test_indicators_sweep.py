"""One number, one meaning (issue 19): no raw value and no stray English anywhere a user reads.

Every page (rules/roles.py DATA_PAGES, 数据导入, the administration pages, 我的账号) runs once
under AppTest on a copy of the sample database, as the province and as a city official (the
administration pages as their administrators); one page with a record open (enterprise, park,
case, expert, consultancy) as well. Everything the run shows is swept: titles, headers,
markdown, captions, messages, metric labels and values, tab and expander labels, every cell of
every st.dataframe, every HTML table; and the Excel and Word files the run offers (a few per
page and every Word document, built as if clicked; the Word documents' page layout too).
Nothing may read as `nan`, `None`, `NaT`, `True`, `False` or
`<NA>`, a date as 2024-12-31 or 2024/12/31, or an English word outside TECHNICAL."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
from pathlib import Path

import lxml.html
import numpy as np
import pandas as pd
import pytest

from tests.apptest import open_page, shown
from tests.test_indicators_word import layout_problems

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "sample.db"
RAW = re.compile(r"(?<![A-Za-z0-9_])(nan|NaN|None|NaT|True|False|TRUE|FALSE)(?![A-Za-z0-9_])"
                 r"|<NA>")
ISO_DATE = re.compile(r"(?<!\d)(19|20)\d\d[-/](0?[1-9]|1[0-2])[-/](0?[1-9]|[12]\d|3[01])(?!\d)")
WORD = re.compile(r"(?<![A-Za-z0-9_\-./@])[A-Za-z][A-Za-z\-]*(?![A-Za-z0-9_]|\.[a-z])")
# Not read as words: HTML tags and their styles, Streamlit directives (:red-badge[…]), demo
# user names (data, like a USCC), a file name (sample.db).
NOT_WORDS = re.compile(r"<[^>]*>|:[a-z]+(-[a-z]+)*\[|\bdemo-[a-z]+\b")
# Technical words a Chinese official reads as they are (file kinds, codes, pollutants, units).
TECHNICAL = {
    "USCC", "GeoJSON", "Excel", "Word", "CSV", "PDF", "GCJ", "WGS", "COD", "VOCs", "SO", "NOx",
    "NH", "N", "ID", "xlsx", "csv", "docx", "doc", "xls", "jpg", "png", "JPG", "PNG", "DOC",
    "DOCX", "XLS", "XLSX", "OFD", "ZIP", "UTF", "BOM", "GBK", "GB", "T", "MB", "KB", "PM",
    "SQLite", "PostgreSQL", "IP", "OpenID", "Connect", "OIDC", "kg", "t", "m", "km", "kWh",
    "tce", "GDP", "A", "B", "C", "D", "E", "Q", "ISO", "CO", "Cr", "Pb", "Hg", "Cd", "As",
    "Ni", "Zn", "Cu", "TN", "TP", "SS", "BOD", "pH", "HTTPS", "HTTP", "URL", "CPU", "RTO",
}
MAX_DOWNLOADS = 3  # per page run: enough to sweep every builder, fast enough
# The lazy tabs (only the chosen one runs): the province's run opens each in turn.
TABS = {"overview": ("ov_section", ["季度完成趋势", "行业分布", "逾期时间最长的企业"]),
        "supervision": ("sup_section", ["审核进度", "审核轮次与逾期"]),
        "parks": ("parks_section", ["同类园区比较", "园区成员登记核对"]),
        "plan": ("plan_section", ["年度实施情况报告", "导入计划目标"])}


def _words(text: str, where: str) -> list[str]:
    """What is wrong in one text a user reads (a template's note on the date forms an import
    accepts names them on purpose)."""
    text = re.sub(r"\]\([^)]*\)", "]", text)  # a Markdown link's address is not read
    text = re.sub(r":material/[a-z_]+:", "", text)  # icons
    text = NOT_WORDS.sub(" ", text)
    bad = [f"{where}: raw value {m.group(0)!r} in {text[:80]!r}" for m in RAW.finditer(text)]
    bad += [f"{where}: ISO date {m.group(0)!r} in {text[:80]!r}" for m in ISO_DATE.finditer(text)
            if "日期可写作" not in text]
    bad += [f"{where}: English {m.group(0)!r} in {text[:80]!r}" for m in WORD.finditer(text)
            if m.group(0) not in TECHNICAL]
    return bad


def _cell(value, where: str, date_format: bool) -> list[str]:
    """A dataframe cell: a missing value, a boolean or an unformatted date is a raw value."""
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and math.isnan(value)):
        return [f"{where}: missing value shown raw"]
    if isinstance(value, (bool, np.bool_)):
        return [f"{where}: boolean {value!r} shown raw"]
    if isinstance(value, (dt.date, pd.Timestamp)) and not date_format:
        return [f"{where}: date {value} shown as ISO"]
    if isinstance(value, str):
        return _words(value, where)
    return []


def _config(element) -> dict:
    import json

    return json.loads(element.proto.columns or "{}")


def _date_formats(config: dict) -> set[str]:
    """Columns whose column_config gives a Chinese date format."""
    return {name for name, c in config.items()
            if "年" in str((c.get("type_config") or {}).get("format", ""))}


def _links(config: dict) -> set[str]:
    """Link columns: the cell is an address, the reader sees the column's display text."""
    return {name for name, c in config.items() if c.get("type_config", {}).get("type") == "link"}


def sweep_app(at, where: str) -> list[str]:
    bad = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):
        for e in list(getattr(at, kind)) + list(getattr(at.sidebar, kind)):
            bad += _words(shown(e.value), f"{where} {kind}")
    for m in at.metric:
        bad += _words(shown(m.label) + " " + shown(m.value), f"{where} metric")
    for kind in ("tabs", "expander"):
        for e in at.get(kind) if kind == "expander" else at.tabs:
            bad += _words(shown(getattr(e, "label", "") or e.proto.label), f"{where} {kind}")
    for i, frame in enumerate(at.dataframe):
        df, config = frame.value, _config(frame)
        dates, links = _date_formats(config), _links(config)
        for col in df.columns:
            bad += _words(str(col), f"{where} table {i} header")
            if col in links:
                continue
            for value in df[col].head(300):
                bad += _cell(value, f"{where} table {i} column {col}", col in dates)
    for e in at.html:
        for table in lxml.html.fromstring(e.value).iter("table"):
            bad += _words(table.text_content(), f"{where} html table")
    return bad


def sweep_excel(data: bytes, where: str) -> list[str]:
    import openpyxl

    bad = []
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows(max_row=300, values_only=True):
            for value in row:
                if isinstance(value, bool):
                    bad.append(f"{where} {ws.title}: boolean {value}")
                elif isinstance(value, str):
                    bad += _words(value, f"{where} {ws.title}")
    return bad


def sweep_word(data: bytes, where: str) -> list[str]:
    import docx

    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    for section in d.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return [b for text in parts for b in _words(text, where)]


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    if not SAMPLE.exists():
        pytest.skip("sample_data/sample.db missing (make sample)")
    target = tmp_path_factory.mktemp("sweep") / "sample.db"
    shutil.copyfile(SAMPLE, target)  # signing in and downloading write
    return f"sqlite:///{target}"




def sweep_downloads(offered: dict, where: str) -> list[str]:
    """The first MAX_DOWNLOADS workbooks and every Word document (text and page layout)."""
    bad = []
    books = [(n, d) for n, d in offered.values() if n.endswith(".xlsx")][:MAX_DOWNLOADS]
    docs = [(n, d) for n, d in offered.values() if n.endswith(".docx")]
    for name, data in books + docs:
        payload = data() if callable(data) else data
        if name.endswith(".xlsx"):
            bad += sweep_excel(payload, f"{where} {name}")
        else:
            bad += sweep_word(payload, f"{where} {name}")
            bad += [f"{where} {name}: {p}" for p in layout_problems(payload)]
    return bad


def _runs():
    from rules.roles import ACCOUNT_PAGE, DATA_PAGES, IMPORT_PAGES

    out = [(p, role, None) for p in (*DATA_PAGES, *IMPORT_PAGES, ACCOUNT_PAGE)
           for role in ("province", "city")]
    out += [("accounts", "sysadmin", None), ("accounts", "secadmin", None),
            ("security", "secadmin", None), ("audit_log", "auditor", None)]
    # one record open on each page that has one (all in 苏州市, the demo city)
    out += [("enterprise", role, {"uscc": "91320505632785993J"}) for role in ("province", "city")]
    out += [("park", "city", {"park": "4"}), ("cases", "city", {"case": "11"}),
            ("experts", "province", {"expert": "1"}),
            ("consultancies", "province", {"consultancy": "1"})]
    return out


@pytest.mark.parametrize(("page", "role", "params"), _runs(),
                         ids=lambda v: "-".join(f"{k}{x}" for k, x in v.items())
                         if isinstance(v, dict) else str(v))
def test_nothing_raw_or_english(monkeypatch, sample_url, offered, page, role, params):
    at = open_page(monkeypatch, sample_url, params=params, user=role, timeout=120)
    offered.clear()  # the home page's downloads: only this page's are swept here
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    where = f"{page}/{role}"
    bad = sweep_app(at, where) + sweep_downloads(offered, where)
    key, tabs = TABS.get(page, ("", []))
    for tab in tabs if role == "province" and params is None else []:
        offered.clear()
        at.session_state[key] = tab
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        bad += sweep_app(at, f"{where}/{tab}") + sweep_downloads(offered, f"{where}/{tab}")
    assert not bad, "\n".join(dict.fromkeys(bad))


# ---- the helpers the pages use to get there (components/fmt) ----------------------------------

def test_table_shows_gaps_booleans_dates_and_shares_as_read():
    from components import fmt

    df = pd.DataFrame({"日期": [dt.date(2024, 12, 31), None], "是否": [True, False],
                       "缺": [1.0, np.nan], "小数": [0.125, None], "全": [3, 4],
                       "率": [0.875, None], "文": ["甲", None],
                       "时间": pd.to_datetime(["2026-01-05", None])})
    out = fmt.table(df, digits={"小数": 3}, percent=("率",))
    assert out["日期"].tolist() == ["2024年12月31日", "—"]
    assert out["是否"].tolist() == ["是", "否"]
    assert out["缺"].tolist() == ["1", "—"] and out["小数"].tolist() == ["0.125", "—"]
    assert out["全"].tolist() == [3, 4]  # complete numbers stay numbers (they sort)
    assert out["率"].tolist() == ["87.5%", "—"] and out["文"].tolist() == ["甲", "—"]
    assert out["时间"].tolist() == ["2026年1月5日", "—"]
    config = {"全": "number", "缺": "number"}
    assert fmt.still_numbers(config, out) == {"全": "number"}


def test_missing_values_never_read_as_text():
    from components import fmt

    for gap in (None, float("nan"), pd.NA, pd.NaT, np.nan):
        assert fmt.or_dash(gap) == "—" and fmt.num(gap, 1) == "—" and fmt.cn_date(gap) == "—"
    assert fmt.or_dash("") == "—" and fmt.or_dash("甲") == "甲"
    assert fmt.or_dash(float("nan"), "园区外") == "园区外"


def test_counts_are_whole_numbers():
    from components import fmt

    assert [fmt.digits_for(u) for u in ("家", "轮", "项", "吨", "万元")] == [0, 0, 0, 1, 1]
    assert fmt.num(173.8, fmt.digits_for("家")) == "174"
