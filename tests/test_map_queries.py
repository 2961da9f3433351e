"""queries/geo.py on the hand-built province (SQLite and PostgreSQL): enterprise points with their
status, region and park metrics, scope, and the coordinate check on a copy of the hand-built
rows with one enterprise moved into the sea, one into the wrong county and one without a point.
"""

from __future__ import annotations

import copy

import pytest

from queries import geo
from queries.db import Source
from queries.scope import Filters, Scope
from rules.clock import ClockRules
from tests import handmade
from tests.conftest import sqlite_with
from tests.handmade import AS_OF, E1, E2, E3, E4, E5

PROVINCE = "320000"
FILTERS = Filters(as_of=AS_OF)
CLOCK = ClockRules()
SEA = (122.6, 32.2)  # the Yellow Sea off Nantong: outside Jiangsu
HUQIU = (120.45, 31.35)  # 虎丘区, while E4 declares 吴江区


def misplaced_rows() -> dict:
    """handmade.ROWS with E2 in the sea, E4 in 虎丘区 (declared 吴江区) and E5 without a point."""
    rows = copy.deepcopy(handmade.ROWS)
    for ent in rows["enterprise"]:
        if ent["uscc"] == E2:
            ent["lon"], ent["lat"] = SEA
        elif ent["uscc"] == E4:
            ent["lon"], ent["lat"] = HUQIU
        elif ent["uscc"] == E5:
            ent["lon"], ent["lat"] = None, None
    return rows


def build_misplaced(engine) -> None:
    handmade.build(engine, misplaced_rows())


@pytest.fixture
def misplaced_url(tmp_path):
    return sqlite_with(tmp_path, build_misplaced, "misplaced.db")



def src(url: str) -> Source:
    return Source(url, "test")


def test_points_are_latest_round_status_as_of_the_date(handmade_url):
    pts = geo.enterprise_points(src(handmade_url), Scope(), FILTERS, CLOCK, PROVINCE)
    by = pts.set_index("uscc")
    assert list(pts["uscc"]) == sorted([E1, E2, E3, E4])  # E5 was never listed
    assert by.loc[E1, "map_status"] == "accepted"
    assert (by.loc[E2, "map_status"], by.loc[E2, "days_overdue"]) == ("overdue", 305)
    assert (by.loc[E3, "map_status"], by.loc[E3, "stage_label"]) == ("in_audit", "审核中")  # R5
    # E4's start was due 2024-05-01, in the May Day holiday: moved to 2024-05-06, 239 days.
    assert (by.loc[E4, "map_status"], by.loc[E4, "days_overdue"]) == ("overdue", 239)
    assert by.loc[E1, "park"] == "南京江北新材料科技园" and by.loc[E1, "industry"] == "化工"
    assert (by.loc[E1, "lon"], by.loc[E1, "lat"]) == (118.70, 32.20)


def test_listing_year_filter_picks_the_round_of_that_year(handmade_url):
    f = Filters(listing_years=(2023,), as_of=AS_OF)
    pts = geo.enterprise_points(src(handmade_url), Scope(), f, CLOCK, PROVINCE).set_index("uscc")
    assert sorted(pts.index) == sorted([E1, E2, E3])
    assert pts.loc[E3, "map_status"] == "failed"  # R3, evaluation failed


def test_region_metrics_known_answers(handmade_url):
    city = geo.region_metrics(src(handmade_url), Scope(), FILTERS, CLOCK, "city")
    nj = city.set_index("adcode").loc["320100"]
    sz = city.set_index("adcode").loc["320500"]
    assert list(city["adcode"]) == ["320100", "320500"]
    assert (nj.enterprises, nj.completed, nj.overdue, nj.accepted) == (2, 1, 1, 1)
    assert (nj.completion_rate, nj.overdue_rate, nj.acceptance_rate) == (0.5, 0.5, 0.5)
    assert (sz.enterprises, sz.completed, sz.overdue, sz.accepted) == (2, 0, 1, 0)
    assert nj.energy_tce_per_ent == pytest.approx(65.0)  # (10 + 120) tce / 2 enterprises
    assert nj.cod_t_per_ent == pytest.approx(1.25)
    assert sz.energy_tce_per_ent == 0.0
    county = geo.region_metrics(src(handmade_url), Scope(), FILTERS, CLOCK, "county")
    assert dict(zip(county["adcode"], county["enterprises"])) == {
        "320111": 2, "320505": 1, "320509": 1}
    assert dict(zip(county["adcode"], county["overdue_rate"])) == {
        "320111": 0.5, "320505": 0.0, "320509": 1.0}


def test_region_metrics_as_of_earlier_date(handmade_url):
    """Before R1's acceptance (2024-11-20) nothing in 南京 is accepted yet."""
    f = Filters(as_of=handmade.D("2024-06-30"))
    nj = geo.region_metrics(src(handmade_url), Scope(), f, CLOCK, "city").set_index("adcode")
    assert nj.loc["320100", "accepted"] == 0
    assert nj.loc["320100", "completed"] == 1  # evaluation passed 2024-04-10


def test_park_metrics_known_answers(handmade_url):
    parks = geo.park_metrics(src(handmade_url), Scope(), FILTERS, CLOCK)
    assert list(parks["park_id"]) == [1]
    row = parks.iloc[0]
    assert (row["name"], row["enterprises"], row["completed"], row["overdue"]) == (
        "南京江北新材料科技园", 2, 1, 1)
    assert row["completion_rate"] == 0.5
    assert row["geometry"]["type"] == "Polygon"


def test_city_scope_sees_only_its_city(handmade_url):
    nanjing = Scope("city", "320100")
    pts = geo.enterprise_points(src(handmade_url), nanjing, FILTERS, CLOCK, PROVINCE)
    assert sorted(pts["uscc"]) == sorted([E1, E2])
    city = geo.region_metrics(src(handmade_url), nanjing, FILTERS, CLOCK, "city")
    assert list(city["adcode"]) == ["320100"]
    county = geo.region_metrics(src(handmade_url), nanjing, FILTERS, CLOCK, "county")
    assert list(county["adcode"]) == ["320111"]
    suzhou = Scope("city", "320500")
    assert geo.park_metrics(src(handmade_url), suzhou, FILTERS, CLOCK).empty
    assert sorted(geo.enterprise_locations(src(handmade_url), suzhou, FILTERS)["uscc"]) == \
        sorted([E3, E4, E5])
    # a filter cannot widen the scope
    wider = Filters(cities=("320500",), as_of=AS_OF)
    assert geo.enterprise_points(src(handmade_url), nanjing, wider, CLOCK, PROVINCE).empty


def test_handmade_coordinates_are_all_in_their_counties(handmade_url):
    assert geo.location_issues(src(handmade_url), Scope(), FILTERS, PROVINCE).empty


def test_location_issues_known_answers(misplaced_url):
    issues = geo.location_issues(src(misplaced_url), Scope(), FILTERS, PROVINCE)
    assert list(issues["uscc"]) == [E2, E4, E5]
    assert list(issues["problem"]) == [geo.OUTSIDE_PROVINCE, geo.WRONG_COUNTY,
                                       geo.NO_COORDINATES]
    e4 = issues.set_index("uscc").loc[E4]
    assert (e4["county"], e4["found_county"], e4["lon"], e4["lat"]) == ("吴江区", "虎丘区",
                                                                        *HUQIU)
    assert issues.set_index("uscc").loc[E2, "found_county"] is None


def test_misplaced_enterprises_are_not_drawn(misplaced_url):
    pts = geo.enterprise_points(src(misplaced_url), Scope(), FILTERS, CLOCK, PROVINCE)
    assert sorted(pts["uscc"]) == sorted([E1, E3])
    # they still count in the region metrics: the audit happened, only the point is wrong
    city = geo.region_metrics(src(misplaced_url), Scope(), FILTERS, CLOCK, "city")
    assert list(city["enterprises"]) == [2, 2]


def test_location_issues_follow_scope(misplaced_url):
    nanjing = geo.location_issues(src(misplaced_url), Scope("city", "320100"), FILTERS,
                                  PROVINCE)
    assert list(nanjing["uscc"]) == [E2]


def test_boundaries_are_simplified_rounded_and_complete():
    counties = geo.boundary_geojson(PROVINCE, "区县")
    cities = geo.boundary_geojson(PROVINCE, "市")
    assert len(cities["features"]) == 13
    assert len(counties["features"]) >= 90  # Jiangsu has 95 county-level units
    names = {f["properties"]["name"] for f in cities["features"]}
    assert {"南京市", "苏州市", "连云港市"} <= names
    coords = str(counties["features"][0]["geometry"]["coordinates"])
    assert all(len(part.split(".")[-1]) <= geo.BOUNDARY_DIGITS
               for part in coords.replace("[", "").replace("]", "").split(", "))
    assert geo.boundary_geojson(PROVINCE, "区县") is counties  # prepared once (cache_resource)
    minx, miny, maxx, maxy = geo.province_bounds(PROVINCE)
    assert 116 < minx < 117 and 121 < maxx < 122.5 and 30 < miny < 31 and 35 < maxy < 35.5


def test_view_frames_the_chosen_city_or_the_viewers_jurisdiction():
    province = geo.province_bounds(PROVINCE)
    assert geo.view_bounds(PROVINCE, Scope(), FILTERS) == province
    suzhou = geo.view_bounds(PROVINCE, Scope(), Filters(cities=("320500",), as_of=AS_OF))
    assert 119.8 < suzhou[0] < suzhou[2] < 121.5 and 30.7 < suzhou[1] < suzhou[3] < 32.1
    assert geo.view_bounds(PROVINCE, Scope("city", "320500"), FILTERS) == suzhou
    wujiang = geo.view_bounds(PROVINCE, Scope("county", "320509"), FILTERS)
    assert suzhou[0] <= wujiang[0] and wujiang[2] <= suzhou[2]
