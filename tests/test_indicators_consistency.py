"""One number, one meaning (issue 19): the same indicator is equal wherever it is shown, each
name stands for one definition, and every page respects the as-of date and names the area shown.

On the sample database (query level, several as-of dates and scopes: a past year end, a date
inside a year; the province, one city as a filter and as a jurisdiction, one industry) and on
the hand-built databases (pages under AppTest, exact numbers)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from components import annual_report
from queries import geo, inventory, parks, plan
from queries import overview as ov
from queries.db import Source
from queries.meta import read_meta
from queries.scope import Filters, Scope
from rules import indicators as ind
from rules.clock import ClockRules
from tests.apptest import metrics, open_page, shown

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "sample.db"
CLOCK = ClockRules()
SUZHOU = "320500"
DATES = (dt.date(2022, 12, 31), dt.date(2025, 6, 30))
VIEWS = {  # (scope, filters without the date)
    "province": (Scope(), Filters()),
    "suzhou-filter": (Scope(), Filters(cities=(SUZHOU,))),
    "suzhou-official": (Scope("city", SUZHOU), Filters()),
    "chemicals": (Scope(), Filters(industries=("chem",))),
}


@pytest.fixture(scope="module")
def sample() -> Source:
    if not SAMPLE.exists():
        pytest.skip("sample_data/sample.db missing (make sample)")
    url = f"sqlite:///{SAMPLE}"
    return Source(url, read_meta(url).get("data_version", ""))


@pytest.fixture(autouse=True)
def clear_caches():  # module-wide sample reads stay cached: they never change
    yield


CASES = [(v, d) for v in VIEWS for d in DATES]


def _view(name: str, as_of: dt.date) -> tuple[Scope, Filters]:
    scope, f = VIEWS[name]
    return scope, dataclasses.replace(f, as_of=as_of)


def _kpis(src, scope, f) -> dict:
    return ov.kpis(src, scope, f, CLOCK).set_index("key")["value"].to_dict()


# ---- 本年到期审核 vs 当年完成审核: two names, each equal wherever it appears -------------------

@pytest.mark.parametrize(("view", "as_of"), CASES)
def test_done_this_year_is_one_number_on_overview_plan_and_report(sample, view, as_of):
    scope, f = _view(view, as_of)
    progress = ov.plan_progress(sample, scope, f, CLOCK)
    actuals = plan.yearly_actuals(sample, scope, f, CLOCK, as_of.year, as_of.year)
    done_in_year = actuals["completed"].sum()
    if not progress["table"].empty:
        row = progress["table"].set_index("figure").loc["audits_completed"]
        assert row["已完成"] == done_in_year
        assert row["指标"] == ind.name("completed_in_year")
    # the KPI "due this year" and its done part have their own names, not 完成审核
    k = ov.kpis(sample, scope, f, CLOCK).set_index("key")
    assert k.at["due", "label"] == ind.name("due_rounds")
    assert k.at["due_completed", "label"] == ind.name("due_rounds_done")
    assert ind.name("due_rounds_done") != ind.name("completed_in_year")


def test_plan_figures_count_rounds_in_the_unit_of_the_overview():
    """The plan page counted 完成审核 in 家 where the overview counts 轮 (the same rounds)."""
    ids = {"audits_completed": "completed_in_year", "evaluations_passed": "eval_passed_in_year",
           "acceptances": "accepted_in_year", "audits_listed": "listed_in_year"}
    for metric, (_col, _name, unit, _whole) in plan.METRICS.items():
        if metric in ids:
            assert unit == ind.unit(ids[metric]) == "轮", metric
    assert all(not h.endswith("（家）") or "企业" in h for _k, h in annual_report.PROGRESS)


# ---- the league and the plan page: two rankings, two names ------------------------------------

def test_league_and_plan_completion_have_different_names():
    """南通 was last in the overview's league and first on the plan page's 各市完成率: two
    different figures, now two names (and neither is plain 完成率)."""
    from components.briefing import league_table
    from components.overview_charts import LEAGUE_HEADINGS

    assert LEAGUE_HEADINGS["每百家完成"] == ind.label("completed_per_100")
    assert LEAGUE_HEADINGS["已完成审核"] == ind.label("completed_total")
    league = pd.DataFrame({"排名": [1], "地区": ["南通市"], "列入企业": [2], "已完成审核": [1],
                           "每百家完成": [50.0], "逾期企业": [0], "每百家逾期": [0.0],
                           "评估未通过": [0], "adcode": ["320600"]})
    assert ind.label("completed_per_100") in league_table(league, "城市").columns
    assert ind.name("period_target_rate") != ind.name("completed_per_100")
    assert "完成率" not in ind.name("completed_per_100")


# ---- the map's tooltip and the overview's league ---------------------------------------------

@pytest.mark.parametrize(("view", "as_of"), CASES)
def test_map_regions_equal_the_league(sample, view, as_of):
    scope, f = _view(view, as_of)
    league = ov.league(sample, scope, f, CLOCK).set_index("adcode")
    level = ov.league_level(scope, f)
    regions = geo.region_metrics(sample, scope, f, CLOCK, level).set_index("adcode")
    assert set(regions.index) == set(league.index)
    for code in league.index:
        assert regions.at[code, "enterprises"] == league.at[code, "列入企业"], code
        assert regions.at[code, "completed_rounds"] == league.at[code, "已完成审核"], code
        assert regions.at[code, "overdue"] == league.at[code, "逾期企业"], code


# ---- 审核进度与督办 and the overview ----------------------------------------------------------

@pytest.mark.parametrize(("view", "as_of"), CASES)
def test_supervision_kpis_equal_the_overview(sample, view, as_of):
    from queries import supervision as sv

    scope, f = _view(view, as_of)
    rounds = sv.status(sample, scope, f, CLOCK, sv.PageFilters())
    numbers = sv.kpis(rounds, rounds.iloc[:0])
    k = _kpis(sample, scope, f)
    assert numbers[ind.name("rounds")] == k["rounds"]
    late = rounds[sv._live_overdue(rounds)]
    assert late["uscc"].nunique() == k["overdue"]  # 逾期轮次 belong to the 逾期企业
    assert numbers[ind.name("overdue_rounds")] >= k["overdue"]


# ---- 数据概况 follows the as-of date and the listing year like every page --------------------

@pytest.mark.parametrize(("view", "as_of"), CASES)
@pytest.mark.parametrize("years", [(), (2023,)])
def test_data_status_counts_equal_the_overview(sample, view, as_of, years):
    scope, f = _view(view, as_of)
    f = dataclasses.replace(f, listing_years=years)
    counts = inventory.record_counts(sample, scope, f).set_index("类别")["记录数"]
    k = _kpis(sample, scope, f)
    assert counts[ind.name("listed_enterprises")] == k["listed"]
    assert counts[ind.name("rounds")] == k["rounds"]
    batches = inventory.batches(sample, scope, f, CLOCK)
    assert (pd.to_datetime(batches["名单公布日期"]).dt.date <= as_of).all()


def test_an_empty_year_still_makes_a_report(sample):
    """An industry filter that matches nothing: the year's actuals are empty, the report is not
    a crash."""
    f = Filters(industries=("no-such-industry",), as_of=dt.date(2025, 12, 31))
    actuals = plan.yearly_actuals(sample, Scope(), f, CLOCK, 2025, 2025)
    assert actuals.empty and actuals["city_adcode"].dtype == object


# ---- 园区评比 counts no cluster audit that starts after the as-of date -------------------

@pytest.mark.parametrize(("view", "as_of"), CASES)
def test_park_cluster_audits_respect_the_as_of_date(sample, view, as_of):
    scope, f = _view(view, as_of)
    cl = parks.clusters(sample, scope, f, CLOCK)
    assert cl["start_date"].notna().all()
    assert (cl["start_date"].dt.date <= as_of).all()


def test_park_cluster_audit_not_started_is_not_counted(db_url):
    """tests/handmade_parks.py: park 2's cluster audit starts on 2024-04-01 (SQLite and
    PostgreSQL)."""
    from queries.db import get_engine
    from tests import handmade_parks

    handmade_parks.build(get_engine(db_url))
    src = Source(db_url, "t")
    early = Filters(as_of=dt.date(2023, 12, 31))
    assert parks.clusters(src, Scope(), early, CLOCK).empty
    card = parks.scorecard(src, Scope(), early, CLOCK)
    assert card["clusters"].fillna(0).sum() == 0
    later = Filters(as_of=dt.date(2024, 6, 30))
    assert len(parks.clusters(src, Scope(), later, CLOCK)) == 1
    counts = inventory.record_counts(src, Scope(), early).set_index("类别")["记录数"]
    assert counts["整体审核（园区/行业）"] == 0


@pytest.mark.parametrize("as_of, listed, rounds, batches", [
    (dt.date(2023, 2, 28), 0, 0, 0),  # before the first list
    (dt.date(2023, 12, 31), 3, 3, 1),  # E4 is listed in 2024, E5 never
    (dt.date(2024, 12, 31), 4, 5, 2),
])
def test_data_status_known_answers_on_both_backends(handmade_url, as_of, listed, rounds,
                                                    batches):
    src = Source(handmade_url, "t")
    f = Filters(as_of=as_of)
    counts = inventory.record_counts(src, Scope(), f).set_index("类别")["记录数"]
    assert (counts[ind.name("listed_enterprises")], counts[ind.name("rounds")]) == (listed, rounds)
    assert len(inventory.batches(src, Scope(), f)) == batches
    assert _kpis(src, Scope(), f)["listed"] == listed


# ---- the annual report counts no enterprise listed after its year ------------------------------

@pytest.mark.parametrize(("view", "as_of"), [(v, dt.date(2026, 12, 1)) for v in VIEWS])
def test_annual_report_enterprises_are_those_listed_by_year_end(sample, view, as_of):
    scope, f = _view(view, as_of)
    year = 2025
    year_end = dataclasses.replace(f, as_of=dt.date(year, 12, 31))
    den = plan.listed_enterprises(sample, scope, year_end)
    regions = plan.scope_regions(sample, scope)
    data = annual_report.ReportData(
        year=year, as_of=year_end.as_of, province_name="江苏省", scope_label="江苏省",
        actuals=plan.yearly_actuals(sample, scope, f, CLOCK, year, year), denominators=den,
        cities=regions[regions["level"] == "市"][["adcode", "name"]],
        industries=plan.industries(sample)[["code", "name"]],
        clusters=plan.cluster_audits(sample, scope, f, year),
        plan_detail=plan.target_detail(pd.DataFrame(), pd.DataFrame()),
        period_name=None)
    tables = annual_report.report_tables(data)
    summary = dict(zip(tables["总体情况"]["指标"], tables["总体情况"]["数值"]))
    listed = _kpis(sample, scope, year_end)["listed"]
    assert summary[ind.name("listed_by_year_end")] == listed
    text = "".join(annual_report.narrative(data, tables))
    assert f"{listed:,}家" in text
    assert all(v <= listed for k, v in summary.items() if k.endswith("企业") and "整体" not in k)


# ---- headings name the chosen area (pages, hand-built database) -------------------------------

def main_texts(at) -> str:
    """The text of the page itself (the sidebar names the signed-in person's own jurisdiction)."""
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                 "header", "subheader"):
        parts.extend(shown(e.value) for e in getattr(at.main, kind))
    parts.extend(shown(m.label) for m in at.main.metric)
    return "\n".join(parts)


AREA_PAGES = ["pages/map.py", "pages/supervision.py", "pages/parks.py", "pages/plan.py",
              "pages/data_status.py", "pages/enterprise.py", "pages/overview.py"]


@pytest.mark.parametrize("page", AREA_PAGES)
def test_every_heading_names_the_chosen_city(monkeypatch, handmade_sqlite, page):
    at = open_page(monkeypatch, handmade_sqlite, page,
                   params={"city": SUZHOU, "asof": "2024-12-31"})
    words = main_texts(at)
    assert "苏州市" in words
    assert "江苏省" not in words, page


def test_plan_page_headings_name_the_city(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/plan.py",
                   params={"city": SUZHOU, "asof": "2024-12-31"})
    heads = [s.value for s in at.subheader]
    assert heads and heads[0].startswith("苏州市")
    assert not [h for h in heads if "江苏省" in h]
    shown = metrics(at)
    assert ind.name("period_target_rate") in shown and "完成率" not in shown
    assert "实际完成（轮）" in shown


def test_data_status_at_a_past_date(monkeypatch, handmade_sqlite):
    """At 2023-12-31 the hand-built province has 3 listed enterprises (E4 is listed in 2024,
    E5 never) in 3 rounds, and only the 2023 batch."""
    at = open_page(monkeypatch, handmade_sqlite, "pages/data_status.py",
                   params={"asof": "2023-12-31"})
    m = metrics(at)
    assert m[ind.label("listed_enterprises")] == "3"
    assert m[ind.label("rounds")] == "3"
    batches = [d.value for d in at.dataframe if "批次" in d.value.columns][0]
    assert list(batches["批次"]) == ["2023年第一批"]


def test_annual_report_title_names_the_chosen_city(monkeypatch, handmade_sqlite):
    at = open_page(monkeypatch, handmade_sqlite, "pages/plan.py",
                   params={"city": SUZHOU, "asof": "2024-12-31"})
    at.session_state["plan_section"] = "年度实施情况报告"
    at.run()
    words = main_texts(at)
    assert "苏州市2023年度清洁生产审核实施情况报告" in words
    assert "江苏省" not in words
