"""Park review (issue 7): rules, queries on SQLite and PostgreSQL, builders and the Word pack,
with known answers from tests/handmade_parks.py (its docstring derives every number)."""

from __future__ import annotations

import datetime as dt
import json
import math

import altair as alt
import pandas as pd
import pytest
from sqlalchemy import text

from components import park_charts as pc
from components import park_pack, word
from queries import parks
from queries.db import Source, get_engine
from queries.scope import Filters, Scope
from rules import park_rules as pr
from rules.clock import ClockRules
from tests import handmade_parks as hp

CLOCK = ClockRules()
F = Filters(as_of=hp.AS_OF)
NANJING = Scope("city", "320100")



@pytest.fixture
def parks_url(db_url):
    """handmade_parks on each backend."""
    hp.build(get_engine(db_url))
    return db_url


def src(url: str) -> Source:
    return Source(url, "handmade-parks-1")


def by_park(df: pd.DataFrame) -> dict[int, pd.Series]:
    return {int(r["park_id"]): r for _, r in df.iterrows()}


# --------------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------------

def test_cluster_passed_follows_completion_milestone_and_as_of():
    cl = pd.DataFrame({
        "evaluation_pass": [True, True, False, None],
        "evaluation_date": ["2024-10-15", "2024-10-15", "2024-01-01", None],
        "acceptance_pass": [None, True, None, None],
        "acceptance_date": [None, "2024-12-01", None, None],
    })
    assert list(pr.cluster_passed(cl, dt.date(2024, 12, 31), "evaluation")) == [
        True, True, False, False]
    assert list(pr.cluster_passed(cl, dt.date(2024, 12, 31), "acceptance")) == [
        False, True, False, False]
    assert list(pr.cluster_passed(cl, dt.date(2024, 6, 30), "evaluation")) == [
        False, False, False, False]
    assert list(pr.cluster_passed(cl, dt.date(2024, 11, 1), "report")) == [
        True, True, False, False]


def test_counts_as_audit_and_normalisation():
    done = pr.counts_as_audit(pd.Series([True, False, False, None]),
                              pd.Series([False, True, False, True]))
    assert list(done) == [True, True, False, True]
    assert pr.per_enterprise(155.0, 2) == 77.5
    assert math.isnan(pr.per_enterprise(5.0, 0))
    s = pr.per_hundred(pd.Series([1, 0, 3]), pd.Series([2, 3, 0]))
    assert s.iloc[0] == 50.0 and s.iloc[1] == 0.0 and math.isnan(s.iloc[2])
    card = pd.DataFrame({"audited_enterprises": [1, 3, 0], "listed_enterprises": [2, 3, 0],
                         "enterprises": [2, 3, 0], "overdue_rounds": [1, 0, 0],
                         "options_done": [3.0, 4.0, 0.0], "investment_wan": [155.0, 65.5, 0.0],
                         "energy_tce": [130.0, 20.0, 0.0], "cod_t": [2.5, 1.5, 0.0],
                         "so2_t": 0.0, "nox_t": 0.0, "vocs_t": [0.0, 3.0, 0.0],
                         "cp_top": [1, 1, 0], "credit_good": [2, 1, 0],
                         "credit_rated": [2, 2, 0]})
    n = pr.normalise(card)
    assert list(n["audit_rate"].iloc[:2]) == [0.5, 1.0]
    assert list(n["overdue_per100"].iloc[:2]) == [50.0, 0.0]
    assert n["investment_per_ent"].iloc[1] == pytest.approx(21.8333, abs=1e-4)
    assert n.iloc[2].isna().all()  # a park without enterprises has no ratios, not zeros


def test_problem_kinds_and_rank():
    assert pr.problem_kinds("审核报告逾期 305 天；双有企业距上轮审核已满5年未再审核") == [
        "审核报告逾期", "双有企业距上轮审核已满5年未再审核"]
    assert pr.problem_kinds("评估未通过，待重新审核") == ["评估未通过"]
    assert pr.problem_kinds(None) == [] and pr.problem_kinds("") == []
    r = pr.rank_within(pd.Series([0.5, 1.0, float("nan"), 1.0]), higher_is_better=True)
    assert list(r.iloc[[0, 1, 3]]) == [3.0, 1.0, 1.0] and math.isnan(r.iloc[2])
    assert list(pr.rank_within(pd.Series([50.0, 0.0]), higher_is_better=False)) == [2.0, 1.0]


# --------------------------------------------------------------------------------------------
# queries: scorecard and comparison (both backends)
# --------------------------------------------------------------------------------------------

def test_scorecard_known_answers(parks_url):
    card = by_park(parks.scorecard(src(parks_url), Scope(), F, CLOCK))
    assert set(card) == {1, 2, 3}
    p1, p2, p3 = card[1], card[2], card[3]
    assert (p1["name"], p1["level"], p1["park_type"], p1["city"]) == (
        hp.PARK1, "国家级", "化工园区", "南京市")
    assert p1["industries"] == "化工 2" and p2["industries"] == "化工 2、印染 1"
    expected = {  # column: (park 1, park 2, park 3)
        "enterprises": (2, 3, 0), "listed_enterprises": (2, 3, 0), "rounds": (2, 4, 0),
        "overdue_rounds": (1, 0, 0), "audited_enterprises": (1, 3, 0),
        "audits_counted": (1, 4, 0), "cluster_member_rounds": (0, 3, 0),
        "stage_accepted": (1, 0, 0), "stage_started": (1, 1, 0), "stage_reported": (0, 2, 0),
        "stage_evaluated": (0, 1, 0), "options_done": (3, 4, 0), "high_cost_done": (1, 1, 0),
        "cp_Ⅱ级": (1, 1, 0), "cp_Ⅲ级": (0, 1, 0), "cp_top": (1, 1, 0),
        "credit_环保诚信": (1, 1, 0), "credit_环保良好": (1, 0, 0), "credit_环保警示": (0, 1, 0),
        "credit_rated": (2, 2, 0), "clusters": (0, 1, 0), "clusters_passed": (0, 1, 0),
    }
    for col, values in expected.items():
        assert (p1[col], p2[col], p3[col]) == values, col
    assert (p1["investment_wan"], p2["investment_wan"]) == (155.0, 65.5)
    assert (p1["energy_tce"], p2["energy_tce"]) == (130.0, 20.0)
    assert (p1["cod_t"], p2["cod_t"], p2["vocs_t"], p1["water_t"], p2["water_t"]) == (
        2.5, 1.5, 3.0, 6000.0, 1000.0)
    assert p2["cluster_status"] == "评估通过，待验收"
    # normalised per member enterprise
    assert (p1["audit_rate"], p2["audit_rate"]) == (0.5, 1.0)
    assert (p1["investment_per_ent"], p2["investment_per_ent"]) == pytest.approx((77.5, 21.8333),
                                                                               abs=1e-4)
    assert (p1["overdue_per100"], p2["overdue_per100"]) == (50.0, 0.0)
    assert p2["cp_top_share"] == pytest.approx(1 / 3)
    assert (p1["credit_good_share"], p2["credit_good_share"]) == (1.0, 0.5)
    assert math.isnan(p3["investment_per_ent"]) and math.isnan(p3["audit_rate"])


def test_cluster_counts_only_once_passed_as_of(parks_url):
    """As of 2024-06-30 the cluster audit (evaluated 2024-10-15) has not passed: only E6 (audited
    alone) counts in park 2; the later options are not implemented yet."""
    early = Filters(as_of=dt.date(2024, 6, 30))
    card = by_park(parks.scorecard(src(parks_url), Scope(), early, CLOCK))
    assert card[2]["audited_enterprises"] == 1 and card[2]["audits_counted"] == 1
    assert card[2]["clusters_passed"] == 0 and card[2]["cluster_status"] == "审核中"
    assert (card[2]["options_done"], card[2]["investment_wan"]) == (2, 64.0)
    assert (card[1]["options_done"], card[1]["investment_wan"]) == (2, 5.0)
    assert card[1]["stage_evaluated"] == 1 and card[1]["overdue_rounds"] == 1
    # counted at acceptance instead, the cluster (not accepted) never counts
    late = parks.scorecard(src(parks_url), Scope(), F, ClockRules(
        completion_milestone="acceptance"))
    assert by_park(late)[2]["audited_enterprises"] == 0


def test_comparison_within_type(parks_url):
    cmp = parks.comparison(src(parks_url), Scope(), F, CLOCK, "化工园区", "investment_per_ent")
    assert list(cmp["park_id"]) == [1, 2]  # park 3 is another type
    assert list(cmp["value"]) == pytest.approx([77.5, 21.8333], abs=1e-4)
    assert list(cmp["rank"]) == [1, 2]
    assert cmp["median"].iloc[0] == pytest.approx(49.6667, abs=1e-4)
    over = parks.comparison(src(parks_url), Scope(), F, CLOCK, "化工园区", "overdue_per100")
    assert list(over["park_id"]) == [2, 1] and list(over["value"]) == [0.0, 50.0]
    rate = parks.comparison(src(parks_url), Scope(), F, CLOCK, "化工园区", "audit_rate")
    assert list(rate["name"]) == [hp.PARK2, hp.PARK1] and list(rate["value"]) == [1.0, 0.5]
    empty = parks.comparison(src(parks_url), Scope(), F, CLOCK, "高新技术产业开发区",
                             "audit_rate")
    assert list(empty["park_id"]) == [3] and empty["rank"].isna().all()


def test_filters_narrow_the_scorecard(parks_url):
    chem = Filters(industries=("chemicals",), as_of=hp.AS_OF)
    card = by_park(parks.scorecard(src(parks_url), Scope(), chem, CLOCK))
    assert card[2]["enterprises"] == 2 and card[2]["audited_enterprises"] == 2
    assert card[2]["industries"] == "化工 2"
    suzhou = parks.scorecard(src(parks_url), Scope(), Filters(cities=("320500",),
                                                              as_of=hp.AS_OF), CLOCK)
    assert set(suzhou["park_id"]) == {2, 3}


def test_city_scope_sees_only_its_parks_and_enterprises(parks_url):
    s = src(parks_url)
    card = parks.scorecard(s, NANJING, F, CLOCK)
    assert list(card["park_id"]) == [1] and int(card["enterprises"].iloc[0]) == 2
    assert parks.park_detail(s, NANJING, 2) is None
    assert parks.park_detail(s, NANJING, 1)["name"] == hp.PARK1
    assert parks.park_detail(s, Scope(), 99) is None
    assert parks.membership_issues(s, NANJING, F).empty
    assert parks.park_members(s, NANJING, F, CLOCK, 2).empty
    cl, mr = parks.park_clusters(s, NANJING, F, CLOCK, 2)
    assert cl.empty and mr.empty
    assert parks.option_categories(s, NANJING, F, 2).empty
    assert list(parks.comparison(s, NANJING, F, CLOCK, "化工园区", "audit_rate")["park_id"]) == [1]
    assert parks.parks_with_members(s, NANJING) == {1}


# --------------------------------------------------------------------------------------------
# queries: one park
# --------------------------------------------------------------------------------------------

def test_park_members_counted_once(parks_url):
    m = parks.park_members(src(parks_url), Scope(), F, CLOCK, 2).set_index("uscc")
    assert list(m.index) == [hp.E6, hp.E8, hp.E7]  # 化工 before 印染, then by name
    assert m.loc[hp.E6, "rounds"] == 2 and m.loc[hp.E6, "audited"]
    assert m.loc[hp.E6, "stage_label"] == "已提交报告" and m.loc[hp.E6, "round_no"] == 2
    assert m.loc[hp.E6, "cp_level"] == "Ⅱ级" and m.loc[hp.E6, "credit"] == "环保诚信"
    assert m.loc[hp.E7, "cp_level"] == "Ⅲ级" and m.loc[hp.E7, "credit"] == "环保警示"
    assert m.loc[hp.E8, "stage_label"] == "审核中" and pd.isna(m.loc[hp.E8, "credit"])
    assert m["in_cluster"].all() and m["audited"].all()
    p1 = parks.park_members(src(parks_url), Scope(), F, CLOCK, 1).set_index("uscc")
    assert p1.loc[hp.E2, "reason"] == "审核报告逾期 305 天"
    assert not p1.loc[hp.E2, "audited"] and p1.loc[hp.E1, "audited"]


def test_park_cluster_and_member_rounds(parks_url):
    cl, mr = parks.park_clusters(src(parks_url), Scope(), F, CLOCK, 2)
    assert len(cl) == 1
    c = cl.iloc[0]
    assert c["name"] == f"{hp.PARK2}2024年园区整体清洁生产审核"
    assert (c["start_date"].date(), c["evaluation_date"].date()) == (
        dt.date(2024, 4, 1), dt.date(2024, 10, 15))
    assert bool(c["evaluation_pass"]) and pd.isna(c["acceptance_date"])
    assert bool(c["passed"]) and c["members"] == 3
    assert c["consultancy"] == "苏州绿衡环保科技有限公司"
    assert list(mr["audit_id"]) == [7, 8, 9]
    assert set(mr["audit_mode"]) == {"园区整体审核"} and mr["counts"].all()
    table = pc.clusters_table(cl)
    assert table.iloc[0]["评估结论"] == "通过" and table.iloc[0]["验收日期"] == "—"
    early, _ = parks.park_clusters(src(parks_url), Scope(), Filters(as_of=dt.date(2024, 6, 30)),
                                   CLOCK, 2)
    assert pd.isna(early.iloc[0]["evaluation_date"]) and not bool(early.iloc[0]["passed"])


def test_option_categories_problems_history(parks_url):
    s = src(parks_url)
    cats = parks.option_categories(s, Scope(), F, 2)
    assert list(cats["category"]) == ["管理", "废弃物", "设备", "技术工艺"]
    assert list(cats["options"]) == [2, 1, 1, 1] and list(cats["implemented"]) == [2, 1, 1, 0]
    assert list(cats["investment_wan"]) == [1.5, 60.0, 4.0, 0.0]
    assert parks.problems(s, Scope(), F, CLOCK, 1).values.tolist() == [["审核报告逾期", 1]]
    assert parks.problems(s, Scope(), F, CLOCK, 2).values.tolist() == [["受到处罚：超标排放", 1]]
    h = parks.history(s, Scope(), F, CLOCK, 2)
    assert list(h["year"]) == [2023, 2024]
    assert list(h["listed"]) == [1, 3] and list(h["evaluated"]) == [0, 1]
    assert list(h["options_done"]) == [1, 3] and list(h["investment_wan"]) == [4.0, 61.5]
    assert list(h["energy_tce"]) == [20.0, 0.0] and list(h["cod_t"]) == [0.0, 1.5]
    assert h["cluster_events"].iloc[1] == "整体审核启动、整体审核评估通过"
    h1 = parks.history(s, Scope(), F, CLOCK, 1)
    assert list(h1["year"]) == [2023, 2024] and list(h1["accepted"]) == [0, 1]
    assert parks.history(s, Scope(), F, CLOCK, 3).empty


# --------------------------------------------------------------------------------------------
# membership: point-in-polygon with geopandas
# --------------------------------------------------------------------------------------------

def issue_set(df: pd.DataFrame) -> set[tuple]:
    return {(int(r.park_id), r.uscc, r.issue) for r in df.itertuples()}


def test_membership_issues_point_in_polygon(parks_url):
    issues = parks.membership_issues(src(parks_url), Scope(), F)
    assert issue_set(issues) == {(2, hp.E5, parks.ISSUE_INSIDE), (2, hp.E8, parks.ISSUE_OUTSIDE)}
    row = issues.set_index("uscc").loc[hp.E5]
    assert row["recorded_park"] == "（未登记园区）" and (row["lon"], row["lat"]) == (120.66, 30.97)
    # the park filter narrows to one park's polygon, still finding non-members inside it
    assert issue_set(parks.membership_issues(src(parks_url), Scope(), Filters(
        parks=(2,), as_of=hp.AS_OF))) == issue_set(issues)
    assert parks.membership_issues(src(parks_url), Scope(), Filters(
        parks=(1,), as_of=hp.AS_OF)).empty


def test_membership_edge_cases(parks_url):
    """A point on the boundary is inside; a member without a point is flagged; a cluster member
    not recorded in the park is flagged; a member of another park lying in this one is flagged."""
    with get_engine(parks_url).begin() as conn:
        conn.execute(text("UPDATE enterprise SET lon = 120.65, lat = 30.97 WHERE uscc = :u"),
                     {"u": hp.E4})  # on the west edge of park 2
        conn.execute(text("UPDATE enterprise SET lon = NULL, lat = NULL WHERE uscc = :u"),
                     {"u": hp.E2})
        conn.execute(text("UPDATE enterprise SET park_id = NULL WHERE uscc = :u"), {"u": hp.E8})
        conn.execute(text("UPDATE enterprise SET lon = 118.70, lat = 32.21 WHERE uscc = :u"),
                     {"u": hp.E7})  # recorded in park 2, lies in park 1
    issues = parks.membership_issues(Source(parks_url, "edited"), Scope(), F)
    assert issue_set(issues) == {
        (2, hp.E4, parks.ISSUE_INSIDE), (2, hp.E5, parks.ISSUE_INSIDE),
        (1, hp.E2, parks.ISSUE_NO_POINT), (2, hp.E8, parks.ISSUE_CLUSTER),
        (1, hp.E7, parks.ISSUE_INSIDE), (2, hp.E7, parks.ISSUE_OUTSIDE)}
    assert issues.set_index(["park_id", "uscc"]).loc[(1, hp.E7), "recorded_park"] == hp.PARK2


# --------------------------------------------------------------------------------------------
# builders and the review pack
# --------------------------------------------------------------------------------------------

def test_builders_return_charts_and_an_offline_deck(parks_sqlite):
    s = src(parks_sqlite)
    card = parks.scorecard(s, Scope(), F, CLOCK)
    assert isinstance(pc.stage_chart(card), alt.TopLevelMixin)
    cmp = parks.comparison(s, Scope(), F, CLOCK, "化工园区", "audit_rate")
    spec = pc.comparison_chart(cmp, "audit_rate", highlight=2).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert sorted(v["值"] for v in values if "值" in v) == [50.0, 100.0]
    table = pc.comparison_table(cmp, "audit_rate")
    assert list(table["审核完成率（%）"]) == [100.0, 50.0]
    park = parks.park_detail(s, Scope(), 2)
    members = parks.park_members(s, Scope(), F, CLOCK, 2)
    issues = parks.membership_issues(s, Scope(), F)
    deck = pc.park_deck(park, members, issues[issues["issue"] == parks.ISSUE_INSIDE])
    spec = json.loads(deck.to_json())
    ids = [layer["id"] for layer in spec["layers"]]
    assert ids == ["park-boundary", "park-members-in_audit", "park-members-reported",
                   "park-outsiders"]
    assert spec.get("mapProvider") in (None, "") and "mapbox" not in deck.to_json().lower()
    points = {layer["id"]: layer["data"] for layer in spec["layers"][1:]}
    assert [p["n"] for p in points["park-outsiders"]] == ["苏州戊电镀有限公司"]
    assert len(points["park-members-reported"]) == 2
    assert deck.to_json() == pc.park_deck(park, members, issues[
        issues["issue"] == parks.ISSUE_INSIDE]).to_json()  # byte-identical on rerun
    assert pc.park_link({"city": "320500", "park": "1", "asof": "2024-12-31"}, 2) == (
        "park?city=320500&asof=2024-12-31&park=2")


def pack_data(url: str, park_id: int, sample: bool = False) -> park_pack.PackData:
    s = src(url)
    card = parks.scorecard(s, Scope(), F, CLOCK)
    row = card[card["park_id"] == park_id].iloc[0]
    park = parks.park_detail(s, Scope(), park_id)
    cl, mr = parks.park_clusters(s, Scope(), F, CLOCK, park_id)
    issues = parks.membership_issues(s, Scope(), F)
    return park_pack.PackData(
        park=park, card=row,
        standing=pr.standing(card[card["park_type"] == park["park_type"]], park_id),
        clusters=cl, member_rounds=mr, members=parks.park_members(s, Scope(), F, CLOCK, park_id),
        categories=parks.option_categories(s, Scope(), F, park_id),
        problems=parks.problems(s, Scope(), F, CLOCK, park_id),
        history=parks.history(s, Scope(), F, CLOCK, park_id),
        issues=issues[issues["park_id"] == park_id], as_of=hp.AS_OF, province="江苏省",
        sample=sample)


def test_review_pack_reads_back_with_exact_numbers(parks_sqlite):
    body, tables = word.read_back(park_pack.review_pack(pack_data(parks_sqlite, 2)))
    assert f"{hp.PARK2}清洁生产整体审核评审材料" in body
    assert "江苏省 · 数据截至2024年12月31日" in body
    assert ("截至2024年12月31日，园区登记成员企业3家（化工 2、印染 1），其中已列入审核名单3家，"
            "已完成审核企业3家，审核完成率100.0%。") in body
    assert ("成员企业共有审核轮次4轮：审核中1轮、已提交报告2轮、评估通过1轮、验收通过0轮、"
            "未通过0轮；逾期0轮。") in body
    assert ("清洁生产水平：Ⅱ级1家、Ⅲ级1家。最新环境信用评价：环保诚信1家、环保警示1家，"
            "未评价1家。") in body
    assert ("已实施方案4项（其中中/高费1项），实施投资65.5万元（家均21.83万元/家）；"
            "节能量20.0吨标准煤/年（家均6.67吨标准煤/年），COD减排量1.50吨/年，"
            "VOCs减排量3.00吨/年。") in body
    assert "样例数据" not in body
    clusters, rounds, members, cats, problems, history, standing, issues = tables
    assert clusters.iloc[0]["评估日期"] == "2024年10月15日"
    assert clusters.iloc[0]["评估结论"] == "通过"
    assert clusters.iloc[0]["成员审核轮次（轮）"] == "3"
    assert list(rounds["计为一轮审核"]) == ["是", "是", "是"]
    assert list(members["企业名称"]) == [
        "苏州己化工有限公司", "苏州辛化工有限公司", "苏州庚印染有限公司"]
    assert list(members["审核轮次（轮）"]) == ["2", "1", "1"]
    assert list(cats["方案类别"]) == ["管理", "废弃物", "设备", "技术工艺"]
    assert list(cats["已实施投资（万元）"]) == ["1.50", "60.00", "4.00", "0.00"]
    assert problems.values.tolist() == [["受到处罚：超标排放", "1"]]
    assert list(history["年份"]) == ["2023", "2024"] and list(history["实施投资（万元）"]) == [
        "4.00", "61.50"]
    rate = standing.set_index("指标").loc["审核完成率（%）"]
    assert (rate["本园区"], rate["同类园区中位数（化工园区）"], rate["排名"]) == (
        "100.0", "75.0", "第1名/共2个")
    inv = standing.set_index("指标").loc["家均实施投资（万元/家）"]
    assert (inv["本园区"], inv["排名"]) == ("21.83", "第2名/共2个")
    assert set(issues["问题"]) == {parks.ISSUE_INSIDE, parks.ISSUE_OUTSIDE}


def test_review_pack_of_an_empty_park_and_sample_mark(parks_sqlite):
    body, tables = word.read_back(park_pack.review_pack(pack_data(parks_sqlite, 3, sample=True)))
    assert "样例数据（虚构企业，仅供演示）" in body
    assert "园区登记成员企业0家（无）" in body and "审核完成率—" in body
    assert "本园区尚无园区整体审核记录。" in body and "本园区未录入边界数据" in body
    assert len(tables) == 1  # only the standing among its type


def test_count_axes_have_whole_ticks_and_the_history_title_is_not_clipped():
    h = pd.DataFrame({"year": [2023, 2024], "listed": [1, 2], "evaluated": [0, 1],
                      "accepted": [0, 1]})
    spec = pc.history_chart(h).to_dict()
    assert spec["encoding"]["y"]["axis"] == {"format": "d", "tickMinStep": 1}
    assert spec["title"] == {"text": "历年审核情况", "anchor": "start"}
    m = pd.DataFrame({"industry": ["化工", "化工", "印染"], "uscc": ["a", "b", "c"]})
    assert pc.industry_chart(m).to_dict()["encoding"]["x"]["axis"]["tickMinStep"] == 1
