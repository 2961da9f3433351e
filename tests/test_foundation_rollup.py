"""The per-audit outcome rollup gives exactly what summing the options gives, at any date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import delete, insert

from queries import audits, rollup
from queries import schema as s
from queries.db import Source, get_engine
from queries.scope import Filters, Scope

DATES = ["2023-09-30", "2023-10-01", "2023-12-31", "2024-01-01", "2024-02-29", "2024-03-01",
         "2024-08-31", "2024-09-01", "2024-12-31", "2025-06-30", "2026-11-24"]


def _one_more_option(url: str) -> None:
    """A third implementation for round 1, in 2024 before its high-cost option: the as-of year
    then holds implementations on both sides of dates like 2024-08-31."""
    from tests.handmade import _option

    with get_engine(url).begin() as conn:
        conn.execute(insert(s.audit_option), [_option(9, 1, "无/低费", "已实施", 4.0, "2024-03-01",
                                                      energy_tce=7.0)])

def _refreshed(url: str, version: str) -> Source:
    """The handmade province with _one_more_option, its rollups rebuilt for `version`."""
    _one_more_option(url)
    with get_engine(url).begin() as conn:
        rollup.refresh(conn, version)
    return Source(url, version)


@pytest.mark.parametrize("scope", [Scope(), Scope("city", "320500")])
def test_rollup_equals_summing_the_options(handmade_url, scope):
    with_rollup = _refreshed(handmade_url, "with-rollup")
    for day in DATES:
        f = Filters(as_of=dt.date.fromisoformat(day))
        slow = audits.option_totals(Source(handmade_url, "stale"), scope, f)
        fast = audits.option_totals(with_rollup, scope, f)
        pd.testing.assert_frame_equal(fast.reset_index(drop=True), slow.reset_index(drop=True))


def test_known_totals_before_and_after_the_high_cost_option(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        rollup.refresh(conn, "v")
    src = Source(handmade_url, "v")
    before = audits.option_totals(src, Scope(), Filters(as_of=dt.date(2024, 8, 31)))
    after = audits.option_totals(src, Scope(), Filters(as_of=dt.date(2024, 12, 31)))
    r1b, r1a = before.set_index("audit_id").loc[1], after.set_index("audit_id").loc[1]
    assert (r1b.low_cost_done, r1b.high_cost_done, r1b.investment_high_wan) == (2, 0, 0)
    assert (r1a.low_cost_done, r1a.high_cost_done, r1a.investment_high_wan) == (2, 1, 150)
    assert r1a.energy_tce == 130 and r1b.energy_tce == 10


def test_year_end_totals_come_from_the_rollups_alone(handmade_url):
    """At a year end no option row is read: deleting them all after the refresh changes
    nothing (only audits implementing in the as-of year before and after the date need them)."""
    src = _refreshed(handmade_url, "v")
    ends = [Filters(as_of=dt.date(y, 12, 31)) for y in (2023, 2024, 2025)]
    before = [audits.option_totals(src, Scope(), f) for f in ends]
    with get_engine(handmade_url).begin() as conn:
        conn.execute(delete(s.audit_option))
    audits.option_totals.clear()
    for f, expected in zip(ends, before):
        pd.testing.assert_frame_equal(audits.option_totals(src, Scope(), f), expected)
    r1 = before[0].set_index("audit_id").loc[1]  # 31 Dec 2023: the two October options
    assert (r1.low_cost_done, r1.high_cost_done, r1.energy_tce) == (2, 0, 10)
    r1 = before[1].set_index("audit_id").loc[1]  # 31 Dec 2024: and the March and high-cost ones
    assert (r1.low_cost_done, r1.high_cost_done, r1.energy_tce) == (3, 1, 137)


def test_rollup_is_used_only_for_its_data_version(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        assert not rollup.is_current(conn, "v")
        rollup.refresh(conn, "v")
        assert rollup.is_current(conn, "v") and not rollup.is_current(conn, "w")


@pytest.mark.parametrize("keys", [(), ("city_adcode", "park_id", "industry_code")])
def test_sums_by_year_from_the_rollups_equal_summing_the_options(handmade_url, keys):
    with_rollup = _refreshed(handmade_url, "with-rollup")
    for day in DATES:
        f = Filters(as_of=dt.date.fromisoformat(day))
        slow = audits.option_sums_by_year(Source(handmade_url, "stale"), Scope(), f, keys)
        fast = audits.option_sums_by_year(with_rollup, Scope(), f, keys)
        pd.testing.assert_frame_equal(fast, slow)


def test_known_sums_by_year(handmade_url):
    src = _refreshed(handmade_url, "v")
    got = audits.option_sums_by_year(src, Scope(),
                                     Filters(as_of=dt.date(2024, 8, 31))).set_index("year")
    # 2023: the two October options; 2024 to 31 August: the March one (not the September one)
    assert got["low_cost_done"].to_dict() == {2023: 2.0, 2024: 1.0}
    assert got["high_cost_done"].to_dict() == {2023: 0.0, 2024: 0.0}
    assert got["energy_tce"].to_dict() == {2023: 10.0, 2024: 7.0}


def test_a_subset_of_columns_is_the_same_as_those_columns_of_the_whole(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        rollup.refresh(conn, "v")
    for version in ("v", "stale"):
        src, f = Source(handmade_url, version), Filters(as_of=dt.date(2024, 8, 31))
        some = audits.option_totals(src, Scope(), f, ("high_cost_total", "energy_tce"))
        whole = audits.option_totals(src, Scope(), f)
        assert list(some.columns) == ["audit_id", "high_cost_total", "energy_tce"]
        pd.testing.assert_frame_equal(some, whole[list(some.columns)])
