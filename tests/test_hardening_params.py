"""URL parameters (issue: hardening, item 3): every parameter of every page accepts any string.
A bad value gets a short Chinese message (the value shortened and shown as text) and the
default; the as-of date is limited to the supported range (ASOF_MIN / ASOF_MAX).

First the exact links that crashed the pages (Streamlit's error box) or echoed markup and 10 kB
values, then property-based tests (hypothesis): the pure parser with many examples, every page
under AppTest with a few.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import filters, safe
from queries import enterprise as en
from tests import handmade as hm
from tests.apptest import open_page, shown

PAGES = ["pages/overview.py", "pages/map.py", "pages/supervision.py", "pages/enterprise.py",
         "pages/plan.py", "pages/parks.py", "pages/park.py", "pages/data_status.py"]
PARAMS = ["city", "industry", "park", "time", "asof", "uscc"]  # every st.query_params key read
LINK = "[点此](http://evil.example)"
TEN_KB = "x" * 10_240
LONGEST_MESSAGE = 200  # characters of one warning as shown

CHOICES = {
    "cities": pd.DataFrame({"adcode": ["320100", "320500"], "name": ["南京市", "苏州市"]}),
    "industries": pd.DataFrame({"code": ["C26", "C33"], "name": ["化工", "电镀"]}),
    "parks": pd.DataFrame({"park_id": [1, 2], "name": ["甲园", "乙园"],
                           "city_adcode": ["320100", "320500"]}),
    "years": pd.DataFrame({"year": [2023, 2024]}),
    "periods": pd.DataFrame({"period_id": [1], "name": ["2024—2025年实施方案"],
                             "start_year": [2024], "end_year": [2025]}),
}
TODAY = dt.date(2024, 12, 31)
BOUNDS = filters.ASOF_DEFAULT_RANGE


def _messages(at) -> list[str]:
    return [w.value for w in at.sidebar.warning] + [e.value for e in at.error]


def _check_page(at, where: str) -> None:
    assert not at.exception, (where, [e.value for e in at.exception])
    assert at.title, where  # the page itself was drawn
    for message in _messages(at):
        assert len(shown(message)) <= LONGEST_MESSAGE, (where, message[:80])
        assert LINK not in message and "](http" not in message, (where, message)


# ---- the exact links of the issue -----------------------------------------------------------

@pytest.mark.parametrize("params, page, words", [
    ({"park": "²"}, "pages/park.py", "园区编号"),
    ({"park": "9" * 10_000}, "pages/park.py", "园区编号"),
    ({"park": "9" * 20}, "pages/park.py", "园区编号"),
    ({"asof": "9999-12-31"}, "pages/data_status.py", "超出支持范围"),
    ({"asof": "2300-01-01"}, "pages/plan.py", "超出支持范围"),
    ({"asof": "0001-01-01"}, "pages/overview.py", "超出支持范围"),
    ({"city": LINK}, "pages/overview.py", "城市代码"),
    ({"city": TEN_KB}, "pages/supervision.py", "城市代码"),
    ({"industry": TEN_KB, "time": TEN_KB}, "pages/parks.py", "行业代码"),
    ({"uscc": TEN_KB}, "pages/enterprise.py", "统一社会信用代码"),
])
def test_the_links_that_crashed_get_a_message_and_the_default(monkeypatch, handmade_sqlite,
                                                               params, page, words):
    at = open_page(monkeypatch, handmade_sqlite, page, params)
    _check_page(at, str(params)[:40])
    messages = _messages(at)
    assert any(words in m for m in messages), messages
    assert at.session_state["f_asof"] == dt.date.today()  # the default as-of date
    assert at.session_state["f_city"] == [] and at.session_state["f_park"] == []


def test_a_markdown_link_in_the_url_is_shown_as_text(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/overview.py", {"city": LINK})
    warning = at.sidebar.warning[0].value
    assert safe.text(LINK) in warning
    assert shown(warning) == f"链接中的城市代码 “{LINK}” 不存在或不在您的权限范围内，已忽略。"


def test_ten_kilobytes_are_echoed_as_forty_characters(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/park.py", {"park": "9" * 10_000})
    for message in _messages(at):
        assert "9" * 41 not in message and "9" * 40 + "…" in message


def test_a_park_id_outside_the_database_range_is_not_sent_to_sql(monkeypatch, handmade_sqlite):
    # 20 digits passed isdigit() and crashed SQLite ("Python int too large"); 9 digits that
    # are not a park are a plain "not found"
    at = open_page(monkeypatch, handmade_sqlite, "pages/park.py", {"park": "123456789"})
    _check_page(at, "park 123456789")
    assert "未找到编号为 123456789 的园区" in shown(at.error[0].value)


@pytest.mark.parametrize("asof, kept", [("2000-01-01", True), ("2099-12-31", True),
                                        ("1999-12-31", False), ("2100-01-01", False)])
def test_as_of_range_boundaries(asof, kept):
    parsed = filters.parse_params({"asof": asof}, CHOICES, TODAY, BOUNDS)
    assert (parsed.values["f_asof"] == dt.date.fromisoformat(asof)) is kept
    assert bool(parsed.warnings) is not kept


def test_as_of_range_is_configurable(monkeypatch, handmade_sqlite):
    env = {"ASOF_MIN": "2020-01-01", "ASOF_MAX": "2030-12-31"}
    assert filters.asof_range(env) == (dt.date(2020, 1, 1), dt.date(2030, 12, 31))
    assert filters.asof_range_problem(env) is None
    bad = {"ASOF_MIN": "去年", "ASOF_MAX": "2030-12-31"}
    assert filters.asof_range(bad) == (dt.date(2000, 1, 1), dt.date(2030, 12, 31))
    assert "ASOF_MIN" in filters.asof_range_problem(bad)
    assert filters.asof_range({"ASOF_MIN": "2031-01-01", "ASOF_MAX": "2030-12-31"}) == BOUNDS
    assert filters.asof_range({"ASOF_MAX": "9999-12-31"}) == BOUNDS  # never past 2999
    monkeypatch.setenv("ASOF_MIN", "2024-01-01")
    monkeypatch.setenv("ASOF_MAX", "2024-12-31")
    at = open_page(monkeypatch, handmade_sqlite, "pages/data_status.py", {"asof": "2023-06-30"})
    assert "超出支持范围（2024年1月1日至2024年12月31日）" in shown(at.sidebar.warning[0].value)
    date_input = at.date_input(key="f_asof")
    assert (date_input.min, date_input.max) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert at.session_state["f_asof"] == filters.default_asof(dt.date.today(), (
        dt.date(2024, 1, 1), dt.date(2024, 12, 31)))


def test_links_to_other_pages_carry_only_the_shared_filters():
    params = {"city": "320100", "asof": "2024-12-31", "junk": TEN_KB, "uscc": "x"}
    assert filters.link_params(params) == {"city": "320100", "asof": "2024-12-31"}
    from components.park_charts import park_link

    assert park_link(params, 2) == "park?city=320100&asof=2024-12-31&park=2"


# ---- property-based: the pure parsers -------------------------------------------------------

SPECIAL = ["²", "٣", "9" * 10_000, "9" * 20, "9999-12-31", "2300-01-01", "0001-01-01", LINK,
           TEN_KB, "", ",", " ", "320100,", "320100,320100", "y2024", "p1", "p999", "2024-02-30",
           "-1", "0", "007", "1e3", "1_000", "NaN", "None", "<b>x</b>", "**粗**", "$$x$$", "\x00"]
any_text = st.one_of(st.sampled_from(SPECIAL),
                     st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
                     st.text("0123456789-,py ", max_size=24),
                     st.lists(st.sampled_from(["320100", "320500", "C26", "1", "2", "x"]),
                              max_size=4).map(",".join))
any_params = st.dictionaries(st.sampled_from(PARAMS + ["junk"]), any_text, max_size=6)


@settings(max_examples=400, deadline=None)
@given(params=any_params)
def test_any_link_parses_to_allowed_values_and_short_text_warnings(params):
    parsed = filters.parse_params(params, CHOICES, TODAY, BOUNDS)
    v = parsed.values
    assert set(v["f_city"]) <= {"320100", "320500"} and len(set(v["f_city"])) == len(v["f_city"])
    assert set(v["f_industry"]) <= {"C26", "C33"}
    assert set(v["f_park"]) <= {1, 2} and all(isinstance(p, int) for p in v["f_park"])
    assert v["f_time"] in filters.time_options([2023, 2024], CHOICES["periods"])
    assert BOUNDS[0] <= v["f_asof"] <= BOUNDS[1]
    for w in parsed.warnings:
        assert len(shown(w)) <= LONGEST_MESSAGE
        assert "\n" not in w
    for name, label, allowed in (("city", "城市代码", {"320100", "320500"}),
                                 ("industry", "行业代码", {"C26", "C33"}),
                                 ("park", "园区编号", {"1", "2"})):
        raw = [x.strip() for x in str(params.get(name, "")).split(",") if x.strip()]
        bad = [x for x in dict.fromkeys(raw) if x not in allowed]
        said = [w for w in parsed.warnings if label in w]
        assert bool(said) == bool(bad)
        for x in bad[:filters.LISTED_BAD]:  # named shortened and as text
            assert safe.short(x) in said[0]
    # the link the app writes back parses to the same view, without a warning
    again = filters.parse_params(filters.to_params(v, TODAY), CHOICES, TODAY, BOUNDS)
    assert again.values == v and again.warnings == ()


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_park_ids_and_uscc_links_accept_any_string(text):
    pid = filters.park_id_of(text)
    assert pid is None or (1 <= pid <= 999_999_999 and str(pid) == text.strip())
    problem = en.link_problem(text)
    if problem is not None:
        assert len(problem) <= LONGEST_MESSAGE
    assert len(safe.short(text)) <= 41 * 2 + 3 * 41  # escapes and joiners only


# ---- property-based: every page with AppTest -------------------------------------------------

page_params = st.dictionaries(st.sampled_from(PARAMS), any_text, min_size=1, max_size=4)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_takes_any_link(handmade_sqlite, page):
    @settings(max_examples=3, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(params=page_params)
    def run(params):
        with pytest.MonkeyPatch.context() as mp:
            at = open_page(mp, handmade_sqlite, page, params)
            _check_page(at, f"{page} {str(params)[:60]}")

    run()
    # and the page's own parameter, always present
    own = {"pages/park.py": {"park": "1"}, "pages/enterprise.py": {"uscc": hm.E1}}.get(page, {})
    with pytest.MonkeyPatch.context() as mp:
        _check_page(open_page(mp, handmade_sqlite, page, own | {"asof": "2024-12-31"}), page)
