"""The frame and the data status page (pages/data_status.py) on the hand-built database."""

from __future__ import annotations

import datetime as dt

from components.fmt import cn_date
from tests.apptest import metrics, open_page, texts

DATA_PAGE = "pages/data_status.py"  # the default page is the overview (pages/overview.py)



def test_data_status_known_counts(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/data_status.py")
    m = metrics(at)
    assert m["列入审核企业（家）"] == "4"  # E5 is never listed
    assert m["列入审核轮次（轮）"] == "5"
    assert m["审核方案（项）"] == "4"
    assert m["排污许可证/登记（份）"] == "5"
    assert m["工业园区（个）"] == "1"
    assert m["处罚记录（条）"] == "1"
    batches = at.dataframe[0].value
    assert list(batches["列入企业（家）"]) == [3, 2]


def test_city_filter_from_link_and_back_to_url(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, DATA_PAGE, params={"city": "320100"})
    assert metrics(at)["列入审核企业（家）"] == "2"
    assert at.sidebar.multiselect[0].value == ["320100"]
    in_force = [c.value for c in at.sidebar.caption if "全部行业" in c.value]
    assert in_force == ["南京市 · 全部行业 · 全部园区（含园区外） · 全部年份  \n"
                        f"数据截至 {cn_date(dt.date.today())}"]
    at.sidebar.multiselect[0].set_value(["320500"]).run()
    assert metrics(at)["列入审核企业（家）"] == "2"  # E3, E4 (E5 never listed)
    assert at.query_params["city"] in ("320500", ["320500"])
    assert any(c.value.startswith("苏州市 · 全部行业") for c in at.sidebar.caption)


def test_listing_year_filter(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, DATA_PAGE, params={"time": "y2024"})
    assert metrics(at)["列入审核轮次（轮）"] == "2"


def test_bad_link_values_are_ignored_with_a_message(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, DATA_PAGE,
                   params={"city": "999999", "asof": "yesterday", "time": "y1990"})
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "999999" in warnings and "yesterday" in warnings and "y1990" in warnings
    assert metrics(at)["列入审核企业（家）"] == "4"


def test_footer_names_the_database_and_the_as_of_date(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, params={"asof": "2024-06-30"})
    body = texts(at)
    footer = [c.value for c in at.caption if c.value.startswith("数据来源")]
    # dates written as on every page and in the sidebar: 2024年6月30日, not 2024年06月30日
    assert footer and footer[0].startswith("数据来源：SQLite handmade.db · 数据截至 2024年6月30日")
    assert "样例数据" not in body  # the hand-built database is not marked as sample


def test_unreadable_database_gets_a_chinese_message(monkeypatch, tmp_path):
    at = open_page(monkeypatch, f"sqlite:///{tmp_path / 'missing.db'}")
    assert "审核数据库暂时无法连接" in at.error[0].value
