"""Excel downloads: the one writer of every workbook the app makes (page tables, the annual
report's data, the plan-target template), with the scope and as-of date in the file.

Names in these tables come from the database. A cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return is read by a spreadsheet as a formula (OWASP, "CSV injection"): a name like
`=HYPERLINK("…外部网址…","点击")` would become a live link. So every text cell is written with
xlsxwriter's write_string (a string cell, never a formula; the automatic string-to-formula,
-URL and -number conversions are off), and those starting with one of these characters also
carry the "quote prefix" cell attribute, so that editing the cell in Excel or LibreOffice keeps
it text. Numbers are written as numbers (−1 is a number, not text); a missing value is an empty
cell. Every table gets an autofilter and a frozen header row.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import io
import math
import numbers
import re

import numpy as np
import pandas as pd
import streamlit as st

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet name
MAX_TEXT = 32_767  # Excel's limit for one cell
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
BOOL_WORDS = {True: "是", False: "否"}


def sheet_names(names) -> list[str]:
    """Valid, distinct Excel sheet names (≤ 31 characters, none of []:*?/\\)."""
    out: list[str] = []
    for name in names:
        base = _SHEET_BAD.sub("_", str(name)).strip("'") or "Sheet"
        candidate, n = base[:31], 1
        while candidate.lower() in (o.lower() for o in out):
            n += 1
            candidate = f"{base[:31 - len(str(n)) - 1]}_{n}"
        out.append(candidate)
    return out


class _Cells:
    """Writes one Python value into a cell with the right type and format."""

    def __init__(self, book):
        self.book = book
        self._formats: dict[tuple, object] = {}

    def fmt(self, style: dict | None, **extra):
        props = {**(style or {}), **extra}
        key = tuple(sorted(props.items()))
        if not props:
            return None
        if key not in self._formats:
            self._formats[key] = self.book.add_format(props)
        return self._formats[key]

    def write(self, ws, row: int, col: int, value, style: dict | None = None) -> None:
        if value is None or value is pd.NA or value is pd.NaT:
            ws.write_blank(row, col, None, self.fmt(style))
            return
        if isinstance(value, (bool, np.bool_)):
            value = BOOL_WORDS[bool(value)]
        elif isinstance(value, (numbers.Real, decimal.Decimal)):
            x = float(value)
            if math.isnan(x):
                ws.write_blank(row, col, None, self.fmt(style))
            elif math.isinf(x):
                ws.write_string(row, col, "—", self.fmt(style))
            else:
                ws.write_number(row, col, x, self.fmt(style))
            return
        elif isinstance(value, (dt.date, pd.Timestamp)):
            day = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
            if not isinstance(day, dt.datetime):
                day = dt.datetime(day.year, day.month, day.day)
            ws.write_datetime(row, col, day.replace(tzinfo=None),
                              self.fmt(style, num_format=DATE_FORMAT))
            return
        text = str(value)[:MAX_TEXT]
        if text.startswith(FORMULA_START):
            ws.write_string(row, col, text, self.fmt(style, quote_prefix=True))
        else:
            ws.write_string(row, col, text, self.fmt(style))


def _width(values: list[str]) -> float:
    longest = max((len(v) for v in values), default=0)
    return min(max(8, longest * 1.6), 50)


def excel_bytes(sheets: dict[str, pd.DataFrame], header_lines: list[str]) -> bytes:
    """One sheet per table. With `header_lines` (title, scope, as-of date) each sheet starts
    with them and a blank row; without, the table's header is row 1 (a template to fill in)."""
    import xlsxwriter  # on click only

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    cells = _Cells(book)
    bold = {"bold": True}
    head = {"bold": True, "bg_color": "#E8F1EC", "border": 1, "text_wrap": True,
            "valign": "vcenter"}
    for sheet_name, (_name, df) in zip(sheet_names(sheets), sheets.items()):
        ws = book.add_worksheet(sheet_name)
        for i, line in enumerate(header_lines):
            cells.write(ws, i, 0, line, bold if i == 0 else None)
        start = len(header_lines) + 1 if header_lines else 0
        columns = [str(c) for c in df.columns]
        for j, col in enumerate(columns):
            cells.write(ws, start, j, col, head)
        for i, row in enumerate(df.itertuples(index=False, name=None), start=start + 1):
            for j, value in enumerate(row):
                cells.write(ws, i, j, value)
        for j, col in enumerate(columns):
            sample = [str(v) for v in df.iloc[:200, j].tolist()] + [col]
            ws.set_column(j, j, _width(sample))
        if columns:
            ws.autofilter(start, 0, start + len(df), len(columns) - 1)
        ws.freeze_panes(start + 1, 0)
    book.close()
    return buf.getvalue()


def file_name(stem: str, as_of: dt.date, ext: str) -> str:
    return f"{stem}_截至{as_of:%Y%m%d}.{ext}"


def download_excel(label: str, sheets: dict[str, pd.DataFrame], stem: str, as_of: dt.date,
                   header_lines: list[str], key: str) -> None:
    st.download_button(label, data=functools.partial(excel_bytes, sheets, header_lines),
                       on_click="ignore",  # the workbook is built when the button is pressed
                       file_name=file_name(stem, as_of, "xlsx"),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=key, icon=":material/table_view:")


def template_bytes(kind, choices: dict[str, list[str]] | None = None,
                   rows: pd.DataFrame | None = None) -> bytes:
    """The Excel template of a kind of record (rules.intake.Kind): 填写说明 (every column: meaning,
    unit, allowed values, required or not, an example), the data sheet with Chinese headers
    (frozen, text columns formatted as text so a USCC or code stays text, drop-down lists for
    closed vocabularies and references), optionally pre-filled with `rows` (the jurisdiction's
    current records, columns named by the headers), and 填写示例 with one example row. The
    lists live on a hidden sheet 选项 (Excel limits an inline list to 255 characters)."""
    import xlsxwriter

    from rules import intake as ri

    choices = choices or {}
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False, "strings_to_numbers": False})
    cells = _Cells(book)
    head = {"bold": True, "bg_color": "#E8F1EC", "border": 1, "text_wrap": True,
            "valign": "vcenter"}
    text_style = {"num_format": "@"}

    notes = book.add_worksheet("填写说明")
    notes.write_string(0, 0, f"{kind.name}导入模板 · 填写说明", cells.fmt({"bold": True,
                                                                            "font_size": 14}))
    line = 1
    for text in (kind.note, *(n.format(sheet=kind.sheet) for n in ri.GENERAL_NOTES)):
        if text:
            cells.write(notes, line, 0, text)
            line += 1
    line += 1
    table = pd.DataFrame(ri.instructions(kind, choices))
    for j, name in enumerate(table.columns):
        cells.write(notes, line, j, name, head)
    for i, r in enumerate(table.itertuples(index=False, name=None), start=line + 1):
        for j, value in enumerate(r):
            cells.write(notes, i, j, value, {"text_wrap": True, "valign": "top"})
    for j, w in enumerate((20, 36, 8, 40, 16, 22)):
        notes.set_column(j, j, w)
    notes.autofilter(line, 0, line + len(table), len(table.columns) - 1)
    notes.freeze_panes(line + 1, 0)

    data = book.add_worksheet(kind.sheet)
    example = book.add_worksheet("填写示例")
    lists = book.add_worksheet("选项")
    lists.hide()
    list_col = 0
    last_row = max(1000, (0 if rows is None else len(rows)) + 1000)
    for j, col in enumerate(kind.columns):
        is_text = col.kind not in ("int", "number", "date")
        style = text_style if is_text else ({"num_format": DATE_FORMAT} if col.kind == "date"
                                            else None)
        for ws in (data, example):
            cells.write(ws, 0, j, col.header, head)
            ws.set_column(j, j, max(12, min(40, len(col.header) * 2.2)), cells.fmt(style))
        if col.example not in (None, ""):
            value = col.example
            if col.kind == "date":
                value = ri.parse_date(value)
            cells.write(example, 1, j, value, style)
        options = choices.get(col.field) or (list(col.choices) if col.choices else [])
        if options:
            cells.write(lists, 0, list_col, col.label)
            for i, option in enumerate(options, start=1):
                cells.write(lists, i, list_col, option)
            letter = xlsxwriter.utility.xl_col_to_name(list_col)
            data.data_validation(1, j, last_row, j, {
                "validate": "list", "source": f"=选项!${letter}$2:${letter}${len(options) + 1}",
                "error_type": "warning" if col.ref else "stop",
                "error_title": col.label, "error_message": f"请从下拉列表中选择{col.label}。"})
            list_col += 1
    if rows is not None:
        for i, r in enumerate(rows.itertuples(index=False, name=None), start=1):
            for j, value in enumerate(r):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                col = kind.columns[j]
                if col.kind not in ("int", "number", "date"):
                    value = str(int(value)) if isinstance(value, float) and value.is_integer() \
                        else str(value)
                cells.write(data, i, j, value, text_style if col.kind not in (
                    "int", "number", "date") else None)
    for ws in (data, example):
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, 0, len(kind.columns) - 1)
    lists.freeze_panes(1, 0)
    lists.autofilter(0, 0, 0, max(list_col - 1, 0))
    data.activate()
    book.close()
    return buf.getvalue()
