"""Run the real app (app.py, the frame) under AppTest on a given database and page."""

from __future__ import annotations

import re

import lxml.html
import pandas as pd
from streamlit.testing.v1 import AppTest

from components import safe
from tests.browser import ROOT


def open_page(monkeypatch, database_url: str, page: str | None = None,
              params: dict[str, str] | None = None, timeout: float = 60) -> AppTest:
    """Start app.py against `database_url`, optionally with URL parameters, and switch to
    `page` (a path like "pages/overview.py"). Fails the test on any uncaught exception."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """What a reader sees of text that components.safe made literal: without its backslash
    escapes and invisible word joiners (tests of the escaping itself read the source)."""
    return _ESCAPED.sub(r"\1", str(markdown)).replace(safe.WJ, "")


def metrics(at: AppTest) -> dict[str, str]:
    return {shown(m.label): shown(m.value) for m in at.metric}


def texts(at: AppTest) -> str:
    """All markdown, caption, info, warning and error text on the page as a reader sees it
    (see `shown`), for searching."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                 "header", "subheader"):
        parts.extend(shown(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def html_tables(at: AppTest) -> dict[str, pd.DataFrame]:
    """Tables drawn by components/html_table, by the name given to `show`: the text as shown
    (formatted numbers are strings), the header row as columns."""
    out = {}
    for element in at.html:
        for table in lxml.html.fromstring(element.value).iter("table"):
            rows = [[c.text_content().strip() for c in tr] for tr in table.iter("tr")]
            out[table.get("id", "").removeprefix("T_")] = pd.DataFrame(rows[1:], columns=rows[0])
    return out
