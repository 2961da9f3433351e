"""The per-audit outcome rollup gives exactly what summing the options gives, at any date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from queries import audits, rollup
from queries.db import Source, get_engine
from queries.scope import Filters, Scope

DATES = ["2023-09-30", "2023-10-01", "2024-08-31", "2024-09-01", "2024-12-31", "2026-11-24"]



@pytest.mark.parametrize("scope", [Scope(), Scope("city", "320500")])
def test_rollup_equals_summing_the_options(handmade_url, scope):
    with get_engine(handmade_url).begin() as conn:
        rollup.refresh(conn, "with-rollup")
    for day in DATES:
        f = Filters(as_of=dt.date.fromisoformat(day))
        slow = audits.option_totals(Source(handmade_url, "stale"), scope, f)
        fast = audits.option_totals(Source(handmade_url, "with-rollup"), scope, f)
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


def test_rollup_is_used_only_for_its_data_version(handmade_url):
    with get_engine(handmade_url).begin() as conn:
        assert not rollup.is_current(conn, "v")
        rollup.refresh(conn, "v")
        assert rollup.is_current(conn, "v") and not rollup.is_current(conn, "w")
