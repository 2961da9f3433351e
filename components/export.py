"""Excel downloads of the tables behind a page, with the scope and as-of date in the file."""

from __future__ import annotations

import datetime as dt
import functools
import io

import pandas as pd
import streamlit as st


def excel_bytes(sheets: dict[str, pd.DataFrame], header_lines: list[str]) -> bytes:
    """One sheet per table; each starts with `header_lines` (title, scope, as-of date)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as writer:
        book = writer.book
        bold = book.add_format({"bold": True})
        head = book.add_format({"bold": True, "bg_color": "#E8F1EC", "border": 1,
                                "text_wrap": True, "valign": "vcenter"})
        for name, df in sheets.items():
            sheet_name = name[:31]
            start = len(header_lines) + 1
            df.to_excel(writer, sheet_name=sheet_name, startrow=start, index=False)
            ws = writer.sheets[sheet_name]
            for i, line in enumerate(header_lines):
                ws.write(i, 0, line, bold if i == 0 else None)
            for j, col in enumerate(df.columns):
                ws.write(start, j, str(col), head)
                values = [str(v) for v in df[col].head(200).tolist()] + [str(col)]
                width = max(len(v) for v in values)
                ws.set_column(j, j, min(max(8, width * 1.6), 50))
            ws.freeze_panes(start + 1, 0)
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
