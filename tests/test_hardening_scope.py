"""Every scope and filter clause on every table the queries read (issue: hardening, item 8),
on SQLite and PostgreSQL, with known answers from tests/handmade_parks.py. Each case fails when
its clause is dropped, compares the wrong column, or moves a date boundary by a day; the seeded
one-line bugs are listed in tests/mutations.py (`make mutants` applies each and runs these).

The hand-built province (see tests/handmade.py and tests/handmade_parks.py):
    E1, E2  南京市 320100 / 浦口区 320111, 化工, park 1
    E3      苏州市 320500 / 虎丘区 320505, 电镀
    E4      苏州市 / 吴江区 320509, 印染;  E5 吴江区 电镀 (never listed)
    E6, E8  吴江区, 化工, park 2;  E7 吴江区, 印染, park 2
    parks: 1 (南京, 浦口区), 2 (苏州, 吴江区), 3 (苏州, 虎丘区, no members)
    rounds: R1 E1, R2 E2, R3 E3, R6 E6 listed 2023-03-01 (batch 2023); R4 E4, R5 E3, R7 E6,
            R8 E7, R9 E8 listed 2024-03-01 (batch 2024); options on R1, R3, R6, R8
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from queries import audits, inventory, parks, plan, supervision
from queries import enterprise as en
from queries import schema as s
from queries.db import Source, get_engine, read_frame
from queries.scope import Filters, Scope, enterprise_where
from rules.clock import ClockRules
from rules.identifiers import make_uscc
from tests import handmade_parks as hp

E1, E2, E3, E4, E5, E6, E7, E8 = hp.E1, hp.E2, hp.E3, hp.E4, hp.E5, hp.E6, hp.E7, hp.E8
E9 = make_uscc("320509", "MA1DDD09")
D = dt.date.fromisoformat
AS_OF = D("2024-12-31")
PROVINCE = Scope()
NANJING, SUZHOU = Scope("city", "320100"), Scope("city", "320500")
PUKOU, HUQIU, WUJIANG = Scope("county", "320111"), Scope("county", "320505"), Scope("county",
                                                                                     "320509")
PARK1, PARK2 = Scope("park", "1"), Scope("park", "2")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def url(request, tmp_path_factory):
    """The hand-built province, built once per module and backend (these tests only read)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("scope") / "scope.db"
        made = f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("pg_server_url")
        name = f"cpa_scope_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made = make_url(server).set(database=name).render_as_string(hide_password=False)
    s.create_all(get_engine(made))
    hp.build(get_engine(made))
    yield made
    get_engine(made).dispose()
    if request.param == "postgresql":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def src(url: str) -> Source:
    return Source(url, "scope-test")


def f(**kw) -> Filters:
    return Filters(**({"as_of": AS_OF} | kw))


# ---- enterprise: scope_where and enterprise_where -------------------------------------------

ENTERPRISE_CASES = [
    (PROVINCE, f(), {E1, E2, E3, E4, E5, E6, E7, E8}),
    (NANJING, f(), {E1, E2}),
    (SUZHOU, f(), {E3, E4, E5, E6, E7, E8}),
    (PUKOU, f(), {E1, E2}),
    (HUQIU, f(), {E3}),
    (WUJIANG, f(), {E4, E5, E6, E7, E8}),
    (PARK1, f(), {E1, E2}),
    (PARK2, f(), {E6, E7, E8}),
    (PROVINCE, f(cities=("320500",)), {E3, E4, E5, E6, E7, E8}),
    (PROVINCE, f(industries=("chemicals",)), {E1, E2, E6, E8}),
    (PROVINCE, f(industries=("dyeing", "electroplating")), {E3, E4, E5, E7}),
    (PROVINCE, f(parks=(2,)), {E6, E7, E8}),  # the seeded bug: park filter dropped
    (PROVINCE, f(parks=(1, 2), industries=("chemicals",)), {E1, E2, E6, E8}),
    (PROVINCE, f(cities=("320500",), parks=(1,)), set()),
    (SUZHOU, f(parks=(1,)), set()),  # a filter only narrows the scope
    (WUJIANG, f(industries=("dyeing",)), {E4, E7}),
    (NANJING, f(cities=("320500",)), set()),
]


@pytest.mark.parametrize("scope, filters, expected", ENTERPRISE_CASES)
def test_enterprise_scope_and_filters(url, scope, filters, expected):
    got = read_frame(get_engine(url), select(s.enterprise.c.uscc)
                     .where(enterprise_where(scope, filters)))
    assert set(got["uscc"]) == expected


@pytest.mark.parametrize("scope, expected", [(PROVINCE, {1, 2}), (SUZHOU, {2}),
                                             (HUQIU, set()), (PARK1, {1})])
def test_parks_offered_by_the_shared_filter(url, scope, expected):
    assert parks.parks_with_members(src(url), scope) == expected


# ---- park: park_where ------------------------------------------------------------------------

PARK_CASES = [
    (PROVINCE, f(), {1, 2, 3}),
    (NANJING, f(), {1}),
    (SUZHOU, f(), {2, 3}),
    (PUKOU, f(), {1}),  # the seeded bug: county scope compared with the city column
    (WUJIANG, f(), {2}),
    (HUQIU, f(), {3}),
    (PARK2, f(), {2}),
    (PROVINCE, f(cities=("320500",)), {2, 3}),
    (PROVINCE, f(parks=(1, 3)), {1, 3}),
    (SUZHOU, f(parks=(1,)), set()),
    (PROVINCE, f(industries=("dyeing",)), {1, 2, 3}),  # parks have no industry
]


@pytest.mark.parametrize("scope, filters, expected", PARK_CASES)
def test_park_scope_and_filters(url, scope, filters, expected):
    assert set(parks.parks(src(url), scope, filters)["park_id"]) == expected
    for pid in (1, 2, 3):  # one park by id: the scope alone decides
        inside = any(scope == sc and pid in ex for sc, fl, ex in PARK_CASES if fl == f())
        assert (parks.park_detail(src(url), scope, pid) is not None) == inside, pid


@pytest.mark.parametrize("scope, filters, expected", [
    (PROVINCE, f(), {E1, E2, E6, E7, E8}), (SUZHOU, f(), {E6, E7, E8}), (PUKOU, f(), {E1, E2}),
    (PROVINCE, f(parks=(1,)), {E1, E2}), (PROVINCE, f(industries=("dyeing",)), {E7}),
    (PROVINCE, f(cities=("320100",)), {E1, E2})])
def test_park_members(url, scope, filters, expected):
    assert set(parks.members(src(url), scope, filters)["uscc"]) == expected


def test_members_registered_to_a_park_outside_the_scope_are_not_its_members(db_url):
    """E9 lies in 吴江区 but is registered to park 3 (虎丘区): a 吴江区 official sees E9, not
    park 3, so E9 is no member of any park they see."""
    rows = hp.ROWS | {"enterprise": hp.ROWS["enterprise"] + [dict(
        hp.ROWS["enterprise"][-1], uscc=E9, name="苏州壬化工有限公司", park_id=3)]}
    from tests import handmade

    handmade.build(get_engine(db_url), rows)
    assert set(parks.members(src(db_url), WUJIANG, f())["uscc"]) == {E6, E7, E8}
    assert set(parks.members(src(db_url), PROVINCE, f())["uscc"]) == {E1, E2, E6, E7, E8, E9}
    assert set(parks.members(src(db_url), HUQIU, f())["uscc"]) == set()


def test_park_cluster_audits_within_scope_and_seen_as_of(url):
    clock = ClockRules()
    assert list(parks.clusters(src(url), PROVINCE, f(), clock)["cluster_id"]) == [1]
    assert list(parks.clusters(src(url), WUJIANG, f(), clock)["cluster_id"]) == [1]
    assert parks.clusters(src(url), NANJING, f(), clock).empty
    assert parks.clusters(src(url), PROVINCE, f(parks=(1,)), clock).empty
    before = parks.clusters(src(url), PROVINCE, f(as_of=D("2024-10-14")), clock).iloc[0]
    on = parks.clusters(src(url), PROVINCE, f(as_of=D("2024-10-15")), clock).iloc[0]
    assert before["evaluation_date"] != before["evaluation_date"]  # NaT: not yet held
    assert str(on["evaluation_date"].date()) == "2024-10-15" and bool(on["evaluation_pass"])


@pytest.mark.parametrize("as_of, grade", [("2023-12-31", "环保良好"), ("2024-01-01", "环保诚信")])
def test_latest_credit_counts_years_up_to_the_as_of_year(url, as_of, grade):
    got = parks.latest_credit(src(url), PROVINCE, f(as_of=D(as_of))).set_index("uscc")
    assert got.loc[E6, "grade"] == grade
    assert E7 not in got.index if as_of < "2024" else got.loc[E7, "grade"] == "环保警示"


# ---- rounds: rounds_where (SQL) and rounds() (pandas) ---------------------------------------

ROUND_CASES = [
    (PROVINCE, f(as_of=D("2024-02-29")), {1, 2, 3, 6}),
    (PROVINCE, f(as_of=D("2024-03-01")), {1, 2, 3, 4, 5, 6, 7, 8, 9}),  # listed on the day
    (PROVINCE, f(listing_years=(2024,)), {4, 5, 7, 8, 9}),
    (PROVINCE, f(listing_years=(2023,)), {1, 2, 3, 6}),
    (HUQIU, f(), {3, 5}),
    (PROVINCE, f(parks=(2,)), {6, 7, 8, 9}),
    (PROVINCE, f(industries=("dyeing",), listing_years=(2024,)), {4, 8}),
    (PROVINCE, f(as_of=D("2023-02-28")), set()),
]


@pytest.mark.parametrize("scope, filters, expected", ROUND_CASES)
def test_rounds_in_scope_years_and_as_of(url, scope, filters, expected):
    assert set(audits.rounds(src(url), scope, filters)["audit_id"]) == expected
    sql = read_frame(get_engine(url), select(s.audit_round.c.audit_id).select_from(
        s.audit_round.join(s.enterprise, s.audit_round.c.uscc == s.enterprise.c.uscc))
        .where(audits.rounds_where(scope, filters)))
    assert set(sql["audit_id"]) == expected


@pytest.mark.parametrize("scope, filters, expected", ROUND_CASES)
def test_rounds_with_status_follow_the_same_clauses(url, scope, filters, expected):
    got = audits.rounds_with_status(src(url), scope, filters, ClockRules())
    assert set(got["audit_id"]) == expected


@pytest.mark.parametrize("filters, expected", [
    (f(), {1: 155.0, 3: 0.0, 6: 64.0, 8: 1.5}),
    (f(parks=(2,)), {6: 64.0, 8: 1.5}),
    (f(listing_years=(2024,)), {8: 1.5}),
    (f(as_of=D("2024-07-31")), {1: 5.0, 3: 0.0, 6: 64.0, 8: 1.0}),  # R8's 0.5 on 08-01
    (f(as_of=D("2024-08-31")), {1: 5.0, 3: 0.0, 6: 64.0, 8: 1.5}),  # R1's 150 on 09-01
    (f(as_of=D("2024-09-01")), {1: 155.0, 3: 0.0, 6: 64.0, 8: 1.5}),
])
def test_option_totals_by_scope_years_and_implementation_date(url, filters, expected):
    got = audits.option_totals(src(url), PROVINCE, filters)
    total = (got["investment_low_wan"] + got["investment_high_wan"])
    assert dict(zip(got["audit_id"].astype(int), total.round(2))) == expected


@pytest.mark.parametrize("filters, expected", [
    # enterprises listed (in the chosen listing years): E5 never is; E4, E7, E8 only in 2024
    (f(), {"列入审核企业": 7, "列入审核轮次": 9, "工业园区": 2}),
    (f(listing_years=(2023,)), {"列入审核企业": 4, "列入审核轮次": 4}),
    (f(parks=(1,)), {"列入审核企业": 2, "列入审核轮次": 2, "工业园区": 1}),
    (f(cities=("320100",), listing_years=(2024,)), {"列入审核企业": 0, "列入审核轮次": 0}),
])
def test_record_counts(url, filters, expected):
    counts = inventory.record_counts(src(url), PROVINCE, filters).set_index("类别")["记录数"]
    for k, v in expected.items():
        assert int(counts[k]) == v, k


# ---- one enterprise, permits, targets, cluster audits ------------------------------------

@pytest.mark.parametrize("scope, uscc, found", [
    (PROVINCE, E1, True), (PUKOU, E1, True), (HUQIU, E1, False), (NANJING, E3, False),
    (PARK1, E2, True), (PARK2, E2, False)])
def test_an_enterprise_record_only_within_scope(url, scope, uscc, found):
    assert (en.record(src(url), scope, uscc, AS_OF, ClockRules()) is not None) == found


def test_each_read_of_a_record_keeps_to_the_scope(url):
    """The profile decides whether a record opens; each table read checks the scope again."""
    for read in (en._rounds,):
        assert len(read(src(url), PUKOU, E1, AS_OF)) == 1
        assert read(src(url), HUQIU, E1, AS_OF).empty


@pytest.mark.parametrize("as_of, rounds, permits, penalties, credit", [
    ("2023-06-30", 1, 1, 0, 1),  # the 2023 rating counts within 2023
    ("2024-02-29", 1, 1, 0, 1), ("2024-03-01", 2, 1, 0, 1), ("2024-03-10", 2, 1, 1, 1),
    ("2024-11-30", 2, 1, 1, 1), ("2024-12-01", 2, 2, 1, 1), ("2022-12-31", 0, 1, 0, 0)])
def test_an_enterprise_record_as_of_each_boundary(url, as_of, rounds, permits, penalties,
                                                  credit):
    rec = en.record(src(url), PROVINCE, E3, D(as_of), ClockRules())
    assert (len(rec["rounds"]), len(rec["permits"]), len(rec["penalties"]),
            len(rec["credit"])) == (rounds, permits, penalties, credit)


@pytest.mark.parametrize("scope, filters, expected", [
    (PROVINCE, f(as_of=D("2024-11-30")), {E1, E2, E3, E4}),
    (PROVINCE, f(as_of=D("2024-12-01")), {E1, E2, E3, E4}),
    (HUQIU, f(), {E3}), (PROVINCE, f(industries=("dyeing",)), {E4})])
def test_permits_for_the_watch_list(url, scope, filters, expected):
    got = supervision.permits(src(url), scope, filters)
    assert set(got["uscc"]) == expected
    assert len(got[got["uscc"] == E3]) == (2 if filters.as_of >= D("2024-12-01") else 1) \
        or E3 not in expected


@pytest.mark.parametrize("scope, filters, expected", [
    (PROVINCE, f(), {1, 2, 3}), (NANJING, f(), {2}), (SUZHOU, f(), {3}), (PUKOU, f(), set()),
    (PARK1, f(), set()), (PROVINCE, f(cities=("320500",)), {3}),
    (PROVINCE, f(industries=("chemicals",)), {2})])
def test_plan_targets_by_region_scope_and_filters(url, scope, filters, expected):
    assert set(plan.targets(src(url), scope, filters, 1)["target_id"]) == expected


@pytest.mark.parametrize("scope, expected", [
    (PROVINCE, {"320000", "320100", "320500", "320111", "320505", "320509"}),
    (SUZHOU, {"320500", "320505", "320509"}), (WUJIANG, {"320509"}), (PARK2, set())])
def test_regions_an_official_may_write_targets_for(url, scope, expected):
    assert set(plan.scope_regions(src(url), scope)["adcode"]) == expected


@pytest.mark.parametrize("scope, filters, year, expected", [
    (PROVINCE, f(), 2024, {1: 3}), (PROVINCE, f(), 2023, {}), (HUQIU, f(), 2024, {}),
    (PROVINCE, f(parks=(2,), industries=("chemicals",)), 2024, {1: 2}),
    (PROVINCE, f(as_of=D("2024-03-31")), 2024, {}),  # started 2024-04-01
    (PROVINCE, f(as_of=D("2024-04-01")), 2024, {1: 3})])
def test_cluster_audits_of_a_report_year(url, scope, filters, year, expected):
    got = plan.cluster_audits(src(url), scope, filters, year)
    assert dict(zip(got["cluster_id"].astype(int), got["members"].astype(int))) == expected


@pytest.mark.parametrize("as_of, listed", [("2024-02-29", 4), ("2024-03-01", 7)])
def test_listed_enterprises_as_of(url, as_of, listed):
    got = plan.listed_enterprises(src(url), PROVINCE, f(as_of=D(as_of)))
    assert int(got["listed_enterprises"].sum()) == listed and int(got["enterprises"].sum()) == 8
