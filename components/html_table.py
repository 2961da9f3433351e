"""Small read-only tables drawn as plain HTML (st.html) instead of st.dataframe / st.table.

Why: the overview's first screen is what ten officials open at once before a meeting. There,
st.dataframe loads and draws a canvas grid per table and st.table renders every cell through the
markdown renderer; on two cores that was about a fifth of the browser's work for the page (ten
tabs: 9.0–9.8 s → 7.4–8.0 s with these tables as HTML). A table of a few rows needs neither
sorting nor search, and the page's Excel download carries the same tables.

`to_html` is pure (Styler or DataFrame in, HTML string out); `show` draws it.
"""

from __future__ import annotations

import copy

import pandas as pd
import streamlit as st
from pandas.api.types import is_numeric_dtype
from pandas.io.formats.style import Styler

# Streamlit's light theme: its text colour, grey headings and hairline borders; the app's font
# is inherited (st.html is not an iframe).
CSS = """
.cpa-table { width: 100%; border-collapse: collapse; font-size: 0.875rem; line-height: 1.5;
             color: rgb(49, 51, 63); margin-bottom: 0.5rem; }
/* Headings may wrap: the registry's names say what is counted (每百家列入企业累计完成审核) and
   are longer than the figures under them. */
.cpa-table th { font-weight: 600; color: rgba(49, 51, 63, 0.75); text-align: left;
                background: rgba(240, 242, 246, 0.6); white-space: normal; }
.cpa-table th, .cpa-table td { border-bottom: 1px solid rgba(49, 51, 63, 0.1);
                               padding: 0.3rem 0.5rem; vertical-align: middle; }
/* Only the first column may wrap (the plan's and achievements' row labels); figures, units,
   statuses and names stay on one line. */
.cpa-table td { white-space: nowrap; }
.cpa-table td.col0 { white-space: normal; }
.cpa-table .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
"""


def to_html(table: Styler | pd.DataFrame, name: str) -> str:
    """The table as HTML with the shared look: no index, numeric columns (and their headings)
    right-aligned, text cells escaped. `name` makes the element ids unique on the page (bars are
    styled by id). A builder's Styler formats numeric columns only: text columns get the escape
    formatter here, which replaces any other. The caller's Styler is left as it was."""
    styler = copy.deepcopy(table) if isinstance(table, Styler) else table.style
    data = styler.data
    numeric = [i for i, c in enumerate(data.columns) if is_numeric_dtype(data[c])]
    text = [c for i, c in enumerate(data.columns) if i not in numeric]
    classes = pd.DataFrame([["num" if i in numeric else "" for i in range(data.shape[1])]]
                           * len(data), index=data.index, columns=data.columns)
    # Names come from the database (cities, enterprises): shown as text, never as markup.
    styler = (styler.format(escape="html", na_rep="—", subset=text)
              .format_index(escape="html", axis=1)
              .hide(axis="index").set_uuid(name).set_td_classes(classes)
              .set_table_styles([{"selector": f"th.col{i}", "props": "text-align: right;"}
                                 for i in numeric], overwrite=False))
    return f"<style>{CSS}</style>" + styler.to_html(table_attributes='class="cpa-table"')


def show(table: Styler | pd.DataFrame, name: str) -> None:
    st.html(to_html(table, name))
