"""数据更新至 (queries/currency, components/filters): the day each city's data was last reported,
before and after an import and after its undo, on SQLite and PostgreSQL; the as-of date defaults
to the area's day when that is before today, a date in the link or picked by the user wins."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import insert, update

from components import filters
from queries import currency, intake
from queries import schema as s
from queries.db import Source, get_engine
from queries.scope import Scope
from tests.apptest import open_page, shown, texts
from tests.handmade import E2, E3
from tests.test_intake_queries import ACTOR, ent, prog

SUZHOU, PROVINCE = Scope("city", "320500"), Scope()
LOADED = dt.date(2024, 12, 20)  # app_meta as_of of the hand-built data, added here
TODAY = dt.date(2024, 12, 31)
NJ, SZ = "320100", "320500"


def with_loaded_day(url: str, day: dt.date = LOADED) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(insert(s.app_meta).values(key="as_of", value=day.isoformat()))


def days(url: str, scope: Scope = PROVINCE) -> dict[str, tuple]:
    currency.data_currency.clear()
    frame = currency.data_currency(Source(url, ""), scope)
    return {r.city_adcode: (r.reported, r.basis) for r in frame.itertuples()}


def stamp(url: str, batch_id: int, utc: dt.datetime) -> None:
    """Give an import a known time (confirm stamps the machine's)."""
    with get_engine(url).begin() as conn:
        conn.execute(update(s.import_batch).where(s.import_batch.c.batch_id == batch_id)
                     .values(created_at=utc))


def test_each_city_is_current_to_its_last_import_in_force(handmade_url):
    with_loaded_day(handmade_url)
    assert days(handmade_url) == {NJ: (LOADED, "数据库载入"), SZ: (LOADED, "数据库载入")}
    # 苏州 imports its list (a change of one name): 苏州 is current to that day, Beijing time
    city = intake.confirm(Source(handmade_url, ""), SUZHOU, "enterprises",
                          ent([E3, "苏州丙电镀有限公司（更名）"]), "名录.xlsx", ACTOR, today=TODAY)
    assert city.ok, city.message
    stamp(handmade_url, city.batch_id, dt.datetime(2025, 1, 5, 17, 0))  # 2025-01-06 01:00 北京
    assert days(handmade_url) == {NJ: (LOADED, "数据库载入"),
                                  SZ: (dt.date(2025, 1, 6), "导入")}
    # the province imports progress of one 南京 round: 南京 only (round -> enterprise -> city)
    prov = intake.confirm(Source(handmade_url, ""), PROVINCE, "progress",
                          prog([E2, 1, None, None, None, "2024-02-20"]), "进度.xlsx", ACTOR,
                          today=TODAY)
    assert prov.ok, prov.message
    stamp(handmade_url, prov.batch_id, dt.datetime(2025, 1, 8, 2, 0))
    assert days(handmade_url) == {NJ: (dt.date(2025, 1, 8), "导入"),
                                  SZ: (dt.date(2025, 1, 6), "导入")}
    # a city account sees its own city only
    assert days(handmade_url, SUZHOU) == {SZ: (dt.date(2025, 1, 6), "导入")}
    # undone, the province's import no longer counts: 南京 is back to the loaded data's day
    assert intake.undo(Source(handmade_url, ""), PROVINCE, prov.batch_id, ACTOR).ok
    assert days(handmade_url) == {NJ: (LOADED, "数据库载入"),
                                  SZ: (dt.date(2025, 1, 6), "导入")}
    assert intake.undo(Source(handmade_url, ""), SUZHOU, city.batch_id, ACTOR).ok
    assert days(handmade_url)[SZ] == (LOADED, "数据库载入")


def test_a_province_import_of_enterprises_covers_the_cities_it_wrote(handmade_url):
    out = intake.confirm(Source(handmade_url, ""), PROVINCE, "enterprises",
                         ent([E3, None, None, None, None, None, None, "中型"]), "x.xlsx",
                         ACTOR, today=TODAY)
    assert out.ok, out.message
    stamp(handmade_url, out.batch_id, dt.datetime(2025, 2, 1, 3, 0))
    # no loaded day (a database the generator did not write): unknown until reported
    assert days(handmade_url) == {NJ: (None, ""), SZ: (dt.date(2025, 2, 1), "导入")}


# ---- the as-of default (components/filters, pure) ----------------------------------------------

CURRENCY = pd.DataFrame([(NJ, "南京市", dt.date(2024, 11, 30), "导入"),
                         (SZ, "苏州市", dt.date(2024, 12, 20), "数据库载入")],
                        columns=currency.COLUMNS)
CHOICES = {"cities": pd.DataFrame({"adcode": [NJ, SZ], "name": ["南京市", "苏州市"]}),
           "industries": pd.DataFrame({"code": [], "name": []}),
           "parks": pd.DataFrame({"park_id": [], "name": [], "city_adcode": []}),
           "years": pd.DataFrame({"year": []}),
           "periods": pd.DataFrame({"period_id": [], "name": [], "start_year": [],
                                    "end_year": []})}


def test_the_area_is_as_current_as_its_oldest_city():
    both = filters.area_currency(CURRENCY, [])
    assert both == filters.Currency(dt.date(2024, 11, 30), "南京市")
    assert both.line() == "数据更新至 2024年11月30日（南京市最早，各市不同）"
    assert filters.area_currency(CURRENCY, [SZ]) == filters.Currency(dt.date(2024, 12, 20))
    assert filters.area_currency(CURRENCY, [SZ]).line() == "数据更新至 2024年12月20日"
    assert filters.area_currency(None, []).line() == ""


def test_the_default_as_of_is_the_data_day_when_older_than_today():
    bounds = filters.ASOF_DEFAULT_RANGE
    assert filters.default_asof(TODAY, bounds, dt.date(2024, 11, 30)) == dt.date(2024, 11, 30)
    assert filters.default_asof(TODAY, bounds, dt.date(2025, 3, 1)) == TODAY  # never later
    assert filters.default_asof(TODAY, bounds, None) == TODAY
    v = filters.parse_params({}, CHOICES, TODAY, bounds, CURRENCY).values
    assert v["f_asof"] == v["f_asof_auto"] == dt.date(2024, 11, 30)
    v = filters.parse_params({"city": SZ}, CHOICES, TODAY, bounds, CURRENCY).values
    assert v["f_asof"] == dt.date(2024, 12, 20)  # the linked city's own day
    v = filters.parse_params({"asof": "2024-12-31"}, CHOICES, TODAY, bounds, CURRENCY).values
    assert v["f_asof"] == TODAY and v["f_asof_auto"] is None  # the link's date wins
    bad = filters.parse_params({"asof": "昨天"}, CHOICES, TODAY, bounds, CURRENCY)
    assert bad.values["f_asof"] == dt.date(2024, 11, 30)
    assert "已改为数据更新日 2024年11月30日" in bad.warnings[0]
    # the default is left out of links, an explicit date is kept
    assert filters.to_params({"f_asof": dt.date(2024, 11, 30)}, dt.date(2024, 11, 30)) == {}


# ---- in the app --------------------------------------------------------------------------------

def test_sidebar_says_how_current_and_the_as_of_follows(monkeypatch, handmade_sqlite):
    with_loaded_day(handmade_sqlite, dt.date(2024, 12, 20))
    today = dt.date.today()
    at = open_page(monkeypatch, handmade_sqlite, "pages/data_status.py")
    assert at.session_state["f_asof"] == dt.date(2024, 12, 20)
    words = texts(at)
    assert "数据更新至 2024年12月20日；截至日期默认取此日" in words
    assert f"今天是 {today.year}年{today.month}月{today.day}日" in words
    assert "asof" not in at.query_params  # the default is not written into the link
    # a date the user picks wins, and goes into the link
    at.date_input(key="f_asof").set_value(dt.date(2024, 6, 30)).run()
    assert at.session_state["f_asof"] == dt.date(2024, 6, 30)
    assert at.query_params["asof"] == "2024-06-30"
    at.switch_page("pages/overview.py").run()
    assert at.session_state["f_asof"] == dt.date(2024, 6, 30)


def test_a_date_in_the_link_wins(monkeypatch, handmade_sqlite):
    with_loaded_day(handmade_sqlite, dt.date(2024, 12, 20))
    at = open_page(monkeypatch, handmade_sqlite, "pages/data_status.py", {"asof": "2024-12-31"})
    assert at.session_state["f_asof"] == dt.date(2024, 12, 31)
    assert "截至日期默认取此日" not in texts(at)
    assert "数据更新至 2024年12月20日" in shown(texts(at))


def test_the_default_follows_the_chosen_cities(monkeypatch, handmade_sqlite):
    with_loaded_day(handmade_sqlite, dt.date(2024, 12, 20))
    city = intake.confirm(Source(handmade_sqlite, ""), SUZHOU, "enterprises",
                          ent([E3, "苏州丙电镀有限公司（更名）"]), "名录.xlsx", ACTOR, today=TODAY)
    stamp(handmade_sqlite, city.batch_id, dt.datetime(2025, 1, 6, 1, 0))
    at = open_page(monkeypatch, handmade_sqlite, "pages/data_status.py")
    assert at.session_state["f_asof"] == dt.date(2024, 12, 20)  # 南京 is the oldest
    assert "数据更新至 2024年12月20日（南京市最早，各市不同）" in texts(at)
    at.multiselect(key="f_city").set_value([SZ]).run()
    assert at.session_state["f_asof"] == dt.date(2025, 1, 6)
    assert "数据更新至 2025年1月6日；" in texts(at)
