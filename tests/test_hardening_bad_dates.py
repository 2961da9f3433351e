"""A date column holding text that is no date (a SQLite file edited by hand, e.g. 2023年8月16日):
every page still opens, the value reads as no date, and 数据质量 lists it as a data problem."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from queries import quality
from queries import schema as s
from queries.db import get_engine
from queries.scope import Filters, Scope
from rules.identifiers import make_permit_no
from rules.roles import DATA_PAGES
from tests.apptest import open_page, texts
from tests.handmade import E3, E4

AS_OF = {"asof": "2024-12-31"}


@pytest.fixture
def spoiled(handmade_sqlite):
    """The hand-built database with three date cells spoiled as a hand edit would: E4's start
    date, the issue date of E3's second permit and E3's penalty decision date."""
    with get_engine(handmade_sqlite).begin() as conn:
        conn.execute(text("UPDATE audit_round SET start_date = '2023年8月16日' "
                          "WHERE uscc = :u AND round_no = 1"), {"u": E4})
        conn.execute(text("UPDATE permit SET issue_date = '2020/5/6' WHERE permit_no = :p"),
                     {"p": make_permit_no(E3, 2)})  # E3 holds two permits: one spoiled
        conn.execute(text("UPDATE penalty SET decision_date = '三月十日' WHERE uscc = :u"),
                     {"u": E3})
    return handmade_sqlite


def test_a_spoiled_cell_reads_as_no_date_and_a_good_one_as_its_date(spoiled):
    a = s.audit_round
    with get_engine(spoiled).connect() as conn:
        rows = dict(conn.execute(select(a.c.uscc, a.c.start_date).where(a.c.round_no == 1)).all())
    assert rows[E4] is None
    assert all(isinstance(v, dt.date) for u, v in rows.items() if u != E4 and v is not None)
    assert any(v is not None for v in rows.values())


def test_data_quality_names_each_spoiled_cell(spoiled):
    found = quality.bad_dates(get_engine(spoiled), Scope(), Filters())
    assert sorted(u for u, _ in found) == sorted([E4, E3, E3])
    details = "\n".join(d for _, d in found)
    assert "第 1 轮审核的启动审核日期为「2023年8月16日」" in details
    assert "发证日期为「2020/5/6」" in details and "处罚决定日期为「三月十日」" in details
    # the city sees only its own: 苏州 holds E3 and E4, 南京 none of them
    assert len(quality.bad_dates(get_engine(spoiled), Scope("city", "320500"), Filters())) == 3
    assert quality.bad_dates(get_engine(spoiled), Scope("city", "320100"), Filters()) == []


def test_every_page_still_opens(spoiled, monkeypatch):
    for page in DATA_PAGES:
        params = dict(AS_OF, **({"uscc": E4} if page == "enterprise" else {}))
        open_page(monkeypatch, spoiled, f"pages/{page}.py", params)  # fails on any exception


def test_the_quality_page_lists_them(spoiled, monkeypatch):
    at = open_page(monkeypatch, spoiled, "pages/data_quality.py", AS_OF)
    shown = texts(at) + "\n".join(str(d.value.to_csv()) for d in at.dataframe)
    assert quality.BAD_DATE in shown and "2023年8月16日" in shown
    # the wide list keeps the enterprise's name in view when scrolled sideways
    pinned = {name for d in at.dataframe
              for name, c in json.loads(d.proto.columns).items() if c.get("pinned")}
    assert "企业名称" in pinned
